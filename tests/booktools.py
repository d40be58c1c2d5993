"""Helpers shared by the book's tests: the table of contents, the notebooks,
and the built site. Not a test module itself."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
# The built site; MLEMAP_HTML points the browser tests at another build folder.
HTML = Path(os.environ.get("MLEMAP_HTML", ROOT / "_build" / "html")).resolve()

sys.path.insert(0, str(ROOT / ".ci" / "ko"))
from korean_edition import toc_pages  # noqa: E402  (stdlib-only at import)


def toc_files() -> list[str]:
    """Every `file:` named in _toc.yml, in order, without suffix (the Korean
    edition's build step reads the table of contents the same way)."""
    return toc_pages(ROOT)


def source_of(entry: str) -> Path | None:
    """The .ipynb or .md file behind a TOC entry, or None if missing."""
    for suffix in (".ipynb", ".md"):
        path = ROOT / (entry + suffix)
        if path.exists():
            return path
    return None


def book_notebooks() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def built_pages() -> list[Path]:
    """The built HTML page of every TOC entry."""
    return [HTML / (entry + ".html") for entry in toc_files()]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(ok: bool, what: str) -> None:
    """Skip the test when a prerequisite is missing; with ``CI=true``, fail instead."""
    import pytest

    if not ok:
        if in_ci():
            pytest.fail(f"{what} (CI=true, so this is a failure, not a skip)")
        pytest.skip(what)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Chromium still tries to reach Google's hosts; resolve nothing but loopback.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    # Every new window (one per browser context, so one per visit) preloads two
    # WebUI renderers for the address bar's popup, which headless never shows:
    # 1-2 CPU-seconds per visit, more than loading most of the book's pages
    # (measured with Chromium 156; the names are its base::Feature names).
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup",
]


class Browser:
    """One headless Chromium for many page visits, driven over the DevTools
    protocol on a pipe (``--remote-debugging-pipe``: no port, no download, no
    library). Each visit gets a fresh browser context (an empty cache, storage
    and cookies, like a new profile) in its own tab, so visits are first visits
    and may run side by side from several threads.

    >>> with Browser() as b:                                    # doctest: +SKIP
    ...     tab = b.open_tab(width=390, mobile=True)
    ...     b.load(tab, "data:text/html,<p>hi")
    ...     b.evaluate(tab[0], "document.body.textContent")
    'hi'
    """

    def __init__(self, browser: str | None = None, extra_flags=()):
        import threading

        browser = browser or chromium()
        if browser is None:
            raise RuntimeError("Chromium is not installed (apt-get install chromium)")
        self._profile = tempfile.TemporaryDirectory()
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        import fcntl

        # Chromium reads commands on fd 3 and writes replies on fd 4; move both
        # ends above 4 first, so that neither dup2 overwrites the other.
        high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        to_chrome_r, from_chrome_w = high_r, high_w

        def fds():
            os.dup2(to_chrome_r, 3)  # dup2 clears close-on-exec on 3 and 4
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [browser, *CHROMIUM_FLAGS, *extra_flags, "--remote-debugging-pipe",
             f"--user-data-dir={self._profile.name}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._next = 0
        self._waiting: dict[int, dict] = {}
        self._listeners: dict[str, list] = {}  # session id -> event lists
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # --- the protocol ---------------------------------------------------------
    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    for slot in self._waiting.values():
                        slot["reply"] = {"error": {"message": "Chromium exited"}}
                        slot["done"].set()
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        slot = self._waiting.pop(message["id"], None)
                    if slot is not None:
                        slot["reply"] = message
                        slot["done"].set()
                else:
                    with self._lock:
                        for events in self._listeners.get(message.get("sessionId", ""), []):
                            events.append(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 120) -> dict:
        """Send one command; return its result, or raise RuntimeError on an error."""
        import threading

        slot = {"done": threading.Event()}
        with self._lock:
            self._next += 1
            ident = self._next
            self._waiting[ident] = slot
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = memoryview(json.dumps(message).encode() + b"\0")
        with self._write_lock:  # one message at a time: a long one is written in parts
            while data:
                data = data[os.write(self._to_chrome, data):]
        if not slot["done"].wait(timeout):
            raise RuntimeError(f"Chromium did not answer {method} in {timeout} s")
        reply = slot["reply"]
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def listen(self, session: str) -> list:
        """A list that the events of ``session`` are appended to, as they come."""
        events: list = []
        with self._lock:
            self._listeners.setdefault(session, []).append(events)
        return events

    # --- tabs -----------------------------------------------------------------
    def open_tab(self, *, before_load: str = "", width: int = 1280, height: int = 900,
                 mobile: bool = False, color_scheme: str = ""):
        """A new tab in a fresh browser context, with Page, Network, Runtime and Log
        events on; returns (session id, event list, context id, target id).
        ``mobile`` emulates a phone's viewport (the page's ``meta viewport`` applies);
        ``color_scheme`` ("light" or "dark"), the system's ``prefers-color-scheme``."""
        if color_scheme not in ("", "light", "dark"):
            raise ValueError(f"color_scheme must be 'light' or 'dark', not {color_scheme!r}")
        context = self.send("Target.createBrowserContext")["browserContextId"]
        target = self.send("Target.createTarget", {"url": "about:blank",
                                                   "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        events = self.listen(session)
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                         "deviceScaleFactor": 1, "mobile": mobile},
                  session=session)
        if color_scheme:
            self.send("Emulation.setEmulatedMedia",
                      {"features": [{"name": "prefers-color-scheme", "value": color_scheme}]}, session=session)
        if before_load:
            self.send("Page.addScriptToEvaluateOnNewDocument", {"source": before_load}, session=session)
        return session, events, context, target

    def close_tab(self, tab) -> None:
        session, _events, context, target = tab
        with self._lock:
            self._listeners.pop(session, None)
        self.send("Target.closeTarget", {"targetId": target})
        self.send("Target.disposeBrowserContext", {"browserContextId": context})

    def evaluate(self, session: str, expression: str, timeout: float = 300):
        """The value of a JavaScript expression in the tab (promises awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True, "timeout": timeout * 1000},
                           session=session, timeout=timeout + 10)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    def load(self, tab, url: str, *, settle: float = 0.5, timeout: float = 60) -> None:
        """Navigate and wait for the load event, then until no request has been
        pending for ``settle`` seconds (fonts are asked for after layout)."""
        import time

        session, events, _context, _target = tab
        self.send("Page.navigate", {"url": url}, session=session)
        end = time.monotonic() + timeout
        while not any(e["method"] == "Page.loadEventFired" for e in list(events)):
            if time.monotonic() > end:
                raise RuntimeError(f"{url} did not load in {timeout} s")
            time.sleep(0.02)
        self.settle(tab, settle=settle, timeout=end - time.monotonic())

    def settle(self, tab, *, settle: float = 0.5, timeout: float = 60) -> None:
        """Wait until no request of the tab has been pending for ``settle`` seconds."""
        import time

        events = tab[1]
        end = time.monotonic() + timeout
        quiet_since = time.monotonic()
        seen = len(events)
        while time.monotonic() - quiet_since < settle and time.monotonic() < end:
            time.sleep(0.05)
            pending = _pending_requests(list(events))
            if len(events) != seen or pending:
                seen = len(events)
                quiet_since = time.monotonic()

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except RuntimeError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _pending_requests(events: list) -> set:
    """Request ids sent but neither finished nor failed.

    >>> _pending_requests([{"method": "Network.requestWillBeSent", "params": {"requestId": "1"}},
    ...                    {"method": "Network.requestWillBeSent", "params": {"requestId": "2"}},
    ...                    {"method": "Network.loadingFinished", "params": {"requestId": "1"}}])
    {'2'}
    """
    sent, done = set(), set()
    for e in events:
        method = e["method"]
        if method == "Network.requestWillBeSent":
            sent.add(e["params"]["requestId"])
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            done.add(e["params"]["requestId"])
    return sent - done


def console_errors(events: list) -> list[str]:
    """What a page reported as an error: console.error calls, uncaught exceptions,
    and the browser's own error log (a failed fetch, a 404, a CSP refusal).

    >>> console_errors([{"method": "Runtime.exceptionThrown", "params": {"exceptionDetails": {
    ...     "text": "Uncaught", "exception": {"description": "SyntaxError: x"}}}},
    ...     {"method": "Log.entryAdded", "params": {"entry": {"level": "error", "text": "404", "url": "u"}}},
    ...     {"method": "Log.entryAdded", "params": {"entry": {"level": "warning", "text": "meh"}}}])
    ['SyntaxError: x', '404 (u)']
    """
    errors = []
    for e in events:
        method, params = e["method"], e.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            errors.append(details.get("exception", {}).get("description") or details.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            errors.append(f"{entry.get('text', '')} ({entry.get('url', '')})")
    return errors


# --- does the page fit its viewport, does each formula fit its column? ----------

PHONE = 390
DESKTOP = 1280
# The theme's dark mode, as a reader's click on its switch leaves it: the theme
# reads localStorage before it paints. Run before the page's scripts (open_tab).
DARK_MODE = 'localStorage.setItem("mode","dark");localStorage.setItem("theme","dark");'

# The site's CSS skips drawing a formula far from the screen (content-visibility:
# auto on the sized ``mjx-math``, _static/layout.css) until a reader scrolls near
# it. This rule draws every formula at once, as it is drawn on screen: the same
# layout and paint containment, so the same place and size. A full-page
# screenshot needs it (Chromium does not draw skipped content beyond the
# viewport); the layout tests compare the page with and without it.
DRAW_ALL_FORMULAS = ("mjx-container > mjx-math[sized] "
                     "{ content-visibility: visible !important; contain: layout paint !important; }")
DRAW_ALL_JS = ("(function () { if (document.getElementById('draw-all-formulas')) { return; }"
               " var s = document.createElement('style'); s.id = 'draw-all-formulas';"
               " s.textContent = %s; document.head.appendChild(s); })()" % json.dumps(DRAW_ALL_FORMULAS))

# How far anything on the page moves when every formula is drawn at once: the
# largest change, in px, of the box of a paragraph, list item, heading, display
# formula or formula. A formula skipped off screen must take the space it takes
# drawn, or the page shifts as a reader scrolls and a link into the page lands
# off its target. The formulas stay drawn afterwards: what a visit measures or
# audits next is the page as a reader sees it where they scroll.
SKIPPED_FORMULAS_SHIFT_JS = """
(function () {
  function boxes() {
    return Array.from(document.querySelectorAll(
        "article p, article li, article h1, article h2, article h3, div.math, mjx-container, mjx-math"))
      .map(function (e) { var r = e.getBoundingClientRect(); return [r.left, r.top + scrollY, r.width, r.height]; });
  }
  var skipped = boxes();
  var skipping = Array.from(document.querySelectorAll("mjx-math[sized]")).filter(function (m) {
    return getComputedStyle(m).contentVisibility === "auto"; }).length;
  %(draw)s;
  var drawn = boxes(), shift = 0;
  skipped.forEach(function (b, i) {
    for (var k = 0; k < 4; k++) { shift = Math.max(shift, Math.abs(b[k] - drawn[i][k])); }
  });
  return {boxes: skipped.length, sized: document.querySelectorAll("mjx-math[sized]").length, skipping: skipping,
          formulas: document.querySelectorAll("mjx-container").length, shift: shift};
})()
""" % {"draw": DRAW_ALL_JS}

FIT_JS = r"""
(function () {
  var vw = %(width)d;
  var doc = document.documentElement;
  function visible(el) { return el.getClientRects().length > 0; }
  function scrolls(style) { return style.overflowX === "auto" || style.overflowX === "scroll"; }
  function describe(el) {
    var name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + Array.from(el.classList).slice(0, 3).join(".");
    return name;
  }
  var equations = [];
  var all = document.querySelectorAll('mjx-container[display="true"]');
  all.forEach(function (c, i) {
    var math = c.querySelector(":scope > mjx-math");
    if (!math || !visible(c)) return;
    var block = c.closest("div.math") || c.parentElement;
    var content = math.getBoundingClientRect().width;
    var box = c.getBoundingClientRect();
    var room = block.getBoundingClientRect();
    var width = Math.min(c.clientWidth, room.right - box.left);
    if (content <= width + 1) return;
    var style = getComputedStyle(c);
    var eqno = block.querySelector(":scope > .eqno");
    var mml = c.querySelector("mjx-assistive-mml");
    var tex = block.getAttribute("data-tex") || (mml ? mml.textContent : "");
    equations.push({
      index: i, id: block.id || "", number: eqno ? eqno.textContent.replace("#", "").trim() : "",
      tex: tex.replace(/\s+/g, " ").trim(), content: Math.round(content), box: Math.round(width),
      overflowX: style.overflowX,
      scrollable: scrolls(style) && c.scrollWidth > c.clientWidth && box.right <= room.right + 1,
      cue: style.backgroundImage.indexOf("gradient") >= 0 && style.backgroundAttachment.indexOf("local") >= 0,
    });
  });
  // What sticks out of the viewport: elements past its right edge outside any
  // scrolling or clipping box, innermost first.
  var wide = [];
  (function walk(el) {
    var style = getComputedStyle(el);
    if (style.display === "none" || style.position === "fixed") return;
    var r = el.getBoundingClientRect();
    var before = wide.length;
    if (style.overflowX === "visible") {
      for (var k = 0; k < el.children.length; k++) walk(el.children[k]);
      if (wide.length === before && r.right <= vw + 1) {
        // a word too long for its line sticks out of a box that fits
        for (var t = el.firstChild; t; t = t.nextSibling) {
          if (t.nodeType !== 3 || !t.textContent.trim()) continue;
          var range = document.createRange();
          range.selectNodeContents(t);
          var tr = range.getBoundingClientRect();
          if (tr.right > vw + 1) {
            wide.push({element: describe(el) + " (its text)", right: Math.round(tr.right),
                       text: t.textContent.replace(/\s+/g, " ").trim().slice(0, 60)});
            break;
          }
        }
      }
    }
    if (wide.length === before && r.width > 0 && r.right > vw + 1 && el !== doc && el !== document.body) {
      wide.push({element: describe(el), right: Math.round(r.right),
                 text: (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60)});
    }
  })(document.body);
  return {width: vw, scrollWidth: Math.max(doc.scrollWidth, document.body.scrollWidth),
          displays: all.length, equations: equations, wide: wide.slice(0, 8)};
})()
"""


def page_fits(browser: "Browser", url: str, widths=(DESKTOP, PHONE), *, before_load: str = "",
              height: int = 900) -> dict[int, dict]:
    """:func:`page_fit` at several widths from one load of the page (see
    :func:`measure_fits`)."""
    widths = list(widths)
    tab = browser.open_tab(before_load=before_load, width=widths[0], height=height,
                           mobile=widths[0] < 800)
    try:
        browser.load(tab, url, settle=0.3)
        return measure_fits(browser, tab, widths, height=height)
    finally:
        browser.close_tab(tab)


def measure_fits(browser: "Browser", tab, widths=(DESKTOP, PHONE), *, height: int = 900,
                 restore: bool = True) -> dict[int, dict]:
    """:data:`FIT_JS` in a loaded tab whose viewport is ``widths[0]`` wide, then at
    each other width: the tab is resized (a phone's viewport below 800 px) and
    laid out again. At the end the tab is back at ``widths[0]``, or, without
    ``restore``, left at the last width (a relayout saved)."""
    widths = list(widths)
    fits = {}
    for i, width in enumerate(widths + widths[:1] if restore else widths):
        if i:
            browser.send("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800},
                session=tab[0])
            browser.evaluate(tab[0], RESIZED % {"width": width})
        if i < len(widths):
            fits[width] = browser.evaluate(tab[0], FIT_JS % {"width": width})
    return fits


# Wait until the viewport has the new width and two frames have been laid out.
RESIZED = """
new Promise(function (ok) {
  var start = Date.now();
  (function poll() {
    if (matchMedia("(min-width: %(width)dpx) and (max-width: %(width)d.9px)").matches
        || Date.now() - start > 5000) {
      requestAnimationFrame(function () { requestAnimationFrame(ok); });
    } else { setTimeout(poll, 20); }
  })();
})
"""


def page_fit(browser: "Browser", url: str, width: int, *, before_load: str = "",
             height: int = 900) -> dict:
    """Open ``url`` in a fresh tab ``width`` px wide (a phone's viewport below 800
    px) and measure, once it has settled:

    * ``scrollWidth``, the document's width, against ``width``;
    * ``equations``: each display formula (``mjx-container[display="true"]``)
      whose typeset content is wider than its box, with its ``number`` and ``id``
      (if labelled), its ``tex`` (the build keeps it in ``data-tex``), the widths
      ``content`` and ``box``, ``overflowX``, ``scrollable`` (it scrolls in its own
      box, which the page's column holds) and ``cue`` (the scroll shadows of
      ``_static/layout.css``);
    * ``wide``: the innermost elements that stick out past the viewport's right
      edge outside any scrolling box (why a page is too wide);
    * ``displays``: how many display formulas the page has.
    """
    return page_fits(browser, url, [width], before_load=before_load, height=height)[width]
