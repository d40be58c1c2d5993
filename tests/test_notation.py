"""The book's notation, checked mechanically.

book/notation.ipynb is the single table of symbols. These tests scan the prose
(markdown cells) of every chapter, and the book's .md pages, for a small set of
usages that would give a symbol a second meaning, or that repeat a slip of the
source post outside the chapter that discusses it (book/errata.ipynb). Each rule
is also run on a snippet that breaks it, so a rule that can never fail is caught.
Finally, the notation page must cover the symbols the rules rely on and use every
conversion of `mlemap.notation`.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import mlemap
import mlemap.notation as notation
from booktools import BOOK, book_notebooks, load_notebook

ERRATA = "errata.ipynb"
NOTATION = BOOK / "notation.ipynb"


def prose(path):
    """The markdown text of a chapter (.ipynb) or page (.md), one string per cell."""
    if path.suffix == ".md":
        return [path.read_text(encoding="utf-8")]
    return ["".join(c["source"]) for c in load_notebook(path)["cells"]
            if c["cell_type"] == "markdown"]


def paragraphs(text):
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def without_code(text):
    """Markdown without code blocks and inline code (quoted TeX is code).

    MyST directives (```{exercise} ... ```) are prose and are kept.
    """
    kept, stack = [], []  # stack of open fences: (marker, is_code)
    for line in text.splitlines():
        fence = re.match(r"\s*(`{3,}|~{3,})\s*(\S*)", line)
        if fence and stack and fence.group(1) == stack[-1][0] and not fence.group(2):
            stack.pop()                                   # a closing fence
            continue
        if fence and not (stack and stack[-1][1]):
            stack.append((fence.group(1), not fence.group(2).startswith("{")))
            continue
        if not (stack and stack[-1][1]):
            kept.append(line)
    return re.sub(r"`[^`\n]*`", "", "\n".join(kept))


def normalise_tex(tex):
    """Spaces, \\left/\\right, thin spaces and braces dropped; \\frac{a}{b} -> a/b."""
    tex = re.sub(r"\\(left|right|,|;|!|\s)", "", tex)
    for _ in range(3):
        tex = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", tex)
        tex = re.sub(r"\\[dt]?frac\s*(\w|\\\w+)\s*(\w|\\\w+)", r"\1/\2", tex)
    tex = re.sub(r"\((\\?\w+(\^\w)?)\)", r"\1", tex)          # (x) -> x
    tex = re.sub(r"\(([^()]*)\)/", r"\1/", tex)               # (a b)/ -> a b/
    return re.sub(r"[\s{}]", "", tex)


# ---- the rules: each takes (file name, markdown cell text) and returns problems

def rule_sigma_weight(name, cell):
    """The prior's width is sigma_w; the post's sigma_{weight} only where the post is quoted."""
    if name == ERRATA:
        return []
    found = []
    for para in paragraphs(without_code(cell)):
        if re.search(r"\\sigma_?\{?\s*weight", para) and not re.search(r"\bpost", para):
            found.append(f"\\sigma_{{weight}} for the prior width: write \\sigma_w: {para[:80]!r}")
    return found


def rule_post_tex_typos(name, cell):
    r"""The post's broken TeX (\sum {i=1}, \sigma{weight}) stays in the errata chapter."""
    if name == ERRATA:
        return []
    text = without_code(cell)
    return [f"broken TeX {m.group(0)!r} (see the errata chapter)"
            for m in re.finditer(r"\\sum\s+\{|\\sigma\{", text)]


def rule_a_posteriori(name, cell):
    """'Maximum a posteriori', not the post's 'Maximum A Posterior' (unless quoting the post)."""
    if name == ERRATA:
        return []
    found = []
    for para in paragraphs(cell):
        slip = re.search(r"\bmaximum\s+a\s+posterior\b(?!i)", para, flags=re.I)
        if slip and not re.search(r"\bpost'?s?\b", para):
            found.append(f"'Maximum A Posterior' for 'a posteriori': {para[:80]!r}")
    return found


LAMBDA_FORMS = ("\\sigma^2/\\sigma_w^2", "\\alpha/\\beta", "2\\sigma^2/b_w")


def rule_lambda(name, cell):
    r"""\lambda = <a formula in sigma or alpha> must be sigma^2/sigma_w^2 = alpha/beta.

    The one other penalty of the book, the lasso's 2 sigma^2 / b_w, is allowed;
    \lambda = <number or expression in other symbols> is not checked.
    """
    if name == ERRATA:
        return []
    found = []
    for m in re.finditer(r"\\lambda\s*=\s*([^$]*)", without_code(cell)):
        rhs = normalise_tex(m.group(1))
        if re.match(r"\d*\\(sigma|alpha)|\(\\sigma|\(\d*\\sigma", rhs):
            if not rhs.startswith(LAMBDA_FORMS):
                found.append(f"\\lambda defined as {m.group(1)[:40]!r}")
    return found


def rule_precisions(name, cell):
    r"""Bishop's alpha is the prior precision 1/sigma_w^2, beta the noise precision 1/sigma^2."""
    found = []
    for m in re.finditer(r"\\(alpha|beta)\s*=\s*([^$,]*)", without_code(cell)):
        symbol, rhs = m.group(1), normalise_tex(m.group(2))
        if rhs.startswith(("1/\\sigma", "\\sigma^{-2}", "\\sigma_w^{-2}", "\\sigma_w^-2",
                           "\\sigma^-2")):
            prior = rhs.startswith(("1/\\sigma_w", "\\sigma_w"))
            if (symbol == "alpha") != prior:
                found.append(f"\\{symbol} = {m.group(2)[:30]!r}: alpha is the prior "
                             "precision 1/sigma_w^2, beta the noise precision 1/sigma^2")
    return found


def rule_learning_rate(name, cell):
    r"""The learning rate is \eta, never \alpha (which is Bishop's prior precision)."""
    text = without_code(cell)
    found = [f"learning rate written \\alpha: {m.group(0)!r}" for m in re.finditer(
        r"(learning rate|step size)[^.$]{0,20}\$\s*\\alpha|\\alpha(_t)?\s*\\nabla", text,
        flags=re.I)]
    return found


def rule_adam_betas(name, cell):
    r"""Adam's decay rates are \beta_1, \beta_2: a bare \beta^t would be the noise precision."""
    text = without_code(cell)
    return [f"Adam's beta without subscript: {m.group(0)!r}"
            for m in re.finditer(r"\\beta\s*\^\s*\{?\s*[tk]\b", text)]


def rule_epsilon(name, cell):
    r"""The noise is \varepsilon; \epsilon is Adam's constant, in cells about Adam only."""
    text = without_code(cell)
    if re.search(r"\\epsilon\b", text) and "Adam" not in text:
        return ["\\epsilon outside a cell about Adam: the noise is \\varepsilon"]
    return []


NOISE_MODELS = "noise_models.ipynb"


def rule_power_law_exponent(name, cell):
    r"""The perch's power law is log k = w_0 + w_1 log x: its exponent is w_1, never b.

    b is the Laplace scale, and \hat b its estimate, in the noise-models chapter only.
    Flags an exponent b (x^b, x^{b}), e^a in front of a power of x, a + b log x and
    "exponent $b$"; outside that chapter also \hat b. b as a local coefficient
    (a w^2 + b w + c, b^\top w, b_w) is not an exponent and is left alone.
    """
    text = without_code(cell)
    patterns = [r"\^\s*\{?\s*(\\hat\s*)?b\b",             # x^b, x^{b}, x^{\hat b}
                r"e\^\s*\{?\s*a\s*\}?\s*(\\,\s*)?x",      # e^a x
                r"\ba\s*\+\s*b\s*\\(log|ln)\b",          # a + b log x
                r"exponent,?\s*\$\s*(\\hat\s*)?b\s*\$"]     # the exponent $b$
    if name != NOISE_MODELS:
        patterns.append(r"\\hat\s*\{?\s*b\b")
    return [f"power-law exponent or constant written with b or a: {m.group(0)!r} "
            "(write log k = w_0 + w_1 log x; b is the Laplace scale)"
            for pattern in patterns for m in re.finditer(pattern, text)]


RULES = [rule_sigma_weight, rule_post_tex_typos, rule_a_posteriori, rule_lambda,
         rule_precisions, rule_learning_rate, rule_adam_betas, rule_epsilon,
         rule_power_law_exponent]

PAGES = book_notebooks() + sorted(BOOK.glob("*.md"))


@pytest.mark.parametrize("rule", RULES, ids=[r.__name__ for r in RULES])
@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_chapter_follows_the_notation(path, rule):
    problems = [problem for cell in prose(path) for problem in rule(path.name, cell)]
    assert not problems, f"{path.name}: " + "; ".join(problems)


# ---- each rule catches what it is meant to catch, and passes the book's forms

BREAKS = {
    rule_sigma_weight: r"The prior has width $\sigma_{weight}$.",
    rule_post_tex_typos: r"$\sum {i=1}^{n} k_i$",
    rule_a_posteriori: "We compute the Maximum A Posterior estimate.",
    rule_lambda: r"so $\lambda = \frac{\sigma^2}{2\sigma_w^2}$ here",
    rule_precisions: r"with precision $\alpha = 1/\sigma^2$ for the noise",
    rule_learning_rate: r"with learning rate $\alpha = 0.1$",
    rule_adam_betas: r"$\hat m_t = m_t / (1 - \beta^t)$",
    rule_epsilon: r"the noise $\epsilon \sim \mathcal N(0, \sigma^2)$",
    rule_power_law_exponent: r"so $k \approx c\, x^{b}$ with $b$ near 3, $\hat b = 3.16$",
}

PASSES = {
    rule_sigma_weight: r"The post writes $\sigma_{weight}$ for $\sigma_w$.",
    rule_post_tex_typos: "The post's source has `\\sum {i=1}` in it.",
    rule_a_posteriori: "The post says Maximum A Posterior; we say maximum a posteriori.",
    rule_lambda: (r"$\lambda = \sigma^2/\sigma_w^2$, $\lambda = \frac{\sigma^2}{\sigma_w^2}$, "
                  r"$\lambda = \alpha/\beta$, $\lambda = 2\sigma^2/b_w$, $\lambda = 0$, "
                  r"$\lambda = n\lambda'$, $\lambda = \sigma^2 / \sigma_w^2 \to 0$"),
    rule_precisions: r"$\alpha = 1/\sigma_w^2$ and $\beta = \frac{1}{\sigma^2}$",
    rule_learning_rate: r"with learning rate $\eta$ and prior precision $\alpha$",
    rule_adam_betas: r"$\hat m_t = m_t / (1 - \beta_1^t)$ and $\beta = 1/\sigma^2$",
    rule_epsilon: r"Adam adds $\epsilon$; the noise is $\varepsilon$.",
    rule_power_law_exponent: (r"$k \approx e^{w_0} x^{w_1}$, $\hat w_1 = 3.16$, a quadratic "
                              r"$a w^2 + b w + c$, $b^\top w$, $2b^2$, $e^{-|r|/b}$, "
                              r"$\operatorname{Laplace}(0, b_w)$, $x^{\beta}$"),
}


@pytest.mark.parametrize("rule", RULES, ids=[r.__name__ for r in RULES])
def test_rule_flags_a_violation(rule):
    assert rule("chapter.ipynb", BREAKS[rule]), f"{rule.__name__} missed {BREAKS[rule]!r}"


@pytest.mark.parametrize("rule", RULES, ids=[r.__name__ for r in RULES])
def test_rule_accepts_the_books_forms(rule):
    assert not rule("chapter.ipynb", PASSES[rule])


@pytest.mark.parametrize("snippet", [r"$k = e^a x^b$", r"$e^{a}\,x^{b}$", r"$x_i^{\hat b}$",
                                     r"$\mu = a + b \log x$", r"The exponent $b$ says",
                                     r"$\hat b = 3.16$"])
def test_power_law_exponent_rule_catches_each_form(snippet):
    assert rule_power_law_exponent("perch.ipynb", snippet), snippet


def test_laplace_scale_estimate_stays_in_noise_models():
    estimate = r"$\hat b = \frac1n \sum_i |k_i - f(x_i \mid \hat w)|$"
    assert not rule_power_law_exponent(NOISE_MODELS, estimate)
    assert rule_power_law_exponent("perch.ipynb", estimate)


def test_errata_may_quote_the_post():
    quote = r"The post writes $\sum {i=1}^{n}$ and $\lambda = \frac{1}{2\sigma_w^2}$."
    assert not rule_post_tex_typos(ERRATA, quote) and not rule_lambda(ERRATA, quote)


# ---- the notation page is the single source

@pytest.fixture(scope="module")
def notation_page():
    if not NOTATION.exists():
        pytest.skip("book/notation.ipynb not written yet")
    nb = load_notebook(NOTATION)
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return markdown, code


@pytest.mark.parametrize("symbol", [r"$\sigma_w$", r"$\lambda$", r"$\alpha$", r"$\beta$",
                                    r"$\eta$", r"$\delta$", r"$m_N$", r"$S_N$",
                                    r"$\varepsilon$", r"$\epsilon$", r"$\beta_1$", r"$b$",
                                    r"$s$"])
def test_notation_page_lists_the_symbol(notation_page, symbol):
    markdown, _ = notation_page
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert any(line.split("|")[1].find(symbol) >= 0 for line in rows), (
        f"the symbol table of book/notation.ipynb has no row for {symbol}")


def test_notation_page_uses_every_conversion(notation_page):
    _, code = notation_page
    missing = [name for name in notation.__all__
               if name[0].islower() and name not in code]
    assert not missing, f"book/notation.ipynb never calls {missing}"


# ---- the conversions agree with each other and with the rest of mlemap

@pytest.mark.parametrize("sigma, sigma_w, n", [(30.0, 10.0, 100), (0.097, 0.03, 56),
                                               (1e-3, 1e3, 1), (7.0, 7.0, 10**6)])
def test_conventions_are_one_prior(sigma, sigma_w, n):
    conv = notation.conventions(sigma, sigma_w, n=n)
    lam = mlemap.ridge_lambda(sigma, sigma_w)
    views = {
        "alpha/beta": notation.lambda_from_alpha_beta(conv.alpha, conv.beta),
        "sklearn": notation.lambda_from_sklearn_alpha(conv.sklearn_alpha),
        "torch mean": notation.lambda_from_torch_weight_decay(conv.torch_wd_mean, n=n),
        "torch sum": notation.lambda_from_torch_weight_decay(conv.torch_wd_sum, n=n,
                                                             loss="sum"),
        "posterior": mlemap.posterior(np.eye(2), np.ones(2), sigma, sigma_w).lam,
    }
    for view, value in views.items():
        assert np.isclose(value, lam, rtol=1e-13), view
    sigmas = notation.sigmas_from_alpha_beta(conv.alpha, conv.beta)
    assert np.allclose(sigmas, (sigma, sigma_w), rtol=1e-14)
