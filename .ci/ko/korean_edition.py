"""The Korean edition: a Sphinx extension, and the translation units it is made of.

One build command builds both editions (``jupyter-book build . -W --keep-going``):
English into ``_build/html/``, Korean into ``_build/html/ko/``. The Korean sources
are written from the English ones; only the prose is replaced:

* **Notebooks.** Each markdown cell is one translation unit, keyed by its cell id;
  a code cell's figure caption (``mystnb.figure.caption``) and alt text
  (``mystnb.image.alt``) are units ``<cell id>.caption`` and ``<cell id>.alt``.
  Code cells, their stored outputs and the glue data are copied unchanged, so every
  number is single-sourced.
* **Markdown pages** (intro, glossary, bibliography) are split into units: each
  heading (``h:<slug>``), each glossary entry (``term:<first term>``), and each
  other block of non-blank lines (``<section slug>:<n>``, the n-th block of its
  section), so editing one section does not re-key another. Label lines
  (``(name)=``), code fences and blocks without words are copied as they are.
* **The site** (``_site``): the book's title and author from ``_config.yml`` and
  the part captions of ``_toc.yml``.

The translations are ``book/ko/<page>.md``, one per page, reviewable as text: each
unit is a marker line ``<!-- unit: <key> sha: <12 hex> [fuzzy|todo] -->`` and its
Korean text. ``sha`` is the start of the SHA-256 of the English source the
translation was made from, so a changed English unit is seen as stale
(``tests/test_korean.py``; ``python tests/tools/ko.py status``). A unit with no
translation, ``todo`` or ``fuzzy`` is built with the English text (so that the
Korean build works while chapters are being translated) and fails the
completeness test.

The Korean build runs in a subprocess of its own (its own Sphinx application,
``language = "ko"``), started when the English build starts and awaited when it
finishes; a failure or a warning of the Korean build fails the English build with
the Korean build's log. Search in Korean (:class:`SearchKorean`), the theme's
labels in Korean (``locales/ko/LC_MESSAGES/sphinx.po`` beside this file) and the
language switch (``_templates/lang-switch.html``) are set up here too.

Switch: this extension's line in ``_config.yml`` (``sphinx.local_extensions``).
Without it, nothing of the Korean edition is built or linked.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
KO_DIR = "book/ko"  # the translation files, relative to the book's root
EXTENSION = "korean_edition"
SITE_PAGE = "_site"
MARKER = re.compile(r"^<!-- unit: (?P<key>\S+) sha: (?P<sha>[0-9a-f]{12})(?P<flags>(?: (?:fuzzy|todo))*) -->[ \t]*$",
                    re.M)
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")

# --------------------------------------------------------------------------- units


def sha(text: str) -> str:
    """The first 12 hex digits of the SHA-256 of a unit's English source.

    >>> sha("# Notation")
    '168ab1290ea5'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def slug(text: str) -> str:
    """A key from a heading or a term: lower case, words joined by hyphens.

    >>> slug("## What makes this book different")
    'what-makes-this-book-different'
    >>> slug("Bayes' theorem")
    'bayes-theorem'
    """
    text = re.sub(r"^#+\s*", "", text.strip()).lower()
    text = re.sub(r"[^\w\u00c0-\uffff]+", "-", text)
    return text.strip("-") or "x"


@dataclass
class Unit:
    key: str
    source: str  # the English text
    kind: str = "md"  # md | caption | alt | site

    @property
    def sha(self) -> str:
        return sha(self.source)


@dataclass
class Page:
    """A page split into units: ``pieces`` concatenated is the English source;
    each piece is a raw string or a :class:`Unit`."""
    name: str  # e.g. "book/intro"
    path: Path | None
    kind: str  # "ipynb" | "md" | "site"
    units: list[Unit] = field(default_factory=list)
    pieces: list = field(default_factory=list)
    notebook: dict | None = None

    @property
    def translation_file(self) -> str:
        return f"{KO_DIR}/{self.name.rsplit('/', 1)[-1]}.md"


def _words(text: str) -> bool:
    """Whether a block has words to translate: an alphabetic run of two letters or
    more outside math, roles, code, links' targets and labels.

    >>> _words("## A"), _words("{ref}`A <glossary-a>` · {ref}`B <glossary-b>`"), _words("$$x^2$$")
    (False, False, False)
    >>> _words("The book")
    True
    >>> _words("```{exercise}\\n:label: ex-a\\nShow it.\\n```\\n```{solution-start} ex-a\\n```")
    True
    >>> _words(":::{math}\\n:label: eq-a\\nx = 1\\n:::")
    False
    >>> _words("```{solution-start} ex-a\\n:class: dropdown\\n```"), _words("```{prf:proof} Of the rule\\n```")
    (False, True)
    """
    # Fence lines first: their backticks would pair up with those of the next
    # fence as inline code and hide everything between (an exercise's text).
    # A directive's title (after the {name}) may have words; its options do not,
    # except the reader-visible ones.
    # A one-token argument is a label or a glue key (``{solution-start} ex-a``),
    # not a title.
    text = re.sub(r"^[ \t]*(?:`{3,}|:{3,}|~{3,})(?:\{[\w:-]+\})?[ \t]*(.*)$",
                  lambda m: m.group(1) if " " in m.group(1).strip() else " ", text, flags=re.M)
    text = re.sub(r"^[ \t]*:(?!(?:alt|caption|title):)[\w-]+:.*$", " ", text, flags=re.M)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", " ", text)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", text)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"^\(.*\)=\s*$", " ", text, flags=re.M)
    return re.search(r"[^\W\d_]{2,}", text) is not None


FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})(?P<info>.*)$")
LABEL = re.compile(r"^\([^)]+\)=\s*$")
HEADING = re.compile(r"^#{1,6}\s")
# Directives whose body stays as it is: code, generated lists, math.
VERBATIM_DIRECTIVES = {"bibliography", "tableofcontents", "math", "code-cell", "code", "code-block",
                       "literalinclude", "include", "raw"}


def split_markdown(name: str, text: str) -> tuple[list[Unit], list]:
    """A markdown page as units and pieces (see the module docstring).

    >>> TEXT = "# Title\\n\\nOne.\\nTwo.\\n\\n```bash\\nls\\n```\\n\\n## Part two\\n\\nThree words.\\n"

    >>> units, pieces = split_markdown("p", TEXT)
    >>> [u.key for u in units]
    ['h:title', 'title:1', 'h:part-two', 'part-two:1']
    >>> "".join(p if isinstance(p, str) else p.source for p in pieces) == TEXT
    True
    """
    lines = text.splitlines(keepends=True)
    units: list[Unit] = []
    pieces: list = []
    section = "top"
    counts: dict[str, int] = {}
    seen: set[str] = set()

    def add_unit(key: str, block: list[str]):
        body = "".join(block)
        stripped = body.rstrip("\n")
        tail = body[len(stripped):]
        if not _words(stripped):
            pieces.append(body)
            return
        base, n = key, 2
        while key in seen:
            key, n = f"{base}~{n}", n + 1
        seen.add(key)
        unit = Unit(key, stripped)
        units.append(unit)
        pieces.append(unit)
        if tail:
            pieces.append(tail)

    def paragraph(block: list[str]):
        counts[section] = counts.get(section, 0) + 1
        add_unit(f"{section}:{counts[section]}", block)

    i = 0
    block: list[str] = []

    def flush():
        nonlocal block
        if block:
            paragraph(block)
            block = []

    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line.rstrip("\n"))
        if fence and not block:
            # a fenced block: find its end
            marker = fence["fence"]
            j = i + 1
            while j < len(lines) and not re.match(rf"^\s*{re.escape(marker[0])}{{{len(marker)},}}\s*$",
                                                  lines[j]):
                j += 1
            inner = lines[i + 1:j]
            closing = lines[j] if j < len(lines) else ""
            info = fence["info"].strip()
            directive = re.match(r"\{([\w:-]+)\}", info)
            if directive and directive[1] == "glossary":
                pieces.append(line)
                entry: list[str] = []
                for inner_line in inner:
                    if inner_line.strip():
                        entry.append(inner_line)
                        continue
                    if entry:
                        add_unit(f"term:{slug(entry[0])}", entry)
                        entry = []
                    pieces.append(inner_line)
                if entry:
                    add_unit(f"term:{slug(entry[0])}", entry)
                pieces.append(closing)
            elif directive is None or directive[1] in VERBATIM_DIRECTIVES:
                pieces.append("".join(lines[i:j + 1]))
            else:
                paragraph(lines[i:j + 1])
            i = j + 1
            continue
        if not line.strip():
            flush()
            pieces.append(line)
        elif LABEL.match(line):
            flush()
            pieces.append(line)
        elif HEADING.match(line):
            flush()
            section = slug(line)
            add_unit(f"h:{section}", [line])
        else:
            block.append(line)
        i += 1
    flush()
    return units, pieces


def _meta(cell: dict, *path):
    node = cell.get("metadata", {})
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def load_page(name: str, root: Path = ROOT) -> Page:
    """The units of one TOC page (``book/intro``) or of the site (``_site``)."""
    if name == SITE_PAGE:
        return site_page(root)
    nb = root / f"{name}.ipynb"
    if nb.exists():
        notebook = json.loads(nb.read_text(encoding="utf-8"))
        page = Page(name, nb, "ipynb", notebook=notebook)
        for cell in notebook["cells"]:
            cid = cell.get("id")
            if cell["cell_type"] == "markdown":
                text = _source(cell)
                if _words(text):
                    page.units.append(Unit(cid, text))
            elif cell["cell_type"] == "code":
                caption = _meta(cell, "mystnb", "figure", "caption")
                if caption:
                    page.units.append(Unit(f"{cid}.caption", caption, "caption"))
                alt = _meta(cell, "mystnb", "image", "alt")
                if alt:
                    page.units.append(Unit(f"{cid}.alt", alt, "alt"))
        return page
    md = root / f"{name}.md"
    page = Page(name, md, "md")
    page.units, page.pieces = split_markdown(name, md.read_text(encoding="utf-8"))
    return page


def toc_pages(root: Path = ROOT) -> list[str]:
    """Every page of ``_toc.yml``, in order (without suffix)."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return found


def toc_captions(root: Path = ROOT) -> list[str]:
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    return [part["caption"] for part in toc.get("parts", []) if part.get("caption")]


def site_page(root: Path = ROOT) -> Page:
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    page = Page(SITE_PAGE, None, "site")
    for key in ("title", "author"):
        if config.get(key):
            page.units.append(Unit(key, str(config[key]), "site"))
    for caption in toc_captions(root):
        page.units.append(Unit(f"toc:{slug(caption)}", caption, "site"))
    return page


def all_pages(root: Path = ROOT) -> list[str]:
    return toc_pages(root) + [SITE_PAGE]


def translation_path(name: str, root: Path = ROOT) -> Path:
    return root / KO_DIR / f"{name.rsplit('/', 1)[-1]}.md"


# ------------------------------------------------------------ translation files


@dataclass
class Translation:
    key: str
    sha: str
    text: str
    fuzzy: bool = False
    todo: bool = False


HEADER = ("<!-- Korean translation of {source}: one unit per marker line (unit key, sha of the "
          "English source it was translated from). See README, \"The Korean edition\". -->\n")


def read_translations(path: Path) -> dict[str, Translation]:
    """The units of a translation file, by key (an absent file has none)."""
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    marks = list(MARKER.finditer(text))
    found: dict[str, Translation] = {}
    for mark, after in zip(marks, marks[1:] + [None]):
        body = text[mark.end():after.start() if after else len(text)]
        body = body.strip("\n")
        flags = mark["flags"].split()
        if mark["key"] in found:
            raise ValueError(f"{path}: unit {mark['key']} appears twice")
        found[mark["key"]] = Translation(mark["key"], mark["sha"], body, "fuzzy" in flags, "todo" in flags)
    return found


def write_translations(path: Path, source: str, units: list[Translation]) -> None:
    parts = [HEADER.format(source=source)]
    for t in units:
        flags = (" fuzzy" if t.fuzzy else "") + (" todo" if t.todo else "")
        parts.append(f"\n<!-- unit: {t.key} sha: {t.sha}{flags} -->\n{t.text}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")


def page_source_name(page: Page) -> str:
    if page.kind == "site":
        return "_config.yml (title, author) and _toc.yml (part captions)"
    return str(page.path.relative_to(page.path.parents[1]))


def usable(unit: Unit, t: Translation | None) -> bool:
    """Whether a translation can stand in the Korean edition as it is."""
    return (t is not None and not t.todo and not t.fuzzy and t.sha == unit.sha
            and bool(t.text.strip()) and (HANGUL.search(t.text) is not None))


def korean_text(unit: Unit, t: Translation | None) -> str:
    """The text the Korean build uses: the translation if there is one that is not
    marked todo (a stale or fuzzy one is still the better reading), else the English."""
    if t is None or t.todo or not t.text.strip():
        return unit.source
    return t.text


def status(root: Path = ROOT) -> list[dict]:
    """Per page: units, translated (usable), stale, fuzzy, todo, missing."""
    rows = []
    for name in all_pages(root):
        page = load_page(name, root)
        trans = read_translations(translation_path(name, root))
        row = {"page": name, "units": len(page.units), "translated": 0, "stale": 0, "fuzzy": 0,
               "todo": 0, "missing": 0, "orphans": len(set(trans) - {u.key for u in page.units})}
        for unit in page.units:
            t = trans.get(unit.key)
            if t is None:
                row["missing"] += 1
            elif t.todo:
                row["todo"] += 1
            elif t.sha != unit.sha:
                row["stale"] += 1
            elif t.fuzzy:
                row["fuzzy"] += 1
            elif usable(unit, t):
                row["translated"] += 1
            else:
                row["todo"] += 1  # no Hangul: still the English
        rows.append(row)
    return rows


# ------------------------------------------------------------- Korean sources


def korean_notebook(page: Page, trans: dict[str, Translation]) -> dict:
    nb = copy.deepcopy(page.notebook)
    units = {u.key: u for u in page.units}
    for cell in nb["cells"]:
        cid = cell.get("id")
        if cell["cell_type"] == "markdown" and cid in units:
            cell["source"] = korean_text(units[cid], trans.get(cid))
        elif cell["cell_type"] == "code":
            if f"{cid}.caption" in units:
                cell["metadata"]["mystnb"]["figure"]["caption"] = korean_text(
                    units[f"{cid}.caption"], trans.get(f"{cid}.caption"))
            if f"{cid}.alt" in units:
                cell["metadata"]["mystnb"]["image"]["alt"] = korean_text(
                    units[f"{cid}.alt"], trans.get(f"{cid}.alt"))
    return nb


def korean_markdown(page: Page, trans: dict[str, Translation]) -> str:
    return "".join(p if isinstance(p, str) else korean_text(p, trans.get(p.key)) for p in page.pieces)


def _write_if_changed(path: Path, data: str | bytes) -> None:
    data_b = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == data_b:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data_b)


def _sync_tree(src: Path, dst: Path) -> set[Path]:
    written = set()
    for file in src.rglob("*"):
        if file.is_file() and "__pycache__" not in file.parts:
            target = dst / file.relative_to(src)
            _write_if_changed(target, file.read_bytes())
            written.add(target)
    return written


def write_korean_sources(root: Path, target: Path) -> None:
    """The Korean edition's book folder: Korean notebooks and pages, the English
    ones' outputs, a Korean ``_config.yml`` and ``_toc.yml``."""
    import yaml

    target.mkdir(parents=True, exist_ok=True)
    written: set[Path] = set()
    for name in toc_pages(root):
        page = load_page(name, root)
        trans = read_translations(translation_path(name, root))
        if page.kind == "ipynb":
            out = target / f"{name}.ipynb"
            _write_if_changed(out, json.dumps(korean_notebook(page, trans), ensure_ascii=False, indent=1) + "\n")
        else:
            out = target / f"{name}.md"
            _write_if_changed(out, korean_markdown(page, trans))
        written.add(out)
    site = site_page(root)
    site_trans = read_translations(translation_path(SITE_PAGE, root))
    texts = {u.key: korean_text(u, site_trans.get(u.key)) for u in site.units}
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        if part.get("caption"):
            part["caption"] = texts.get(f"toc:{slug(part['caption'])}", part["caption"])
    for key in ("title", "author"):
        if key in config:
            config[key] = texts.get(key, config[key])
    sphinx = config.setdefault("sphinx", {})
    sphinx["local_extensions"] = {name: str((root / path).resolve())
                                  for name, path in (sphinx.get("local_extensions") or {}).items()}
    conf = sphinx.setdefault("config", {})
    conf["language"] = "ko"
    conf["korean_edition_role"] = "ko"
    conf["nb_code_prompt_show"] = "코드 보기"
    conf["nb_code_prompt_hide"] = "코드 숨기기"
    config.setdefault("exclude_patterns", []).append(KO_DIR)
    for name, data in (("_config.yml", config), ("_toc.yml", toc)):
        out = target / name
        _write_if_changed(out, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        written.add(out)
    for shared in ("_static", "_templates"):
        if (root / shared).is_dir():
            written |= _sync_tree(root / shared, target / shared)
    for bib in config.get("bibtex_bibfiles", []):
        out = target / bib
        _write_if_changed(out, (root / bib).read_bytes())
        written.add(out)
    for file in list(target.rglob("*")):  # what an earlier run wrote and this one did not
        if file.is_file() and file not in written:
            file.unlink()


# --------------------------------------------------------------------- search


HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


def korean_terms(word: str, *, query: bool = False) -> list[str]:
    """A word as search terms: its Latin/digit parts as they are, and each run of
    Hangul syllables as its character bigrams (with its syllables too in the index,
    so a one-syllable query finds them). Korean attaches particles to words
    (우도는, 우도를), so whitespace words would miss; bigrams find 우도 in both, and
    in compounds such as 최대우도추정.

    >>> korean_terms("우도는")
    ['우', '도', '는', '우도', '도는']
    >>> korean_terms("우도는", query=True)
    ['우도', '도는']
    >>> korean_terms("MLE의", query=True)
    ['MLE', '의']
    """
    terms: list[str] = []
    pos = 0
    for run in HANGUL_RUN.finditer(word):
        if run.start() > pos:
            terms.append(word[pos:run.start()])
        syllables = run.group()
        if len(syllables) == 1:
            terms.append(syllables)
        else:
            if not query:
                terms.extend(syllables)
            terms.extend(syllables[i:i + 2] for i in range(len(syllables) - 1))
        pos = run.end()
    if pos < len(word):
        terms.append(word[pos:])
    return [t for t in terms if t]


JS_SPLITTER = r"""
/* Korean edition (.ci/ko/korean_edition.py, korean_terms): a query is split like
   the index, each run of Hangul syllables into its character bigrams. */
var splitQuery = function (query) {
  var terms = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).forEach(function (word) {
    word.split(/([\uac00-\ud7a3]+)/).forEach(function (part) {
      if (!part) return;
      if (/^[\uac00-\ud7a3]+$/.test(part) && part.length > 1) {
        for (var i = 0; i + 1 < part.length; i++) terms.push(part.substr(i, 2));
      } else {
        terms.push(part);
      }
    });
  });
  return terms;
};
"""


def search_language():
    from sphinx.search import SearchLanguage
    from sphinx.search.en import SearchEnglish

    class SearchKorean(SearchLanguage):
        """Korean: Hangul runs as syllables and bigrams (:func:`korean_terms`),
        Latin words as the English index has them (lower case, Porter-stemmed)."""
        lang = "ko"
        language_name = "Korean"
        js_stemmer_rawcode = SearchEnglish.js_stemmer_rawcode
        js_stemmer_code = SearchEnglish.js_stemmer_code
        js_splitter_code = JS_SPLITTER
        stopwords: set[str] = set()

        def init(self, options):
            self.english = SearchEnglish(options)

        def split(self, input: str) -> list[str]:
            out: list[str] = []
            for word in self._word_re.findall(input):
                out.extend(korean_terms(word))
            return out

        def stem(self, word: str) -> str:
            if HANGUL.search(word):
                return word
            return self.english.stem(word)

        def word_filter(self, word: str) -> bool:
            return bool(word) and (HANGUL.search(word) is not None or self.english.word_filter(word))

    return SearchKorean


# ------------------------------------------------------------------ the build


KO_BUILD = r"""
import sys
from jupyter_book.sphinx import build_sphinx
src, out, doctrees = sys.argv[1:4]
# as `jupyter-book build` calls it for a book (jupyter_book/cli/main.py)
overrides = {"external_toc_path": src + "/_toc.yml", "latex_individualpages": False}
result = build_sphinx(src, out, noconfig=True, path_config=src + "/_config.yml", doctreedir=doctrees,
                      confoverrides=overrides, warningiserror=True, keep_going=True, quiet=True)
sys.exit(result if isinstance(result, int) else 1)
"""


def _paths(app) -> tuple[Path, Path, Path, Path]:
    outdir = Path(app.outdir)
    build = outdir.parent  # <path-output>/_build
    return Path(app.srcdir), build / "ko_src", outdir / "ko", build / ".doctrees-ko"


def start_korean_build(app) -> None:
    """At the start of the English html build: write the Korean sources and start
    the Korean build beside it."""
    app._korean = None
    if app.config.korean_edition_role != "en" or app.builder.format != "html":
        return
    root, src, out, doctrees = _paths(app)
    started = time.monotonic()
    write_korean_sources(root, src)
    log = open(src.parent / "ko_build.log", "w", encoding="utf-8")
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.Popen([sys.executable, "-c", KO_BUILD, str(src), str(out), str(doctrees)],
                            stdout=log, stderr=subprocess.STDOUT, cwd=str(src), env=env)
    app._korean = (proc, log, started)


def finish_korean_build(app, exception) -> None:
    korean = getattr(app, "_korean", None)
    if korean is None:
        return
    proc, log, started = korean
    app._korean = None
    if exception is not None:
        proc.kill()
        proc.wait()
        log.close()
        return
    code = proc.wait()
    log.close()
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    text = Path(log.name).read_text(encoding="utf-8", errors="replace")
    problems = [line for line in text.splitlines() if re.search(r"WARNING|ERROR|Error|Traceback", line)]
    if code != 0 or problems:
        raise ExtensionError(
            "the Korean edition's build (into {}) exited with code {} and {} warning(s) or error(s); "
            "its log is {} (the last 40 lines of them below). A warning in an English page is "
            "usually in its Korean page too; to build the English edition alone, remove the "
            "korean_edition line from _config.yml.\n{}"
            .format(_paths(app)[2], code, len(problems), log.name,
                    "\n".join(problems[-40:] or text.splitlines()[-40:])))
    logging.getLogger(__name__).info("Korean edition built into %s (%.1f s)", _paths(app)[2],
                                     time.monotonic() - started)


# ------------------------------------------------------- language switch, labels


def other_edition(app, pagename: str) -> tuple[str, str, str]:
    """(href, hreflang, label) of the same page in the other edition, relative to
    the page (the Korean site is the ``ko/`` folder of the English one)."""
    here = posixpath.dirname(pagename)
    if app.config.korean_edition_role == "ko":
        target, lang, label = "../" + pagename + ".html", "en", "English"
    else:
        target, lang, label = "ko/" + pagename + ".html", "ko", "한국어"
    return posixpath.relpath(target, here or "."), lang, label


# The theme lays out one item at the article header's end; with the switch there
# are two, side by side (a rule this small is not worth a request of its own).
# On a phone the header's buttons fill the width: the switch gives up its padding
# (the Korean page's "English" made the header 393 px wide at 390 px).
SWITCH_CSS = (".header-article-items__end{display:flex;align-items:center}"
              ".edition-switch{font-size:.9rem;white-space:nowrap}"
              "@media (max-width:575.98px){.bd-header-article a.btn.edition-switch"
              "{padding-left:0;padding-right:.125rem}}")


def page_context(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html":
        return
    href, lang, label = other_edition(app, pagename)
    context["edition_switch"] = {"href": href, "lang": lang, "label": label,
                                 "title": ("이 쪽을 한국어로 읽기" if lang == "ko"
                                           else "Read this page in English")}
    # No <link rel="alternate" hreflang> in the head: search engines (and
    # Lighthouse's SEO audit) want an absolute URL there, and the book has no
    # published address yet. The visible switch carries hreflang; add the link
    # with html_baseurl once the site has its address.
    context["metatags"] = (context.get("metatags", "")
                           + f'\n<style id="edition-switch-css">{SWITCH_CSS}</style>')


LABELS_PO = HERE / "locales" / "ko" / "LC_MESSAGES" / "labels.po"
# Strings the theme writes without a message catalog: (file pattern, English, Korean)
UNTRANSLATED = [
    ("*.html", 'title="Toggle primary sidebar"', 'title="왼쪽 사이드바 열고 닫기"'),
    ("*.html", 'aria-label="Main"', 'aria-label="목차"'),
    ("*.html", '<nav aria-label="Page">', '<nav aria-label="쪽">'),
    ("_static/togglebutton.js", 'aria-label="Toggle hidden content"', 'aria-label="숨긴 내용 보기"'),
]


def labels() -> dict[str, str]:
    """The Korean labels of ``labels.po``, msgid to msgstr."""
    from babel.messages.pofile import read_po

    with LABELS_PO.open("rb") as f:
        catalog = read_po(f)
    return {m.id: m.string for m in catalog if m.id and m.string}


def install_labels(app) -> None:
    """In the Korean build: our labels first, then each domain's own catalog."""
    import gettext

    from sphinx import locale

    messages = labels()

    class Labels(gettext.NullTranslations):
        def gettext(self, message):
            if message in messages:
                return messages[message]
            return self._fallback.gettext(message) if self._fallback else message

        def ngettext(self, singular, plural, n):
            if n == 1 and singular in messages:
                return messages[singular]
            return self._fallback.ngettext(singular, plural, n) if self._fallback else (
                singular if n == 1 else plural)

    for key, translator in list(locale.translators.items()):
        if isinstance(translator, Labels):
            continue
        ours = Labels()
        ours.add_fallback(translator)
        locale.translators[key] = ours
        if translator is app.translator:
            app.translator = ours
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        # the theme's templates were given Sphinx's catalog when the builder started
        templates.environment.install_gettext_translations(app.translator)


def translate_untranslated(app, exception) -> None:
    """In the Korean build: the theme's few hard-coded English labels."""
    if exception is not None or app.builder.format != "html":
        return
    import fnmatch

    outdir = Path(app.outdir)
    for file in outdir.rglob("*"):
        rel = file.relative_to(outdir).as_posix()
        edits = [(en, ko) for pattern, en, ko in UNTRANSLATED
                 if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(file.name, pattern)
                 and "/" not in pattern]
        if not edits or not file.is_file():
            continue
        text = file.read_text(encoding="utf-8")
        new = text
        for en, ko in edits:
            new = new.replace(en, ko)
        if new != text:
            file.write_text(new, encoding="utf-8")


def configure(app, config) -> None:
    options = config.html_theme_options
    end = list(options.get("article_header_end") or ["article-header-buttons.html"])
    if "lang-switch.html" not in end:
        end.insert(0, "lang-switch.html")
    options["article_header_end"] = end
    if config.korean_edition_role == "ko":
        options["search_bar_text"] = "이 책에서 검색…"
        options["toc_title"] = "목차"
        app.connect("builder-inited", install_labels)
        app.connect("build-finished", translate_untranslated, priority=700)


def setup(app):
    app.add_config_value("korean_edition_role", "en", "html")
    app.add_search_language(search_language())
    app.connect("config-inited", configure)
    app.connect("builder-inited", start_korean_build)
    app.connect("html-page-context", page_context)
    # after the other extensions' build-finished steps (lean_theme: 600)
    app.connect("build-finished", finish_korean_build, priority=950)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
