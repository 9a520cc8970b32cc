"""statguard init DATA... [-o DIR]: infer a first pack from sample files (statguard.authoring)."""

from __future__ import annotations

import argparse
import sys

from statguard.errors import EXIT_OK
from statguard.i18n import register, say, t

register({
    "init.written": {"en": "{path}: {rules} rules for {sources} source(s); {warned} with exceptions (severity "
                           "warning), {dropped} suggestion(s) left out",
                     "zh": "{path}：{sources} 个数据源，{rules} 条规则；其中 {warned} 条有例外记录（警告级），"
                           "{dropped} 条建议未采纳"},
    "init.dropped": {"en": "  left out: {what} ({why})", "zh": "  未采纳：{what}（{why}）"},
})


register({
    "cli.init.share": {"en": "expected a share between 0 and 1, got {text}",
                       "zh": "应为 0 到 1 之间的比例，而不是 {text}"},
    "cli.init.share_range": {"en": "expected a share between 0 and 1 (0.99 = 99%), got {text}",
                             "zh": "应为 0 到 1 之间的比例（0.99 即 99%），而不是 {text}"},
    "cli.init.help": {"en": "infer a first rule pack from sample data files", "zh": "由样本数据文件推断出初步的规则包"},
    "cli.init.description": {"en": "Infer a pack from sample files (CSV, Excel, Parquet): sources with column types, "
                                   "keys, codes, ranges and patterns, and suggested rules that hold on most records, "
                                   "each with its support and exceptions as comments.",
                             "zh": "由样本文件（CSV、Excel、Parquet）推断规则包：数据源及其列类型、主键、代码、"
                                   "取值范围和格式，以及对大多数记录成立的建议规则，"
                                   "每条规则以注释注明其支持度和例外记录。"},
    "cli.init.data": {"en": "sample data files", "zh": "样本数据文件"},
    "cli.init.output": {"en": "directory to write pack.yml into (default: .)",
                        "zh": "写入 pack.yml 的目录（默认：当前目录）"},
    "cli.init.min_support": {"en": "least share of the judged records a suggested rule must hold on (default 0.99)",
                             "zh": "建议规则至少须对多大比例的被判定记录成立（默认 0.99）"},
    "cli.init.lang": {"en": "language of the pack's comments and descriptions", "zh": "规则包中注释和说明的语言"},
    "cli.init.force": {"en": "overwrite an existing DIR/pack.yml", "zh": "覆盖已有的 DIR/pack.yml"},
})


def _support(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli.init.share", text=repr(text))) from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(say("cli.init.share_range", text=repr(text)))
    return value


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("init", help=say("cli.init.help"), description=say("cli.init.description"))
    p.add_argument("data", nargs="+", metavar="DATA", help=say("cli.init.data"))
    p.add_argument("-o", "--output", default=".", metavar="DIR", help=say("cli.init.output"))
    p.add_argument("--min-support", type=_support, default=0.99, metavar="SHARE",
                   help=say("cli.init.min_support"))
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.init.lang"))
    p.add_argument("--force", action="store_true", help=say("cli.init.force"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.authoring import infer_pack
    from statguard.i18n import resolve
    lang = resolve(args.lang) or "en"
    result = infer_pack(args.data, args.output, min_support=args.min_support, lang=lang, force=args.force)
    warned = sum(1 for _, s in result.rules if s.exceptions)
    print(t("init.written", lang, path=result.path, rules=len(result.rules), sources=len(result.sources),
            warned=warned, dropped=len(result.dropped)), file=sys.stderr)
    for s, why in result.dropped:
        print(t("init.dropped", lang, what=f"{s.kind} {s.what}", why=why), file=sys.stderr)
    return EXIT_OK
