"""The HTML report: one self-contained page that opens offline, and prints as a document.

CSS and JavaScript are inlined from statguard/report/assets/; there are no
network requests and no external libraries. Charts are inline SVG drawn here
(statguard.report.charts).

Every table is written twice: as JSON, which the browser turns into a sortable,
filterable, paged table (a report with 100,000 violations shows one page of
rows at a time), and as plain HTML (`.sg-doc`), which is what a reader without
JavaScript sees and what is printed: the summary, the rules with links to their
violations, and the violations grouped by rule with their keys and figures as
columns, each group linking back to its rule. Tables of more than STATIC_ROWS
rows are written as JSON only; the page builds their printed form when it is
printed.

The page is a list of sections: `SECTIONS` holds functions `(page) -> html`
called in order; a function returns "" to leave its section out. To add a
section, write such a function and insert it into `SECTIONS`; use
`page.table(...)` for a table and `page.section(...)` for the heading and frame.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from statguard.i18n import (
    figure_label,
    figure_value,
    figure_word,
    key_headers,
    labels,
    register,
    resolve,
    severity,
    t,
)
from statguard.report.writers import writer

if TYPE_CHECKING:
    import pandas as pd

    from statguard.report.model import Report

PAGE_SIZE = 50
STATIC_ROWS = 3000  # tables up to this size are also plain HTML (no JavaScript needed; printed as is)
MAX_VALUE_COLUMNS = 8  # a rule with more figures than this shows them as one text column
LIST_ITEMS = 10  # items of a list-valued figure shown before "…"

register({
    "html.rule_violations": {"en": "{n} violations", "zh": "{n} 条问题"},
    "html.back_to_rules": {"en": "↑ rules", "zh": "↑ 返回规则表"},
    "html.figure_sep": {"en": "; ", "zh": "；"},
    "html.scripted": {"en": "{n} violations: too many to list without JavaScript; they are all printed.",
                      "zh": "共 {n} 条问题：数量较多，需启用 JavaScript 浏览；打印时全部列出。"},
    "html.page_of": {"en": "Page {page} of {pages}", "zh": "第 {page} 页，共 {pages} 页"},
    "html.sign": {"en": "Review", "zh": "审核"},
    "html.sign_comments": {"en": "Comments", "zh": "审核意见"},
    "html.sign_reviewer": {"en": "Reviewed by (signature)", "zh": "审核人（签字）"},
    "html.sign_date": {"en": "Date", "zh": "日期"},
})


@dataclass
class Column:
    key: str
    label: str
    type: str = "text"  # text | num | sev (a severity, shown as a badge and filterable)
    link: str | None = None  # a rule id shown as a link to the anchor of this prefix ("v-": its violations)
    anchor: str | None = None  # a rule id cell that is itself the anchor of this prefix ("r-": its rule row)


@dataclass
class Page:
    """What sections share while a page is built: the report, the language and the embedded data."""

    report: Report
    lang: str
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)  # rule id -> the text of its anchors
    targets: dict[str, set[str]] = field(default_factory=dict)  # anchor prefix -> rule ids that have one

    def table(self, table_id: str, columns: Sequence[Column], rows: list[list[Any]],
              page_size: int = PAGE_SIZE, sort: tuple[str, bool] | None = None, doc: str | None = None) -> str:
        """Embed `rows` as a browser-rendered table, with its plain HTML form when small enough (or the
        id of the element `doc` holding a printable form of its own), and return its element."""
        spec: dict[str, Any] = {
            "columns": [{"key": c.key, "label": c.label, "type": c.type, **({"link": c.link} if c.link else {})}
                        for c in columns],
            "rows": rows, "pageSize": page_size, "sort": {"key": sort[0], "desc": sort[1]} if sort else None}
        text = _display()
        shown = {c.key: [text(r[i]) for r in rows] for i, c in enumerate(columns) if c.type == "num"}
        if shown:  # numbers sort as numbers and read as views.display writes them
            spec["shown"] = shown
        self.tables[table_id] = spec
        static = self.doc_table(columns, rows) if doc is None and len(rows) <= STATIC_ROWS else ""
        extra = f' data-doc="{escape(doc)}"' if doc else ""
        return (f'<div class="sg-table" id="table-{escape(table_id)}" data-table="{escape(table_id)}"{extra}>'
                f'{static}</div>')

    def doc_table(self, columns: Sequence[Column], rows: list[list[Any]]) -> str:
        """The rows as a plain HTML table, as printed and as read without JavaScript."""
        head = "".join(f'<th class="{_css_class(c)}">{escape(c.label)}</th>' for c in columns)
        body = "".join("<tr>" + "".join(self._cell(c, v) for c, v in zip(columns, row, strict=True)) + "</tr>"
                       for row in rows)
        return (f'<div class="sg-doc"><table class="doc"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
                f'</table></div>')

    def _cell(self, column: Column, value: Any) -> str:
        if column.type == "sev":
            return f'<td class="{_css_class(column)}">{self.sev(value) if value else ""}</td>'
        text = escape(_text(value))
        if column.link or column.anchor:
            rule = str(value)
            href = f' href="#{column.link}{self.slug(rule)}"' if rule in self.targets.get(column.link or "", ()) else ""
            own = f' id="{column.anchor}{self.slug(rule)}"' if column.anchor else ""
            text = f'<a{own}{href}>{text}</a>' if href or own else text
        return f'<td class="{_css_class(column)}">{text}</td>'

    def slug(self, rule_id: str) -> str:
        """The rule's part of its anchors (#r-..., #v-...): unique, without spaces or '#'."""
        if rule_id not in self.slugs:
            base = re.sub(r"[^\w.-]", "_", rule_id) or "_"
            slug, n = base, 1
            while slug in self.slugs.values():
                n += 1
                slug = f"{base}-{n}"
            self.slugs[rule_id] = slug
        return self.slugs[rule_id]

    def section(self, section_id: str, title: str, body: str, count: int | None = None) -> str:
        badge = f' <span class="count">{count}</span>' if count is not None else ""
        return (f'<section id="{escape(section_id)}"><h2>{escape(title)}{badge}</h2>\n{body}\n</section>')

    def sev(self, name: str) -> str:
        return f'<span class="sev sev-{escape(name)}">{escape(severity(name, self.lang))}</span>'


def _css_class(column: Column) -> str:
    """The class of a column's cells: num (right-aligned), sev-cell, rule (a rule id: kept on one line) or text."""
    if column.link or column.anchor:
        return "text rule"
    return "sev-cell" if column.type == "sev" else column.type


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
    columns = [Column("rule_id", t("col.rule", lang), link="v-", anchor="r-"),
               Column("severity", t("col.severity", lang), "sev"),
               Column("kind", t("col.kind", lang)), Column("description", t("col.description", lang)),
               *(Column(k, t(f"col.{k}", lang), "num") for k in ("items", "passes", "fails", "not_evaluable")),
               Column("status", t("col.status", lang))]
    records = table.to_dict("records")
    from statguard.report.status import status_text
    rows = [[_cell(r[k]) if k != "status" else status_text(r, lang, r[k]) for k in keys] for r in records]
    body = page.table("rules", columns, rows, page_size=100)
    from statguard.report.lacking import hint
    if note := hint(page.report, lang):  # not listed (--lacking): say how many, and how to list them
        body += f'<p class="run">{escape(note)}</p>'
    errored = [r for r in records if r["errored"]]
    if errored:
        items = "".join(f"<li><b>{escape(str(r['rule_id']))}</b>: {escape(str(r['error']))}</li>" for r in errored)
        body += f'<div class="errored"><h3>{escape(t("h.errored", lang))}</h3><ul>{items}</ul></div>'
    for status, heading in (("skipped", "h.skipped"), ("empty", "h.empty")):
        noted = [r for r in records if r["status"] == status]
        if noted:
            items = "".join(f"<li><b>{escape(str(r['rule_id']))}</b>: {escape(str(r['error']))}</li>" for r in noted)
            body += f'<div class="skipped"><h3>{escape(t(heading, lang))}</h3><ul>{items}</ul></div>'
    return page.section("rules", t("h.rules", lang), body, len(rows))


def _units(page: Page) -> str:
    from statguard.report.charts import with_blank_units
    from statguard.report.views import unit_table
    lang = page.lang
    units = unit_table(with_blank_units(page.report, lang))
    if not len(units):
        return ""
    columns = [Column("unit", t("col.unit", lang)),
               *(Column(s, severity(s, lang), "num") for s in ("error", "warning", "info")),
               Column("total", t("col.total", lang), "num"), Column("rules", t("col.rules_failed", lang))]
    rows = [[u["unit"], u["error"], u["warning"], u["info"], u["total"], ", ".join(u["rules"])]
            for u in units.to_dict("records")]
    return page.section("units", t("h.units", lang), page.table("units", columns, rows), len(rows))


FIGURES = ["observed", "expected", "imbalance"]


def _violations(page: Page) -> str:
    from statguard.report.views import explained_columns, fix_columns, rows_of, with_fix_text, worst_first
    lang = page.lang
    v = worst_first(page.report.violations)
    extra = explained_columns(v) + fix_columns(v)
    base = rows_of(v, ["rule_id", "severity", "unit", "period", "keys", "values", *FIGURES, "message"])
    kinds = [kind for (kind,) in rows_of(v, ["kind"])]
    key_names = _key_names(base)
    keyed = [(row[4], kind) for row, kind in zip(base, kinds, strict=True)]
    columns = _key_headers([
        Column("rule_id", t("col.rule", lang), link="r-"), Column("severity", t("col.severity", lang), "sev"),
        Column("unit", t("col.unit", lang)), Column("period", t("col.period", lang)),
        *(Column(f"key:{k}", k) for k in key_names), Column("values", t("col.values", lang)),
        *(Column(k, t(f"col.{k}", lang), "num") for k in FIGURES), Column("message", t("col.message", lang)),
        *(Column(k, t(f"col.{k}", lang)) for k in extra)], lang, keyed)
    blank, sep = t("unit.none", lang), t("html.figure_sep", lang)
    tails = with_fix_text(rows_of(v, extra), extra, lang) if extra else ([] for _ in base)
    rows = [[rule, sev, blank if _blank(unit) else _cell(unit), _cell(period),
             *(_cell(keys.get(k)) if isinstance(keys, dict) else None for k in key_names),
             _figures(values, sep, lang, kind), *map(_cell, figures), message, *map(_cell, tail)]
            for (rule, sev, unit, period, keys, values, *figures, message), tail, kind
            in zip(base, tails, kinds, strict=True)]
    if len(rows) <= STATIC_ROWS:
        body = page.table("violations", columns, rows, doc="violations-doc") + _by_rule(page, v, extra)
    else:
        body = (page.table("violations", columns, rows) +
                f'<noscript><p class="run">{escape(t("html.scripted", lang, n=len(rows)))}</p></noscript>')
    return page.section("violations", t("h.violations", lang), body, len(rows))


def _lacking(page: Page) -> str:
    """The items rules could not evaluate, when the run listed them (--lacking): rule, unit,
    period, keys as columns, the values involved and which of them were missing."""
    from statguard.report import lacking
    report, lang = page.report, page.lang
    if not report.lacking_listed:
        return ""
    records = report.lacking_records()
    base = [(r["rule_id"], r["severity"], r["unit"], r["period"], r["keys"]) for r in records]
    key_names = _key_names(base)
    columns = _key_headers([
        Column("rule_id", t("col.rule", lang), link="r-"), Column("unit", t("col.unit", lang)),
        Column("period", t("col.period", lang)), *(Column(f"key:{k}", k) for k in key_names),
        Column("values", t("col.values", lang)), Column("missing", t("col.missing", lang)),
        Column("message", t("col.message", lang))], lang, [(r["keys"], r["kind"]) for r in records])
    sep = t("html.figure_sep", lang)
    rows = [[r["rule_id"], _cell(r["unit"]), _cell(r["period"]),
             *(_cell(r["keys"].get(k)) if isinstance(r["keys"], dict) else None for k in key_names),
             _figures(r["values"], sep, lang, r["kind"]), lacking.missing_text(r["missing"], lang, r["kind"]),
             r["message"]]
            for r in records]
    body = page.table("lacking", columns, rows) if rows else f'<p>{escape(t("lacking.none", lang))}</p>'
    if note := lacking.unlisted(report, lang):
        body += f'<p class="run">{escape(note)}</p>'
    return page.section("lacking", t("h.lacking", lang), body, len(rows))


def _by_rule(page: Page, v: pd.DataFrame, extra: list[str]) -> str:
    """The violations grouped by rule, in the order of the rules table: per rule its own keys and
    figures as columns, a heading linking back to the rule; printed and read without JavaScript."""
    from statguard.report.views import rows_of, with_fix_text
    lang, sep = page.lang, t("html.figure_sep", page.lang)
    order = {str(r): i for i, r in enumerate(page.report.summary["rule_id"])}
    described = dict(zip(map(str, page.report.summary["rule_id"]), page.report.summary["description"], strict=True))
    groups = []
    for rule in sorted(dict.fromkeys(map(str, v["rule_id"])), key=lambda r: order.get(r, len(order))):
        part = v[v["rule_id"].astype(str) == rule]
        kind = str(part["kind"].iloc[0])
        base = rows_of(part, ["unit", "period", "keys", "values", *FIGURES, "message"])
        key_names = _key_names([(None, None, *row) for row in base])
        value_names = list(dict.fromkeys(k for row in base if isinstance(row[3], dict) for k in row[3]))
        given = [x for row in base if isinstance(row[3], dict) for x in row[3].values() if x is not None]
        split = len(value_names) <= MAX_VALUE_COLUMNS and not any(isinstance(x, (list, dict)) for x in given)
        numeric = "num" if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in given) else "text"
        units = any(not _blank(row[0]) for row in base)
        columns = _key_headers([
            *([Column("unit", t("col.unit", lang))] if units else []), Column("period", t("col.period", lang)),
            *(Column(f"key:{k}", k) for k in key_names),
            *((Column(f"val:{k}", figure_label(k, lang, kind, value_names), numeric) for k in value_names)
              if split else [Column("values", t("col.values", lang))]),
            *(Column(k, figure_word("col", k, kind, lang), "num") for k in FIGURES),
            Column("message", t("col.message", lang)),
            *(Column(k, t(f"col.{k}", lang)) for k in extra)], lang, [(row[2], kind) for row in base])
        tails = with_fix_text(rows_of(part, extra), extra, lang) if extra else ([] for _ in base)
        blank = t("unit.none", lang)
        rows = [[*([blank if _blank(unit) else _cell(unit)] if units else []), _cell(period),
                 *(_cell(keys.get(k)) if isinstance(keys, dict) else None for k in key_names),
                 *((_cell(figure_value(k, values.get(k), lang, kind)) if isinstance(values, dict) else None
                    for k in value_names) if split
                   else [_figures(values, sep, lang, kind)]),
                 *map(_cell, figures), message, *map(_cell, tail)]
                for (unit, period, keys, values, *figures, message), tail in zip(base, tails, strict=True)]
        keep = [i for i, c in enumerate(columns) if c.key == "message" or any(_text(r[i]) for r in rows)]
        table = page.doc_table([columns[i] for i in keep], [[r[i] for i in keep] for r in rows])
        slug = page.slug(rule)
        severity_name = str(part["severity"].iloc[0])
        groups.append(
            f'<div class="rule-group" id="v-{slug}"><h3><a href="#r-{slug}">{escape(rule)}</a> '
            f'{page.sev(severity_name)} {escape(_text(described.get(rule)))} '
            f'<span class="count">{escape(t("html.rule_violations", lang, n=len(rows)))}</span> '
            f'<a class="back" href="#r-{slug}">{escape(t("html.back_to_rules", lang))}</a></h3>{table}</div>')
    return f'<div class="sg-doc by-rule" id="violations-doc">{"".join(groups)}</div>'


def _key_headers(columns: list[Column], lang: str, keyed: Sequence[tuple[Any, Any]]) -> list[Column]:
    """`columns` with the key columns' headings ("key:NAME") as a reader sees them: the kinds' own key
    names in the reader's language, judged by the kinds of the rows (keys, kind) that have the key,
    none the same as another heading (statguard.i18n.key_headers)."""
    names = [c.key[4:] for c in columns if c.key.startswith("key:")]
    taken = [c.label for c in columns if not c.key.startswith("key:")]
    heads = iter(key_headers(names, lang, keyed, taken))
    return [replace(c, label=next(heads)) if c.key.startswith("key:") else c for c in columns]


def _key_names(rows: Sequence[Sequence[Any]]) -> list[str]:
    """Key columns worth a column of their own: those not merely repeating the unit or the period
    (rows of (rule, severity, unit, period, keys, ...))."""
    redundant: dict[str, bool] = {}
    for row in rows:
        unit, period, keys = row[2], row[3], row[4]
        if not isinstance(keys, dict):
            continue
        for name, value in keys.items():
            same = value is not None and (value in (unit, period) or str(value) in (str(unit), str(period)))
            redundant[name] = redundant.get(name, True) and same
    return [name for name, same in redundant.items() if not same]


def _figures(values: Any, sep: str, lang: str | None, kind: str | None) -> str | None:
    """An item's values as a reader sees them: "制造业投资 230.1；总投资 415.3" (lists shortened)."""
    if not isinstance(values, dict) or not values:
        return None
    parts, display = [], _display()
    for name, value in values.items():
        if isinstance(value, list):
            text = ", ".join(display(figure_value(name, x, lang, kind)) for x in value[:LIST_ITEMS])
            text += ", …" if len(value) > LIST_ITEMS else ""
        else:
            text = display(figure_value(name, value, lang, kind))
        if text:
            parts.append(f"{figure_label(name, lang, kind, values)} {text}")
    return sep.join(parts) or None


def _blank(unit: Any) -> bool:
    return unit is None or unit == "" or (isinstance(unit, float) and unit != unit)


def _text(value: Any) -> str:
    return _display()(value)


@cache
def _display() -> Callable[[Any], str]:
    """views.display, imported once (views needs pandas; this module is imported without it)."""
    from statguard.report.views import display
    return display


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
    return _text(value)


def _scorecard(page: Page) -> str:
    """Only when the pack asks for a scorecard (its `pack: scorecard:` settings, kept in the report)."""
    if page.report.meta.get("scorecard") is None:
        return ""
    from statguard.report.scorecard_views import (
        ESCALATION_KEYS,
        NUMERIC,
        TREND_KEYS,
        UNIT_KEYS,
        _label,
        _rows,
        report_scorecard,
        scoring_line,
    )
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


def _screen(page: Page) -> str:
    """The credibility screen's ranking (statguard.report.suspicion_views)."""
    from statguard.report.suspicion_views import KEYS, _headline, _labels, _num, _row, _signals, ranking
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
    colon = escape(t("msg.colon", lang))  # "：" in Chinese
    for unit in [u for u in rank["units"] if u["flagged"]]:
        items = "".join(f"<li><b>{escape(str(e['rule_id']))}</b>"
                        f"{' ' + escape(str(e['period'])) if e['period'] else ''}{colon}"
                        f"{escape(str(e['message']))}</li>" for e in unit["evidence"])
        parts.append(f'<details id="screen-{escape(unit["unit"])}"><summary>{unit["rank"]}. {escape(unit["unit"])} '
                     f'({escape(t("col.suspicion", lang))} {_num(unit["score"])}{colon}{escape(_signals(unit))})'
                     f'</summary><ul>{items}</ul></details>')
    if parts:
        body += f'<h3>{escape(t("h.screen_evidence", lang))}</h3>' + "".join(parts)
    return page.section("screen", t("h.screen", lang), body, rank["flagged"])


def _signature(page: Page) -> str:
    """Lines to sign on paper: offices print the report, sign it and send it back."""
    lang = page.lang
    return (f'<section id="sign" class="print-only"><h2>{escape(t("html.sign", lang))}</h2>'
            f'<p class="sign-comments">{escape(t("html.sign_comments", lang))}：</p>'
            f'<div class="sign-lines"><span>{escape(t("html.sign_reviewer", lang))}：<i></i></span>'
            f'<span>{escape(t("html.sign_date", lang))}：<i></i></span></div></section>')


Section = Callable[[Page], str]
SECTIONS: list[Section] = [_header, _screen, _charts, _rules, _units, _scorecard, _violations, _lacking,
                           _signature]


@cache
def _asset(name: str) -> str:
    return resources.files("statguard.report").joinpath("assets", name).read_text(encoding="utf-8")


def _embed(data: Any) -> str:
    """JSON safe inside <script>: no '<' can end the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _css_string(text: str) -> str:
    """`text` as a CSS string: letters (Chinese too) kept, everything else escaped."""
    return '"' + "".join(c if c.isalnum() or c in " -_.:()" else f"\\{ord(c):06x}" for c in text) + '"'


def _page_margins(report: Report, lang: str) -> str:
    """@page margin boxes of the printed report: pack name, run date, page numbers."""
    started = str(report.meta.get("started") or "")[:10]
    page_of = re.split(r"\{(page|pages)\}", t("html.page_of", lang))
    counter = " ".join(f"counter({p})" if i % 2 else _css_string(p) for i, p in enumerate(page_of) if p)
    title = _css_string(t("title", lang) + ": " + report.pack)
    return (f'<style media="print">@page {{ @top-left {{ content: {title}; }}'
            f' @top-right {{ content: {_css_string(started)}; }} @bottom-center {{ content: {counter}; }} }}</style>')


@writer("html", ".html")
def render_html(report: Report, lang: str | None = None) -> str:
    lang = resolve(lang, report.meta.get("lang"))
    page = Page(report, lang)
    page.targets = {"r-": {str(r["rule_id"]) for r in report.rules()},
                    "v-": {str(r) for r in report.column("rule_id") or []}}
    body = "\n".join(part for part in (section(page) for section in SECTIONS) if part)
    ui = {**labels(lang, "ui"), "severity": {s: severity(s, lang) for s in ("error", "warning", "info")}}
    anchors = {prefix: {r: page.slug(r) for r in sorted(rules)} for prefix, rules in page.targets.items()}
    data = {"tables": page.tables, "ui": ui, "anchors": anchors}
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
            f'<meta name="generator" content="statguard {escape(str(report.meta.get("statguard", "")))}">'
            f'<title>{escape(t("title", lang))}: {escape(report.pack)}</title>'
            f'<style>{_asset("report.css")}</style>{_page_margins(report, lang)}</head>\n'
            f'<body>\n<main>\n{body}\n</main>\n'
            f'<script type="application/json" id="sg-data">{_embed(data)}</script>\n'
            f'<script>{_asset("report.js")}</script>\n</body></html>\n')
