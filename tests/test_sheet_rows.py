"""The record a report names is found where Excel shows it: for a workbook's sheet the key `row`
(行号) is the sheet's row, past title rows, a header over several rows, skipped rows (栏次) and
blank rows among the data; for a CSV file it stays the record number (the first record is 1).

The .xlsx files are written here with openpyxl; .xls, .et and .ods are the fixtures of
tests/data/spreadsheets (make_fixtures.py lists their cells). The rows expected are counted by
hand in the sheets as written.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import statguard

FIXTURES = Path(__file__).parent / "data" / "spreadsheets"

PACK = """\
pack: {{name: 行号, lang: zh}}
sources:
  t:
    path: {path}
{layout}    columns: {{单位: string, 产值_本年: integer, 产值_上年: integer}}
rules:
  - {{id: 结构, kind: schema, source: t}}
  - {{id: 增长, kind: row, source: t, expr: 产值_本年 >= 产值_上年}}
"""
LAYOUT = "    header: [3, 4]\n    skip: 1\n"


def _book(path: Path) -> None:
    """A title over two rows, a header over rows 3-4 (产值 merged over 本年/上年), column numbers in
    row 5, records in rows 6, 8 and 9 with row 7 blank: 西城's 上年 'xxx' in row 8, 南湖 in row 9
    failing 产值_本年 >= 产值_上年."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2024年 某某报表"])
    ws.append(["填报单位：xx"])
    ws.append(["单位", "产值", None])
    ws.append([None, "本年", "上年"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:C3")
    ws.append(["甲", "1", "2"])
    ws.append(["东城", 10, 5])
    ws.append([])
    ws.append(["西城", 3, "xxx"])
    ws.append(["南湖", 1, 9])
    book.save(path)


def _rows(report: statguard.Report) -> list[tuple[str, object]]:
    return [(v["rule_id"], v["keys"].get("row")) for v in report.violations.to_dict("records")]


def _validate(tmp_path: Path, path: str, layout: str = LAYOUT, **options: object) -> statguard.Report:
    (tmp_path / "pack.yml").write_text(PACK.format(path=path, layout=layout), encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "pack.yml")
    return pack.validate(options=options) if options else pack.validate()


def test_rows_of_a_sheet_are_the_rows_excel_shows(tmp_path):
    _book(tmp_path / "t.xlsx")
    report = _validate(tmp_path, "t.xlsx", lacking=True)
    # 'xxx' in row 8 (not record 2); 南湖 in row 9 (not record 3)
    assert _rows(report) == [("结构", 8), ("增长", 9)]
    # 西城's 产值_上年 cannot be read as a number: the item not evaluable is in row 8 too
    assert [r["keys"].get("row") for r in report.lacking_records()] == [8]


def test_fields_to_fix_find_the_record_by_its_sheet_row(tmp_path):
    """fields_to_fix reads the violating record again by its key: the sheet row it is named by."""
    _book(tmp_path / "t.xlsx")
    report = _validate(tmp_path, "t.xlsx", fields_to_fix=True)
    fixes = {v["rule_id"]: (v["keys"]["row"], v["fields_to_fix"]) for v in report.violations.to_dict("records")}
    assert fixes["增长"] == (9, ["产值_本年"])  # 南湖 1 < 9 in row 9: one of its two fields to change


def test_header_of_one_row_without_skip(tmp_path):
    """Header in row 4 (a title and a blank row above it), no 栏次 row: the 'xxx' record in row 6."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2024年 某某报表"])
    ws.append([])
    ws.append([])
    ws.append(["单位", "产值_本年", "产值_上年"])
    ws.append(["东城", 10, 5])
    ws.append(["西城", 3, "xxx"])
    book.save(tmp_path / "t.xlsx")
    assert _rows(_validate(tmp_path, "t.xlsx", layout="    header: 4\n")) == [("结构", 6)]


def test_csv_records_keep_their_numbers(tmp_path):
    """A text file's records are numbered from 1 as before (the line after the header is record 1)."""
    (tmp_path / "t.csv").write_text("单位,产值_本年,产值_上年\n东城,10,5\n西城,3,xxx\n南湖,1,9\n", encoding="utf-8")
    assert _rows(_validate(tmp_path, "t.csv", layout="")) == [("结构", 2), ("增长", 3)]


@pytest.mark.parametrize("name", ["book.xls", "book.et", "book.ods"])
def test_rows_of_xls_et_and_ods(tmp_path, name):
    """The fixtures' 表1: a title row, 产值 merged over 本年/上年 in rows 2-3, column numbers in row 4,
    records in rows 5-7; the #DIV/0! of 产值_本年 stands in row 6."""
    (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    (tmp_path / "pack.yml").write_text(f"""pack: {{name: 表格}}
sources:
  t: {{path: {name}, sheet: 表1, header: [2, 3], skip: 1, columns: {{产值_本年: number}}}}
rules:
  - {{id: SCHEMA, kind: schema, source: t}}
""", encoding="utf-8")
    report = statguard.load_pack(tmp_path / "pack.yml").validate()
    assert _rows(report) == [("SCHEMA", 6)]


def test_every_report_format_shows_the_sheet_row(tmp_path):
    """The county's row as the clerk reads it in the terminal and in the xlsx report's 问题明细."""
    _book(tmp_path / "t.xlsx")
    (tmp_path / "pack.yml").write_text(PACK.format(path="t.xlsx", layout=LAYOUT), encoding="utf-8")
    run = [sys.executable, "-m", "statguard", "check", "pack.yml"]
    text = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "结构 行号 8：字段「产值_上年」：填报值 xxx" in text.stdout, text.stdout + text.stderr
    assert "增长 行号 9：" in text.stdout
    subprocess.run([*run, "-f", "xlsx", "-o", "r.xlsx"], cwd=tmp_path, capture_output=True, timeout=120)
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["问题明细"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("行号")
    assert [r[column] for r in rows[1:]] == [8, 9]


def test_explanations_in_the_data_name_the_sheet_row(tmp_path):
    """A stale explanation in the data (西城's record passes) says where its cell is: row 4."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["报表"])
    ws.append(["单位", "本年", "上年", "说明"])
    ws.append(["东城", 10, 5, None])
    ws.append(["西城", 9, 5, "已核实"])
    book.save(tmp_path / "t.xlsx")
    (tmp_path / "pack.yml").write_text("""pack: {name: 说明}
sources:
  t: {path: t.xlsx, header: 2, unit: 单位}
rules:
  - {id: R, kind: row, source: t, expr: 本年 >= 上年, severity: warning, explanation: {from_data: 说明}}
""", encoding="utf-8")
    report = statguard.load_pack(tmp_path / "pack.yml").validate()
    stale = [m for m in report.violations["message"] if "row" in m]
    assert len(stale) == 1 and "source 't' row 4 column '说明'" in stale[0], list(report.violations["message"])
