"""Chapters that read like a book: what each page shows, checked on the notebooks.

The rules are in ``tests/bookshape.py`` and the README ("How a chapter shows
its work"). ``python tests/tools/displays.py`` prints the display-equation table
and ``python tests/tools/cell_stats.py`` what the built pages show.
"""
from __future__ import annotations

import statistics
import struct
import base64
import re

import pytest

import bookshape as bs
from booktools import ROOT, load_notebook

PAGES = bs.pages()
NOTEBOOKS = bs.notebook_pages()
NB_IDS = [entry.split("/")[-1] for entry, _ in NOTEBOOKS]
ALL_DISPLAYS = bs.all_displays()


# -- display equations -------------------------------------------------------

def test_the_parser_finds_every_form_of_display():
    text = "\n".join([
        "Prose $a$ inline.", "", "$$", "x = 1", "$$ (eq-one)", "",
        "```{math}", ":class: definition", ":label: eq-two", "y = 2", "```", "",
        ":::{math}", "z = 3", ":::", "",
        "```{glue:math} key_four", ":label: eq-four", "```", "",
        "\\begin{align}", "a &= b", "\\end{align}", "",
        "```python", "$$ not math $$", "```", "",
        "````{prf:theorem} T", "```{glue:math} key_five", "```", "````",
    ])
    found = bs.displays_in(text, "page", "unit")
    kinds = sorted((d.form, d.kind) for d in found)
    assert kinds == [("$$", "unmarked"), ("amsmath", "unmarked"),
                     ("glue:math", "glued"), ("glue:math", "glued"),
                     ("math", "definition"), ("math", "unmarked")]
    assert {d.label for d in found} >= {"eq-one", "eq-two", "eq-four"}


def test_the_book_shows_asserted_equations():
    shown = bs.all_displays(outputs=True)
    assert sum(d.kind in ("glued", "output") for d in shown) >= 30


@pytest.mark.parametrize("entry", [e for e, _ in PAGES], ids=[e.split("/")[-1] for e, _ in PAGES])
def test_every_display_is_glued_or_marked(entry):
    bad = [d for d in ALL_DISPLAYS if d.page == entry and d.kind == "unmarked"]
    assert not bad, (
        f"{entry}: display math that is neither pasted from an asserted equation "
        "({glue:math} of mlemap.symbolic.equation) nor a {math} directive with "
        f":class: one of {bs.HAND_KINDS}:\n"
        + "\n".join(f"  cell {d.unit}: {d.form} {d.snippet!r}" for d in bad))


@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_every_glued_display_is_an_asserted_equation(entry, path):
    records = bs.glue_records(load_notebook(path))
    bad = []
    for d in ALL_DISPLAYS:
        if d.page != entry or d.kind != "glued":
            continue
        record = records.get(d.key)
        if record is None:
            bad.append(f"{d.key}: not glued in this notebook")
        elif not bs.text_of(record.get("text/plain", "")).startswith(bs.EQUATION_MARK):
            bad.append(f"{d.key}: glued, but not an mlemap.symbolic.equation(...)")
        elif "text/latex" not in record:
            bad.append(f"{d.key}: has no text/latex to paste")
    assert not bad, f"{entry}:\n  " + "\n  ".join(bad)


@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_no_raw_sympy_output_on_the_page(entry, path):
    bad = []
    for cell in bs.code_cells(entry, path):
        if not cell.outputs_visible:
            continue
        for out in cell.outputs:
            data = out.get("data", {})
            if "text/latex" in data and not bs.text_of(data.get("text/plain", "")).startswith(
                    bs.EQUATION_MARK):
                bad.append(f"cell {cell.id}: {bs.text_of(data['text/plain'])[:60]!r}")
    assert not bad, (
        f"{entry}: SymPy's own LaTeX output is shown; show the result with "
        "mlemap.symbolic.equation (book order, asserted) or remove the output:\n  "
        + "\n  ".join(bad))


# -- code cells --------------------------------------------------------------

@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_visible_cells_are_short(entry, path):
    cells = [c for c in bs.code_cells(entry, path) if c.source_visible]
    long = [f"cell {c.id}: {c.lines} lines" for c in cells if c.lines > bs.MAX_VISIBLE_LINES]
    assert not long, (f"{entry}: visible code cells over {bs.MAX_VISIBLE_LINES} "
                      "non-blank lines; split them, one idea each:\n  " + "\n  ".join(long))
    if cells:
        median = statistics.median(c.lines for c in cells)
        assert median <= bs.MAX_MEDIAN_LINES, (
            f"{entry}: the median visible code cell has {median} lines "
            f"(at most {bs.MAX_MEDIAN_LINES})")


@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_glue_calls_are_off_the_page(entry, path):
    bad = []
    for cell in bs.code_cells(entry, path):
        if "glue(" not in cell.source or cell.removed:
            continue
        shows_something = any(not any(k.startswith("application/papermill.record/")
                                      for k in out.get("data", {}))
                              for out in cell.outputs)
        if not (cell.tags & bs.NO_INPUT) or shows_something:
            bad.append(f"cell {cell.id}")
    assert not bad, (f"{entry}: glue( in cells a reader sees; move it to a cell tagged "
                     "remove-cell:\n  " + "\n  ".join(bad))


@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_plotting_code_is_folded(entry, path):
    bad = []
    for cell in bs.code_cells(entry, path):
        draws = any("image/png" in out.get("data", {}) for out in cell.outputs)
        plots = re.search(r"\bplt\.|\.subplots\(|\bax\w*\.(plot|scatter|set_|legend|fill)",
                          cell.source)
        if (draws or plots) and cell.source_visible:
            bad.append(f"cell {cell.id}")
    assert not bad, (f"{entry}: plotting code shown on the page; tag the cell "
                     "hide-input:\n  " + "\n  ".join(bad))


# -- running anywhere ----------------------------------------------------------

@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_first_code_cell_installs_mlemap_when_missing(entry, path):
    first = bs.code_cells(entry, path)[0]
    assert first.source == bs.INSTALL_CELL, (
        f"{entry}: the first code cell must be bookshape.INSTALL_CELL")
    assert first.removed, f"{entry}: the install cell must be tagged remove-cell"
    assert not first.outputs, f"{entry}: the install cell printed something in the book's venv"


@pytest.mark.parametrize("missing", [False, True])
def test_the_install_cell_installs_only_when_mlemap_is_missing(monkeypatch, missing):
    import importlib.util

    calls = []

    class FakeShell:
        def run_line_magic(self, name, line):
            calls.append((name, line))

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if (missing and name == "mlemap") else real(name, *a))
    exec(bs.INSTALL_CELL, {"get_ipython": FakeShell})
    if missing:
        assert calls and calls[0][0] == "pip" and "mle-map-book" in calls[0][1]
    else:
        assert calls == []


# -- figures -------------------------------------------------------------------

def png_width(b64: str) -> int:
    head = base64.b64decode(b64[:64])
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", head[16:20])[0]


@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_figure_text_is_readable_at_page_width(entry, path):
    from mlemap import plotting

    widest = plotting.MAX_FIGURE_WIDTH_IN * plotting.DPI
    bad = []
    for cell in bs.code_cells(entry, path):
        for out in cell.outputs:
            b64 = out.get("data", {}).get("image/png")
            if b64 and png_width(bs.text_of(b64)) > widest + 1:
                bad.append(f"cell {cell.id}: {png_width(bs.text_of(b64))} px wide")
        small = re.findall(r"\b(?:fontsize|labelsize|title_fontsize)\s*=\s*(\d+(?:\.\d+)?|\"(?:x+-)?small\"|'(?:x+-)?small')",
                           cell.source)
        for size in small:
            if size.strip("'\"").endswith("small") or float(size) < plotting.MIN_FONT_PT:
                bad.append(f"cell {cell.id}: font size {size}")
    assert not bad, (
        f"{entry}: figure text would be under {plotting.MIN_TEXT_PX} px at the page width "
        f"(figures at most {widest:.0f} px wide, fonts at least {plotting.MIN_FONT_PT} pt):\n  "
        + "\n  ".join(bad))


ASCII_MATH = re.compile(r"\b(sigma|lambda|alpha|beta|eta|delta|mu)(_\w+)?\b|\bw[0-9]\b")


@pytest.mark.parametrize("entry,path", NOTEBOOKS, ids=NB_IDS)
def test_captions_typeset_their_math(entry, path):
    bad = []
    for cell in load_notebook(path)["cells"]:
        caption = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption", "")
        prose = re.sub(r"\$[^$]*\$|`[^`]*`", "", caption)
        for m in ASCII_MATH.finditer(prose):
            bad.append(f"cell {cell.get('id')}: {m.group(0)!r}")
    assert not bad, f"{entry}: captions with math as plain text; write it as $...$:\n  " + \
        "\n  ".join(bad)


# -- one spelling --------------------------------------------------------------

def test_the_lake_has_one_spelling():
    right = "Längelmävesi"
    wrong = re.compile(r"L(ae|a|ä)ngelm(ae|a|ä)vesi", re.I)
    bad = []
    files = [p for p in (ROOT / "book").rglob("*") if p.suffix in (".ipynb", ".md", ".bib")]
    files += list((ROOT / "lib").rglob("*.py")) + list((ROOT / "lib").rglob("*.csv"))
    files += [ROOT / "README.md"]
    for path in files:
        if "_build" in path.parts:
            continue
        for m in wrong.finditer(path.read_text(encoding="utf-8")):
            if m.group(0) != right:
                bad.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert not bad, "the lake is Längelmävesi (ASCII only in file names):\n  " + "\n  ".join(bad)
