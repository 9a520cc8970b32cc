"""Real office workbooks: codes kept as text, error cells as findings, serial dates, title rows,
merged headers, the sheet chosen in the pack or on the command line, .xls/.et/.ods.

The .xlsx files are written here with openpyxl; the .xls, .et and .ods fixtures come from
tests/data/spreadsheets/make_fixtures.py (their content is listed there). Expectations are
what the workbooks show, written out by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import statguard
from statguard.engine.duckdb import DuckDBEngine

FIXTURES = Path(__file__).parent / "data" / "spreadsheets"

PACK = """\
pack: {{name: 表格}}
sources:
  t:
    path: {path}
{layout}    keys: [代码]
    columns:
      代码: {{type: string, pattern: '^[0-9]{{6}}$'}}
      {value}: {{type: number, min: 0}}
      日期: {{type: date}}
rules:
  - {{id: SCHEMA, kind: schema, source: t, unique_keys: false}}
  - {{id: POSITIVE, kind: row, source: t, expr: "{value} > 0"}}
"""
TWO_ROW_LAYOUT = "    sheet: 表1\n    header: [2, 3]\n    skip: 1\n"


def _office_book(path: Path) -> None:
    """The fixtures' 表1 as .xlsx: title row, 产值 merged over 本年/上年, column numbers, three records."""
    book = openpyxl.Workbook()
    book.active.title = "封面"
    book.active.append(["说明"])
    ws = book.create_sheet("表1")
    ws.append(["2024年 工业企业报表"])
    ws.append(["代码", "产值", None, "日期", "名称"])
    ws.append([None, "本年", "上年"])
    ws.append(["甲", "1", "2", "3", "乙"])
    for cells in ("A1:E1", "A2:A3", "B2:C2", "D2:D3", "E2:E3"):
        ws.merge_cells(cells)
    ws.append(["001234", 10, 8, dt.date(2024, 1, 31), "甲"])
    ws.append([1234, "#DIV/0!", 7, 45322, "乙"])  # openpyxl writes '#DIV/0!' as an error cell
    ws.cell(row=6, column=1).number_format = "000000"
    ws.append(["012345", 30.5, 9, "2024-02-01", "丙"])
    book.save(path)


def _columns(path: Path, layout: str = TWO_ROW_LAYOUT, value: str = "产值_本年") -> dict[str, list]:
    """The raw view of source t as read from `path`: column -> values in order."""
    pack_file = path.parent / "pack.yml"
    pack_file.write_text(PACK.format(path=path.name, layout=layout, value=value), encoding="utf-8")
    pack = statguard.load_pack(pack_file)
    with DuckDBEngine() as engine:
        engine.bind(pack.sources["t"], None)
        cursor = engine.con.execute('SELECT * FROM "raw:t"')
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    return {n: [r[i] for r in rows] for i, n in enumerate(names)}


# the three records of every fixture, as the sheet shows them
EXPECTED = {"代码": ["001234", "001234", "012345"], "产值_本年": ["10", "#DIV/0!", "30.5"], "产值_上年": [8, 7, 9],
            "日期": ["2024-01-31", "2024-01-31", "2024-02-01"], "名称": ["甲", "乙", "丙"]}


def test_xlsx_codes_errors_dates_and_merged_header(tmp_path):
    _office_book(tmp_path / "book.xlsx")
    assert _columns(tmp_path / "book.xlsx") == EXPECTED


@pytest.mark.parametrize("name", ["book.xls", "book.et"])
def test_xls_and_wps_et(tmp_path, name):
    (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    assert _columns(tmp_path / name) == EXPECTED


def test_ods(tmp_path):
    (tmp_path / "book.ods").write_bytes((FIXTURES / "book.ods").read_bytes())
    # OpenDocument has no zero-padding number format: the number 1234 is read as the number it is
    assert _columns(tmp_path / "book.ods") == {**EXPECTED, "代码": ["001234", "1234", "012345"]}


def test_findings_from_error_cells_and_codes(tmp_path):
    _office_book(tmp_path / "book.xlsx")
    _columns(tmp_path / "book.xlsx")  # writes pack.yml
    report = statguard.load_pack(tmp_path / "pack.yml").validate()
    found = report.violations
    schema = found[found["rule_id"] == "SCHEMA"]
    # the error cell is the only schema finding: the codes match ^[0-9]{6}$, the dates are dates
    assert [(c["keys"]["column"], c["observed"]) for _, c in schema.iterrows()] == [("产值_本年", "#DIV/0!")]
    counts = next(r for r in report.rules() if r["rule_id"] == "POSITIVE")
    # 10 > 0 and 30.5 > 0 pass; #DIV/0! is not a number: not evaluable, never a silent 0
    assert counts["fails"] == 0 and counts["not_evaluable"] == 1


def test_single_header_row_merged_over_columns_is_numbered(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["代码", "产值", None, None, "日期"])
    ws.merge_cells("B1:D1")
    ws.append(["000001", 1, 2, 3, dt.date(2024, 1, 1)])
    ws.append(["000002", 4, 5, 6, 45000.5])  # a serial date with a time of day
    book.save(tmp_path / "b.xlsx")
    columns = _columns(tmp_path / "b.xlsx", layout="", value="产值_1")
    assert list(columns) == ["代码", "产值_1", "产值_2", "产值_3", "日期"]
    assert columns["产值_3"] == [3, 6]
    assert columns["日期"] == [dt.datetime(2024, 1, 1), dt.datetime(2023, 3, 15, 12, 0)]


def test_header_names_repeated_without_a_merge_are_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["代码", "产值", "产值"])
    book.active.append(["000001", 1, 2])
    book.save(tmp_path / "b.xlsx")
    with pytest.raises(statguard.SourceError, match="columns B and C of the header are both named '产值'"):
        _columns(tmp_path / "b.xlsx", layout="", value="产值")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "statguard", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def test_sheet_on_the_command_line_and_a_wrong_sheet(tmp_path):
    _office_book(tmp_path / "book.xlsx")
    (tmp_path / "pack.yml").write_text(PACK.format(path="other.xlsx", layout="    header: [2, 3]\n    skip: 1\n",
                                                   value="产值_本年"), encoding="utf-8")
    before = hashlib.sha256((tmp_path / "book.xlsx").read_bytes()).hexdigest()
    good = _cli("check", "pack.yml", "--source", "t=book.xlsx#表1", "-f", "json", cwd=tmp_path)
    assert good.returncode == 1, good.stderr  # the #DIV/0! finding
    assert "#DIV/0!" in good.stdout
    bad = _cli("check", "pack.yml", "--source", "t=book.xlsx#表2", cwd=tmp_path)
    assert bad.returncode == 2
    assert "no sheet '表2'; the workbook has the sheets 封面, 表1" in " ".join((bad.stdout + bad.stderr).split())
    assert hashlib.sha256((tmp_path / "book.xlsx").read_bytes()).hexdigest() == before


def test_header_and_skip_are_validated_in_the_pack(tmp_path):
    (tmp_path / "pack.yml").write_text(PACK.format(path="b.xlsx", layout="    header: 0\n    skip: -1\n",
                                                   value="产值"), encoding="utf-8")
    lint = _cli("lint", "pack.yml", cwd=tmp_path)
    assert lint.returncode == 2
    assert "header must be a row number" in lint.stdout + lint.stderr
    assert "skip must be a number of rows" in lint.stdout + lint.stderr


def test_hundred_thousand_rows_keep_codes_and_error_cells(tmp_path):
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("数据")
    ws.append(["代码", "产值", "日期", "名称", "人数", "比率"])
    for i in range(100_000):
        ws.append([f"{i:06d}", i * 1.5, dt.date(2024, 1, 1) + dt.timedelta(days=i % 365), f"单位{i}", i % 97,
                   "#N/A" if i == 99_999 else i / 7])
    book.save(tmp_path / "big.xlsx")
    columns = _columns(tmp_path / "big.xlsx", layout="", value="产值")  # its speed: docs/spreadsheets.md
    assert len(columns["代码"]) == 100_000 and columns["代码"][42] == "000042"
    assert columns["比率"][-1] == "#N/A" and columns["人数"][96] == 96
