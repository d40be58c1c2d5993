"""Which display formulas do not fit their column, and which pages are wider
than a phone: a measuring tool for chapter authors.

Usage, after ``jupyter-book build . -W --keep-going``::

    python tests/tools/wide_math.py                      # every page
    python tests/tools/wide_math.py book/map_ridge       # just some (TOC entries)
    python tests/tools/wide_math.py --width 390 book/perch
    MLEMAP_HTML=/tmp/x/_build/html python tests/tools/wide_math.py

Each page is served on loopback and opened in one headless Chromium
(``booktools.Browser``) at 1280 px (a desktop) and at 390 px (a phone, emulated
with its viewport), and ``booktools.page_fit`` lists every display formula whose
typeset width is larger than its box: its number or label, its width against
the box's, and the start of its TeX. At 390 px it also says whether the page
itself is wider than the viewport, and which elements stick out.

A formula that does not fit at 1280 px is one to break into aligned lines
(``\\begin{aligned} ... \\\\ ... \\end{aligned}``, or ``split``). On a phone a long
formula may scroll inside its own box, with a shadow at the clipped edge
(``_static/layout.css``); ``tests/test_site_layout.py`` checks all three
(page width at 390 px, formulas at 1280 px, scrolling with a cue at 390 px).
Exit status 1 if a formula does not fit at 1280 px or a page overflows at 390 px.
"""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for booktools
from booktools import DESKTOP, HTML, PHONE, Browser, page_fit, toc_files  # noqa: E402
from page_weight import serve  # noqa: E402

TEX_CHARS = 60


def all_pages() -> list[str]:
    """The TOC pages, then the generated ones (search, genindex), as site paths."""
    pages = [e + ".html" for e in toc_files()]
    pages += [p.name for p in sorted(HTML.glob("*.html")) if p.name != "index.html"]
    return pages


def measure(pages: list[str], widths: list[int], *, root: Path = HTML, browser: Browser | None = None,
            workers: int = 2) -> dict[tuple[str, int], dict]:
    """``page_fit`` of every (page, width), ``workers`` tabs at a time in one Chromium."""
    own = browser is None
    browser = browser or Browser()
    try:
        with serve(root) as base, ThreadPoolExecutor(max_workers=workers) as pool:
            jobs = [(p, w) for p in pages for w in widths]
            fits = pool.map(lambda job: page_fit(browser, f"{base}/{job[0]}", job[1]), jobs)
            return dict(zip(jobs, fits))
    finally:
        if own:
            browser.close()


def equation_line(eq: dict) -> str:
    name = eq["number"] if eq["number"] else f"display #{eq['index'] + 1}"
    if eq["id"]:
        name += f" {eq['id']}"
    tex = eq["tex"] if len(eq["tex"]) <= TEX_CHARS else eq["tex"][:TEX_CHARS] + "…"
    return f"{name}: {eq['content']} px in {eq['box']} px: {tex}"


def report(page: str, fits: dict[int, dict]) -> list[str]:
    first = next(iter(fits.values()))
    lines = [f"{page}  ({first['displays']} display formulas)"]
    for width, fit in fits.items():
        eqs = fit["equations"]
        head = f"  {width} px: " + (f"{len(eqs)} do not fit" if eqs else "all fit")
        if width < 800:
            over = fit["scrollWidth"] > width + 1
            head += f"; page {fit['scrollWidth']} px wide" + (" (OVERFLOWS)" if over else " (fits)")
        lines.append(head)
        lines += ["    " + equation_line(eq) for eq in eqs]
        if fit["scrollWidth"] > width + 1:
            lines += [f"    sticks out: {w['element']} to {w['right']} px: {w['text']}" for w in fit["wide"]]
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="TOC entries (book/map_ridge) or site paths; default all")
    parser.add_argument("--width", type=int, action="append",
                        help=f"viewport width in px (repeatable); default {DESKTOP} and {PHONE}")
    args = parser.parse_args(argv)
    if not HTML.is_dir():
        print(f"no built site at {HTML}; run: jupyter-book build . -W --keep-going", file=sys.stderr)
        return 2
    pages = [p if p.endswith(".html") else p + ".html" for p in args.pages] or all_pages()
    unbuilt = [p for p in pages if not (HTML / p).is_file()]
    for page in unbuilt:
        print(f"not in the build: {page}", file=sys.stderr)
    pages = [p for p in pages if p not in unbuilt]
    widths = args.width or [DESKTOP, PHONE]
    results = measure(pages, widths)
    bad = 0
    for page in pages:
        fits = {w: results[(page, w)] for w in widths}
        print("\n".join(report(page, fits)))
        bad += sum(len(f["equations"]) for w, f in fits.items() if w >= 800)
        bad += sum(f["scrollWidth"] > w + 1 for w, f in fits.items() if w < 800)
    not_fitting = sum(len(results[(p, w)]["equations"]) for p in pages for w in widths if w >= 800)
    overflowing = [p for p in pages for w in widths if w < 800 and results[(p, w)]["scrollWidth"] > w + 1]
    print(f"\n{not_fitting} display formula(s) do not fit at desktop width; "
          f"{len(overflowing)} page(s) wider than a phone: {', '.join(overflowing) or 'none'}")
    return 1 if bad or unbuilt else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
