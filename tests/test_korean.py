"""The Korean edition (issue 13): translations in step with the English, complete,
faithful to its glued numbers, references and math, consistent in its terms, and
a site as good as the English one.

The translations are ``book/ko/<page>.md`` (``.ci/ko/korean_edition.py`` explains
units and format; ``python tests/tools/ko.py status`` prints where they stand).

* **staleness**: a unit whose stored sha is not the sha of today's English source
  (the English changed after it was translated), or a unit the English no longer has;
* **completeness**: every unit has a translation that is not ``todo`` or ``fuzzy``
  and is Korean (a unit whose text is still the English fails);
* **preserved spans**: every glue role, cross-reference, citation, term, math span,
  code span, link target, label, directive line and directive option of a unit's
  English appears in its translation unchanged (a multiset). Roles with a title
  (``{ref}`title <target>```, ``{term}`우도 <likelihood>```) are compared by target,
  so titles may be translated; a ``{term}`` by its glossary entry. A directive's
  title (``{prf:theorem} Title``, ``{exercise} Title``) is translated, so only
  ``fence{name}`` is kept for those;
* **terms**: the Korean chapters use the glossary's Korean term (its first Korean
  term for an English one), never the alternatives, for the key concepts
  :data:`KEY_TERMS`;
* **built pages** (``_build/html/ko``): at least 60% of the letters of each
  page's prose (outside math, code and cell outputs, which come from the English
  notebooks unchanged, and the bibliography's entries) are Hangul; each page's
  glued numbers and typeset formulas are those of the English page;
* **browser**: every Korean page passes the English pages' checks (axe-core, light
  and dark for two pages; console errors; page and DOM budgets; MathML for screen
  readers; alt text, in Korean); search finds Korean words with particles.

Everything skips with a reason when the Korean edition is switched off (its line
in ``_config.yml``'s ``sphinx.local_extensions``).
"""
from __future__ import annotations

import collections
import html as htmllib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from booktools import HTML, ROOT, chromium, need

sys.path.insert(0, str(ROOT / ".ci" / "ko"))
import korean_edition as ke  # noqa: E402

KO_HTML = HTML / "ko"


def edition_on(root: Path = ROOT) -> bool:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return ke.EXTENSION in ((config.get("sphinx") or {}).get("local_extensions") or {})


pytestmark = pytest.mark.skipif(
    not edition_on(), reason="the Korean edition is switched off: _config.yml's "
    "sphinx.local_extensions has no korean_edition line")

PAGES = ke.all_pages(ROOT)


# ------------------------------------------------------------------ the checks


def stale_units(name: str, root: Path = ROOT) -> list[str]:
    """Units of a page translated from another English text than today's, and
    translated units that the English no longer has."""
    page = ke.load_page(name, root)
    units = {u.key: u for u in page.units}
    trans = ke.read_translations(ke.translation_path(name, root))
    bad = [f"{key}: translated from sha {t.sha}, the English is now {units[key].sha}"
           for key, t in trans.items() if key in units and t.sha != units[key].sha]
    bad += [f"{key}: the English has no such unit any more" for key in trans if key not in units]
    return bad


def incomplete_units(name: str, root: Path = ROOT) -> list[str]:
    page = ke.load_page(name, root)
    trans = ke.read_translations(ke.translation_path(name, root))
    bad = []
    for unit in page.units:
        t = trans.get(unit.key)
        if t is None:
            bad.append(f"{unit.key}: no translation")
        elif t.todo:
            bad.append(f"{unit.key}: marked todo (still the English text)")
        elif t.fuzzy:
            bad.append(f"{unit.key}: marked fuzzy")
        elif not ke.HANGUL.search(t.text) or t.text.strip() == unit.source.strip():
            bad.append(f"{unit.key}: the text is not Korean")
    return bad


def glossary_entries(root: Path = ROOT) -> dict[str, list[tuple[str, list[str]]]]:
    """Each glossary entry (by its first term, lower case): its English terms, each
    with the Korean terms listed right after it."""
    page = ke.load_page("book/glossary", root)
    entries = {}
    for unit in page.units:
        if not unit.key.startswith("term:"):
            continue
        lines = [line.strip() for line in unit.source.splitlines() if line.strip() and not line.startswith(" ")]
        pairs: list[tuple[str, list[str]]] = []
        for line in lines:
            if ke.HANGUL.search(line):
                if pairs:
                    pairs[-1][1].append(line)
            else:
                pairs.append((line, []))
        entries[lines[0].lower()] = pairs
    return entries


def term_index(root: Path = ROOT) -> dict[str, str]:
    """Every glossary term, English or Korean, lower case: its entry."""
    index = {}
    for entry, pairs in glossary_entries(root).items():
        for english, korean in pairs:
            index[english.lower()] = entry
            for k in korean:
                index[k.lower()] = entry
    return index


ROLE = re.compile(r"(?<![\w\\^}])\{(?P<role>[\w:-]+)\}`(?P<body>[^`]*)`")
# a role, or a code span (scanned together, left to right, so that the braces of
# a code span such as `\sigma_{weight}` are not taken for a role)
ROLE_OR_CODE = re.compile(r"(?:(?<![\w\\^}])\{(?P<role>[\w:-]+)\})?(?P<ticks>`+)(?P<body>.+?)(?<!`)(?P=ticks)(?!`)",
                          re.S)
TITLED_ROLES = {"ref", "numref", "doc", "term", "prf:ref", "eq", "download", "abbr"}
TITLED_DIRECTIVES = re.compile(r"^(prf:.*|admonition|exercise|solution|dropdown|topic|sidebar|card|"
                               r"tab-item|note|warning|tip|important|hint|seealso|caution|attention)$")
TRANSLATED_OPTIONS = {"alt", "caption", "title", "figwidth-title"}
DISPLAY_MATH = re.compile(r"\$\$.*?\$\$(?:\s*\([^)\n]*\))?", re.S)
# Inline math may break across one line (not a blank line: a paragraph ends there).
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:[^$\\\n]|\\.|\n(?![ \t]*\n))+?\$")
ENV_MATH = re.compile(r"\\begin\{(?P<env>[a-z*]+)\}.*?\\end\{(?P=env)\}", re.S)
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
LABEL_LINE = re.compile(r"^\s*\(([^)\s]+)\)=\s*$", re.M)
OPTION_LINE = re.compile(r"^\s*:([\w-]+):(?:[ \t]+(.*?))?\s*$", re.M)
DIRECTIVE_LINE = re.compile(r"^\s*(`{3,}|:{3,})\{([\w:-]+)\}(.*)$", re.M)
CLOSING_FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*$", re.M)


FENCE_LINE = re.compile(r"^[ \t]*(?P<f>`{3,}|~{3,}|:{3,})(?P<info>[^\n]*)$")


def fenced_code(text: str, found: collections.Counter | None = None) -> str:
    """The text without its fenced code blocks (each counted whole in ``found``);
    directive fences (```` ```{name} ```` and their closing fences) stay.

    >>> fenced_code("```{note}\\nA\\n```\\n\\n```python\\nx = 1\\n```\\nB\\n")
    '```{note}\\nA\\n```\\n\\n \\nB\\n'
    """
    lines = text.splitlines(keepends=True)
    out, stack, i = [], [], 0
    while i < len(lines):
        m = FENCE_LINE.match(lines[i].rstrip("\n"))
        if m is None:
            out.append(lines[i])
            i += 1
            continue
        fence, info = m["f"], m["info"].strip()
        if info.startswith("{"):
            stack.append(fence)
        elif not info and stack and fence[0] == stack[-1][0] and len(fence) >= len(stack[-1]):
            stack.pop()
        elif fence[0] == ":":  # a colon fence is never code
            pass
        else:  # a code block: up to its closing fence
            j = i + 1
            while j < len(lines) and not re.match(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$",
                                                  lines[j].rstrip("\n")):
                j += 1
            if found is not None:
                found["".join(lines[i:j + 1]).strip()] += 1
            out.append(" \n")
            i = j + 1
            continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def _role_span(name: str, body: str, terms: dict[str, str]) -> str:
    if name in TITLED_ROLES:
        target = re.search(r"<([^<>]+)>\s*$", body)
        target = target[1] if target else body
        if name == "term":
            target = terms.get(target.strip().lower(), target.strip().lower())
        return f"{{{name}}}`<{target.strip()}>`"
    return f"{{{name}}}`{body}`"


def preserved_spans(text: str, terms: dict[str, str] | None = None) -> collections.Counter:
    """What a translation must keep of a unit, as a multiset (see the docstring).

    >>> s = preserved_spans("See {numref}`Figure {number} <fig-a>` and $x^2$, `code`, {glue:text}`v:.2f`.")
    >>> sorted(s)
    ['$x^2$', '`code`', '{glue:text}`v:.2f`', '{numref}`<fig-a>`']
    >>> preserved_spans("{term}`우도 <likelihood>`", {"likelihood": "likelihood"}) == \\
    ...     preserved_spans("{term}`likelihood`", {"likelihood": "likelihood"})
    True
    >>> sorted(preserved_spans("the post's `s_{weight}` and {ref}`x <y>`"))
    ['`s_{weight}`', '{ref}`<y>`']
    """
    terms = terms or {}
    found: collections.Counter = collections.Counter()

    def keep(m):
        found[m.group(0).strip()] += 1
        return " "

    rest = fenced_code(text, found)
    for m in DIRECTIVE_LINE.finditer(rest):
        if TITLED_DIRECTIVES.match(m[2]):
            found[f"{m[1]}{{{m[2]}}}"] += 1
        else:
            found[m.group(0).strip()] += 1
    for m in OPTION_LINE.finditer(rest):
        if m[1] not in TRANSLATED_OPTIONS:
            found[f":{m[1]}: {m[2] or ''}".strip()] += 1
    rest = DIRECTIVE_LINE.sub(" ", OPTION_LINE.sub(" ", rest))
    rest = CLOSING_FENCE.sub(keep, rest)
    rest = LABEL_LINE.sub(keep, rest)

    def role_or_code(m):
        if m["role"]:
            found[_role_span(m["role"], m["body"], terms)] += 1
        else:
            found[m.group(0)] += 1
        return " "

    rest = ROLE_OR_CODE.sub(role_or_code, rest)
    for pattern in (DISPLAY_MATH, ENV_MATH, INLINE_MATH, LINK_TARGET):
        rest = pattern.sub(keep, rest)
    return found


def altered_spans(name: str, root: Path = ROOT) -> list[str]:
    page = ke.load_page(name, root)
    trans = ke.read_translations(ke.translation_path(name, root))
    terms = term_index(root)
    bad = []
    for unit in page.units:
        t = trans.get(unit.key)
        if t is None or t.todo or t.sha != unit.sha:  # a stale unit fails the staleness test
            continue
        want, got = preserved_spans(unit.source, terms), preserved_spans(t.text, terms)
        missing, extra = want - got, got - want
        if missing or extra:
            bad.append(f"{unit.key}: missing {sorted(missing)}; not in the English {sorted(extra)}")
    return bad


# English entry (lower case) -> Korean words that must not stand for it, besides the
# entry's other Korean terms for the same English term.
KEY_TERMS = {
    "likelihood": ["가능도"],
    "maximum likelihood estimation": ["최대가능도", "최우추정"],
    "parameter": ["매개변수"],
    "hyperparameter": ["초매개변수", "하이퍼 파라미터"],
    "weight decay": ["가중치 감소", "가중치 붕괴"],
    "noise": ["잡음"],
}


def key_term_choices(root: Path = ROOT) -> dict[str, tuple[str, list[str]]]:
    """English term -> (the Korean term the edition uses, the alternatives it must not)."""
    entries = glossary_entries(root)
    choices = {}
    for english, extra in KEY_TERMS.items():
        assert english in entries, f"the glossary has no entry {english!r}"
        korean = dict(entries[english])[entries[english][0][0]]
        assert korean, f"the glossary gives no Korean term for {english!r}"
        choices[english] = (korean[0], korean[1:] + extra)
    return choices


def _visible_role_text(m) -> str:
    """What a role shows: its title, or for an untitled {term} the term itself;
    an untitled {numref}`fig-noise-paths` shows a number, not its label's words."""
    if m["role"] not in TITLED_ROLES:
        return " "
    body = m["body"]
    if re.search(r"<[^<>]+>\s*$", body):
        return re.sub(r"\s*<[^<>]+>\s*$", "", body)
    return body if m["role"] == "term" else " "


def prose(text: str) -> str:
    """A unit's text without code, math, roles' targets, quotes of the post
    (blockquote lines) and HTML tags: what a reader reads as words."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    text = fenced_code(text)
    text = ROLE_OR_CODE.sub(_visible_role_text, text)
    for pattern in (DISPLAY_MATH, ENV_MATH, INLINE_MATH):
        text = pattern.sub(" ", text)
    return re.sub(r"<[^>]+>", " ", text)


def term_problems(name: str, root: Path = ROOT) -> list[str]:
    page = ke.load_page(name, root)
    trans = ke.read_translations(ke.translation_path(name, root))
    choices = key_term_choices(root)
    bad = []
    for unit in page.units:
        t = trans.get(unit.key)
        if t is None or t.todo:
            continue
        english, korean = prose(unit.source).lower(), prose(t.text)
        for term, (chosen, wrong) in choices.items():
            if name != "book/glossary":  # the glossary lists the alternatives
                for w in wrong:
                    if w in korean:
                        bad.append(f"{unit.key}: {w!r} for {term!r}; the glossary's term is {chosen!r}")
            current = t.sha == unit.sha  # a stale unit is reported by the staleness test
            if current and re.search(rf"\b{re.escape(term)}s?\b", english) and chosen not in korean:
                bad.append(f"{unit.key}: the English says {term!r}, the Korean lacks {chosen!r}")
    return bad


# ------------------------------------------------------------------ unit tests


@pytest.mark.parametrize("name", PAGES)
def test_translations_are_not_stale(name):
    bad = stale_units(name)
    assert not bad, (f"{name}: {len(bad)} unit(s) changed in English since they were translated "
                     f"(re-check each, then `python tests/tools/ko.py rehash {name} <unit>`):\n"
                     + "\n".join(bad))


@pytest.mark.parametrize("name", PAGES)
def test_translations_are_complete(name):
    bad = incomplete_units(name)
    assert not bad, (f"{name}: {len(bad)} unit(s) not translated "
                     f"(`python tests/tools/ko.py skeleton {name}` writes the missing ones):\n"
                     + "\n".join(bad))


@pytest.mark.parametrize("name", PAGES)
def test_translations_keep_roles_references_and_math(name):
    bad = altered_spans(name)
    assert not bad, f"{name}: spans altered or missing in the translation:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", PAGES)
def test_korean_follows_the_glossarys_terms(name):
    bad = term_problems(name)
    assert not bad, f"{name}: Korean terms that are not the glossary's:\n" + "\n".join(bad)


def test_the_glossary_says_which_korean_term_for_likelihood():
    choices = key_term_choices()
    assert choices["likelihood"][0] == "우도" and "가능도" in choices["likelihood"][1]
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    assert re.search(r"Korean edition uses the first Korean term", text), \
        "the glossary no longer says which Korean terms the edition uses"


def test_units_rebuild_every_markdown_page_exactly():
    """The split of a markdown page loses nothing: its pieces give the page back."""
    for name in PAGES:
        page = ke.load_page(name)
        if page.kind == "md":
            text = "".join(p if isinstance(p, str) else p.source for p in page.pieces)
            assert text == page.path.read_text(encoding="utf-8"), name


def test_every_reader_visible_string_of_a_notebook_is_a_unit():
    """Every markdown cell with words, every caption and every alt text."""
    for name in PAGES:
        page = ke.load_page(name)
        if page.kind != "ipynb":
            continue
        keys = {u.key for u in page.units}
        for cell in page.notebook["cells"]:
            meta = cell.get("metadata", {}).get("mystnb", {})
            if cell["cell_type"] == "markdown" and ke._words(ke._source(cell)):
                assert cell["id"] in keys, f"{name}: markdown cell {cell['id']} is no unit"
            if meta.get("figure", {}).get("caption"):
                assert f"{cell['id']}.caption" in keys
            if meta.get("image", {}).get("alt"):
                assert f"{cell['id']}.alt" in keys


# ------------------------------------------- each check can fail (a scratch book)

MINI_INTRO = """# Intro title

Some words about the {term}`likelihood` and $x^2$.

## Second part

More words here.
"""
MINI_CHAPTER = ("# Chapter\n\nThe likelihood of $w$ is {glue:text}`n_fish` fish, see {doc}`intro` "
                "and {cite}`bishop2006prml`; $\\sigma_w$ is the prior width.")
MINI_KO = {
    "book/intro": {"h:intro-title": "# 소개 제목", "intro-title:1": "{term}`우도 <likelihood>`와 $x^2$에 대한 말.",
                   "h:second-part": "## 둘째 부분", "second-part:1": "여기에 더 많은 말."},
    "book/ch": {"ch-00": ("# 장\n\n$w$의 우도는 물고기 {glue:text}`n_fish` 마리이며, {doc}`intro`와 "
                          "{cite}`bishop2006prml`을 보라. $\\sigma_w$는 사전분포의 폭이다."),
                "ch-01.caption": "물고기 그림", "ch-01.alt": "물고기의 길이와 무게를 찍은 산점도"},
    "_site": {"title": "작은 책", "author": "저자들", "toc:part": "부"},
}


def mini_book(tmp_path: Path) -> Path:
    """A two-page book with the real glossary, translated and current."""
    root = tmp_path / "mini"
    (root / "book" / "ko").mkdir(parents=True)
    (root / "_config.yml").write_text("title: A small book\nauthor: The authors\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts:\n  - caption: Part\n"
                                   "    chapters:\n      - file: book/ch\n      - file: book/glossary\n",
                                   encoding="utf-8")
    (root / "book" / "intro.md").write_text(MINI_INTRO, encoding="utf-8")
    shutil.copy(ROOT / "book" / "glossary.md", root / "book" / "glossary.md")
    nb = {"cells": [{"cell_type": "markdown", "id": "ch-00", "metadata": {}, "source": MINI_CHAPTER},
                    {"cell_type": "code", "id": "ch-01", "execution_count": 1, "outputs": [], "source": "1",
                     "metadata": {"mystnb": {"figure": {"caption": "A fish", "name": "fig-fish"},
                                             "image": {"alt": "A scatter of fish"}}}}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "book" / "ch.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    for name, texts in MINI_KO.items():
        page = ke.load_page(name, root)
        assert [u.key for u in page.units] == list(texts), [u.key for u in page.units]
        ke.write_translations(ke.translation_path(name, root), name,
                              [ke.Translation(u.key, u.sha, texts[u.key]) for u in page.units])
    for name in MINI_KO:
        assert not stale_units(name, root) and not incomplete_units(name, root), name
        assert not altered_spans(name, root) and not term_problems(name, root), name
    return root


def _edit(root: Path, name: str, key: str, old: str, new: str) -> None:
    """Change the English source of one unit."""
    page = ke.load_page(name, root)
    if page.kind == "ipynb":
        nb = json.loads(page.path.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c.get("id") == key)
        cell["source"] = ke._source(cell).replace(old, new, 1)
        page.path.write_text(json.dumps(nb), encoding="utf-8")
    else:
        page.path.write_text(page.path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name, key, word", [("book/ch", "ch-00", "prior"),
                                             ("book/intro", "second-part:1", "More words")])
def test_staleness_catches_one_changed_word(tmp_path, name, key, word):
    root = mini_book(tmp_path)
    _edit(root, name, key, word, word + "s")
    bad = stale_units(name, root)
    assert len(bad) == 1 and bad[0].startswith(key + ":"), bad


def test_completeness_catches_a_deleted_translation(tmp_path):
    root = mini_book(tmp_path)
    path = ke.translation_path("book/ch", root)
    trans = ke.read_translations(path)
    ke.write_translations(path, "x", [t for k, t in trans.items() if k != "ch-01.alt"])
    assert incomplete_units("book/ch", root) == ["ch-01.alt: no translation"]


def test_completeness_catches_english_left_as_the_translation(tmp_path):
    """What `ko.py skeleton` writes for a new unit is English marked todo; without the
    mark it is still no translation."""
    root = mini_book(tmp_path)
    path = ke.translation_path("book/ch", root)
    trans = ke.read_translations(path)
    trans["ch-01.caption"].text = "A fish"
    ke.write_translations(path, "x", list(trans.values()))
    assert incomplete_units("book/ch", root) == ["ch-01.caption: the text is not Korean"]
    trans["ch-01.caption"].fuzzy = True
    ke.write_translations(path, "x", list(trans.values()))
    assert incomplete_units("book/ch", root) == ["ch-01.caption: marked fuzzy"]


@pytest.mark.parametrize("old, new, what", [
    ("{glue:text}`n_fish`", "100", "glue"),
    (r"$\sigma_w$", r"$\sigma_{w}$", "math"),
    ("{cite}`bishop2006prml`", "", "cite"),
    ("{doc}`intro`", "{doc}`glossary`", "doc"),
])
def test_altered_spans_are_caught(tmp_path, old, new, what):
    root = mini_book(tmp_path)
    path = ke.translation_path("book/ch", root)
    trans = ke.read_translations(path)
    assert old in trans["ch-00"].text
    trans["ch-00"].text = trans["ch-00"].text.replace(old, new, 1)
    ke.write_translations(path, "x", list(trans.values()))
    bad = altered_spans("book/ch", root)
    assert len(bad) == 1 and bad[0].startswith("ch-00:"), f"a changed {what} span went unnoticed: {bad}"


def test_a_wrong_term_is_caught(tmp_path):
    root = mini_book(tmp_path)
    path = ke.translation_path("book/ch", root)
    path.write_text(path.read_text(encoding="utf-8").replace("$w$의 우도는", "$w$의 가능도는", 1),
                    encoding="utf-8")
    bad = term_problems("book/ch", root)
    assert any("'가능도'" in b for b in bad) and any("lacks '우도'" in b for b in bad), bad


def test_skeleton_keeps_translations_and_marks_changes(tmp_path):
    """ko.py skeleton on a changed page: the changed unit fuzzy (old sha kept), a new
    unit todo with its English, the others untouched; rehash accepts one unit, and
    refuses a unit that is still English."""
    root = mini_book(tmp_path)
    sys.path.insert(0, str(ROOT / "tests" / "tools"))
    import ko

    _edit(root, "book/intro", "second-part:1", "More words", "More and other words")
    intro = root / "book" / "intro.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\nA new paragraph at the end.\n",
                     encoding="utf-8")
    old = ke.read_translations(ke.translation_path("book/intro", root))
    saved = ko.ROOT
    ko.ROOT = root
    try:
        ko.main(["skeleton", "book/intro"])
        new = ke.read_translations(ke.translation_path("book/intro", root))
        changed = new["second-part:1"]
        assert changed.fuzzy and changed.sha == old["second-part:1"].sha and changed.text == old["second-part:1"].text
        assert new["second-part:2"].todo and new["second-part:2"].text == "A new paragraph at the end."
        assert all(new[k].text == t.text for k, t in old.items())
        assert incomplete_units("book/intro", root) == ["second-part:1: marked fuzzy",
                                                        "second-part:2: marked todo (still the English text)"]
        assert [b.split(": ")[0] for b in stale_units("book/intro", root)] == ["second-part:1"]
        ko.main(["rehash", "book/intro", "second-part:1"])
        assert not stale_units("book/intro", root)
        with pytest.raises(SystemExit):
            ko.main(["rehash", "book/intro", "second-part:2"])  # still English: refused
    finally:
        ko.ROOT = saved


def test_korean_search_terms():
    assert "우도" in ke.korean_terms("우도는") and "우도" in ke.korean_terms("최대우도추정을")
    assert set(ke.korean_terms("우도", query=True)) <= set(ke.korean_terms("우도를"))
    assert not set(ke.korean_terms("우도는", query=True)) <= set(ke.korean_terms("우도를"))


# ------------------------------------------------------------- the built pages


def _built(page: str) -> tuple[str, str]:
    need((KO_HTML / page).is_file(), f"the Korean edition is not built ({KO_HTML / page}); "
         "run: jupyter-book build . -W --keep-going")
    return (HTML / page).read_text(encoding="utf-8"), (KO_HTML / page).read_text(encoding="utf-8")


def article(page_html: str) -> str:
    m = re.search(r'<article class="bd-article"[^>]*>(.*?)</article>', page_html, re.S)
    return m.group(1) if m else page_html


def _drop_elements(text: str, tag: str, attr_pattern: str = "") -> str:
    """Remove each <tag ...attr_pattern...> element, nested ones of the same tag included."""
    opener = re.compile(rf"<{tag}\b[^>]*{attr_pattern}[^>]*>", re.S)
    any_tag = re.compile(rf"<(/?){tag}\b[^>]*>", re.S)
    while (m := opener.search(text)) is not None:
        depth, pos = 0, m.start()
        for t in any_tag.finditer(text, m.start()):
            depth += -1 if t[1] else 1
            if depth == 0:
                text = text[:m.start()] + " " + text[t.end():]
                break
        else:
            text = text[:m.start()]
        if pos == m.start() and opener.search(text, pos) is m:
            break
    return text


def page_prose(page_html: str) -> str:
    """The prose of a built page: its article without formulas, code, cell outputs,
    the bibliography's entries, scripts, styles and tags."""
    text = article(page_html)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<mjx-container\b.*?</mjx-container>", " ", text, flags=re.S)
    for tag, attr in (("div", r'class="[^"]*\bcell_output\b'), ("div", r'class="[^"]*\bhighlight\b'),
                      ("pre", ""), ("code", ""), ("div", r'class="[^"]*\bcitation\b'),
                      ("dl", r'class="[^"]*\bcitation\b'), ("div", r'class="[^"]*\bbibliography\b')):
        text = _drop_elements(text, tag, attr)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", text))


def hangul_share(text: str) -> tuple[float, int]:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 1.0, 0
    return sum(1 for c in letters if ke.HANGUL.match(c)) / len(letters), len(letters)


def toc_page_files() -> list[str]:
    return [f"{name}.html" for name in ke.toc_pages(ROOT)]


@pytest.mark.parametrize("page", toc_page_files())
def test_korean_page_is_mostly_hangul(page):
    """Chapters under translation fail here until their translation is complete."""
    _, ko_html = _built(page)
    share, letters = hangul_share(page_prose(ko_html))
    assert share >= 0.6, f"ko/{page}: only {share:.0%} of {letters:,} letters of its prose are Hangul"


def glued(page_html: str) -> collections.Counter:
    return collections.Counter(re.findall(r'<span class="pasted-[\w-]+"[^>]*>(.*?)</span>', article(page_html),
                                          re.S))


def formulas(page_html: str) -> collections.Counter:
    found = re.findall(r"<mjx-container\b.*?</mjx-container>", article(page_html), re.S)
    return collections.Counter(re.sub(r'\s(?:id|href)="[^"]*"', "", f) for f in found)


@pytest.mark.parametrize("page", toc_page_files())
def test_korean_page_has_the_english_numbers_and_formulas(page):
    en, ko = _built(page)
    assert glued(ko) == glued(en), (f"ko/{page}: glued values differ: only English "
                                   f"{sorted((glued(en) - glued(ko)).elements())[:8]}, only Korean "
                                   f"{sorted((glued(ko) - glued(en)).elements())[:8]}")
    missing, extra = formulas(en) - formulas(ko), formulas(ko) - formulas(en)
    assert not missing and not extra, (f"ko/{page}: {sum(missing.values())} formulas of the English page "
                                       f"missing, {sum(extra.values())} not in it")


def test_the_number_and_formula_checks_can_fail():
    en, _ = _built("book/notation.html")
    assert glued(en) and formulas(en)
    changed = en.replace('<span class="pasted-text">', '<span class="pasted-text">9', 1)
    assert glued(changed) != glued(en)
    mjx = re.search(r"<mjx-container\b.*?</mjx-container>", en, re.S).group(0)
    assert formulas(en.replace(mjx, "", 1)) != formulas(en)
    share, _ = hangul_share(page_prose(en))
    assert share < 0.6, "the English page passes the Hangul check"


@pytest.mark.parametrize("page", toc_page_files() + ["search.html", "genindex.html"])
def test_language_and_switch(page):
    en, ko = _built(page)
    assert re.search(r'<html[^>]*\blang="ko"', ko), f"ko/{page} is not lang=ko"
    assert re.search(r'<html[^>]*\blang="en"', en), f"{page} is not lang=en"
    depth = page.count("/")
    to_ko = re.search(r'class="btn btn-sm edition-switch" href="([^"]+)"', en)
    to_en = re.search(r'class="btn btn-sm edition-switch" href="([^"]+)"', ko)
    assert to_ko and to_en, f"{page}: no language switch"
    assert (HTML / Path(page).parent / to_ko[1]).resolve() == (KO_HTML / page).resolve()
    assert (KO_HTML / Path(page).parent / to_en[1]).resolve() == (HTML / page).resolve(), depth


LABELS = ["Skip to main content", "Back to top", "Contents", "Search this book", "previous page",
          "next page", "Color mode", "Toggle primary sidebar", "Show code cell", "Link to this heading",
          "Download this page", "Print to PDF", 'aria-label="Main"', "Launch interactive content"]


@pytest.mark.parametrize("page", ["book/fish_problem.html", "book/notation.html", "search.html"])
def test_theme_labels_are_korean(page):
    _, ko = _built(page)
    left = [label for label in LABELS if label in ko]
    assert not left, f"ko/{page}: English labels of the theme: {left}"


# -------------------------------------------------------------------- browser

from test_site_a11y import (DARK, DOM_BUDGET, axe_script, axe_violations, browser,  # noqa: E402,F401
                            image_problems, serious)
from site_visits import DESKTOP, PHONE, audit, fit_of, named, phone_problems, unscrollable  # noqa: E402
from tools import page_weight  # noqa: E402


def ko_pages() -> list[str]:
    pages = [f"ko/{p}" for p in toc_page_files()]
    if KO_HTML.is_dir():
        pages += [f"ko/{p.name}" for p in sorted(KO_HTML.glob("*.html")) if p.name != "index.html"]
    return pages


KO_PAGES = ko_pages()
KO_DARK_PAGES = ["ko/book/fish_problem.html", "ko/book/glossary.html"]


def ko_audit(browser, pages, *, dark=False):
    """The English audit (``site_visits.audit``) of Korean pages: one visit each,
    weighed, audited by axe and, in the light theme, measured at 1280 and 390 px."""
    need(KO_HTML.is_dir(), "the Korean edition is not built; run: jupyter-book build . -W --keep-going")
    return audit(browser, pages, dark=dark, fits=not dark)


@pytest.fixture(scope="module")
def ko_visits(browser):
    return ko_audit(browser, KO_PAGES)


@pytest.fixture(scope="module")
def ko_dark_visits(browser):
    return ko_audit(browser, KO_DARK_PAGES, dark=True)


@pytest.mark.parametrize("page", KO_PAGES)
def test_korean_page_in_the_browser(ko_visits, page):
    """axe-core, console errors, DOM budget and math for screen readers, as for English."""
    assert page in ko_visits, f"{page} was not built"
    load = ko_visits[page]
    bad = serious(axe_violations(load, page))
    assert not bad, f"{page}: serious/critical accessibility violations:\n" + "\n".join(bad)
    assert not load.console, f"{page}: console errors: {load.console[:5]}"
    bare = load.elements - load.typeset_elements
    assert bare <= DOM_BUDGET, f"{page}: {bare:,} DOM elements besides math and code"
    assert load.dom.count("<mjx-assistive-mml") == load.dom.count("<mjx-container")
    assert not load.external and not load.missing, (load.external, load.missing)


@pytest.mark.parametrize("page", KO_DARK_PAGES)
def test_korean_page_in_dark_mode(ko_dark_visits, page):
    dom = ko_dark_visits[page].dom
    assert re.search(r'<html[^>]*data-theme="dark"', dom), f"{page} did not switch to dark mode"
    bad = serious(axe_violations(ko_dark_visits[page], page))
    assert not bad, f"{page} (dark): serious/critical violations:\n" + "\n".join(bad)


@pytest.mark.parametrize("page", KO_PAGES)
def test_korean_page_fits_a_phone_and_the_desktop_column(ko_visits, page):
    """The English layout checks (tests/site_visits.py), on the Korean page: no page
    wider than 390 px, every display formula fits at 1280 px, and one too wide for
    a phone scrolls in its box with the cue."""
    assert page in ko_visits, f"{page} was not built"
    bad = phone_problems(fit_of(ko_visits, page, PHONE))
    assert not bad, f"{page} at {PHONE} px: " + "; ".join(bad)
    eqs = fit_of(ko_visits, page, DESKTOP)["equations"]
    assert not eqs, f"{page} at {DESKTOP} px:\n" + "\n".join(named(e) for e in eqs)
    bad = unscrollable(fit_of(ko_visits, page, PHONE))
    assert not bad, f"{page} at {PHONE} px:\n" + "\n".join(bad)


def test_korean_pages_are_within_the_weight_budget(ko_visits):
    over = {p: (load.total, load.gzip_total) for p, load in ko_visits.items()
            if load.total > page_weight.BUDGET_BYTES or load.gzip_total > page_weight.GZIP_BUDGET_BYTES}
    assert not over, f"Korean pages over budget: {over}"


def figure_alts(page_html: str) -> list[str]:
    return [htmllib.unescape(m) for m in re.findall(r'<img\b[^>]*src="[^"]*_images/[^"]*"[^>]*alt="([^"]*)"',
                                                     page_html)
            + re.findall(r'<img\b[^>]*alt="([^"]*)"[^>]*src="[^"]*_images/[^"]*"', page_html)]


@pytest.mark.parametrize("page", KO_PAGES)
def test_korean_figures_have_korean_alt_text(ko_visits, page):
    """Every image has alt text (the English policy); a figure's is Korean. Chapters
    under translation fail here until their alt texts are translated."""
    dom = ko_visits[page].dom
    assert not image_problems(dom), f"{page}: images without alt text"
    english = [a[:60] for a in figure_alts(dom) if not ke.HANGUL.search(a)]
    assert not english, f"{page}: figures whose alt text is not Korean: {english}"


SEARCH_HITS = """
new Promise(function (ok) {
  var start = Date.now();
  (function poll() {
    var done = document.querySelector("#search-results p.search-summary, .search-summary");
    if ((done && done.textContent.trim()) || Date.now() - start > 8000) { ok(); } else { setTimeout(poll, 200); }
  })();
}).then(function () {
  return Array.from(document.querySelectorAll("ul.search li a")).map(function (a) { return a.getAttribute("href"); });
})
"""

MINI_CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["korean_edition"]
language = {lang!r}
korean_edition_role = "mini"
html_theme = "basic"
"""


def mini_site(tmp: Path, lang: str) -> Path:
    """A two-page site: one page says only 우도는, the other only 우도를."""
    src = tmp / f"src-{lang}"
    src.mkdir()
    (src / "conf.py").write_text(MINI_CONF.format(ext=str(ROOT / ".ci" / "ko"), lang=lang), encoding="utf-8")
    (src / "index.rst").write_text("색인\n====\n\n.. toctree::\n\n   a\n   b\n", encoding="utf-8")
    (src / "a.rst").write_text("가\n==\n\n우도는 파라미터의 함수다.\n", encoding="utf-8")
    (src / "b.rst").write_text("나\n==\n\n최대우도추정을 한다.\n", encoding="utf-8")
    out = tmp / f"html-{lang}"
    subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)], check=True)
    return out


def search(browser, root: Path, page: str, query: str) -> list[str]:
    with page_weight.serve(root) as base:
        load = page_weight.first_visit(browser, page, base=base, root=root, query="?q=" + query,
                                       run=SEARCH_HITS)
    return load.result or []


def test_search_finds_a_korean_word_with_its_particle(browser):
    """우도 finds the page that has only 우도는, and the compound 최대우도추정을; 우도는
    finds only the first. Sphinx's own splitting (language en) finds neither: the
    check can fail."""
    with tempfile.TemporaryDirectory() as tmp:
        ko = mini_site(Path(tmp), "ko")
        assert sorted(search(browser, ko, "search.html", "우도")) == ["a.html", "b.html"]
        assert search(browser, ko, "search.html", "우도는") == ["a.html"]
        en = mini_site(Path(tmp), "en")
        assert search(browser, en, "search.html", "우도") == []


def test_korean_site_search_finds_the_glossary(browser):
    need((KO_HTML / "search.html").is_file(), "the Korean edition is not built")
    hits = search(browser, HTML, "ko/search.html", "최대우도추정")
    assert any(h.startswith("book/glossary.html") for h in hits), hits
