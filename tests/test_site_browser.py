"""The built site's math, typeset at build time, and its offline guarantee.

The build typesets every formula with MathJax (``.ci/node/buildtime_math.py``),
so the pages as built already hold the typeset math and no page loads a math
script: a reader's browser runs no TeX. A TeX error (a syntax error, an
undefined macro, unbalanced braces) is a build warning naming the page and the
formula, so ``jupyter-book build . -W`` fails; :func:`test_a_tex_error_fails_the_build`
proves that on a two-page book. The built pages are checked here as well:

* no ``mjx-merror`` element, and no macro drawn in red (MathJax's
  ``noundefined`` package would draw undefined macros so; it is not loaded);
* every ``.math`` element holds an ``mjx-container`` (nothing left as TeX);
* no page loads MathJax, KaTeX or any other math script.

No page may load a script, stylesheet or font from another host. The browser
itself (Chromium, once for all pages) is driven from test_site_a11y.py.

Run after building: ``jupyter-book build . -W --keep-going``. Locally the tests
skip when the build is missing; with ``CI=true`` that is a failure.
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from booktools import built_pages, HTML, need, ROOT, source_of, toc_files

PAGES = built_pages()

MATH_OPEN = re.compile(r'<(span|div)\b[^>]*class="(?:[^"]* )?math(?: [^"]*)?"[^>]*>')
EXTERNAL = re.compile(r"^(https?:)?//", re.I)
RESOURCE_TAG = re.compile(r"<(script|link|img|iframe|source|video|audio)\b[^>]*>", re.I)
URL_ATTR = re.compile(r'\b(src|href)="([^"]*)"', re.I)
LOADING_REL = re.compile(r'rel="[^"]*\b(stylesheet|preload|modulepreload|prefetch|icon)\b', re.I)
CSS_URL = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")\s]+)", re.I)
# The element, not the word: MathJax's own stylesheet in the DOM mentions mjx-merror.
MERROR = re.compile(r'<mjx-merror\b[^>]*?(?:\sdata-mjx-error="([^"]*)")?[^>]*>')
# A numbered equation starts with its number, then the typeset math.
EQNO = re.compile(r'^\s*<span class="eqno">.*?</span>', re.S)
RED_MTEXT = re.compile(r'<mjx-mtext\b[^>]*style="[^"]*color:\s*(red|rgb\(255,\s*0,\s*0\)|#f00\b|#ff0000)', re.I)
SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"]*)"', re.I)
MATH_SCRIPT = re.compile(r"mathjax|katex|tex-(?:mml-)?(?:chtml|svg)|MathJax", re.I)


@pytest.fixture(scope="module")
def doms():
    """The pages as built: the math is typeset in them already."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    return {p: p.read_text(encoding="utf-8") for p in PAGES if p.exists()}


def test_every_toc_page_was_built():
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    missing = [p.name for p in PAGES if not p.exists()]
    assert not missing, f"pages missing from _build/html: {missing}"


def test_the_build_is_not_stale():
    """A stale build would let a broken equation in a notebook pass unseen."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    stale = []
    for entry, page in zip(toc_files(), PAGES):
        src = source_of(entry)
        if src and page.exists() and src.stat().st_mtime > page.stat().st_mtime:
            stale.append(src.name)
    assert not stale, f"sources changed after the last build, rebuild first: {stale}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_math_is_typeset_offline(doms, page):
    dom = doms.get(page)
    assert dom is not None, f"{page.name} was not built"
    errors = MERROR.findall(dom) + re.findall(r'<span class="math-error">(.*?)</span>', dom)
    assert not errors, f"{page.name}: MathJax reported {len(errors)} TeX error(s): {errors[:3]}"
    red = RED_MTEXT.findall(dom)
    assert not red, f"{page.name}: {len(red)} undefined macro(s) drawn in red"
    untypeset = []
    for match in MATH_OPEN.finditer(dom):
        after = EQNO.sub("", dom[match.end():match.end() + 600], count=1).lstrip()
        if not after.startswith("<mjx-container"):
            untypeset.append(after[:80])
    assert not untypeset, f"{page.name}: {len(untypeset)} math element(s) left untypeset, e.g. {untypeset[:3]}"


def _external_refs(html: str) -> list[str]:
    refs = []
    for match in RESOURCE_TAG.finditer(html):
        tag, name = match.group(0), match.group(1).lower()
        if name == "link" and not LOADING_REL.search(tag):
            continue  # e.g. rel="canonical": a link, not a resource the page loads
        url = URL_ATTR.search(tag)
        if url and EXTERNAL.match(url.group(2)):
            refs.append(f"<{name} {url.group(1)}={url.group(2)}>")
    return refs


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_external_scripts_styles_or_fonts(doms, page):
    assert page.exists(), f"{page.name} was not built"
    static = page.read_text(encoding="utf-8")
    refs = _external_refs(static) + _external_refs(doms.get(page, ""))
    assert not refs, f"{page.name} loads resources from the network: {sorted(set(refs))}"


def test_stylesheets_load_no_remote_fonts_or_imports():
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    bad = []
    for css in HTML.rglob("*.css"):
        for url in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            if EXTERNAL.match(url):
                bad.append(f"{css.relative_to(HTML)}: {url}")
    assert not bad, f"stylesheets reference remote resources: {bad[:10]}"


def test_pages_contain_typeset_math(doms):
    """The test must be able to fail: at least the first chapter has math."""
    assert any("<mjx-container" in dom for dom in doms.values()), "no page contains typeset math"


def math_scripts(page_html: str) -> list[str]:
    """The scripts of a page that typeset math in the browser.

    >>> math_scripts('<script defer src="../_static/mathjax/tex-chtml.js"></script>')
    ['../_static/mathjax/tex-chtml.js']
    >>> math_scripts('<script src="../_static/doctools.js"></script><script>window.MathJax = {}</script>')
    ['inline: window.MathJax = {}']
    >>> math_scripts('<script src="../_static/katex.min.js"></script>')
    ['../_static/katex.min.js']
    >>> math_scripts('<script src="../_static/a11y.js"></script>')
    []
    """
    found = [src for src in SCRIPT_SRC.findall(page_html) if MATH_SCRIPT.search(src)]
    for body in re.findall(r"<script\b[^>]*>(.*?)</script>", page_html, re.S):
        if re.search(r"\bMathJax\b|\bkatex\b", body):
            found.append("inline: " + body.strip()[:60])
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_page_loads_a_math_script(doms, page):
    """Math is typeset at build time; a reader's browser runs no TeX."""
    assert page in doms, f"{page.name} was not built"
    found = math_scripts(doms[page])
    assert not found, (f"{page.name} loads a math-typesetting script: {found}; the build "
                       "typesets math (.ci/node/buildtime_math.py), keep sphinx.ext.mathjax off")


BAD_BOOK = {
    "conf.py": """
        import sys
        sys.path.insert(0, {ext!r})
        extensions = ["buildtime_math", "myst_parser"]
        html_math_renderer = "buildtime"
        myst_enable_extensions = ["dollarmath", "amsmath"]
        """,
    "index.md": "# Fine\n\n$\\operatorname{{arg\\,max}}_w \\boldsymbol{{x}} \\bigl( a \\bigr)$\n\n```{{toctree}}\nbad\n```\n",
    "bad.md": "# Bad\n\nAll is well until $\\frac{{a}}{{b}} + \\notamacro{{c}}$ here.\n",
}


def test_a_tex_error_fails_the_build(tmp_path):
    """A two-page book with one undefined macro: sphinx -W fails, naming the page
    and the formula; the page without the error typesets (amsmath, \\boldsymbol)."""
    for name, text in BAD_BOOK.items():
        (tmp_path / name).write_text(textwrap.dedent(text.format(ext=str(ROOT / ".ci" / "node"))),
                                     encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                          str(tmp_path), str(tmp_path / "_out")], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0, "a TeX error did not fail the build"
    assert "bad.md" in run.stderr and r"\notamacro" in run.stderr, run.stderr[-2000:]
    assert "Undefined control sequence" in run.stderr, run.stderr[-2000:]
    fine = (tmp_path / "_out" / "index.html").read_text(encoding="utf-8")
    assert "<mjx-container" in fine and "<mjx-assistive-mml" in fine and "math-error" not in fine
