"""Pages that fit a phone and formulas that fit their column (issue 11, item 5).

Every page is opened once (``tests/site_visits.py``: this module visits one
half of the pages in its own Chromium, test_site_a11y.py the other half, and
both run every per-page check on their half, these included). On that visit,
``booktools.measure_fits`` measures the page at 390 px (a phone's viewport),
where it is loaded, and then, resized in the same tab, at 1280 px (a desktop):

* **No page is wider than a phone.** At 390 px the document is at most 390 px
  wide (one pixel of rounding allowed), and nothing sticks out past the
  viewport outside a scrolling box: long code, links and words wrap or scroll
  in their own box (``_static/layout.css``).
* **Every display formula fits its column on a desktop.** At 1280 px no display
  formula (``mjx-container[display="true"]``) is wider than its box. A long one
  is broken into aligned lines in its chapter; ``python tests/tools/wide_math.py``
  lists those that are not, with their number and TeX.
* **On a phone a formula that does not fit scrolls, and says so.** At 390 px a
  display formula wider than its box scrolls sideways in its own box
  (``overflow-x: auto``), which the column holds, and that box draws the scroll
  shadows of ``_static/layout.css`` at the edge where it is cut off.

* **A formula off screen takes the space it takes drawn.** The book's CSS skips
  styling and laying out a formula far from the screen (``content-visibility:
  auto`` on the ``mjx-math`` that the build sized, ``_static/layout.css``). At
  390 px, as loaded, no paragraph, heading or formula moves by more than
  0.01 px when every formula is drawn at once
  (``booktools.SKIPPED_FORMULAS_SHIFT_JS``), and on a chapter at least 90% of
  the formulas are sized. Drawing them fetches no font file the page had not
  fetched once it loaded (``buildtime_math.LOAD_MATH_FONTS``).

The checks can fail: a planted page with a wide formula and a long word fails
all three without the book's stylesheet, and only the desktop check with it;
a planted formula marked sized but without its size moves the page when drawn.

Locally the tests skip when Chromium or the build is missing; with ``CI=true``
that is a failure.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from tools import page_weight
from booktools import DESKTOP, PHONE, SKIPPED_FORMULAS_SHIFT_JS, page_fits, ROOT
# The visits, and every per-page check, over this module's half of the pages.
from site_visits import *  # noqa: F401,F403
from site_visits import browser, phone_problems, shard, unscrollable  # noqa: F401

PAGES = shard(1)


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


SKIPPED = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>skipped</title>
<link rel="stylesheet" href="layout.css"><style>mjx-math {{ display: inline-block }}</style>
</head><body><article><h1>Skipped</h1>
<div style="height: 20000px"></div>
<p>Sized: <mjx-container><mjx-math sized style="--mjx-w:2em;--mjx-h:calc(1em + 2px);--mjx-drop:calc(-0.25em - 1px)"
   ><span style="display:inline-block;height:1em">x</span></mjx-math></mjx-container></p>
<p>{last}</p><h2 id="end">End</h2></article></body></html>"""
UNSIZED = ('Unsized: <mjx-container><mjx-math sized><span style="display:inline-block;height:3em">y</span>'
           "</mjx-math></mjx-container>")


def test_the_skipped_formula_check_can_fail(browser):
    """Off screen, a formula marked ``sized`` without its size is laid out as
    empty: drawing it moves what follows, and the check sees it. With its size,
    nothing moves."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "layout.css").write_bytes((ROOT / "_static" / "layout.css").read_bytes())
        (Path(tmp) / "sized.html").write_text(SKIPPED.format(last="Nothing else."), encoding="utf-8")
        (Path(tmp) / "unsized.html").write_text(SKIPPED.format(last=UNSIZED), encoding="utf-8")
        with page_weight.serve(Path(tmp)) as base:
            shifts = {name: page_weight.first_visit(browser, f"{name}.html", base=base, root=Path(tmp),
                                                    run=SKIPPED_FORMULAS_SHIFT_JS, width=PHONE).result
                      for name in ("sized", "unsized")}
    assert shifts["sized"]["shift"] <= 0.01 and shifts["sized"]["sized"] == 1, shifts
    assert shifts["unsized"]["shift"] > 10, shifts
