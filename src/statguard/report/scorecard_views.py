"""The unit scorecard inside the HTML and Excel reports.

A report carries what scoring needs: the units and periods of the data and
the pack's `scorecard:` settings (report.meta["units"], meta["scorecard"]), so
a saved JSON report re-rendered later shows the same scorecard. The HTML page
gets a section (ranking, escalation list, score per period) and the workbook
a sheet for each of these tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.i18n import severity, t

if TYPE_CHECKING:
    from statguard.report.html import Page
    from statguard.report.model import Report
    from statguard.report.xlsx import Book
    from statguard.scorecard import Scorecard


def report_scorecard(report: Report) -> Scorecard | None:
    """The scorecard of one report, or None when its data names no reporting units."""
    from statguard.errors import StatguardError
    from statguard.scorecard import scorecard
    facts = report.meta.get("units") or {}
    has_units = any(facts.get("sources", {}).values()) or (
        len(report.violations) and report.violations["unit"].notna().any())
    if not has_units:
        return None
    try:
        return scorecard(report)
    except StatguardError:  # settings that no longer validate: the report still renders
        return None


def scoring_line(card: Scorecard, lang: str) -> str:
    cfg, w = card.config, card.config.weights
    line = t("scorecard_line", lang, base=_num(cfg.base), error=_num(w.error), warning=_num(w.warning),
             info=_num(w.info))
    if cfg.rules:
        line += " · " + ", ".join(f"{r}: -{_num(v)}" for r, v in cfg.rules.items())
    return line


UNIT_KEYS = ["rank", "unit", "group", "score", "error", "warning", "info", "rules_failed"]
ESCALATION_KEYS = ["unit", "group", "streak", "since", "until", "score", "rules_failed"]
TREND_KEYS = ["unit", "group", "period", "score", "change", "violations", "failing"]
NUMERIC = {"rank", "score", "error", "warning", "info", "streak", "change", "violations"}


def _label(key: str, lang: str, card: Scorecard) -> str:
    if key in ("error", "warning", "info"):
        return severity(key, lang)
    if key == "rank":
        return t("col.rank", lang)
    return t(f"col.{key}", lang)


def _rows(frame: Any, keys: list[str], lang: str) -> list[list[Any]]:
    rows = []
    for r in frame.to_dict("records"):
        row = []
        for k in keys:
            value = r.get(k)
            if k == "rank":
                value = f"{r['rank']}/{r['group_size']}"
            elif k == "failing":
                value = t("status.fail", lang) if value else t("status.ok", lang)
            elif isinstance(value, float) and value != value:
                value = None
            row.append(value.item() if hasattr(value, "item") else value)
        rows.append(row)
    return rows


def html_section(page: Page) -> str:
    from html import escape

    from statguard.report.html import Column
    card = report_scorecard(page.report)
    if card is None:
        return ""
    lang = page.lang

    def columns(keys: list[str]) -> list[Column]:
        return [Column(k, _label(k, lang, card), "num" if k in NUMERIC and k != "rank" else "text") for k in keys]
    body = f'<p class="run">{escape(scoring_line(card, lang))}</p>'
    body += page.table("scorecard", columns(UNIT_KEYS), _rows(card.units, UNIT_KEYS, lang), sort=("score", False))
    k = card.config.escalate_after
    body += f'<h3 id="escalation-title">{escape(t("h.escalation", lang, k=k))}</h3>'
    if len(card.escalation):
        body += page.table("escalation", columns(ESCALATION_KEYS), _rows(card.escalation, ESCALATION_KEYS, lang))
    else:
        body += f'<p class="run">{escape(t("no_escalation", lang, k=k))}</p>'
    if card.trend["period"].nunique() > 1:
        body += f'<h3>{escape(t("h.trend", lang))}</h3>'
        body += page.table("trend", columns(TREND_KEYS), _rows(card.trend, TREND_KEYS, lang))
    return page.section("scorecard", t("h.scorecard", lang), body, len(card.units))


def xlsx_sheets(book: Book) -> None:
    card = report_scorecard(book.report)
    if card is None:
        return
    lang = book.lang

    def headers(keys: list[str]) -> list[str]:
        return [_label(k, lang, card) for k in keys]
    book.table(t("h.scorecard", lang), headers(UNIT_KEYS), _rows(card.units, UNIT_KEYS, lang),
               [9, 20, 14, 9, 9, 9, 9, 40])
    if len(card.escalation):
        book.table(t("h.escalation_sheet", lang), headers(ESCALATION_KEYS),
                   _rows(card.escalation, ESCALATION_KEYS, lang), [20, 14, 12, 12, 12, 9, 40])
    if card.trend["period"].nunique() > 1:
        book.table(t("h.trend", lang), headers(TREND_KEYS), _rows(card.trend, TREND_KEYS, lang),
                   [20, 14, 12, 9, 9, 9, 9])


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
