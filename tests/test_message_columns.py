"""Rendering a message template column-wise gives exactly what rendering it row by row gives."""

from __future__ import annotations

import math

import pytest

from statguard.templates import render, render_columns

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


def test_generic_messages_leave_out_figures_an_item_does_not_have(tmp_path):
    """An item without observed/expected values (a claim with no matching record) reads
    "<description>: <detail>", never "expected NA"."""
    import pandas as pd

    import statguard
    (tmp_path / "p.yml").write_text(
        "sources:\n  c: {unit: u, columns: {p: string, u: string}}\n  i: {columns: {p: string}}\n"
        "rules:\n  - {id: E, kind: exists, source: c, other: i, match: [p], description: 有记录}\n",
        encoding="utf-8")
    report = statguard.load_pack(tmp_path / "p.yml").validate(
        {"c": pd.DataFrame({"p": ["1", "2"], "u": ["A", "B"]}), "i": pd.DataFrame({"p": ["1"]})})
    (message,) = report.violations["message"]
    assert message == "有记录: no matching record in 'i'"


def test_numbers_read_as_people_write_them():
    """No binary noise, thousands separators in figures; a code or year in a key stays as written (issue 15)."""
    values = {"observed": 0.1 + 9.6, "expected": 1234567.5, "imbalance": 12000, "code": 110101, "year": 2024}
    template = "{code} {year}: {observed} vs {expected} ({imbalance})"
    assert render(template, values) == "110101 2024: 9.7 vs 1,234,567.5 (12,000)"
    assert render_columns(template, {k: [v] for k, v in values.items()}, 1) == [render(template, values)]
