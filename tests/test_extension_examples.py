"""The examples in the docstrings of the build's own Sphinx extensions.

``pytest --doctest-modules`` runs the doctests of the modules under its
testpaths (tests/, lib/, book/); the extensions that build the site live in
.ci/node and .ci/ko, which it does not reach. This runs their examples, so that
each one can fail like any other test.
"""
from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = {"buildtime_math": ROOT / ".ci" / "node", "lean_theme": ROOT / ".ci" / "node",
              "korean_edition": ROOT / ".ci" / "ko"}


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_the_extension_s_examples_hold(name):
    folder = str(EXTENSIONS[name])
    if folder not in sys.path:
        sys.path.insert(0, folder)  # as _config.yml's local_extensions puts it
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == EXTENSIONS[name], f"{name} came from {module.__file__}"
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0, f"{result.failed} of {name}'s {result.attempted} examples fail (see above)"


def test_a_wrong_example_fails():
    """The check above can fail: a module whose example is wrong."""
    import types

    module = types.ModuleType("planted")
    exec('def f():\n    """\n    >>> 1 + 1\n    3\n    """\n', module.__dict__)
    result = doctest.testmod(module, verbose=False, report=False)
    assert (result.attempted, result.failed) == (1, 1)
