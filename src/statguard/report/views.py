"""Derived views of a Report shared by the writers: verdict, worst units, chart data.

Writers differ in layout, not in what they say, so every number a reader sees
(the verdict, the ranking of units, the series behind a chart) is computed
once here.

Chart data is read from violations by convention, whatever kind produced them:
- claimed vs verified rate: `values` holding `claimed_rate` (or `claimed`) and
  `verified_rate` (or `verified`), as the coverage kind writes them (percent;
  fractions are recognised when no value exceeds 1.5 and the kind is another);
- revision timelines: `values.versions` (or, as the revisions kind writes it,
  `values.values`) as a list of numbers in version order, a list of
  {version, value} objects or a {version: value} mapping; or values named
  v1, v2, ... ;
- leading digits: the numeric `observed` values.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from statguard.i18n import key_label, key_value, register
from statguard.numbers import display  # noqa: F401  (views.display, as the writers import it)
from statguard.pack.model import SEVERITIES

register({
    "col.fields_to_fix": {"en": "fields to fix", "zh": "需更正的字段"},
    "fields_to_fix_note": {"en": " (fields to fix: {fields})", "zh": "（需更正的字段：{fields}）"},
    "fields_to_fix_sep": {"en": ", ", "zh": "、"},
})

if TYPE_CHECKING:
    import pandas as pd

    from statguard.report.model import Report

CLAIMED_KEYS = ("claimed_rate", "claimed")
VERIFIED_KEYS = ("verified_rate", "verified")
_VERSION_NAME = re.compile(r"^v(?:ersion)?_?(\d+)$", re.IGNORECASE)
MIN_DIGITS = 20  # fewer numbers than this say nothing about a digit distribution


def fail_on(report: Report) -> str:
    return str(report.meta.get("fail_on") or "error")


def verdict(report: Report) -> str:
    """'fail' when violations reach the fail-on level; else 'error' (incomplete) when a rule
    could not run, since the data is not fully checked; else 'warn', or 'unjudged' when no rule
    could judge a single item (all not evaluable, or none to check: not a pass), else 'pass'.
    Only the verdict's word: the exit code follows the violations alone."""
    if report.failed(fail_on(report)):
        return "fail"
    if report.errored:
        return "error"
    counts = report.counts_by_severity()
    if counts["error"] or counts["warning"]:
        return "warn"
    rules = report.rules()
    judged = sum(int(r.get("items") or 0) - int(r.get("not_evaluable") or 0) for r in rules if not r.get("skipped"))
    return "unjudged" if rules and not judged and not counts["info"] else "pass"


def labels(values: pd.Series) -> pd.Series:
    """Display text of a column of non-missing values (fast for text columns)."""
    import pandas as pd
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values.astype(str)
    return values.map(_label)


def _label(value: Any) -> str:
    """A unit or key as a label: no thousands separators (110101.0 is the code 110101)."""
    return display(value, grouping=False)


def rows_of(frame: pd.DataFrame, columns: list[str]) -> list[tuple[Any, ...]]:
    """Plain Python rows of `columns`, missing values as None: much faster than itertuples on text columns."""
    lists = [[None if _missing(x) else x for x in frame[c].tolist()] for c in columns]
    return list(zip(*lists, strict=True))


def _missing(value: Any) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return True
    pd = sys.modules.get("pandas")  # pandas' NA can only come with pandas loaded
    return pd is not None and value is pd.NA


UNIT_COLUMNS = ["unit", *SEVERITIES, "total", "rules"]


def unit_rows(report: Report) -> list[dict[str, Any]]:
    """One dict per unit with violations (the columns of `unit_table`), worst first: most errors,
    then warnings, then info, then by unit; each unit's rules by how often it fails them. Plain
    Python (the terminal report needs no pandas)."""
    units: dict[str, dict[str, Any]] = {}
    for unit, sev, rule_id in zip(report.column("unit") or [], report.column("severity") or [],
                                  report.column("rule_id") or [], strict=True):
        if _missing(unit):
            continue
        row = units.setdefault(_label(unit), {"unit": _label(unit), **dict.fromkeys(SEVERITIES, 0), "by_rule": {}})
        if sev in SEVERITIES:
            row[sev] += 1
        row["by_rule"][rule_id] = row["by_rule"].get(rule_id, 0) + 1
    out = []
    for row in units.values():
        by_rule = row.pop("by_rule")
        row["total"] = sum(row[s] for s in SEVERITIES)
        row["rules"] = sorted(by_rule, key=lambda r: (-by_rule[r], r))
        out.append(row)
    out.sort(key=lambda r: r["unit"])
    out.sort(key=lambda r: tuple(-r[s] for s in SEVERITIES))  # stable: units in order within a tie
    return out


def unit_table(report: Report) -> pd.DataFrame:
    """One row per unit with violations: counts by severity, total and the rules it fails, worst first."""
    import pandas as pd
    return pd.DataFrame(unit_rows(report), columns=UNIT_COLUMNS)


def _true(value: Any) -> bool:
    return bool(value) and not _missing(value)


def rule_rows(report: Report) -> list[dict[str, Any]]:
    """The per-rule summary as dicts with a `status` (statguard.report.status), without pandas."""
    from statguard.report.status import rule_status
    return [{**row, "status": rule_status(row)} for row in report.rules()]


def rule_table(report: Report) -> pd.DataFrame:
    """The per-rule summary with a status column (statguard.report.status): 'error' (could not
    run), 'skipped', 'fail', 'empty' (ran and evaluated 0 items: its `error` holds the note),
    'unevaluable' (none of its items evaluable), 'lacking' (passed, some items not evaluable) or 'ok'."""
    from statguard.report.status import rule_status
    s = report.summary.copy()
    if not len(s):
        return s.assign(status=[])
    s["status"] = [rule_status(row) for row in report.rules()]
    return s


def worst_first(violations: pd.DataFrame) -> pd.DataFrame:
    """Violations ordered by severity (errors first), keeping each rule's own order."""
    if not len(violations):
        return violations
    rank = violations["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    return violations.iloc[rank.argsort(kind="stable")]


def worst_rows(report: Report, limit: int) -> list[dict[str, Any]]:
    """The first `limit` violations as dicts, ordered as `worst_first` orders them, without pandas."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    severities = report.column("severity") or []
    order = sorted(range(report.violation_count), key=lambda i: rank.get(severities[i], len(rank)))[:limit]
    columns = {name: report.column(name) or [] for name in report.violation_columns()}
    return [{name: values[i] for name, values in columns.items()} for i in order]


@dataclass
class Heatmap:
    units: list[str]
    rules: list[str]
    counts: list[list[int]]
    units_total: int


def heatmap(report: Report, max_units: int = 30, max_rules: int = 40) -> Heatmap | None:
    """Violation counts of the worst units (rows) by the rules with violations (columns)."""
    import pandas as pd
    units = unit_table(report)
    if not len(units):
        return None
    top = list(units["unit"].head(max_units))
    v = report.violations[report.violations["unit"].notna()]
    v = v.assign(unit=labels(v["unit"]))
    v = v[v["unit"].isin(top)]
    failing = set(v["rule_id"])
    rule_order = [r for r in report.summary["rule_id"] if r in failing][:max_rules]
    table = pd.crosstab(v["unit"], v["rule_id"]).reindex(index=top, columns=rule_order, fill_value=0)
    return Heatmap(top, rule_order, table.to_numpy().tolist(), len(units))


def _first(values: dict[str, Any], names: tuple[str, ...]) -> float | None:
    for name in names:
        number = as_number(values.get(name))
        if number is not None:
            return number
    return None


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def coverage_points(report: Report) -> list[tuple[str, float, float]]:
    """(unit, claimed, verified) per unit, as percentages, from coverage-like violations."""
    points: dict[str, tuple[float, float]] = {}
    percent = False  # the coverage kind gives percentages; others may give fractions
    for kind, unit, values in rows_of(report.violations, ["kind", "unit", "values"]):
        values = values if isinstance(values, dict) else {}
        claimed, verified = _first(values, CLAIMED_KEYS), _first(values, VERIFIED_KEYS)
        if claimed is None or verified is None or unit is None:
            continue
        points.setdefault(_label(unit), (claimed, verified))
        percent = percent or kind == "coverage"
    if not points:
        return []
    percent = percent or max(max(c, v) for c, v in points.values()) > 1.5
    scale = 1.0 if percent else 100.0
    return [(u, c * scale, v * scale) for u, (c, v) in points.items()]


def _series_of(values: dict[str, Any]) -> list[tuple[str, float]]:
    raw = values.get("versions")
    if not isinstance(raw, (list, dict)):
        raw = values.get("values")  # the revisions kind: `values` in version order, `versions` their count
    pairs: list[tuple[str, Any]] = []
    if isinstance(raw, dict):
        pairs = [(str(k), v) for k, v in raw.items()]
    elif isinstance(raw, list):
        for i, item in enumerate(raw, start=1):
            if isinstance(item, dict):
                pairs.append((str(item.get("version", i)), item.get("value")))
            else:
                pairs.append((str(i), item))
    else:
        named = [(int(m.group(1)), k) for k in values if (m := _VERSION_NAME.match(str(k)))]
        pairs = [(str(n), values[k]) for n, k in sorted(named)]
    series = [(label, number) for label, value in pairs if (number := as_number(value)) is not None]
    return series if len(series) >= 2 else []


def revision_series(report: Report, limit: int = 24) -> list[tuple[str, list[tuple[str, float]]]]:
    """(label, [(version, value), ...]) for violations that carry a figure's versions."""
    out = []
    for rule_id, unit, period, keys, values in rows_of(report.violations,
                                                       ["rule_id", "unit", "period", "keys", "values"]):
        series = _series_of(values if isinstance(values, dict) else {})
        if not series:
            continue
        keys = keys if isinstance(keys, dict) else {}
        parts = [_label(unit), _label(period)]
        parts += [_label(v) for k, v in keys.items() if k not in ("unit", "period", "version")]
        item = (" · ".join(p for p in dict.fromkeys(parts) if p) or str(rule_id), series)
        if item in out:  # two rules about the same figure draw the same line
            continue
        out.append(item)
        if len(out) >= limit:
            break
    return out


def leading_digits(report: Report) -> list[int] | None:
    """Counts of the leading digits 1-9 of the numeric observed values, or None if too few."""
    import pandas as pd
    numbers = pd.to_numeric(report.violations["observed"], errors="coerce") if len(report.violations) else None
    if numbers is None:
        return None
    numbers = numbers[numbers.notna() & (numbers != 0) & numbers.abs().lt(float("inf"))].abs()
    if len(numbers) < MIN_DIGITS:
        return None
    counts = numbers.map(lambda x: f"{x:e}"[0]).value_counts()  # '%e' puts the leading digit first
    return [int(counts.get(str(d), 0)) for d in range(1, 10)]


BENFORD = [math.log10(1 + 1 / d) for d in range(1, 10)]


def fix_columns(violations: pd.DataFrame) -> list[str]:
    """["fields_to_fix"] when the run located the fields to fix (statguard.analysis.locate)."""
    if "fields_to_fix" in violations.columns and violations["fields_to_fix"].notna().any():
        return ["fields_to_fix"]
    return []


def fix_text(value: Any, lang: str | None) -> Any:
    """fields_to_fix as a table cell shows it: "cost, turnover" (None stays None)."""
    if not isinstance(value, (list, tuple)):
        return value
    from statguard.i18n import t
    return t("fields_to_fix_sep", lang).join(map(str, value))


def with_fix_text(rows: Any, keys: list[str], lang: str | None) -> Any:
    """Rows of a violations table (lists in `keys` order) with fields_to_fix written as text."""
    if "fields_to_fix" not in keys:
        yield from rows
        return
    at = keys.index("fields_to_fix")
    for row in rows:
        row = list(row)
        row[at] = fix_text(row[at], lang)
        yield row


def fix_note(value: Any, lang: str | None) -> str:
    """" (fields to fix: a, b)" after a violation's message, or "" when none were located."""
    if not isinstance(value, (list, tuple)) or not value:
        return ""
    from statguard.i18n import t
    return t("fields_to_fix_note", lang, fields=fix_text(value, lang))


def explained_columns(violations: pd.DataFrame) -> list[str]:
    """The explanation columns worth showing: only when some violation was explained."""
    if "explanation" in violations.columns and violations["explanation"].notna().any():
        return ["explanation", "explained_by"]
    return []


def record_keys(row: Mapping[str, Any], lang: str) -> str:
    """The record's keys a reader needs to find it (身份证号 3201**********1234), as masked in the
    report: those that are not its unit or period and that its message does not already name."""
    keys = row.get("keys")
    if not isinstance(keys, dict):
        return ""
    known = {display(row["unit"], grouping=False), display(row["period"], grouping=False)}
    kinds = [row.get("kind")]
    shown = [(key_label(name, lang, kinds), key_value(name, display(value, grouping=False), lang, kinds))
             for name, value in keys.items()]
    return " ".join(f"{name} {value}" for name, value in shown
                    if value and value not in known and not _named(value, str(row["message"])))


def _named(value: str, message: str) -> bool:
    """Whether `message` names `value` itself: as a whole word (peer group 'A' is not named by 'MAD',
    group '1' not by 'limit 0.015'); a one-character value never counts as named."""
    if len(value) < 2:
        return False
    return re.search(r"(?<![0-9A-Za-z_.])" + re.escape(value) + r"(?![0-9A-Za-z_.])", message) is not None
