"""What each page of the built book loads on a reader's first visit, in bytes.

Usage, after ``jupyter-book build . -W --keep-going``::

    python tests/tools/page_weight.py                  # every page in _toc.yml
    python tests/tools/page_weight.py book/glossary    # just some (TOC entries)
    MLEMAP_HTML=/tmp/x/_build/html python tests/tools/page_weight.py

How it measures: the built site is served over HTTP on the loopback interface
(127.0.0.1, a free port), and each page is opened once in one headless Chromium
(``booktools.Browser``, driven over the DevTools protocol on a pipe), each visit
in a fresh browser context, so nothing is cached. The protocol's network events
list every URL the page fetched: the HTML, its stylesheets and scripts, the
images, and the fonts asked for after layout (the visit waits until no request
has been pending for half a second). Each fetched file is counted once, at its
size on disk, and at its size gzip-compressed (level 6, what a web server that
compresses sends; GitHub Pages does).

Everything but 127.0.0.1 resolves to nothing (``--host-resolver-rules``), so a
measurement never reaches the network. A request that a page makes to another
host is listed as ``external``, and the test fails on it. The visit also keeps
the page's console errors, its DOM and its number of elements.

The budgets, enforced by ``tests/test_site_a11y.py`` (which weighs each page on
the same visit as its accessibility audit, so that every page is opened once):
no page over :data:`BUDGET_BYTES` on first load, nor over
:data:`GZIP_BUDGET_BYTES` compressed, images and fonts included.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import io
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for booktools
from booktools import HTML, Browser, console_errors, toc_files  # noqa: E402

BUDGET_BYTES = 1_200_000
"""No page may load more than this on a first visit (1.2 MB uncompressed),
images and fonts included."""
GZIP_BUDGET_BYTES = 450_000
"""Nor more than this, each file gzip-compressed as a server would send it (450 KB)."""

KINDS = ("html", "js", "css", "image", "font", "other")
_SUFFIX_KIND = {
    ".html": "html", ".htm": "html",
    ".js": "js", ".mjs": "js",
    ".css": "css",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image",
    ".svg": "image", ".webp": "image", ".ico": "image",
    ".woff": "font", ".woff2": "font", ".ttf": "font", ".otf": "font", ".eot": "font",
}


def kind_of(path: str) -> str:
    """The column a fetched file is counted in, from its name.

    >>> kind_of("_static/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff")
    'font'
    >>> kind_of("_static/scripts/bootstrap.js")
    'js'
    >>> kind_of("searchindex.json")
    'other'
    """
    return _SUFFIX_KIND.get(Path(path).suffix.lower(), "other")


def human(n: int) -> str:
    """Bytes as a short human-readable string (binary units).

    >>> human(512)
    '512 B'
    >>> human(3_000_000)
    '2.86 MiB'
    >>> human(1536)
    '1.5 KiB'
    """
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.2f} MiB"


@dataclass
class PageLoad:
    """What one page fetched on a first visit, and its DOM once scripts had run."""

    page: str
    files: dict[str, int] = field(default_factory=dict)  # site path -> bytes on disk
    missing: list[str] = field(default_factory=list)  # fetched from the site, not found
    external: list[str] = field(default_factory=list)  # the page asked another host
    dom: str = ""
    root: Path = HTML
    elements: int = 0  # DOM elements once the page settled
    typeset_elements: int = 0  # of which inside typeset formulas and highlighted code
    console: list[str] = field(default_factory=list)  # console errors, failed fetches
    result: object = None  # the value of the visit's ``run`` expression
    measured: object = None  # what the visit's ``measure`` returned

    @property
    def by_kind(self) -> Counter:
        totals = Counter({k: 0 for k in KINDS})
        for path, size in self.files.items():
            totals[kind_of(path)] += size
        return totals

    @property
    def total(self) -> int:
        return sum(self.files.values())

    @property
    def gzip_total(self) -> int:
        """The bytes sent if the server gzips every file (level 6); fonts and
        images barely shrink."""
        return sum(gzip_size(self.root / path) for path in self.files)


@functools.lru_cache(maxsize=None)
def gzipped(path: Path) -> bytes:
    """A file gzip-compressed at level 6 (what a web server sends)."""
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


def gzip_size(path: Path) -> int:
    """Size of a file gzip-compressed at level 6 (what a web server sends)."""
    return len(gzipped(path))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the table clean
        pass


COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".txt", ".map"}


class _GzipHandler(_QuietHandler):
    """Text files gzip-compressed (level 6) when the client accepts it, as GitHub
    Pages and most static hosts send them; other files as they are."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix.lower() in COMPRESSIBLE):
            return super().send_head()
        body = gzipped(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve(root: Path, *, compress: bool = False):
    """Serve ``root`` on 127.0.0.1 at a free port; yields the base URL. With
    ``compress``, text files are sent gzip-compressed to clients that accept it."""
    handler = functools.partial(_GzipHandler if compress else _QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def first_visit(browser: Browser, page: str, *, base: str, root: Path, before_load: str = "",
                run: str | None = None, query: str = "", measure=None, width: int = 1280,
                color_scheme: str = "", settle: float = 0.5) -> PageLoad:
    """Open a page of the site once, in a fresh browser context; list what it fetched.

    ``page`` is a path inside the site (``book/glossary.html``); ``query`` is
    appended to its URL. ``before_load`` runs before the page's own scripts (e.g.
    to choose the dark theme); ``run``, a JavaScript expression (a promise is
    awaited), runs once the page has settled, and its value is kept in
    ``result``. Nothing ``run`` loads is counted. ``measure(browser, tab)``, if
    given, runs before ``run``, once the DOM has been kept; its value is kept in
    ``measured``. The tab is ``width`` px wide (a phone's viewport below 800
    px); what it fetches is counted once ``measure`` is done (it may resize the
    tab, and the fonts that a wider layout shows are fetched then).
    ``color_scheme`` is the system's (``Browser.open_tab``); the page counts as
    loaded once no request has been pending for ``settle`` seconds."""
    origin = base.rstrip("/")
    tab = browser.open_tab(before_load=before_load, width=width, mobile=width < 800,
                           color_scheme=color_scheme)
    try:
        browser.load(tab, f"{origin}/{page}{query}", settle=settle)
        load = PageLoad(page, root=root)
        load.elements, load.typeset_elements, load.dom = browser.evaluate(tab[0], (
            "[document.getElementsByTagName('*').length,"
            " document.querySelectorAll('mjx-container *, .highlight pre *').length,"
            " document.documentElement.outerHTML]"))
        if measure is not None:
            load.measured = measure(browser, tab)
            browser.settle(tab)
        events = list(tab[1])
        for e in events:
            if e["method"] != "Network.requestWillBeSent":
                continue
            url = e["params"]["request"]["url"]
            if url.startswith(origin + "/"):
                rel = unquote(urlsplit(url).path).lstrip("/")
                target = root / rel
                if target.is_dir():
                    target = target / "index.html"
                if target.is_file():
                    load.files[rel] = target.stat().st_size
                else:
                    load.missing.append(rel)
            elif not url.startswith(("data:", "blob:", "about:")):
                load.external.append(url)
        load.console = console_errors(events)
        if run is not None:
            load.result = browser.evaluate(tab[0], run)
        return load
    finally:
        browser.close_tab(tab)


def visit(pages: list[str], *, root: Path = HTML, browser: Browser | None = None,
          before_load: str = "", run: str | None = None, query: str = "",
          workers: int = 2) -> dict[str, PageLoad]:
    """First visits of several pages of the site at ``root``, served on loopback,
    ``workers`` at a time in one Chromium (``browser``, or one started here)."""
    own = browser is None
    browser = browser or Browser()
    try:
        with serve(root) as base, ThreadPoolExecutor(max_workers=workers) as pool:
            loads = pool.map(lambda p: first_visit(browser, p, base=base, root=root,
                                                   before_load=before_load, run=run, query=query),
                             pages)
            return {load.page: load for load in loads}
    finally:
        if own:
            browser.close()


def weigh(pages: list[str], *, root: Path = HTML) -> list[PageLoad]:
    """First-visit loads of several pages of the site at ``root``, as built."""
    return list(visit(pages, root=root).values())


def table(loads: list[PageLoad]) -> str:
    """A plain-text table: one row per page, bytes by kind, and the total."""
    head = ["page", *KINDS, "total", "gzip", "files", "elements", "math+code"]
    rows = [[load.page, *(human(load.by_kind[k]) for k in KINDS), human(load.total),
             human(load.gzip_total), str(len(load.files)), f"{load.elements:,}",
             f"{load.typeset_elements:,}"] for load in loads]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def fmt(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    lines = [fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]
    lines.append(f"budget per page on a first visit: {BUDGET_BYTES:,} bytes uncompressed (sizes on "
                 f"disk), {GZIP_BUDGET_BYTES:,} bytes gzip-compressed")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if {"-h", "--help"} & set(argv):  # usage, not a page or chapter named --help
        print(__doc__)
        return 0
    if not HTML.is_dir():
        print(f"no built site at {HTML}; run: jupyter-book build . -W --keep-going", file=sys.stderr)
        return 2
    entries = argv or toc_files()
    pages = [e if e.endswith(".html") else e + ".html" for e in entries]
    unbuilt = [p for p in pages if not (HTML / p).is_file()]
    for page in unbuilt:
        print(f"not in the build: {page}", file=sys.stderr)
    loads = weigh([p for p in pages if p not in unbuilt])
    print(table(loads))
    problems = [f"{l.page}: over budget" for l in loads
                if l.total > BUDGET_BYTES or l.gzip_total > GZIP_BUDGET_BYTES]
    problems += [f"{l.page}: external {u}" for l in loads for u in l.external]
    problems += [f"{l.page}: not found in the site: {m}" for l in loads for m in l.missing]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems or unbuilt else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
