"""The perfect kind against plain Python references: significant digits, runs of repeated values, months equal
to a year earlier."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import statguard

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _pack(tmp: Path, rule: dict) -> statguard.Pack:
    path = tmp / "pack.yml"
    pack = {"sources": {"figures": {"unit": "unit", "period": "month"}},
            "rules": [{"id": "R", "kind": "perfect", "source": "figures", **rule}]}
    path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    return statguard.load_pack(path)


def significant_digits(value: float) -> int:
    return len(format(Decimal(f"{abs(value):.6f}"), "f").replace(".", "").strip("0"))


values = st.decimals(min_value=-10**7, max_value=10**7, places=3, allow_nan=False).map(float)


@SETTINGS
@given(st.lists(values, min_size=1, max_size=15, unique=True), st.integers(0, 6))
def test_shared_values_count_significant_digits_as_written(tmp_path, numbers, min_digits):
    """Every value reported by two units: it fails when it has min_digits significant digits, else n/a."""
    rows = [{"unit": u, "month": f"2024-{i % 12 + 1:02d}", "indicator": f"i{i}", "value": v}
            for i, v in enumerate(numbers) for u in ("A", "B")]
    pack = _pack(tmp_path, {"check": "same_value", "min_units": 2, "min_digits": min_digits})
    report = pack.validate({"figures": pd.DataFrame(rows)})
    failing = {v["keys"]["indicator"] for v in report.violations.to_dict("records") if v["unit"] == "A"}
    assert failing == {f"i{i}" for i, v in enumerate(numbers) if significant_digits(v) >= min_digits}
    summary = report.summary.iloc[0]
    assert summary["not_evaluable"] == 2 * sum(significant_digits(v) < min_digits for v in numbers)


def longest_run(series: dict[int, float | None], min_digits: int) -> tuple[int, int]:
    """(length, first month) of the longest run of one value in adjacent months, earliest of equals."""
    best, start, length = (0, 0), 0, 0
    for month in sorted(series):
        value = series[month]
        ok = value is not None and significant_digits(value) >= min_digits
        if ok and length and month == start + length and series[start] == value:
            length += 1
        else:
            start, length = month, 1
        if length > best[0]:
            best = (length, start)
    return best


series_strategy = st.dictionaries(
    st.integers(1, 24), st.one_of(st.none(), st.sampled_from([0.0, 120.0, 1234.5, -987.6])), max_size=24)


@SETTINGS
@given(st.lists(series_strategy, min_size=1, max_size=5))
def test_repeats_finds_the_longest_run_as_a_loop_does(tmp_path, all_series):
    rows = [{"unit": f"U{u}", "month": f"{2023 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", "value": v}
            for u, s in enumerate(all_series) for m, v in s.items()]
    if not rows:
        return
    pack = _pack(tmp_path, {"check": "repeats", "min_run": 3})
    report = pack.validate({"figures": pd.DataFrame(rows, columns=["unit", "month", "value"])})
    got = {v["unit"]: (v["values"]["run_length"], v["values"]["first"]) for v in report.violations.to_dict("records")}
    want = {}
    for u, s in enumerate(all_series):
        length, first = longest_run(s, 3)
        if length >= 3 and sum(v is not None for v in s.values()) >= 3:
            want[f"U{u}"] = (length, f"{2023 + (first - 1) // 12}-{(first - 1) % 12 + 1:02d}")
    assert got == want


def year_ago_verdict(series: dict[int, float | None], min_digits: int, need: int) -> str:
    """'fail', 'pass' or 'na' for one series of months 1..24 (month m + 12 is m a year later)."""
    comparable = equal = 0
    for month, value in series.items():
        before = series.get(month - 12)
        if value is None or before is None or significant_digits(value) < min_digits:
            continue
        comparable += 1
        equal += value == before
    return "na" if comparable < need else "fail" if equal >= need else "pass"


@SETTINGS
@given(st.lists(series_strategy, min_size=1, max_size=5))
def test_year_ago_counts_months_equal_to_a_year_earlier_as_a_loop_does(tmp_path, all_series):
    rows = [{"unit": f"U{u}", "month": f"{2023 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}", "value": v}
            for u, s in enumerate(all_series) for m, v in s.items()]
    if not rows:
        return
    pack = _pack(tmp_path, {"check": "year_ago"})
    report = pack.validate({"figures": pd.DataFrame(rows, columns=["unit", "month", "value"])})
    failing = {v["unit"] for v in report.violations.to_dict("records")}
    verdicts = {f"U{u}": year_ago_verdict(s, 3, 3) for u, s in enumerate(all_series) if s}
    assert failing == {u for u, v in verdicts.items() if v == "fail"}
    summary = report.summary.iloc[0]
    assert summary["not_evaluable"] == sum(v == "na" for v in verdicts.values())
    assert summary["items"] == len(verdicts)
