"""The Korean edition's translation files (book/ko/<page>.md): status, skeleton, rehash.

    python tests/tools/ko.py status                  # per page: units, translated, stale, ...
    python tests/tools/ko.py skeleton <page>         # write/update book/ko/<page>.md
    python tests/tools/ko.py show <page> <unit>      # the English source and the Korean of a unit
    python tests/tools/ko.py rehash <page> <unit>... # after a human re-checked those units

<page> is a TOC entry, with or without ``book/`` and suffix (``intro``,
``book/notation.ipynb``), or ``_site`` (the book's title, author and part captions).

``skeleton`` keeps every existing translation; adds each missing unit with its
English text, marked ``todo`` (built as English, and the completeness test fails
on it); marks ``fuzzy`` a unit whose English changed since it was translated (its
stored sha stays the old one, so the staleness test fails until it is re-checked);
moves a translation whose unit was re-keyed but whose English is unchanged (same
sha); and keeps translations of units that no longer exist at the end of the file,
as ``orphan`` units for a translator to reuse and delete.

``rehash`` is the one way to accept a changed English source: for the units named,
each translated into Korean (not ``todo``), it stores the sha of today's English
and clears ``fuzzy``. Run it only after reading the English change and fixing the
Korean. Units are never rehashed in bulk.

Not a test: a tool to run by hand (see README, "The Korean edition").
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / ".ci" / "ko"))

import korean_edition as ke  # noqa: E402


def page_name(arg: str) -> str:
    """``intro``, ``book/intro.md``, ``book/ko/intro.md`` -> ``book/intro``."""
    name = arg.strip().removesuffix(".ipynb").removesuffix(".md")
    name = name.replace("book/ko/", "book/")
    if name == ke.SITE_PAGE:
        return name
    if not name.startswith("book/"):
        name = "book/" + name
    pages = ke.all_pages(ROOT)
    if name not in pages:
        raise SystemExit(f"no page {arg!r}; the pages are: {', '.join(pages)}")
    return name


def cmd_status(args) -> int:
    rows = ke.status(ROOT)
    cols = ["units", "translated", "stale", "fuzzy", "todo", "missing", "orphans"]
    width = max(len(r["page"]) for r in rows)
    print(f"{'page':<{width}}  " + "  ".join(f"{c:>10}" for c in cols))
    for r in rows:
        print(f"{r['page']:<{width}}  " + "  ".join(f"{r[c]:>10}" for c in cols))
    total = {c: sum(r[c] for r in rows) for c in cols}
    print(f"{'total':<{width}}  " + "  ".join(f"{total[c]:>10}" for c in cols))
    return 0


def cmd_skeleton(args) -> int:
    name = page_name(args.page)
    page = ke.load_page(name, ROOT)
    path = ke.translation_path(name, ROOT)
    old = ke.read_translations(path)
    by_sha: dict[str, ke.Translation] = {}
    for t in old.values():
        by_sha.setdefault(t.sha, t)
    keys = {u.key for u in page.units}
    used: set[str] = set()
    out: list[ke.Translation] = []
    counts = {"kept": 0, "added": 0, "fuzzy": 0, "moved": 0, "orphans": 0}
    for unit in page.units:
        t = old.get(unit.key)
        if t is None:
            moved = by_sha.get(unit.sha)
            if moved is not None and moved.key not in keys and moved.key not in used:
                used.add(moved.key)
                out.append(ke.Translation(unit.key, moved.sha, moved.text, moved.fuzzy, moved.todo))
                counts["moved"] += 1
                continue
            out.append(ke.Translation(unit.key, unit.sha, unit.source, todo=True))
            counts["added"] += 1
            continue
        used.add(unit.key)
        if t.todo:
            # still untranslated: follow the English
            out.append(ke.Translation(unit.key, unit.sha, unit.source if t.sha != unit.sha else t.text,
                                      todo=True))
        elif t.sha != unit.sha:
            out.append(ke.Translation(unit.key, t.sha, t.text, fuzzy=True))
            counts["fuzzy"] += 1
        else:
            out.append(t)
        counts["kept"] += 1
    for key, t in old.items():
        if key not in used and not t.todo:
            orphan = key if key.startswith("orphan:") else "orphan:" + key
            out.append(ke.Translation(orphan, t.sha, t.text, fuzzy=True))
            counts["orphans"] += 1
    ke.write_translations(path, ke.page_source_name(page), out)
    print(f"{path.relative_to(ROOT)}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def cmd_show(args) -> int:
    name = page_name(args.page)
    page = ke.load_page(name, ROOT)
    units = {u.key: u for u in page.units}
    trans = ke.read_translations(ke.translation_path(name, ROOT))
    if args.unit not in units:
        raise SystemExit(f"{name} has no unit {args.unit!r}")
    unit = units[args.unit]
    t = trans.get(args.unit)
    state = ("missing" if t is None else "todo" if t.todo else
             "stale" if t.sha != unit.sha else "fuzzy" if t.fuzzy else "current")
    print(f"--- English (sha {unit.sha}) ---\n{unit.source}\n--- Korean ({state}) ---\n"
          f"{t.text if t else ''}")
    return 0


def cmd_rehash(args) -> int:
    name = page_name(args.page)
    page = ke.load_page(name, ROOT)
    units = {u.key: u for u in page.units}
    path = ke.translation_path(name, ROOT)
    trans = ke.read_translations(path)
    for key in args.units:
        if key not in units:
            raise SystemExit(f"{name} has no unit {key!r}")
        t = trans.get(key)
        if t is None or t.todo or not ke.HANGUL.search(t.text):
            raise SystemExit(f"{name} {key}: not translated yet; translate it (and drop 'todo') first")
        t.sha, t.fuzzy = units[key].sha, False
        print(f"{name} {key}: re-checked, sha {t.sha}")
    order = [u.key for u in page.units]
    ordered = [trans[k] for k in order if k in trans] + [t for k, t in trans.items() if k not in units]
    ke.write_translations(path, ke.page_source_name(page), ordered)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="per page: units, translated, stale, fuzzy, todo, missing")
    p = sub.add_parser("skeleton", help="write or update a page's translation file")
    p.add_argument("page")
    p = sub.add_parser("show", help="a unit's English and Korean")
    p.add_argument("page")
    p.add_argument("unit")
    p = sub.add_parser("rehash", help="accept today's English for units a human re-checked")
    p.add_argument("page")
    p.add_argument("units", nargs="+")
    args = parser.parse_args(argv)
    return {"status": cmd_status, "skeleton": cmd_skeleton, "show": cmd_show,
            "rehash": cmd_rehash}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
