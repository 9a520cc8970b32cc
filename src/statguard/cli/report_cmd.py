"""statguard report REPORT.json: re-render a saved JSON report in other formats, without the data."""

from __future__ import annotations

import argparse

from statguard.errors import EXIT_OK


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("report", help="re-render a saved JSON report (html, xlsx, junit, markdown, csv, ...)",
                        description="Render a JSON report written by 'statguard check --format json' in other "
                                    "formats, without reading the data again.")
    p.add_argument("report", help="JSON report file")
    p.add_argument("--format", "-f", action="append", dest="formats", metavar="FORMAT",
                   help="text (default), json, html, xlsx, junit, markdown or csv; repeatable")
    p.add_argument("--output", "-o", action="append", dest="outputs", metavar="FILE",
                   help="write the i-th format here (default: standard output for one text format)")
    p.add_argument("--lang", choices=["zh", "en"],
                   help="language of labels and headings (default: the report's, then the locale)")
    p.add_argument("--fail-on", choices=["error", "warning", "info", "never"],
                   help="severity at which rules fail in the verdict and JUnit (default: the report's)")
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
        raise StatguardError(f"{path}: no such report file")
    try:
        report = Report.from_json(path)
    except ValueError as e:  # JSONDecodeError included
        raise StatguardError(f"{path}: not a statguard JSON report ({e})") from e
    if args.fail_on:
        report.meta["fail_on"] = args.fail_on
    write_all(report, formats, args.outputs or [],
              lang=resolve(args.lang, report.meta.get("lang")))
    return EXIT_OK
