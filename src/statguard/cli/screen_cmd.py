"""statguard screen: the credibility screen, the bundled pack of fabrication signals, in one command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from statguard.cli.common import add_allow_include, add_memory_limit
from statguard.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, StatguardError
from statguard.i18n import register, say

TABLES = ("figures", "parts", "revisions", "claims", "insurance", "counties", "indicators")
SUFFIXES = (".parquet", ".csv", ".xlsx")

register({
    "cli.screen.help": {"en": "rank units by how suspicious their figures look (the credibility screen)",
                        "zh": "按数据的可疑程度给报送单位排序（可信度筛查）"},
    "cli.screen.description": {"en": "Run the credibility screen (the signals of invented and polished figures) on "
                                     "tables in the canonical layout and rank the units by a combined suspicion "
                                     "score. Tables not given are skipped with a note. Exit 1 when a unit is "
                                     "flagged.",
                               "zh": "对标准格式的各表运行可信度筛查（编造、修饰数据的迹象），按综合可疑度得分给"
                                     "报送单位排序。未提供的表跳过并注明。有单位被标为可疑时退出码为 1。"},
    "cli.screen.data": {"en": "a directory holding the tables as NAME.parquet / NAME.csv ({tables})",
                        "zh": "存放各表的目录，文件名为 表名.parquet / 表名.csv（{tables}）"},
    "cli.screen.source": {"en": "one table; repeatable", "zh": "一张表；可重复"},
    "cli.screen.pack": {"en": "a pack to run instead of the bundled credibility pack",
                        "zh": "代替内置可信度规则包运行的规则包"},
    "cli.screen.include": {"en": "the --pack's include:", "zh": "--pack 规则包的 include:"},
    "cli.screen.lang": {"en": "language of the report (default: the pack's, the locale)",
                        "zh": "报告的语言（默认：规则包的语言，其次是系统区域设置）"},
    "cli.screen.threads": {"en": "engine threads (default: all cores)", "zh": "执行引擎的线程数（默认：全部核心）"},
    "cli.screen.not_dir": {"en": "{directory}: not a directory (give the folder holding figures.parquet, ...)",
                           "zh": "{directory}：不是目录（请给出存放 figures.parquet 等文件的文件夹）"},
    "cli.screen.no_tables": {"en": "{directory}: none of the tables {tables} ({suffixes}) is there",
                             "zh": "{directory}：其中没有 {tables} 中的任何一张表（{suffixes}）"},
    "cli.screen.no_data": {"en": "no data: give a directory of tables or --source NAME=PATH",
                           "zh": "没有数据：请给出存放各表的目录，或 --source 名称=路径"},
})


def bundled_pack() -> Path:
    """The credibility pack shipped inside the package (rules/credibility in a checkout)."""
    return Path(__file__).resolve().parent.parent / "packs" / "credibility"


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser(
        "screen", help=say("cli.screen.help"), description=say("cli.screen.description"))
    p.add_argument("data", nargs="?", metavar="DIR",
                   help=say("cli.screen.data", tables=", ".join(TABLES)))
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH", help=say("cli.screen.source"))
    p.add_argument("--pack", metavar="PACK", help=say("cli.screen.pack"))
    add_allow_include(p, say("cli.screen.include"))
    p.add_argument("--format", "-f", action="append", dest="formats", metavar="FORMAT",
                   help=say("cli.opt.formats"))
    p.add_argument("--output", "-o", action="append", dest="outputs", metavar="FILE",
                   help=say("cli.opt.outputs"))
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.screen.lang"))
    p.add_argument("--threads", type=int, metavar="N", help=say("cli.screen.threads"))
    add_memory_limit(p)
    p.set_defaults(func=run)


def tables_in(directory: str | None) -> dict[str, str]:
    """NAME -> path of the canonical tables found in `directory`."""
    if directory is None:
        return {}
    root = Path(directory)
    if not root.is_dir():
        raise StatguardError(say("cli.screen.not_dir", directory=directory))
    found = {}
    for name in TABLES:
        for suffix in SUFFIXES:
            if (root / (name + suffix)).is_file():
                found[name] = str(root / (name + suffix))
                break
    if not found:
        raise StatguardError(say("cli.screen.no_tables", directory=directory, tables=", ".join(TABLES),
                                 suffixes=" / ".join(SUFFIXES)))
    return found


def run(args: argparse.Namespace) -> int:
    from statguard.api import validate
    from statguard.cli.common import parse_sources
    from statguard.i18n import resolve, speaking, spoken, t
    from statguard.load import load_pack
    from statguard.report.suspicion import ranking
    from statguard.report.writers import output_formats, write_all
    # before any work, in the language the CLI speaks (--lang, else the pack's)
    formats = output_formats(args.formats, args.outputs, spoken())
    pack = load_pack(args.pack or bundled_pack(), allow_include=args.allow_include, lang=args.lang)
    sources = {**tables_in(args.data), **parse_sources(args.source)}
    if not sources:
        raise StatguardError(say("cli.screen.no_data"))
    lang = resolve(args.lang, pack.lang)
    with speaking(lang):  # source errors in the report's language
        report = validate(pack, sources, lang=lang,
                          options={"threads": args.threads, "memory_limit": args.memory_limit})
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
