"""An explanation: a unit's written answer to one violation of a soft rule.

It is keyed like the violation it answers: rule id, unit, period and, for rules
checked record by record, the record keys. Values are compared as text, so
that 2024, 2024.0 and "2024" are the same period; a cell Excel turned into a
date also matches its "2024-09" or "2024年9月" spelling.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

_INTEGRAL = re.compile(r"^-?\d+\.0+$")
# Kinds of explanation problems, reported as violations of the pseudo-rule `explanations`.
STALE, REFUSED, EMPTY, INSUFFICIENT, DUPLICATE, UNKNOWN_RULE, MALFORMED = (
    "stale", "refused", "empty", "insufficient", "duplicate", "unknown_rule", "malformed")


@dataclass
class Explanation:
    rule_ids: tuple[str, ...]  # one rule, or every rule reading the same data column
    unit: Any = None
    period: Any = None
    keys: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    author: str | None = None
    date: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # further fields, e.g. document_no
    origin: str = ""  # where it was read: "file.xlsx row 4", "source 'x' row 12"
    # why the entry itself is unusable: a catalogue key (explain.error.*, statguard.explain.read) and its
    # values, said in the run's language when the problem is reported (statguard.explain.match)
    error: str | None = None
    error_values: dict[str, Any] = field(default_factory=dict)

    @property
    def rule_id(self) -> str:
        return ", ".join(self.rule_ids)

    def value_of(self, name: str) -> Any:
        if name in ("text", "author", "date"):
            return getattr(self, name)
        return self.fields.get(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain form, as written to YAML and to the history store."""
        return {"rule_id": self.rule_id, "unit": plain(self.unit), "period": plain(self.period),
                "keys": {k: plain(v) for k, v in self.keys.items()}, "text": self.text,
                "author": self.author, "date": self.date,
                **{k: plain(v) for k, v in self.fields.items()}}


def norm(value: Any) -> str:
    """The text a key value is compared by."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        return norm(value.item())
    text = str(value).strip()
    if _INTEGRAL.match(text):  # "7.0" typed or exported for the number 7
        return text.split(".")[0]
    return "" if text in ("nan", "NaT", "None") else text


def spellings(value: Any) -> set[str]:
    """Every text a value may stand for: a date cell also stands for its month."""
    out = {norm(value)}
    if isinstance(value, (datetime, date)):
        out |= {f"{value.year}-{value.month:02d}", f"{value.year}{value.month:02d}",
                f"{value.year}年{value.month}月", f"{value.year}-{value.month:02d}-{value.day:02d}"}
    return out


def plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return norm(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
