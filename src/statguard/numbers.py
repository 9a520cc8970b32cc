"""Numbers as people write them, for every report format but JSON (which keeps full precision).

- Binary noise goes: 9.700000000000003 is 9.7 (`clean`: 14 significant digits).
- A figure shows the decimals it was reported with (`places`): a value's own decimals once
  clean (46.0 has 0, 12.95 has 2); the observed, expected and imbalance of an item at most
  the decimals of the item's reported figures (`item_decimals`: the most among its values),
  since sums and differences of figures with d decimals have at most d. A figure with more
  decimals than that (or than REPORTED when nothing is known) was derived by division or
  a statistic: it shows SIGNIFICANT significant digits, at least MIN_DERIVED decimals
  (72.3456789 is 72.35, 0.000123456 is 0.0001235), never fewer decimals than its inputs.
  Trailing zeros are not added: 54 with inputs of two decimals stays 54.
- Thousands separators (`group`): both zh and en write 1,234,567.8; numbers below
  GROUP_FROM (four digits: years, codes, 1417) are written without, as most style guides do.
- Percentages (`is_percent`): a figure is a rate or share when its kind says so
  (PERCENT_FIGURES: coverage's rates, growth's rates, both in percent) or its name ends
  like one (`_pct`, `_percent`); it is shown with a % sign (72.5%), in xlsx as a percent
  cell (0.725 formatted 0.0%).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from statguard.i18n import figure_label, figure_value

CLEAN_DIGITS = 14  # significant digits a figure keeps: more is binary noise of the arithmetic
REPORTED = 4  # without known inputs, a figure with at most this many decimals is taken as reported
SIGNIFICANT = 4  # digits shown of a derived figure (a ratio, a statistic)
MIN_DERIVED = 2  # ... and at least this many decimals
MAX_PLACES = 12
GROUP_FROM = 10_000
NOISE = 1e-9  # relative: a figure this close to one with its inputs' decimals is that figure
TINY = 1e-6  # non-zero figures smaller than this are written in scientific notation (1.2e-07)
FIGURES = ("observed", "expected", "imbalance")
# the figures each kind gives in percent (100 = all); imbalances of percentages are points, not percent
PERCENT_FIGURES: dict[str, frozenset[str]] = {
    "coverage": frozenset({"observed", "expected", "claimed_rate", "verified_rate", "rate", "min_rate"}),
    "growth": frozenset({"observed", "expected"}),
}
PERCENT_SUFFIXES = ("_pct", "_percent", "pct")


def clean(x: float) -> float:
    """`x` without the noise of binary arithmetic (0.1 + 0.2 is 0.3)."""
    if not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.{CLEAN_DIGITS}g}")


def is_number(value: Any) -> bool:
    kind = type(value)
    return (kind is int or kind is float and math.isfinite(value)) and kind is not bool


def decimals(value: Any) -> int | None:
    """Decimals a number was written with, once clean: 46 and 46.0 have 0, 12.95 has 2; text
    ("1,661.44", "46%") counts its digits after the point; None for what is not a number."""
    kind = type(value)
    if kind is float and math.isfinite(value):
        if value.is_integer() and abs(value) < 1e15:
            return 0
        text = repr(value)
        if len(text) <= CLEAN_DIGITS and "e" not in text:
            return len(text) - text.index(".") - 1
    if kind is int:
        return 0
    if kind is str:
        text = value.strip().replace(",", "").rstrip("%")
        try:
            float(text)
        except ValueError:
            return None
        return len(text) - text.index(".") - 1 if "." in text and "e" not in text.lower() else 0
    if kind is not float or not math.isfinite(value):
        return None
    if value.is_integer() and abs(value) < 1e15:
        return 0
    text = repr(value)
    if len(text) > CLEAN_DIGITS or "e" in text:  # short reprs are clean already (the usual case)
        text = repr(clean(value))
    if "e" in text:  # 1.2e-07: mantissa decimals minus the exponent
        mantissa, exponent = text.split("e")
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return max(0, digits - int(exponent))
    return len(text) - text.index(".") - 1


def item_decimals(values: Any) -> int | None:
    """The most decimals among an item's reported figures (its `values`, lists included), or None
    when it has none. Values with more than REPORTED decimals are derived (ratios), not reported."""
    if not isinstance(values, Mapping):
        return None
    most = -1
    for value in values.values():
        kind = type(value)
        if kind is float:
            d = decimals(value)
            if d is not None and most < d <= REPORTED:
                most = d
        elif kind is int and most < 0:
            most = 0
        elif kind is list:
            inner = item_decimals({i: v for i, v in enumerate(value) if type(v) is not list})
            if inner is not None and inner > most:
                most = inner
    return None if most < 0 else most


def places(x: float, known: int | None = None) -> int:
    """Decimals to show of the number `x`, whose inputs had `known` decimals (None: unknown)."""
    own = decimals(x)
    if own is None:
        return 0
    limit = REPORTED if known is None else known
    if own <= limit:
        return own
    if known is not None and abs(x - round(x, known)) <= NOISE * max(1.0, abs(x)):
        return decimals(round(x, known)) or 0  # 9.75 - 9.8 is -0.04999999999999893: noise of the subtraction
    exponent = math.floor(math.log10(abs(x))) if x else 0
    derived = max(SIGNIFICANT - 1 - exponent, MIN_DERIVED, known or 0)
    return min(own, derived, MAX_PLACES)


def rounded(x: float, known: int | None = None) -> float | int:
    """`x` rounded as `places` says (half away from zero, as people round), for cells that hold numbers."""
    if type(x) is int or not math.isfinite(x):
        return x
    shown = repr(x)
    if len(shown) <= CLEAN_DIGITS and "e" not in shown and (
            x.is_integer() or len(shown) - shown.index(".") - 1 <= (REPORTED if known is None else known)):
        return x  # short and clean, with no more decimals than reported: as it is (the usual case)
    d = places(x, known)
    if decimals(x) <= d:
        return x if len(repr(x)) <= CLEAN_DIGITS else clean(x)
    return float(Decimal(repr(clean(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))


def group(text: str) -> str:
    """Thousands separators in a plain number's text ("-1234567.8" -> "-1,234,567.8"); shorter
    integer parts (below GROUP_FROM) are left as they are."""
    sign = "-" if text.startswith("-") else ""
    whole, dot, fraction = text[len(sign):].partition(".")
    if len(whole) < len(str(GROUP_FROM)) or not whole.isdigit():
        return text
    return f"{sign}{int(whole):,}{dot}{fraction}"


def text(value: Any, known: int | None = None, lang: str | None = None, percent: bool = False,
         grouping: bool = True) -> str:
    """A number as a reader sees it: rounded (`places`), grouped (`group`, both languages write
    1,234,567.8), with a % sign when it is a percentage. Anything else: its plain text."""
    if value is None:
        return ""
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):
            return "" if value != value else ("∞" if value > 0 else "-∞")
        if value and abs(value) < TINY:  # 1.2e-07: significant digits, not a row of zeros
            return f"{clean(value):.{SIGNIFICANT}g}" + ("%" if percent else "")
        shown = repr(value)
        if value.is_integer() and abs(value) < 1e15:
            shown = shown[:-2] if value else "0"  # 150.0 -> 150, -0.0 -> 0
        elif len(shown) <= CLEAN_DIGITS and "e" not in shown and (
                len(shown) - shown.index(".") - 1 <= (REPORTED if known is None else known)):
            pass  # short and clean, with no more decimals than reported: as it is (the usual case)
        elif (d := places(value, known)) != decimals(value) or "e" in shown or len(shown) > CLEAN_DIGITS:
            shown = f"{Decimal(repr(clean(value))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP):f}"
            if "." in shown:  # trailing zeros are not added: -0.020000000000003 is -0.02, not -0.02000
                shown = shown.rstrip("0").rstrip(".")
            if shown.startswith("-") and not shown.strip("-0."):
                shown = shown[1:]  # -0.00 is 0
    elif kind is int:
        shown = str(value)
    else:
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
            return text(value.item(), known, lang, percent, grouping)
        return str(value)
    if grouping and not -GROUP_FROM < value < GROUP_FROM:
        shown = group(shown)
    return shown + "%" if percent else shown


@lru_cache(maxsize=4096)
def is_percent(kind: Any, name: str) -> bool:
    """Whether figure `name` (observed, expected, imbalance or a value's name) of a violation of
    `kind` is a percentage (in percent, 100 = all)."""
    if name in PERCENT_FIGURES.get(str(kind), ()):
        return True
    return name not in FIGURES and str(name).lower().endswith(PERCENT_SUFFIXES)


def figure(value: Any, name: str, kind: Any = None, values: Any = None, lang: str | None = None,
           grouping: bool = True) -> str:
    """A violation's figure (observed/expected/imbalance, or one of its values by name) as a reader
    sees it: the decimals of the item's `values`, a percent sign when the kind gives it in percent."""
    known = item_decimals(values) if name in FIGURES else None
    return text(value, known, lang, is_percent(kind, name), grouping)


def figures_text(values: Any, kind: Any = None, lang: str | None = None, limit: int = 12) -> str:
    """An item's values as one line: "awaiting 100; idle 50; versions 34, 36, 41" (lists shortened; statguard's
    own figure names in `lang`: "versions" is 版本数 in Chinese, see statguard.i18n.figure_label)."""
    if not isinstance(values, Mapping) or not values:
        return ""
    parts = []
    for name, value in values.items():
        if isinstance(value, list):
            shown = ", ".join(figure(v, name, kind, lang=lang) if is_number(v)
                              else _plain(figure_value(name, v, lang, kind)) for v in value[:limit])
            shown += ", …" if len(value) > limit else ""
        elif type(value) is float or type(value) is int:
            shown = text(value, None, lang, is_percent(kind, name))  # as figure() for a value, faster
        else:
            shown = _plain(figure_value(name, value, lang, kind))
        if shown:
            parts.append(f"{figure_label(name, lang, kind, values)} {shown}")
    return ("；" if lang == "zh" else "; ").join(parts)


def _plain(value: Any) -> str:
    return display(value)


def cleaned(value: Any) -> Any:
    """`value` with every float in it rounded as `text` shows it (lists and mappings too), still a
    float: for JSON text in CSV cells and tables (9.7, not 9.700000000000003; 72.73, not 72.727272...)."""
    kind = type(value)
    if kind is float:
        return rounded(value) if math.isfinite(value) else None
    if kind is Decimal:  # a DECIMAL column's value (PostgreSQL numeric(p,s), Parquet decimal), as JSON writes it
        return cleaned(float(value))
    if kind is dict:
        return {k: v if type(v) in _PLAIN else cleaned(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _PLAIN else cleaned(v) for v in value]
    return value


_PLAIN = {str, int, bool, type(None)}


def count(n: Any) -> str:
    """A count (of violations, items, units) as a reader sees it: 100,000."""
    return group(str(n)) if type(n) is int else text(n)


def display(value: Any, grouping: bool = True) -> str:
    """A value as a reader should see it: blanks for missing, compact JSON for structures, dates
    as ISO dates (a midnight timestamp as its date), floats as statguard.numbers writes
    them (9.7, not 9.700000000000003; 1,234,567.8; without separators when `grouping` is False,
    as for units and keys: a code read as 110101.0 is 110101). Whole numbers (int) are written as
    they are, without separators: they may be codes or years."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return text(value, grouping=grouping)
    if isinstance(value, (dict, list)):
        return json.dumps(cleaned(value), ensure_ascii=False, separators=(",", ":")) if value else ""
    if isinstance(value, (datetime, date)):
        if value != value:  # pandas' NaT
            return ""
        if isinstance(value, datetime) and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(" ") if isinstance(value, datetime) else value.isoformat()
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return display(value.item(), grouping)  # a numpy scalar
    return str(value)
