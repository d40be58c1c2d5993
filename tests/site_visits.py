"""One visit per page for the site tests, split over two test modules.

``tests/test_site_a11y.py`` and ``tests/test_site_layout.py`` each import
everything here and set ``PAGES`` to one of the two :func:`shards` of the site's
pages, so that pytest-xdist (``--dist loadfile``) gives each module, and its one
Chromium, to its own worker, and every page is still opened exactly once
(once more in dark mode for :data:`DARK_PAGES`, in test_site_a11y.py). The one
visit of a page (``page_weight.first_visit``, served on 127.0.0.1, a fresh
browser context) gives everything the per-page tests below check:

* the page weight (its network events), its console errors, its DOM and the
  number of its elements;
* how it fits (``booktools.measure_fits``): loaded at a phone's 390 px, then
  resized in the same tab to 1280 px, the document's width and every display
  formula wider than its box (what the page fetched is counted after both, so
  the fonts of either layout count);
* axe-core's audit, run last, at 1280 px (see :data:`FULL_AUDIT_PAGES`).

The policies are stated in the two modules' docstrings. Not a test module: its
tests are collected where they are imported, once per module, over that
module's ``PAGES``.
"""
from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from tools import page_weight
from booktools import (DARK_MODE, DESKTOP, DRAW_ALL_JS, HTML, PHONE, SKIPPED_FORMULAS_SHIFT_JS,
                       Browser, built_pages, chromium, measure_fits, need, ROOT)

AXE_JS = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"


def site_pages() -> list[str]:
    """Every page a reader can reach, as paths inside the site: the TOC pages, then
    the generated ones (search, index); not the redirecting index.html."""
    pages = [str(p.relative_to(HTML)) for p in built_pages()]
    if HTML.is_dir():
        pages += [p.name for p in sorted(HTML.glob("*.html")) if p.name != "index.html"]
    return pages


DARK_PAGES = ["book/fish_problem.html", "book/glossary.html"]
# Pages that test_site_a11y.py needs among its own: the dark audit's two (and
# the glossary's Korean terms).
PINNED = {page: 0 for page in DARK_PAGES}


def shards(pages: list[str], n: int = 2) -> list[list[str]]:
    """``pages`` in ``n`` groups of about equal work, in the site's order: each
    page goes, largest first, to the group with the fewest bytes of HTML so far
    (a page's HTML size stands for the cost of its visit). Group 0 holds the
    pinned pages and starts with the cost of the dark audit. Every worker
    computes the same groups from the same build.

    >>> shards(["a", "b", "c"])
    [['a', 'c'], ['b']]
    """
    cost = {p: (HTML / p).stat().st_size if (HTML / p).is_file() else 1 for p in pages}
    load, groups = [0] * n, [[] for _ in range(n)]
    for page, k in PINNED.items():
        if page in cost:
            groups[k].append(page)
            load[k] += cost[page] * 2  # visited twice: light and dark
    for page in sorted((p for p in pages if p not in PINNED), key=lambda p: (-cost[p], pages.index(p))):
        k = load.index(min(load))
        groups[k].append(page)
        load[k] += cost[page]
    return [sorted(g, key=pages.index) for g in groups]


def shard(k: int) -> list[str]:
    """The pages that test module ``k`` of the two visits and checks."""
    return shards(site_pages())[k]


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


# Syntax-highlighted code and MathJax's formulas are thousands of small elements
# on a chapter page, and auditing them is most of axe's time. Their markup and
# colours come from Pygments and MathJax, the same on every page, so they are
# audited in full on these pages (light and dark). On the others, before axe runs
# (and after the page was weighed and its DOM kept), each code block is flattened
# to its text, in the block's own colours, and each formula's markup is removed:
# the drawn part (``mjx-math``, hidden from screen readers) and the MathML that
# screen readers read (``mjx-assistive-mml``), about 2,000 elements on a chapter
# and a third of axe's time there. That every formula has its MathML is checked
# on every page below, in the DOM as the visit kept it.
FULL_AUDIT_PAGES = {"book/fish_problem.html", "planted.html"}
FLATTEN = """
document.querySelectorAll(".highlight pre").forEach(function (pre) { pre.textContent = pre.textContent; });
document.querySelectorAll("mjx-container > mjx-math, mjx-container > mjx-assistive-mml").forEach(function (m) { m.remove(); });
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
    """axe-core itself, then :func:`axe_run`: evaluated in the page once it settled,
    with every formula drawn (``booktools.DRAW_ALL_JS``), as where a reader scrolls."""
    return DRAW_ALL_JS + ";\n" + axe_source() + ";\n" + axe_run(page)


# --- the visits -------------------------------------------------------------------

def pytest_generate_tests(metafunc):
    """The per-page tests run over the importing module's ``PAGES``."""
    if "page" in metafunc.fixturenames and not any(m.name == "parametrize" for m in metafunc.definition.iter_markers()):
        metafunc.parametrize("page", getattr(metafunc.module, "PAGES", []))


@pytest.fixture(scope="module")
def browser():
    """The one Chromium that every page visit of this module uses."""
    need(chromium() is not None, "Chromium is not installed (apt-get install chromium)")
    with Browser() as b:
        yield b


# The theme's dark mode, chosen as a reader's click on its switch leaves it.
DARK = DARK_MODE


def _fits(browser, tab):
    # Loaded at a phone's width, measured, then at the desktop's, where axe audits
    # it (the sidebar is hidden on a phone); one relayout, not two. First, at the
    # phone's width and before anything else asked for the boxes inside the
    # formulas, the page is compared with every formula drawn (``"skipped"``),
    # and the font files fetched before and after drawing them (``"fonts"``);
    # the formulas stay drawn for the rest of the visit.
    before = _font_files(tab[1])
    shift = browser.evaluate(tab[0], SKIPPED_FORMULAS_SHIFT_JS)
    browser.settle(tab, settle=0.2)
    fonts = {"before": sorted(before), "after": sorted(_font_files(tab[1]))}
    fits = measure_fits(browser, tab, (PHONE, DESKTOP), restore=False)
    fits["skipped"], fits["fonts"] = shift, fonts
    return fits


def _font_files(events: list) -> set[str]:
    """The font files a tab has asked for, by name.

    >>> _font_files([{"method": "Network.requestWillBeSent",
    ...               "params": {"request": {"url": "http://h/_static/mathjax-fonts/x.woff?v=1"}}}])
    {'x.woff'}
    """
    return {e["params"]["request"]["url"].split("?")[0].rsplit("/", 1)[-1] for e in list(events)
            if e["method"] == "Network.requestWillBeSent"
            and re.search(r"\.(woff2?|ttf|otf)(\?|$)", e["params"]["request"]["url"])}


def audit(browser, pages: list[str], *, dark: bool = False, fits: bool = False
          ) -> dict[str, page_weight.PageLoad]:
    """Visit the built ones of ``pages``, each audited by axe-core once it settled;
    with ``fits``, measured at 1280 and 390 px first (``load.measured``)."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    need(AXE_JS.is_file(), "axe-core is not installed; run: npm ci --prefix .ci/node")
    built = [p for p in pages if (HTML / p).is_file()]
    loads = {}
    with page_weight.serve(HTML) as base:
        def one(page):
            return page_weight.first_visit(browser, page, base=base, root=HTML,
                                           before_load=DARK if dark else "", run=axe_script(page),
                                           measure=_fits if fits else None,
                                           width=PHONE if fits else DESKTOP)
        with ThreadPoolExecutor(max_workers=2) as pool:
            for load in pool.map(one, built):
                loads[load.page] = load
    return loads


@pytest.fixture(scope="module")
def visits(browser, request) -> dict[str, page_weight.PageLoad]:
    """One visit of each page of the module's ``PAGES``: weighed, measured, audited."""
    pages = getattr(request.module, "PAGES", None)
    if pages is None:
        pytest.skip("site_visits.py holds the tests of test_site_a11y.py and test_site_layout.py; run those")
    return audit(browser, pages, fits=True)


def dom_of(visits, page: str) -> str:
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


DOM_BUDGET = 3_000
"""Elements per page, not counting those inside typeset formulas and highlighted
code: MathJax draws a formula with about 27 elements (its CommonHTML, plus the
MathML that screen readers read), and Pygments colours code with one ``span``
per token. A chapter has 100-230 formulas and 20-50 code cells, so those alone
are 4,000-10,000 elements; Lighthouse's DOM-size warning (1,500 and 3,000 are its
thresholds) is the price of typeset math and coloured code, named here and in
the page-weight table."""


def fit_of(visits, page: str, width: int) -> dict:
    assert page in visits, f"{page} was not built"
    return visits[page].measured[width]


def named(eq: dict) -> str:
    """A formula as the report names it: number or position, label, widths, TeX.

    >>> named({"number": "(5.1)", "index": 3, "id": "equation-x", "content": 700, "box": 600,
    ...        "tex": "E(w) = " + "a + " * 30})
    '(5.1) equation-x, 700 px in 600 px: E(w) = a + a + a + a + a + a + a + a + a + a + a + a + a + a…'
    """
    name = eq["number"] or f"display #{eq['index'] + 1}"
    if eq["id"]:
        name += f" {eq['id']}"
    tex = eq["tex"] if len(eq["tex"]) <= 60 else eq["tex"][:60].rstrip() + "…"
    return f"{name}, {eq['content']} px in {eq['box']} px: {tex}"


def phone_problems(fit: dict) -> list[str]:
    """Why a page is wider than the phone's viewport, if it is: the document's
    width, or an element that sticks out past the viewport (outside any
    scrolling box)."""
    if fit["scrollWidth"] <= fit["width"] + 1 and not fit["wide"]:
        return []
    return [f"the page is {fit['scrollWidth']} px wide"] + [
        f"{w['element']} reaches {w['right']} px: {w['text']}" for w in fit["wide"]]


def unscrollable(fit: dict) -> list[str]:
    """Formulas wider than their box that neither scroll in it nor show the cue."""
    bad = []
    for eq in fit["equations"]:
        why = [w for w, ok in (("does not scroll in its box (overflow-x: " + eq["overflowX"] + ")",
                                eq["scrollable"]), ("shows no scroll shadow", eq["cue"])) if not ok]
        if why:
            bad.append(named(eq) + " – " + ", ".join(why))
    return bad


# --- per page ------------------------------------------------------------------------

def test_no_serious_or_critical_axe_violations(visits, page):
    assert page in visits, f"{page} was not built"
    bad = serious(axe_violations(visits[page], page))
    assert not bad, f"{page}: {len(bad)} serious/critical accessibility violation(s):\n" + "\n".join(bad)


def test_every_image_has_alt_text(visits, page):
    dom = dom_of(visits, page)
    for source in ((HTML / page).read_text(encoding="utf-8"), dom):  # as built, and after scripts ran
        bad = image_problems(source)
        assert not bad, f"{page}: images without alt text: {bad[:5]}"


def test_math_is_readable_by_screen_readers(visits, page):
    dom = dom_of(visits, page)
    typeset = dom.count("<mjx-container")
    assistive = dom.count("<mjx-assistive-mml")
    assert assistive == typeset, (
        f"{page}: {typeset} typeset formulas but {assistive} with assistive MathML; "
        "keep the assistive-mml handler in .ci/node/typeset.js")


def test_no_console_errors(visits, page):
    """No script error, no failed fetch (a 404, a missing favicon), no console.error."""
    assert page in visits, f"{page} was not built"
    errors = visits[page].console
    assert not errors, f"{page}: {len(errors)} console error(s): {errors[:5]}"


def test_dom_size_is_within_budget(visits, page):
    assert page in visits, f"{page} was not built"
    load = visits[page]
    bare = load.elements - load.typeset_elements
    assert bare <= DOM_BUDGET, (f"{page}: {bare:,} DOM elements besides the {load.typeset_elements:,} "
                                f"of math and code (budget {DOM_BUDGET:,})")


def test_formulas_off_screen_take_the_space_they_take_drawn(visits, page):
    """A formula far from the screen is not laid out (content-visibility, on the
    sized ones): the page must not move when every formula is drawn."""
    skipped = fit_of(visits, page, "skipped")
    assert skipped["shift"] <= 0.01, (f"{page}: drawing the formulas off screen moves the page by "
                                      f"{skipped['shift']:.2f} px")
    assert skipped["skipping"] == skipped["sized"], f"{page}: sized formulas not skipped off screen: {skipped}"
    if skipped["formulas"] >= 50:  # a chapter: nearly every formula sized, so skipped off screen
        assert skipped["sized"] >= 0.9 * skipped["formulas"], skipped


def test_every_math_font_is_fetched_before_a_formula_needs_it(visits, page):
    """The page fetches its formulas' fonts once it has loaded, those of the
    formulas not yet drawn too (``buildtime_math.LOAD_MATH_FONTS``): drawing
    every formula at once then fetches no other font file."""
    fonts = fit_of(visits, page, "fonts")
    late = sorted(set(fonts["after"]) - set(fonts["before"]))
    assert not late, f"{page}: drawing every formula fetched {late}, which the page had not fetched"


def test_no_page_is_wider_than_a_phone(visits, page):
    bad = phone_problems(fit_of(visits, page, PHONE))
    assert not bad, f"{page} at {PHONE} px: " + "; ".join(bad)


def test_every_display_formula_fits_the_desktop_column(visits, page):
    eqs = fit_of(visits, page, DESKTOP)["equations"]
    assert not eqs, (f"{page} at {DESKTOP} px: {len(eqs)} display formula(s) wider than the column; "
                     "break them into aligned lines (python tests/tools/wide_math.py):\n"
                     + "\n".join(named(e) for e in eqs))


def test_formulas_too_wide_for_a_phone_scroll_with_a_cue(visits, page):
    bad = unscrollable(fit_of(visits, page, PHONE))
    assert not bad, f"{page} at {PHONE} px:\n" + "\n".join(bad)


# --- over the module's pages -----------------------------------------------------------

def test_every_known_exception_is_still_needed(visits):
    """An exception that no page of this module needs any more must go, so it
    cannot hide a new one. (KNOWN is empty today; an exception that only pages
    of one module need would go in that module.)"""
    unused = [rule for rule, (pattern, _reason) in KNOWN.items()
              if not any(v["id"] == rule and any(re.search(pattern, n["html"]) for n in v["nodes"])
                         for page, load in visits.items()
                         for v in axe_violations(load, page))]
    assert not unused, f"KNOWN lists exceptions that no page needs: {unused}"


def test_some_page_has_math_for_screen_readers(visits):
    """The MathML test passes trivially on pages without math; this one cannot."""
    assert any("<mjx-assistive-mml" in load.dom for load in visits.values())


def test_display_formulas_were_measured(visits):
    """The layout tests pass trivially on pages without display formulas, or if
    none were found; the chapters of each module have dozens."""
    found = sum(load.measured[DESKTOP]["displays"] for load in visits.values())
    typeset = sum(load.dom.count('<mjx-container class="MathJax" jax="CHTML" display="true"') for load in visits.values())
    assert found >= 20 and found == typeset, f"{found} display formulas measured, {typeset} in the pages"


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
