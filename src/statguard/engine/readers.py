"""Reading sources into DuckDB without touching the user's files.

CSV is read by DuckDB itself; its encoding is detected first (UTF-8, UTF-8 with
BOM, GB18030/GBK). Non-UTF-8 text is transcoded into a private temporary copy,
never back into the user's file. Excel goes through openpyxl (sheet by name or
index, Chinese headers kept), Parquet is scanned lazily by DuckDB.
"""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sqlglot import exp

from statguard.errors import SourceError

if TYPE_CHECKING:
    import duckdb

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "excel", ".xlsm": "excel",
           ".parquet": "parquet", ".pq": "parquet", ".json": "json", ".ndjson": "json"}
_SNIFF_BYTES = 4 << 20
_FULL_SNIFF_BYTES = 64 << 20


def detect_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"cannot tell the format of '{path.name}'; give 'format:' "
                          f"(csv, excel, parquet, json)", path=str(path))
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
    raise SourceError(f"text is neither UTF-8 nor GB18030/GBK (first undecodable byte on line {bad}); "
                      f"save it as UTF-8 or give 'encoding:'", path=str(path))


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


def register_file(con: duckdb.DuckDBPyConnection, view: str, path: Path, fmt: str | None,
                  sheet: str | int | None, encoding: str | None, tmpdir: Path,
                  text_columns: list[str] | None = None) -> object | None:
    """Create view `view` over the file at `path`. Returns the DataFrame registered
    under `view` when the file had to be read into one (Excel), else None.

    `text_columns` are read as text whatever they look like, so that codes keep
    their leading zeros and digits-only codes stay comparable with other sources.
    """
    if not path.exists():
        raise SourceError("file not found", path=str(path))
    if path.is_file() and path.stat().st_size == 0:
        raise SourceError("file is empty (0 bytes)", path=str(path))
    kind = detect_format(path, fmt)
    if kind == "csv":
        _register_csv(con, view, path, encoding, tmpdir, text_columns or [])
    elif kind == "excel":
        return _register_excel(con, view, path, sheet)
    elif kind == "parquet":
        _create_view(con, view, _table_function("read_parquet", str(path)))
    elif kind == "json":
        _create_view(con, view, _table_function("read_json_auto", str(path)))
    else:
        raise SourceError(f"unknown format '{kind}'", path=str(path))
    return None


def _header(path: Path, delim: str) -> list[str]:
    import csv
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [c.strip() for c in next(csv.reader(fh, delimiter=delim), [])]


def _table_function(name: str, path: str, **options: object) -> exp.Expression:
    args: list[exp.Expression] = [exp.Literal.string(path)]
    for key, value in options.items():
        if isinstance(value, exp.Expression):
            lit = value
        else:
            lit = exp.Literal.string(value) if isinstance(value, str) else exp.convert(value)
        args.append(exp.EQ(this=exp.column(key), expression=lit))
    return exp.Anonymous(this=name, expressions=args)


def _create_view(con: duckdb.DuckDBPyConnection, view: str, source: exp.Expression) -> None:
    select = exp.select("*").from_(exp.Table(this=source))
    create = exp.Create(this=exp.Table(this=exp.to_identifier(view, quoted=True)), kind="VIEW",
                        expression=select, replace=True)
    con.execute(create.sql(dialect="duckdb"))


def _register_csv(con: duckdb.DuckDBPyConnection, view: str, path: Path, encoding: str | None,
                  tmpdir: Path, text_columns: list[str]) -> None:
    enc = (encoding or "auto").lower()
    if enc == "auto":
        enc = detect_encoding(path)
    if enc in ("gbk", "gb2312", "gb18030", "cp936") or enc not in ("utf-8", "utf8", "utf-8-sig"):
        path = _transcode(path, enc, tmpdir)
    delim = "\t" if path.suffix.lower() == ".tsv" else None
    opts: dict[str, object] = {"header": True}
    if path.stat().st_size < _FULL_SNIFF_BYTES:  # small files: infer types from every row, not a sample
        opts["sample_size"] = -1
    if delim:
        opts["delim"] = delim
    header = _header(path, delim or ",")
    text = [c for c in text_columns if c in header]
    if text:
        opts["types"] = exp.Struct(expressions=[
            exp.PropertyEQ(this=exp.Literal.string(c), expression=exp.Literal.string("VARCHAR")) for c in text])
    try:
        _create_view(con, view, _table_function("read_csv", str(path), **opts))
        con.execute(exp.select(exp.Count(this=exp.Star())).from_(
            exp.Table(this=exp.to_identifier(view, quoted=True))).sql("duckdb"))
    except Exception as e:  # duckdb.Error, but keep the import lazy
        raise SourceError(f"cannot read as CSV: {str(e).splitlines()[0]}", path=str(path)) from None


def _transcode(path: Path, encoding: str, tmpdir: Path) -> Path:
    """Write a UTF-8 copy of `path` in statguard's private temporary directory."""
    target = Path(tempfile.mkstemp(suffix=path.suffix, dir=tmpdir)[1])
    try:
        with path.open("r", encoding=encoding, newline="") as src, \
                target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except (UnicodeDecodeError, LookupError) as e:
        raise SourceError(f"cannot decode as {encoding}: {e}", path=str(path)) from None
    return target


def _register_excel(con: duckdb.DuckDBPyConnection, view: str, path: Path, sheet: str | int | None) -> object:
    import pandas as pd
    try:
        frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, engine="openpyxl")
    except ValueError as e:
        raise SourceError(f"cannot read sheet {sheet!r}: {e}", path=str(path)) from None
    except Exception as e:
        raise SourceError(f"cannot read as Excel (.xlsx): {e}", path=str(path)) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    register_frame(con, view, frame)
    return frame


def register_frame(con: duckdb.DuckDBPyConnection, view: str, frame: object) -> None:
    """Expose a pandas DataFrame as view `view`; DuckDB reads it in place, read-only."""
    con.register(view, frame)
