"""Reading sources: encodings, Excel, Parquet, empty and missing files; data never modified."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

import statguard
from statguard.engine.readers import detect_encoding
from statguard.errors import SourceError

PACK = """
sources:
  inv:
    keys: [单位]
    unit: 单位
    columns:
      单位: string
      制造业: number
      服务业: number
      总投资: number
rules:
  - id: PARTS
    kind: row
    source: inv
    expr: 制造业 + 服务业 <= 总投资
"""
ROWS = "单位,制造业,服务业,总投资\n东区,766.41,855.53,1661.44\n西区,700,1000,1661.44\n"


@pytest.fixture
def pack(tmp_path: Path) -> statguard.Pack:
    (tmp_path / "pack.yml").write_text(PACK, encoding="utf-8")
    return statguard.load_pack(tmp_path / "pack.yml")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_findings(report: statguard.Report) -> None:
    assert not report.summary.loc[0, "errored"], report.summary.loc[0, "error"]
    assert report.summary.loc[0, "items"] == 2
    assert list(report.violations["unit"]) == ["西区"]
    assert report.violations.loc[0, "imbalance"] == pytest.approx(38.56)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected_and_file_is_untouched(pack, tmp_path, encoding):
    path = tmp_path / "inv.csv"
    path.write_bytes(ROWS.encode(encoding))
    before = _digest(path)
    _check_findings(pack.validate({"inv": path}))
    assert _digest(path) == before


def test_detect_encoding_names():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.csv"
        p.write_bytes(ROWS.encode("gbk"))
        assert detect_encoding(p) == "gb18030"
        p.write_bytes(ROWS.encode("utf-8-sig"))
        assert detect_encoding(p) == "utf-8-sig"


def test_excel_with_chinese_headers_and_sheet(pack, tmp_path):
    path = tmp_path / "inv.xlsx"
    frame = pd.read_csv(pd.io.common.StringIO(ROWS))
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"说明": ["封面"]}).to_excel(xl, sheet_name="封面", index=False)
        frame.to_excel(xl, sheet_name="投资", index=False)
    pack.sources["inv"].sheet = "投资"
    _check_findings(pack.validate({"inv": path}))


def test_missing_sheet_is_a_source_error(pack, tmp_path):
    path = tmp_path / "inv.xlsx"
    pd.read_csv(pd.io.common.StringIO(ROWS)).to_excel(path, sheet_name="投资", index=False)
    pack.sources["inv"].sheet = "不存在"
    report = pack.validate({"inv": path})
    assert report.summary.loc[0, "errored"]
    assert "不存在" in report.summary.loc[0, "error"] and "inv.xlsx" in report.summary.loc[0, "error"]


def test_parquet_and_dataframe(pack, tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(ROWS))
    path = tmp_path / "inv.parquet"
    frame.to_parquet(path)
    _check_findings(pack.validate({"inv": path}))
    copy = frame.copy()
    _check_findings(pack.validate({"inv": frame}))
    pd.testing.assert_frame_equal(frame, copy)


def test_empty_file_names_the_file(pack, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    report = pack.validate({"inv": path})
    assert report.summary.loc[0, "errored"]
    assert "empty.csv" in report.summary.loc[0, "error"] and "empty" in report.summary.loc[0, "error"]


def test_undecodable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,2\n" + bytes([0x81, 0x20, 0xFF, 0xFE]) + b"\n")
    with pytest.raises(SourceError, match="line 3"):
        detect_encoding(path)


def test_missing_file_and_header_only(pack, tmp_path):
    report = pack.validate({"inv": tmp_path / "nope.csv"})
    assert "not found" in report.summary.loc[0, "error"]
    header = tmp_path / "header.csv"
    header.write_text("单位,制造业,服务业,总投资\n", encoding="utf-8")
    report = pack.validate({"inv": header})
    assert not report.summary.loc[0, "errored"] and report.summary.loc[0, "items"] == 0


def test_text_in_a_number_column_is_not_evaluable_not_a_crash(pack, tmp_path):
    path = tmp_path / "inv.csv"
    path.write_text(ROWS + "北区,xxx,1,2\n", encoding="utf-8")
    row = pack.validate({"inv": path}).summary.iloc[0]
    assert (row["items"], row["fails"], row["not_evaluable"], row["errored"]) == (3, 1, 1, False)


def test_nan_and_infinity_leave_an_item_not_evaluable_whatever_reads_the_file(pack, tmp_path):
    """'NaN' and 'inf' in a CSV are no figures: the row rule's item is not evaluable, as it is when
    the same file comes as a DataFrame or a Parquet file (it failed, '2 vs NA', from the CSV)."""
    path = tmp_path / "inv.csv"
    path.write_text(ROWS + "北区,NaN,1,2\n南区,inf,0,inf\n", encoding="utf-8")
    frame = pd.read_csv(path)
    frame.to_parquet(tmp_path / "inv.parquet")
    for data in (path, frame, tmp_path / "inv.parquet"):
        row = pack.validate({"inv": data}).summary.iloc[0]
        assert (row["items"], row["fails"], row["not_evaluable"]) == (4, 1, 2), data


def test_source_declared_path_is_relative_to_the_pack(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "inv.csv").write_text(ROWS, encoding="utf-8")
    (tmp_path / "pack.yml").write_text(PACK.replace("    keys: [单位]", "    path: data/inv.csv\n    keys: [单位]"),
                                       encoding="utf-8")
    _check_findings(statguard.load_pack(tmp_path / "pack.yml").validate())


def test_undeclared_source_name_is_refused(pack):
    with pytest.raises(statguard.StatguardError, match="undeclared source"):
        pack.validate({"nope": pd.DataFrame()})


def test_rule_failing_on_the_data_names_its_file_and_line(tmp_path):
    (tmp_path / "t.csv").write_text("单位,值\n甲,1\n乙,-2\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("sources:\n  t:\n    path: t.csv\n    keys: [单位]\nrules:\n"
                                    "  - {id: TYPE, kind: row, source: t, expr: 单位 + 1 > 0}\n"
                                    "  - {id: OK, kind: row, source: t, expr: 值 >= 0}\n", encoding="utf-8")
    rows = statguard.load_pack(tmp_path / "p.yml").validate().summary.set_index("rule_id")
    assert rows.loc["TYPE", "errored"]
    assert rows.loc["TYPE", "error"].startswith(
        f"{tmp_path / 'p.yml'}:6: cannot evaluate rule 'TYPE': + does not take a text value and a number")
    assert not rows.loc["OK", "errored"] and rows.loc["OK", "fails"] == 1


def test_time_zone_aware_timestamps_in_failing_items(tmp_path):
    """Failing items carrying TIMESTAMP WITH TIME ZONE values (pandas datetime64[ns, UTC],
    Parquet written from it) come back as ISO text with their offset."""
    frame = pd.DataFrame({"k": ["a", "b", "c"], "v": [1, 20, 3],
                          "at": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:00", "2024-01-02 00:00"])
                          .tz_localize("UTC")})
    (tmp_path / "p.yml").write_text("sources:\n  t: {keys: [k]}\nrules:\n"
                                    "  - {id: DUP, kind: unique, source: t, keys: [at]}\n"
                                    "  - {id: LOW, kind: row, source: t, expr: v < 10}\n", encoding="utf-8")
    report = statguard.load_pack(tmp_path / "p.yml").validate({"t": frame})
    rows = {r["rule_id"]: r for r in report.rules()}
    assert not rows["DUP"]["errored"], rows["DUP"]["error"]
    assert rows["DUP"]["fails"] == 2 and rows["LOW"]["fails"] == 1
    at = [k["at"] for k, rule in zip(report.column("keys"), report.column("rule_id"), strict=True) if rule == "DUP"]
    assert at == ["2024-01-01T10:00:00+00:00"] * 2


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_bound_column_types_are_what_duckdb_says_of_the_typed_view(tmp_path, fmt):
    """engine.bound (what lint, plans and messages read) is worked out from the raw columns and
    the casts the view applies; it must be what DuckDB itself reports of the view."""
    from statguard.api import bind_source
    from statguard.engine.duckdb import DuckDBEngine
    frame = pd.DataFrame({"code": ["001", "002"], "n": pd.array([1, 2], dtype="int32"), "x": [1.5, 2.0],
                          "d": pd.to_datetime(["2024-01-31", "2024-02-29"]), "flag": [True, False],
                          "t": ["2024-01-01 10:00", "2024-01-02 11:30"], "undeclared": [7, 8],
                          "amount": ["1,200", "3"]})
    path = tmp_path / f"s.{fmt}"
    frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path)
    (tmp_path / "p.yml").write_text(
        f"sources:\n  s:\n    path: s.{fmt}\n    columns: {{code: string, n: integer, x: number, d: date,"
        " flag: boolean, t: datetime, amount: number}\nrules: []\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    with DuckDBEngine() as engine:
        bind_source(engine, pack, "s", None)
        assert engine.bound["s"] == engine._describe("s")
        assert engine.bound["s"]["n"] == "BIGINT" and engine.bound["s"]["amount"] == "DOUBLE"


def test_data_given_in_the_library_that_cannot_be_read_is_a_statguard_error_naming_the_source(tmp_path):
    (tmp_path / "p.yml").write_text("sources:\n  h: {keys: [k]}\nrules:\n"
                                    "  - {id: R1, kind: row, source: h, expr: v > 0}\n"
                                    "  - {id: R2, kind: row, source: h, expr: v > 1}\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    frame = pd.DataFrame({"k": ["a"], "v": [1]})
    assert [r["rule_id"] for r in pack.validate({"h": frame}, rules="R1").rules()] == ["R1"]  # one id, not 'R', '1'
    for given, said in (({"h": pd.DataFrame()}, "source 'h': the DataFrame given has no columns"),
                        ({"h": 5}, "source 'h': data is a DataFrame or a file path, not a int"),
                        (frame, "sources are given as {name: DataFrame or path}, not a DataFrame"),
                        ([frame], "sources are given as {name: DataFrame or path}, not a list"),
                        ({"h": pd.DataFrame([[1, 2]], columns=["v", "v"])},
                         "source 'h': the DataFrame given has more than one column named v")):
        with pytest.raises(statguard.StatguardError) as e:
            pack.validate(given)
        assert str(e.value) == said

    # a column DuckDB cannot read errors the source's rules with a message naming it, as a
    # file that cannot be read does (it was DuckDB's NotImplementedException)
    rows = pack.validate({"h": pd.DataFrame({"k": ["a"], "v": [1 + 2j]})}).rules()
    assert [r["error"] for r in rows] == ["source 'h': cannot read: Data type 'complex128' not recognized"] * 2


def test_a_csv_given_in_place_of_a_workbook_is_read_without_the_workbooks_layout(tmp_path):
    """A county sends CSV where the office's pack reads its template workbook (header: 3, skip: 1):
    the given file is read as its name says, without the workbook's header: and skip:; the pack's
    own file keeps them."""
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["2024年 企业报表"], [], ["单位", "总数"], ["", "1"], ["甲", 10], ["乙", -1]):
        sheet.append(row)
    book.save(tmp_path / "book.xlsx")
    (tmp_path / "county.csv").write_text("单位,总数\n丙,5\n丁,-2\n戊,-3\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("sources:\n  t: {path: book.xlsx, header: 3, skip: 1, unit: 单位}\n"
                                    "rules:\n  - {id: R, kind: row, source: t, expr: 总数 >= 0}\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    assert [(r["passes"], r["fails"]) for r in pack.validate().rules()] == [(1, 1)]
    given = pack.validate({"t": str(tmp_path / "county.csv")})
    assert [(r["passes"], r["fails"], r["errored"]) for r in given.rules()] == [(1, 2, False)]
