"""PNG screenshots of the built book, light or dark, desktop or phone: a tool to
look at pages with, never a test.

Usage, after ``jupyter-book build . -W --keep-going``::

    python tests/tools/screenshots.py --out /tmp/shots                  # every page, 1280 px, light
    python tests/tools/screenshots.py --width 390 --dark book/map_ridge --out /tmp/shots
    python tests/tools/screenshots.py --width 390 --height 3000 --out /tmp/shots   # first 3000 px
    MLEMAP_HTML=/tmp/x/_build/html python tests/tools/screenshots.py --out /tmp/shots

Each page is served on loopback and opened in one headless Chromium
(``booktools.Browser``), in a fresh browser context, at the given width (below
800 px as a phone: its viewport, touch-style scrollbars) and, with ``--dark``,
in the theme's dark mode, chosen as a reader's click on its switch would leave
it (``localStorage``, read by the theme before it paints; the dark accessibility
audit of ``tests/test_site_a11y.py`` does the same). Once the page has settled,
the whole page (or its first ``--height`` px) is saved as
``OUT/<page>-<width>-<light|dark>.png``, with ``/`` in the page's path as ``_``.
"""
from __future__ import annotations

import argparse
import base64
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for booktools
from booktools import DARK_MODE, DRAW_ALL_JS, HTML, Browser, toc_files  # noqa: E402
from page_weight import serve  # noqa: E402

MAX_HEIGHT = 16_000  # Chromium's limit for one capture is 16,384 px


def shoot(browser: Browser, url: str, out: Path, *, width: int, dark: bool, height: int = 0) -> tuple[int, int]:
    """Save one screenshot; returns its size in px."""
    tab = browser.open_tab(before_load=DARK_MODE if dark else "", width=width, height=900, mobile=width < 800)
    try:
        browser.load(tab, url, settle=0.3)
        session = tab[0]
        theme = browser.evaluate(session, "document.documentElement.dataset.theme || ''")
        if dark and theme != "dark":
            raise RuntimeError(f"{url} did not switch to dark mode (data-theme={theme!r})")
        browser.evaluate(session, DRAW_ALL_JS)  # formulas off screen, too
        full = browser.evaluate(session, "Math.ceil(document.documentElement.scrollHeight)")
        tall = min(full, height or full, MAX_HEIGHT)
        shot = browser.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": tall, "scale": 1}}, session=session)
        out.write_bytes(base64.b64decode(shot["data"]))
        return width, tall
    finally:
        browser.close_tab(tab)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="TOC entries (book/map_ridge) or site paths; default all")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in px (390 for a phone)")
    parser.add_argument("--dark", action="store_true", help="the theme's dark mode")
    parser.add_argument("--height", type=int, default=0, help="only the first N px (default: the whole page)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    args = parser.parse_args(argv)
    if not HTML.is_dir():
        print(f"no built site at {HTML}; run: jupyter-book build . -W --keep-going", file=sys.stderr)
        return 2
    pages = [p if p.endswith(".html") else p + ".html" for p in args.pages] or [e + ".html" for e in toc_files()]
    missing = [p for p in pages if not (HTML / p).is_file()]
    for page in missing:
        print(f"not in the build: {page}", file=sys.stderr)
    pages = [p for p in pages if p not in missing]
    args.out.mkdir(parents=True, exist_ok=True)
    mode = "dark" if args.dark else "light"
    with Browser() as browser, serve(HTML) as base, ThreadPoolExecutor(max_workers=2) as pool:
        def one(page):
            out = args.out / f"{page.removesuffix('.html').replace('/', '_')}-{args.width}-{mode}.png"
            w, h = shoot(browser, f"{base}/{page}", out, width=args.width, dark=args.dark, height=args.height)
            return f"{out}  {w}x{h}"
        for line in pool.map(one, pages):
            print(line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
