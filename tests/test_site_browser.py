"""The built site, opened in headless Chromium with no network.

Every page must typeset all of its math offline. MathJax fails in three ways,
and each is caught here:

* a TeX syntax error gives an ``mjx-merror`` element;
* an undefined macro is drawn in red (an ``mjx-mtext`` with a red colour);
* unbalanced braces leave a ``.math`` element with no ``mjx-container`` inside.

No page may load a script, stylesheet or font from another host.

Run after building: ``jupyter-book build . -W --keep-going``. Locally the test
skips when Chromium or the build is missing; with ``CI=true`` that is a failure.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from booktools import built_pages, chromium, dump_dom, HTML, need, source_of, toc_files

PAGES = built_pages()

MATH_OPEN = re.compile(r'<(span|div)\b[^>]*class="(?:[^"]* )?math(?: [^"]*)?"[^>]*>')
EXTERNAL = re.compile(r"^(https?:)?//", re.I)
RESOURCE_TAG = re.compile(r"<(script|link|img|iframe|source|video|audio)\b[^>]*>", re.I)
URL_ATTR = re.compile(r'\b(src|href)="([^"]*)"', re.I)
LOADING_REL = re.compile(r'rel="[^"]*\b(stylesheet|preload|modulepreload|prefetch|icon)\b', re.I)
CSS_URL = re.compile(r"(?:url\(\s*['\"]?|@import\s+['\"])([^'\")\s]+)", re.I)
# The element, not the word: MathJax's own stylesheet in the DOM mentions mjx-merror.
MERROR = re.compile(r'<mjx-merror\b[^>]*?(?:\sdata-mjx-error="([^"]*)")?[^>]*>')
# A numbered equation starts with its number, then the typeset math.
EQNO = re.compile(r'^\s*<span class="eqno">.*?</span>', re.S)
RED_MTEXT = re.compile(r'<mjx-mtext\b[^>]*style="[^"]*color:\s*(red|rgb\(255,\s*0,\s*0\)|#f00\b|#ff0000)', re.I)


@pytest.fixture(scope="module")
def doms():
    browser = chromium()
    need(browser is not None, "Chromium is not installed (apt-get install chromium)")
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")

    def dump(page: Path) -> str:
        return dump_dom(page.as_uri(), browser=browser)

    existing = [p for p in PAGES if p.exists()]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(existing, pool.map(dump, existing)))


def test_every_toc_page_was_built():
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    missing = [p.name for p in PAGES if not p.exists()]
    assert not missing, f"pages missing from _build/html: {missing}"


def test_the_build_is_not_stale():
    """A stale build would let a broken equation in a notebook pass unseen."""
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    stale = []
    for entry, page in zip(toc_files(), PAGES):
        src = source_of(entry)
        if src and page.exists() and src.stat().st_mtime > page.stat().st_mtime:
            stale.append(src.name)
    assert not stale, f"sources changed after the last build, rebuild first: {stale}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_math_is_typeset_offline(doms, page):
    dom = doms.get(page)
    assert dom is not None, f"{page.name} was not built"
    errors = MERROR.findall(dom)
    assert not errors, f"{page.name}: MathJax reported {len(errors)} TeX error(s): {errors[:3]}"
    red = RED_MTEXT.findall(dom)
    assert not red, f"{page.name}: {len(red)} undefined macro(s) drawn in red"
    untypeset = []
    for match in MATH_OPEN.finditer(dom):
        after = EQNO.sub("", dom[match.end():match.end() + 600], count=1).lstrip()
        if not after.startswith("<mjx-container"):
            untypeset.append(after[:80])
    assert not untypeset, f"{page.name}: {len(untypeset)} math element(s) left untypeset, e.g. {untypeset[:3]}"


def _external_refs(html: str) -> list[str]:
    refs = []
    for match in RESOURCE_TAG.finditer(html):
        tag, name = match.group(0), match.group(1).lower()
        if name == "link" and not LOADING_REL.search(tag):
            continue  # e.g. rel="canonical": a link, not a resource the page loads
        url = URL_ATTR.search(tag)
        if url and EXTERNAL.match(url.group(2)):
            refs.append(f"<{name} {url.group(1)}={url.group(2)}>")
    return refs


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_external_scripts_styles_or_fonts(doms, page):
    assert page.exists(), f"{page.name} was not built"
    static = page.read_text(encoding="utf-8")
    refs = _external_refs(static) + _external_refs(doms.get(page, ""))
    assert not refs, f"{page.name} loads resources from the network: {sorted(set(refs))}"


def test_stylesheets_load_no_remote_fonts_or_imports():
    need(HTML.is_dir(), "the site is not built; run: jupyter-book build . -W --keep-going")
    bad = []
    for css in HTML.rglob("*.css"):
        for url in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            if EXTERNAL.match(url):
                bad.append(f"{css.relative_to(HTML)}: {url}")
    assert not bad, f"stylesheets reference remote resources: {bad[:10]}"


def test_pages_contain_typeset_math(doms):
    """The test must be able to fail: at least the first chapter has math."""
    assert any("<mjx-container" in dom for dom in doms.values()), "no page contains typeset math"
