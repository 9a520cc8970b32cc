"""Workbooks (.xlsx, .xlsm, .xls, WPS .et, .ods) read as an office user sees them.

A sheet is read into a grid of cell values (python-calamine for .xlsx/.xlsm/.ods, xlrd for
.xls and .et, which is the .xls format under another name), together with what the value
readers lose: error cells (#DIV/0!, #N/A, #VALUE!: calamine reads them as blanks), formulas
whose result the file does not hold (blanks too), numbers shown with leading zeros by their
number format (000000), and merged cells. The grid then becomes columns:

- the header is row `header` (1 as Excel numbers rows; a list of rows for a header written
  over several rows); `skip` rows right below it (units, column numbers 甲 乙 1 2) are not data;
- a merged header cell names every column under it: with a header of several rows the parts
  are joined with '_' (产值 over 本年 and 上年: 产值_本年, 产值_上年); a merged cell alone over
  several columns numbers them (产值_1, 产值_2); a blank header over data is the column's
  letter (F);
- a text cell keeps its text; in a column declared `string` a number is read as displayed
  (1234 shown as 001234 is '001234', 3.0 is '3'); in a column declared `date` or `datetime`
  a number is an Excel serial date (45322 is 2024-01-31) or a date written as digits
  (20240131);
- an error cell is its text ('#DIV/0!'), so its column is text: the declared type turns it
  into a not-evaluable value for the rules and the schema kind reports it as a finding;
- so is a formula whose result the file does not hold (an .xlsx written by a program and
  never opened in Excel): its text ('=C2/B2*100'), which the schema kind reports as a formula
  to open and save in Excel or WPS, never a blank that would read as "not filled".

Files are only read; nothing is written back.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statguard.engine import messages  # noqa: F401  (registers the texts of source.*)
from statguard.errors import SourceError
from statguard.i18n import say

WORKBOOK_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "xls", ".ods": "ods"}
# error cells as Excel and WPS show them (LibreOffice also shows Err:502 and the like): read as their
# text, and '#ERROR' where a reader gives none; with a formula's text (see the module's docstring)
# what stands where a cell has no value
ERROR_TEXTS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
               "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#ERROR")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug kept)
# serial dates taken as dates: 1920-01-01 to 2099-12-31 (a year such as 2023, or a count, is not one)
_SERIALS = (7306, 73050)


@dataclass
class Grid:
    """A sheet's cells (row, column from 0 at A1) and what the value reader loses."""

    name: str
    rows: list[list[Any]]
    # cell -> '#DIV/0!', or a formula without a saved result as its text ('=C2/B2*100'): no value
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    shown: dict[tuple[int, int], str] = field(default_factory=dict)  # cell -> '001234' (a code format)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, col, last row, col


def kind_of(path: Path) -> str | None:
    """'xlsx', 'xls' or 'ods': told by the file's first bytes (a workbook saved under another
    suffix is common), else by its suffix; None when neither tells."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        head = b""
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 compound file: Excel 97-2003, WPS .et
        return "xls"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                return "ods" if "content.xml" in z.namelist() else "xlsx"
        except (zipfile.BadZipFile, OSError):
            pass
    return WORKBOOK_SUFFIXES.get(path.suffix.lower())


def read_grid(path: Path, sheet: str | int | None, kind: str) -> tuple[Grid, list[str]]:
    """The chosen sheet's grid and the names of all sheets."""
    if kind == "xls":
        return _xls_grid(path, sheet)
    import python_calamine as calamine
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine's errors, or a file that is no workbook
        raise SourceError(say("source.workbook", suffix=path.suffix, why=_short(e)), path=str(path)) from None
    with book:
        sheets = [str(s) for s in book.sheet_names]
        name = choose_sheet(path, sheet, sheets)
        ws = book.get_sheet_by_name(name)
        grid = Grid(name, [list(r) for r in ws.to_python(skip_empty_area=False)])
        grid.merged = [(a[0], a[1], b[0], b[1]) for a, b in ws.merged_cell_ranges or []]
    for row in grid.rows:  # calamine's empty cell is ''
        for i, v in enumerate(row):
            if v == "":
                row[i] = None
    if kind == "xlsx":
        _xlsx_extras(path, sheets.index(name), grid)
    else:
        _ods_extras(path, name, grid)
    return grid, sheets


def choose_sheet(path: Path, sheet: str | int | None, sheets: list[str]) -> str:
    """The sheet's name: by name, by number (0 is the first) or the first; a SourceError listing the
    sheets that exist otherwise."""
    if not sheets:
        raise SourceError(say("source.no_sheets"), path=str(path))
    if sheet is None:
        return sheets[0]
    if isinstance(sheet, int):
        if -len(sheets) <= sheet < len(sheets):
            return sheets[sheet]
    elif sheet in sheets:
        return sheet
    else:
        close = [s for s in sheets if s.strip().casefold() == sheet.strip().casefold()]
        if len(close) == 1:
            return close[0]
    raise SourceError(say("source.no_sheet", sheet=repr(sheet), sheets=", ".join(sheets)), path=str(path))


def _short(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


# -- number formats ---------------------------------------------------------------------------
_QUOTED = re.compile(r'"([^"]*)"|\\(.)')


def code_format(fmt: str) -> str | None:
    """A number format that shows whole numbers as codes ('000000', '"32"0000', '0000#'), as a
    template: literal text kept, each run of digit placeholders as one '{}' with its zero count
    (returned joined, e.g. '32{4}'); None for any other format (decimals, dates, thousands)."""
    section = fmt.split(";")[0]
    section = re.sub(r"\[[^\]]*\]", "", section)  # colours, conditions, locales
    literal = _QUOTED.sub(lambda m: "\x00" * len(m.group(1) or m.group(2)), section)
    if not re.fullmatch(r"[0#\x00]*0{2,}[0#\x00]*", literal) or literal.count("0") < 2:
        return None
    return section


def shown_number(value: float, fmt: str) -> str | None:
    """`value` as Excel shows it in the code format `fmt` (code_format's result), if whole."""
    if value != value or not float(value).is_integer() or value < 0:
        return None
    parts: list[str] = []
    placeholders = ""
    for m in re.finditer(r'"([^"]*)"|\\(.)|([0#]+)|(.)', fmt):
        if m.group(3):
            placeholders += m.group(3)
            parts.append("\x01")
        else:
            parts.append(m.group(1) if m.group(1) is not None else m.group(2) or m.group(4) or "")
    digits = str(int(value)).zfill(placeholders.count("0"))
    text, used = "", False
    for part in parts:
        if part == "\x01":
            if not used:
                text += digits
                used = True
        else:
            text += part
    return text


# -- .xlsx: what calamine leaves out, from the sheet's XML --------------------------------------
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BUILTIN_CODES: dict[int, str] = {}  # no built-in format pads with zeros


def _xlsx_extras(path: Path, index: int, grid: Grid) -> None:
    """Error cells, formulas without a saved result and code-formatted numbers of sheet number
    `index`, found in its XML without parsing every cell: only the cells carrying an error type,
    a formula with no value after it, or a code-format style."""
    try:
        with zipfile.ZipFile(path) as z:
            target = _xlsx_sheet_part(z, index)
            codes = _xlsx_code_styles(z)
            data = z.read(target) if target else b""
    except (zipfile.BadZipFile, KeyError, OSError):
        return
    if b't="e"' in data:
        for m in re.finditer(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', data, re.S):
            cell = _ref(m.group(1))
            value = re.search(rb"<v>([^<]*)</v>", m.group(2))
            if cell is not None and value is not None:
                grid.errors[cell] = value.group(1).decode("utf-8", "replace")
    if b"<f" in data:
        _xlsx_unsaved_formulas(data, grid)
    if codes:
        styles = "|".join(str(s) for s in codes)
        for m in re.finditer(rb'<c\b([^>]*\bs="(' + styles.encode() + rb')"[^>]*)>(.*?)</c>', data, re.S):
            attrs = m.group(1)
            if re.search(rb'\bt="(?!n")', attrs):
                continue  # text, error, boolean: not a number
            cell = _ref(attrs)
            value = re.search(rb"<v>([^<]*)</v>", m.group(3))
            if cell is None or value is None:
                continue
            try:
                shown = shown_number(float(value.group(1)), codes[int(m.group(2))])
            except ValueError:
                continue
            if shown is not None:
                grid.shown[cell] = shown


# a formula (its text, or none: a cell sharing another's) with no value, or an empty one, after it
_UNSAVED = re.compile(rb"<f\b[^>]*?(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")


def _xlsx_unsaved_formulas(data: bytes, grid: Grid) -> None:
    """Formula cells whose result the file does not hold (calamine reads them as blanks), as their
    text in grid.errors; a cell sharing another's formula (Excel's shared formulas) as '='."""
    import html
    for m in _UNSAVED.finditer(data):
        start = data.rfind(b"<c ", 0, m.start())
        cell = _ref(data[start:data.find(b">", start)]) if start >= 0 else None
        if cell is not None and cell not in grid.errors:
            grid.errors[cell] = "=" + html.unescape((m.group(1) or b"").decode("utf-8", "replace")).strip()


def _xlsx_sheet_part(z: zipfile.ZipFile, index: int) -> str | None:
    import xml.etree.ElementTree as ET
    book = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = [el for el in book.iter() if el.tag.endswith("}sheet")]
    if index >= len(sheets):
        return None
    rid = sheets[index].get(f"{{{_NS_REL}}}id")
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _xlsx_code_styles(z: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index -> code format, for the styles whose number format pads with zeros."""
    import xml.etree.ElementTree as ET
    try:
        styles = ET.fromstring(z.read("xl/styles.xml"))
    except KeyError:
        return {}
    formats = dict(_BUILTIN_CODES)
    for el in styles.iter():
        if el.tag.endswith("}numFmt"):
            fmt = code_format(el.get("formatCode", ""))
            if fmt is not None:
                formats[int(el.get("numFmtId", "-1"))] = fmt
    out: dict[int, str] = {}
    xfs = next((el for el in styles if el.tag.endswith("}cellXfs")), None)
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in formats:
            out[i] = formats[fmt_id]
    return out


def _ref(attrs: bytes) -> tuple[int, int] | None:
    m = re.search(rb'\br="([A-Z]+)(\d+)"', attrs)
    if m is None:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + ch - 64
    return int(m.group(2)) - 1, col - 1


# -- .ods: error cells, unsaved formulas, merged cells -----------------------------------------
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODS_CALC = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
# a cell with a formula and no value type: its result was not saved (a program wrote the file)
_ODS_UNSAVED = re.compile(rb"<table:table-cell\b(?![^>]*office:value-type)[^>]*table:formula=")


def _ods_extras(path: Path, name: str, grid: Grid) -> None:
    """Error cells (LibreOffice's calcext:value-type="error"), formulas without a saved result and
    merged cells of sheet `name`; content.xml is walked only when it holds any."""
    try:
        with zipfile.ZipFile(path) as z:
            data = z.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return
    if b'value-type="error"' not in data and b"number-columns-spanned" not in data and not _ODS_UNSAVED.search(data):
        return
    import io
    import xml.etree.ElementTree as ET
    inside, row, col = False, -1, 0
    for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = el.tag
        if tag == _ODS_TABLE + "table":
            if event == "start":
                inside = el.get(_ODS_TABLE + "name") == name
            else:
                if inside:
                    return
                el.clear()
            continue
        if not inside:
            continue
        if tag == _ODS_TABLE + "table-row" and event == "start":
            row, col = row + 1, 0
        elif tag == _ODS_TABLE + "table-row" and event == "end":
            row += int(el.get(_ODS_TABLE + "number-rows-repeated", "1")) - 1
            el.clear()
        elif tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell") and event == "end":
            repeat = int(el.get(_ODS_TABLE + "number-columns-repeated", "1"))
            if el.get(_ODS_CALC + "value-type") == "error":
                text = "".join(el.itertext()).strip() or "#ERROR"
                for c in range(col, col + repeat):
                    grid.errors[(row, c)] = text
            elif el.get(_ODS_TABLE + "formula") and el.get(_ODS_OFFICE + "value-type") is None:
                text = _ods_formula(el.get(_ODS_TABLE + "formula", ""))
                for c in range(col, col + repeat):
                    grid.errors[(row, c)] = text
            span_c = int(el.get(_ODS_TABLE + "number-columns-spanned", "1"))
            span_r = int(el.get(_ODS_TABLE + "number-rows-spanned", "1"))
            if span_c > 1 or span_r > 1:
                grid.merged.append((row, col, row + span_r - 1, col + span_c - 1))
            col += repeat


def _ods_formula(formula: str) -> str:
    """An OpenFormula ('of:=[.C2]/[.B2]*100') as Excel writes it ('=C2/B2*100')."""
    def cell(ref: str) -> str:  # '.B2' -> 'B2', '$表2.B2' -> '表2!B2'
        sheet, _, at = ref.lstrip("$").rpartition(".")
        return f"{sheet}!{at}" if sheet else at

    text = re.sub(r"^[a-z]+:", "", formula)
    text = re.sub(r"\[([^\]]*)\]", lambda m: ":".join(cell(r) for r in m.group(1).split(":")), text)
    return text if text.startswith("=") else "=" + text


# -- .xls and .et: xlrd, which keeps error cells and number formats -----------------------------
def _xls_grid(path: Path, sheet: str | int | None) -> tuple[Grid, list[str]]:
    import xlrd
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as e:  # xlrd.XLRDError, struct errors of a damaged file
        raise SourceError(say("source.xls", why=_short(e)), path=str(path)) from None
    try:
        sheets = [str(s) for s in book.sheet_names()]
        name = choose_sheet(path, sheet, sheets)
        ws = book.sheet_by_name(name)
        grid = Grid(name, [])
        codes = {i: code_format(book.format_map[xf.format_key].format_str) for i, xf in enumerate(book.xf_list)
                 if xf.format_key in book.format_map}
        for r in range(ws.nrows):
            types, values, xfs = ws.row_types(r), ws.row_values(r), ws.row_slice(r)
            row: list[Any] = []
            for c, (t, v) in enumerate(zip(types, values, strict=True)):
                row.append(_xls_value(book, grid, (r, c), t, v, codes.get(xfs[c].xf_index)))
            grid.rows.append(row)
        grid.merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in ws.merged_cells]
    finally:
        book.release_resources()
    return grid, sheets


def _xls_value(book: Any, grid: Grid, cell: tuple[int, int], ctype: int, value: Any, code: str | None) -> Any:
    import xlrd
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) or value == "":
        return None
    if ctype == xlrd.XL_CELL_ERROR:
        grid.errors[cell] = xlrd.error_text_from_code.get(value, "#ERROR")
        return None
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if ctype == xlrd.XL_CELL_DATE:
        moment = xlrd.xldate.xldate_as_datetime(value, book.datemode)
        return moment.date() if moment.time() == dt.time(0) else moment
    if ctype == xlrd.XL_CELL_NUMBER and code is not None:
        shown = shown_number(value, code)
        if shown is not None:
            grid.shown[cell] = shown
    return value


def serial_date(value: float) -> dt.date | dt.datetime | None:
    """A number in a date column as the date it stands for: an Excel serial date of the years
    1920-2099 (1900 system; a fraction is the time of day) or digits written as a date (20240131
    or 202401); else None (the number stays, and the schema kind reports it)."""
    if value != value or value <= 0:
        return None
    if float(value).is_integer():
        digits = str(int(value))
        for fmt in ("%Y%m%d", "%Y%m"):
            if len(digits) == len(dt.date(2000, 1, 1).strftime(fmt)):
                try:
                    return dt.datetime.strptime(digits, fmt).date()
                except ValueError:
                    pass
    if not _SERIALS[0] <= value < _SERIALS[1] + 1:
        return None
    moment = dt.datetime.combine(_EXCEL_EPOCH, dt.time(0)) + dt.timedelta(seconds=round(float(value) * 86400))
    return moment.date() if moment.time() == dt.time(0) else moment


# -- from the grid to named, typed columns ------------------------------------------------------
def sheet_columns(grid: Grid, path: Path, header: int | list[int] | None, skip: int | None,
                  text: set[str], dates: set[str]) -> dict[str, list[Any]]:
    """The sheet's data columns by name (see the module's docstring): `text` are the columns
    declared string, `dates` those declared date or datetime."""
    rows = grid.rows
    heads = sorted({header} if isinstance(header, int) else set(header or [1]))
    if not any(any(v is not None for v in row) for row in rows) and not grid.errors:
        raise SourceError(say("source.sheet_empty", sheet=grid.name), path=str(path))
    if heads[0] < 1 or heads[-1] > len(rows):
        raise SourceError(say("source.header_row", sheet=grid.name, row=heads[-1] if heads[0] >= 1 else heads[0],
                              rows=len(rows)), path=str(path))
    width = max(len(r) for r in rows)
    kept = _kept(grid, heads[-1] + (skip or 0))
    names = _names(grid, heads, width)
    position = {i: n for n, i in enumerate(kept)}
    out: dict[str, list[Any]] = {}
    owners: dict[str, int] = {}
    for c in range(width):
        values = [rows[i][c] if c < len(rows[i]) else None for i in kept]
        for (r, col), shown in grid.shown.items():
            if col == c and r in position and names[c] in text:
                values[position[r]] = shown
        errors = [(position[r], t) for (r, col), t in grid.errors.items() if col == c and r in position]
        for n, t in errors:
            values[n] = t
        name = names[c] or (column_letter(c) if any(v is not None for v in values) else "")
        if not name:
            continue
        if name in out:
            raise SourceError(say("source.sheet_header_twice", sheet=grid.name, row=heads[-1],
                                  first=column_letter(owners[name]), second=column_letter(c), name=name),
                              path=str(path))
        owners.setdefault(name, c)
        out[name] = _typed(values, name in text, name in dates, bool(errors))
    return out


def data_rows(grid: Grid, header: int | list[int] | None, skip: int | None) -> list[int]:
    """The row of the sheet (1 as Excel numbers rows) of each record `sheet_columns` reads, in
    order: the rows below the header and `skip` that are not blank."""
    last = header if isinstance(header, int) else max(header or [1])
    return [i + 1 for i in _kept(grid, last + (skip or 0))]


def _kept(grid: Grid, start: int) -> list[int]:
    """The data rows (from 0) from row `start` on: those with a value or an error cell."""
    kept = {i for i in range(start, len(grid.rows)) if any(v is not None for v in grid.rows[i])}
    return sorted(kept | {r for r, _ in grid.errors if r >= start})


def _names(grid: Grid, heads: list[int], width: int) -> list[str]:
    """Each column's name from the header rows (1-based), merged header cells filled in; columns
    under one merged cell alone numbered _1, _2, ..."""
    filled: dict[tuple[int, int], Any] = {}
    spans: dict[int, tuple[int, int]] = {}  # column -> (first, last) column of a merged header cell over it
    for r0, c0, r1, c1 in grid.merged:
        for r in heads:
            if r0 <= r - 1 <= r1:
                value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else None
                for c in range(c0, c1 + 1):
                    filled[(r - 1, c)] = value
                    if c1 > c0:
                        spans[c] = (c0, c1)
    names = []
    for c in range(width):
        parts: list[str] = []
        for r in heads:
            row = grid.rows[r - 1]
            part = _header_text(filled.get((r - 1, c), row[c] if c < len(row) else None))
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        names.append("_".join(parts))
    alike = list(names)
    for c, (c0, c1) in spans.items():  # still alike across the span: numbered
        if alike[c] and all(alike[k] == alike[c] for k in range(c0, c1 + 1)):
            names[c] = f"{alike[c]}_{c - c0 + 1}"
    return names


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def column_letter(index: int) -> str:
    """The letter a spreadsheet shows over the column of 0-based `index` (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _typed(values: list[Any], text: bool, dates: bool, errors: bool) -> list[Any]:
    """One column's values of one kind, as DuckDB should type it: as read when they agree;
    as text when declared string, when they mix kinds (a date among numbers) or hold an error."""
    if dates:
        values = [serial_date(v) or v if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                  for v in values]
    kinds = {_KINDS.get(type(v), "text") for v in values if v is not None}
    if text or errors or len(kinds) > 1 or kinds & {"text", "time"}:
        return [None if v is None else v if isinstance(v, str) else cell_text(v) for v in values]
    if kinds == {"number"}:
        if all(float(v).is_integer() for v in values if v is not None):
            return [None if v is None else int(v) for v in values]
        return [None if v is None else float(v) for v in values]
    if kinds == {"date"} and any(isinstance(v, dt.datetime) for v in values):
        return [v if v is None or isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time(0)) for v in values]
    return values


_KINDS = {int: "number", float: "number", bool: "boolean", dt.date: "date", dt.datetime: "date",
          dt.time: "time", dt.timedelta: "time", str: "text"}


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without '.0', dates in ISO form (midnight left out)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
