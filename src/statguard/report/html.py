"""The HTML report: one self-contained page that opens offline.

CSS and JavaScript are inlined from statguard/report/assets/; there are no
network requests and no external libraries. Charts are inline SVG drawn here
(statguard.report.charts). Tables are rendered in the browser from JSON
embedded in the page, so a report with 100,000 violations shows one page of
rows at a time instead of building 100,000 table rows.

The page is a list of sections: `SECTIONS` holds functions `(page) -> html`
called in order; a function returns "" to leave its section out. To add a
section (e.g. scorecards), write such a function and insert it into
`SECTIONS`; use `page.table(...)` for a sortable, filterable, paged table and
`page.section(...)` for the heading and frame.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from statguard.i18n import labels, resolve, severity, t
from statguard.report.writers import writer

if TYPE_CHECKING:
    from statguard.report.model import Report

PAGE_SIZE = 50


@dataclass
class Column:
    key: str
    label: str
    type: str = "text"  # text | num | sev (a severity, shown as a badge and filterable)


@dataclass
class Page:
    """What sections share while a page is built: the report, the language and the embedded data."""

    report: Report
    lang: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def table(self, table_id: str, columns: Sequence[Column], rows: list[list[Any]],
              page_size: int = PAGE_SIZE, sort: tuple[str, bool] | None = None) -> str:
        """Embed `rows` as a browser-rendered table and return its placeholder element."""
        self.tables[table_id] = {
            "columns": [{"key": c.key, "label": c.label, "type": c.type} for c in columns],
            "rows": rows, "pageSize": page_size,
            "sort": {"key": sort[0], "desc": sort[1]} if sort else None,
        }
        return (f'<div class="sg-table" id="table-{escape(table_id)}" data-table="{escape(table_id)}">'
                f'<noscript>{len(rows)}</noscript></div>')

    def section(self, section_id: str, title: str, body: str, count: int | None = None) -> str:
        badge = f' <span class="count">{count}</span>' if count is not None else ""
        return (f'<section id="{escape(section_id)}"><h2>{escape(title)}{badge}</h2>\n{body}\n</section>')

    def sev(self, name: str) -> str:
        return f'<span class="sev sev-{escape(name)}">{escape(severity(name, self.lang))}</span>'


def _header(page: Page) -> str:
    from statguard.report.views import fail_on, verdict
    report, lang = page.report, page.lang
    word = verdict(report)
    counts = report.counts_by_severity()
    cards = "".join(
        f'<div class="card card-{s}" data-severity="{s}"><b id="count-{s}">{counts[s]}</b>'
        f'<span>{escape(severity(s, lang))}</span></div>' for s in counts)
    if report.errored:
        cards += (f'<div class="card card-errored"><b id="count-errored">{len(report.errored)}</b>'
                  f'<span>{escape(t("h.errored", lang))}</span></div>')
    meta = report.meta
    run = t("generated", lang, started=meta.get("started", "?"), seconds=meta.get("seconds", "?"),
            version=meta.get("statguard", "?"))
    return (f'<header><h1>{escape(t("title", lang))}: {escape(report.pack)}</h1>'
            f'<div class="verdict verdict-{word}" id="verdict">{escape(t("verdict." + word, lang))}</div>'
            f'<div class="cards">{cards}</div>'
            f'<p class="run">{escape(run)} · {escape(t("fail_on_line", lang, level=severity(fail_on(report), lang)))}'
            f'</p></header>')


def _charts(page: Page) -> str:
    from statguard.report import charts
    parts = [chart(page.report, page.lang) for chart in charts.CHARTS]
    body = "".join(p for p in parts if p)
    return page.section("charts", t("h.charts", page.lang), f'<div class="charts">{body}</div>') if body else ""


def _rules(page: Page) -> str:
    from statguard.report.views import rule_table
    lang = page.lang
    table = rule_table(page.report)
    keys = ["rule_id", "severity", "kind", "description", "items", "passes", "fails", "not_evaluable", "status"]
    columns = [Column("rule_id", t("col.rule", lang)), Column("severity", t("col.severity", lang), "sev"),
               Column("kind", t("col.kind", lang)), Column("description", t("col.description", lang)),
               *(Column(k, t(f"col.{k}", lang), "num") for k in ("items", "passes", "fails", "not_evaluable")),
               Column("status", t("col.status", lang))]
    rows = [[_cell(r[k]) if k != "status" else t(f"status.{r[k]}", lang) for k in keys]
            for r in table.to_dict("records")]
    body = page.table("rules", columns, rows, page_size=100)
    errored = [r for r in table.to_dict("records") if r["errored"]]
    if errored:
        items = "".join(f"<li><b>{escape(str(r['rule_id']))}</b>: {escape(str(r['error']))}</li>" for r in errored)
        body += f'<div class="errored"><h3>{escape(t("h.errored", lang))}</h3><ul>{items}</ul></div>'
    for status, heading in (("skipped", "h.skipped"), ("empty", "h.empty")):
        noted = [r for r in table.to_dict("records") if r["status"] == status]
        if noted:
            items = "".join(f"<li><b>{escape(str(r['rule_id']))}</b>: {escape(str(r['error']))}</li>" for r in noted)
            body += f'<div class="skipped"><h3>{escape(t(heading, lang))}</h3><ul>{items}</ul></div>'
    return page.section("rules", t("h.rules", lang), body, len(rows))


def _units(page: Page) -> str:
    from statguard.report.views import unit_table
    lang = page.lang
    units = unit_table(page.report)
    if not len(units):
        return ""
    columns = [Column("unit", t("col.unit", lang)),
               *(Column(s, severity(s, lang), "num") for s in ("error", "warning", "info")),
               Column("total", t("col.total", lang), "num"), Column("rules", t("col.rules_failed", lang))]
    rows = [[u["unit"], u["error"], u["warning"], u["info"], u["total"], ", ".join(u["rules"])]
            for u in units.to_dict("records")]
    return page.section("units", t("h.units", lang), page.table("units", columns, rows), len(rows))


VIOLATION_KEYS = ["rule_id", "severity", "unit", "period", "keys", "observed", "expected", "imbalance", "message"]


def _violations(page: Page) -> str:
    from statguard.report.views import rows_of, worst_first
    lang = page.lang
    from statguard.report.views import explained_columns
    v = worst_first(page.report.violations)
    from statguard.report.views import fix_columns
    keys = VIOLATION_KEYS + explained_columns(v) + fix_columns(v)
    types = {"severity": "sev", "observed": "num", "expected": "num", "imbalance": "num"}
    columns = [Column(k, t("col.rule" if k == "rule_id" else f"col.{k}", lang), types.get(k, "text"))
               for k in keys]
    from statguard.report.views import with_fix_text
    rows = [list(map(_cell, r)) for r in with_fix_text(rows_of(v, keys), keys, lang)]
    return page.section("violations", t("h.violations", lang), page.table("violations", columns, rows),
                        len(rows))


def _cell(value: Any) -> Any:
    """A JSON-ready table cell: numbers stay numbers, everything else becomes display text."""
    cls = type(value)
    if cls is str or value is None:
        return value
    if cls is int:
        return value
    if cls is float:
        return None if value != value else value
    if cls is bool:
        return str(value)
    if hasattr(value, "item"):  # numpy scalar
        return _cell(value.item())
    from statguard.report.views import display
    return display(value)


def _scorecard(page: Page) -> str:
    from statguard.report.scorecard_views import html_section
    return html_section(page)


Section = Callable[[Page], str]
def _screen(page: Page) -> str:
    from statguard.report.suspicion_views import html_section
    return html_section(page)


SECTIONS: list[Section] = [_header, _screen, _charts, _rules, _units, _scorecard, _violations]


@cache
def _asset(name: str) -> str:
    return resources.files("statguard.report").joinpath("assets", name).read_text(encoding="utf-8")


def _embed(data: Any) -> str:
    """JSON safe inside <script>: no '<' can end the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@writer("html", ".html")
def render_html(report: Report, lang: str | None = None) -> str:
    lang = resolve(lang, report.meta.get("lang"))
    page = Page(report, lang)
    body = "\n".join(part for part in (section(page) for section in SECTIONS) if part)
    ui = {**labels(lang, "ui"), "severity": {s: severity(s, lang) for s in ("error", "warning", "info")}}
    data = {"tables": page.tables, "ui": ui}
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f'<meta name="generator" content="statguard {escape(str(report.meta.get("statguard", "")))}">'
            f'<title>{escape(t("title", lang))}: {escape(report.pack)}</title>'
            f'<style>{_asset("report.css")}</style></head>\n<body>\n<main>\n{body}\n</main>\n'
            f'<script type="application/json" id="sg-data">{_embed(data)}</script>\n'
            f'<script>{_asset("report.js")}</script>\n</body></html>\n')
