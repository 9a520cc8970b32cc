"""Rendering a message template column-wise gives exactly what rendering it row by row gives."""

from __future__ import annotations

import math

import pytest

from statguard.report.messages import render, render_columns

COLUMNS = {
    "unit": ["东区", None, "西区", "x{y}", ""],
    "observed": [1, 2.5, None, float("nan"), 10 ** 20],
    "expected": [0.1 + 0.2, -3, 1e-12, True, "text"],
    "rate": [96.25, 100.0, math.inf, None, 0.5],
}
TEMPLATES = [
    "{unit}: {observed} vs {expected}",
    "{unit} 核实率 {rate:.1f}% (声明 {expected:.2f})",   # a spec that fails on text falls back to str
    "literal {{braces}} and {unknown} placeholder, {rate:>8.3f}|",
    "no placeholders at all",
    "{observed:,}{unit}{observed:d}",
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_columns_render_as_rows(template):
    n = len(COLUMNS["unit"])
    rows = [render(template, {k: v[i] for k, v in COLUMNS.items()}) for i in range(n)]
    assert render_columns(template, COLUMNS, n) == rows


def test_missing_values_read_na_and_unknown_names_stay():
    out = render_columns("{unit}/{observed}/{nope}", {"unit": [None], "observed": [float("nan")]}, 1)
    assert out == ["NA/NA/{nope}"]
