"""statguard compare PACK --version NAME=PATH ...: rule outcomes and cell changes across versions."""

from __future__ import annotations

import argparse
import json

from statguard.errors import EXIT_OK, StatguardError


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("compare", help="compare versions of a dataset (rule outcomes and cell changes)",
                        description="Run the pack's rules on each version of one source and count, per rule, "
                                    "satisfied / violated / not evaluable items and changes between versions; "
                                    "count per column the cells added, removed, changed or imputed.")
    p.add_argument("pack", help="rule pack: a YAML file or a directory of YAML files")
    p.add_argument("--version", "-V", action="append", dest="versions", metavar="NAME=PATH", required=True,
                   help="one version of the data, oldest first; repeatable (two or more to compare)")
    p.add_argument("--source", "-s", help="the source the versions are of (needed when the pack has several)")
    p.add_argument("--key", action="append", dest="keys", metavar="COLUMN",
                   help="match rows of versions on this column for the cell counts (default: by position)")
    p.add_argument("--how", choices=["to_first", "sequential"], default="to_first",
                   help="compare each version with the first one (default) or with the one before")
    p.add_argument("--format", "-f", choices=["text", "json", "csv"], default="text")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=run)


def _versions(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise StatguardError(f"--version expects NAME=PATH, got '{item}'")
        if name.strip() in out:
            raise StatguardError(f"version name '{name.strip()}' is given twice")
        out[name.strip()] = path.strip()
    return out


def run(args: argparse.Namespace) -> int:
    from statguard.cli.common import write_output
    from statguard.compare import cells, compare_versions
    from statguard.pack import load_pack

    versions = _versions(args.versions)
    pack = load_pack(args.pack)
    rules = compare_versions(pack, versions, source=args.source, how=args.how)
    cell = cells(versions, key=args.keys, how=args.how)
    if args.format == "json":
        data = {"how": args.how, "versions": list(versions),
                "rules": json.loads(rules.to_json(orient="records", force_ascii=False)),
                "cells": json.loads(cell.to_json(orient="records", force_ascii=False))}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = rules.to_csv(index=False) + "\n" + cell.to_csv(index=False)
    else:
        text = _text(rules, cell)
    write_output(text, args.output)
    return EXIT_OK


def _text(rules, cell) -> str:  # type: ignore[no-untyped-def]
    rule_table = rules.set_index(["rule_id", "version"]).T.to_string()
    cell_table = cell[cell["column"] == "(all)"].drop(columns="column").set_index("version").T.to_string()
    per_column = cell.pivot(index="column", columns="version", values=["adapted", "imputed", "removed"])
    # pivot sorts its labels; the versions are a sequence and the columns those of the data: keep both orders
    versions, columns = list(dict.fromkeys(cell["version"])), list(dict.fromkeys(cell["column"]))
    per_column = per_column.reindex(index=columns)[[(m, v) for m in ("adapted", "imputed", "removed")
                                                    for v in versions]]
    return (f"Rule outcomes per version\n{rule_table}\n\nCells, all columns\n{cell_table}\n\n"
            f"Cells changed per column\n{per_column.to_string()}\n")
