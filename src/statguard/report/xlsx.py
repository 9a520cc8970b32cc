"""The Excel report: summary, rules, units and every violation once.

Sheets: 概况/Summary (the run's facts), 规则/Rules (one row per rule, with a link to
its block of violations), the credibility screen and scorecard sheets when the report
has them, 报送单位/Units (counts per unit), 问题明细/Violations (every violation, once:
errors first, each rule's violations together, so a rule's link lands on its first).
Each violation's keys are columns of their own (named as in the data; a key that only
repeats the unit or period is left out), its values one readable cell ("awaiting 100;
idle 50"). Figures are numbers formatted with the decimals they were reported with
(statguard.numbers), percentages are percent cells, full ISO dates are dates.
Every table sheet has a bold, frozen header row, an autofilter, and prints landscape,
one page wide, the header repeated on every page. Headers are in the report's language.

The workbook is written as SpreadsheetML directly (inline strings, a zip stream): at
100,000 violations that takes about a second, where openpyxl took 17 s and xlsxwriter
about 4 s for the cells alone. `SHEETS` holds the sheet builders `(book) -> None`,
called in order; each adds sheets with `book.table(...)` (scorecards and the screen do).
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.i18n import key_headers, register, resolve, severity, t
from statguard.report.writers import writer

if TYPE_CHECKING:
    from statguard.report.model import Report

register({
    "xlsx.rows": {"en": "rows {first}-{last}", "zh": "第 {first}-{last} 行"},
    "xlsx.row": {"en": "row {first}", "zh": "第 {first} 行"},
    "xlsx.goto": {"en": "violations", "zh": "问题明细位置"},
})

MAX_ROWS = 1_048_575  # Excel's limit less the header row
MAX_CELL = 32_767
MAX_EXACT = 10**15  # whole numbers from here on (IDs) are written as text: Excel keeps 15 digits
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EPOCH = datetime(1899, 12, 30)
CHUNK = 2000  # rows encoded and compressed at a time
ZIP64_FROM = 200_000  # violations from which sheets are written as Zip64 entries (about 1.5 GB of XML at 1M)


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


@dataclass(frozen=True)
class Link:
    """A cell linking to a place in the workbook ("'问题明细'!A2")."""

    text: str
    location: str


def _column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, rest = divmod(i - 1, 26)
        name = chr(65 + rest) + name
    return name


def _esc(text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _attr(text: str) -> str:
    """An attribute value, quoted: xml.sax.saxutils.quoteattr's result, without its import of urllib."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return '"' + text + '"'
    return "'" + text + "'" if "'" not in text else '"' + text.replace('"', "&quot;") + '"'


def _ref(title: str, cell: str) -> str:
    return "'" + title.replace("'", "''") + "'!" + cell


@dataclass
class Book:
    """The workbook being written, with the report and language the builders share."""

    report: Report
    lang: str
    zip: zipfile.ZipFile
    taken: set[str] = field(default_factory=set)
    truncated: dict[str, int] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)  # what several builders share, computed once
    sheets: list[tuple[str, str | None]] = field(default_factory=list)  # (title, autofilter range)
    formats: list[str] = field(default_factory=list)
    styles: dict[tuple[str, int, int], int] = field(default_factory=lambda: {("", 0, 0): 0})

    def style(self, number_format: str = "", font: int = 0, fill: int = 0) -> int:
        """The index of a cell style: a number format, font 1 bold, 2 link; fill 2 the header's."""
        key = (number_format, font, fill)
        if key not in self.styles:
            if number_format and number_format not in self.formats:
                self.formats.append(number_format)
            self.styles[key] = len(self.styles)
        return self.styles[key]

    def number(self, places: int, percent: bool = False) -> int:
        """The style of a number shown with `places` decimals (thousands grouped), or a percent."""
        decimals = "." + "0" * places if places else ""
        return self.style(f"0{decimals}%" if percent else f"#,##0{decimals}")

    def table(self, name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              widths: Sequence[float] | None = None, filter_and_freeze: bool = True,
              converted: bool = False) -> str:
        """Add a sheet holding a header row and `rows`; returns its (sanitized) title. A cell is a
        value (text, number, bool, date) or a (number, style) pair or a Link; None is blank."""
        title = sheet_title(name, self.taken)
        index = len(self.sheets) + 1
        letters = [_column(i) for i in range(max(len(headers), 1))]
        head_style = self.style(font=1, fill=2)
        links: list[tuple[str, Link]] = []
        count = 0
        # Zip64 only when a sheet may pass 2 GiB: some readers stumble on Zip64 entries
        big = self.report.violation_count > ZIP64_FROM
        with self.zip.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=big) as out:
            out.write(_sheet_head(filter_and_freeze, widths).encode("utf-8"))
            head = "".join(f'<c r="{letters[i]}1" s="{head_style}" t="inlineStr"><is><t>{_esc(str(h))}</t></is></c>'
                           for i, h in enumerate(headers))
            parts = [f'<row r="1">{head}</row>']
            for row in rows:
                count += 1
                if count > MAX_ROWS:
                    continue
                r = count + 1
                while len(letters) < len(row):
                    letters.append(_column(len(letters)))
                parts.append(f'<row r="{r}">{self._cells(row, r, letters, links)}</row>')
                if len(parts) >= CHUNK:
                    out.write("".join(parts).encode("utf-8", "replace"))
                    parts = []
            parts.append("</sheetData>")
            out.write("".join(parts).encode("utf-8", "replace"))
            ref = None
            if filter_and_freeze and headers:
                ref = f"$A$1:${letters[len(headers) - 1]}${min(count, MAX_ROWS) + 1}"
                out.write(f'<autoFilter ref="{ref.replace("$", "")}"/>'.encode())
            if links:
                out.write(("<hyperlinks>" + "".join(f'<hyperlink ref="{cell}" location={_attr(link.location)} '
                                                    f'display={_attr(_esc(link.text))}/>'
                                                    for cell, link in links) + "</hyperlinks>").encode("utf-8"))
            out.write(b'<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
                      b'<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
                      b"</worksheet>")
        if count > MAX_ROWS:
            self.truncated[title] = count - MAX_ROWS
        self.sheets.append((title, ref))
        return title

    def _cells(self, row: Sequence[Any], r: int, letters: list[str], links: list[tuple[str, Link]]) -> str:
        out = []
        for c, v in enumerate(row):
            kind = type(v)
            if kind is str:
                if v:
                    out.append(f'<c r="{letters[c]}{r}" t="inlineStr"><is><t xml:space="preserve">{_esc(v)}</t>'
                               "</is></c>")
            elif kind is float:
                if math.isfinite(v):
                    out.append(f'<c r="{letters[c]}{r}"><v>{v!r}</v></c>')
            elif kind is tuple:  # (number, style)
                if v[0] is not None and math.isfinite(v[0]):
                    out.append(f'<c r="{letters[c]}{r}" s="{v[1]}"><v>{v[0]!r}</v></c>')
            elif kind is int:
                out.append(f'<c r="{letters[c]}{r}"><v>{v}</v></c>' if -MAX_EXACT < v < MAX_EXACT else
                           f'<c r="{letters[c]}{r}" t="inlineStr"><is><t>{v}</t></is></c>')
            elif v is None:
                continue
            elif kind is bool:
                out.append(f'<c r="{letters[c]}{r}" t="b"><v>{int(v)}</v></c>')
            elif kind is Link:
                links.append((f"{letters[c]}{r}", v))
                out.append(f'<c r="{letters[c]}{r}" s="{self.style(font=2)}" t="inlineStr">'
                           f"<is><t>{_esc(v.text)}</t></is></c>")
            else:
                cell = self.cell(v)
                if cell is not None:
                    out.append(self._cells([cell], r, [letters[c]], links))
        return "".join(out)

    def cell(self, value: Any) -> Any:
        """A value a cell can hold: dates as dates, numpy scalars as numbers, structures as text."""
        if isinstance(value, (datetime, date)):
            if value != value:  # pandas' NaT
                return None
            if isinstance(value, datetime):
                stamp = value.replace(tzinfo=None)
                whole = (stamp.hour, stamp.minute, stamp.second, stamp.microsecond) == (0, 0, 0, 0)
                serial = (stamp - _EPOCH).total_seconds() / 86400
                return (serial, self.style("yyyy-mm-dd" if whole else "yyyy-mm-dd hh:mm:ss"))
            return (float((value - _EPOCH.date()).days), self.style("yyyy-mm-dd"))
        if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):  # numpy scalar
            return self.cell(value.item())
        if type(value) in (str, int, float, bool) or value is None:
            return value
        from statguard.report.views import display
        return display(value)

    def text_or_date(self, value: Any) -> Any:
        """A key or period: a full ISO date ("2024-09-30") becomes a date cell, other text stays."""
        if type(value) is str and len(value) == 10 and _ISO_DATE.match(value):
            try:
                return self.cell(date.fromisoformat(value))
            except ValueError:
                return value
        return value


def _sheet_head(freeze: bool, widths: Sequence[float] | None) -> str:
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>') if freeze else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths or [], 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FONTS = ('<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
          '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
          '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/><family val="2"/></font>')
_FILLS = ('<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill>'
          '<patternFill patternType="solid"><fgColor rgb="FFE8ECF1"/><bgColor indexed="64"/></patternFill></fill>')


def _finish(book: Book) -> None:
    """The parts around the sheets: content types, relationships, the workbook and its styles."""
    z, n = book.zip, len(book.sheets)
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                     f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    z.writestr("[Content_Types].xml",
               '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats'
               '.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
               'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
               '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
               'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
               f'openxmlformats-officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http:'
               '//schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
               f'{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, n + 1))
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               f'{rels}<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
    entries = "".join(f'<sheet name={_attr(title)} sheetId="{i}" r:id="rId{i}"/>'
                      for i, (title, _) in enumerate(book.sheets, 1))
    names = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                    f'{_esc(_ref(title, ref))}</definedName><definedName name="_xlnm.Print_Titles" '
                    f'localSheetId="{i}">{_esc(_ref(title, "$1:$1"))}</definedName>'
                    for i, (title, ref) in enumerate(book.sheets) if ref)
    z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} '
               f'xmlns:r="{_REL}"><bookViews><workbookView/></bookViews><sheets>{entries}</sheets>'
               + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>")
    ids = {f: 164 + i for i, f in enumerate(book.formats)}
    formats = "".join(f'<numFmt numFmtId="{ids[f]}" formatCode={_attr(f)}/>' for f in book.formats)
    xfs = "".join(f'<xf numFmtId="{ids.get(f, 0)}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
                  + (' applyNumberFormat="1"' if f else "") + (' applyFont="1"' if font else "")
                  + (' applyFill="1"' if fill else "") + "/>"
                  for (f, font, fill), _ in sorted(book.styles.items(), key=lambda kv: kv[1]))
    z.writestr("xl/styles.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
               + (f'<numFmts count="{len(ids)}">{formats}</numFmts>' if ids else "")
               + f'<fonts count="3">{_FONTS}</fonts><fills count="3">{_FILLS}</fills>'
               '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
               '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
               f'<cellXfs count="{len(book.styles)}">{xfs}</cellXfs>'
               '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


# -- the sheets ----------------------------------------------------------------

FIGURES = ["observed", "expected", "imbalance"]


def _violation_frame(book: Book) -> Any:
    """The violations errors first, each rule's together in the rules' order (one block per rule)."""
    if "frame" not in book.cache:
        import numpy as np

        from statguard.pack.model import SEVERITIES
        v = book.report.violations
        if len(v):
            order = {r: i for i, r in enumerate(book.report.summary["rule_id"])}
            rank = {s: i for i, s in enumerate(SEVERITIES)}
            rules = v["rule_id"].map(order).fillna(len(order)).to_numpy()
            v = v.iloc[np.lexsort((rules, v["severity"].map(rank).fillna(len(rank)).to_numpy()))]
        book.cache["frame"] = v
    return book.cache["frame"]


def _base(book: Book) -> list[tuple[Any, ...]]:
    """The violations sheet's own fields of each violation, as plain rows."""
    if "base" not in book.cache:
        from statguard.report.views import rows_of
        book.cache["base"] = rows_of(_violation_frame(book), ["rule_id", "severity", "kind", "unit", "period", "keys",
                                                              "values", *FIGURES, "detail", "message"])
    return book.cache["base"]


def _key_names(book: Book) -> list[str]:
    """Key columns worth a column: those not merely repeating the unit or the period."""
    from statguard.report.views import display
    redundant: dict[str, bool] = {}
    for _, _, _, unit, period, keys, *_ in _base(book):
        if isinstance(keys, dict):
            for name, value in keys.items():
                same = value is not None and (type(value) is str and value in (unit, period)
                                              or display(value) in (display(unit), display(period)))
                redundant[str(name)] = redundant.get(str(name), True) and same
    return [name for name, same in redundant.items() if not same]


def _summary(book: Book) -> None:
    from statguard.report.lacking import hint
    from statguard.report.views import fail_on, rule_table, unit_table, verdict
    r, lang = book.report, book.lang
    counts = r.counts_by_severity()
    rules = rule_table(r)
    started = r.meta.get("started")
    with contextlib.suppress(ValueError):
        started = datetime.fromisoformat(str(started)) if started else started
    facts: list[tuple[str, Any]] = [
        (t("f.pack", lang), r.pack), (t("f.verdict", lang), t(f"verdict.{verdict(r)}", lang)),
        *((severity(s, lang), counts[s]) for s in counts),
        (t("h.errored", lang), len(r.errored)),
        (t("f.fail_on", lang), severity(fail_on(r), lang)),
        (t("f.rules_run", lang), len(rules)),
        (t("f.rules_failed", lang), int((rules["status"] == "fail").sum()) if len(rules) else 0),
        (t("f.units", lang), len(unit_table(r))),
        (t("h.lacking", lang), sum(int(x.get("not_evaluable") or 0) for x in r.rules())),
        *(((t("col.detail", lang), note),) if (note := hint(r, lang)) else ()),
        (t("f.started", lang), started), (t("f.seconds", lang), r.meta.get("seconds")),
        (t("f.version", lang), r.meta.get("statguard")),
    ]
    book.table(t("h.summary", lang), [t("col.name", lang), t("col.value", lang)], facts, [28, 40],
               filter_and_freeze=False)
    keys = ["rule_id", "severity", "kind", "description", "sources", "items", "passes", "fails",
            "not_evaluable", "status", "error"]
    headers = [t("col.rule" if k == "rule_id" else f"col.{k}", lang) for k in keys] + [t("xlsx.goto", lang)]
    blocks = _blocks(book)
    from statguard.report.status import status_text
    rows = ([*(x[k] if k not in ("severity", "status") else
               (severity(x[k], lang) if k == "severity" else status_text(x, lang, x[k])) for k in keys),
             blocks.get(x["rule_id"])] for x in rules.to_dict("records"))
    book.table(t("h.rules", lang), headers, rows, [10, 8, 12, 36, 16, 9, 9, 9, 9, 9, 40, 16])


def _blocks(book: Book) -> dict[Any, Link]:
    """Per rule a link to its first violation on the violations sheet (written later, named now)."""
    rules = [row[0] for row in _base(book)]
    title = book.cache.setdefault("violations_title", sheet_title(t("h.violations", book.lang), set(book.taken)))
    first: dict[Any, list[int]] = {}
    for i, rule in enumerate(rules, start=2):
        first.setdefault(rule, [i, i])[1] = i
    return {rule: Link(t("xlsx.rows" if b > a else "xlsx.row", book.lang, first=a, last=b), _ref(title, f"A{a}"))
            for rule, (a, b) in first.items() if a <= MAX_ROWS}


def _units(book: Book) -> None:
    from statguard.report.views import unit_table
    lang = book.lang
    units = unit_table(book.report)
    headers = [t("col.unit", lang), *(severity(s, lang) for s in ("error", "warning", "info")),
               t("col.total", lang), t("col.rules_failed", lang)]
    rows = ([u["unit"], u["error"], u["warning"], u["info"], u["total"], ", ".join(u["rules"])]
            for u in units.to_dict("records"))
    book.table(t("h.units", book.lang), headers, rows, [20, 9, 9, 9, 9, 40])


def _violations(book: Book) -> None:
    from statguard.report.views import explained_columns, fix_columns, rows_of, with_fix_text
    lang = book.lang
    v = _violation_frame(book)
    extra = explained_columns(v) + fix_columns(v)
    keys = _key_names(book)
    keyed = [(row[5], row[2]) for row in _base(book)]  # (keys, kind)
    head = [t("col.rule", lang), t("col.severity", lang), t("col.unit", lang), t("col.period", lang)]
    tail = [t("col.values", lang), *(t(f"col.{f}", lang) for f in FIGURES), t("col.detail", lang),
            t("col.message", lang), *(t(f"col.{k}", lang) for k in extra)]
    headers = [*head, *key_headers(keys, lang, keyed, head + tail), *tail]
    widths = [10, 8, 16, 10, *[14] * len(keys), 30, 12, 12, 12, 30, 70, *[40, 12][: len(explained_columns(v))],
              *[24] * len(fix_columns(v))]
    base = _base(book)
    tails = with_fix_text(rows_of(v, extra), extra, lang) if extra else ([] for _ in base)
    title = book.table(t("h.violations", lang), headers, _violation_rows(book, base, tails, keys), widths)
    assert title == book.cache.get("violations_title", title), "the rules sheet links to another title"


def _violation_rows(book: Book, base: list[tuple[Any, ...]], tails: Iterable[Any], keys: list[str]) -> Iterable[list]:
    from statguard import numbers
    clean, decimals, places, rounded = numbers.clean, numbers.decimals, numbers.places, numbers.rounded
    figures_text, is_percent, item_decimals = numbers.figures_text, numbers.is_percent, numbers.item_decimals
    lang = book.lang
    sev = {s: severity(s, lang) for s in ("error", "warning", "info")}
    percent: dict[Any, tuple[bool, ...]] = {}
    styles: dict[tuple[int, bool], int] = {}
    date_of = book.text_or_date

    def number(x: Any, known: int | None, pct: bool) -> Any:
        kind = type(x)
        if kind is not float and kind is not int:
            return None if x is None else book.cell(x)
        if kind is float and not math.isfinite(x):
            return None
        if kind is float:
            d = places(x, known)
            if len(repr(x)) > numbers.CLEAN_DIGITS or decimals(x) != d:
                x = rounded(x, known)  # the number shown, not its binary noise (20.399999999999977)
        else:
            d = 0
        style = styles.get((d, pct))
        if style is None:
            style = styles[(d, pct)] = book.number(d, pct)
        return (clean(x / 100) if pct else x, style)

    for (rule, sev_name, kind, unit, period, k, values, obs, exp, imb, detail, message), tail in zip(
            base, tails, strict=True):
        if kind not in percent:
            percent[kind] = tuple(is_percent(kind, f) for f in numbers.FIGURES)
        pct = percent[kind]
        known = item_decimals(values) if values else None
        row = [rule, sev.get(sev_name, sev_name), unit if type(unit) is str else book.cell(unit), date_of(period)]
        if keys:
            row += [date_of(k.get(name)) if isinstance(k, dict) else None for name in keys]
        row += [figures_text(values, kind, lang) if values else None, number(obs, known, pct[0]),
                number(exp, known, pct[1]), number(imb, known, pct[2]), detail, message, *tail]
        yield row


def _lacking(book: Book) -> None:
    """The items rules could not evaluate, on a sheet of their own, when the run listed them
    (--lacking): keys as columns, the values involved and which of them were missing."""
    from statguard.report import lacking
    r, lang = book.report, book.lang
    if not r.lacking_listed:
        return
    records = r.lacking_records()
    keys = list(dict.fromkeys(str(k) for x in records if isinstance(x["keys"], dict) for k in x["keys"]))
    head = [t("col.rule", lang), t("col.severity", lang), t("col.unit", lang), t("col.period", lang)]
    tail = [t("col.values", lang), t("col.missing", lang), t("col.message", lang)]
    headers = [*head, *key_headers(keys, lang, [(x["keys"], x["kind"]) for x in records], head + tail), *tail]
    from statguard.numbers import figures_text
    date_of = book.text_or_date
    rows = ([x["rule_id"], severity(x["severity"], lang),
             x["unit"] if x["unit"] is None or type(x["unit"]) is str else book.cell(x["unit"]), date_of(x["period"]),
             *(date_of(x["keys"].get(k)) if isinstance(x["keys"], dict) else None for k in keys),
             figures_text(x["values"], x["kind"], lang) if x["values"] else None,
             lacking.missing_text(x["missing"], lang, x["kind"]), x["message"]] for x in records)
    if note := lacking.unlisted(r, lang):
        rows = iter([*rows, [note] + [None] * (len(headers) - 1)])
    book.table(t("h.lacking", lang), headers, rows, [10, 8, 16, 10, *[14] * len(keys), 40, 20, 50])


def _scorecard(book: Book) -> None:
    """Only when the pack asks for a scorecard (its `pack: scorecard:` settings, kept in the report), as in HTML."""
    if book.report.meta.get("scorecard") is None:
        return
    from statguard.report.scorecard_views import ESCALATION_KEYS, TREND_KEYS, UNIT_KEYS, _label, _rows, report_scorecard
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


def _screen(book: Book) -> None:
    from statguard.report.suspicion_views import _labels, _row, ranking
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


SheetBuilder = Callable[[Book], None]
SHEETS: list[SheetBuilder] = [_summary, _screen, _units, _scorecard, _violations, _lacking]


def write_table(path: Path, name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A workbook of one sheet, `headers` over `rows` (values as `Book.cell` takes them), written as
    the report's sheets are (e.g. a spot-check sample: statguard.checks.cross_source.sample)."""
    from statguard.report.model import Report
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        book = Book(Report(name, {}, []), "", z)  # the sheet belongs to no report
        book.table(name, headers, ([book.cell(v) for v in row] for row in rows))
        _finish(book)


@writer("xlsx", ".xlsx")
def render_xlsx(report: Report, lang: str | None = None) -> bytes:
    lang = resolve(lang, report.meta.get("lang"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        book = Book(report, lang, z)
        for build in SHEETS:
            build(book)
        if book.truncated:
            note = [[title, n] for title, n in book.truncated.items()]
            book.table(t("f.truncated", lang), [t("col.name", lang), t("f.truncated", lang)], note, [30, 20])
        _finish(book)
    return out.getvalue()
