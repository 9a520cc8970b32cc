"""Numbers as people write them (statguard.numbers) in every report format but JSON.

tests/golden_reports/numbers.json is a report whose figures carry binary noise (5.7 + 4.0 is
9.700000000000001), large figures and counts (1,234,417; 123,456 items) and percentages derived
by division (100 * 72 / 99). Its golden outputs are under tests/golden_reports/expected/numbers.*;
regenerate with STATGUARD_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from statguard import numbers
from statguard.report.model import Report
from statguard.report.views import display, labels
from statguard.report.writers import render

HERE = Path(__file__).parent / "golden_reports"
UPDATE = os.environ.get("STATGUARD_UPDATE_GOLDEN") == "1"
NOISE = ["9.700000000000001", "-0.04999999999999", "72.72727272727", "27.27272727272"]


@pytest.fixture
def report() -> Report:
    return Report.from_json(HERE / "numbers.json")


def golden(name: str, actual: str) -> None:
    path = HERE / "expected" / name
    if UPDATE:
        path.write_bytes(actual.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == actual, f"{name} differs (STATGUARD_UPDATE_GOLDEN=1 to regenerate)"


# -- the rules, one by one -----------------------------------------------------

@pytest.mark.parametrize("value,shown", [
    (5.7 + 4.0, "9.7"), (0.1 + 0.2, "0.3"), (1.1 * 1.1, "1.21"),  # binary noise goes
    (150.0, "150"), (-0.0, "0"), (12.95, "12.95"), (2.675, "2.675"),  # reported decimals kept, no zeros added
    (72.3456789, "72.35"), (0.000123456, "0.0001235"),  # derived: 4 significant digits, at least 2 decimals
    (1.2e-07, "1.2e-07"),  # tiny: not a row of zeros
    (1234567.8, "1,234,567.8"), (-1234567.0, "-1,234,567"), (12345.0, "12,345"),
    (4417.0, "4417"),  # four digits: no separator (years, codes)
    (12.05 + 8.03 - 20.1, "-0.02"), (3.4600000000001, "3.46"),  # noise the 14 digits keep: no zeros added either
])
def test_text_of_a_float(value, shown):
    assert numbers.text(value) == shown
    assert display(value) == shown


def test_decimals_a_figure_was_reported_with():
    assert [numbers.decimals(x) for x in (46, 46.0, 12.95, 9.700000000000001, 1.5e-7)] == [0, 0, 2, 1, 8]
    assert [numbers.decimals(x) for x in ("1,661.44", "46%", "1200", "x", None, True)] == [2, 0, 0, None, None, None]
    # the most among an item's values; a ratio (more than 4 decimals) is not a reported figure
    assert numbers.item_decimals({"part": 5.7, "total": 12.95, "share": 54}) == 2
    assert numbers.item_decimals({"z": 0.123456789, "value": 1200}) == 0
    assert numbers.item_decimals({"versions": [34, 36.5, 41]}) == 1
    assert numbers.item_decimals({"name": "东区"}) is None and numbers.item_decimals({}) is None


def test_figures_take_the_decimals_of_their_inputs():
    values = {"awaiting": 5.7, "idle": 4.0, "total": 9.75}
    assert numbers.figure(5.7 + 4.0, "observed", "row", values) == "9.7"
    assert numbers.figure(5.7 + 4.0 - 9.75, "imbalance", "row", values) == "-0.05"  # cancellation noise
    # more decimals than the inputs: derived by division, shown with 4 significant digits
    assert numbers.figure(100 * 72 / 99, "expected", "row", {"matched": 72, "total": 99}) == "72.73"
    assert numbers.figure(1 / 3, "observed", "row", {"a": 1.25}) == "0.3333"
    # rounding is half away from zero on the written number (binary 48.915 is 48.91499...)
    assert f"{48.915:.2f}" == "48.91" and numbers.text(48.915, known=1) == "48.92"
    assert numbers.rounded(48.915, known=1) == 48.92 and numbers.rounded(5.7 + 4.0, 1) == 9.7


def test_percentages_where_the_kind_says_so():
    assert numbers.figure(72.5, "observed", "coverage") == "72.5%"
    assert numbers.figure(27.5, "imbalance", "coverage") == "27.5"  # points, not percent
    assert numbers.figure(13.75, "expected", "growth") == "13.75%"
    assert numbers.figure(1.5, "outside_pct", "benchmark") == "1.5%"
    assert numbers.figure(72.5, "observed", "row") == "72.5"
    shown = numbers.figures_text({"claimed_rate": 100.0, "matched": 72}, "coverage", "zh")
    assert shown == "上报比率 100%；核实人数 72"  # statguard's own figure names in the reader's language (issue 15)
    english = numbers.figures_text({"claimed_rate": 100.0, "matched": 72}, "coverage", "en")
    assert english == "claimed_rate 100%; matched 72"


def test_figure_names_are_translated_only_when_the_kind_gives_them():
    # a part_whole rule's columns are the user's, even one called "total"; coverage's "total" is statguard's
    assert numbers.figures_text({"part": 5.7, "total": 12.95}, "part_whole", "zh") == "part 5.7；total 12.95"
    assert numbers.figures_text({"part": 5.7, "total": 12.95, "tolerance": 0.1}, "part_whole", "zh") == \
        "part 5.7；total 12.95；容差 0.1"
    assert numbers.figures_text({"营业收入": 12.0, "total": 3}, "coverage", "zh") == "营业收入 12；总数 3"
    assert numbers.figures_text({"implied_by_商业面积": 2.5}, "benchmark", "zh") == "按商业面积推算 2.5"


def test_counts_and_labels():
    assert [numbers.count(n) for n in (0, 2024, 12345, 100000)] == ["0", "2024", "12,345", "100,000"]
    assert display(110101) == "110101"  # whole numbers may be codes: never grouped
    assert list(labels(pd.Series([110101.0, 2.5], dtype=object))) == ["110101", "2.5"]  # a unit code read as float
    assert display(pd.Timestamp("2024-01-01")) == "2024-01-01"
    assert display(pd.Timestamp("2024-01-01 08:30")) == "2024-01-01 08:30:00"
    assert display({"a": 0.1 + 0.2, "b": [1.1 * 1.1]}) == '{"a":0.3,"b":[1.21]}'


# -- every format ---------------------------------------------------------------

@pytest.mark.parametrize("fmt,name,lang", [("csv", "numbers.csv", None), ("text", "numbers.zh.txt", "zh"),
                                           ("markdown", "numbers.en.md", "en")])
def test_golden(report, fmt, name, lang):
    golden(name, render(report, fmt, lang))


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "junit"])
def test_no_binary_noise_in_any_text_format(report, fmt):
    out = render(report, fmt, "zh")
    assert not [n for n in NOISE if n in out]


def test_csv_figures_are_rounded_and_machine_readable(report):
    import csv
    rows = list(csv.DictReader(io.StringIO(render(report, "csv").lstrip("\ufeff"))))
    assert [(r["observed"], r["expected"], r["imbalance"]) for r in rows[:3]] == [
        ("9.7", "9.75", "-0.05"), ("1234417", "1234400", "17"), ("100", "72.73", "27.27")]
    assert json.loads(rows[2]["values"])["verified_rate"] == 72.73


def test_json_keeps_full_precision(report):
    data = json.loads(render(report, "json"))
    assert data["violations"][0]["observed"] == 5.7 + 4.0 and data["violations"][2]["expected"] == 100 * 72 / 99


def test_xlsx_cells_hold_the_numbers_shown(report):
    openpyxl = pytest.importorskip("openpyxl")
    data = render(report, "xlsx", "zh")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        xml = b"".join(book.read(n) for n in book.namelist()).decode("utf-8")
    assert not [n for n in NOISE if n in xml]
    ws = openpyxl.load_workbook(io.BytesIO(data))["问题明细"]
    cells = {r[0].row: r for r in ws.iter_rows(min_row=2)}
    header = [c.value for c in ws[1]]
    observed, expected, imbalance, values = (header.index(h) for h in ("实际值", "参照值", "差额", "相关数值"))
    assert (cells[2][observed].value, cells[2][observed].number_format) == (9.7, "#,##0.0")
    assert (cells[2][imbalance].value, cells[2][imbalance].number_format) == (-0.05, "#,##0.00")
    assert (cells[3][observed].value, cells[3][observed].number_format) == (1234417, "#,##0")
    assert (cells[4][expected].value, cells[4][expected].number_format) == (0.7273, "0.00%")  # 72.73%
    assert (cells[4][imbalance].value, cells[4][imbalance].number_format) == (27.27, "#,##0.00")
    assert cells[4][values].value == "上报比率 100%；核实比率 72.73%；核实人数 72；总数 99；差距 27.27"
    assert cells[3][values].value == "awaiting 1,234,000；idle 417；total 1,234,400"


def test_decimal_columns_in_every_format(tmp_path):
    """A DECIMAL column (PostgreSQL numeric(p,s), a Parquet decimal) reaches the schema kind's
    violations as Decimal values; every format writes them (the CSV report once stopped with a
    traceback and exit code 1: Decimal is not JSON serializable)."""
    import csv

    import duckdb

    from statguard.cli.main import main
    duckdb.sql(f"""COPY (SELECT * FROM (VALUES ('A', 10.50::DECIMAL(12,2)), ('B', -3.00::DECIMAL(12,2)))
                   t(unit, amount)) TO '{tmp_path / "d.parquet"}'""")
    (tmp_path / "p.yml").write_text("pack: {name: dec}\nsources:\n  d: {path: d.parquet, unit: unit, "
                                    "columns: {amount: {type: number, min: 0}}}\n"
                                    "rules:\n  - {id: S, kind: schema, source: d}\n", encoding="utf-8")
    names = {"text": "r.txt", "json": "r.json", "html": "r.html", "xlsx": "r.xlsx", "junit": "r.xml",
             "markdown": "r.md", "csv": "r.csv"}
    args = [a for fmt, name in names.items() for a in ("-f", fmt, "-o", str(tmp_path / name))]
    assert main(["check", str(tmp_path / "p.yml"), *args]) == 1
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8-sig"))))
    assert [(r["unit"], json.loads(r["values"])["amount"]) for r in rows] == [("B", -3.0)]
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["violations"][0]["values"]["amount"] == -3.0
