"""Show that each chapter's checks can fail: break a claim, run the chapter, expect a failing cell.

Usage (from anywhere)::

    python tests/tools/mutate.py                  # every mutation in tests/tools/mutations/
    python tests/tools/mutate.py fish_problem     # the mutations of one chapter

Each file ``tests/tools/mutations/<chapter>.json`` lists mutations of that
chapter's notebook::

    [{"claim": "the density has variance sigma^2",
      "cell": "<cell id>",
      "find": "sigma**2", "replace": "2 * sigma**2"}]

For each one the notebook is copied, ``find`` is replaced by ``replace`` in the
source of cell ``cell`` (it must occur there), and the copy is executed top to
bottom. The mutation is *caught* when a cell raises; the table names the cell.
The script exits 1 if any mutation is not caught, or does not apply. It is a
tool, not a test: it executes each chapter once per mutation, which is too slow
for ``pytest``.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
SPECS = Path(__file__).resolve().parent / "mutations"


def run_mutation(chapter: str, spec: dict) -> tuple[str, str]:
    path = ROOT / "book" / f"{chapter}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.get("id") == spec["cell"]]
    if not cells:
        return "NOT APPLIED", f"no cell with id {spec['cell']!r}"
    cell = cells[0]
    if spec["find"] not in cell.source:
        return "NOT APPLIED", f"{spec['find']!r} is not in cell {spec['cell']}"
    cell.source = cell.source.replace(spec["find"], spec["replace"])
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        failing = next((c for c in nb.cells if c.cell_type == "code"
                        and any(o.get("output_type") == "error" for o in c.get("outputs", []))),
                       None)
        where = failing.get("id", "?") if failing is not None else "?"
        name = getattr(exc, "ename", "") or "error"
        return "caught", f"cell {where}: {name}"
    return "MISSED", "every cell ran without error"


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):  # usage, not a page or chapter named --help
        print(__doc__)
        return 0
    files = sorted(SPECS.glob("*.json"))
    if argv:
        files = [f for f in files if f.stem in argv]
        missing = set(argv) - {f.stem for f in files}
        if missing:
            print(f"no mutations for: {sorted(missing)}")
            return 1
    failures = 0
    print(f"| chapter | claim broken | mutation | result |\n| --- | --- | --- | --- |")
    for f in files:
        for spec in json.loads(f.read_text()):
            start = time.perf_counter()
            status, detail = run_mutation(f.stem, spec)
            failures += status != "caught"
            mutation = f"`{spec['find']}` → `{spec['replace']}`".replace("|", "\\|")
            print(f"| {f.stem} | {spec['claim']} | {mutation} | {status}: {detail} "
                  f"({time.perf_counter() - start:.0f} s) |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
