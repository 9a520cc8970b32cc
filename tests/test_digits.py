"""The digits kind beyond its golden cases: expected distributions, and its chart in the HTML report."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

import statguard
from statguard.checks.plausibility.digits import chance_mad, expected
from statguard.report.html import render_html


@pytest.mark.parametrize("test", ["first", "second", "first_two", "last"])
def test_expected_distributions_are_distributions(test):
    labels, probs = expected(test)
    assert len(labels) == len(probs) == {"first": 9, "second": 10, "first_two": 90, "last": 10}[test]
    assert math.isclose(sum(probs), 1.0, abs_tol=1e-12)


def test_second_digit_law_matches_the_published_table():
    # Nigrini (2012), table 5.1: second digit 0 = 0.11968, 9 = 0.08500
    _, probs = expected("second")
    assert round(probs[0], 5) == 0.11968 and round(probs[9], 5) == 0.08500


def test_mad_by_chance_for_a_units_first_digits():
    # about 0.011 at n = 480 (20 series over 24 months): an honest unit's MAD, near 'acceptable' (0.012)
    assert 0.0100 < chance_mad(expected("first")[1]) / math.sqrt(480) < 0.0115


def _report(tmp_path, units: int, invented: bool = True):
    rows = []
    for u in range(units):
        for i in range(90):  # invented: evenly spread first digits; else log-uniform values, which follow Benford
            # (invented over three orders of magnitude: Benford's law is expected of such a spread, see min_orders)
            value = (i % 9 + 1) * 10 ** (i % 3 + 1) + i % 7 if invented else round(10 ** (1 + 3 * i / 90), 2)
            rows.append({"unit": f"单位{u:02d}", "month": f"2024-{i % 12 + 1:02d}", "value": value})
    pack = {"sources": {"figures": {"unit": "unit", "period": "month",
                                    "columns": {"unit": "string", "month": "string", "value": "number"}}},
            "rules": [{"id": "DG", "kind": "digits", "source": "figures"}]}
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    return statguard.load_pack(path).validate({"figures": pd.DataFrame(rows)})


def test_html_report_draws_observed_against_expected_digits(tmp_path):
    report = _report(tmp_path, 2)
    assert len(report.violations) == 2
    page = render_html(report, "en")
    start = page.index('id="chart-digit-tests"')
    chart = page[start:page.index("</figure>", start)]
    assert chart.count("<svg") == 2 and chart.count('class="benford"') >= 2
    assert "DG · 单位00" in chart and "observed" in chart and "expected" in chart
    assert "1: observed 11.1%, expected 30.1%" in chart
    assert "数字检验" in render_html(report, "zh")


def test_html_report_caps_the_digit_charts(tmp_path):
    page = render_html(_report(tmp_path, 14), "en")
    start = page.index('id="chart-digit-tests"')
    chart = page[start:page.index("</figure>", start)]
    assert chart.count("<svg") == 12 and "the 12 of 14 worst shown" in chart


def test_no_digit_chart_without_digit_violations(tmp_path):
    report = _report(tmp_path, 2, invented=False)
    assert report.summary["passes"].tolist() == [2]
    assert "chart-digit-tests" not in render_html(report, "en")
