"""statguard schema: print the JSON Schema of rule packs or of reports."""

from __future__ import annotations

import argparse
import json


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("schema", help="print a JSON Schema",
                        description="Print the JSON Schema of rule packs (for editors) or of JSON reports.")
    p.add_argument("which", nargs="?", default="pack", choices=["pack", "report"])
    p.add_argument("--lang", choices=["zh", "en"],
                   help="language of the pack schema's descriptions (default: the locale's, else en)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.i18n import resolve
    from statguard.pack.jsonschema import pack_schema, report_schema
    schema = pack_schema(resolve(args.lang)) if args.which == "pack" else report_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return 0
