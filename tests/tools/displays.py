"""Print, per page, the book's display equations: pasted from asserted SymPy, or hand-typed.

Usage::

    python tests/tools/displays.py          # the table
    python tests/tools/displays.py --list   # every display, one per line

A display is *glued* when it is ``{glue:math}`` of an ``mlemap.symbolic.equation``
(the expression a cell asserted), or an *output* when a code cell shows such an
equation as its result; a hand-typed one must say what it is, as a
``{math}`` directive with ``:class: definition``, ``assumption`` or ``quotation``.
``tests/test_book_shape.py`` fails on any other (*unmarked*). The rules are in
``tests/bookshape.py``.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bookshape as bs  # noqa: E402

COLUMNS = ["glued", "output", *bs.HAND_KINDS, "unmarked"]


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):  # usage, not a page or chapter named --help
        print(__doc__)
        return 0
    displays = bs.all_displays(outputs=True)
    if "--list" in argv:
        for d in displays:
            print(f"{d.page}\t{d.unit}\t{d.kind}\t{d.form}\t{d.label}\t{d.snippet}")
        return 0
    print("| page | " + " | ".join(COLUMNS) + " |")
    print("| --- |" + " ---: |" * len(COLUMNS))
    total = Counter()
    for entry, _ in bs.pages():
        counts = Counter(d.kind for d in displays if d.page == entry)
        if not counts:
            continue
        total.update(counts)
        print(f"| {entry} | " + " | ".join(str(counts[c]) for c in COLUMNS) + " |")
    print("| all | " + " | ".join(str(total[c]) for c in COLUMNS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
