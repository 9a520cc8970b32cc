"""The credibility screen's ranking in every report format (statguard.report.suspicion).

Text and Markdown get a table of the flagged units with their signals and the
first pieces of evidence; HTML a section with the whole ranking and the
evidence per unit; Excel a sheet of the ranking and one of the evidence; CSV a
score and rank per violation; JUnit the ranking as the suite's output. This
module gives the rows, labels and headline; each writer lays them out (its
`_screen`), so it imports no writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.i18n import register, t
from statguard.report.suspicion import ranking

if TYPE_CHECKING:
    from statguard.report.model import Report

register({
    "h.screen": {"en": "Suspicion ranking", "zh": "可疑程度排名"},
    "h.screen_evidence": {"en": "Evidence per unit", "zh": "各单位的依据"},
    "screen_line": {"en": "{flagged} of {n} units flagged (score {flag_at} or more); each signal counts once per unit",
                    "zh": "{n} 个单位中 {flagged} 个列为可疑（得分不低于 {flag_at}）；每项信号对每个单位只计一次"},
    "col.suspicion": {"en": "suspicion score", "zh": "可疑得分"},
    "col.overall_rank": {"en": "rank", "zh": "排名"},
    "col.signals": {"en": "signals", "zh": "信号"},
    "col.flagged": {"en": "flagged", "zh": "列为可疑"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
})

KEYS = ["rank", "unit", "peer_group", "score", "flagged", "violations", "signals"]


def _labels(lang: str) -> list[str]:
    names = {"rank": "col.overall_rank", "unit": "col.unit", "peer_group": "col.group", "score": "col.suspicion",
             "flagged": "col.flagged", "violations": "col.violations", "signals": "col.signals"}
    return [t(names[k], lang) for k in KEYS]


def _signals(unit: dict[str, Any]) -> str:
    return ", ".join(f"{s['rule_id']} ({_num(s['weight'])})" for s in unit["signals"])


def _row(unit: dict[str, Any], lang: str) -> list[Any]:
    return [unit["rank"], unit["unit"], unit["peer_group"], unit["score"],
            t("yes" if unit["flagged"] else "no", lang), unit["violations"], _signals(unit)]


def _headline(rank: dict[str, Any], lang: str) -> str:
    return t("screen_line", lang, flagged=rank["flagged"], n=len(rank["units"]), flag_at=_num(rank["flag_at"]))


def per_violation(report: Report) -> tuple[list[Any], list[Any]] | None:
    """(suspicion score, rank) of each violation's unit, for the CSV report; None without a screen."""
    rank = ranking(report)
    if rank is None:
        return None
    by_unit = {u["unit"]: u for u in rank["units"]}
    units = report.column("unit") or []
    found = [by_unit.get(str(u)) if u is not None else None for u in units]
    return [u["score"] if u else None for u in found], [u["rank"] if u else None for u in found]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
