"""Root pytest configuration for the book.

nbval resolves its sanitize file against the current directory, so we hand it
an absolute path here. That keeps `pytest` working from any folder.
"""
import os
from pathlib import Path

import pytest

# The notebooks' matrices are tiny: BLAS threads only fight over the cores with
# the other xdist worker and the browser tests. One thread per kernel (nbval's
# kernels inherit this environment); results do not depend on the thread count.
# OPENBLAS_CORETYPE is left as the machine has it.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

ROOT = Path(__file__).resolve().parent
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    opt = config.option
    current = getattr(opt, "nbval_sanitize_with", None)
    if current is None:
        opt.nbval_sanitize_with = str(SANITIZE)
    elif not Path(current).is_absolute():
        opt.nbval_sanitize_with = str((Path(config.invocation_params.dir) / current).resolve())


# The browser modules first: each drives its own Chromium for a minute or more,
# so pytest-xdist (``--dist loadfile``) starts them before anything else, the two
# halves of the site's pages (tests/site_visits.py) on different workers, and
# the notebooks and unit tests fill in around them. Without this, xdist orders
# files by their number of tests, and both halves could queue on one worker.
FIRST = ("tests/test_site_a11y.py", "tests/test_site_layout.py", "tests/test_korean.py",
         "tests/test_site_browser.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowsersFirst(LoadFileScheduling):
        def _assign_work_unit(self, node):
            for scope in FIRST:
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
                    break
            super()._assign_work_unit(node)

    return BrowsersFirst(config, log)
