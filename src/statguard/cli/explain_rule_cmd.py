"""statguard explain PACK RULE: one rule in a sentence, its parameters, SQL and examples;
with --data, its violations for one unit (statguard.authoring.explain_rule)."""

from __future__ import annotations

import argparse
import sys

from statguard.cli import common  # noqa: F401  (registers the options' texts shared with check)
from statguard.cli.common import add_allow_include
from statguard.errors import EXIT_ERROR, EXIT_OK
from statguard.i18n import register, say, speaking

register({
    "cli.explain.help": {"en": "explain one rule: what it checks, its SQL, examples that pass and fail",
                         "zh": "解释一条规则：它核查什么、其 SQL、通过和不通过的示例"},
    "cli.explain.description": {"en": "Explain one rule of a pack: a plain sentence, its parameters, the SQL it "
                                      "compiles to (DuckDB and Spark), a made-up example that passes and one that "
                                      "fails (each checked by running the rule on it); with --data, its violations "
                                      "for one unit.",
                                "zh": "解释规则包中的一条规则：一句通俗的说明、其参数、编译成的 SQL（DuckDB 和 "
                                      "Spark）、一个通过和一个不通过的虚构示例（均实际运行规则验证）；给出 --data "
                                      "时，列出某个单位的问题。"},
    "cli.explain.rule": {"en": "the rule's id", "zh": "规则的编号"},
    "cli.explain.lang": {"en": "language (default: the pack's, else the locale's, else en)",
                         "zh": "语言（默认：规则包的语言，其次是系统区域设置的语言，否则 en）"},
    "cli.explain.data": {"en": "data for a source, to list the rule's violations; repeatable",
                         "zh": "某个数据源的数据，用来列出该规则的问题；可重复"},
    "cli.explain.unit": {"en": "the unit whose violations to list (default: the one with most); "
                               "without --data, in the files the pack declares",
                         "zh": "列出哪个单位的问题（默认：问题最多的单位）；未给 --data 时读规则包声明的文件"},
    "cli.explain.no_examples": {"en": "leave out the made-up examples (faster)", "zh": "不生成虚构示例（更快）"},
    "cli.explain.include": {"en": "the pack's include:", "zh": "规则包的 include:"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser(
        "explain", help=say("cli.explain.help"), description=say("cli.explain.description"))
    p.add_argument("pack", help=say("cli.opt.pack"))
    p.add_argument("rule", help=say("cli.explain.rule"))
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.explain.lang"))
    p.add_argument("--data", "--source", "-s", action="append", dest="data", metavar="NAME=PATH",
                   help=say("cli.explain.data"))
    p.add_argument("--unit", metavar="U", help=say("cli.explain.unit"))
    p.add_argument("--no-examples", action="store_true", help=say("cli.explain.no_examples"))
    add_allow_include(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.authoring.explain_rule import explain_rule, render
    from statguard.cli.common import parse_sources
    from statguard.i18n import resolve
    from statguard.load import load_pack

    pack = load_pack(args.pack, allow_include=args.allow_include, lang=args.lang)
    lang = resolve(args.lang, pack.lang)
    # --unit alone: the violations in the pack's own files (the paths its sources declare)
    data = parse_sources(args.data) if args.data else ({} if args.unit is not None else None)
    with speaking(lang):
        explanation = explain_rule(pack, args.rule, lang, data=data, unit=args.unit, examples=not args.no_examples)
    sys.stdout.write(render(explanation, lang))
    return EXIT_ERROR if explanation.error is not None else EXIT_OK
