"""The Report: violations and per-rule summary as pandas DataFrames, plus run facts.

`violations` has one row per failing record or group; `summary` one row per
rule. `to_json()` writes the canonical form described by report.schema.json,
and `Report.from_json()` reads it back so that a saved run can be re-rendered
without the data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from statguard.pack.model import SEVERITIES

VIOLATION_COLUMNS = ["rule_id", "kind", "severity", "source", "unit", "period", "keys", "values",
                     "observed", "expected", "imbalance", "detail", "message",
                     "hard", "explained", "explanation", "explained_by", "explained_at", "explanation_fields"]
SUMMARY_COLUMNS = ["rule_id", "kind", "severity", "description", "sources", "items", "passes",
                   "fails", "not_evaluable", "errored", "error", "seconds", "hard"]
SCHEMA_VERSION = 1
FAIL_LEVELS = {"error": 3, "warning": 2, "info": 1, "never": 99}
RANK = {"error": 3, "warning": 2, "info": 1}


@dataclass
class Report:
    pack: str
    violations: pd.DataFrame
    summary: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    # -- verdicts ------------------------------------------------------------
    def counts_by_severity(self) -> dict[str, int]:
        counts = self.violations["severity"].value_counts() if len(self.violations) else {}
        return {s: int(counts.get(s, 0)) for s in SEVERITIES}

    @property
    def errored(self) -> list[str]:
        return list(self.summary.loc[self.summary["errored"], "rule_id"]) if len(self.summary) else []

    def gating(self, fail_on: str = "error") -> pd.DataFrame:
        """Violations at or above `fail_on` that count against the run.

        An explained violation of a soft rule does not count; a hard rule's always does.
        """
        level = FAIL_LEVELS[fail_on]
        if not len(self.violations):
            return self.violations
        v = self.violations
        counted = v["severity"].map(RANK) >= level
        if "explained" in v.columns:
            hard = _flags(v, "hard", v["severity"] == "error")
            counted &= hard | ~_flags(v, "explained", pd.Series(False, index=v.index))
        return v[counted]

    def failed(self, fail_on: str = "error") -> bool:
        return len(self.gating(fail_on)) > 0

    # -- JSON ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "pack": self.pack,
            "meta": _plain(self.meta),
            "counts": self.counts_by_severity(),
            "summary": [_plain(r) for r in self.summary.to_dict("records")],
            "violations": [_plain(r) for r in self.violations.to_dict("records")],
        }

    def to_json(self, path: str | Path | None = None, indent: int | None = 2) -> str:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        if data.get("schema_version") != SCHEMA_VERSION:
            from statguard.errors import StatguardError
            raise StatguardError(f"report schema version {data.get('schema_version')!r} is not "
                                 f"supported (expected {SCHEMA_VERSION})")
        violations = pd.DataFrame(data.get("violations") or [], columns=VIOLATION_COLUMNS)
        summary = pd.DataFrame(data.get("summary") or [], columns=SUMMARY_COLUMNS)
        return cls(data.get("pack", ""), violations, summary, data.get("meta") or {})

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> Report:
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text_or_path).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    def to_text(self, width: int = 80, limit: int = 20, color: bool = False) -> str:
        from statguard.report.text import render_text
        return render_text(self, width=width, limit=limit, color=color)


def _flags(frame: pd.DataFrame, column: str, default: pd.Series) -> pd.Series:
    """A boolean column; entries missing (older reports, other producers) come from `default`."""
    if column not in frame.columns:
        return default.astype(bool)
    values = frame[column].astype(object)
    return values.where(values.notna(), default).astype(bool)


def _plain(value: Any) -> Any:
    """JSON-ready copy of a value: numpy/pandas scalars, NaN and dates made plain."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()  # a DATE column arrives as a midnight timestamp
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if getattr(value, "ndim", 0) > 0 and hasattr(value, "tolist"):  # numpy (masked) array, e.g. a LIST column
        return [_plain(v) for v in value.tolist()]
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)
