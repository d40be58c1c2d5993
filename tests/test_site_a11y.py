"""Accessibility of the book, and what its pages weigh: alt text, axe-core, math
for screen readers, figures that survive the dark theme, a byte budget.

Every built page is opened once, over HTTP on 127.0.0.1 in headless Chromium
with an empty profile (``page_weight.visit``); that one visit gives both the
accessibility audit (the DOM) and the page weight (Chromium's network log).

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
  Each page is opened as a copy of itself, in a temporary copy of the site, that
  also loads ``axe.min.js`` and a few lines that run it once MathJax has typeset
  the page and the theme has settled, and write the results into the DOM, which
  ``chromium --dump-dom`` returns. A planted violation proves that the harness
  can fail. Two pages are audited again in the theme's dark mode. Highlighted
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
import html
import io
import json
import re
import tempfile
from pathlib import Path

import pytest

from tools import page_weight
from booktools import (book_notebooks, built_pages, chromium, dump_dom, HTML, load_notebook, need, ROOT)

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

AXE_RUNNER = """
<script src="{axe}"></script>
<script>
window.addEventListener("load", function () {{
  function report(value) {{
    var pre = document.createElement("pre");
    pre.id = "axe-results";
    pre.textContent = JSON.stringify(value);
    document.body.appendChild(pre);
  }}
  var typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
  // after MathJax, let the theme's own load handlers run and settle (it makes
  // wide code blocks keyboard-focusable, debounced by 300 ms), then audit
  typeset
    .then(function () {{ return new Promise(function (ok) {{ setTimeout(ok, 1000); }}); }})
    .then(function () {{ return axe.run({context}, {{resultTypes: ["violations"]}}); }})
    .then(function (r) {{ report({{violations: r.violations}}); }},
          function (e) {{ report({{error: String(e)}}); }});
}});
</script>
"""
RESULTS = re.compile(r'<pre id="axe-results">(.*?)</pre>', re.S)
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
# audited in full on these pages (light and dark) and skipped on the others; the
# formulas' text for screen readers is checked on every page below.
FULL_AUDIT_PAGES = {"book/fish_problem.html", "planted.html"}
SKIPPED_ELSEWHERE = '{exclude: [[".highlight"], ["mjx-container"]]}'


def with_axe(page: str, text: str) -> str:
    """The page's HTML, plus axe-core and the lines that run it (see AXE_RUNNER).

    >>> "axe.run(document," in with_axe("book/fish_problem.html", "<html><body><p>hi</p></body></html>")
    True
    >>> '<script src="../axe.min.js">' in with_axe("book/x.html", "<body></body>")
    True
    >>> 'axe.run({exclude: [[".highlight"], ["mjx-container"]]},' in with_axe("book/x.html", "<body></body>")
    True
    """
    assert "</body>" in text, f"{page}: no </body>"
    axe = "../" * page.count("/") + "axe.min.js"
    context = "document" if page in FULL_AUDIT_PAGES else SKIPPED_ELSEWHERE
    return text.replace("</body>", AXE_RUNNER.format(axe=axe, context=context) + "</body>", 1)


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

def audit(pages: list[str], twin) -> dict[str, page_weight.PageLoad]:
    """Visit the built ones of ``pages``, each as a ``twin`` that runs axe-core."""
    need(chromium() is not None, "Chromium is not installed (apt-get install chromium)")
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    need(AXE_JS.is_file(), "axe-core is not installed; run: npm ci --prefix .ci/node")
    built = [p for p in pages if (HTML / p).is_file()]
    return page_weight.visit(built, twin=twin, extra={"axe.min.js": AXE_JS})


@pytest.fixture(scope="module")
def visits() -> dict[str, page_weight.PageLoad]:
    return audit(PAGES, with_axe)


DARK_PAGES = ["book/fish_problem.html", "book/glossary.html"]
assert set(DARK_PAGES) - {"book/glossary.html"} <= FULL_AUDIT_PAGES


def with_axe_dark(page: str, text: str) -> str:
    """As :func:`with_axe`, in the theme's dark mode (set where the theme reads it).

    >>> 'localStorage.setItem("theme","dark")' in with_axe_dark("x.html", "<head></head><body></body>")
    True
    """
    dark = '<head><script>localStorage.setItem("mode","dark");localStorage.setItem("theme","dark");</script>'
    return with_axe(page, text.replace("<head>", dark, 1))


@pytest.fixture(scope="module")
def dark_visits() -> dict[str, page_weight.PageLoad]:
    """Two pages again, in dark mode: a chapter with a figure, and the glossary."""
    return audit(DARK_PAGES, with_axe_dark)


def _dom(visits, page: str) -> str:
    assert page in visits, f"{page} was not built"
    return visits[page].dom


def axe_violations(dom: str, name: str) -> list[dict]:
    found = RESULTS.search(dom)
    assert found, f"{name}: axe-core wrote no results (did it load, and did the page finish?)"
    result = json.loads(html.unescape(found.group(1)))
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


def test_axe_catches_a_planted_violation():
    """The harness can fail: a page with an unlabelled image and an empty button."""
    browser = chromium()
    need(browser is not None, "Chromium is not installed (apt-get install chromium)")
    need(AXE_JS.is_file(), "axe-core is not installed; run: npm ci --prefix .ci/node")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "axe.min.js").write_bytes(AXE_JS.read_bytes())
        planted = Path(tmp) / "planted.html"
        planted.write_text(with_axe("planted.html", PLANTED), encoding="utf-8")
        dom = dump_dom(planted.as_uri(), budget_ms=30000, timeout=180, browser=browser)
    violations = axe_violations(dom, "planted page")
    assert {"image-alt", "button-name"} <= {v["id"] for v in violations}
    assert serious(violations)


def test_every_known_exception_is_still_needed(visits):
    """An exception that no page needs any more must go, so it cannot hide a new one."""
    unused = [rule for rule, (pattern, _reason) in KNOWN.items()
              if not any(v["id"] == rule and any(re.search(pattern, n["html"]) for n in v["nodes"])
                         for page, load in visits.items()
                         for v in axe_violations(load.dom, page))]
    assert not unused, f"KNOWN lists exceptions that no page needs: {unused}"


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_or_critical_axe_violations(visits, page):
    bad = serious(axe_violations(_dom(visits, page), page))
    assert not bad, f"{page}: {len(bad)} serious/critical accessibility violation(s):\n" + "\n".join(bad)


@pytest.mark.parametrize("page", DARK_PAGES)
def test_no_serious_or_critical_axe_violations_in_dark_mode(dark_visits, page):
    dom = _dom(dark_visits, page)
    assert re.search(r'<html[^>]*data-theme="dark"', dom), f"{page} did not switch to dark mode"
    bad = serious(axe_violations(dom, page))
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


# --- page weight, from the same visits ----------------------------------------------

def test_every_page_is_within_the_weight_budget(visits):
    over = {page: f"{load.total:,} bytes" for page, load in visits.items()
            if load.total > page_weight.BUDGET_BYTES}
    assert not over, (f"pages over {page_weight.BUDGET_BYTES:,} bytes on first load: {over}\n"
                      + page_weight.table(list(visits.values())))


def test_pages_fetch_nothing_from_other_hosts_or_missing_files(visits):
    external = {p: load.external for p, load in visits.items() if load.external}
    missing = {p: load.missing for p, load in visits.items() if load.missing}
    assert not external, f"pages asked other hosts for resources: {external}"
    assert not missing, f"pages fetched files that the site lacks: {missing}"


def test_the_weight_counts_the_math_fonts_and_no_math_script(visits):
    """Math is typeset at build time: a page with formulas fetches MathJax's fonts
    (counted) but no math script, and the count is of the page as built."""
    with_math = {p: load for p, load in visits.items() if "<mjx-container" in load.dom}
    assert with_math, "no page has typeset math"
    for page, load in with_math.items():
        assert any(f.startswith("_static/mathjax-fonts/") for f in load.files), (
            f"{page}: typeset math, but no MathJax font was counted")
    for page, load in visits.items():
        scripts = [f for f in load.files if f.endswith(".js") and re.search(r"mathjax|katex", f, re.I)]
        assert not scripts, f"{page} loads a math-typesetting script again: {scripts}"
        assert not any(f.endswith("fontawesome.js") for f in load.files), f"{page} loads fontawesome.js again"
        assert page in load.files and "axe.min.js" not in load.files, f"{page}: the count is not of the page as built"
