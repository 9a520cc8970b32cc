"""statguard lint PACK: check a pack without data, listing every problem."""

from __future__ import annotations

import argparse
import sys

from statguard.errors import EXIT_ERROR, EXIT_OK, PackError


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("lint", help="check rule packs without data",
                        description="Check rule packs without data; list every problem as file:line:column.")
    p.add_argument("packs", nargs="+", help="rule pack files or directories")
    p.add_argument("--allow-include", action="append", default=[], metavar="DIR",
                   help="let include: read files under DIR too (default: only the pack's own directory tree); "
                        "repeatable")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.pack import load_pack
    status = EXIT_OK
    for path in args.packs:
        try:
            pack = load_pack(path, check_types=True, allow_include=args.allow_include)
            problems = pack.problems
        except PackError as e:
            problems = e.problems
        for problem in problems:
            print(problem)
        if problems:
            status = EXIT_ERROR
        else:
            print(f"{path}: ok ({len(pack.rules)} rules, {len(pack.sources)} sources)", file=sys.stderr)
    return status
