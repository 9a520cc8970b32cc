"""The Report: violations and per-rule summary, plus run facts.

`violations` has one row per failing record or group; `summary` one row per
rule. Both are pandas DataFrames for the API; a run builds them as plain
columns and rows, and the DataFrames are made on first use, so that checking
and gating (counts, exit codes, JSON) never need pandas. `to_json()` writes
the canonical form described by report.schema.json, and `Report.from_json()`
reads it back so that a saved run can be re-rendered without the data.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.i18n import register
from statguard.pack.model import RANK, SEVERITIES

register({"report.schema_version": {"en": "report schema version {version} is not supported (expected {expected})",
                                    "zh": "不支持报告格式版本 {version}（应为 {expected}）"},
          "report.the_text": {"en": "the JSON text given", "zh": "所给的 JSON 文本"},
          "report.unreadable": {"en": "{where}: not a statguard JSON report ({why})",
                                "zh": "{where}：不是 statguard 的 JSON 报告（{why}）"},
          "report.shape": {"en": "its JSON is not shaped as a report", "zh": "其 JSON 结构不是报告的结构"},
          "report.bad_json": {"en": "not valid JSON at line {line}, column {column}",
                              "zh": "第 {line} 行第 {column} 列处不是有效的 JSON"},
          "report.cannot_read": {"en": "{path}: cannot read the report: {why}",
                                 "zh": "{path}：无法读取报告：{why}"},
          "report.is_dir": {"en": "{path}: is a directory; give a file name (e.g. {example})",
                            "zh": "{path}：这是一个目录；请给出文件名（例如 {example}）"},
          "report.cannot_write": {"en": "{path}: cannot write the report: {why}",
                                  "zh": "{path}：无法写出报告：{why}"},
          "report.lacking_not_listed": {
              "en": "this run did not list its not-evaluable items: run with options={'lacking': True} "
                    "(statguard check --lacking)",
              "zh": "本次运行未列出无法判断的项：请以 options={'lacking': True} 运行（statguard check --lacking）"}})


if TYPE_CHECKING:
    import pandas as pd

VIOLATION_COLUMNS = ["rule_id", "kind", "severity", "source", "unit", "period", "keys", "values",
                     "observed", "expected", "imbalance", "detail", "message",
                     "hard", "explained", "explanation", "explained_by", "explained_at", "explanation_fields"]
# columns a run adds only when asked: fields_to_fix (statguard.analysis.locate), a list of field names
OPTIONAL_COLUMNS = ["fields_to_fix"]
SUMMARY_COLUMNS = ["rule_id", "kind", "severity", "description", "sources", "items", "passes",
                   "fails", "not_evaluable", "errored", "error", "seconds", "hard", "skipped"]
_TYPED = {"rule_id", "kind", "severity", "source", "message", "hard", "explained"}
SCHEMA_VERSION = 1
FAIL_LEVELS = {"error": 3, "warning": 2, "info": 1, "never": 99}


class Report:
    """The outcome of a run. `violations` and `summary` may be given as DataFrames, or as
    columns (name -> values) and rows (dicts); either way they read back as DataFrames.

    The DataFrames are made once, from what was given: changing them in place does not change
    the report's verdicts, counts or JSON (make a new Report from the changed frames)."""

    def __init__(self, pack: str, violations: pd.DataFrame | Mapping[str, list[Any]],
                 summary: pd.DataFrame | list[dict[str, Any]], meta: dict[str, Any] | None = None,
                 lacking: Mapping[str, list[Any]] | None = None):
        self.pack = pack
        # the not-evaluable items as columns (statguard.report.lacking), when the run listed them
        self._lacking = {c: list(v) for c, v in lacking.items()} if lacking is not None else None
        self.meta = meta if meta is not None else {}
        self._violations: pd.DataFrame | None = None
        self._columns: dict[str, list[Any]] | None = None
        if isinstance(violations, Mapping):  # the lists are taken over, not copied
            self._columns = {c: v if isinstance(v, list) else list(v) for c, v in violations.items()}
        else:
            self._violations = violations
        self._summary: pd.DataFrame | None = None
        self._rules: list[dict[str, Any]] | None = None
        if isinstance(summary, list):
            self._rules = [dict(row) for row in summary]
        else:
            self._summary = summary

    def __repr__(self) -> str:
        return f"Report(pack={self.pack!r}, violations={self.violation_count}, rules={len(self.rules())})"

    # -- the two tables --------------------------------------------------------
    @property
    def violations(self) -> pd.DataFrame:
        if self._violations is None:
            import pandas as pd
            columns = self._columns or {}
            n = self.violation_count
            # figures keep their Python values (None, not NaN; whole numbers stay int), since a
            # column mixes rules and kinds; the flags are booleans and the names text
            names = self.violation_columns()
            self._violations = pd.DataFrame(
                {c: pd.Series(columns.get(c, [None] * n), dtype=None if c in _TYPED else object)
                 for c in names}, columns=names)
        return self._violations

    def violation_columns(self) -> list[str]:
        """VIOLATION_COLUMNS, and the optional columns this report has (fields_to_fix)."""
        have = self._columns if self._columns is not None else (
            self._violations.columns if self._violations is not None else ())
        return VIOLATION_COLUMNS + [c for c in OPTIONAL_COLUMNS if c in have]

    @property
    def summary(self) -> pd.DataFrame:
        if self._summary is None:
            import pandas as pd
            self._summary = pd.DataFrame(self._rules or [], columns=SUMMARY_COLUMNS)
        return self._summary

    @property
    def violation_count(self) -> int:
        if self._columns is not None:
            return len(self._columns.get("rule_id", ()))
        return len(self._violations) if self._violations is not None else 0

    def column(self, name: str) -> list[Any] | None:
        """One column of the violations as a list (None if there is no such column), without pandas."""
        if self._columns is not None:
            if name in self._columns:
                return list(self._columns[name])
            return [None] * self.violation_count if name in VIOLATION_COLUMNS + OPTIONAL_COLUMNS else None
        frame = self.violations
        return frame[name].tolist() if name in frame.columns else None

    def rules(self) -> list[dict[str, Any]]:
        """The summary as one dict per rule, without pandas."""
        if self._rules is None:
            self._rules = self.summary.to_dict("records")
        return self._rules

    # -- not-evaluable items ----------------------------------------------------
    @property
    def lacking_listed(self) -> bool:
        """Whether the run listed the items its rules could not evaluate (options["lacking"])."""
        return self._lacking is not None

    def lacking_columns(self) -> dict[str, list[Any]] | None:
        """The not-evaluable items as columns (a copy), None when the run did not list them: what
        a Report made from this one passes on."""
        return {c: list(v) for c, v in self._lacking.items()} if self._lacking is not None else None

    def lacking_records(self, rule: str | None = None) -> list[dict[str, Any]]:
        """The not-evaluable items (of one rule, or all) as records, without pandas; raises when the
        run did not list them (an empty list would say that there were none)."""
        if self._lacking is None:
            from statguard.errors import StatguardError
            from statguard.i18n import say
            raise StatguardError(say("report.lacking_not_listed"))
        names = list(self._lacking)
        rows = [dict(zip(names, row, strict=True)) for row in zip(*self._lacking.values(), strict=True)]
        return rows if rule is None else [r for r in rows if r["rule_id"] == rule]

    def lacking(self, rule: str | None = None) -> pd.DataFrame:
        """The items rules could not evaluate (a figure they need is missing), one row per item in
        the shape of a violation plus `missing` (the names of its absent values), as R validate's
        lacking(); of one rule when `rule` is given. Only after a run asked to list them
        (options={"lacking": True}, `statguard check --lacking`)."""
        import pandas as pd

        from statguard.report.lacking import LACKING_COLUMNS
        return pd.DataFrame(self.lacking_records(rule), columns=LACKING_COLUMNS, dtype=object)

    # -- verdicts ------------------------------------------------------------
    def counts_by_severity(self) -> dict[str, int]:
        counts = Counter(self.column("severity") or [])
        return {s: int(counts.get(s, 0)) for s in SEVERITIES}

    @property
    def errored(self) -> list[str]:
        return [row["rule_id"] for row in self.rules() if _true(row.get("errored"))]

    @property
    def skipped(self) -> list[str]:
        """Rules not run because an optional source they read was not given."""
        return [row["rule_id"] for row in self.rules() if _true(row.get("skipped"))]

    def gating(self, fail_on: str = "error") -> pd.DataFrame:
        """Violations at or above `fail_on` that count against the run.

        An explained violation of a soft rule does not count; a hard rule's always does.
        """
        counted = self._counted(fail_on)
        v = self.violations
        return v[counted] if len(v) else v

    def failed(self, fail_on: str = "error") -> bool:
        return any(self._counted(fail_on))

    def _counted(self, fail_on: str) -> list[bool]:
        level = FAIL_LEVELS[fail_on]
        severity = self.column("severity") or []
        hard = self.column("hard") or [None] * len(severity)
        explained = self.column("explained") or [None] * len(severity)
        return [RANK.get(s, 0) >= level and (_flag(h, s == "error") or not _flag(e, False))
                for s, h, e in zip(severity, hard, explained, strict=True)]

    # -- JSON ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from statguard.report.status import rule_status
        out = {
            "schema_version": SCHEMA_VERSION,
            "pack": self.pack,
            "meta": _plain(self.meta),
            "counts": self.counts_by_severity(),
            "summary": [_plain({**r, "status": rule_status(r)}) for r in self.rules()],
            "violations": self._plain_records(),
        }
        if self._lacking is not None:
            out["lacking"] = [_plain(r) for r in self.lacking_records()]
        if self.meta.get("screen") is not None:  # the credibility screen's ranking, derived from the rest
            from statguard.report.suspicion import ranking
            out["screen"] = _plain(ranking(self))
        return out

    def to_json(self, path: str | Path | None = None, indent: int | None = 2) -> str:
        """The canonical JSON form; written to `path` too when given (a ReportError naming it
        when it cannot be: a directory, a folder that does not exist, no permission)."""
        text = dumps(self.to_dict(), indent)
        if path is not None:
            from statguard.errors import ReportError
            from statguard.i18n import say
            if Path(path).is_dir():
                raise ReportError(say("report.is_dir", path=path, example=Path(path) / "report.json"))
            try:
                Path(path).write_text(text + "\n", encoding="utf-8")
            except OSError as e:
                raise ReportError(say("report.cannot_write", path=path, why=e.strerror or e)) from None
        return text

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        if data.get("schema_version") != SCHEMA_VERSION:
            from statguard.errors import ReportError
            from statguard.i18n import say
            raise ReportError(say("report.schema_version", version=repr(data.get("schema_version")),
                                  expected=SCHEMA_VERSION))
        records = data.get("violations") or []
        optional = [c for c in OPTIONAL_COLUMNS if any(c in r for r in records)]
        violations = {c: [r.get(c) for r in records] for c in VIOLATION_COLUMNS + optional}
        summary = [{c: r.get(c) for c in SUMMARY_COLUMNS} for r in data.get("summary") or []]
        lacking = None
        if data.get("lacking") is not None:
            from statguard.report.lacking import LACKING_COLUMNS
            lacking = {c: [r.get(c) for r in data["lacking"]] for c in LACKING_COLUMNS}
        return cls(data.get("pack", ""), violations, summary, data.get("meta") or {}, lacking=lacking)

    @classmethod
    def from_json(cls, text_or_path: str | Path) -> Report:
        """A report from its JSON text, or from the file at a path. What cannot be read as one (no
        such file, not JSON, JSON that is not a report) is a ReportError naming the file."""
        from statguard.errors import ReportError
        from statguard.i18n import say
        text = str(text_or_path)
        where = say("report.the_text")
        if not text.lstrip().startswith("{"):
            where = text
            try:
                text = Path(text_or_path).read_text(encoding="utf-8")
            except OSError as e:
                raise ReportError(say("report.cannot_read", path=where, why=e.strerror or e)) from None
            except UnicodeDecodeError as e:
                raise ReportError(say("report.unreadable", where=where, why=e.reason)) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ReportError(say("report.unreadable", where=where,
                                  why=say("report.bad_json", line=e.lineno, column=e.colno))) from None
        try:
            if not isinstance(data, dict):
                raise TypeError
            return cls.from_dict(data)
        except ReportError as e:
            raise ReportError(say("report.unreadable", where=where, why=e)) from None
        except (AttributeError, KeyError, TypeError, ValueError):  # JSON of another shape
            raise ReportError(say("report.unreadable", where=where, why=say("report.shape"))) from None

    def _plain_records(self) -> list[dict[str, Any]]:
        """The violations as JSON-ready records, made column by column: most columns hold plain
        text and numbers already, so only the values that are not plain go through _plain
        (10x faster at 100,000 violations than a record at a time)."""
        if self._columns is not None:
            columns = self._columns
        else:
            columns = {str(c): self._violations[c].tolist() for c in self._violations.columns}
        names = list(columns)
        plain = [_plain_column(values) for values in columns.values()]
        return [dict(zip(names, row, strict=True)) for row in zip(*plain, strict=True)]

    def _records(self) -> list[dict[str, Any]]:
        if self._columns is None:
            return self.violations.to_dict("records")
        names = list(self._columns)
        return [dict(zip(names, row, strict=True)) for row in zip(*self._columns.values(), strict=True)]

    def to_text(self, width: int = 80, limit: int = 20, color: bool = False) -> str:
        from statguard.report.text import render_text
        return render_text(self, width=width, limit=limit, color=color)


def _flags(frame: pd.DataFrame, column: str, default: pd.Series) -> pd.Series:
    """A boolean column of a violations frame, entries missing (older reports, other
    producers) taken from `default`."""
    if column not in frame.columns:
        return default.astype(bool)
    values = frame[column].astype(object)
    return values.where(values.notna(), default).astype(bool)


def _flag(value: Any, default: bool) -> bool:
    """A boolean entry; a missing one (older reports, other producers) is `default`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return default
    return _true(value)


def _true(value: Any) -> bool:
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


_PLAIN_TYPES = (str, int, bool, type(None))


def _plain_column(values: list[Any]) -> list[Any]:
    """_plain of each value, skipping the values that are plain already (text, whole numbers,
    finite floats, None); the list itself when all are."""
    for i, value in enumerate(values):
        kind = type(value)
        if kind in _PLAIN_TYPES or kind is float and math.isfinite(value):
            continue
        isfinite = math.isfinite
        return values[:i] + [v if type(v) in _PLAIN_TYPES else (v if isfinite(v) else None) if type(v) is float
                             else _plain(v) for v in values[i:]]
    return values


def dumps(data: Any, indent: int | None = 2) -> str:
    """JSON text of plain data (see _plain), as json.dumps(ensure_ascii=False) writes it, by
    orjson where it can (a report of 100,000 violations: 0.3 s instead of 3 s); json.dumps
    for what orjson refuses (integers beyond 64 bits) or another indent."""
    if indent == 2:
        import orjson
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode("utf-8")
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(data, ensure_ascii=False, indent=indent)


def _plain(value: Any) -> Any:
    """JSON-ready copy of a value: numpy/pandas scalars, NaN and dates made plain."""
    if isinstance(value, dict):  # keys and figures of a violation: mostly plain already
        return {k if type(k) is str else str(k): v if type(v) in _PLAIN_TYPES else _plain(v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value != value:  # pandas' NaT
        return None
    if isinstance(value, datetime) and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()  # a DATE column arrives as a midnight timestamp
    if isinstance(value, (datetime, date)):  # pandas' Timestamp is a datetime
        return value.isoformat()
    if getattr(value, "ndim", 0) > 0 and hasattr(value, "tolist"):  # numpy (masked) array, e.g. a LIST column
        return [_plain(v) for v in value.tolist()]
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    pd = sys.modules.get("pandas")  # a pandas missing value (NaT, NA) can only come with pandas loaded
    if pd is not None:
        try:
            if pd.isna(value):
                return None
        except (TypeError, ValueError):
            pass
    return str(value)
