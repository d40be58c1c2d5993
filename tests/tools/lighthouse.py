"""Lighthouse on every page of the built book: a measuring tool, never a test.

Usage, after ``jupyter-book build . -W --keep-going`` and, once,
``npm ci --prefix tests/tools/lighthouse`` (Lighthouse 12.2.3, pinned in
``tests/tools/lighthouse/package-lock.json``; it runs on Node 18 or 20)::

    python tests/tools/lighthouse.py                    # every page in _toc.yml
    python tests/tools/lighthouse.py book/map_ridge     # just some (TOC entries)
    python tests/tools/lighthouse.py --gzip ...         # text files gzip-compressed

The site is served on 127.0.0.1, without compression as the issue measured it,
or with ``--gzip`` compressed as GitHub Pages sends it (text files, level 6);
Lighthouse's simulated slow network counts the bytes sent. Lighthouse drives the
system's Chromium (``CHROME_PATH``, else ``booktools.chromium()``) headless, with
every host but loopback resolving to nothing: no network. Its default preset is
used: mobile, with simulated throttling. One row per page: the four category
scores, largest contentful paint, total blocking time, the bytes transferred
(as sent) and the DOM size. The goal it measures: performance >= 90,
accessibility 100, best practices 100, SEO >= 95 on every page; pages that miss
it are listed with the audits that cost them points. Timings are machine- and
load-dependent: compare runs on one quiet machine, and never assert them.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for booktools
from booktools import CHROMIUM_FLAGS, HTML, chromium, toc_files  # noqa: E402
from page_weight import human, serve  # noqa: E402

LIGHTHOUSE = Path(__file__).resolve().parent / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
GOAL = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 95}


# chrome-launcher's own --disable-features list (node_modules/chrome-launcher/
# dist/flags.js): Chromium keeps only the last --disable-features it is given, so
# ours (booktools.CHROMIUM_FLAGS) carries these too.
LAUNCHER_DISABLED = ("Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
                     "CalculateNativeWinOcclusion,InterestFeedContentSuggestions,"
                     "CertificateTransparencyComponentUpdater,AutofillServerCommunication,"
                     "PrivacySandboxSettings4,RenderDocument")


def chrome_flags() -> list[str]:
    """booktools.CHROMIUM_FLAGS for Lighthouse's Chromium: the new headless mode,
    and one --disable-features list, chrome-launcher's and ours.

    >>> [f for f in chrome_flags() if f.startswith("--disable-features=")][0].count("Translate")
    1
    """
    flags = [f for f in CHROMIUM_FLAGS if f != "--headless"] + ["--headless=new"]
    ours = [f.split("=", 1)[1] for f in flags if f.startswith("--disable-features=")]
    flags = [f for f in flags if not f.startswith("--disable-features=")]
    return flags + ["--disable-features=" + ",".join([LAUNCHER_DISABLED, *ours])]


def run(url: str, browser: str) -> dict:
    """Lighthouse's JSON report (the "lhr") for one URL."""
    flags = chrome_flags()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        proc = subprocess.run(
            [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
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
    """The command line: pages (TOC entries) and ``--gzip``.

    >>> parser().parse_args(["--gzip", "book/intro"]).pages
    ['book/intro']
    """
    p = argparse.ArgumentParser(description="Lighthouse (mobile preset) on pages of the built book.")
    p.add_argument("pages", nargs="*", help="TOC entries such as book/map_ridge (default: every page)")
    p.add_argument("--gzip", action="store_true", help="serve text files gzip-compressed, as GitHub Pages does")
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
    print(f"served {'gzip-compressed, as GitHub Pages sends it' if compress else 'uncompressed'}",
          file=sys.stderr)
    with serve(HTML, compress=compress) as base:
        for page in pages:
            rows.append(row(page, run(f"{base}/{page}", browser)))
            print(f"measured {page}", file=sys.stderr)
    print(table(rows))
    missed = [(r["page"], m) for r in rows for m in r["misses"]]
    for page, why in missed:
        print(f"{page}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
