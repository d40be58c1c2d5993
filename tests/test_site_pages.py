"""The reader's experience of the built site, beyond the math.

* Every chapter page has the launch buttons (Binder, Colab), the repository
  button and a download button; the downloaded notebook is the chapter itself.
* Search works offline: search.html loads its index from the site (in headless
  Chromium it finds the glossary for "likelihood": test_site_a11y.py, whose one
  browser makes every page visit).
* The two theme templates the book overrides, to keep pages light
  (_templates/: the theme's 1.4 MiB fontawesome.js, and the search index on
  pages other than search.html), still match the installed theme otherwise.
* The bibliography keeps the entries the book promises and renders without
  leftover TeX; the glossary gives every entry in English and in Korean, sorted,
  under letter headings linked from a letter index.

Locally the browser tests skip when Chromium or the build is missing; with
``CI=true`` that is a failure. The page-weight budget is enforced in
test_site_a11y.py, on the same visit as the accessibility audit.
"""
from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest
import yaml

from booktools import HTML, need, ROOT, source_of, toc_files


CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
# The chapters: the TOC entries written as notebooks (test_book_guard.py reports
# entries whose file is missing).
CHAPTERS = [e for e in toc_files() if source_of(e) is not None and source_of(e).suffix == ".ipynb"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


def _page(entry: str) -> str:
    page = HTML / f"{entry}.html"
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    assert page.exists(), f"{page.name} was not built"
    return page.read_text(encoding="utf-8")


# --- launch and download -------------------------------------------------------

def expected_links(entry: str) -> dict[str, str]:
    """The launch, repository and download links of a chapter, from _config.yml."""
    repo = CONFIG["repository"]["url"].rstrip("/")
    owner_repo = repo.removeprefix("https://github.com/")
    branch = CONFIG["repository"].get("branch", "main")
    path = f"{CONFIG['repository'].get('path_to_book', '').strip('/')}/{entry}.ipynb".lstrip("/")
    launch = CONFIG["launch_buttons"]
    ui = {"jupyterlab": "lab/tree", "classic": "tree"}[launch.get("notebook_interface", "classic")]
    depth = "../" * entry.count("/")
    return {
        "Binder": f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{owner_repo}/{branch}?urlpath={ui}/{path}",
        "Colab": f"{launch['colab_url'].rstrip('/')}/github/{owner_repo}/blob/{branch}/{path}",
        "repository": repo,
        "download": f"{depth}_sources/{entry}.ipynb",
    }


def test_launch_and_download_buttons_are_configured():
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    assert CONFIG["html"]["use_download_button"] is True
    assert CONFIG["html"]["use_repository_button"] is True
    assert CONFIG["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_chapter_has_launch_and_download_buttons(entry):
    page = html.unescape(_page(entry))
    hrefs = set(re.findall(r'href="([^"]*)"', page))
    missing = {name: url for name, url in expected_links(entry).items() if url not in hrefs}
    assert not missing, f"{entry}.html lacks these buttons (or they point elsewhere): {missing}"


@pytest.mark.parametrize("entry", CHAPTERS)
def test_downloaded_notebook_is_the_chapter(entry):
    _page(entry)
    downloaded = HTML / "_sources" / f"{entry}.ipynb"
    assert downloaded.is_file(), f"the download button of {entry}.html points to a missing file"
    assert downloaded.read_bytes() == (ROOT / f"{entry}.ipynb").read_bytes(), (
        f"{downloaded} differs from {entry}.ipynb; rebuild the site")


# --- search, offline -----------------------------------------------------------

def test_search_page_loads_its_index_locally():
    page = _page("search")
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]*)"', page)
    assert "searchindex.js" in [s.split("?")[0] for s in scripts], "search.html does not load searchindex.js"
    remote = [s for s in scripts if re.match(r"^(https?:)?//", s)]
    assert not remote, f"search.html loads scripts from the network: {remote}"
    assert (HTML / "searchindex.js").is_file()


# --- the theme ----------------------------------------------------------------

def _without_comments(text: str) -> list[str]:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return [line.strip() for line in text.splitlines() if line.strip()]


def _theme_file(name: str) -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / name


def _block(text: str, name: str) -> list[str]:
    block = re.search(r"\{%%-? block %s %%\}(.*?)\{%%-? endblock %s %%\}" % (name, name), text, re.S)
    assert block, f"no {name} block"
    return _without_comments(block.group(1))


def test_layout_override_matches_the_installed_theme():
    """_templates/layout.html replaces the theme's `extrahead` block by the same
    block without the search scripts. If the theme changes, this fails."""
    theirs = _theme_file("layout.html").read_text(encoding="utf-8")
    # drop the {% if pagename == 'search' %} ... {% endif %} that loads the search scripts
    theirs = re.sub(r"\{% if pagename == 'search' %\}.*?\{% endif %\}", "", theirs, flags=re.S)
    ours = (ROOT / "_templates" / "layout.html").read_text(encoding="utf-8")
    assert _block(ours, "extrahead") == _block(theirs, "extrahead")


THEME_LINE = 'document.documentElement.dataset.theme = localStorage.getItem("theme") || "{{ default_mode }}";'


def test_css_override_is_the_theme_s_with_the_theme_resolved():
    """_templates/layout.html's `css` block is the theme's, but for the line that
    writes data-theme: ours resolves "auto" there. If the theme changes, this fails."""
    theirs = _block(_theme_file("layout.html").read_text(encoding="utf-8"), "css")
    ours = _block((ROOT / "_templates" / "layout.html").read_text(encoding="utf-8"), "css")
    assert THEME_LINE in theirs, "the theme no longer writes data-theme as the override expects"
    start, end = ours.index("(function (d) {"), ours.index("})(document.documentElement.dataset);")
    resolved = ours[start:end + 1]
    assert any("matchMedia" in line for line in resolved)
    assert ours[:start] + ours[end + 1:] == [line for line in theirs if line != THEME_LINE]


def test_only_the_search_page_loads_the_search_index():
    """Other pages send the search box's query to search.html instead."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    for entry in toc_files():
        page = HTML / f"{entry}.html"
        if not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        assert "searchindex.js" not in text, f"{page.name} loads the search index"
        depth = "../" * entry.count("/")
        assert f'action="{depth}search.html"' in text, f"{page.name}: the search box does not go to search.html"


def test_theme_macro_override_matches_the_installed_theme():
    """_templates/static/webpack-macros.html is the theme's file minus one script.
    If the theme changes, this fails: update the copy."""
    theirs = _theme_file("static/webpack-macros.html")
    ours = ROOT / "_templates" / "static" / "webpack-macros.html"
    expected = [line for line in _without_comments(theirs.read_text(encoding="utf-8"))
                if "fontawesome.js" not in line]
    assert _without_comments(ours.read_text(encoding="utf-8")) == expected


# --- meta descriptions and reproducible assets ------------------------------------

META_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"')


def test_every_page_has_a_meta_description():
    """From the page's first paragraph, or for a generated page (search, index)
    its title and the book's; never empty, never starting with a dash."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    pages = [HTML / f"{e}.html" for e in toc_files()] + sorted(
        p for p in HTML.glob("*.html") if p.name != "index.html")
    bad = {}
    for page in pages:
        if not page.exists():
            continue
        found = META_DESCRIPTION.findall(page.read_text(encoding="utf-8"))
        text = html.unescape(found[0]).strip() if len(found) == 1 else ""
        if len(found) != 1 or len(text) < 10 or not text[0].isalnum() or len(text) > 160:
            bad[page.name] = found
    assert not bad, f"pages without one good meta description: {bad}"


def test_icon_fonts_are_not_stamped_with_the_build_time():
    """The icons cut from Font Awesome (.ci/node/lean_theme.py) keep the source
    font's head.modified, so two builds give byte-identical files."""
    from fontTools.ttLib import TTFont

    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    pairs = {"fa-solid.woff": "fa-solid-900.ttf", "fa-brands.woff": "fa-brands-400.ttf"}
    for woff, ttf in pairs.items():
        cut = TTFont(HTML / "_static" / "icons" / woff)
        source = TTFont(HTML / "_static" / "vendor" / "fontawesome" / "webfonts" / ttf)
        assert cut["head"].modified == source["head"].modified, f"{woff} is stamped with its build time"


# --- bibliography and glossary -------------------------------------------------

REQUIRED_SOURCES = {
    "dlaiml2022mlemap": "dlaiml.tistory.com",  # the source post
    "bishop2006prml": None,
    "deisenroth2020mml": None,
    "loshchilov2019decoupled": None,
    "puranen1917fishcatch": "jse.amstat.org",  # the fish-catch data
    "nbval": "github.com/computationalmodelling/nbval",
    "jupyterbook2020": "10.5281/zenodo",
}


def test_bibliography_has_the_promised_sources():
    from pybtex.database import parse_file

    bib = parse_file(str(ROOT / "book" / "references.bib"))  # fails on a repeated key
    for key, where in REQUIRED_SOURCES.items():
        assert key in bib.entries, f"references.bib lacks {key}"
        if where:
            fields = bib.entries[key].fields
            link = fields.get("url", "") + fields.get("doi", "")
            assert where in link, f"{key}: expected a url or doi with {where!r}, got {link!r}"


def test_bibliography_renders_without_leftover_tex():
    page = _page("book/bibliography")
    listing = re.search(r'<div role="list" class="citation-list">(.*?)</div>\s*</div>', page, re.S)
    assert listing, "no citation list on the bibliography page"
    text = html.unescape(re.sub(r"<[^>]+>", "", listing.group(1)))
    leftovers = re.findall(r".{0,30}(?:\\[A-Za-z]+|[{}]).{0,30}", text)
    assert not leftovers, f"TeX left in the rendered bibliography: {leftovers[:5]}"
    assert len(re.findall(r'class="citation"', listing.group(1))) >= len(REQUIRED_SOURCES)


def test_bibliography_is_labelled_author_year_as_the_text_cites():
    """The text cites "[Bishop, 2006]" (bibtex_reference_style: author_year), and the
    bibliography is labelled the same way, not [1]-[20]."""
    page = _page("book/bibliography")
    labels = [html.unescape(l) for l in re.findall(
        r'<span class="label"><span class="fn-bracket">\[</span>([^<]*)<', page)]
    assert len(labels) >= len(REQUIRED_SOURCES)
    not_author_year = [l for l in labels if not re.fullmatch(r"\D+, (\d{4}|n\.d\.)[a-j]?", l)]
    assert not not_author_year, f"bibliography labels that are not author-year: {not_author_year}"
    cited = html.unescape(_page("book/map_ridge"))
    assert re.search(r">Dlaiml, 2022<", cited), "the text does not cite author-year"


def test_the_proof_index_is_not_built():
    """sphinx-proof's index (prf-prf.html) listed raw labels and was linked from
    nowhere; _config.yml builds no domain index."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    assert CONFIG["sphinx"]["config"]["html_domain_indices"] is False
    assert not (HTML / "prf-prf.html").exists()


def glossary_entries(text: str) -> list[list[str]]:
    """The terms of each entry of a MyST ``{glossary}`` block.

    >>> glossary_entries("```{glossary}\\nprior\\n사전확률\\n  p(w)\\n\\nMAP\\n  the mode\\n```")
    [['prior', '사전확률'], ['MAP']]
    """
    blocks = re.findall(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    assert blocks, "no {glossary} block"
    entries = []
    for block in blocks:
        terms = []
        for line in block.splitlines():
            if line and not line[0].isspace() and not line.startswith(":"):
                terms.append(line.strip())
            elif terms:
                entries.append(terms)
                terms = []
        if terms:
            entries.append(terms)
    return entries


def sort_key(term: str) -> list[str]:
    """Dictionary order: by words, case and punctuation ignored.

    >>> sorted(["Bayesian linear regression", "Bayes' theorem", "L2 loss", "lasso"], key=sort_key)
    ["Bayes' theorem", 'Bayesian linear regression', 'L2 loss', 'lasso']
    """
    return re.sub(r"[^a-z0-9]+", " ", term.lower()).split()


def test_glossary_is_sorted_with_a_letter_index():
    """Entries in alphabetical order of their English term, each under a heading
    of its first letter, and a line of links to those headings at the top."""
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    entries = glossary_entries(text)
    firsts = [e[0] for e in entries]
    assert firsts == sorted(firsts, key=sort_key), "glossary entries are not in alphabetical order"
    letters = sorted({f[0].upper() for f in firsts})
    sections = re.findall(r"\(glossary-([a-z])\)=\n## ([A-Z])\n\n```\{glossary\}\n(.*?)\n```", text, re.S)
    assert [s[1] for s in sections] == letters, "one section per first letter, in order"
    for label, letter, block in sections:
        assert label == letter.lower()
        assert all(e[0][0].upper() == letter for e in glossary_entries(f"```{{glossary}}\n{block}\n```"))
    index = re.search(r"^(\{ref\}`[A-Z] <glossary-[a-z]>`(?: · )?)+$", text, re.M)
    assert index, "no letter index at the top"
    assert re.findall(r"\{ref\}`([A-Z]) <", index.group(0)) == letters
    page = _page("book/glossary")
    assert all(f'id="glossary-{l.lower()}"' in page for l in letters), "a letter's heading has no anchor"


def test_glossary_gives_every_entry_in_english_and_korean():
    entries = glossary_entries((ROOT / "book" / "glossary.md").read_text(encoding="utf-8"))
    assert len(entries) >= 30
    one_sided = [e for e in entries if not (any(HANGUL.search(t) for t in e) and any(
        LATIN.search(t) and not HANGUL.search(t) for t in e))]
    assert not one_sided, f"glossary entries without both an English and a Korean term: {one_sided}"
    terms = [t.lower() for e in entries for t in e]
    assert len(terms) == len(set(terms)), "a glossary term is defined twice"


# Names, punctuation and whitespace in code are written as plain text, without a
# span each (.ci/node/lean_theme.py): that must look the same.
sys.path.insert(0, str(ROOT / ".ci" / "node"))
from lean_theme import PLAIN_CLASSES as PLAIN_CODE_CLASSES  # noqa: E402

assert PLAIN_CODE_CLASSES == ("n", "p", "w")


def pygments_rules(css: str, theme: str) -> dict[str, str]:
    """Each ``.highlight`` class's declarations in one theme, from Sphinx's
    pygments.css; the key ``""`` is the code block's own.

    >>> pygments_rules('html[data-theme="dark"] .highlight .n { color: #F8F8F2 } /* Name */', "dark")
    {'n': 'color: #F8F8F2'}
    """
    rules = {}
    for cls, body in re.findall(rf'html\[data-theme="{theme}"\] \.highlight(?: \.(\w+))? \{{([^}}]*)\}}', css):
        rules[cls] = body.strip()
    return rules


def _colour(body: str) -> str | None:
    m = re.search(r"(?<![-\w])color:\s*(#[0-9A-Fa-f]{3,8})", body)
    return m.group(1).lower() if m else None


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_plain_code_tokens_are_drawn_in_the_codes_own_colour(theme):
    """If a theme ever colours names, punctuation or whitespace, writing them
    without their span would change how code looks: this fails first."""
    css = HTML / "_static" / "pygments.css"
    need(css.is_file(), "the site is not built; run: jupyter-book build . -W --keep-going")
    rules = pygments_rules(css.read_text(encoding="utf-8"), theme)
    base = _colour(rules.get("", ""))
    assert base, f"no code colour for the {theme} theme in pygments.css"
    assert {"k", "s2", "mi"} <= rules.keys(), "the parser found none of pygments.css's token rules"
    for cls in PLAIN_CODE_CLASSES:
        body = rules.get(cls, "")
        assert _colour(body) in (None, base), f".{cls} is {_colour(body)} in the {theme} theme, not {base}"
        assert not re.search(r"font-(weight|style)|background|text-decoration", body), (
            f".{cls} is styled beyond its colour in the {theme} theme: {body}")


def test_code_is_written_without_a_span_per_plain_token():
    page = _page("book/map_ridge")
    blocks = re.findall(r'<div class="highlight"><pre>(.*?)</pre>', page, re.S)
    assert blocks, "no highlighted code on map_ridge"
    classes = re.findall(r'<span class="([^"]*)"', "".join(blocks))
    plain = [c for c in classes if c in PLAIN_CODE_CLASSES]
    assert not plain, f"{len(plain)} plain tokens still have a span each"
    assert {"k", "o", "mi"} <= set(classes), "code lost its colours"


E_NOTATION = re.compile(r'<span class="pasted-text">([^<]*\d[eE][-+]?\d[^<]*)</span>')


def test_glued_numbers_in_the_prose_are_not_in_e_notation():
    """A number pasted into the prose reads as a book writes it (3.7 × 10⁻⁷,
    mlemap.report.scientific or Bound), not as code prints it (3.7e-07)."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    pages = sorted(HTML.glob("book/*.html")) + sorted(HTML.glob("ko/book/*.html"))
    assert len(pages) >= 12
    found = {str(p.relative_to(HTML)): E_NOTATION.findall(p.read_text(encoding="utf-8")) for p in pages}
    found = {p: hits for p, hits in found.items() if hits}
    assert not found, f"numbers in e-notation in the prose: {found}"
    assert E_NOTATION.findall('<span class="pasted-text">3.7e-07</span>') == ["3.7e-07"]
