"""statguard explain-template PACK: the unexplained soft violations as a file to fill in."""

from __future__ import annotations

import argparse
import sys

from statguard.cli import common  # noqa: F401  (registers the options' texts shared with check)
from statguard.errors import EXIT_ERROR, EXIT_OK
from statguard.i18n import register, say, speaking, t

register({
    "cli.template.help": {"en": "write unexplained soft violations as an explanations file to fill in",
                          "zh": "把尚无说明的软性问题写成待填写的情况说明文件"},
    "cli.template.description": {"en": "Check the data, then write each unexplained violation of a soft rule as a "
                                       "row of an explanations file (.xlsx, .yml or .csv). Fill in the text and pass "
                                       "the file back with: statguard check PACK --explanations FILE",
                                 "zh": "核查数据，然后把软性规则的每条尚无说明的问题写成情况说明文件（.xlsx、.yml "
                                       "或 .csv）的一行。填写说明后，用 statguard check PACK --explanations FILE "
                                       "交回该文件"},
    "cli.template.output": {"en": "the file to write: .xlsx, .yml or .csv", "zh": "要写出的文件：.xlsx、.yml 或 .csv"},
    "cli.template.lang": {"en": "language of the headers (default: the pack's, else en)",
                          "zh": "表头的语言（默认：规则包的语言，否则 en）"},
    "cli.template.explanations": {"en": "explanations already given: their violations are left out; repeatable",
                                  "zh": "已给出的情况说明：其对应的问题不再列出；可重复"},
    "cli.template.rules": {"en": "only these rules", "zh": "只包括这些规则"},
    "cli.template.tags": {"en": "only rules with these tags", "zh": "只包括带这些标签的规则"},
    "cli.template.errored": {"en": "statguard: {n} rule(s) could not run: {rules}; their violations are not in the "
                                   "template",
                             "zh": "statguard：{n} 条规则未能运行：{rules}；其问题不在模板中"},
    "cli.template.written": {"en": "statguard: wrote {n} unexplained soft violation(s) to {output}; fill in the "
                                   "text, then run statguard check {pack} --explanations {output}",
                             "zh": "statguard：已把 {n} 条尚无说明的软性问题写入 {output}；填写说明后运行 "
                                   "statguard check {pack} --explanations {output}"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser(
        "explain-template", help=say("cli.template.help"), description=say("cli.template.description"))
    p.add_argument("pack", help=say("cli.opt.pack"))
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH",
                   help=say("cli.opt.source"))
    p.add_argument("--output", "-o", required=True, metavar="FILE",
                   help=say("cli.template.output"))
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.template.lang"))
    p.add_argument("--explanations", "-e", action="append", metavar="FILE",
                   help=say("cli.template.explanations"))
    p.add_argument("--rule", action="append", dest="rules", metavar="ID", help=say("cli.template.rules"))
    p.add_argument("--tag", action="append", dest="tags", metavar="TAG", help=say("cli.template.tags"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.cli.common import parse_sources
    from statguard.explain.template import write_template
    from statguard.load import load_pack

    pack = load_pack(args.pack, lang=args.lang)
    lang = args.lang or (pack.lang if pack.lang in ("zh", "en") else "en")
    with speaking(lang):
        report = pack.validate(parse_sources(args.source), rules=args.rules, tags=args.tags,
                               explanations=args.explanations)
    n = write_template(report, pack, args.output, lang)
    if report.errored:
        print(t("cli.template.errored", lang, n=len(report.errored), rules=", ".join(report.errored)),
              file=sys.stderr)
    print(t("cli.template.written", lang, n=n, output=args.output, pack=args.pack), file=sys.stderr)
    return EXIT_ERROR if report.errored else EXIT_OK
