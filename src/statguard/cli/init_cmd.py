"""statguard init DATA... [-o DIR]: infer a first pack from sample files (statguard.authoring)."""

from __future__ import annotations

import argparse
import sys

from statguard.errors import EXIT_OK
from statguard.i18n import register, t

register({
    "init.written": {"en": "{path}: {rules} rules for {sources} source(s); {warned} with exceptions (severity "
                           "warning), {dropped} suggestion(s) left out",
                     "zh": "{path}：{sources} 个数据源，{rules} 条规则；其中 {warned} 条有例外记录（警告级），"
                           "{dropped} 条建议未采纳"},
    "init.dropped": {"en": "  left out: {what} ({why})", "zh": "  未采纳：{what}（{why}）"},
})


def _support(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1 (0.99 = 99%), got {text!r}")
    return value


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("init", help="infer a first rule pack from sample data files",
                        description="Infer a pack from sample files (CSV, Excel, Parquet): sources with column "
                                    "types, keys, codes, ranges and patterns, and suggested rules that hold on "
                                    "most records, each with its support and exceptions as comments.")
    p.add_argument("data", nargs="+", metavar="DATA", help="sample data files")
    p.add_argument("-o", "--output", default=".", metavar="DIR", help="directory to write pack.yml into (default: .)")
    p.add_argument("--min-support", type=_support, default=0.99, metavar="SHARE",
                   help="least share of the judged records a suggested rule must hold on (default 0.99)")
    p.add_argument("--lang", choices=["zh", "en"], help="language of the pack's comments and descriptions")
    p.add_argument("--force", action="store_true", help="overwrite an existing DIR/pack.yml")
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
