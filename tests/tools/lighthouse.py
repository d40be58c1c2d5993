"""Lighthouse on every page of the built book: a measuring tool, never a test.

Usage, after ``jupyter-book build . -W --keep-going`` and, once,
``npm ci --prefix tests/tools/lighthouse`` (Lighthouse 12.2.3, pinned in
``tests/tools/lighthouse/package-lock.json``; it runs on Node 18 or 20)::

    python tests/tools/lighthouse.py                    # every page in _toc.yml
    python tests/tools/lighthouse.py book/map_ridge     # just some (TOC entries)
    python tests/tools/lighthouse.py --gzip ...         # text files gzip-compressed
    python tests/tools/lighthouse.py --launcher-features ...  # RenderDocument off
    python tests/tools/lighthouse.py --calibrate ...    # CPU slowdown fitted to this host
    python tests/tools/lighthouse.py --hide mjx-container book/map_ridge  # what would it score without?

The site is served on 127.0.0.1, without compression as the issue measured it,
or with ``--gzip`` compressed as GitHub Pages sends it (text files, level 6);
Lighthouse's simulated slow network counts the bytes sent. Lighthouse drives the
system's Chromium (``CHROME_PATH``, else ``booktools.chromium()``) headless, with
every host but loopback resolving to nothing: no network. Its default preset is
used: mobile, with simulated throttling. Chromium renders as it does for a
reader: chrome-launcher turns Chromium's RenderDocument off (a workaround of its
own), and with it off Chromium 156 headless often shows a book page's first
frame 1-2 s late (at 1.3 or 2.3 s, the page long drawn), so Lighthouse counted
every request and task before that in first paint; ``--launcher-features`` keeps
chrome-launcher's list as it is, to compare. The preset slows the CPU down 4x, which
emulates its phone on a host of benchmarkIndex about 1533; ``--calibrate`` uses
the slowdown that Lighthouse's CPU-throttling calculator gives for this host
instead (2.7x for a host of 1139). ``--hide SELECTOR`` measures where a page's
time goes: each page is served from a copy of the build in which the elements
that SELECTOR matches are ``display: none`` (still sent and parsed, never styled
or laid out), so the score says what the page would get without them. One row
per page: the four category scores, largest contentful paint, total blocking
time, the bytes transferred (as sent) and the DOM size. The goal it measures:
performance >= 90, accessibility 100, best practices 100, SEO >= 95 on every
page; pages that miss it are listed with the audits that cost them points.
Timings are machine- and load-dependent: compare runs on one quiet machine, and
never assert them.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for booktools
from booktools import CHROMIUM_FLAGS, HTML, Browser, chromium, toc_files  # noqa: E402
from page_weight import human, serve, visit  # noqa: E402

LIGHTHOUSE = Path(__file__).resolve().parent / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
GOAL = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 95}


# chrome-launcher's own --disable-features list (node_modules/chrome-launcher/
# dist/flags.js): Chromium keeps only the last --disable-features it is given, so
# ours (booktools.CHROMIUM_FLAGS) carries these too: they keep Chromium off the
# network. chrome-launcher also turns off RenderDocument, which a reader's
# Chromium has on; it is left on here unless launcher_features is asked for
# (measured on fish_problem, Chromium 156: with it off, the first frame came at
# 1.3 or 2.3 s in 3 of 5 loads, with it on at 0.3-0.5 s in 5 of 5).
LAUNCHER_DISABLED = ("Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
                     "CalculateNativeWinOcclusion,InterestFeedContentSuggestions,"
                     "CertificateTransparencyComponentUpdater,AutofillServerCommunication,"
                     "PrivacySandboxSettings4")
LAUNCHER_RENDERING = "RenderDocument"


def chrome_flags(*, launcher_features: bool = False) -> list[str]:
    """booktools.CHROMIUM_FLAGS for Lighthouse's Chromium: the new headless mode,
    and one --disable-features list, chrome-launcher's and ours; RenderDocument
    stays on unless ``launcher_features``.

    >>> features = lambda **kw: [f for f in chrome_flags(**kw) if f.startswith("--disable-features=")]
    >>> [len(features()), features()[0].count("Translate"), "RenderDocument" in features()[0]]
    [1, 1, False]
    >>> "RenderDocument" in features(launcher_features=True)[0]
    True
    """
    flags = [f for f in CHROMIUM_FLAGS if f != "--headless"] + ["--headless=new"]
    ours = [f.split("=", 1)[1] for f in flags if f.startswith("--disable-features=")]
    flags = [f for f in flags if not f.startswith("--disable-features=")]
    launcher = [LAUNCHER_DISABLED, LAUNCHER_RENDERING] if launcher_features else [LAUNCHER_DISABLED]
    return flags + ["--disable-features=" + ",".join([*launcher, *ours])]


def calibrated_slowdown(benchmark_index: float) -> float:
    """The CPU slowdown that emulates the mobile preset's phone on a host of
    this ``benchmarkIndex`` (Lighthouse's docs/throttling.md, "CPU throttling",
    and the calculator it links: 4x is right for a host of about 1533).

    >>> [round(calibrated_slowdown(b), 2) for b in (2000, 1533, 1300, 1139, 800, 475)]
    [6.0, 4.0, 3.0, 2.68, 2.0, 1.5]
    """
    if not benchmark_index > 0:
        raise ValueError(f"benchmark_index must be positive, not {benchmark_index!r}")
    if benchmark_index >= 1300:
        return 3 + (benchmark_index - 1300) / 233
    if benchmark_index >= 800:
        return 2 + (benchmark_index - 800) / 500
    return 1 + (benchmark_index - 150) / 650


PAGE_FUNCTIONS = LIGHTHOUSE.parent.parent / "lighthouse" / "core" / "lib" / "page-functions.js"


def benchmark_index(browser: str, *, times: int = 5) -> float:
    """The host's Lighthouse benchmarkIndex: the median of ``times`` runs of
    Lighthouse's own ``computeBenchmarkIndex`` (1 s each) in one headless
    Chromium. One Lighthouse run reports one such value, and on a busy host a
    single value can be 20% off."""
    source = PAGE_FUNCTIONS.read_text(encoding="utf-8")
    start = source.index("function computeBenchmarkIndex()")
    end = source.index("\n}\n", start) + 2
    with Browser(browser) as chrome:
        tab = chrome.open_tab()
        values = [chrome.evaluate(tab[0], f"({source[start:end]})()") for _ in range(times)]
    return statistics.median(values)


def hide_rule(html: str, selector: str) -> str:
    """``html`` with a stylesheet, last in its head, that hides ``selector``.

    >>> hide_rule("<html><head><title>t</title></head><body><p>x</p></body></html>", "p, li")
    '<html><head><title>t</title><style>p, li { display: none !important; }</style></head><body><p>x</p></body></html>'
    >>> hide_rule("<p>no head</p>", "p")
    Traceback (most recent call last):
    ...
    ValueError: html has no </head> to put the rule for 'p' in
    """
    if "</head>" not in html:
        raise ValueError(f"html has no </head> to put the rule for {selector!r} in")
    return html.replace("</head>", f"<style>{selector} {{ display: none !important; }}</style></head>", 1)


def hidden_copy(root: Path, pages: list[str], selector: str, into: Path) -> Path:
    """A copy of the built site ``root`` in ``into``, where each of ``pages`` hides ``selector``."""
    site = into / "html"
    shutil.copytree(root, site)
    for page in pages:
        path = site / page
        path.write_text(hide_rule(path.read_text(encoding="utf-8"), selector), encoding="utf-8")
    return site


def count_hidden(site: Path, pages: list[str], selector: str, *, browser: str) -> dict[str, int]:
    """How many elements ``selector`` matches on each page of ``site``
    (``page_weight.visit``); a RuntimeError naming the selector if the browser
    cannot parse it."""
    with Browser(browser) as chrome:
        try:
            loads = visit(pages, root=site, browser=chrome,
                          run=f"document.querySelectorAll({json.dumps(selector)}).length")
        except RuntimeError as error:
            why = str(error).splitlines()[0]
            raise RuntimeError(f"--hide {selector!r} is not a selector the browser takes: {why}") from None
    return {page: load.result for page, load in loads.items()}


def run(url: str, browser: str, *, launcher_features: bool = False,
        cpu_slowdown: float | None = None) -> dict:
    """Lighthouse's JSON report (the "lhr") for one URL; ``cpu_slowdown``
    replaces the preset's 4x CPU slowdown."""
    flags = chrome_flags(launcher_features=launcher_features)
    slowdown = [] if cpu_slowdown is None else [f"--throttling.cpuSlowdownMultiplier={cpu_slowdown:.2f}"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        proc = subprocess.run(
            [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet", *slowdown,
             f"--chrome-flags={' '.join(flags)}"],
            capture_output=True, text=True, timeout=600, env={**os.environ, "CHROME_PATH": browser})
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"lighthouse failed on {url}: {proc.stderr[-1500:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def row(page: str, lhr: dict) -> dict:
    cats = {k: round(100 * (v["score"] or 0)) for k, v in lhr["categories"].items()}
    audits = lhr["audits"]
    return {"page": page, **cats,
            "LCP": audits["largest-contentful-paint"]["displayValue"],
            "TBT": audits["total-blocking-time"]["displayValue"],
            "bytes": human(int(audits["total-byte-weight"]["numericValue"])),
            "DOM": int(audits["dom-size"]["numericValue"]) if "numericValue" in audits["dom-size"] else "",
            "benchmark": lhr["environment"]["benchmarkIndex"],
            "misses": misses(lhr)}


def misses(lhr: dict) -> list[str]:
    """For each category under its goal, the audits that lost points."""
    found = []
    for cat, goal in GOAL.items():
        category = lhr["categories"][cat]
        if round(100 * (category["score"] or 0)) >= goal:
            continue
        for ref in category["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 0.9:
                found.append(f"{cat}: {audit['title']} ({audit.get('displayValue', audit['score'])})")
    return found


def table(rows: list[dict]) -> str:
    head = ["page", "performance", "accessibility", "best-practices", "seo", "LCP", "TBT", "bytes", "DOM"]
    cells = [[str(r.get(h, "")) for h in head] for r in rows]
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "| " + " | ".join("-" * w for w in widths) + " |"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(cell, widths)) + " |" for cell in cells]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    """The command line: pages (TOC entries), ``--gzip``, ``--launcher-features``,
    ``--calibrate``, ``--hide``.

    >>> parser().parse_args(["--gzip", "book/intro"]).pages
    ['book/intro']
    >>> parser().parse_args(["--launcher-features"]).launcher_features
    True
    >>> parser().parse_args(["--calibrate"]).calibrate
    True
    >>> parser().parse_args(["--hide", "mjx-container", "book/intro"]).hide
    'mjx-container'
    """
    p = argparse.ArgumentParser(description="Lighthouse (mobile preset) on pages of the built book.")
    p.add_argument("pages", nargs="*", help="TOC entries such as book/map_ridge (default: every page)")
    p.add_argument("--gzip", action="store_true", help="serve text files gzip-compressed, as GitHub Pages does")
    p.add_argument("--launcher-features", action="store_true",
                   help="keep chrome-launcher's --disable-features as it is (RenderDocument off)")
    p.add_argument("--calibrate", action="store_true",
                   help="slow the CPU down by what Lighthouse's calculator gives for this host's "
                        "benchmarkIndex (the median of 5 runs of Lighthouse's benchmark), not 4x")
    p.add_argument("--hide", metavar="SELECTOR", default="",
                   help="measure the pages with the elements SELECTOR matches set to display: none "
                        "(sent and parsed, never laid out): where a page's time goes")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)  # --help answers before anything is checked
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed; run: npm ci --prefix tests/tools/lighthouse", file=sys.stderr)
        return 2
    browser = os.environ.get("CHROME_PATH") or chromium()
    if browser is None or not HTML.is_dir():
        print("needs Chromium and a built site (jupyter-book build . -W --keep-going)", file=sys.stderr)
        return 2
    compress = args.gzip
    pages = [e if e.endswith(".html") else e + ".html" for e in (args.pages or toc_files())]
    rows = []
    print(f"served {'gzip-compressed, as GitHub Pages sends it' if compress else 'uncompressed'}; "
          f"RenderDocument {'off, as chrome-launcher sets it' if args.launcher_features else 'on'}",
          file=sys.stderr)
    slowdown = None
    site = HTML
    with tempfile.TemporaryDirectory() as tmp:
        if args.hide:
            print(f"hiding {args.hide!r} (display: none) on the pages measured", file=sys.stderr)
            site = hidden_copy(HTML, pages, args.hide, Path(tmp))
            try:
                counts = count_hidden(site, pages, args.hide, browser=browser)
            except RuntimeError as error:
                print(error, file=sys.stderr)
                return 2
            for page, count in counts.items():
                print(f"{page}: {count} elements match {args.hide!r}", file=sys.stderr)
        with serve(site, compress=compress) as base:
            if args.calibrate:
                index = benchmark_index(browser)
                slowdown = calibrated_slowdown(index)
                print(f"benchmarkIndex {index:.0f} (median of 5): CPU slowed down {slowdown:.2f}x, not 4x",
                      file=sys.stderr)
            for page in pages:
                rows.append(row(page, run(f"{base}/{page}", browser, launcher_features=args.launcher_features,
                                          cpu_slowdown=slowdown)))
                print(f"measured {page}", file=sys.stderr)
    print(table(rows))
    if args.hide:
        print(f"with {args.hide!r} hidden (display: none): not the page a reader gets")
    indexes = [r["benchmark"] for r in rows]
    print(f"host benchmarkIndex {min(indexes):.0f}-{max(indexes):.0f}; CPU slowdown "
          + (f"{slowdown:.2f}x (--calibrate)" if slowdown else
             f"4x, the preset's (right for about 1533; this host's calculator value: "
             f"{calibrated_slowdown(statistics.median(indexes)):.2f}x, --calibrate)"))
    missed = [(r["page"], m) for r in rows for m in r["misses"]]
    for page, why in missed:
        print(f"{page}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
