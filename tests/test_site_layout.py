"""Pages that fit a phone and formulas that fit their column (issue 11, item 5).

Every page is opened once, over HTTP on 127.0.0.1, in one headless Chromium for
this module (``booktools.Browser``), at 1280 px (a desktop) and then, resized in
the same tab, at 390 px (a phone's viewport). ``booktools.page_fits`` measures:

* **No page is wider than a phone.** At 390 px the document is at most 390 px
  wide (one pixel of rounding allowed): long code, links and words wrap or
  scroll in their own box (``_static/layout.css``).
* **Every display formula fits its column on a desktop.** At 1280 px no display
  formula (``mjx-container[display="true"]``) is wider than its box. A long one
  is broken into aligned lines in its chapter; ``python tests/tools/wide_math.py``
  lists those that are not, with their number and TeX.
* **On a phone a formula that does not fit scrolls, and says so.** At 390 px a
  display formula wider than its box scrolls sideways in its own box
  (``overflow-x: auto``), which the column holds, and that box draws the scroll
  shadows of ``_static/layout.css`` at the edge where it is cut off.

The checks can fail: a planted page with a wide formula and a long word fails
all three without the book's stylesheet, and only the desktop check with it.

Locally the tests skip when Chromium or the build is missing; with ``CI=true``
that is a failure.
"""
from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools import page_weight
from booktools import (DESKTOP, HTML, PHONE, Browser, built_pages, chromium, need, page_fits, ROOT)


def site_pages() -> list[str]:
    """The TOC pages, then the generated ones (search, genindex), as site paths."""
    pages = [str(p.relative_to(HTML)) for p in built_pages()]
    if HTML.is_dir():
        pages += [p.name for p in sorted(HTML.glob("*.html")) if p.name != "index.html"]
    return pages


PAGES = site_pages()


@pytest.fixture(scope="module")
def browser():
    need(chromium() is not None, "Chromium is not installed (apt-get install chromium)")
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def fits(browser) -> dict[str, dict[int, dict]]:
    """``page_fits`` of every built page, at 1280 px and then 390 px."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    built = [p for p in PAGES if (HTML / p).is_file()]
    with page_weight.serve(HTML) as base, ThreadPoolExecutor(max_workers=2) as pool:
        measured = pool.map(lambda p: page_fits(browser, f"{base}/{p}", (DESKTOP, PHONE)), built)
        return dict(zip(built, measured))


def _fit(fits, page: str, width: int) -> dict:
    assert page in fits, f"{page} was not built"
    return fits[page][width]


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
    """Why a page is wider than the phone's viewport, if it is."""
    if fit["scrollWidth"] <= fit["width"] + 1:
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


@pytest.mark.parametrize("page", PAGES)
def test_no_page_is_wider_than_a_phone(fits, page):
    bad = phone_problems(_fit(fits, page, PHONE))
    assert not bad, f"{page} at {PHONE} px: " + "; ".join(bad)


@pytest.mark.parametrize("page", PAGES)
def test_every_display_formula_fits_the_desktop_column(fits, page):
    eqs = _fit(fits, page, DESKTOP)["equations"]
    assert not eqs, (f"{page} at {DESKTOP} px: {len(eqs)} display formula(s) wider than the column; "
                     "break them into aligned lines (python tests/tools/wide_math.py):\n"
                     + "\n".join(named(e) for e in eqs))


@pytest.mark.parametrize("page", PAGES)
def test_formulas_too_wide_for_a_phone_scroll_with_a_cue(fits, page):
    bad = unscrollable(_fit(fits, page, PHONE))
    assert not bad, f"{page} at {PHONE} px:\n" + "\n".join(bad)


def test_some_formula_is_too_wide_for_a_phone(fits):
    """The test above passes trivially on a page whose formulas all fit a phone;
    this one proves it saw some that do not (a chapter's display formulas are up
    to the column's 680 px wide, twice a phone's)."""
    assert any(f[PHONE]["equations"] for f in fits.values()), "no formula is wider than a phone's column"
    assert sum(f[DESKTOP]["displays"] for f in fits.values()) >= 50, "too few display formulas measured"


PLANTED = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>planted</title>
<meta name="viewport" content="width=device-width, initial-scale=1">{css}
<style>:root {{ --pst-color-background: #fff; --pst-color-surface: #eee; }}
body {{ margin: 0 }} mjx-container {{ display: block }} mjx-math {{ display: inline-block }}</style>
</head><body><main class="bd-article"><h1>Planted</h1>
<div class="math notranslate nohighlight" data-tex="x = a + b + c">
<mjx-container class="MathJax" jax="CHTML" display="true"><mjx-math style="width: 1400px">x</mjx-math></mjx-container></div>
<p>A long word: <code class="docutils literal notranslate"><span class="pre">{word}</span></code></p>
<pre>{word}</pre>
</main></body></html>"""


def test_the_layout_checks_can_fail(browser):
    """A formula 1,400 px wide and a 600 px word: without _static/layout.css the
    page is wider than a phone and the formula neither scrolls nor shows a cue;
    with it, the page fits a phone and the formula scrolls with the cue. It is
    wider than a desktop's column either way."""
    word = "git+https://example.org/" + "x" * 80
    css = '<link rel="stylesheet" href="layout.css">'
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "layout.css").write_bytes((ROOT / "_static" / "layout.css").read_bytes())
        (Path(tmp) / "bare.html").write_text(PLANTED.format(css="", word=word), encoding="utf-8")
        (Path(tmp) / "styled.html").write_text(PLANTED.format(css=css, word=word), encoding="utf-8")
        with page_weight.serve(Path(tmp)) as base:
            bare = page_fits(browser, f"{base}/bare.html")
            styled = page_fits(browser, f"{base}/styled.html")
    assert phone_problems(bare[PHONE]) and "span.pre" in " ".join(phone_problems(bare[PHONE]))
    assert bare[DESKTOP]["equations"] and bare[DESKTOP]["equations"][0]["tex"] == "x = a + b + c"
    assert len(unscrollable(bare[PHONE])) == 1
    assert not phone_problems(styled[PHONE]), phone_problems(styled[PHONE])
    assert styled[DESKTOP]["equations"], "the desktop check missed a formula wider than the column"
    assert styled[PHONE]["equations"] and not unscrollable(styled[PHONE]), unscrollable(styled[PHONE])
