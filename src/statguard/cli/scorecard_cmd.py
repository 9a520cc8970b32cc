"""statguard scorecard: credibility score, peer-group rank and escalation list per unit.

    statguard scorecard PACK --source claims=march.csv      # score a fresh run
    statguard scorecard --reports jan.json feb.json mar.json  # trend over saved runs
    statguard scorecard PACK --reports jan.json feb.json --source claims=march.csv
    statguard scorecard PACK --history                         # latest recorded version of everything

With a pack and neither --reports nor --source, the history store is used
when it exists ($STATGUARD_HISTORY, else .statguard/history.db).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from statguard.errors import EXIT_OK, EXIT_VIOLATIONS, StatguardError

if TYPE_CHECKING:
    from statguard.report.model import Report

TABLES = ("units", "trend", "escalation")


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("scorecard", help="score, rank and escalate reporting units",
                        description="Score each reporting unit from its violations, rank it within its peer "
                                    "group, follow its score across periods and list the units failing "
                                    "for several consecutive periods.")
    p.add_argument("pack", nargs="?", help="rule pack (its `pack: scorecard:` settings; run on --source data)")
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH",
                   help="data for a source; with a pack, runs it and scores the run as the latest period")
    p.add_argument("--reports", "-r", nargs="+", metavar="REPORT.json", default=[],
                   help="saved JSON reports, oldest first (their file names label periods they lack)")
    p.add_argument("--history", nargs="?", const="", metavar="PATH",
                   help="score the latest recorded version of every unit and period in the history store "
                        "(default store: $STATGUARD_HISTORY, else .statguard/history.db)")
    p.add_argument("--period", help="rank the units on this period only")
    p.add_argument("--format", "-f", default="text", choices=["text", "json", "csv"], help="output format")
    p.add_argument("--table", default="units", choices=TABLES, help="which table --format csv writes")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")
    p.add_argument("--rule", action="append", dest="rules", metavar="ID", help="run only these rules")
    p.add_argument("--tag", action="append", dest="tags", metavar="TAG", help="run only rules with these tags")
    p.add_argument("--lang", choices=["zh", "en"],
                   help="language of the text's labels and headings (default: the pack's lang, then the "
                        "latest report's, then the locale); json and csv keep their field names")
    p.add_argument("--fail-on-escalation", action="store_true",
                   help="exit 1 when the escalation list is not empty")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.cli.common import parse_sources, write_output
    from statguard.scorecard import load_reports, scorecard

    if not args.pack and not args.reports:
        raise StatguardError("give a rule pack to run, or saved reports with --reports (or both)")
    reports, names = load_reports(args.reports)
    labels: list[str | None] = list(names)
    pack = None
    if args.pack:
        from statguard.pack import load_pack
        pack = load_pack(args.pack)
    lang = _lang(args.lang, pack.lang if pack else None, reports)
    if pack is not None:
        store = _history(args)
        if store is not None:
            from statguard.scorecard import latest_submissions
            data: dict = {**parse_sources(args.source), **latest_submissions(pack, store)}
        else:
            data = parse_sources(args.source)
        if store is not None or args.source or not args.reports:
            from statguard.api import validate
            from statguard.progress import Progress
            with Progress() as progress:
                reports.append(validate(pack, data, rules=args.rules, tags=args.tags, lang=lang,
                                        progress=progress))
            labels.append(None)
    card = scorecard(reports, pack, period=args.period, labels=labels)
    if args.format == "json":
        text = card.to_json() + "\n"
    elif args.format == "csv":
        text = getattr(card, args.table).to_csv(index=False)
    else:
        text = card.to_text(lang=lang)
    write_output(text, args.output)
    return EXIT_VIOLATIONS if args.fail_on_escalation and len(card.escalation) else EXIT_OK


def _lang(explicit: str | None, pack_lang: str | None, reports: Sequence[Report]) -> str:
    """--lang, else the pack's `pack: lang:`, else the language the latest saved report was made in,
    else the locale's."""
    from statguard.i18n import resolve
    saved = next((r.meta.get("lang") for r in reversed(reports) if r.meta.get("lang")), None)
    return resolve(explicit, pack_lang or saved)


def _history(args: argparse.Namespace) -> str | None:
    """The history store to score from: --history, else the default store when it exists and
    nothing else says what to score."""
    from statguard.history import default_path
    if args.history is not None:
        return str(default_path(args.history or None))
    path = default_path()
    if not args.reports and not args.source and path.exists():
        print(f"statguard: scoring the latest versions recorded in {path}", file=sys.stderr)
        return str(path)
    return None
