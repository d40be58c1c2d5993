"""What a chapter shows a reader, read from the notebooks: display equations and code cells.

Shared by ``tests/test_book_shape.py`` and the tool ``tests/tools/displays.py``.
Not a test module itself.

The rules (README, "Changing a chapter" → "How a chapter shows its work"):

* A display equation that states a derived result is pasted from the SymPy
  expression a cell asserted: ``{glue:math}`` of an ``mlemap.symbolic.equation``.
  Hand-typed display math is allowed only for a definition, an assumption of the
  model, or a quotation of the post, and says which, as a ``{math}`` directive
  with ``:class: definition``, ``:class: assumption`` or ``:class: quotation``.
  ``$$ ... $$`` and bare ``\\begin{align}`` blocks are not allowed at all: they
  cannot say what they are.
* A visible code cell holds one idea: at most ``MAX_VISIBLE_LINES`` non-blank
  lines, a chapter's median at most ``MAX_MEDIAN_LINES``. Bookkeeping is out of
  sight: ``glue(`` only in cells that are removed from the page, plotting code
  folded behind a toggle (``hide-input``), and no raw SymPy output on the page
  (a LaTeX output must be an asserted ``Equation``).
* The first code cell installs ``mlemap`` when it is missing (Colab, Binder)
  and is removed from the page: exactly ``INSTALL_CELL``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from booktools import ROOT, load_notebook, source_of, toc_files

#: Classes that mark a hand-typed display, and what each may hold.
HAND_KINDS = ("definition", "assumption", "quotation")
MAX_VISIBLE_LINES = 15
MAX_MEDIAN_LINES = 6
#: The marker that `mlemap.symbolic.Equation` puts in its text/plain repr.
EQUATION_MARK = "Equation (asserted):"
REMOVED = {"remove-cell", "remove_cell"}
NO_INPUT = {"remove-input", "remove_input"}
FOLDED = {"hide-input", "hide_input", "hide-cell", "hide_cell"}

#: The first code cell of every chapter, tagged remove-cell.
INSTALL_CELL = """\
# Colab, Binder or any Jupyter without the book's environment: install mlemap,
# the book's library, once. In the book's own venv it is installed: nothing runs.
import importlib.util

if importlib.util.find_spec("mlemap") is None:
    get_ipython().run_line_magic(
        "pip", "install -q git+https://github.com/mle-map-book/mle-map-book")"""


@dataclass(frozen=True)
class Display:
    page: str        # e.g. "book/map_ridge"
    unit: str        # cell id, or "line N" of a markdown page
    kind: str        # "glued", one of HAND_KINDS, or "unmarked"
    form: str        # "glue:math", "math", "$$", "amsmath"
    key: str         # glue key, or "" for hand-typed
    label: str
    snippet: str     # the first characters of the TeX (hand-typed) or key


FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z:-]+)\}[ \t]*(?P<arg>.*)$")
CODE_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(?![`~{])")  # a plain code block, not a directive
DOLLARS = re.compile(r"\$\$(.+?)\$\$(?:[ \t]*\((?P<label>[^)\n]+)\))?", re.S)
AMS = re.compile(r"^[ \t]*\\begin\{(align|equation|gather|multline|alignat|flalign)\*?\}", re.M)


def _options(lines: list[str], start: int) -> tuple[dict, int]:
    opts, i = {}, start
    while i < len(lines) and re.match(r"^[ \t]*:[a-z_-]+:", lines[i]):
        name, _, value = lines[i].strip()[1:].partition(":")
        opts[name] = value.strip()
        i += 1
    return opts, i


def displays_in(text: str, page: str, unit: str) -> list[Display]:
    """Every display equation in one markdown source, in order."""
    found: list[Display] = []
    lines = text.splitlines()
    prose: list[str] = []  # text outside math directives and code blocks
    i = 0
    while i < len(lines):
        line = lines[i]
        code = CODE_FENCE.match(line)
        if code:  # a plain code block: skip to its closing fence
            fence = code.group(1)
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                i += 1
            i += 1
            continue
        m = FENCE.match(line)
        if m and m.group("name") in ("math", "glue:math"):
            opts, j = _options(lines, i + 1)
            fence = m.group("fence")
            body = []
            while j < len(lines) and lines[j].strip() != fence:
                body.append(lines[j])
                j += 1
            classes = opts.get("class", "").split()
            label = opts.get("label", opts.get("name", ""))
            if m.group("name") == "glue:math":
                key = m.group("arg").strip()
                found.append(Display(page, unit, "glued", "glue:math", key, label, key))
            else:
                kinds = [c for c in classes if c in HAND_KINDS]
                kind = kinds[0] if len(kinds) == 1 else "unmarked"
                tex = " ".join(" ".join(body).split())
                found.append(Display(page, unit, kind, "math", "", label, tex[:60]))
            i = j + 1
            continue
        prose.append(line)
        i += 1
    rest = "\n".join(prose)
    for m in DOLLARS.finditer(rest):
        tex = " ".join(m.group(1).split())
        found.append(Display(page, unit, "unmarked", "$$", "", m.group("label") or "", tex[:60]))
    without = DOLLARS.sub("", rest)
    for m in AMS.finditer(without):
        found.append(Display(page, unit, "unmarked", "amsmath", "", "",
                             without[m.start():m.start() + 60].strip()))
    return found


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def glue_records(nb: dict) -> dict[str, dict]:
    """key -> the glued mime bundle, for every glue(...) record stored in the notebook."""
    records = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            meta = out.get("metadata", {}).get("scrapbook", {})
            key = meta.get("name")
            if key and any(k.startswith("application/papermill.record/") for k in data):
                records[key] = {k.split("application/papermill.record/", 1)[1]: v
                                for k, v in data.items()
                                if k.startswith("application/papermill.record/")}
    return records


def text_of(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def pages() -> list[tuple[str, Path]]:
    """(entry, path) of every page in the table of contents."""
    return [(entry, source_of(entry)) for entry in toc_files() if source_of(entry)]


def markdown_units(path: Path) -> list[tuple[str, str]]:
    """(unit, markdown text): a notebook's markdown cells by id, or a whole .md page."""
    if path.suffix == ".md":
        return [("page", path.read_text(encoding="utf-8"))]
    nb = load_notebook(path)
    return [(cell.get("id", f"cell {n}"), text_of(cell["source"]))
            for n, cell in enumerate(nb["cells"]) if cell["cell_type"] == "markdown"]


def equation_outputs(entry: str, path: Path) -> list[Display]:
    """Asserted equations shown as the visible output of a code cell."""
    found = []
    for cell in code_cells(entry, path):
        if not cell.outputs_visible:
            continue
        for out in cell.outputs:
            plain = text_of(out.get("data", {}).get("text/plain", ""))
            if plain.startswith(EQUATION_MARK):
                tex = plain[len(EQUATION_MARK):].strip()
                found.append(Display(entry, cell.id, "output", "output", "", "", tex[:60]))
    return found


def all_displays(*, outputs: bool = False) -> list[Display]:
    """Every display in the markdown of every page; with ``outputs``, also the
    asserted equations that code cells show."""
    found = []
    for entry, path in pages():
        for unit, text in markdown_units(path):
            found.extend(displays_in(text, entry, unit))
        if outputs and path.suffix == ".ipynb":
            found.extend(equation_outputs(entry, path))
    return found


@dataclass(frozen=True)
class CodeCell:
    page: str
    index: int       # position among the notebook's cells
    id: str
    tags: frozenset
    lines: int       # non-blank source lines
    source: str
    outputs: list

    @property
    def removed(self) -> bool:
        return bool(self.tags & REMOVED)

    @property
    def source_visible(self) -> bool:
        return not (self.tags & (REMOVED | NO_INPUT | FOLDED))

    @property
    def outputs_visible(self) -> bool:
        return not (self.tags & (REMOVED | {"remove-output", "remove_output"}))


def code_cells(entry: str, path: Path) -> list[CodeCell]:
    nb = load_notebook(path)
    found = []
    for n, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = text_of(cell["source"])
        if not source.strip():
            continue
        found.append(CodeCell(entry, n, cell.get("id", ""), frozenset(tags(cell)),
                              sum(1 for line in source.splitlines() if line.strip()),
                              source, cell.get("outputs", [])))
    return found


def notebook_pages() -> list[tuple[str, Path]]:
    return [(entry, path) for entry, path in pages() if path.suffix == ".ipynb"]


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))
