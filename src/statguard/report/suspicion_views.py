"""The credibility screen's ranking in every report format (statguard.report.suspicion).

Text and Markdown get a table of the flagged units with their signals and the
first pieces of evidence; HTML a section with the whole ranking and the
evidence per unit; Excel a sheet of the ranking and one of the evidence; CSV a
score and rank per violation; JUnit the ranking as the suite's output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.i18n import register, t
from statguard.report.suspicion import ranking

if TYPE_CHECKING:
    from statguard.report.html import Page
    from statguard.report.model import Report
    from statguard.report.xlsx import Book

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


def text_lines(report: Report, lang: str, width: int, limit: int = 20) -> list[str]:
    rank = ranking(report)
    if rank is None:
        return []
    from statguard.report.text import wrap
    lines = ["", t("h.screen", lang) + t("msg.colon", lang).rstrip(), "  " + _headline(rank, lang)]
    for unit in [u for u in rank["units"] if u["flagged"]][:limit]:
        head = f"  {unit['rank']:>3}. {unit['unit']}"
        if unit["peer_group"]:
            head += f" [{unit['peer_group']}]"
        lines += wrap(f"{head} {t('col.suspicion', lang)} {_num(unit['score'])}: {_signals(unit)}", width,
                      "", "        ")
        for e in unit["evidence"][:3]:
            lines += wrap(f"- {e['rule_id']}{' ' + str(e['period']) if e['period'] else ''}: {e['message']}",
                          width, "        ", "          ")
    hidden = rank["flagged"] - min(rank["flagged"], limit)
    if hidden:
        lines.append("  " + t("more_rows", lang, n=hidden))
    return lines


def markdown_lines(report: Report, lang: str) -> list[str]:
    rank = ranking(report)
    if rank is None:
        return []
    from statguard.report.markdown import _table
    rows = [_row(u, lang) for u in rank["units"] if u["flagged"]]
    return [f"### {t('h.screen', lang)}", "", _headline(rank, lang), "", *_table(_labels(lang), rows, {0, 3, 5}), ""]


def html_section(page: Page) -> str:
    from html import escape

    from statguard.report.html import Column
    rank = ranking(page.report)
    if rank is None:
        return ""
    lang = page.lang
    numeric = {"rank", "score", "violations"}
    columns = [Column(k, label, "num" if k in numeric else "text") for k, label in zip(KEYS, _labels(lang),
                                                                                         strict=True)]
    body = f'<p class="run">{escape(_headline(rank, lang))}</p>'
    body += page.table("screen", columns, [_row(u, lang) for u in rank["units"]], sort=("score", True))
    parts = []
    for unit in [u for u in rank["units"] if u["flagged"]]:
        items = "".join(f"<li><b>{escape(str(e['rule_id']))}</b>"
                        f"{' ' + escape(str(e['period'])) if e['period'] else ''}: {escape(str(e['message']))}</li>"
                        for e in unit["evidence"])
        parts.append(f'<details id="screen-{escape(unit["unit"])}"><summary>{unit["rank"]}. {escape(unit["unit"])} '
                     f'({escape(t("col.suspicion", lang))} {_num(unit["score"])}: {escape(_signals(unit))})'
                     f'</summary><ul>{items}</ul></details>')
    if parts:
        body += f'<h3>{escape(t("h.screen_evidence", lang))}</h3>' + "".join(parts)
    return page.section("screen", t("h.screen", lang), body, rank["flagged"])


def xlsx_sheets(book: Book) -> None:
    rank = ranking(book.report)
    if rank is None:
        return
    lang = book.lang
    book.table(t("h.screen", lang), _labels(lang), [_row(u, lang) for u in rank["units"]],
               [8, 20, 14, 12, 10, 10, 60])
    evidence = [[u["rank"], u["unit"], e["rule_id"], e["period"], e["message"]]
                for u in rank["units"] if u["flagged"] for e in u["evidence"]]
    if evidence:
        book.table(t("h.screen_evidence", lang), [t("col.overall_rank", lang), t("col.unit", lang),
                                                  t("col.rule", lang), t("col.period", lang), t("col.message", lang)],
                   evidence, [8, 20, 16, 12, 80])


def per_violation(report: Report) -> tuple[list[Any], list[Any]] | None:
    """(suspicion score, rank) of each violation's unit, for the CSV report; None without a screen."""
    rank = ranking(report)
    if rank is None:
        return None
    by_unit = {u["unit"]: u for u in rank["units"]}
    units = report.column("unit") or []
    found = [by_unit.get(str(u)) if u is not None else None for u in units]
    return [u["score"] if u else None for u in found], [u["rank"] if u else None for u in found]


def plain_text(report: Report, lang: str) -> str | None:
    """The ranking as plain text (JUnit's suite output)."""
    lines = text_lines(report, lang, 100, limit=1000)
    return "\n".join(lines).strip() or None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
