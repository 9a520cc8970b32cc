"""Building and running the pandera schema behind the `schema` kind.

Kept apart from the kind so that pandera (slow to import) loads only when a
schema rule actually runs, and so that data engineers can get the pandera
schema of a declared source with `to_pandera(source)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

    from statguard.pack.model import Column, Source

_TRUE = {"true", "1", "yes", "y", "t", "是", "真"}
_FALSE = {"false", "0", "no", "n", "f", "否", "假"}


@dataclass(frozen=True)
class Failure:
    column: str
    index: Any
    value: Any
    check: str
    expected: str


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip()


def _as_number(s: pd.Series) -> pd.Series:
    import pandas as pd
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    return pd.to_numeric(_text(s).str.replace(",", "", regex=False), errors="coerce")


def _as_date(s: pd.Series) -> pd.Series:
    import pandas as pd
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    return pd.to_datetime(_text(s), errors="coerce", format="mixed")


def _conforms(declared: str) -> Any:
    """A vectorised check: the value is missing or can be read as `declared`."""

    def check(s: pd.Series) -> pd.Series:
        present = s.notna()
        if declared in ("number", "integer"):
            num = _as_number(s)
            ok = num.notna()
            if declared == "integer":
                ok &= (num % 1 == 0).fillna(False)
        elif declared in ("date", "datetime"):
            ok = _as_date(s).notna()
        elif declared == "boolean":
            ok = _text(s).str.lower().isin(_TRUE | _FALSE) | s.map(lambda v: isinstance(v, bool))
        else:
            ok = present
        return (~present) | ok.fillna(False).astype(bool)

    return check


def _placeholder_free(placeholders: list[str]) -> Any:
    values = {p.strip() for p in placeholders}
    return lambda s: ~_text(s).isin(values).fillna(False).astype(bool)


def _bound(limit: Any, declared: str | None, upper: bool) -> Any:
    def check(s: pd.Series) -> pd.Series:
        conv = _as_date(s) if declared in ("date", "datetime") else _as_number(s)
        ref = _as_date_scalar(limit) if declared in ("date", "datetime") else float(limit)
        ok = conv <= ref if upper else conv >= ref
        return conv.isna() | ok.fillna(True).astype(bool)
    return check


def _as_date_scalar(v: Any) -> Any:
    import pandas as pd
    return pd.Timestamp(v)


def _pattern(regex: str) -> Any:
    return lambda s: s.isna() | _text(s).str.fullmatch(regex).fillna(False).astype(bool)


def _in(values: list[Any]) -> Any:
    as_text = {str(v).strip() for v in values}
    return lambda s: s.isna() | _text(s).isin(as_text).fillna(False).astype(bool)


def column_checks(col: Column, placeholders: list[str], codes: list[Any] | None) -> list[tuple[str, str, Any]]:
    """(check name, what was expected, vectorised function) for one declared column."""
    checks: list[tuple[str, str, Any]] = [("placeholder", "a reported value, not a template placeholder",
                                           _placeholder_free(placeholders))]
    if col.type and col.type != "string":
        checks.append((f"type:{col.type}", f"a value of type {col.type}", _conforms(col.type)))
    if col.min is not None:
        checks.append(("min", f">= {col.min}", _bound(col.min, col.type, upper=False)))
    if col.max is not None:
        checks.append(("max", f"<= {col.max}", _bound(col.max, col.type, upper=True)))
    if col.allowed is not None:
        checks.append(("allowed", "one of " + ", ".join(map(str, col.allowed[:10])), _in(col.allowed)))
    if codes is not None:
        checks.append(("codelist", f"a code of {col.codelist}", _in(codes)))
    if col.pattern:
        checks.append(("pattern", f"matches {col.pattern}", _pattern(col.pattern)))
    return checks


def to_pandera(columns: list[Column], keys: list[str], placeholders: list[str],
               codes: dict[str, list[Any]] | None = None) -> pa.DataFrameSchema:
    """The pandera schema equivalent to a source's column declarations."""
    import pandera.pandas as pa
    codes = codes or {}
    spec = {}
    for col in columns:
        checks = [pa.Check(fn, name=name, element_wise=False)
                  for name, expected, fn in column_checks(col, placeholders, codes.get(col.name))]
        spec[col.name] = pa.Column(nullable=col.nullable, unique=col.unique, checks=checks, required=False,
                                   coerce=False)
    return pa.DataFrameSchema(spec, unique=keys or None, report_duplicates="all", strict=False)


def source_to_pandera(source: Source, placeholders: list[str] | None = None) -> pa.DataFrameSchema:
    from statguard.pack.model import DEFAULT_PLACEHOLDERS
    return to_pandera(list(source.columns.values()), source.keys, list(placeholders or DEFAULT_PLACEHOLDERS))


def validate(data: pd.DataFrame, columns: list[Column], keys: list[str], placeholders: list[str],
             codes: dict[str, list[Any]]) -> list[Failure]:
    """Every failing cell of `data`, found by pandera in one lazy pass."""
    import pandera.errors as pe
    if not len(data):
        return []
    schema = to_pandera(columns, keys, placeholders, codes)
    try:
        schema.validate(data, lazy=True)
    except pe.SchemaErrors as err:
        return _failures(err.failure_cases, columns, keys)
    return []


def _failures(cases: pd.DataFrame, columns: list[Column], keys: list[str]) -> list[Failure]:
    expected = {c.name: c for c in columns}
    out: list[Failure] = []
    placeholder_cells = set()
    rows = cases.to_dict("records")
    for r in rows:
        if r["check"] == "placeholder":
            placeholder_cells.add((r["column"], r["index"]))
    for r in rows:
        column, check, index, value = r["column"], str(r["check"]), r["index"], r["failure_case"]
        if check.startswith("type:") and (column, index) in placeholder_cells:
            continue  # a placeholder is reported once, as a placeholder
        out.append(Failure(*_describe(column, index, value, check, expected, keys)))
    return out


def _describe(column: Any, index: Any, value: Any, check: str, columns: dict[str, Column],
              keys: list[str]) -> tuple[str, Any, Any, str, str]:
    col = columns.get(str(column))
    if check == "not_nullable":
        return str(column), index, None, "not_null", "a value (column is not nullable)"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return ", ".join(keys) if check == "multiple_fields_uniqueness" else str(column), index, value, \
            "unique", "unique " + ("key" if check == "multiple_fields_uniqueness" else "values")
    if col is not None:
        for name, expected, _ in column_checks(col, [], None):
            if name == check:
                return str(column), index, value, check, expected
        if check == "codelist":
            return str(column), index, value, check, f"a code of {col.codelist}"
    if check == "placeholder":
        return str(column), index, value, check, "a reported value, not a template placeholder"
    return str(column), index, value, check, check
