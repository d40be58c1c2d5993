"""Guards that strict nbval cannot give by itself.

nbval runs every notebook it finds, but it silently skips cells with no stored
output, so an unexecuted notebook passes. These tests make sure every chapter
is listed, present, and stored fully executed, top to bottom, in one run.
"""
import re

import pytest

from booktools import ROOT, book_notebooks, load_notebook, source_of, toc_files

NOTEBOOKS = book_notebooks()
IDS = [p.name for p in NOTEBOOKS]


def test_every_toc_entry_exists():
    missing = [entry for entry in toc_files() if source_of(entry) is None]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = {entry for entry in toc_files()}
    orphans = [str(p.relative_to(ROOT)) for p in NOTEBOOKS
               if str(p.relative_to(ROOT).with_suffix("")) not in listed]
    assert not orphans, f"notebooks in book/ missing from _toc.yml: {orphans}"


def test_the_book_has_notebooks():
    assert NOTEBOOKS, "no notebooks found in book/"


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_code_cell_has_a_stored_execution(path):
    nb = load_notebook(path)
    unrun = [i for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "code" and "".join(c["source"]).strip()
             and c.get("execution_count") is None]
    assert not unrun, f"{path.name}: cells {unrun} were never executed; strict nbval would skip them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_outputs_come_from_one_fresh_run(path):
    counts = [c["execution_count"] for c in code_cells(load_notebook(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n; re-execute the notebook "
        "top to bottom (see README)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_opens_with_a_title(path):
    first = load_notebook(path)["cells"][0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and re.match(r"# \S", text), (
        f"{path.name}: the first cell must be a markdown '# Title' cell")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_errors_and_no_svg_in_outputs(path):
    for i, cell in enumerate(code_cells(load_notebook(path))):
        tags = cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                assert "raises-exception" in tags, f"{path.name}: code cell {i} stored an error"
            assert "image/svg+xml" not in out.get("data", {}), (
                f"{path.name}: code cell {i} has an SVG output, which embeds a date and "
                "can never pass strict nbval; use PNG")


def test_notebooks_have_a_python_kernelspec():
    for path in NOTEBOOKS:
        spec = load_notebook(path)["metadata"].get("kernelspec", {})
        assert spec.get("language") == "python", f"{path.name}: kernelspec {spec}"


GLUE_REF = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")


def glued_keys(nb) -> set[str]:
    keys = set()
    for cell in code_cells(nb):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                keys.add(name)
    return keys


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_deleted_outputs_are_noticed(path):
    """Outputs deleted but execution counts kept would pass strict nbval silently:
    every glued number the prose uses must be stored, and every figure cell must
    hold its image."""
    nb = load_notebook(path)
    prose = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    missing = sorted(set(GLUE_REF.findall(prose)) - glued_keys(nb))
    assert not missing, f"{path.name}: the prose uses glue keys with no stored output: {missing}"
    for i, cell in enumerate(code_cells(nb)):
        if cell.get("metadata", {}).get("mystnb", {}).get("figure"):
            kinds = {k for out in cell.get("outputs", []) for k in out.get("data", {})}
            assert "image/png" in kinds, f"{path.name}: figure cell {i} has no stored PNG"
    assert any(c.get("outputs") for c in code_cells(nb)), f"{path.name}: no stored outputs at all"
