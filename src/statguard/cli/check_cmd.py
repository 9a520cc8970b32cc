"""statguard check PACK: validate sources and report violations."""

from __future__ import annotations

import argparse
import sys

from statguard.cli.common import add_allow_include, add_memory_limit
from statguard.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("check", help="validate data with a rule pack",
                        description="Validate sources with a rule pack and report violations.")
    p.add_argument("pack", help="rule pack: a YAML file or a directory of YAML files")
    add_allow_include(p)
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH",
                   help="data for a source (overrides the path in the pack); repeatable")
    p.add_argument("--format", "-f", action="append", dest="formats", metavar="FORMAT",
                   help="text (default), json, html, xlsx, junit, markdown or csv; repeatable")
    p.add_argument("--output", "-o", action="append", dest="outputs", metavar="FILE",
                   help="write the report here (one per --format; default stdout)")
    p.add_argument("--fail-on", default="error", choices=["error", "warning", "info", "never"],
                   help="lowest severity that makes the exit code 1 (default: error)")
    p.add_argument("--rule", action="append", dest="rules", metavar="ID", help="run only these rules")
    p.add_argument("--tag", action="append", dest="tags", metavar="TAG", help="run only rules with these tags")
    p.add_argument("--lang", choices=["zh", "en"],
                   help="language of messages and labels (default: the pack's lang, then the locale)")
    p.add_argument("--record", action="store_true",
                   help="record the checked data in the history store first (a new version unless unchanged)")
    p.add_argument("--reason", help="with --record: the stated reason for this resubmission")
    p.add_argument("--history", metavar="PATH",
                   help="history store file (default: $STATGUARD_HISTORY, else .statguard/history.db)")
    p.add_argument("--explanations", "-e", action="append", metavar="FILE",
                   help="explanations of soft violations (.yml, .csv, .xlsx); repeatable")
    p.add_argument("--output-dir", metavar="DIR",
                   help="directory for extra outputs such as spot-check samples "
                        "(default: next to the first --output file, else ./statguard-output)")
    p.add_argument("--threads", type=_positive, metavar="N",
                   help="threads for the engine, and how many independent rules run at once "
                        "(default: all cores; 1 runs the rules one after another)")
    add_memory_limit(p)
    p.add_argument("--fields-to-fix", action="store_true",
                   help="for each record failing row or part_whole rules, name the fewest fields whose change "
                        "puts it right (weights: the pack's settings: fields_to_fix)")
    p.add_argument("--show-pii", action="store_true",
                   help="show the values of columns declared pii: (ID numbers, phones, names) in full; "
                        "by default they are masked in every report and output file (3201**********1234)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.api import validate
    from statguard.cli.common import parse_sources
    from statguard.i18n import resolve, t
    from statguard.pack import load_pack
    from statguard.progress import Progress
    from statguard.report.writers import output_formats, write_all
    formats = output_formats(args.formats, args.outputs, resolve(args.lang))  # before any work
    pack = load_pack(args.pack, allow_include=args.allow_include)
    from statguard.cli.history_cmd import record_checked
    recorded = record_checked(args, pack)  # --record, --history
    lang = resolve(args.lang, pack.lang)  # --lang, else the pack's, else the locale's
    with Progress() as progress:  # shown only on a terminal, outside CI, for runs over 2 s
        report = validate(pack, parse_sources(args.source), rules=args.rules, tags=args.tags, lang=lang,
                          explanations=args.explanations, progress=progress,
                          options={"output_dir": _output_dir(args), "threads": args.threads,
                                   "memory_limit": args.memory_limit, "fields_to_fix": args.fields_to_fix,
                                   "show_pii": args.show_pii})
    if args.record:  # the explanations go with the submission just recorded
        from statguard.explain.history import record_checked_explanations
        record_checked_explanations(report, args.history, args.reason, answered=recorded)
    report.meta["lang"] = lang
    report.meta["fail_on"] = args.fail_on
    write_all(report, formats, args.outputs or [], lang=lang)
    if report.errored:
        print("statguard: " + t("cli.errored", lang, n=len(report.errored), rules=", ".join(report.errored)),
              file=sys.stderr)
        return EXIT_ERROR
    return EXIT_VIOLATIONS if report.failed(args.fail_on) else EXIT_OK


def _positive(text: str) -> int:
    value = int(text) if text.strip().isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _output_dir(args: argparse.Namespace) -> str | None:
    """--output-dir, else the directory of the first report file, else None (the kinds' default)."""
    from pathlib import Path
    if args.output_dir:
        return args.output_dir
    return str(Path(args.outputs[0]).resolve().parent) if args.outputs else None
