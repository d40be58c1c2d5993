"""What each page of the built book loads on a reader's first visit, in bytes.

Usage, after ``jupyter-book build . -W --keep-going``::

    python tests/tools/page_weight.py                  # every page in _toc.yml
    python tests/tools/page_weight.py book/glossary    # just some (TOC entries)
    MLEMAP_HTML=/tmp/x/_build/html python tests/tools/page_weight.py

How it measures: the built site is served over HTTP on the loopback interface
(127.0.0.1, a free port), and each page is opened once in headless Chromium with
a fresh, empty profile, so nothing is cached. Chromium's network log
(``--log-net-log``) lists every URL the page fetched: the HTML, its stylesheets
and scripts, the images, and what runs later, such as the MathJax components
and the MathJax and icon fonts it asks for while typesetting. Each fetched file
is counted once, at its size on disk; a server that compresses (GitHub Pages
gzips text) sends less, so these are upper bounds.

Everything but 127.0.0.1 resolves to nothing (``--host-resolver-rules``), so a
measurement never reaches the network. A request that a page itself makes to
another host is listed as ``external``, and the test fails on it. Chromium's
own background requests (no page initiated them) are ignored.

The budget, enforced by ``tests/test_site_a11y.py`` (which weighs each page on
the same visit as its accessibility audit, so that every page is opened once):
no page over :data:`BUDGET_BYTES` on first load, MathJax included.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import json
import shutil
import sys
import tempfile
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for booktools
from booktools import HTML, chromium, dump_dom, toc_files  # noqa: E402

BUDGET_BYTES = 3_000_000
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
def gzip_size(path: Path) -> int:
    """Size of a file gzip-compressed at level 6 (what a web server sends)."""
    return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the table clean
        pass


@contextmanager
def serve(root: Path):
    """Serve ``root`` on 127.0.0.1 at a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fetched_urls(net_log: dict) -> list[tuple[str, str]]:
    """``(url, initiator)`` of every URL request in a Chromium net log, in order.

    >>> log = {"constants": {"logEventTypes": {"URL_REQUEST_START_JOB": 7}},
    ...        "events": [{"type": 7, "phase": 1, "params": {
    ...            "url": "http://127.0.0.1:1/a.css", "initiator": "http://127.0.0.1:1"}},
    ...                   {"type": 7, "phase": 2, "params": {"net_error": 0}}]}
    >>> fetched_urls(log)
    [('http://127.0.0.1:1/a.css', 'http://127.0.0.1:1')]
    """
    start_job = net_log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [(e["params"]["url"], e["params"].get("initiator", ""))
            for e in net_log["events"]
            if e["type"] == start_job and "url" in e.get("params", {})]


def twin_name(page: str) -> str:
    """Where the instrumented copy of a page goes, beside it.

    >>> twin_name("book/glossary.html")
    'book/glossary.twin.html'
    """
    return page[: -len(".html")] + ".twin.html"


def first_visit(page: str, *, base: str, root: Path, browser: str, open_path: str | None = None,
                ignore: frozenset[str] = frozenset(), timeout: float = 180) -> PageLoad:
    """Open a page of the site once, with an empty profile; list what it fetched.

    ``page`` is a path inside the site (``book/glossary.html``). ``open_path``, if
    given, is opened instead (an instrumented twin of ``page``): it is counted as
    ``page``, at the size of ``page``, and the files in ``ignore`` (what the twin
    adds) are not counted."""
    origin = base.rstrip("/")
    opened = open_path or page
    with tempfile.TemporaryDirectory() as tmp:
        log_file = Path(tmp) / "net.json"
        dom = dump_dom(f"{origin}/{opened}", budget_ms=30000, timeout=timeout, browser=browser,
                       extra_flags=[f"--log-net-log={log_file}"])
        net_log = json.loads(log_file.read_text(encoding="utf-8"))
    load = PageLoad(page, dom=dom, root=root)
    for url, initiator in fetched_urls(net_log):
        if url.startswith(origin + "/"):
            rel = unquote(urlsplit(url).path).lstrip("/")
            if rel in ignore:
                continue
            if rel == opened:
                rel = page
            target = root / rel
            if target.is_dir():
                target = target / "index.html"
            if target.is_file():
                load.files[rel] = target.stat().st_size
            elif rel != "favicon.ico":  # browsers ask for it unprompted; the book has none
                load.missing.append(rel)
        elif initiator.startswith(origin):
            load.external.append(url)
    return load


def visit(pages: list[str], *, root: Path = HTML, twin=None, extra: dict[str, Path] | None = None,
          workers: int = 2) -> dict[str, PageLoad]:
    """First visits of several pages of the site at ``root``, two at a time.

    With ``twin``, a function ``(page, html) -> html``, each page is opened as an
    instrumented copy of itself, written beside it in a temporary copy of the
    site, with the files in ``extra`` (site path -> file) added at the top; the
    byte counts still describe the page as built. One visit then serves both a
    check that needs the page's DOM and the weighing."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    extra = extra or {}
    with tempfile.TemporaryDirectory() as tmp:
        site = root
        if twin is not None:
            site = Path(tmp) / "site"
            shutil.copytree(root, site, ignore=shutil.ignore_patterns("_sources"))
            for rel, source in extra.items():
                shutil.copy(source, site / rel)
            for page in pages:
                text = (root / page).read_text(encoding="utf-8")
                (site / twin_name(page)).write_text(twin(page, text), encoding="utf-8")
        ignore = frozenset(extra)
        with serve(site) as base, ThreadPoolExecutor(max_workers=workers) as pool:
            loads = pool.map(lambda p: first_visit(
                p, base=base, root=root, browser=browser, ignore=ignore,
                open_path=twin_name(p) if twin is not None else None), pages)
            return {load.page: load for load in loads}


def weigh(pages: list[str], *, root: Path = HTML) -> list[PageLoad]:
    """First-visit loads of several pages of the site at ``root``, as built."""
    return list(visit(pages, root=root).values())


def table(loads: list[PageLoad]) -> str:
    """A plain-text table: one row per page, bytes by kind, and the total."""
    head = ["page", *KINDS, "total", "gzip", "files"]
    rows = [[load.page, *(human(load.by_kind[k]) for k in KINDS), human(load.total),
             human(load.gzip_total), str(len(load.files))] for load in loads]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def fmt(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    lines = [fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows]
    lines.append(f"budget per page on a first visit: {BUDGET_BYTES:,} bytes uncompressed (sizes on "
                 f"disk), {GZIP_BUDGET_BYTES:,} bytes gzip-compressed")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
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
    problems = [f"{l.page}: over budget" for l in loads if l.total > BUDGET_BYTES]
    problems += [f"{l.page}: external {u}" for l in loads for u in l.external]
    problems += [f"{l.page}: not found in the site: {m}" for l in loads for m in l.missing]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems or unbuilt else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
