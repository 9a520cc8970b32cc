"""The Excel report: summary, units, all violations, and one sheet per rule.

Written with openpyxl in write-only mode, so 100,000 violations stream to the
file instead of building a workbook in memory. Every table sheet has a bold,
frozen header row and an autofilter (a rule's own sheet leaves out the
columns that only repeat the rule); headers are in the report's language.
Keys and values are JSON text, as in the CSV.

The workbook is a list of sheet builders: `SHEETS` holds functions
`(book) -> None` called in order; each adds sheets with `book.table(...)`.
To add sheets (e.g. scorecards), write such a function and insert it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statguard.i18n import resolve, severity, t
from statguard.report.writers import writer

if TYPE_CHECKING:
    from openpyxl import Workbook

    from statguard.report.model import Report

MAX_ROWS = 1_048_575  # Excel's limit less the header row
MAX_CELL = 32_767
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name: no []:*?/\\, not blank, at most 31 characters."""
    base = _BAD_TITLE.sub("_", str(name)).strip().strip("'") or "sheet"
    if base.lower() in _RESERVED:
        base += "_"
    title, n = base[:31], 1
    while title.lower() in taken:
        n += 1
        suffix = f"~{n}"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


@dataclass
class Book:
    """The workbook being written, with the report and language the builders share."""

    report: Report
    lang: str
    wb: Workbook
    taken: set[str] = field(default_factory=set)
    truncated: dict[str, int] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # what several builders share, computed once

    def table(self, name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              widths: Sequence[float] | None = None, filter_and_freeze: bool = True,
              converted: bool = False) -> str:
        """Add a sheet holding a header row and `rows`; returns its (sanitized) title.

        `converted=True` says the rows already hold cell values made by `_cell`.
        """
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter
        title = sheet_title(name, self.taken)
        ws = self.wb.create_sheet(title)
        for i, w in enumerate(widths or [], start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        if filter_and_freeze:
            ws.freeze_panes = "A2"
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8ECF1")
        head = []
        for h in headers:
            cell = WriteOnlyCell(ws, value=h)
            cell.font, cell.fill = bold, fill
            head.append(cell)
        ws.append(head)
        count = 0
        for row in rows:
            if count >= MAX_ROWS:
                count += 1
                continue
            ws.append(row if converted else [_cell(v) for v in row])
            count += 1
        if count > MAX_ROWS:
            self.truncated[title] = count - MAX_ROWS
        if filter_and_freeze and headers:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{min(count, MAX_ROWS) + 1}"
        return title


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell(value: Any) -> Any:
    """A value Excel can hold: numbers stay numbers, structures become JSON text, text is cleaned."""
    cls = type(value)
    if value is None or cls is int or cls is bool:
        return value
    if cls is float:
        return None if value != value else value
    if cls is not str:
        if hasattr(value, "item"):  # numpy scalar
            return _cell(value.item())
        from statguard.report.views import display
        value = display(value)
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "…"


VIOLATION_FIELDS = ["rule_id", "severity", "kind", "source", "unit", "period", "keys", "values",
                    "observed", "expected", "imbalance", "detail", "message"]
VIOLATION_WIDTHS = [10, 8, 12, 14, 16, 10, 24, 30, 12, 12, 12, 30, 70]
PER_RULE = 4  # a rule's own sheet leaves out rule, severity, kind and source: they are its name


def _fields(book: Book) -> list[str]:
    """Violation columns written: explanations only when some violation has one."""
    from statguard.report.views import explained_columns, fix_columns
    return VIOLATION_FIELDS + explained_columns(book.report.violations) + fix_columns(book.report.violations)


def _widths(book: Book) -> list[int]:
    from statguard.report.views import explained_columns, fix_columns
    v = book.report.violations
    return VIOLATION_WIDTHS + [40, 12][: len(explained_columns(v))] + [24] * len(fix_columns(v))


def _violation_headers(book: Book, start: int = 0) -> list[str]:
    return [t("col.rule" if f == "rule_id" else f"col.{f}", book.lang) for f in _fields(book)[start:]]


def _violation_rows(violations: Any, lang: str, fields: list[str]) -> Iterable[list[Any]]:
    sev = {s: severity(s, lang) for s in ("error", "warning", "info")}
    from statguard.report.views import rows_of, with_fix_text
    for row in with_fix_text(rows_of(violations, fields), fields, lang):
        yield [row[0], sev.get(row[1], row[1]), *row[2:]]


def _summary(book: Book) -> None:
    from statguard.report.views import fail_on, rule_table, unit_table, verdict
    r, lang = book.report, book.lang
    counts = r.counts_by_severity()
    rules = rule_table(r)
    facts: list[tuple[str, Any]] = [
        (t("f.pack", lang), r.pack), (t("f.verdict", lang), t(f"verdict.{verdict(r)}", lang)),
        *((severity(s, lang), counts[s]) for s in counts),
        (t("h.errored", lang), len(r.errored)),
        (t("f.fail_on", lang), severity(fail_on(r), lang)),
        (t("f.rules_run", lang), len(rules)),
        (t("f.rules_failed", lang), int((rules["status"] == "fail").sum()) if len(rules) else 0),
        (t("f.units", lang), len(unit_table(r))),
        (t("f.started", lang), r.meta.get("started")), (t("f.seconds", lang), r.meta.get("seconds")),
        (t("f.version", lang), r.meta.get("statguard")),
    ]
    book.table(t("h.summary", lang), [t("col.name", lang), t("col.value", lang)], facts, [28, 40],
               filter_and_freeze=False)
    keys = ["rule_id", "severity", "kind", "description", "sources", "items", "passes", "fails",
            "not_evaluable", "status", "error"]
    headers = [t("col.rule" if k == "rule_id" else f"col.{k}", lang) for k in keys]
    rows = ([x[k] if k not in ("severity", "status") else
             (severity(x[k], lang) if k == "severity" else t(f"status.{x[k]}", lang)) for k in keys]
            for x in rules.to_dict("records"))
    book.table(t("h.rules", lang), headers, rows, [10, 8, 12, 36, 16, 9, 9, 9, 9, 9, 40])


def _units(book: Book) -> None:
    from statguard.report.views import unit_table
    lang = book.lang
    units = unit_table(book.report)
    headers = [t("col.unit", lang), *(severity(s, lang) for s in ("error", "warning", "info")),
               t("col.total", lang), t("col.rules_failed", lang)]
    rows = ([u["unit"], u["error"], u["warning"], u["info"], u["total"], ", ".join(u["rules"])]
            for u in units.to_dict("records"))
    book.table(t("h.units", book.lang), headers, rows, [20, 9, 9, 9, 9, 40])


def _violation_cells(book: Book) -> list[list[Any]]:
    """Cell values of all violations, worst first, converted once for the violations and rule sheets."""
    if "violations" not in book.cache:
        from statguard.report.views import worst_first
        rows = _violation_rows(worst_first(book.report.violations), book.lang, _fields(book))
        book.cache["violations"] = [[_cell(v) for v in row] for row in rows]
    return book.cache["violations"]


def _violations(book: Book) -> None:
    book.table(t("h.violations", book.lang), _violation_headers(book), _violation_cells(book),
               _widths(book), converted=True)


def _per_rule(book: Book) -> None:
    by_rule: dict[Any, list[list[Any]]] = {}
    for row in _violation_cells(book):
        by_rule.setdefault(row[0], []).append(row[PER_RULE:])
    for rule_id in book.report.summary["rule_id"]:
        if rule_id in by_rule:
            book.table(str(rule_id), _violation_headers(book, PER_RULE), by_rule[rule_id],
                       _widths(book)[PER_RULE:], converted=True)


def _scorecard(book: Book) -> None:
    from statguard.report.scorecard_views import xlsx_sheets
    xlsx_sheets(book)


SheetBuilder = Callable[[Book], None]
def _screen(book: Book) -> None:
    from statguard.report.suspicion_views import xlsx_sheets
    xlsx_sheets(book)


SHEETS: list[SheetBuilder] = [_summary, _screen, _units, _scorecard, _violations, _per_rule]


@writer("xlsx", ".xlsx")
def render_xlsx(report: Report, lang: str | None = None) -> bytes:
    from openpyxl import Workbook
    lang = resolve(lang, report.meta.get("lang"))
    book = Book(report, lang, Workbook(write_only=True))
    for build in SHEETS:
        build(book)
    if book.truncated:
        note = [[title, n] for title, n in book.truncated.items()]
        book.table(t("f.truncated", lang), [t("col.name", lang), t("f.truncated", lang)], note, [30, 20])
    out = io.BytesIO()
    book.wb.save(out)
    return out.getvalue()
