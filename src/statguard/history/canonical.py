"""Canonical form of submitted rows, and the content hash built on it.

A submission is a set of records, so its hash must not depend on how the
unit happened to sort its file. The canonical form is therefore:

- each row becomes one JSON object with keys sorted (column order is ignored);
- values are plain JSON: NULL, NaN and empty cells are null, a float with an
  integral value is written as an integer (so 100 and 100.0 are the same figure,
  whatever type a reader inferred), dates and timestamps as ISO text, strings
  unchanged (" 100" and "100" differ: that is what was submitted);
- except in columns a pack declares as numbers (`number`, `integer`): statguard reads
  those as text (so that a stray "n/a" is kept, as submitted), and a cell written as a
  plain number is spelled the way its value would be ("100.0" and "1e2" as "100",
  "12.50" as "12.5"; see `numeric_text`); other text there is kept as it is;
- the lines are sorted (row order is ignored, duplicate rows still count) and
  preceded by the sorted column names (adding an empty column is a change).

The hash is the SHA-256 of that text. Two submissions with the same hash hold
the same records.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

HASH_PREFIX = "sha256:"
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def plain(value: Any) -> Any:
    """A JSON-ready copy of one cell, normalised as described above."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item") and not hasattr(value, "__len__"):  # numpy scalar
        return plain(value.item())
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return None if str(value) == "NaT" else value.isoformat()
    if str(value) in ("NaT", "<NA>", "nan"):
        return None
    return str(value)


def numeric_text(text: str) -> str:
    """A number written as text, spelled as `plain` would write its value ("100.0" -> "100",
    "12.50" -> "12.5", "-0" -> "0"); text that is not a plain number (padding, thousands
    separators, words) unchanged. Whole numbers without a point or exponent stay exact."""
    if not _NUMBER.fullmatch(text):
        return text
    if text.lstrip("+-").isdigit():
        return str(int(text))
    value = plain(float(text))
    return text if value is None else json.dumps(value)


def canonical_row(row: Mapping[str, Any]) -> str:
    """One row as compact JSON with sorted keys."""
    return json.dumps({str(k): plain(v) for k, v in row.items()}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))


def content_hash(columns: Iterable[str], lines: Iterable[str]) -> str:
    """Hash of a submission from its column names and canonical row lines."""
    digest = hashlib.sha256()
    digest.update(json.dumps(sorted(columns), ensure_ascii=False).encode("utf-8"))
    for line in sorted(lines):
        digest.update(b"\n")
        digest.update(line.encode("utf-8"))
    return HASH_PREFIX + digest.hexdigest()


HISTORY_PREFIX = "history:"  # the engine view of a source's recorded data is "history:<source>"


@functools.lru_cache(maxsize=4096)
def period_label(text: str) -> str:
    """The canonical spelling of a period ("2024年9月" -> "2024-09"); other text unchanged."""
    if not text:
        return text
    from statguard.periods import try_parse
    period, _error = try_parse(text)
    return period.label if period is not None else text
