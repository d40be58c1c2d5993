"""Run every notebook under strict nbval again, with NumPy's SIMD dispatch at its baseline.

Usage (from anywhere)::

    python tests/tools/portability.py            # every notebook in book/
    python tests/tools/portability.py book/x.ipynb
    python tests/tools/portability.py -q -n 0       # pytest options pass through

A stored output must equal a fresh run on *any* reader's machine, not only on
the one that executed it. NumPy picks SIMD loops for ``exp``, ``log``, sums and
friends by what the CPU offers, and those loops differ in the last bits. This
sets ``NPY_DISABLE_CPU_FEATURES`` to every dispatchable feature NumPy found on
this CPU (what ``numpy.show_runtime()`` lists as "found"), so the kernels run
the baseline code paths of an older CPU, prints what it disabled, and runs
``pytest`` on the notebooks in that environment. ``OPENBLAS_CORETYPE`` is left
as the machine has it. ``.ci/run`` runs this after the main test run.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def found_features() -> list[str]:
    """Dispatchable SIMD features that NumPy found on this CPU (beyond its baseline)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]


def main(argv: list[str]) -> int:
    features = found_features()
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(features))
    print("NumPy SIMD features disabled for this run: "
          + (" ".join(features) if features else
             "none (this CPU offers nothing beyond NumPy's baseline)"), flush=True)
    check = subprocess.run(
        [sys.executable, "-c",
         "from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f;"
         "print(' '.join(x for x in d if f.get(x)) or 'none')"],
        env=env, capture_output=True, text=True, check=True)
    print(f"features NumPy dispatches to under that setting: {check.stdout.strip()}", flush=True)
    # pytest options pass through; with no path given, the notebooks in book/
    paths = [a for a in argv if not a.startswith("-")]
    args = argv if paths else [*argv, "book"]
    return subprocess.call([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
