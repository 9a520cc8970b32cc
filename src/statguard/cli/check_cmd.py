"""statguard check PACK: validate sources and report violations."""

from __future__ import annotations

import argparse
import sys

from statguard.cli.common import add_allow_include, add_memory_limit
from statguard.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS
from statguard.i18n import register, say

register({
    "cli.check.help": {"en": "validate data with a rule pack", "zh": "用规则包核查数据"},
    "cli.check.description": {"en": "Validate sources with a rule pack and report violations.",
                              "zh": "用规则包核查各数据源，报告发现的问题。"},
    "cli.check.fail_on": {"en": "lowest severity that makes the exit code 1 (default: error)",
                          "zh": "使退出码为 1 的最低问题级别（默认：error）"},
    "cli.check.lang": {"en": "language of messages and labels (default: the pack's lang, then the locale)",
                       "zh": "提示信息和标签的语言（默认：规则包的 lang，其次是系统区域设置）"},
    "cli.check.record": {"en": "record the checked data in the history store first (a new version unless "
                               "unchanged)",
                         "zh": "先把所核查的数据记入历史库（内容有变化时记为新版本）"},
    "cli.check.reason": {"en": "with --record: the stated reason for this resubmission",
                         "zh": "与 --record 同用：本次重新报送的理由"},
    "cli.check.history": {"en": "history store file (default: $STATGUARD_HISTORY, else .statguard/history.db)",
                          "zh": "历史库文件（默认：$STATGUARD_HISTORY，否则 .statguard/history.db）"},
    "cli.check.explanations": {"en": "explanations of soft violations (.yml, .csv, .xlsx); repeatable",
                               "zh": "对软性问题的情况说明（.yml、.csv、.xlsx）；可重复"},
    "cli.check.output_dir": {"en": "directory for extra outputs such as spot-check samples (default: next to the "
                                   "first --output file, else ./statguard-output)",
                             "zh": "抽查样本等附加输出的目录（默认：第一个 --output 文件所在目录，"
                                   "否则 ./statguard-output）"},
    "cli.check.threads": {"en": "threads for the engine, and how many independent rules run at once (default: all "
                                "cores; 1 runs the rules one after another)",
                          "zh": "执行引擎的线程数，也是同时运行的独立规则数（默认：全部核心；1 表示逐条运行）"},
    "cli.check.engine": {"en": "where the rules run: duckdb (embedded, default) or spark (needs the spark extra and "
                               "Java)",
                         "zh": "规则在哪里运行：duckdb（内嵌，默认）或 spark（需安装 spark 附加组件和 Java）"},
    "cli.check.spark_master": {"en": "with --engine spark: local[N] (default local[2]), spark://HOST:7077, yarn, "
                                     "k8s://..., or sc://HOST:15002 (Spark Connect)",
                               "zh": "与 --engine spark 同用：local[N]（默认 local[2]）、spark://HOST:7077、yarn、"
                                     "k8s://… 或 sc://HOST:15002（Spark Connect）"},
    "cli.check.fields_to_fix": {"en": "for each record failing row or part_whole rules, name the fewest fields whose "
                                      "change puts it right (weights: the pack's settings: fields_to_fix)",
                                "zh": "对未通过 row 或 part_whole 规则的每条记录，指出改动最少的哪些字段即可使其正确"
                                      "（权重见规则包的 settings: fields_to_fix）"},
    "cli.check.show_pii": {"en": "show the values of columns declared pii: (ID numbers, phones, names) in full; by "
                                 "default they are masked in every report and output file (3201**********1234)",
                           "zh": "完整显示声明为 pii: 的列（身份证号、电话、姓名）的值；默认在所有报告和输出文件中"
                                 "遮盖（3201**********1234）"},
    "cli.check.lacking": {"en": "also list the items rules could not evaluate (a figure they need is missing), "
                                "with their unit, period, keys and values, in every report format (as R validate's "
                                "lacking()); they never change the exit code",
                          "zh": "同时列出规则无法判断的项（所需数值缺失），含报送单位、期别、主键和相关数值，"
                                "各种报告格式均列出（同 R validate 的 lacking()）；不影响退出码"},
    "cli.whole_number": {"en": "expected a whole number of at least 1, got {text}",
                         "zh": "应为不小于 1 的整数，而不是 {text}"},
    "cli.check.written": {"en": "report written to {files}", "zh": "报告已写入 {files}"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("check", help=say("cli.check.help"), description=say("cli.check.description"))
    p.add_argument("pack", help=say("cli.opt.pack"))
    add_allow_include(p)
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH",
                   help=say("cli.opt.source"))
    p.add_argument("--format", "-f", action="append", dest="formats", metavar="FORMAT",
                   help=say("cli.opt.formats"))
    p.add_argument("--output", "-o", action="append", dest="outputs", metavar="FILE",
                   help=say("cli.opt.outputs"))
    p.add_argument("--fail-on", default="error", choices=["error", "warning", "info", "never"],
                   help=say("cli.check.fail_on"))
    p.add_argument("--rule", action="append", dest="rules", metavar="ID", help=say("cli.opt.rules"))
    p.add_argument("--tag", action="append", dest="tags", metavar="TAG", help=say("cli.opt.tags"))
    p.add_argument("--lang", choices=["zh", "en"],
                   help=say("cli.check.lang"))
    p.add_argument("--record", action="store_true",
                   help=say("cli.check.record"))
    p.add_argument("--reason", help=say("cli.check.reason"))
    p.add_argument("--history", metavar="PATH",
                   help=say("cli.check.history"))
    p.add_argument("--explanations", "-e", action="append", metavar="FILE",
                   help=say("cli.check.explanations"))
    p.add_argument("--output-dir", metavar="DIR",
                   help=say("cli.check.output_dir"))
    p.add_argument("--threads", type=_positive, metavar="N",
                   help=say("cli.check.threads"))
    add_memory_limit(p)
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                   help=say("cli.check.engine"))
    p.add_argument("--spark-master", metavar="URL",
                   help=say("cli.check.spark_master"))
    p.add_argument("--fields-to-fix", action="store_true",
                   help=say("cli.check.fields_to_fix"))
    p.add_argument("--show-pii", action="store_true",
                   help=say("cli.check.show_pii"))
    p.add_argument("--lacking", action="store_true",
                   help=say("cli.check.lacking"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.api import validate
    from statguard.cli.common import parse_sources
    from statguard.i18n import resolve, speaking, spoken, t
    from statguard.load import load_pack
    from statguard.progress import Progress
    from statguard.report.writers import output_formats, write_all
    # before any work, in the language the CLI speaks (--lang, else the pack's)
    formats = output_formats(args.formats, args.outputs, spoken())
    pack = load_pack(args.pack, allow_include=args.allow_include, lang=args.lang)  # its problems in --lang
    from statguard.cli.history_cmd import record_checked
    recorded = record_checked(args, pack)  # --record, --history
    lang = resolve(args.lang, pack.lang)  # --lang, else the pack's, else the locale's
    with Progress() as progress, speaking(lang):  # progress shown only on a terminal, outside CI, for runs over 2 s
        report = validate(pack, parse_sources(args.source), rules=args.rules, tags=args.tags, lang=lang,
                          explanations=args.explanations, progress=progress, engine=args.engine,
                          options={"output_dir": _output_dir(args), "threads": args.threads,
                                   "memory_limit": args.memory_limit, "fields_to_fix": args.fields_to_fix,
                                   "show_pii": args.show_pii, "spark_master": args.spark_master,
                                   "lacking": args.lacking})
    if args.record:  # the explanations go with the submission just recorded
        from statguard.history.explanations import record_checked_explanations
        record_checked_explanations(report, args.history, args.reason, answered=recorded)
    report.meta["lang"] = lang
    report.meta["fail_on"] = args.fail_on
    write_all(report, formats, args.outputs or [], lang=lang)
    if len(formats) == len(args.outputs or []):  # every report went to a file: the verdict still shows
        from statguard.report.text import headline
        print("\n".join([*headline(report, lang), t("cli.check.written", lang, files=", ".join(args.outputs))]),
              file=sys.stderr)
    if report.errored:
        print(t("cli.failed", lang, error=t("cli.errored", lang, n=len(report.errored),
                                            rules=", ".join(report.errored))), file=sys.stderr)
        return EXIT_ERROR
    return EXIT_VIOLATIONS if report.failed(args.fail_on) else EXIT_OK


def _positive(text: str) -> int:
    value = int(text) if text.strip().isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(say("cli.whole_number", text=repr(text)))
    return value


def _output_dir(args: argparse.Namespace) -> str | None:
    """--output-dir, else the directory of the first report file, else None (the kinds' default)."""
    from pathlib import Path
    if args.output_dir:
        return args.output_dir
    return str(Path(args.outputs[0]).resolve().parent) if args.outputs else None
