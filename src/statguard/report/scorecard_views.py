"""The unit scorecard inside the HTML and Excel reports.

A report carries what scoring needs: the units and periods of the data and
the pack's `scorecard:` settings (report.meta["units"], meta["scorecard"]), so
a saved JSON report re-rendered later shows the same scorecard. The HTML page
gets a section (ranking, escalation list, score per period) and the workbook
a sheet for each of these tables: this module gives their rows and labels, and
the writers (html._scorecard, xlsx._scorecard) lay them out, so it imports no writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.i18n import severity, t

if TYPE_CHECKING:
    from statguard.report.model import Report
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


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
