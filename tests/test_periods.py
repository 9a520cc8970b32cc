"""Period parsing and arithmetic (statguard.periods)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statguard.periods import Period, PeriodError, between, mapping_frame, parse_period, try_parse


@pytest.mark.parametrize(("text", "label"), [
    ("2024", "2024"), ("2024年", "2024"), (2024, "2024"), ("2024Q3", "2024Q3"), ("2024-Q3", "2024Q3"),
    ("2024年第三季度", "2024Q3"), ("2024年3季度", "2024Q3"), ("2024-09", "2024-09"), ("2024M09", "2024-09"),
    ("202409", "2024-09"), ("2024年9月", "2024-09"), ("２０２４年９月", "2024-09"), ("2024-09-15", "2024-09-15"),
    (date(2024, 9, 15), "2024-09-15"), ("2024年9月15日", "2024-09-15"), ("2024年1-9月", "2024-01..09"),
    ("2024年前三季度", "2024-01..09"), ("2024年上半年", "2024-01..06"),
])
def test_spellings(text, label):
    assert parse_period(text).label == label


@pytest.mark.parametrize(("text", "reason"), [
    ("2024-13", "does not exist"), ("2024年7-9月", "does not start in January"), ("abc", "is not a period"),
    ("2023-02-29", "not a valid date"), (None, "no period"),
])
def test_unparseable_periods_say_why(text, reason):
    with pytest.raises(PeriodError, match=reason):
        parse_period(text)


def test_arithmetic():
    assert parse_period("2024Q1").previous() == Period("Q", 2023, 4)
    assert parse_period("2024-01").year_ago().label == "2023-01"
    assert parse_period("2024年1-9月").previous().label == "2024-01..08"
    assert parse_period("2024年1-1月").previous() is None
    assert parse_period("2024-02-29").year_ago().label == "2023-02-28"
    assert [p.label for p in between(parse_period("2023-11"), parse_period("2024-02"))] == [
        "2023-11", "2023-12", "2024-01", "2024-02"]


def test_mapping_frame_keeps_errors():
    frame = mapping_frame(["2024-09", "x"]).set_index("raw")
    assert frame.loc["2024-09", "year_ago"] == "2023-09"
    assert "is not a period" in frame.loc["x", "error"]


@given(st.text(max_size=20))
def test_parser_never_crashes(text):
    period, error = try_parse(text)
    assert (period is None) != (error is None)


@given(st.sampled_from("AQMD"), st.integers(1000, 9999), st.integers(0, 365))
def test_ordinal_roundtrip(freq, year, offset):
    per_year = {"A": 1, "Q": 4, "M": 12}
    # a day of 9999 plus up to 365 days would pass date.max, the last day a Period can hold
    day = min(date(year, 1, 1).toordinal() + offset, date.max.toordinal())
    n = day if freq == "D" else year * per_year[freq] + offset % per_year[freq]
    period = Period.from_ordinal(freq, n)
    assert period.ordinal == n
    assert parse_period(period.label) == period
