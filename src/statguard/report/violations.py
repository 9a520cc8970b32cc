"""Violation records' shared pieces: values made plain, key and value dicts, details rendered in
the report's language. statguard.engine.violations turns a plan's failing items into records with
them; the report writers use them too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.numbers import clean, group
from statguard.report.model import _plain

if TYPE_CHECKING:
    import pandas as pd

DETAIL_KEY = "detail."  # a detail naming a catalogue entry is rendered in the report's language


def _translated_details(data: dict[str, list[Any]], lang: str | None) -> list[Any]:
    """Details a kind gives as a catalogue key (`detail.<kind>.<what>`, see statguard.i18n.register)
    become its sentence in the report's language, filled from the item's values and figures."""
    details = data["detail"]
    if not any(isinstance(d, str) and d.startswith(DETAIL_KEY) for d in details):
        return details
    from statguard.i18n import CATALOGUE, t
    out = list(details)
    for i, key in enumerate(details):
        if isinstance(key, str) and key in CATALOGUE and key.startswith(DETAIL_KEY):
            fields = {**data["values"][i], **data["keys"][i],
                      **{name: data[name][i] for name in ("unit", "period", "observed", "expected", "imbalance")}}
            out[i] = t(key, lang, **{k: _shown(v, k in SHARES) for k, v in fields.items()})
    return out


# figures that are shares of 1 (0.25 of the values): a sentence says them in percent (25%), since
# "占 1" reads as "one of them" where all of them is meant
SHARES = frozenset({"round_share", "max_round_share", "two_digit_share"})


def _shown(value: Any, share: bool = False) -> Any:
    """A figure as a sentence shows it (statguard.numbers): floats without binary noise, a
    statistic's four decimals, grouped (12,345.6); p-values and the like as 1.2e-07, not 0;
    a `share` of 1 in percent (0.3 is 30%)."""
    if share and isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        return f"{_shown(float(value) * 100)}%"
    if isinstance(value, float):
        if value != value:
            return ""
        if value and abs(value) < 1e-3:
            return f"{value:.2g}"
        return group(f"{clean(value):.4f}".rstrip("0").rstrip("."))
    return "" if value is None else value


def _plain_column(column: pd.Series) -> list[Any]:
    """The column's values made plain (as `_plain` does per value), converting whole
    numeric columns at once."""
    import pandas as pd
    kind = column.dtype.kind
    if kind in "iub":
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and column.isna().any():
            return column.astype(object).where(column.notna(), None).tolist()  # Int64 etc.: pd.NA -> None
        return column.tolist()
    if kind == "f" and isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        column, kind = column.astype("float64"), "f"  # Float64: pd.NA -> NaN -> None below
    if kind == "M" and column.dt.tz is None and _date_only(column):
        return column.dt.strftime("%Y-%m-%d").where(column.notna(), None).tolist()  # as _plain: DATE as ISO text
    if kind == "f":
        return [None if v != v or v in (float("inf"), float("-inf")) else v for v in column.tolist()]
    if pd.api.types.is_string_dtype(column) and column.dtype != object:
        return column.astype(object).where(column.notna(), None).tolist()
    return [_plain(v) for v in column.tolist()]


def _date_only(column: pd.Series) -> bool:
    """Whether every value is a midnight timestamp of a four-digit year (a DATE column)."""
    present = column.dropna()
    return bool(len(present) and (present.dt.normalize() == present).all()
                and present.dt.year.min() >= 1000 and present.dt.year.max() <= 9999)


def _dicts(plain: dict[str, list[Any]], columns: list[str], prefix: str, n: int) -> list[dict[str, Any]]:
    """One {name: value} dict per row from the `prefix`ed columns."""
    if not columns:
        return [{} for _ in range(n)]
    names = [c[len(prefix):] for c in columns]
    values = [plain[c] for c in columns]
    if len(names) == 1:  # dict displays: about 3x faster than dict(zip(...)) per row
        (a,), (va,) = names, values
        return [{a: x} for x in va]
    if len(names) == 2:
        (a, b), (va, vb) = names, values
        return [{a: x, b: y} for x, y in zip(va, vb, strict=True)]
    if len(names) == 3:
        (a, b, c), (va, vb, vc) = names, values
        return [{a: x, b: y, c: z} for x, y, z in zip(va, vb, vc, strict=True)]
    return [dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)]
