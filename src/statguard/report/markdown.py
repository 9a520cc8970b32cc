"""The Markdown report: a compact summary for a merge-request comment or a CI step summary.

Verdict and counts, the rules that failed or could not run, the worst units
and the first violations (folded in <details>). It stays small whatever the
size of the report: GitHub caps a step summary at 1 MiB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.i18n import resolve, severity, t
from statguard.numbers import count
from statguard.report.writers import writer

if TYPE_CHECKING:
    from statguard.report.model import Report

UNITS_SHOWN = 10
VIOLATIONS_SHOWN = 20
ICONS = {"fail": "❌", "error": "❗", "warn": "⚠️", "pass": "✅", "unjudged": "❔"}


def cell(value: Any) -> str:
    """Table-cell text: one line, no pipes, no HTML."""
    from statguard.report.views import display
    text = " ".join(display(value).split())
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|"))


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> list[str]:
    numeric = numeric or set()
    align = ["---:" if i in numeric else "---" for i in range(len(headers))]
    out = ["| " + " | ".join(cell(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def _headline(report: Report, lang: str) -> list[str]:
    from statguard.report.views import fail_on, verdict
    word = verdict(report)
    counts = report.counts_by_severity()
    line = t("counts_line", lang, errors=count(counts["error"]), warnings=count(counts["warning"]),
             info=count(counts["info"]))
    if report.errored:
        line += t("msg.sep", lang) + t("errored_line", lang, n=count(len(report.errored)))
    from statguard.report.status import unevaluable_line
    if unevaluable := unevaluable_line(report, lang):
        line += t("msg.sep", lang) + unevaluable
    return [f"## {ICONS[word]} {t('title', lang)}: {cell(report.pack)} — {t('verdict.' + word, lang)}", "",
            f"**{line}** · {t('fail_on_line', lang, level=severity(fail_on(report), lang))}", ""]


def _rules(report: Report, lang: str) -> list[str]:
    from statguard.report.views import rule_table
    rules = rule_table(report)
    shown = rules[rules["status"] != "ok"] if len(rules) else rules
    if not len(shown):
        return []
    headers = [t("col.rule", lang), t("col.severity", lang), t("col.items", lang), t("col.fails", lang),
               t("col.status", lang), t("col.description", lang)]
    from statguard.report.status import status_text
    rows = [[r["rule_id"], severity(r["severity"], lang), count(r["items"]), count(r["fails"]),
             status_text(r, lang, r["status"]),
             r["error"] if r["status"] in ("error", "skipped", "empty") else r["description"]]
            for r in shown.to_dict("records")]
    return [f"### {t('h.rules', lang)}", "", *_table(headers, rows, {2, 3}), ""]


def _units(report: Report, lang: str) -> list[str]:
    from statguard.report.views import unit_table
    units = unit_table(report)
    if not len(units):
        return []
    headers = [t("col.unit", lang), *(severity(s, lang) for s in ("error", "warning", "info")),
               t("col.rules_failed", lang)]
    rows = [[u["unit"], count(u["error"]), count(u["warning"]), count(u["info"]), ", ".join(u["rules"])]
            for u in units.head(UNITS_SHOWN).to_dict("records")]
    more = [t("more_rows", lang, n=count(len(units) - UNITS_SHOWN)), ""] if len(units) > UNITS_SHOWN else []
    return [f"### {t('worst_units', lang).rstrip(':：')}", "", *_table(headers, rows, {1, 2, 3}), "", *more]


def _violations(report: Report, lang: str) -> list[str]:
    from statguard.report.views import display, worst_first
    v = report.violations
    if not len(v):
        if report.errored:
            return [t("no_violations_incomplete", lang, n=count(len(report.errored))), ""]
        return [t("no_violations", lang), ""]
    from statguard.report.views import fix_note, record_keys
    shown = worst_first(v).head(VIOLATIONS_SHOWN).to_dict("records")
    keys = [record_keys(r, lang) for r in shown]  # the record's other keys (a peer group, an ID), when it has any
    headers = [t("col.severity", lang), t("col.rule", lang), t("col.unit", lang), t("col.period", lang),
               *([t("col.keys", lang)] if any(keys) else []), t("col.message", lang)]
    rows = [[severity(r["severity"], lang), r["rule_id"], display(r["unit"], grouping=False),
             display(r["period"], grouping=False), *([k] if any(keys) else []),
             str(r["message"]) + fix_note(r.get("fields_to_fix"), lang)]
            for r, k in zip(shown, keys, strict=True)]
    more = [t("more_violations", lang, n=count(len(v) - VIOLATIONS_SHOWN)), ""] if len(v) > VIOLATIONS_SHOWN else []
    summary = t("first_violations", lang, n=count(len(v))).rstrip(":：")
    return ["<details>", f"<summary>{summary}</summary>", "", *_table(headers, rows), "", *more, "</details>", ""]


def _lacking(report: Report, lang: str) -> list[str]:
    """The first not-evaluable items (folded), when the run listed them; else how many there are."""
    from statguard.report import lacking
    if not report.lacking_listed:
        note = lacking.hint(report, lang)
        return [cell(note), ""] if note else []
    records = report.lacking_records()
    if not records:
        return [t("lacking.none", lang), ""]
    headers = [t("col.rule", lang), t("col.unit", lang), t("col.period", lang), t("col.keys", lang),
               t("col.missing", lang), t("col.message", lang)]
    rows = [[r["rule_id"], lacking.where({"unit": r["unit"]}), lacking.where({"period": r["period"]}),
             lacking.where({"keys": r["keys"]}), lacking.missing_text(r["missing"], lang, r["kind"]), r["message"]]
            for r in records[:VIOLATIONS_SHOWN]]
    left = len(records) - VIOLATIONS_SHOWN
    more = [t("more_rows", lang, n=count(left)), ""] if left > 0 else []
    note = [cell(text), ""] if (text := lacking.unlisted(report, lang)) else []
    summary = t("lacking.first", lang, n=count(len(records))).rstrip(":：")
    return ["<details>", f"<summary>{summary}</summary>", "", *_table(headers, rows), "", *more, *note,
            "</details>", ""]


@writer("markdown", ".md")
def render_markdown(report: Report, lang: str | None = None) -> str:
    lang = resolve(lang, report.meta.get("lang"))
    meta = report.meta
    lines = (_headline(report, lang) + _screen(report, lang) + _rules(report, lang) + _units(report, lang)
             + _violations(report, lang) + _lacking(report, lang))
    lines.append("<sub>" + cell(t("generated", lang, started=meta.get("started", "?"),
                                   seconds=meta.get("seconds", "?"), version=meta.get("statguard", "?"))) + "</sub>")
    return "\n".join(lines) + "\n"


def _screen(report: Report, lang: str) -> list[str]:
    """The credibility screen's flagged units (statguard.report.suspicion_views)."""
    from statguard.report.suspicion_views import _headline, _labels, _row, ranking
    rank = ranking(report)
    if rank is None:
        return []
    rows = [_row(u, lang) for u in rank["units"] if u["flagged"]]
    return [f"### {t('h.screen', lang)}", "", _headline(rank, lang), "", *_table(_labels(lang), rows, {0, 3, 5}), ""]
