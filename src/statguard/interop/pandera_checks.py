"""statguard's checks as vectorised pandas functions, for pandera.

This module is the runtime of exported pandera schemas: `statguard export pandera` copies its
text into the module it writes (so that module needs pandas and pandera, not statguard), and
`statguard.interop.pandera_export.source_schema` uses it directly. Values are read as
statguard's engine reads them: text is trimmed, numbers may carry thousands separators, a
value left from a reporting template (a placeholder) is reported once, as a placeholder.

Column checks return True where a cell passes; a missing value passes every check but
`nullable=False`. Row rules (`holds`) follow SQL's three-valued logic with pandas' nullable
dtypes: a record whose condition is unknown (a missing operand) is not a failure.
"""

import re

import numpy as np
import pandas as pd

TRUE_WORDS = {"true", "1", "yes", "y", "t", "是", "真"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "否", "假"}
DATE_FORMATS = ("%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m", "%Y/%m", "%m/%d/%Y", "%Y/%m/%d %H:%M:%S")


def as_text(s):
    return s.astype("string").str.strip()


def as_number(s):
    """The values as nullable floats; NA where a value is not a number (NaN and infinities too)."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        out = s.astype("Float64")
    else:
        out = pd.to_numeric(as_text(s).str.replace(",", "", regex=False), errors="coerce").astype("Float64")
    return out.mask(out.isna() | out.isin([np.inf, -np.inf]))


def as_date(s):
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    text = as_text(s)
    out = pd.to_datetime(text, errors="coerce", format="ISO8601")
    for fmt in DATE_FORMATS:
        out = out.fillna(pd.to_datetime(text, errors="coerce", format=fmt))
    return out


def placeholder_free(placeholders):
    held = {p.strip() for p in placeholders}
    return lambda s: ~as_text(s).isin(held).fillna(False).astype(bool)


def conforms(declared, placeholders=()):
    """The value is missing, a placeholder (reported as such), or can be read as `declared`."""
    held = {p.strip() for p in placeholders}

    def check(s):
        if declared in ("number", "integer"):
            num = as_number(s)
            ok = num.notna()
            if declared == "integer":
                floats = num.to_numpy(dtype="float64", na_value=np.nan)
                ok &= pd.Series(np.isfinite(floats) & (np.mod(floats, 1) == 0), index=s.index)
        elif declared in ("date", "datetime"):
            ok = as_date(s).notna()
        elif declared == "boolean":
            ok = as_text(s).str.lower().isin(TRUE_WORDS | FALSE_WORDS) | s.map(lambda v: isinstance(v, bool))
        else:
            ok = s.notna()
        ok = ok.fillna(False).astype(bool) | as_text(s).isin(held).fillna(False).astype(bool)
        return s.isna() | ok

    return check


def within(limit, declared, upper):
    """The value read as a number (a date for date columns) is not beyond `limit`; other values pass."""
    def check(s):
        dated = declared in ("date", "datetime")
        value = as_date(s) if dated else as_number(s)
        ref = pd.Timestamp(limit) if dated else float(limit)
        ok = value <= ref if upper else value >= ref
        # a value that cannot be read (NaT compares False, not NA) is the type check's to report
        return (pd.Series(ok, index=s.index).fillna(True).astype(bool) | value.isna()).astype(bool)
    return check


def one_of(values):
    listed = {str(v).strip() for v in values}
    return lambda s: s.isna() | as_text(s).isin(listed).fillna(False).astype(bool)


def matches(pattern):
    return lambda s: s.isna() | as_text(s).str.fullmatch(pattern).fillna(False).astype(bool)


# -- row rules: statguard's expression language over a DataFrame, NULL as pandas' NA --------------
def number(df, name):
    return as_number(df[name])


def date(df, name):
    return as_date(df[name])


def text(df, name):
    return as_text(df[name])


def value(df, name):
    """A column of undeclared type, as read."""
    s = df[name]
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return as_number(s)
    return s.astype("string")


def series(df, x):
    return x if isinstance(x, pd.Series) else pd.Series([x] * len(df), index=df.index, dtype="object")


def holds(df, result, scope=None):
    """True where a record passes: its condition holds or is unknown, or it is out of `scope`."""
    ok = series(df, result).astype("boolean").fillna(True)
    if scope is not None:
        ok = ok | ~series(df, scope).astype("boolean").fillna(False)
    return ok.astype(bool)


def not_(x):
    return ~x if isinstance(x, pd.Series) else (pd.NA if x is pd.NA else not x)


def isnull(x):
    return x.isna() if isinstance(x, pd.Series) else x is pd.NA or x is None


def isin(x, values):
    if not isinstance(x, pd.Series):
        return pd.NA if x is pd.NA else x in values
    return x.isin(values).astype("boolean").mask(x.isna())


def coalesce(first, *rest):
    out = first
    for x in rest:
        out = out.fillna(x) if isinstance(out, pd.Series) else (x if out is pd.NA or out is None else out)
    return out


def nullif(a, b):
    return a.mask(a == b) if isinstance(a, pd.Series) else (pd.NA if a == b else a)


def _frame(xs):
    index = next(x.index for x in xs if isinstance(x, pd.Series))
    return pd.concat([x if isinstance(x, pd.Series) else pd.Series(x, index=index) for x in xs], axis=1)


def greatest(*xs):
    return _frame(xs).astype("Float64").max(axis=1, skipna=True)


def least(*xs):
    return _frame(xs).astype("Float64").min(axis=1, skipna=True)


def sql_round(x, digits=0):
    """Half away from zero, as SQL rounds (Python rounds half to even)."""
    scale = 10.0 ** digits
    return np.sign(x) * np.floor(abs(x) * scale + 0.5) / scale


def floor(x):
    return np.floor(x)


def ceil(x):
    return np.ceil(x)


def sqrt(x):
    return x ** 0.5


def length(x):
    return x.astype("string").str.len()


def lower(x):
    return x.astype("string").str.lower()


def upper(x):
    return x.astype("string").str.upper()


def trim(x):
    return x.astype("string").str.strip()


def regexp_matches(x, pattern):
    return x.astype("string").str.contains(re.compile(pattern), regex=True)


def starts_with(x, prefix):
    return x.astype("string").str.startswith(prefix)


def unique_records(keys):
    """A record passes unless its key (no part missing) is held by another record too."""
    def check(df):
        complete = df[keys].notna().all(axis=1)
        return ~(df[keys].duplicated(keep=False) & complete)
    return check
