"""Root pytest configuration for the book.

nbval resolves its sanitize file against the current directory, so we hand it
an absolute path here. That keeps `pytest` working from any folder.
"""
from pathlib import Path

import pytest

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
