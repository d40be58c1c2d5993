"""Accessibility of the book, and what its pages weigh: alt text, axe-core, math
for screen readers, figures that survive the dark theme, a byte budget.

Every built page is opened once, over HTTP on 127.0.0.1, in one headless
Chromium for the whole module, each visit in a fresh browser context
(``page_weight.first_visit``); that one visit gives the accessibility audit, the
page weight (the network events), the DOM size and the console errors.

Policy
------
* **Alt text.** Every figure a chapter draws has a real description in its cell
  metadata (``mystnb.image.alt``), and every ``img`` on every built page has a
  non-empty ``alt``. The one exception is a purely decorative image of the theme
  (under ``_static/``), which must then say so with ``alt=""`` so that screen
  readers skip it. The book sets no logo, so today no image uses the exception;
  the Binder and Colab badges are not decorative and carry "Binder logo" and
  "Colab logo".
* **axe-core** (pinned in ``.ci/node/package-lock.json``, installed by
  ``.ci/run`` with ``npm ci``) audits every page: no serious or critical
  violation, except those listed in :data:`KNOWN` with an issue-level reason.
  Each page is opened once in the one Chromium of this module (``booktools.Browser``,
  over the DevTools protocol), served on loopback as built; once it has settled,
  axe-core is loaded into it and run, and its results are read back. A planted
  violation proves that the harness can fail. Two pages are audited again in the theme's dark mode. Highlighted
  code and MathJax's drawn formulas (Pygments' and MathJax's markup, the same on
  every page, and most of axe's time) are audited in full on the first chapter
  only; see :data:`FULL_AUDIT_PAGES`.
* **Math** stays readable by screen readers: the build typesets every formula
  with MathJax (``.ci/node/buildtime_math.py``), which writes hidden MathML
  (``mjx-assistive-mml``) beside it; no page loads a math script.
* **Dark theme.** A transparent PNG with black text disappears on the dark
  theme, so every PNG that a chapter stores is opaque
  (``mlemap.plotting.use_book_style()`` gives figures a white background).
* **Weight.** No page loads more than ``page_weight.BUDGET_BYTES`` on a first
  visit, fonts and images included, and no page asks another host for
  anything. ``python tests/tools/page_weight.py`` prints the table.

Locally the browser tests skip when Chromium, the build or ``.ci/node`` is
missing; with ``CI=true`` that is a failure.
"""
from __future__ import annotations

import base64
import functools
import io
import re
import tempfile
from pathlib import Path

import pytest

from tools import page_weight
from booktools import book_notebooks, Browser, built_pages, chromium, HTML, load_notebook, need, ROOT

AXE_JS = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
NOTEBOOKS = book_notebooks()


def site_pages() -> list[str]:
    """Every page a reader can reach, as paths inside the site: the TOC pages, then
    the generated ones (search, index, the proof index); not the redirecting
    index.html."""
    pages = [str(p.relative_to(HTML)) for p in built_pages()]
    if HTML.is_dir():
        pages += [p.name for p in sorted(HTML.glob("*.html")) if p.name != "index.html"]
    return pages


PAGES = site_pages()

# Serious or critical violations that remain, each with its reason: a rule id maps
# to (a regex that the violating node's HTML must match, the reason). Anything
# else serious or critical fails.
KNOWN: dict[str, tuple[str, str]] = {
    # None today. Those that the theme and its extensions caused were repaired
    # instead: the theme's fontawesome.js gave the colour-mode button an icon
    # title missing from its name (that script is not loaded, see
    # _templates/static/webpack-macros.html); myst-nb's code toggles and
    # docutils' citation list (_static/a11y.js); link contrast in exercise boxes
    # (_static/a11y.css).
}

# Run once a page has settled: wait a little more for the theme's own load
# handlers (it makes wide code blocks keyboard-focusable, debounced by 300 ms),
# then audit {context}; the value is axe's violations, or the error it raised.
AXE_RUN = """
new Promise(function (ok) {{ setTimeout(ok, 400); }})
  .then(function () {{ return axe.run({context}, {{resultTypes: ["violations"]}}); }})
  .then(function (r) {{ return {{violations: r.violations}}; }},
        function (e) {{ return {{error: String(e)}}; }})
"""
IMG = re.compile(r"<img\b[^>]*>", re.I)
ALT = re.compile(r'\balt="([^"]*)"', re.I)
SRC = re.compile(r'\bsrc="([^"]*)"', re.I)
# A page with violations that axe must find.
PLANTED = """<!DOCTYPE html><html lang="en"><head><title>planted</title></head><body>
<main><h1>Planted violations</h1><img src="nothing.png">
<button></button></main></body></html>"""


# Syntax-highlighted code and MathJax's drawn formulas are thousands of small
# elements on a chapter page, and auditing them is most of axe's time. Their markup
# and colours come from Pygments and MathJax, the same on every page, so they are
# audited in full on these pages (light and dark). On the others, before axe runs
# (and after the page was weighed and its DOM kept), each code block is flattened
# to its text, in the block's own colours, and the drawn part of each formula
# (``mjx-math``, hidden from screen readers) is removed; the formulas' MathML for
# screen readers stays, and is checked on every page below.
FULL_AUDIT_PAGES = {"book/fish_problem.html", "planted.html"}
FLATTEN = """
document.querySelectorAll(".highlight pre").forEach(function (pre) { pre.textContent = pre.textContent; });
document.querySelectorAll("mjx-container > mjx-math").forEach(function (m) { m.remove(); });
"""


def axe_run(page: str) -> str:
    """The expression that audits a visited page, axe-core loaded.

    >>> "querySelectorAll" in axe_run("book/fish_problem.html")
    False
    >>> "querySelectorAll" in axe_run("book/x.html") and "axe.run(document," in axe_run("book/x.html")
    True
    """
    return ("" if page in FULL_AUDIT_PAGES else FLATTEN) + AXE_RUN.format(context="document")


@functools.lru_cache(maxsize=1)
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_script(page: str) -> str:
    """axe-core itself, then :func:`axe_run`: evaluated in the page once it settled."""
    return axe_source() + ";\n" + axe_run(page)


def _png_outputs(nb: dict):
    """(cell index, cell, output) for every PNG a notebook stores."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                yield i, cell, out


# --- the notebooks: alt text and opaque figures ----------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_figure_has_alt_text(path):
    missing = []
    for i, cell, out in _png_outputs(load_notebook(path)):
        if "scrapbook" in out.get("metadata", {}):
            continue  # a glued figure: its {glue:figure} gives the alt; the built page is checked below
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-output" in tags or "remove-cell" in tags:
            continue
        alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
        if len(alt.strip()) < 15:
            missing.append(i)
    assert not missing, (
        f"{path.name}: cells {missing} draw a figure without a real alt text; set the cell "
        'metadata {"mystnb": {"image": {"alt": "<what the figure shows>"}}}')


def png_is_opaque(data: bytes) -> bool:
    """True if a PNG has no alpha channel, or one that is 255 everywhere.

    >>> from PIL import Image
    >>> def png(mode, colour):
    ...     buf = io.BytesIO(); Image.new(mode, (4, 4), colour).save(buf, "PNG"); return buf.getvalue()
    >>> png_is_opaque(png("RGB", (255, 255, 255)))
    True
    >>> png_is_opaque(png("RGBA", (255, 255, 255, 255)))
    True
    >>> png_is_opaque(png("RGBA", (0, 0, 0, 0)))
    False
    """
    from PIL import Image  # Pillow comes with matplotlib

    with Image.open(io.BytesIO(data)) as img:
        if img.mode == "P" and "transparency" in img.info:
            img = img.convert("RGBA")
        if "A" not in img.getbands():
            return True
        low, _high = img.getchannel("A").getextrema()
        return low == 255


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_figures_are_opaque_for_the_dark_theme(path):
    see_through = [i for i, _cell, out in _png_outputs(load_notebook(path))
                   if not png_is_opaque(base64.b64decode(out["data"]["image/png"]))]
    assert not see_through, (
        f"{path.name}: cells {see_through} store a PNG with transparent pixels, unreadable "
        "on the dark theme; call mlemap.plotting.use_book_style() before plotting")


# --- the built site: one visit per page --------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """The one Chromium that every page visit of the site tests uses."""
    need(chromium() is not None, "Chromium is not installed (apt-get install chromium)")
    with Browser() as b:
        yield b


def audit(browser, pages: list[str], *, dark: bool = False) -> dict[str, page_weight.PageLoad]:
    """Visit the built ones of ``pages``, each audited by axe-core once it settled."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    need(AXE_JS.is_file(), "axe-core is not installed; run: npm ci --prefix .ci/node")
    built = [p for p in pages if (HTML / p).is_file()]
    loads = {}
    with page_weight.serve(HTML) as base:
        from concurrent.futures import ThreadPoolExecutor

        def one(page):
            return page_weight.first_visit(browser, page, base=base, root=HTML,
                                           before_load=DARK if dark else "", run=axe_script(page))
        with ThreadPoolExecutor(max_workers=2) as pool:
            for load in pool.map(one, built):
                loads[load.page] = load
    return loads


@pytest.fixture(scope="module")
def visits(browser) -> dict[str, page_weight.PageLoad]:
    return audit(browser, PAGES)


DARK_PAGES = ["book/fish_problem.html", "book/glossary.html"]
assert set(DARK_PAGES) - {"book/glossary.html"} <= FULL_AUDIT_PAGES
# Where the theme reads the reader's choice, set before the page's scripts run.
DARK = 'localStorage.setItem("mode","dark");localStorage.setItem("theme","dark");'


@pytest.fixture(scope="module")
def dark_visits(browser) -> dict[str, page_weight.PageLoad]:
    """Two pages again, in dark mode: a chapter with a figure, and the glossary."""
    return audit(browser, DARK_PAGES, dark=True)


def _dom(visits, page: str) -> str:
    assert page in visits, f"{page} was not built"
    return visits[page].dom


def axe_violations(load: page_weight.PageLoad, name: str) -> list[dict]:
    result = load.result
    assert isinstance(result, dict), f"{name}: axe-core returned no results (did the page finish?)"
    assert "error" not in result, f"{name}: axe-core failed: {result['error']}"
    return result["violations"]


def serious(violations: list[dict]) -> list[str]:
    """One line for each serious or critical violating node that KNOWN does not explain."""
    lines = []
    for v in violations:
        if v.get("impact") not in {"serious", "critical"}:
            continue
        for node in v["nodes"]:
            known = KNOWN.get(v["id"])
            if known and re.search(known[0], node["html"]):
                continue
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node['html'][:160]}")
    return lines


def test_axe_catches_a_planted_violation(browser):
    """The harness can fail: a page with an unlabelled image and an empty button."""
    need(AXE_JS.is_file(), "axe-core is not installed; run: npm ci --prefix .ci/node")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "planted.html").write_text(PLANTED, encoding="utf-8")
        with page_weight.serve(Path(tmp)) as base:
            load = page_weight.first_visit(browser, "planted.html", base=base, root=Path(tmp),
                                           run=axe_script("planted.html"))
    violations = axe_violations(load, "planted page")
    assert {"image-alt", "button-name"} <= {v["id"] for v in violations}
    assert serious(violations)


def test_every_known_exception_is_still_needed(visits):
    """An exception that no page needs any more must go, so it cannot hide a new one."""
    unused = [rule for rule, (pattern, _reason) in KNOWN.items()
              if not any(v["id"] == rule and any(re.search(pattern, n["html"]) for n in v["nodes"])
                         for page, load in visits.items()
                         for v in axe_violations(load, page))]
    assert not unused, f"KNOWN lists exceptions that no page needs: {unused}"


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_or_critical_axe_violations(visits, page):
    assert page in visits, f"{page} was not built"
    bad = serious(axe_violations(visits[page], page))
    assert not bad, f"{page}: {len(bad)} serious/critical accessibility violation(s):\n" + "\n".join(bad)


@pytest.mark.parametrize("page", DARK_PAGES)
def test_no_serious_or_critical_axe_violations_in_dark_mode(dark_visits, page):
    dom = _dom(dark_visits, page)
    assert re.search(r'<html[^>]*data-theme="dark"', dom), f"{page} did not switch to dark mode"
    bad = serious(axe_violations(dark_visits[page], page))
    assert not bad, f"{page} (dark): {len(bad)} serious/critical violation(s):\n" + "\n".join(bad)


def image_problems(dom: str) -> list[str]:
    """``img`` elements without a usable alt, per the policy in this module's docstring.

    >>> image_problems('<img src="../_images/a.png" alt="Scatter of fish">')
    []
    >>> image_problems('<img src="../_images/a.png">')
    ['<img src="../_images/a.png">']
    >>> image_problems('<img src="../_images/a.png" alt="">')
    ['<img src="../_images/a.png" alt="">']
    >>> image_problems('<img src="../_static/deco.svg" alt="">')
    []
    """
    bad = []
    for tag in IMG.findall(dom):
        alt = ALT.search(tag)
        src = SRC.search(tag)
        decorative = alt is not None and alt.group(1) == "" and src and "_static/" in src.group(1)
        if alt is None or (not alt.group(1).strip() and not decorative):
            bad.append(tag)
    return bad


@pytest.mark.parametrize("page", PAGES)
def test_every_image_has_alt_text(visits, page):
    dom = _dom(visits, page)
    for source in ((HTML / page).read_text(encoding="utf-8"), dom):  # as built, and after scripts ran
        bad = image_problems(source)
        assert not bad, f"{page}: images without alt text: {bad[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_math_is_readable_by_screen_readers(visits, page):
    dom = _dom(visits, page)
    typeset = dom.count("<mjx-container")
    assistive = dom.count("<mjx-assistive-mml")
    assert assistive == typeset, (
        f"{page}: {typeset} typeset formulas but {assistive} with assistive MathML; "
        "keep the assistive-mml handler in .ci/node/typeset.js")


def test_some_page_has_math_for_screen_readers(visits):
    """The test above passes trivially on pages without math; this one cannot."""
    assert any("<mjx-assistive-mml" in load.dom for load in visits.values())


def test_korean_glossary_terms_are_marked_as_korean(visits):
    """Screen readers switch to a Korean voice only where the page says lang="ko"."""
    dom = _dom(visits, "book/glossary.html")
    terms = re.findall(r"<dt\b([^>]*)>(.*?)</dt>", dom, re.S)
    korean = [(attrs, text) for attrs, text in terms if re.search(r"[\uac00-\ud7a3]", text)]
    assert len(korean) >= 30, f"only {len(korean)} Korean terms found in the glossary"
    unmarked = [re.sub(r"<[^>]+>", "", text).strip() for attrs, text in korean if 'lang="ko"' not in attrs]
    assert not unmarked, f"Korean glossary terms without lang=\"ko\": {unmarked[:5]}"


# --- console errors, DOM size, search: from the same browser -----------------------

@pytest.mark.parametrize("page", PAGES)
def test_no_console_errors(visits, page):
    """No script error, no failed fetch (a 404, a missing favicon), no console.error."""
    assert page in visits, f"{page} was not built"
    errors = visits[page].console
    assert not errors, f"{page}: {len(errors)} console error(s): {errors[:5]}"


def test_console_errors_are_caught(browser):
    """The check above can fail: a script error, a console.error and a 404."""
    page = ('<!DOCTYPE html><html lang="en"><title>t</title><img src="gone.png" alt="gone">'
            '<script>console.error("boom"); let x = 1;</script><script>let x = 2;</script>')
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "broken.html").write_text(page, encoding="utf-8")
        with page_weight.serve(Path(tmp)) as base:
            load = page_weight.first_visit(browser, "broken.html", base=base, root=Path(tmp))
    text = "\n".join(load.console)
    assert "boom" in text and "already been declared" in text and "404" in text, load.console


DOM_BUDGET = 3_000
"""Elements per page, not counting those inside typeset formulas and highlighted
code: MathJax draws a formula with about 27 elements (its CommonHTML, plus the
MathML that screen readers read), and Pygments colours code with one ``span``
per token. A chapter has 100-230 formulas and 20-50 code cells, so those alone
are 4,000-10,000 elements; Lighthouse's DOM-size warning (1,500 and 3,000 are its
thresholds) is the price of typeset math and coloured code, named here and in
the page-weight table."""


@pytest.mark.parametrize("page", PAGES)
def test_dom_size_is_within_budget(visits, page):
    assert page in visits, f"{page} was not built"
    load = visits[page]
    bare = load.elements - load.typeset_elements
    assert bare <= DOM_BUDGET, (f"{page}: {bare:,} DOM elements besides the {load.typeset_elements:,} "
                                f"of math and code (budget {DOM_BUDGET:,})")


SEARCH_RESULTS = """
new Promise(function (ok) {
  var start = Date.now();
  (function poll() {
    var snippets = document.querySelectorAll("ul.search p.context");
    if (snippets.length >= 3 || Date.now() - start > 8000) { ok(); } else { setTimeout(poll, 200); }
  })();
}).then(function () {
  var ul = document.querySelector("ul.search");
  return ul && {html: ul.innerHTML,
                snippets: Array.from(ul.querySelectorAll("p.context")).map(function (p) { return p.textContent; })};
})
"""


def test_search_finds_a_glossary_term_offline(browser):
    """search.html loads its index from the site, finds the glossary, and its
    snippets are text: formulas as their characters (the MathML), no TeX, and
    not the page's table of contents."""
    need((HTML / "search.html").is_file(), "the site is not built; run: jupyter-book build . -W --keep-going")
    with page_weight.serve(HTML) as base:
        load = page_weight.first_visit(browser, "search.html", base=base, root=HTML, query="?q=variance",
                                       run=SEARCH_RESULTS)
    assert load.result, "search.html showed no result list for 'variance'"
    # (a clean build also ranks the glossary entry itself first; an incremental
    # Sphinx build drops glossary index entries from searchindex.js)
    assert 'href="book/glossary.html' in load.result["html"], "search did not find the glossary"
    assert "searchindex.js" in load.files and not load.external
    snippets = load.result["snippets"]
    assert len(snippets) >= 3, f"too few snippets: {snippets}"
    tex = [s[:80] for s in snippets if re.search(r"\\[(\[]|\\(frac|sigma|mathcal|mid)\b|\$", s)]
    assert not tex, f"search snippets show TeX: {tex}"
    toc = [s[:80] for s in snippets if s.lstrip(". ").startswith("Contents")]
    assert not toc, f"search snippets start with the table of contents: {toc}"


# --- page weight, from the same visits ----------------------------------------------

def test_every_page_is_within_the_weight_budget(visits):
    """First visit, images and fonts included: 1.2 MB as stored, 450 KB gzipped."""
    over = {page: f"{load.total:,} bytes, {load.gzip_total:,} gzipped" for page, load in visits.items()
            if load.total > page_weight.BUDGET_BYTES or load.gzip_total > page_weight.GZIP_BUDGET_BYTES}
    assert not over, (f"pages over {page_weight.BUDGET_BYTES:,} bytes (or {page_weight.GZIP_BUDGET_BYTES:,} "
                      f"gzipped) on first load: {over}\n" + page_weight.table(list(visits.values())))


def test_pages_fetch_nothing_from_other_hosts_or_missing_files(visits):
    external = {p: load.external for p, load in visits.items() if load.external}
    missing = {p: load.missing for p, load in visits.items() if load.missing}
    assert not external, f"pages asked other hosts for resources: {external}"
    assert not missing, f"pages fetched files that the site lacks: {missing}"


def test_the_weight_counts_the_math_fonts_and_no_math_script(visits):
    """Math is typeset at build time: a page with formulas fetches MathJax's fonts
    (counted) but no math script, and the count is of the page as built. The
    icons come from the cut-down font (.ci/node/lean_theme.py), never the full one."""
    with_math = {p: load for p, load in visits.items() if "<mjx-container" in load.dom}
    assert with_math, "no page has typeset math"
    for page, load in with_math.items():
        assert any(f.startswith("_static/mathjax-fonts/") for f in load.files), (
            f"{page}: typeset math, but no MathJax font was counted")
    for page, load in visits.items():
        scripts = [f for f in load.files if f.endswith(".js") and re.search(r"mathjax|katex", f, re.I)]
        assert not scripts, f"{page} loads a math-typesetting script again: {scripts}"
        assert not any(f.endswith("fontawesome.js") for f in load.files), f"{page} loads fontawesome.js again"
        assert "_static/icons/fa-solid.woff" in load.files, f"{page}: the icons' font was not loaded"
        full = [f for f in load.files if "vendor/fontawesome/webfonts/" in f]
        assert not full, f"{page} loads the full Font Awesome fonts again: {full}"
        assert page in load.files and "axe.min.js" not in load.files, f"{page}: the count is not of the page as built"
