"""Data files that break statguard's promises (issue 18): each is a located SourceError or a
finding, never a traceback; the rules reading other sources still run; exit 0, 1 or 2."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import statguard

GOOD = "id,x\n1,2\n2,3\n"


def _pack(tmp_path: Path, path: str, columns: str = "{id: string, x: number}", extra_rules: str = "") -> Path:
    (tmp_path / "good.csv").write_text(GOOD, encoding="utf-8")
    text = f"""sources:
  bad:
    path: {path}
    keys: [id]
    columns: {columns}
  good:
    path: good.csv
    keys: [id]
    columns: {{id: string, x: number}}
rules:
  - id: BAD
    kind: row
    source: bad
    expr: x >= 0
{extra_rules}  - id: GOOD
    kind: row
    source: good
    expr: x >= 0
"""
    pack = tmp_path / "pack.yml"
    pack.write_text(text, encoding="utf-8")
    return pack


def _check(pack: Path) -> tuple[int, dict[str, dict[str, Any]], str]:
    """Run `statguard check` as a user would: exit code, the summary per rule, everything printed."""
    run = subprocess.run([sys.executable, "-m", "statguard", "check", pack.name, "-f", "json"], cwd=pack.parent,
                         capture_output=True, text=True, timeout=120)
    printed = run.stdout + run.stderr
    assert "Traceback" not in printed, printed
    assert run.returncode in (0, 1, 2), printed
    summary = {row["rule_id"]: row for row in json.loads(run.stdout)["summary"]}
    assert summary["GOOD"]["items"] == 2 and not summary["GOOD"]["errored"], summary  # the others still ran
    return run.returncode, summary, printed


def _unreadable(tmp_path: Path, path: str, *expected: str) -> str:
    code, summary, _ = _check(_pack(tmp_path, path))
    assert code == 2
    error = summary["BAD"]["error"]
    assert summary["BAD"]["errored"] and "source 'bad'" in error and str(tmp_path / path) in error, error
    assert "internal error" not in error
    for text in expected:
        assert text in error, error
    return error


# -- 1. unreadable files: located, the rules reading them errored, the others run, exit 2
def test_source_path_that_is_a_directory(tmp_path):
    (tmp_path / "data.csv").mkdir()
    _unreadable(tmp_path, "data.csv", "is a directory")


def test_corrupt_parquet(tmp_path):
    (tmp_path / "data.parquet").write_bytes(b"PAR1" + b"\x00garbage" * 20 + b"PAR1")
    _unreadable(tmp_path, "data.parquet", "cannot read as Parquet")


@pytest.mark.parametrize("text", ['[{"id": "1", "x": 2}, {"id": ', '{"id": "1", "x": 2}\n{"id": "2", "x": }\n'])
def test_malformed_json(tmp_path, text):
    (tmp_path / "data.json").write_text(text, encoding="utf-8")
    _unreadable(tmp_path, "data.json", "cannot read as JSON", "Malformed JSON")


def test_malformed_json_deep_in_the_file(tmp_path):
    rows = "".join(json.dumps({"id": str(i), "x": i}) + "\n" for i in range(30000))
    (tmp_path / "data.json").write_text(rows + '{"id": "bad", "x": \n', encoding="utf-8")
    _unreadable(tmp_path, "data.json", "cannot read as JSON")


# -- 2. ragged CSV rows: the file and the data line
def test_ragged_csv_row_names_the_line(tmp_path):
    (tmp_path / "data.csv").write_text("id,x\n1,2\n2,3,4\n3\n", encoding="utf-8")
    error = _unreadable(tmp_path, "data.csv", "line 3", "3 fields where the header has 2")
    assert "do not exist" not in error


@pytest.mark.parametrize("bad", ["9,1,2", "9"])
def test_bad_row_deep_in_a_file_names_the_line(tmp_path, bad):
    rows = "".join(f"{i},{i}\n" for i in range(40000))
    (tmp_path / "data.csv").write_text("id,x\n" + rows + bad + "\n" + rows, encoding="utf-8")
    assert (tmp_path / "data.csv").stat().st_size < 64 << 20
    error = _unreadable(tmp_path, "data.csv", "line 40002", f"({bad})")
    assert "sniffing" not in error


# -- 3. empty files, missing columns, the wrong sheet: reported at the data file
def test_blank_data_file(tmp_path):
    (tmp_path / "data.csv").write_text("\n\n", encoding="utf-8")
    error = _unreadable(tmp_path, "data.csv", "line 1", "no header")
    assert "pack.yml" not in error


def test_missing_declared_column_is_reported_at_the_data_file(tmp_path):
    (tmp_path / "data.csv").write_text("id,y\n1,2\n", encoding="utf-8")
    other = "  - id: IDS\n    kind: row\n    source: bad\n    expr: id is not null\n"
    code, summary, _ = _check(_pack(tmp_path, "data.csv", extra_rules=other))
    assert code == 2
    error = summary["BAD"]["error"]
    assert str(tmp_path / "data.csv") in error and "no column 'x'" in error and "its columns: id, y" in error, error
    assert "unknown column" not in error
    assert summary["IDS"]["items"] == 1 and not summary["IDS"]["errored"]  # the source itself is readable


def test_missing_column_stays_a_schema_finding(tmp_path):
    (tmp_path / "data.csv").write_text("id,y\n1,2\n", encoding="utf-8")
    schema = "  - id: SCHEMA\n    kind: schema\n    source: bad\n"
    _, summary, printed = _check(_pack(tmp_path, "data.csv", extra_rules=schema))
    assert not summary["SCHEMA"]["errored"] and summary["SCHEMA"]["fails"] == 1, summary["SCHEMA"]
    assert "required column 'x' is missing" in printed


def test_workbook_whose_first_sheet_is_notes(tmp_path):
    with pd.ExcelWriter(tmp_path / "data.xlsx") as xl:
        pd.DataFrame({"说明": ["本表为封面"]}).to_excel(xl, sheet_name="说明", index=False)
        pd.DataFrame({"id": ["1"], "x": [2]}).to_excel(xl, sheet_name="数据", index=False)
    error = _unreadable(tmp_path, "data.xlsx", "sheet '说明'", "none of the declared columns (id, x)",
                        "its columns: 说明")
    assert "unknown column" not in error


def test_empty_sheet(tmp_path):
    openpyxl.Workbook().save(tmp_path / "data.xlsx")
    _unreadable(tmp_path, "data.xlsx", "is empty")


# -- 4. duplicate headers, impossible dates, mixed Excel columns
def test_duplicate_csv_header_names_both_columns(tmp_path):
    (tmp_path / "data.csv").write_text("id,x,x\n1,2,-3\n", encoding="utf-8")
    _unreadable(tmp_path, "data.csv", "line 1", "columns 2 and 3", "'x'")


def test_duplicate_excel_header_names_both_columns(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["id", "x", "x"])
    book.active.append(["1", 2, -3])
    book.save(tmp_path / "data.xlsx")
    _unreadable(tmp_path, "data.xlsx", "columns B and C", "'x'")


@pytest.mark.parametrize("header,named", [
    ("id,,x,", "B + D"),                      # blank cells are their columns' letters, as in a workbook
    ("id,d,x,", "column_D + d"),              # ... or column_<letter> where a name is that letter in any case
])
def test_blank_csv_header_cells_are_named_by_letter(tmp_path, header, named):
    (tmp_path / "data.csv").write_text(f"{header}\n1,5,2,3\n2,5,2,-9\n", encoding="utf-8")
    rule = f"  - {{id: LETTERS, kind: row, source: bad, expr: '{named} > 0'}}\n"
    pack = _pack(tmp_path, "data.csv", extra_rules=rule)
    code, summary, printed = _check(pack)
    assert code == 1 and "column0" not in printed, printed
    assert (summary["LETTERS"]["passes"], summary["LETTERS"]["fails"]) == (1, 1), summary["LETTERS"]


def test_year_zero_date_is_not_evaluable(tmp_path):
    (tmp_path / "data.csv").write_text("id,x,d\n1,2,0000-01-01\n2,3,1999-01-01\n", encoding="utf-8")
    rule = "  - id: DATE\n    kind: row\n    source: bad\n    expr: d >= '2000-01-01'\n"
    code, summary, printed = _check(_pack(tmp_path, "data.csv", "{id: string, x: number, d: date}", rule))
    assert "internal error" not in printed
    date = summary["DATE"]
    assert code == 1 and not date["errored"], date
    assert (date["items"], date["fails"], date["not_evaluable"]) == (2, 1, 1)


def test_year_zero_in_an_undeclared_date_column(tmp_path):
    (tmp_path / "data.csv").write_text("id,x,d\n1,2,0000-01-01\n2,3,1999-01-01\n", encoding="utf-8")
    rule = "  - id: DATE\n    kind: row\n    source: bad\n    expr: d >= '2000-01-01'\n"
    pack = _pack(tmp_path, "data.csv", extra_rules=rule)
    text = pack.read_text(encoding="utf-8").replace("    columns: {id: string, x: number}\n", "", 1)
    pack.write_text(text, encoding="utf-8")
    code, summary, printed = _check(pack)
    assert "internal error" not in printed
    assert code == 1 and (summary["DATE"]["fails"], summary["DATE"]["not_evaluable"]) == (1, 1), summary["DATE"]


def _mixed_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "报表"
    sheet.append(["id", "x", "d"])
    sheet.append(["1", 2, dt.datetime(2020, 1, 1)])
    sheet.append(["2", 3, 42])
    book.save(path)


def test_excel_column_mixing_dates_and_numbers(tmp_path):
    _mixed_workbook(tmp_path / "data.xlsx")
    rules = ("  - id: DATE\n    kind: row\n    source: bad\n    expr: d >= '2000-01-01'\n"
             "  - id: SCHEMA\n    kind: schema\n    source: bad\n")
    code, summary, printed = _check(_pack(tmp_path, "data.xlsx", "{id: string, x: number, d: date}", rules))
    assert "internal error" not in printed and "Failed to cast" not in printed
    assert code == 1
    assert not summary["DATE"]["errored"] and summary["DATE"]["not_evaluable"] == 1, summary["DATE"]
    assert not summary["SCHEMA"]["errored"] and summary["SCHEMA"]["fails"] == 1
    report = statguard.load_pack(tmp_path / "pack.yml").validate()
    cell = report.violations[report.violations["rule_id"] == "SCHEMA"].iloc[0]
    # the cell: its record (keys), column and value
    assert (str(cell["keys"]["id"]), cell["keys"]["column"], cell["observed"]) == ("2", "d", "42")


# -- 5. paths mean what they say
def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["data[12].csv", "pub?.csv", "a*b.csv", "d[x]/data.csv"])
def test_literal_path_with_glob_characters_reads_exactly_that_file(tmp_path, name):
    target = tmp_path / name
    target.parent.mkdir(exist_ok=True)
    target.write_text("id,x\n1,-5\n", encoding="utf-8")
    for decoy in ("data1.csv", "pubX.csv", "aXb.csv", "dx/data.csv"):  # what DuckDB's globbing would read
        (tmp_path / decoy).parent.mkdir(exist_ok=True)
        (tmp_path / decoy).write_text("id,x\n1,5\n2,6\n", encoding="utf-8")
    before = _digest(target)
    code, summary, _ = _check(_pack(tmp_path, f"'{name}'"))
    assert code == 1 and summary["BAD"]["items"] == 1 and summary["BAD"]["fails"] == 1, summary["BAD"]
    assert _digest(target) == before


@pytest.mark.parametrize("name", ["data[12].csv", "pub?.csv"])
def test_missing_literal_file_is_not_globbed(tmp_path, name):
    (tmp_path / "data1.csv").write_text("id,x\n1,5\n", encoding="utf-8")
    (tmp_path / "pubX.csv").write_text("id,x\n1,5\n", encoding="utf-8")
    _unreadable(tmp_path, f"'{name}'".strip("'"), "file not found")


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_literal_path_for_scanned_formats(tmp_path, fmt):
    frame = pd.DataFrame({"id": ["1"], "x": [-5]})
    decoy = pd.DataFrame({"id": ["1", "2"], "x": [5, 6]})
    for name, data in ((f"data[12].{fmt}", frame), (f"data1.{fmt}", decoy)):
        if fmt == "parquet":
            data.to_parquet(tmp_path / name)
        else:
            data.to_json(tmp_path / name, orient="records", lines=True)
    code, summary, _ = _check(_pack(tmp_path, f"'data[12].{fmt}'"))
    assert code == 1 and summary["BAD"]["items"] == 1, summary["BAD"]


def test_glob_true_reads_every_match(tmp_path):
    for i, x in ((1, -5), (2, 3)):
        (tmp_path / f"data{i}.csv").write_text(f"id,x\n{i},{x}\n", encoding="utf-8")
    pack = statguard.load_pack(_pack(tmp_path, "'data[12].csv'"))
    pack.sources["bad"].glob = True  # the pack's `glob: true` (the loader reads the key)
    row = pack.validate().summary.set_index("rule_id").loc["BAD"]
    assert (row["items"], row["fails"], row["errored"]) == (2, 1, False)
    pack.sources["bad"].path = tmp_path / "none*.csv"
    row = pack.validate().summary.set_index("rule_id").loc["BAD"]
    assert row["errored"] and "no file matches" in row["error"]


def test_a_pattern_read_literally_says_how_to_read_it_as_one(tmp_path):
    """`-s claims=dir/*.parquet` on a source without `glob: true`: the literal file is missing, but
    the pattern matches files; the error says so instead of a bare "file not found"."""
    for i, x in ((1, -5), (2, 3)):
        (tmp_path / f"data{i}.csv").write_text(f"id,x\n{i},{x}\n", encoding="utf-8")
    pack = statguard.load_pack(_pack(tmp_path, "'data*.csv'"))
    row = pack.validate().summary.set_index("rule_id").loc["BAD"]
    assert row["errored"] and "as a pattern it would match 2 file(s): give the source 'glob: true'" in row["error"]
    pack.sources["bad"].path = tmp_path / "none*.csv"  # matching nothing: the plain message
    row = pack.validate().summary.set_index("rule_id").loc["BAD"]
    assert row["errored"] and row["error"].endswith("file not found")
