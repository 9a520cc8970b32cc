"""statguard screen: the credibility screen, the bundled pack of fabrication signals, in one command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from statguard.cli.common import add_allow_include, add_memory_limit
from statguard.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, StatguardError

TABLES = ("figures", "parts", "revisions", "claims", "insurance", "counties", "indicators")
SUFFIXES = (".parquet", ".csv", ".xlsx")


def bundled_pack() -> Path:
    """The credibility pack shipped inside the package (rules/credibility in a checkout)."""
    return Path(__file__).resolve().parent.parent / "packs" / "credibility"


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser(
        "screen", help="rank units by how suspicious their figures look (the credibility screen)",
        description="Run the credibility screen (the signals of invented and polished figures) on tables in "
                    "the canonical layout and rank the units by a combined suspicion score. Tables not given "
                    "are skipped with a note. Exit 1 when a unit is flagged.")
    p.add_argument("data", nargs="?", metavar="DIR",
                   help=f"a directory holding the tables as NAME.parquet / NAME.csv ({', '.join(TABLES)})")
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH", help="one table; repeatable")
    p.add_argument("--pack", metavar="PACK", help="a pack to run instead of the bundled credibility pack")
    add_allow_include(p, "the --pack's include:")
    p.add_argument("--format", "-f", action="append", dest="formats", metavar="FORMAT",
                   help="text (default), json, html, xlsx, junit, markdown or csv; repeatable")
    p.add_argument("--output", "-o", action="append", dest="outputs", metavar="FILE",
                   help="write the report here (one per --format; default stdout)")
    p.add_argument("--lang", choices=["zh", "en"], help="language of the report (default: the pack's, the locale)")
    p.add_argument("--threads", type=int, metavar="N", help="engine threads (default: all cores)")
    add_memory_limit(p)
    p.set_defaults(func=run)


def tables_in(directory: str | None) -> dict[str, str]:
    """NAME -> path of the canonical tables found in `directory`."""
    if directory is None:
        return {}
    root = Path(directory)
    if not root.is_dir():
        raise StatguardError(f"{directory}: not a directory (give the folder holding figures.parquet, ...)")
    found = {}
    for name in TABLES:
        for suffix in SUFFIXES:
            if (root / (name + suffix)).is_file():
                found[name] = str(root / (name + suffix))
                break
    if not found:
        raise StatguardError(f"{directory}: none of the tables {', '.join(TABLES)} "
                             f"({' / '.join(SUFFIXES)}) is there")
    return found


def run(args: argparse.Namespace) -> int:
    from statguard.api import validate
    from statguard.cli.common import parse_sources
    from statguard.i18n import resolve, t
    from statguard.pack import load_pack
    from statguard.report.suspicion import ranking
    from statguard.report.writers import output_formats, write_all
    formats = output_formats(args.formats, args.outputs, resolve(args.lang))  # before any work
    pack = load_pack(args.pack or bundled_pack(), allow_include=args.allow_include)
    sources = {**tables_in(args.data), **parse_sources(args.source)}
    if not sources:
        raise StatguardError("no data: give a directory of tables or --source NAME=PATH")
    lang = resolve(args.lang, pack.lang)
    report = validate(pack, sources, lang=lang, options={"threads": args.threads, "memory_limit": args.memory_limit})
    report.meta.update(lang=lang, fail_on="never")
    if report.meta.get("screen") is None:
        report.meta["screen"] = {}  # a pack without screen settings is ranked with the defaults
    write_all(report, formats, args.outputs or [], lang=lang)
    if report.errored:
        print(t("cli.failed", lang, error=t("cli.errored", lang, n=len(report.errored),
                                            rules=", ".join(report.errored))), file=sys.stderr)
        return EXIT_ERROR
    rank = ranking(report)
    return EXIT_VIOLATIONS if rank and rank["flagged"] else EXIT_OK
