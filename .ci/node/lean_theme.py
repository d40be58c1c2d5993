"""A lighter theme on every page, without forking it: a Sphinx extension.

* **Icons.** pydata-sphinx-theme draws its icons with Font Awesome's web fonts
  (156 KiB solid, 118 KiB brands) for about twenty glyphs. After the build, the
  glyphs that the pages and the stylesheets use are cut out of the theme's own
  TrueType files (fontTools, which matplotlib installs) into two small WOFF
  files, ``_static/icons/fa-solid.woff`` and ``fa-brands.woff``;
  ``_static/icons.css`` declares them under the theme's family names after the
  theme's stylesheet, so they replace its faces and the full fonts are never
  fetched.
* **No duplicate or unused scripts.** Jupyter Book adds sphinx-thebe's inline
  configuration twice (a ``SyntaxError: Identifier 'THEBE_JS_URL' has already
  been declared`` on every page); the book has no Thebe button, so its script,
  stylesheet and configuration are dropped. Any script or stylesheet listed
  twice is listed once. Every script file but ``documentation_options.js``
  (which an inline script uses at once) is deferred, so no script holds up the
  first paint; each starts its work on DOMContentLoaded, as before.
* **Only the CSS the pages use.** After the build, the rules of the theme's
  stylesheets that no page and no script can match are dropped from the built
  copies (:func:`purge_css`): 540 KiB of CSS become about 130 KiB.
* **Figures** as 256-colour PNGs where that changes no pixel visibly
  (:func:`palette_png`): about a third of their bytes.
* **Bibliography labels** author–year, as the text cites ("[Bishop, 2006]"),
  not numbers: the pybtex style ``authoryear`` registered here.
* **A meta description** per page, from its first paragraph (search engines
  show it; Lighthouse's SEO audit asks for it).
* **Code in fewer elements.** Pygments wraps every token of a code cell in a
  ``span``, and names, punctuation and whitespace, two thirds of them, are
  drawn in the code's own colour in both of the theme's styles. Those tokens
  are written as plain text (:class:`PlainTokens`), which removes about 3,000
  elements from a chapter page and looks the same;
  ``tests/test_site_pages.py`` checks that the styles still colour them so.

Enabled from ``_config.yml`` (``sphinx.local_extensions``).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from pygments.token import STANDARD_TYPES, Name, Punctuation, Text, Whitespace

ICON_DIR = "_static/icons"
# the theme's face, the file it is cut from, the file written
FACES = {
    "solid": ("vendor/fontawesome/webfonts/fa-solid-900.ttf", "fa-solid.woff"),
    "brands": ("vendor/fontawesome/webfonts/fa-brands-400.ttf", "fa-brands.woff"),
}
FA_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
FA_RULE = re.compile(r"((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:\"\\\\?(f[0-9a-f]{3}|e[0-9a-f]{3})\"\}")
ESCAPE = re.compile(r"\"\\(f[0-9a-f]{3}|e[0-9a-f]{3})\"")
DESCRIPTION_CHARS = 155
GENERATED_TITLES = {"search": "Search the book", "genindex": "Index"}


def description(doctree: nodes.document | None, title: str, project: str) -> str:
    """The page's first paragraph as plain text (formulas left out), cut at a word
    near 155 characters; for a generated page, its title and the book's.

    >>> from docutils.core import publish_doctree
    >>> description(publish_doctree("Title\\n=====\\n\\nThe *first* paragraph.\\n\\nSecond."), "T", "B")
    'The first paragraph.'
    >>> description(None, "Search", "The book")
    'Search – The book'
    >>> len(description(publish_doctree("word " * 100), "T", "B")) <= 156
    True
    """
    para = None
    if doctree is not None:
        para = next((p for p in doctree.findall(nodes.paragraph)
                     if not any(isinstance(a, (nodes.admonition, nodes.sidebar, nodes.field_list,
                                               nodes.footnote, nodes.citation))
                                for a in _ancestors(p)) and p.astext().strip()), None)
    if para is None:
        return f"{title} – {project}"
    parts = []
    for node in para.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
        if isinstance(node, nodes.math):
            parts.append(plain_tex(node.astext()))
        elif not any(isinstance(a, nodes.math) for a in _ancestors(node)):
            parts.append(node.astext())
    words = re.sub(r"\s+", " ", "".join(parts)).strip()
    words = re.sub(r"\[\s+", "[", re.sub(r"\s+([,.;:)\]])", r"\1", words))
    if len(words) > DESCRIPTION_CHARS:
        words = words[:DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return words


GREEK = {name: chr(code) for name, code in [
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
    ("varepsilon", 0x3B5), ("eta", 0x3B7), ("theta", 0x3B8), ("kappa", 0x3BA), ("lambda", 0x3BB),
    ("mu", 0x3BC), ("nu", 0x3BD), ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4),
    ("phi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9), ("Sigma", 0x3A3)]}


def plain_tex(tex: str) -> str:
    """A formula as plain text for a description: Greek letters as letters, other
    commands and braces dropped.

    >>> plain_tex(r"\\hat{w}_{\\mathrm{MAP}} = \\sigma^2")
    'w_MAP = σ^2'
    """
    tex = re.sub(r"\\([A-Za-z]+)", lambda m: GREEK.get(m.group(1), "|" if m.group(1) == "mid" else ""), tex)
    tex = re.sub(r"\\.", " ", tex)
    return re.sub(r"\s+", " ", tex.replace("{", "").replace("}", "")).strip()


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _name(asset) -> str:
    return getattr(asset, "filename", None) or str(asset)


# Scripts that an inline script of the page uses as it runs stay blocking (and all
# of search.html's, whose template adds blocking scripts that use them); every
# other script file waits until the page is parsed (``defer``, in order). Each
# of them starts its work on DOMContentLoaded or checks document.readyState, so
# deferred they do the same, without holding up the first paint.
BLOCKING_SCRIPTS = {"_static/documentation_options.js"}


def _deferred(asset):
    """A script file as a deferred one, unless it must block or is inline.

    >>> from sphinx.builders.html._assets import _JavaScript
    >>> _deferred(_JavaScript("_static/doctools.js", priority=200)).attributes
    {'defer': 'defer'}
    >>> _deferred(_JavaScript("_static/documentation_options.js")).attributes
    {}
    >>> _deferred(_JavaScript("", body="var x = 1;")).attributes
    {'body': 'var x = 1;'}
    """
    attributes = getattr(asset, "attributes", None)
    name = _name(asset)
    if (attributes is None or not name or "body" in attributes or name in BLOCKING_SCRIPTS
            or {"async", "defer"} & set(attributes) or attributes.get("type", "text/javascript")
            not in ("text/javascript", "module")):
        return asset
    return type(asset)(asset.filename, priority=asset.priority, **{**attributes, "defer": "defer"})


def lean_assets(app, pagename, templatename, context, doctree) -> None:
    """Drop Thebe and duplicates from the page's scripts and stylesheets; add the
    meta description."""
    for key in ("script_files", "css_files"):
        kept, seen = [], set()
        for asset in context.get(key, []):
            body = getattr(asset, "attributes", {}).get("body", "")
            name = _name(asset)
            if "thebe" in (name or "").lower() or "THEBE_JS_URL" in body:
                continue
            ident = (name, body)
            if ident in seen:
                continue
            seen.add(ident)
            # search.html's template loads searchtools.js itself, blocking, and it
            # uses doctools.js at once: that page keeps its scripts as they are.
            deferred = key == "script_files" and pagename != "search"
            kept.append(_deferred(asset) if deferred else asset)
        context[key] = kept
    # The theme reads the reader's light/dark choice, or this default; empty, it
    # logs "Got invalid theme mode" as an error on every first visit.
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    book = app.config.html_title or context.get("docstitle") or ""
    title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title", ""))).strip()
    # search.html and genindex.html set their titles in their templates, after this
    title = title or GENERATED_TITLES.get(pagename) or pagename.rsplit("/", 1)[-1].replace("-", " ").title()
    text = description(doctree, title, book)
    context["metatags"] = (context.get("metatags", "")
                           + f'\n<meta name="description" content="{html.escape(text, quote=True)}" />')


def used_codepoints(outdir: Path) -> dict[str, set[int]]:
    """The Font Awesome code points the built site uses: those of every ``fa-*``
    class in a page, and every icon in a stylesheet outside the ``.fa-*:before``
    rules, escaped or written as a private-use character (the theme's CSS icons:
    admonitions, toggles)."""
    static = outdir / "_static"
    theme_css = (static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    by_class = {}
    for selectors, code in FA_RULE.findall(theme_css):
        for name in re.findall(r"\.(fa-[a-z0-9-]+)", selectors):
            by_class[name] = int(code, 16)
    classes = set()
    for page in outdir.rglob("*.html"):
        classes |= set(FA_CLASS.findall(page.read_text(encoding="utf-8", errors="replace")))
    for js in static.rglob("*.js"):
        classes |= set(FA_CLASS.findall(js.read_text(encoding="utf-8", errors="replace")))
    codes = {by_class[c] for c in classes if c in by_class}
    for css in static.rglob("*.css"):
        text = FA_RULE.sub("", css.read_text(encoding="utf-8", errors="replace"))
        codes |= {int(code, 16) for code in ESCAPE.findall(text)}
        codes |= {ord(c) for c in text if 0xE000 <= ord(c) <= 0xF8FF}  # written as characters
    return {"solid": codes, "brands": codes}


def subset_icons(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from fontTools import subset
    from fontTools.ttLib import TTFont

    outdir = Path(app.outdir)
    target = outdir / ICON_DIR
    target.mkdir(parents=True, exist_ok=True)
    for face, codes in used_codepoints(outdir).items():
        source, name = FACES[face]
        # Not stamped with the time of the build (head.modified): two builds give
        # byte-identical fonts.
        font = TTFont(outdir / "_static" / source, recalcTimestamp=False)
        present = set(font.getBestCmap())
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codes & present) or [0x20])
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(target / name)


# Stylesheets whose unused rules are dropped from the built site (their sources
# are untouched). Together they are about 470 KiB, mostly rules for components the
# book never shows (Bootstrap's, sphinx-design's, Font Awesome's 2,000 icons).
PURGED_CSS = ("styles/pydata-sphinx-theme.css", "styles/sphinx-book-theme.css",
              "sphinx-design.min.css", "mystnb.*.css", "basic.css")
TOKEN = re.compile(r"[A-Za-z_][\w-]*")
PSEUDO_ARGS = re.compile(r"\((?:[^()]|\([^()]*\))*\)")


def site_tokens(outdir: Path) -> set[str]:
    """Every class and id in the built pages, and every word in the site's
    scripts (the classes that scripts add at run time are among them)."""
    tokens: set[str] = set()
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        for attr in re.findall(r'\b(?:class|id)="([^"]*)"', text):
            tokens.update(attr.split())
    for js in (outdir / "_static").rglob("*.js"):
        tokens.update(TOKEN.findall(js.read_text(encoding="utf-8", errors="replace")))
    return tokens


def selector_used(selector: str, tokens: set[str], *, elements: str = "") -> bool:
    """Whether a selector can match: each of its classes and ids occurs in the
    site (what is inside :not(), :is(), :has() ... is not required), and so does
    each element name that starts with ``elements``, if given (lower case).

    >>> selector_used(".btn.show > .x:not(.y)", {"btn", "show", "x"})
    True
    >>> selector_used(".card-header", {"btn"})
    False
    >>> selector_used("html[data-theme=dark] a:hover", set())
    True
    >>> [selector_used("mjx-stretchy-v mjx-c::before", {"mjx-c"}, elements=e) for e in ("", "mjx-")]
    [True, False]
    """
    bare = PSEUDO_ARGS.sub("", selector)
    bare = re.sub(r"\[[^\]]*\]", "", bare)
    names = re.findall(r"[.#](-?[A-Za-z_][\w-]*)", bare)
    if elements:
        names += [e.lower() for e in re.findall(r"(?<![\w.#-])(" + re.escape(elements) + r"[\w-]*)", bare, re.I)]
    return all(name in tokens for name in names)


def purge(css: str, tokens: set[str]) -> str:
    """The stylesheet without the rules that nothing in the site can match."""
    import tinycss2

    def rules(items):
        out = []
        for rule in items:
            if rule.type == "qualified-rule":
                selectors = [s.strip() for s in split_selectors(tinycss2.serialize(rule.prelude))]
                kept = [s for s in selectors if selector_used(s, tokens)]
                if kept:
                    out.append(",".join(kept) + "{" + tinycss2.serialize(rule.content) + "}")
            elif rule.type == "at-rule":
                if rule.content is not None and rule.lower_at_keyword in ("media", "supports", "layer", "container"):
                    inner = rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
                    if inner:
                        out.append("@" + rule.at_keyword + tinycss2.serialize(rule.prelude) + "{" + inner + "}")
                else:
                    out.append(tinycss2.serialize([rule]))
        return "".join(out)

    return rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas.

    >>> split_selectors("a, :is(b, c) d,e")
    ['a', ' :is(b, c) d', 'e']
    """
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(prelude):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return parts


def purge_css(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    tokens = site_tokens(outdir)
    for pattern in PURGED_CSS:
        for css in (outdir / "_static").glob(pattern):
            css.write_text(purge(css.read_text(encoding="utf-8"), tokens), encoding="utf-8")


def palette_png(data: bytes, *, max_error: float = 0.5) -> bytes | None:
    """A figure as a 256-colour PNG, if that is smaller and looks the same: a
    plot has few colours besides its anti-aliasing, and its pixels may change by
    at most ``max_error`` (of 255) on average per channel. Only opaque images.

    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO(); Image.new("RGB", (64, 64), (250, 250, 250)).save(buf, "PNG")
    >>> palette_png(buf.getvalue()) is None or len(palette_png(buf.getvalue())) < len(buf.getvalue())
    True
    """
    import io

    from PIL import Image, ImageChops, ImageStat

    with Image.open(io.BytesIO(data)) as img:
        if "A" in img.getbands() and img.getchannel("A").getextrema()[0] < 255:
            return None
        rgb = img.convert("RGB")
    small = rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    error = sum(ImageStat.Stat(ImageChops.difference(rgb, small.convert("RGB"))).mean) / 3
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    if error > max_error or out.tell() >= len(data):
        return None
    return out.getvalue()


def shrink_figures(app, exception) -> None:
    """Every figure in ``_images/`` as a 256-colour PNG where that looks the same
    (see :func:`palette_png`); the notebooks keep their stored PNGs."""
    if exception is not None or app.builder.format != "html":
        return
    for png in (Path(app.outdir) / "_images").glob("*.png"):
        small = palette_png(png.read_bytes())
        if small is not None:
            png.write_bytes(small)


def author_year_style():
    """pybtex's plain style with author–year labels ("Bishop, 2006", "Smith and
    Jones, 2020", "Kingma et al., 2015"), so that the bibliography is labelled as
    the text cites (``bibtex_reference_style: author_year``)."""
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            seen: dict[str, int] = {}
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                names = [" ".join(p.last_names) or " ".join(p.first_names) for p in people]
                names = [re.sub(r"[{}]", "", n) for n in names]
                if not names:
                    who = re.sub(r"[{}]", "", entry.fields.get("organization", entry.fields.get("title", "")))
                    who = who.split(":")[0][:30]
                elif len(names) == 1:
                    who = names[0]
                elif len(names) == 2:
                    who = f"{names[0]} and {names[1]}"
                else:
                    who = f"{names[0]} et al."
                label = f"{who}, {entry.fields.get('year', 'n.d.')}"
                seen[label] = seen.get(label, 0) + 1
                yield label if seen[label] == 1 else label + "abcdefghij"[seen[label] - 1]

    class AuthorYear(Plain):
        default_label_style = AuthorYearLabels

    return AuthorYear


def plain_tokens_filter():
    """A Pygments filter that makes names, punctuation and whitespace plain text
    (no ``span``); adjacent plain tokens are then written as one run of text.

    >>> from pygments.lexers import PythonLexer
    >>> lexer = PythonLexer()
    >>> lexer.add_filter(plain_tokens_filter())
    >>> [str(t) for t, v in lexer.get_tokens("f(x)") if v.strip()]
    ['Token.Text', 'Token.Text', 'Token.Text', 'Token.Text']
    >>> [str(t) for t, v in lexer.get_tokens("1 + y") if v.strip()]
    ['Token.Literal.Number.Integer', 'Token.Operator', 'Token.Text']
    """
    from pygments.filter import Filter

    class PlainTokens(Filter):
        def filter(self, lexer, stream):
            for ttype, value in stream:
                yield (Text if ttype in PLAIN_TOKENS else ttype), value

    return PlainTokens()


# The exact token types written as plain text, and their short CSS classes in
# Pygments' stylesheet (n, p, w; plain Text has none), which
# tests/test_site_pages.py checks the theme draws in the code's own colour.
PLAIN_TOKENS = frozenset({Name, Punctuation, Whitespace, Text})
PLAIN_CLASSES = tuple(sorted(STANDARD_TYPES[t] for t in PLAIN_TOKENS if STANDARD_TYPES[t]))


def _plain_lexer(base):
    class Plain(base):
        def __init__(self, **options):
            super().__init__(**options)
            self.add_filter(plain_tokens_filter())

    Plain.__name__ = "Plain" + base.__name__
    return Plain


def setup(app):
    from IPython.lib.lexers import IPython3Lexer
    from pybtex.plugin import register_plugin
    from pygments.lexers import PythonConsoleLexer, PythonLexer

    # The languages of the book's code: notebook cells (ipython3), and code
    # blocks in python (Sphinx reads py, py3, python3 and a >>> session as these).
    for alias, base in (("ipython3", IPython3Lexer), ("python", PythonLexer), ("pycon", PythonConsoleLexer)):
        app.add_lexer(alias, _plain_lexer(base))

    register_plugin("pybtex.style.formatting", "authoryear", author_year_style())
    app.connect("html-page-context", lean_assets, priority=900)
    app.connect("build-finished", subset_icons)
    app.connect("build-finished", purge_css, priority=600)
    app.connect("build-finished", shrink_figures)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
