"""statguard export pandera|gx PACK: a pack's sources as pandera schemas or GX expectation suites."""

from __future__ import annotations

import argparse
import sys

from statguard.cli.common import add_allow_include, write_output
from statguard.errors import EXIT_OK
from statguard.i18n import register, resolve, spoken, t

register({
    "cli.export.help": {"en": "export a pack's sources as pandera schemas or great-expectations suites",
                        "zh": "将规则包的数据源导出为 pandera 模式或 great-expectations 期望集"},
    "cli.export.tool": {"en": "pandera: a Python module of DataFrameSchemas; gx: ExpectationSuite JSON",
                        "zh": "pandera：DataFrameSchema 的 Python 模块；gx：ExpectationSuite JSON"},
    "cli.export.pack": {"en": "rule pack file or directory", "zh": "规则包文件或目录"},
    "cli.export.source": {"en": "export only this source (repeatable; default: all)",
                          "zh": "只导出该数据源（可重复；默认全部）"},
    "cli.export.output": {"en": "file to write (default: standard output)", "zh": "输出文件（默认：标准输出）"},
    "cli.lang": {"en": "language of messages: zh or en", "zh": "提示信息的语言：zh 或 en"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    lang = spoken()  # --lang, else the locale (statguard.cli.main)
    p = subs.add_parser("export", help=t("cli.export.help", lang), description=t("cli.export.help", lang))
    p.add_argument("tool", choices=["pandera", "gx"], help=t("cli.export.tool", lang))
    p.add_argument("pack", help=t("cli.export.pack", lang))
    p.add_argument("--source", action="append", metavar="S", help=t("cli.export.source", lang))
    p.add_argument("-o", "--output", metavar="FILE", help=t("cli.export.output", lang))
    p.add_argument("--lang", choices=["zh", "en"], help=t("cli.lang", lang))
    add_allow_include(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.interop.common import unmapped_lines
    from statguard.load import load_pack
    pack = load_pack(args.pack, allow_include=args.allow_include)
    lang = resolve(args.lang, pack.lang)
    if args.tool == "pandera":
        from statguard.interop.pandera_export import export
    else:
        from statguard.interop.gx_export import export
    result = export(pack, args.source, lang)
    write_output(result.text, args.output)
    if args.output:
        n = len(args.source) if args.source else len(pack.sources)
        print(t("interop.written", lang, path=args.output, n=n), file=sys.stderr)
    for line in unmapped_lines(result.unmapped, lang):
        print(line, file=sys.stderr)
    return EXIT_OK
