"""Print, for every built chapter page, what its code cells show a reader.

Usage::

    python tests/tools/cell_stats.py [book/<chapter> ...]   # MLEMAP_HTML: another build

Read from the built HTML (``_build/html``), as a reader gets the page: a code
cell's source is *visible* when it is on the page and not folded behind a
"Show code cell source" toggle (``hide-input``). For each chapter the table gives
the number of visible cells, the median and the largest number of visible lines
in one (blank lines not counted), and how many visible lines call ``glue(``,
which should be none (README, "Changing a chapter"). A tool only: the limits are
enforced on the notebooks by ``tests/test_book_shape.py``.
"""
from __future__ import annotations

import html
import os
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTML = Path(os.environ.get("MLEMAP_HTML", ROOT / "_build" / "html"))

CELL = re.compile(r'<div class="cell( [^"]*)? docutils container">')
PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
TAG = re.compile(r"<[^>]+>")


def cells(page: str) -> list[tuple[bool, list[str]]]:
    """(visible, source lines) for every code cell of a built page."""
    found = []
    starts = [m for m in CELL.finditer(page)]
    for m, nxt in zip(starts, starts[1:] + [None]):
        chunk = page[m.end(): nxt.start() if nxt else len(page)]
        inp = chunk.find('<div class="cell_input')
        if inp < 0:
            continue  # a cell whose source is removed (remove-input)
        hidden = "hide above-input" in chunk[:inp] or "tag_hide-cell" in (m.group(1) or "")
        pre = PRE.search(chunk, inp)
        if not pre:
            continue
        source = html.unescape(TAG.sub("", pre.group(1)))
        lines = [line for line in source.splitlines() if line.strip()]
        found.append((not hidden, lines))
    return found


def stats(path: Path) -> dict:
    visible = [lines for shown, lines in cells(path.read_text(encoding="utf-8")) if shown]
    sizes = [len(lines) for lines in visible]
    return {
        "visible cells": len(sizes),
        "median lines": statistics.median(sizes) if sizes else 0,
        "largest": max(sizes, default=0),
        "visible glue( lines": sum(line.count("glue(") for lines in visible for line in lines),
    }


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):  # usage, not a page or chapter named --help
        print(__doc__)
        return 0
    pages = argv or sorted(p.relative_to(HTML).with_suffix("").as_posix()
                           for p in (HTML / "book").glob("*.html"))
    rows = []
    for name in pages:
        path = HTML / f"{name}.html"
        if not path.exists():
            print(f"not built: {path}", file=sys.stderr)
            return 2
        row = stats(path)
        if row["visible cells"] or "glue" in path.read_text(encoding="utf-8"):
            rows.append((name, row))
    keys = ["visible cells", "median lines", "largest", "visible glue( lines"]
    print("| page | " + " | ".join(keys) + " |")
    print("| --- |" + " --- |" * len(keys))
    for name, row in rows:
        print(f"| {name} | " + " | ".join(f"{row[k]:g}" for k in keys) + " |")
    every = [row for _, row in rows]
    print(f"| all pages | {sum(r['visible cells'] for r in every)} | "
          f"{statistics.median([r['median lines'] for r in every]):g} (median of medians) | "
          f"{max(r['largest'] for r in every)} | {sum(r['visible glue( lines'] for r in every)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
