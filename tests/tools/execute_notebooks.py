"""Re-execute notebooks in place, deterministically.

Usage (from anywhere)::

    python tests/tools/execute_notebooks.py              # every notebook in book/
    python tests/tools/execute_notebooks.py book/x.ipynb # just these

Each notebook runs top to bottom in a fresh kernel, from its own folder. Timing
metadata and all cell metadata except ``tags`` and ``mystnb`` (figure captions,
names, alt text) are dropped, so two runs give byte-identical files as long as
every random generator is seeded. This is what strict nbval compares against.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor, ExecutePreprocessor

ROOT = Path(__file__).resolve().parents[2]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    ExecutePreprocessor(timeout=600, kernel_name="python3", record_timing=False).preprocess(
        nb, {"metadata": {"path": str(path.parent)}})
    elapsed = time.perf_counter() - start
    ClearMetadataPreprocessor(
        enabled=True,
        preserve_cell_metadata_mask={"tags", "mystnb"},
        preserve_nb_metadata_mask={"kernelspec", "language_info"},
    ).preprocess(nb, {})
    nb.metadata["kernelspec"] = KERNELSPEC
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):  # usage, not a page or chapter named --help
        print(__doc__)
        return 0
    paths = [Path(a).resolve() for a in argv] or sorted(
        p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    for path in paths:
        seconds = execute(path)
        print(f"{seconds:6.1f} s  {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
