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

from statguard.cli import common  # noqa: F401  (registers the options' texts shared with check)
from statguard.errors import EXIT_OK, EXIT_VIOLATIONS, StatguardError
from statguard.i18n import register, say

if TYPE_CHECKING:
    from statguard.report.model import Report

TABLES = ("units", "trend", "escalation")

register({
    "cli.scorecard.help": {"en": "score, rank and escalate reporting units",
                           "zh": "给报送单位评分、排名并列出督办名单"},
    "cli.scorecard.description": {"en": "Score each reporting unit from its violations, rank it within its peer "
                                        "group, follow its score across periods and list the units failing for "
                                        "several consecutive periods.",
                                  "zh": "按问题给每个报送单位评分，在其分组内排名，跟踪各期得分，并列出连续多期"
                                        "未通过的单位。"},
    "cli.scorecard.pack": {"en": "rule pack (its `pack: scorecard:` settings; run on --source data)",
                           "zh": "规则包（用其 `pack: scorecard:` 设置；在 --source 数据上运行）"},
    "cli.scorecard.source": {"en": "data for a source; with a pack, runs it and scores the run as the latest period",
                             "zh": "某个数据源的数据；与规则包同用时运行规则包，并把本次结果计为最新一期"},
    "cli.scorecard.reports": {"en": "saved JSON reports, oldest first (their file names label periods they lack)",
                              "zh": "保存的 JSON 报告，最早的在前（报告中没有期别时以文件名作期别）"},
    "cli.scorecard.history": {"en": "score the latest recorded version of every unit and period in the history "
                                    "store (default store: $STATGUARD_HISTORY, else .statguard/history.db)",
                              "zh": "对历史库中每个单位每期最新记录的版本评分（默认历史库：$STATGUARD_HISTORY，"
                                    "否则 .statguard/history.db）"},
    "cli.scorecard.period": {"en": "rank the units on this period only", "zh": "只按这一期给单位排名"},
    "cli.scorecard.format": {"en": "output format", "zh": "输出格式"},
    "cli.scorecard.table": {"en": "which table --format csv writes", "zh": "--format csv 时输出哪张表"},
    "cli.scorecard.lang": {"en": "language of the text's labels and headings (default: the pack's lang, then the "
                                 "latest report's, then the locale); json and csv keep their field names",
                           "zh": "文本中标签和标题的语言（默认：规则包的 lang，其次是最新报告的语言，再次是系统区域"
                                 "设置）；json 和 csv 的字段名不变"},
    "cli.scorecard.fail_on_escalation": {"en": "exit 1 when the escalation list is not empty",
                                         "zh": "督办名单不为空时退出码为 1"},
    "cli.scorecard.nothing": {"en": "give a rule pack to run, or saved reports with --reports (or both)",
                              "zh": "请给出要运行的规则包，或用 --reports 给出保存的报告（或两者都给）"},
    "cli.scorecard.from_history": {"en": "statguard: scoring the latest versions recorded in {path}",
                                   "zh": "statguard：按 {path} 中记录的最新版本评分"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("scorecard", help=say("cli.scorecard.help"), description=say("cli.scorecard.description"))
    p.add_argument("pack", nargs="?", help=say("cli.scorecard.pack"))
    p.add_argument("--source", "-s", action="append", metavar="NAME=PATH",
                   help=say("cli.scorecard.source"))
    p.add_argument("--reports", "-r", nargs="+", metavar="REPORT.json", default=[],
                   help=say("cli.scorecard.reports"))
    p.add_argument("--history", nargs="?", const="", metavar="PATH",
                   help=say("cli.scorecard.history"))
    p.add_argument("--period", help=say("cli.scorecard.period"))
    p.add_argument("--format", "-f", default="text", choices=["text", "json", "csv"],
                   help=say("cli.scorecard.format"))
    p.add_argument("--table", default="units", choices=TABLES, help=say("cli.scorecard.table"))
    p.add_argument("--output", "-o", metavar="FILE", help=say("cli.opt.output"))
    p.add_argument("--rule", action="append", dest="rules", metavar="ID", help=say("cli.opt.rules"))
    p.add_argument("--tag", action="append", dest="tags", metavar="TAG", help=say("cli.opt.tags"))
    p.add_argument("--lang", choices=["zh", "en"],
                   help=say("cli.scorecard.lang"))
    p.add_argument("--fail-on-escalation", action="store_true",
                   help=say("cli.scorecard.fail_on_escalation"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.cli.common import parse_sources, write_output
    from statguard.scorecard import load_reports, scorecard

    if not args.pack and not args.reports:
        raise StatguardError(say("cli.scorecard.nothing"))
    reports, names = load_reports(args.reports)
    labels: list[str | None] = list(names)
    pack = None
    if args.pack:
        from statguard.load import load_pack
        pack = load_pack(args.pack, lang=args.lang)
    lang = _lang(args.lang, pack.lang if pack else None, reports)
    if pack is not None:
        store = _history(args)
        if store is not None:
            from statguard.history import latest_submissions
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
        print(say("cli.scorecard.from_history", path=path), file=sys.stderr)
        return str(path)
    return None
