"""Helpers shared by the book's tests: the table of contents, the notebooks,
and the built site. Not a test module itself."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
# The built site; MLEMAP_HTML points the browser tests at another build folder.
HTML = Path(os.environ.get("MLEMAP_HTML", ROOT / "_build" / "html")).resolve()


def toc_files() -> list[str]:
    """Every `file:` named in _toc.yml, in order, without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return found


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
]


def dump_dom(url: str, *, budget_ms: int = 15000, extra_flags=(), timeout: float = 120,
             browser: str | None = None) -> str:
    """Open ``url`` in headless Chromium with a fresh profile; return the DOM after
    ``budget_ms`` of virtual time. Raises RuntimeError when Chromium fails."""
    browser = browser or chromium()
    if browser is None:
        raise RuntimeError("Chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        run = subprocess.run(
            [browser, *CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile}",
             f"--virtual-time-budget={budget_ms}", "--dump-dom", url],
            capture_output=True, text=True, timeout=timeout)
    if run.returncode != 0:
        raise RuntimeError(f"chromium failed on {url}: {run.stderr[-2000:]}")
    return run.stdout
