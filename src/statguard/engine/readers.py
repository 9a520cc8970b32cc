"""Reading sources into DuckDB without touching the user's files.

CSV is read by DuckDB itself; its encoding is detected first (UTF-8, UTF-8 with
BOM, GB18030/GBK). Non-UTF-8 text is transcoded into a private temporary copy,
never back into the user's file. Workbooks (.xlsx, .xlsm, .xls, WPS .et, .ods) are read
by statguard.engine.spreadsheets (sheet by name or index, header row, error cells, codes
kept as text), Parquet is scanned lazily by DuckDB.

Paths are literal: DuckDB would read `data[12].csv` as a glob matching `data1.csv`, so
glob characters are escaped before DuckDB sees a path. A source saying `glob: true` is
expanded here (sorted) and read as a list of those literal files. Every failure to read
is a SourceError naming the file, and the data line where the reader tells it.
"""

from __future__ import annotations

import codecs
import csv
import glob as globbing
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

from statguard.engine import messages  # noqa: F401  (registers the texts of source.*)
from statguard.errors import SourceError
from statguard.i18n import say

if TYPE_CHECKING:
    import duckdb

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
           ".et": "excel", ".ods": "excel", ".parquet": "parquet", ".pq": "parquet", ".json": "json",
           ".ndjson": "json"}
_SNIFF_BYTES = 4 << 20
_FULL_SNIFF_BYTES = 64 << 20
# CSV (and JSON) files together smaller than this are read once into a table of the engine's
# database: a view over read_csv parses the files again at every statement that reads it, and
# below _FULL_SNIFF_BYTES sniffs every row again too. Measured with bench/memory_cases.py schema
# (bench/README.md): 14 MB CPU 2.47 -> 0.86 s, 60 MB 10.2 -> 2.9 s, peak memory no higher;
# larger files stay views, streamed per scan, as a table would hold them whole.
_TABLE_BYTES = _FULL_SNIFF_BYTES


def detect_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(say("source.format_unknown_suffix", name=path.name), path=str(path))
    return fmt


def detect_encoding(path: Path) -> str:
    """'utf-8', 'utf-8-sig' or 'gb18030', judged on the file's bytes."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
        complete = len(head) < _SNIFF_BYTES
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if _decodes(head, "utf-8", complete):
        return "utf-8"
    if _decodes(head, "gb18030", complete):
        return "gb18030"
    bad = _first_bad_line(head)
    raise SourceError(say("source.encoding", line=bad), path=str(path))


def _decodes(data: bytes, encoding: str, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(data, final=complete)
        return True
    except UnicodeDecodeError:
        return False


def _first_bad_line(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return data[: e.start].count(b"\n") + 1
    return 1


@dataclass
class Layout:
    """A workbook sheet's layout (the source's `header:` and `skip:`) and the columns the pack
    declares as text (`string`) or dates (`date`, `datetime`)."""

    header: int | list[int] | None = None
    skip: int | None = None
    text: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()


def register_file(con: duckdb.DuckDBPyConnection, view: str, path: Path, fmt: str | None,
                  sheet: str | int | None, encoding: str | None, tmpdir: Path,
                  text_columns: list[str] | None = None, glob: bool = False,
                  layout: Layout | None = None) -> object | None:
    """Create view `view` over the file at `path`. Returns the DataFrame registered
    under `view` when the file had to be read into one (a workbook), else None.

    `text_columns` are read as text whatever they look like, so that codes keep
    their leading zeros and digits-only codes stay comparable with other sources.
    `path` is literal unless `glob` is true: then it is a pattern, expanded here.
    """
    files = expand(path, glob)
    kind = detect_format(files[0], fmt)
    layout = layout or Layout()
    if kind != "excel" and (layout.header is not None or layout.skip):
        raise SourceError(say("source.layout_text"), path=str(path))
    try:
        if kind == "csv":
            _register_csv(con, view, files, encoding, tmpdir, text_columns or [])
        elif kind == "excel":
            if len(files) > 1:
                raise SourceError(say("source.many_workbooks", n=len(files)), path=str(path))
            return _register_excel(con, view, files[0], sheet, layout)
        elif kind in ("parquet", "json"):
            _register_scan(con, view, files, kind)
        else:
            raise SourceError(say("source.format_unknown", format=kind), path=str(path))
    except OSError as e:
        raise SourceError(say("source.cannot_read", why=e.strerror or e), path=e.filename or str(path)) from None
    return None


def split_sheet(data: str | Path) -> tuple[Path, str | None]:
    """A data path and the sheet it names after '#' ('book.xlsx#表1', as --source gives it), when
    the path without it is a workbook; a file whose own name holds '#' is taken whole."""
    text = str(data)
    base, sep, sheet = text.rpartition("#")
    if not sep or not base or not sheet or Path(text).exists():
        return Path(data), None
    if Path(base).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".et", ".ods"):
        return Path(base), sheet
    return Path(data), None


def expand(path: Path, glob: bool = False) -> list[Path]:
    """The files a source path names: the one literal file, or a glob pattern's matches (sorted);
    a SourceError when there is none, or when it is a directory or an empty file."""
    if glob:
        files = [Path(f) for f in sorted(globbing.glob(str(path), recursive=True)) if Path(f).is_file()]
        if not files:
            raise SourceError(say("source.no_match"), path=str(path))
    else:
        files = [path]
    for file in files:
        if not file.exists():
            matches = [] if glob or not _GLOB_CHARS.search(str(file)) else globbing.glob(str(file), recursive=True)
            raise SourceError(say("source.not_found_pattern", n=len(matches)) if matches else say("source.not_found"),
                              path=str(file))
        if file.is_dir():
            raise SourceError(say("source.is_dir"), path=str(file))
        if file.stat().st_size == 0:
            raise SourceError(say("source.empty"), path=str(file))
    return files


_GLOB_CHARS = re.compile(r"([\[\]?*])")


def literal(path: Path | str) -> str:
    """`path` as DuckDB reads it literally: its glob characters each in a [ ] class."""
    return _GLOB_CHARS.sub(r"[\1]", str(path))


def _register_scan(con: duckdb.DuckDBPyConnection, view: str, files: list[Path], kind: str) -> None:
    """Parquet or JSON, scanned by DuckDB; read once here so a corrupt file fails at the file."""
    function = "read_parquet" if kind == "parquet" else "read_json_auto"
    target = _paths(files)
    try:
        small = kind == "json" and sum(f.stat().st_size for f in files) < _TABLE_BYTES  # as CSV: read once
        _create_view(con, view, exp.Anonymous(this=function, expressions=[target]), table=small)
        if kind == "json":  # Parquet's footer is read by the view; JSON is only sampled there
            _count(con, view)
    except Exception as e:  # duckdb.Error, but keep the import lazy
        label = "Parquet" if kind == "parquet" else "JSON"
        raise SourceError(say("source.cannot_read_as", format=label, why=_duck_message(e)),
                          path=_failed_file(e, files)) from None


def _paths(files: list[Path]) -> exp.Expression:
    """One literal path, or a list of them, as a table function's first argument."""
    if len(files) == 1:
        return exp.Literal.string(literal(files[0]))
    return exp.Array(expressions=[exp.Literal.string(literal(f)) for f in files])


def _failed_file(e: Exception, files: list[Path]) -> str:
    text = str(e)
    return next((str(f) for f in files if str(f) in text), str(files[0]))


def _duck_message(e: Exception) -> str:
    """DuckDB's message without its error class, file path noise or the SQL it ran."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip() and not ln.startswith("LINE")]
    first = lines[0] if lines else str(e)
    return re.sub(r"^[A-Za-z ]+ Error: ", "", first)


def _count(con: duckdb.DuckDBPyConnection, view: str) -> int:
    query = exp.select(exp.Count(this=exp.Star())).from_(exp.Table(this=exp.to_identifier(view, quoted=True)))
    row = con.execute(query.sql("duckdb")).fetchone()
    return int(row[0]) if row else 0


def _header(path: Path, delim: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [c.strip() for c in next(csv.reader(fh, delimiter=delim), [])]


def _blanks_named(header: list[str]) -> list[str]:
    """`header` with each blank name made the column's letter (B), or column_B where another
    name is that letter in any case (DuckDB's names ignore case)."""
    from statguard.engine.spreadsheets import column_letter
    taken = {name.lower() for name in header if name}
    named = []
    for i, name in enumerate(header):
        if not name:
            name = column_letter(i)
            name = name if name.lower() not in taken else f"column_{name}"
            taken.add(name.lower())
        named.append(name)
    return named


def _guess_delimiter(path: Path) -> str:
    """The delimiter of a text file, judged on its first line as DuckDB's candidates go."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(path: Path, header: list[str]) -> None:
    """A header to read by: present, and each name once (DuckDB would silently rename a
    second 'a' to 'a_1', and the rules would read the first one only)."""
    if not any(header):
        raise SourceError(say("source.blank_header"), path=str(path))
    seen: dict[str, int] = {}
    for i, name in enumerate(header, 1):
        if name and name in seen:
            raise SourceError(say("source.header_twice", first=seen[name], second=i, name=name), path=str(path))
        seen.setdefault(name, i)


def _table_function(name: str, path: str | exp.Expression, **options: object) -> exp.Expression:
    args: list[exp.Expression] = [exp.Literal.string(path) if isinstance(path, str) else path]
    for key, value in options.items():
        if isinstance(value, exp.Expression):
            lit = value
        else:
            lit = exp.Literal.string(value) if isinstance(value, str) else exp.convert(value)
        args.append(exp.EQ(this=exp.column(key), expression=lit))
    return exp.Anonymous(this=name, expressions=args)


def _create_view(con: duckdb.DuckDBPyConnection, view: str, source: exp.Expression, table: bool = False) -> None:
    """`view` reading `source` at each statement, or, with `table`, a table holding what it read once."""
    select = exp.select("*").from_(exp.Table(this=source))
    create = exp.Create(this=exp.Table(this=exp.to_identifier(view, quoted=True)), kind="TABLE" if table else "VIEW",
                        expression=select, replace=True)
    con.execute(create.sql(dialect="duckdb"))


def _register_csv(con: duckdb.DuckDBPyConnection, view: str, files: list[Path], encoding: str | None,
                  tmpdir: Path, text_columns: list[str]) -> None:
    read = [_utf8(file, encoding, tmpdir) for file in files]
    delim = _guess_delimiter(read[0])
    header = _header(read[0], delim)
    for original, file in zip(files, read, strict=True):
        _check_header(original, _header(file, delim) if file is not read[0] else header)
    opts: dict[str, object] = {"header": True}
    if not all(header):  # a blank header cell names its column by letter, as in a workbook (not column0)
        header = _blanks_named(header)
        opts["names"] = exp.Array(expressions=[exp.Literal.string(name) for name in header])
    size = sum(f.stat().st_size for f in read)
    if size < _FULL_SNIFF_BYTES:  # small files: infer types from every row
        opts["sample_size"] = -1
    if read[0].suffix.lower() == ".tsv":
        opts["delim"] = "\t"
    text = [c for c in text_columns if c in header]
    if text:
        opts["types"] = exp.Struct(expressions=[
            exp.PropertyEQ(this=exp.Literal.string(c), expression=exp.Literal.string("VARCHAR")) for c in text])
    columns: list[str] | None = None
    failure: Exception | None = None
    try:
        _create_view(con, view, _table_function("read_csv", _paths(read), **opts), table=size < _TABLE_BYTES)
        _count(con, view)
        columns = [str(c) for c in con.table(exp.to_identifier(view, quoted=True).sql("duckdb")).columns]
    except Exception as e:  # duckdb.Error, but keep the import lazy
        failure = e
    if columns is not None and (len(header) == 1 or _same_names(columns, header)):
        return
    for original, file in zip(files, read, strict=True):  # which line: a strict read of each file
        located = _bad_line(con, file, header, delim)
        if located:
            raise SourceError(located, path=str(original)) from None
    if failure is not None:
        failed = _failed_file(failure, read)  # a private UTF-8 copy is reported as the user's file
        original = str(files[read.index(Path(failed))])
        raise SourceError(say("source.csv", why=_duck_message(failure).replace(failed, original)),
                          path=original) from None
    raise SourceError(say("source.csv_columns", columns=", ".join(columns or []), header=", ".join(header)),
                      path=str(files[0]))


def _same_names(columns: list[str], header: list[str]) -> bool:
    """DuckDB's column names are the header's (a blank name is DuckDB's to make up)."""
    return len(columns) == len(header) and all(not h or c.strip() == h for c, h in zip(columns, header, strict=True))


def _utf8(path: Path, encoding: str | None, tmpdir: Path) -> Path:
    """`path` if DuckDB can read it as it is, else a private UTF-8 copy."""
    enc = (encoding or "auto").lower()
    if enc == "auto":
        enc = detect_encoding(path)
    if enc in ("gbk", "gb2312", "gb18030", "cp936") or enc not in ("utf-8", "utf8", "utf-8-sig"):
        return _transcode(path, enc, tmpdir)
    return path


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _bad_line(con: duckdb.DuckDBPyConnection, path: Path, header: list[str], delim: str) -> str | None:
    """The first line of `path` a strict reader refuses, as 'line N: why (the line)', or None.
    DuckDB names the line only when it need not sniff the dialect: delimiter, quoting and
    columns are given here (every column as text)."""
    columns = exp.Struct(expressions=[
        exp.PropertyEQ(this=exp.Literal.string(c or f"column{i}"), expression=exp.Literal.string("VARCHAR"))
        for i, c in enumerate(header)])
    scan = _table_function("read_csv", literal(path), header=True, auto_detect=False, delim=delim, quote='"',
                           escape='"', columns=columns)
    try:
        con.execute(exp.select(exp.Count(this=exp.Star())).from_(exp.Table(this=scan)).sql("duckdb"))
    except Exception as e:  # duckdb.Error
        text = str(e)
        line = _CSV_LINE.search(text)
        if not line:
            return None
        fields = _FIELDS.search(text)
        original = re.search(r"Original Line: (.*)", text)
        shown = f" ({original.group(1).strip()[:80]})" if original else ""
        if fields:
            why = say("source.csv_fields", found=fields.group(2), header=fields.group(1))
        else:
            reasons = [ln.strip() for ln in text.splitlines()[1:] if ln.strip() and not ln.startswith("Original")]
            why = reasons[0].rstrip(".") if reasons else say("source.csv_unreadable")
        return say("source.csv_line", line=line.group(1), why=why, shown=shown)
    return None


def _transcode(path: Path, encoding: str, tmpdir: Path) -> Path:
    """Write a UTF-8 copy of `path` in statguard's private temporary directory."""
    target = Path(tempfile.mkstemp(suffix=path.suffix, dir=tmpdir)[1])
    try:
        with path.open("r", encoding=encoding, newline="") as src, \
                target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except (UnicodeDecodeError, LookupError) as e:
        raise SourceError(say("source.decode", encoding=encoding, why=e), path=str(path)) from None
    return target


def _register_excel(con: duckdb.DuckDBPyConnection, view: str, path: Path, sheet: str | int | None,
                    layout: Layout) -> object:
    """A workbook's sheet, read as statguard.engine.spreadsheets describes, as a DataFrame."""
    import pandas as pd

    from statguard.engine import spreadsheets
    kind = spreadsheets.kind_of(path)
    if kind is None:
        raise SourceError(say("source.not_workbook"), path=str(path))
    grid, sheets = spreadsheets.read_grid(path, sheet, kind)
    columns = spreadsheets.sheet_columns(grid, path, layout.header, layout.skip, set(layout.text),
                                         set(layout.dates))
    frame = pd.DataFrame({name: pd.Series(values, dtype=_dtype(values)) for name, values in columns.items()})
    frame.attrs.update(sheet=grid.name, sheets=sheets,
                       rows=spreadsheets.data_rows(grid, layout.header, layout.skip))
    register_frame(con, view, frame)
    return frame


def _dtype(values: list[object]) -> str:
    """Whole numbers as nullable BIGINT (an object column would be typed by DuckDB from a sample);
    an empty column as text; anything else as read."""
    present = [v for v in values if v is not None]
    if not present or isinstance(present[0], str):
        return "object" if present else "string"
    if isinstance(present[0], int) and not isinstance(present[0], bool):
        return "Int64"
    return "float64" if isinstance(present[0], float) else "object"


def sheet_of(frame: object) -> str | None:
    """The sheet an Excel source was read from (register_file's frame), else None."""
    attrs = getattr(frame, "attrs", None)
    return attrs.get("sheet") if isinstance(attrs, dict) else None


def sheet_rows_of(frame: object) -> list[int] | None:
    """The sheet row (as Excel numbers rows) of each record of an Excel source (register_file's
    frame), else None."""
    attrs = getattr(frame, "attrs", None)
    return attrs.get("rows") if isinstance(attrs, dict) else None


def register_frame(con: duckdb.DuckDBPyConnection, view: str, frame: object) -> None:
    """Expose a pandas DataFrame as view `view`; DuckDB reads it in place, read-only."""
    con.register(view, frame)
