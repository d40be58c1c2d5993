"""A chapter downloaded from the site (or opened in Binder) runs on its own.

A reader gets one ``.ipynb`` from the download button. After
``pip install -r requirements.txt`` it must run anywhere, so a notebook must not
depend on files beside it:

* it opens no file by a relative (or absolute) path, changes no directory and
  touches no ``sys.path``, runs no shell command or other notebook;
* every module it imports is the standard library or comes with
  ``requirements.txt`` (directly or as a dependency), never a ``.py`` next to it;
* data reach it through ``mlemap`` (for example ``mlemap.load_perch()``), whose
  data files are package data, so that a non-editable install ships them too.

And, as the proof of the rule: the smallest chapter is copied alone into an
empty temporary folder and run there, top to bottom.
"""
from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.util
import re
import shutil
import sys
import tempfile
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from booktools import BOOK, ROOT, book_notebooks, load_notebook

NOTEBOOKS = book_notebooks()
IDS = [p.name for p in NOTEBOOKS]

# A string literal that looks like a path to a file: it ends in a data or
# figure extension, or starts with ./ ../ /name or ~/ (not a hatch pattern like "//").
FILE_LIKE = re.compile(
    r"^(\.{1,2}/|/\w|~/)|\.(csv|tsv|txt|dat|json|ya?ml|npy|npz|pkl|pickle|parquet|feather|h5|hdf5|"
    r"xlsx?|png|jpe?g|svg|pdf|py|ipynb)$", re.I)
FORBIDDEN_CALLS = {"chdir", "loadtxt", "genfromtxt", "read_csv", "read_table", "read_excel", "read_json",
                   "read_parquet", "read_pickle", "savefig", "imread", "imsave", "fromfile"}
MAGICS = re.compile(r"^\s*(%|!)(?P<what>\S*)", re.M)


def code_of(cell: dict) -> str:
    return "".join(cell["source"])


def dependence_on_files(source: str) -> list[str]:
    """What in one code cell ties the notebook to files beside it.

    >>> dependence_on_files("import mlemap\\nperch = mlemap.load_perch()")
    []
    >>> dependence_on_files("x = np.loadtxt('perch.csv')")
    ['call to loadtxt()', "file path 'perch.csv'"]
    >>> sorted(dependence_on_files("import sys\\nsys.path.insert(0, '../lib')"))
    ["file path '../lib'", 'sys.path is changed']
    >>> dependence_on_files("ax.bar(x, y, hatch='//')")
    []
    >>> dependence_on_files("%run helpers.py")
    ['magic or shell command %run']
    >>> dependence_on_files("%matplotlib inline")
    []
    """
    found = []
    for match in MAGICS.finditer(source):
        if match.group(0).strip().startswith("!") or match.group("what") not in {"matplotlib", "config"}:
            found.append(f"magic or shell command {match.group(0).strip()}")
    tree = ast.parse(MAGICS.sub(lambda m: "pass  #", source))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FORBIDDEN_CALLS or name == "open" and isinstance(func, ast.Name):
                found.append(f"call to {name}()")
        elif isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys":
            found.append("sys.path is changed")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value.strip()
            if value and "\n" not in value and " " not in value and FILE_LIKE.search(value):
                found.append(f"file path {value!r}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_reads_no_files_beside_it(path):
    problems = {}
    for i, cell in enumerate(load_notebook(path)["cells"]):
        if cell["cell_type"] == "code":
            found = dependence_on_files(code_of(cell))
            if found:
                problems[i] = found
    assert not problems, (
        f"{path.name} depends on files or a working directory that a downloaded copy "
        f"does not have (cell: reasons): {problems}. Put data in mlemap (package data) "
        "and load it with a function.")


def _requirement_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0])
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache  # the same for every notebook: walk the metadata once per run
def installed_by_requirements() -> frozenset[str]:
    """Canonical names of every distribution that requirements.txt installs: the
    listed ones, mlemap (``-e .``), and all their dependencies, transitively."""
    from packaging.requirements import Requirement

    todo = [_canonical(n) for n in _requirement_names((ROOT / "requirements.txt").read_text())]
    todo.append("mlemap")
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for spec in requires:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(_canonical(req.name))
    return frozenset(seen)


@functools.cache
def _distributions() -> dict:
    return importlib.metadata.packages_distributions()


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules a cell imports.

    >>> sorted(imported_modules("import numpy as np\\nfrom scipy import stats\\nimport sympy.stats"))
    ['numpy', 'scipy', 'sympy']
    >>> sorted(imported_modules("from . import x\\nimport os.path"))
    ['os']
    """
    tree = ast.parse(MAGICS.sub(lambda m: "pass  #", source))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_imports_only_what_requirements_install(path):
    modules = set()
    for cell in load_notebook(path)["cells"]:
        if cell["cell_type"] == "code":
            modules |= imported_modules(code_of(cell))
    provided = installed_by_requirements()
    distributions = _distributions()
    problems = []
    for module in sorted(modules - set(sys.stdlib_module_names)):
        spec = importlib.util.find_spec(module)
        origin = Path(spec.origin).resolve() if spec and spec.origin else None
        if spec is None:
            problems.append(f"{module}: not installed")
        elif origin and BOOK in origin.parents:
            problems.append(f"{module}: a file beside the notebook ({origin.name})")
        elif not {_canonical(d) for d in distributions.get(module, [])} & provided and module != "mlemap":
            problems.append(f"{module}: not installed by requirements.txt")
    assert not problems, f"{path.name}: {problems}"


def test_mlemap_data_files_are_package_data():
    """An editable install reads lib/mlemap/data from the checkout; a normal one
    only has what pyproject.toml declares as package data."""
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["mlemap"]
    package = ROOT / "lib" / "mlemap"
    data = [p.relative_to(package).as_posix() for p in package.rglob("*")
            if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts]
    assert data, "mlemap ships no data files; the perch data should be one"
    undeclared = [f for f in data if not any(fnmatch(f, pat) for pat in patterns)]
    assert not undeclared, f"files in lib/mlemap not declared as package data in pyproject.toml: {undeclared}"


def _smallest_notebook() -> Path | None:
    runnable = [p for p in NOTEBOOKS if all(c.get("execution_count") or c["cell_type"] != "code"
                                            for c in load_notebook(p)["cells"])]
    return min(runnable, key=lambda p: sum(len(code_of(c)) for c in load_notebook(p)["cells"]
                                           if c["cell_type"] == "code"), default=None)


def test_the_smallest_chapter_runs_alone_in_an_empty_folder():
    """Copy one chapter alone into an empty temporary folder and run it there."""
    import nbformat
    from nbclient import NotebookClient

    path = _smallest_notebook()
    if path is None:
        pytest.skip("no executed notebook in book/ yet")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        nb = nbformat.read(copy, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp}}).execute()
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{path.name} failed when run alone: {errors[0].get('ename')}"
        leftovers = sorted(p.name for p in Path(tmp).iterdir() if p.name != path.name)
        assert not leftovers, f"{path.name} wrote files into its folder: {leftovers}"
