"""Speed and memory of mlemap against NumPy/SciPy baselines, measured in one run.

Run:  python tests/tools/benchmark.py   (not collected by pytest; it asserts nothing)

Targets from the tracker: fit_mle on n=1e6, d=11 within 2x the time of
numpy.linalg.lstsq; gaussian_log_likelihood on 1e7 points no slower than
scipy.stats.norm.logpdf(...).sum(). Times are the best of several repeats.
Memory is measured twice: the tracemalloc peak of one call (NumPy reports
its array buffers to tracemalloc, but numpy.linalg's LAPACK workspace is
plain malloc and invisible to it), and the growth of the peak resident set
size during one call, in a fresh subprocess after resetting the peak through
/proc/self/clear_refs (Linux; sees every allocation that is touched).
"""

import math
import subprocess
import sys
import time
import tracemalloc

import numpy as np

SETUP = {
    "gauss": """
import numpy as np
rng = np.random.default_rng(0)
X = rng.standard_normal((1_000_000, 11))
y = X @ rng.standard_normal(11) + rng.standard_normal(1_000_000)
""",
    "poly": """
import numpy as np, mlemap
rng = np.random.default_rng(1)
x = rng.uniform(0.0, 1.0, 1_000_000)
X = mlemap.polynomial_design(x, 10)
y = np.sin(3 * x) + 0.1 * rng.standard_normal(1_000_000)
""",
    "loglik": """
import math
import numpy as np
y = np.random.default_rng(2).normal(1.0, 2.0, 10_000_000)
mu, s, c = 1.0, 2.0, 0.5 * math.log(2 * math.pi)
""",
}

CASES = [
    ("fit_mle, Gaussian design n=1e6, d=11", "gauss", "mlemap/lstsq <= 2", [
        ("mlemap.fit_mle(X, y)", "mlemap.fit_mle(X, y)"),
        ("numpy.linalg.lstsq(X, y, rcond=None)", "np.linalg.lstsq(X, y, rcond=None)"),
    ]),
    ("fit_mle, degree-10 raw polynomial of x in [0, 1], n=1e6", "poly",
     "none (refinement buys accuracy)", [
         ("mlemap.fit_mle(X, y)", "mlemap.fit_mle(X, y)"),
         ("numpy.linalg.lstsq(X, y, rcond=None)", "np.linalg.lstsq(X, y, rcond=None)"),
     ]),
    ("gaussian_log_likelihood, n=1e7", "loglik", "mlemap/scipy <= 1", [
        ("mlemap.gaussian_log_likelihood(y, mu, s)", "mlemap.gaussian_log_likelihood(y, mu, s)"),
        ("scipy.stats.norm.logpdf(y, mu, s).sum()", "stats.norm.logpdf(y, mu, s).sum()"),
        ("bare NumPy np.sum(-0.5*((y-mu)/s)**2 - np.log(s) - c)",
         "np.sum(-0.5 * ((y - mu) / s) ** 2 - np.log(s) - c)"),
    ]),
]

RSS_PROBE = """
import mlemap
from scipy import stats
{setup}


def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1])  # kB


open("/proc/self/clear_refs", "w").write("5")  # reset the peak RSS (Linux)
before = status("VmRSS:")
{call}
print((status("VmHWM:") - before) / 1024)
"""


def rss_growth_mib(setup, call):
    code = RSS_PROBE.format(setup=setup, call=call)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip())


def main(repeats=5):
    import scipy
    from scipy import stats

    import mlemap

    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}, SciPy {scipy.__version__}")
    for title, key, target, contenders in CASES:
        env = {"np": np, "mlemap": mlemap, "stats": stats, "math": math}
        exec(SETUP[key], env)
        if key != "loglik":
            fit = mlemap.fit_mle(env["X"], env["y"])
            refined = fit.cond > 1e4
            title += f" (scaled cond {fit.cond:.1e}: {'refined' if refined else 'no refinement'})"
        print(f"\n{title}")
        base = None
        for label, call in contenders:
            func = eval(f"lambda: {call}", env)  # noqa: S307 - our own fixed strings
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                func()
                times.append(time.perf_counter() - start)
            seconds = min(times)
            tracemalloc.start()
            func()
            traced = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            rss = rss_growth_mib(SETUP[key], call)
            base = base or seconds
            ratio = "" if seconds == base and label.startswith("mlemap") else \
                f"   mlemap/this = {base / seconds:4.2f}"
            print(f"  {label:<55s} {seconds * 1e3:7.1f} ms  tracemalloc {traced:6.1f} MiB"
                  f"  peak RSS +{rss:6.1f} MiB{ratio}")
        print(f"  target: {target}")


if __name__ == "__main__":
    main()
