"""statguard explain-template PACK: the unexplained soft violations as a file to fill in."""

from __future__ import annotations

import argparse
import sys

from statguard.errors import EXIT_ERROR, EXIT_OK


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser(
        "explain-template", help="write unexplained soft violations as an explanations file to fill in",
        description="Check the data, then write each unexplained violation of a soft rule as a row of "
                    "an explanations file (.xlsx, .yml or .csv). Fill in the text and pass the file back "
                    "with: statguard check PACK --explanations FILE")
    p.add_argument("pack", help="rule pack: a YAML file or a directory of YAML files")
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH",
                   help="data for a source (overrides the path in the pack); repeatable")
    p.add_argument("--output", "-o", required=True, metavar="FILE", help="the file to write: .xlsx, .yml or .csv")
    p.add_argument("--lang", choices=["zh", "en"], help="language of the headers (default: the pack's, else en)")
    p.add_argument("--explanations", "-e", action="append", metavar="FILE",
                   help="explanations already given: their violations are left out; repeatable")
    p.add_argument("--rule", action="append", dest="rules", metavar="ID", help="only these rules")
    p.add_argument("--tag", action="append", dest="tags", metavar="TAG", help="only rules with these tags")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.cli.common import parse_sources
    from statguard.explain.template import write_template
    from statguard.pack import load_pack

    pack = load_pack(args.pack)
    report = pack.validate(parse_sources(args.source), rules=args.rules, tags=args.tags,
                           explanations=args.explanations)
    lang = args.lang or (pack.lang if pack.lang in ("zh", "en") else "en")
    n = write_template(report, pack, args.output, lang)
    if report.errored:
        print(f"statguard: {len(report.errored)} rule(s) could not run: {', '.join(report.errored)}; "
              "their violations are not in the template", file=sys.stderr)
    print(f"statguard: wrote {n} unexplained soft violation(s) to {args.output}; fill in the text, then run "
          f"statguard check {args.pack} --explanations {args.output}", file=sys.stderr)
    return EXIT_ERROR if report.errored else EXIT_OK
