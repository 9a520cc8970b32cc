"""statguard report REPORT.json: re-render a saved JSON report in other formats, without the data."""

from __future__ import annotations

import argparse

from statguard.cli import common  # noqa: F401  (registers the options' texts shared with check)
from statguard.errors import EXIT_OK
from statguard.i18n import register, say

register({
    "cli.report.help": {"en": "re-render a saved JSON report (html, xlsx, junit, markdown, csv, ...)",
                        "zh": "把保存的 JSON 报告另存为其他格式（html、xlsx、junit、markdown、csv 等）"},
    "cli.report.description": {"en": "Render a JSON report written by 'statguard check --format json' in other "
                                     "formats, without reading the data again.",
                               "zh": "把 'statguard check --format json' 写出的 JSON 报告转为其他格式，"
                                     "无需再次读取数据。"},
    "cli.report.report": {"en": "JSON report file", "zh": "JSON 报告文件"},
    "cli.report.outputs": {"en": "write the i-th format here (default: standard output for one text format)",
                           "zh": "第 i 个格式写入此文件（默认：只有一个文本格式时输出到标准输出）"},
    "cli.report.lang": {"en": "language of labels and headings (default: the report's, then the locale)",
                        "zh": "标签和标题的语言（默认：报告的语言，其次是系统区域设置）"},
    "cli.report.fail_on": {"en": "severity at which rules fail in the verdict and JUnit (default: the report's)",
                           "zh": "结论和 JUnit 中判定规则不通过的级别（默认：报告中的设置）"},
    "cli.report.missing": {"en": "{path}: no such report file", "zh": "{path}：报告文件不存在"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("report", help=say("cli.report.help"), description=say("cli.report.description"))
    p.add_argument("report", help=say("cli.report.report"))
    p.add_argument("--format", "-f", action="append", dest="formats", metavar="FORMAT",
                   help=say("cli.opt.formats"))
    p.add_argument("--output", "-o", action="append", dest="outputs", metavar="FILE",
                   help=say("cli.report.outputs"))
    p.add_argument("--lang", choices=["zh", "en"],
                   help=say("cli.report.lang"))
    p.add_argument("--fail-on", choices=["error", "warning", "info", "never"],
                   help=say("cli.report.fail_on"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from statguard.errors import StatguardError
    from statguard.i18n import resolve
    from statguard.report.model import Report
    from statguard.report.writers import output_formats, write_all
    formats = output_formats(args.formats, args.outputs, resolve(args.lang))  # before any work
    path = Path(args.report)
    if not path.is_file():
        raise StatguardError(say("cli.report.missing", path=path))
    report = Report.from_json(path)  # a ReportError naming the file when it is not a report
    if args.fail_on:
        report.meta["fail_on"] = args.fail_on
    write_all(report, formats, args.outputs or [],
              lang=resolve(args.lang, report.meta.get("lang")))
    return EXIT_OK
