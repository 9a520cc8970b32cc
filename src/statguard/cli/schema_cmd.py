"""statguard schema: print the JSON Schema of rule packs or of reports."""

from __future__ import annotations

import argparse
import json

from statguard.i18n import register, say

register({
    "cli.schema.help": {"en": "print a JSON Schema", "zh": "输出 JSON Schema"},
    "cli.schema.description": {"en": "Print the JSON Schema of rule packs (for editors) or of JSON reports.",
                               "zh": "输出规则包（供编辑器使用）或 JSON 报告的 JSON Schema。"},
    "cli.schema.which": {"en": "pack (default) or report", "zh": "pack（默认）或 report"},
    "cli.schema.lang": {"en": "language of the pack schema's descriptions (default: the locale's, else en)",
                        "zh": "规则包 Schema 中说明文字的语言（默认：系统区域设置的语言，否则 en）"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("schema", help=say("cli.schema.help"), description=say("cli.schema.description"))
    p.add_argument("which", nargs="?", default="pack", choices=["pack", "report"], help=say("cli.schema.which"))
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.schema.lang"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.i18n import resolve
    from statguard.load.jsonschema import pack_schema, report_schema
    schema = pack_schema(resolve(args.lang)) if args.which == "pack" else report_schema()
    print(json.dumps(schema, ensure_ascii=False, indent=2))
    return 0
