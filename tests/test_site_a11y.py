"""Accessibility of the book, and what its pages weigh: alt text, axe-core, math
for screen readers, figures that survive the dark theme, a byte budget.

Every built page is opened once, over HTTP on 127.0.0.1, each visit in a fresh
browser context (``page_weight.first_visit``); that one visit gives the
accessibility audit, the page weight (the network events), the DOM size, the
console errors and the layout checks of test_site_layout.py. The pages are split
in two (``site_visits.shards``): this module visits one half in its own
Chromium, test_site_layout.py the other half in another, so that pytest-xdist's
two workers share the work; both run every per-page check of
``tests/site_visits.py`` on their half.

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
  Each page is opened once in one Chromium (``booktools.Browser``,
  over the DevTools protocol), served on loopback as built; once it has settled,
  axe-core is loaded into it and run, and its results are read back. A planted
  violation proves that the harness can fail. Two pages are audited again in
  the theme's dark mode. Highlighted code and MathJax's formulas, drawn and as
  MathML (Pygments' and MathJax's markup, the same on every page, and most of
  axe's time), are audited in full on the first chapter only; see
  :data:`FULL_AUDIT_PAGES`.
* **Math** stays readable by screen readers: the build typesets every formula
  with MathJax (``.ci/node/buildtime_math.py``), which writes hidden MathML
  (``mjx-assistive-mml``) beside it; no page loads a math script. On one
  chapter the accessibility tree that Chromium gives screen readers is read
  too: one math node for each formula the page shows (CSS can drop the MathML
  from it while the DOM keeps it).
* **Theme.** The head chooses light or dark before the body is parsed, as the
  theme's script will (the reader's choice, else the system's), so that script
  changes nothing on the finished page.
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
import io
import re
import tempfile
from pathlib import Path

import pytest

from tools import page_weight
from booktools import book_notebooks, HTML, load_notebook, need, PHONE
# The visits, and every per-page check, over this module's half of the pages; the
# names that tests/test_korean.py imports from here are among them.
from site_visits import *  # noqa: F401,F403
from site_visits import (AXE_JS, DARK, DARK_PAGES, FULL_AUDIT_PAGES, audit, axe_script,  # noqa: F401
                         axe_violations, browser, dom_of, DOM_BUDGET, image_problems, serious, shard)

PAGES = shard(0)
NOTEBOOKS = book_notebooks()
assert set(DARK_PAGES) <= set(PAGES)
assert set(DARK_PAGES) - {"book/glossary.html"} <= FULL_AUDIT_PAGES
# A page with violations that axe must find.
PLANTED = """<!DOCTYPE html><html lang="en"><head><title>planted</title></head><body>
<main><h1>Planted violations</h1><img src="nothing.png">
<button></button></main></body></html>"""




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


# --- the built site ----------------------------------------------------------------

@pytest.fixture(scope="module")
def dark_visits(browser) -> dict[str, page_weight.PageLoad]:
    """Two pages again, in dark mode: a chapter with a figure, and the glossary."""
    return audit(browser, DARK_PAGES, dark=True)


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


@pytest.mark.parametrize("page", DARK_PAGES)
def test_no_serious_or_critical_axe_violations_in_dark_mode(dark_visits, page):
    dom = dom_of(dark_visits, page)
    assert re.search(r'<html[^>]*data-theme="dark"', dom), f"{page} did not switch to dark mode"
    bad = serious(axe_violations(dark_visits[page], page))
    assert not bad, f"{page} (dark): {len(bad)} serious/critical violation(s):\n" + "\n".join(bad)


def test_korean_glossary_terms_are_marked_as_korean(visits):
    """Screen readers switch to a Korean voice only where the page says lang="ko"."""
    dom = dom_of(visits, "book/glossary.html")
    terms = re.findall(r"<dt\b([^>]*)>(.*?)</dt>", dom, re.S)
    korean = [(attrs, text) for attrs, text in terms if re.search(r"[\uac00-\ud7a3]", text)]
    assert len(korean) >= 30, f"only {len(korean)} Korean terms found in the glossary"
    unmarked = [re.sub(r"<[^>]+>", "", text).strip() for attrs, text in korean if 'lang="ko"' not in attrs]
    assert not unmarked, f"Korean glossary terms without lang=\"ko\": {unmarked[:5]}"


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




# Every change of the root's data-theme, with whether the body existed by then.
THEME_WRITES = """
window.__themeWrites = [];
new MutationObserver(function (records) {
  records.forEach(function (r) { window.__themeWrites.push({old: r.oldValue, body: !!document.body}); });
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-theme"],
                      attributeOldValue: true});
"""


@pytest.mark.parametrize("stored, system, expected", [
    ("", "light", "light"), ("", "dark", "dark"),
    (DARK, "light", "dark"), ('localStorage.setItem("mode","light");', "dark", "light")],
    ids=["auto-light", "auto-dark", "chosen-dark", "chosen-light"])
def test_the_theme_is_chosen_before_the_body_is_parsed(browser, stored, system, expected):
    """The head resolves data-theme to the theme the theme's own script will
    choose (the reader's choice, else the system's), so that script changes
    nothing: a change once the body exists restyles every element of the page."""
    need((HTML / "genindex.html").is_file(), "the site is not built; run: jupyter-book build . -W --keep-going")
    with page_weight.serve(HTML) as base:
        load = page_weight.first_visit(
            browser, "genindex.html", base=base, root=HTML, before_load=stored + THEME_WRITES,
            color_scheme=system, settle=0.2,
            run=("[window.__themeWrites, document.documentElement.dataset.theme,"
                 " !!document.querySelector('.theme-switch-button')]"))
    writes, final, ready = load.result
    assert ready, "the theme's switch is missing: did the theme's script run?"
    assert final == expected
    values = [w["old"] for w in writes] + [final]
    late = [f"{a} -> {b}" for w, a, b in zip(writes, values, values[1:]) if w["body"] and a != b]
    assert not late, f"data-theme changed after the body was parsed: {late} (writes: {writes})"


AX_PAGE = "book/fish_problem.html"
SHOWN_FORMULAS = ("Array.from(document.querySelectorAll('mjx-container'))"
                  ".filter(function (m) { return m.checkVisibility({visibilityProperty: true}); }).length")


def test_screen_readers_get_every_formula_shown(browser):
    """The MathML is in the DOM (checked on every page above) and also in the
    accessibility tree that screen readers read: one math node for each formula
    the page shows (one in a closed fold, such as an exercise's solution, or in
    the sidebar a phone hides, is hidden from both). CSS can
    take it out of the tree and leave the DOM as it is: content-visibility on
    the hidden MathML, for one, drops every formula from Chromium's tree."""
    need((HTML / AX_PAGE).is_file(), "the site is not built; run: jupyter-book build . -W --keep-going")

    def shown_and_tree(browser, tab):
        shown = browser.evaluate(tab[0], SHOWN_FORMULAS)
        browser.send("Accessibility.enable", session=tab[0])
        return shown, browser.send("Accessibility.getFullAXTree", session=tab[0])["nodes"]

    with page_weight.serve(HTML) as base:
        load = page_weight.first_visit(browser, AX_PAGE, base=base, root=HTML, measure=shown_and_tree,
                                       width=PHONE)
    shown, tree = load.measured
    math = [n for n in tree if not n.get("ignored") and n.get("role", {}).get("value") == "MathMLMath"]
    assert shown >= 50, f"only {shown} formulas shown on {AX_PAGE}"
    assert len(math) == shown, f"{AX_PAGE} shows {shown} formulas; the accessibility tree has {len(math)}"
