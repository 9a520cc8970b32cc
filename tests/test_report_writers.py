"""Report formats on a fixed report (tests/golden_reports/report.json).

Golden files under tests/golden_reports/expected/ hold the exact JSON, Markdown,
JUnit, CSV and terminal output. After an intended change of a format (or of the
report's columns), regenerate them and review the diff:

    STATGUARD_UPDATE_GOLDEN=1 /work/venv/bin/python -m pytest tests/test_report_writers.py
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from statguard.cli.main import main
from statguard.report.model import Report
from statguard.report.text import width_of
from statguard.report.writers import formats, render

HERE = Path(__file__).parent / "golden_reports"
EXPECTED = HERE / "expected"
XSD = Path(__file__).parent / "schemas" / "junit-10.xsd"
UPDATE = os.environ.get("STATGUARD_UPDATE_GOLDEN") == "1"


@pytest.fixture
def report() -> Report:
    return Report.from_json(HERE / "report.json")


def golden(name: str, actual: str) -> None:
    path = EXPECTED / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert path.exists(), f"no golden file {path}; run with STATGUARD_UPDATE_GOLDEN=1"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from its golden file (STATGUARD_UPDATE_GOLDEN=1 to regenerate)"


def test_every_format_is_registered():
    assert {"text", "json", "html", "xlsx", "junit", "markdown", "csv"} <= set(formats())


@pytest.mark.parametrize("fmt,name", [("json", "report.json"), ("csv", "report.csv"),
                                      ("markdown", "report.zh.md"), ("junit", "report.zh.junit.xml"),
                                      ("text", "report.zh.txt")])
def test_golden_zh(report, fmt, name):
    golden(name, render(report, fmt, "zh"))


@pytest.mark.parametrize("fmt,name", [("markdown", "report.en.md"), ("junit", "report.en.junit.xml"),
                                      ("text", "report.en.txt")])
def test_golden_en(report, fmt, name):
    golden(name, render(report, fmt, "en"))


def test_json_round_trips(report):
    again = Report.from_json(report.to_json())
    assert again.to_dict() == report.to_dict()
    assert again.counts_by_severity() == {"error": 4, "warning": 2, "info": 1}


def test_json_that_cannot_be_read_or_written_is_a_report_error_naming_the_file(report, tmp_path):
    """A library user gets statguard's own error, naming the file, not json's or the OS's."""
    from statguard.errors import ReportError
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1,\n "pack": x}', encoding="utf-8")
    with pytest.raises(ReportError, match=f"{re.escape(str(bad))}: not a statguard JSON report .*line 2, column 10"):
        Report.from_json(bad)
    with pytest.raises(ReportError, match="the JSON text given: not a statguard JSON report"):
        Report.from_json("{bad")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ReportError, match="list.json: not a statguard JSON report .*not shaped as a report"):
        Report.from_json(tmp_path / "list.json")
    with pytest.raises(ReportError, match="missing.json: cannot read the report: No such file"):
        Report.from_json(tmp_path / "missing.json")
    with pytest.raises(ReportError, match=f"{re.escape(str(tmp_path))}: is a directory; give a file name"):
        report.to_json(tmp_path)
    with pytest.raises(ReportError, match="cannot write the report: No such file"):
        report.to_json(tmp_path / "no" / "such" / "folder" / "r.json")


# -- JUnit -------------------------------------------------------------------

def _schema():
    etree = pytest.importorskip("lxml.etree")
    return etree, etree.XMLSchema(etree.parse(str(XSD)))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fail_on,failures", [("error", 2), ("warning", 4), ("info", 5), ("never", 0)])
def test_junit_is_valid_and_fails_at_the_fail_on_level(report, lang, fail_on, failures):
    etree, schema = _schema()
    report.meta["fail_on"] = fail_on
    doc = etree.fromstring(render(report, "junit", lang).encode("utf-8"))
    assert schema.validate(doc), schema.error_log
    suite = doc.find("testsuite")
    assert suite.get("tests") == "7" and suite.get("errors") == "1"
    assert suite.get("failures") == str(failures) == doc.get("failures")
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert len(failed) == failures
    assert [c.get("name") for c in suite.iter("testcase") if c.find("error") is not None] == ["E1"]


def test_junit_failure_names_the_first_violations(report):
    etree, _ = _schema()
    doc = etree.fromstring(render(report, "junit", "en").encode("utf-8"))
    h1 = doc.find(".//testcase[@name='H1']/failure")
    assert h1.get("message").startswith("2 violation(s) of severity error: [error] 东区 2024-09")
    assert "西区" in h1.text and h1.get("type") == "error"
    s1 = doc.find(".//testcase[@name='S1']")  # a warning does not fail when fail_on is error ...
    assert s1.find("failure") is None and "开发区" in s1.find("system-out").text  # ... but is listed


def test_junit_lists_at_most_twenty_violations(report):
    etree, schema = _schema()
    many = report.violations[report.violations["rule_id"] == "H1"].iloc[[0] * 25].reset_index(drop=True)
    big = Report(report.pack, many, report.summary, report.meta)
    doc = etree.fromstring(render(big, "junit", "en").encode("utf-8"))
    assert schema.validate(doc)
    text = doc.find(".//testcase[@name='H1']/failure").text
    assert text.count("\n") == 20 and text.endswith("... and 5 more")


# -- CSV ---------------------------------------------------------------------

def test_csv_has_bom_and_json_columns(report):
    data = render(report, "csv").encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(report.violations)
    assert json.loads(rows[0]["keys"]) == {"unit": "东区"}
    assert json.loads(rows[5]["values"])["versions"] == [34, 36, 41, 45, 52]
    assert rows[6]["message"] == "北区: 累计值下降\nfrom 3 to 0"  # newlines survive quoting


# -- Markdown and text -------------------------------------------------------

def test_markdown_escapes_cells_and_stays_small(report):
    md = render(report, "markdown", "en")
    assert "&lt;check &amp; \"quote\"&gt;" in md and "<check" not in md
    assert all(line.count("|") >= 2 for line in md.splitlines() if line.startswith("| "))
    many = Report(report.pack, report.violations.iloc[[0] * 5000].reset_index(drop=True), report.summary,
                  report.meta)
    assert len(render(many, "markdown", "en").encode()) < 20_000


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_fits_80_columns_and_puts_worst_units_first(report, lang):
    text = render(report, "text", lang)
    assert max(width_of(line) for line in text.splitlines()) <= 80
    units = [line.split()[0] for line in text.split("\n\n")[2].splitlines()[2:]]
    assert units == ["东区", "南区", "西区", "开发区", "北区"]


# -- XLSX --------------------------------------------------------------------

def _workbook(report, lang):
    openpyxl = pytest.importorskip("openpyxl")
    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx", lang)))


def test_xlsx_read_back_in_chinese(report):
    wb = _workbook(report, "zh")
    names = wb.sheetnames
    assert names[:3] == ["概况", "规则", "报送单位"] and names[-1] == "问题明细"
    facts = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert facts["结论"] == "不通过" and facts["错误"] == 4 and facts["未能运行的规则"] == 1
    assert facts["开始时间"] == datetime(2024, 10, 8, 9, 30)  # a date cell, not text
    ws = wb["问题明细"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:L8"
    rows = list(ws.iter_rows(values_only=True))
    # keys as columns: item (S1, the user's column) and indicator (R1, the revisions kind's own: 指标);
    # the keys unit and month only repeat unit and period
    assert rows[0] == ("规则", "级别", "报送单位", "期别", "item", "指标", "相关数值", "实际值", "参照值", "差额",
                       "详情", "问题说明")
    assert len(rows) == 8 and rows[1][:4] == ("H1", "错误", "东区", "2024-09") and rows[1][7:10] == (150, 160, -10)
    assert [r[0] for r in rows[1:]] == ["H1", "H1", "C1", "C1", "S1", "R1", "Y1"]  # errors first, rule by rule
    assert rows[5][4:7] == ("外资制造业", None, "part 5.7；total 12.95；share 54")
    assert rows[6][4:7] == (None, "新增规上企业", "版本数 34, 36, 41, 45, 52；n_versions 5")


def test_xlsx_scorecard_sheet_only_when_the_pack_asks_for_it(report):
    assert "评分" not in " ".join(_workbook(report, "zh").sheetnames)
    asked = Report(report.pack, report.violations, report.summary, {**report.meta, "scorecard": {}})
    names = _workbook(asked, "zh").sheetnames
    assert [n for n in names if "评分" in n], names


def test_xlsx_writes_each_violation_once(report):
    wb = _workbook(report, "zh")
    messages = set(report.violations["message"])
    found = [c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c in messages]
    assert sorted(found) == sorted(messages)  # 7 messages, each in one cell of the whole workbook


def test_xlsx_rules_link_to_their_violations(report):
    wb = _workbook(report, "zh")
    rules = wb["规则"]
    header = [c.value for c in rules[1]]
    at = header.index("问题明细位置")
    links = {row[0].value: row[at] for row in rules.iter_rows(min_row=2)}
    assert links["H1"].value == "第 2-3 行" and links["H1"].hyperlink.location == "'问题明细'!A2"
    assert links["S1"].value == "第 6 行" and links["S1"].hyperlink.location == "'问题明细'!A6"
    assert links["P1"].value is None and links["E1"].value is None  # no violations, no link
    violations = wb["问题明细"]
    assert [violations[f"A{i}"].value for i in (2, 3, 6)] == ["H1", "H1", "S1"]


def test_xlsx_number_formats(report):
    ws = _workbook(report, "zh")["问题明细"]
    cells = {row[0].row: row for row in ws.iter_rows(min_row=2)}
    observed, expected, imbalance = 7, 8, 9  # 0-based columns H, I, J
    assert cells[2][observed].number_format == "#,##0" and cells[3][observed].value == 4417
    # the coverage kind gives its rates in percent: percent cells (1 = 100%); the gap is points
    assert (cells[4][observed].value, cells[4][observed].number_format) == (1, "0%")
    assert (cells[4][expected].value, cells[4][expected].number_format) == (0.72, "0%")
    assert (cells[4][imbalance].value, cells[4][imbalance].number_format) == (28, "#,##0")


def test_xlsx_rounds_to_the_reported_decimals_and_keeps_dates(report):
    v = report.violations.copy()
    v.loc[0, ["values", "observed", "expected", "imbalance", "period"]] = [
        {"a": 5.7, "b": 4.0, "total": 9.75}, 5.7 + 4.0, 9.75, 5.7 + 4.0 - 9.75, "2024-09-30"]
    ws = _workbook(Report(report.pack, v, report.summary, report.meta), "en")["Violations"]
    row = next(ws.iter_rows(min_row=2, max_row=2))
    assert row[3].value == datetime(2024, 9, 30) and row[3].number_format == "yyyy-mm-dd"
    # 5.7 + 4.0 is 9.7 in binary noise; inputs have up to 2 decimals: shown with 1 (9.7) and 2 (-0.05)
    assert (row[7].value, row[7].number_format) == (pytest.approx(9.7), "#,##0.0")
    assert (row[9].value, row[9].number_format) == (pytest.approx(-0.05), "#,##0.00")


def test_xlsx_english_headers(report):
    wb = _workbook(report, "en")
    assert {"Summary", "Rules", "Units", "Violations"} <= set(wb.sheetnames)
    assert next(wb["Violations"].iter_rows(values_only=True))[:4] == ("rule", "severity", "unit", "period")


def test_xlsx_parts_are_well_formed_and_print_landscape(report):
    etree = pytest.importorskip("lxml.etree")
    with zipfile.ZipFile(io.BytesIO(render(report, "xlsx", "zh"))) as book:
        parts = {name: etree.fromstring(book.read(name)) for name in book.namelist()}
    assert {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"} <= set(parts)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    sheet = parts["xl/worksheets/sheet2.xml"]  # the rules
    assert sheet.find("m:pageSetup", ns).get("orientation") == "landscape"
    titles = [d.text for d in parts["xl/workbook.xml"].iterfind(".//m:definedName", ns)
              if d.get("name") == "_xlnm.Print_Titles"]
    assert "'问题明细'!$1:$1" in titles  # the header row printed on every page


def test_xlsx_of_100000_violations_writes_each_once():
    """At the issue's scale every violation is a row of the violations sheet, once. Its speed
    is a benchmark's business (bench/report_formats.py), not a timed test's."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("report_formats", HERE.parent.parent / "bench" / "report_formats.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.synthetic_report(100_000)
    data = render(report, "xlsx", "zh")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        rows = [book.read(n).count(b"<row ") for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert max(rows) == 100_001  # the violations sheet: a header and every violation


def test_sheet_titles_are_valid_and_unique():
    from statguard.report.xlsx import sheet_title
    taken: set[str] = set()
    assert sheet_title("a/b:c*d?[e]\\f", taken) == "a_b_c_d__e__f"
    long = "x" * 40
    assert sheet_title(long, taken) == "x" * 31
    assert sheet_title(long, taken) == "x" * 29 + "~2"
    assert sheet_title("History", taken) == "History_"
    assert sheet_title("'quoted'", taken) == "quoted"
    assert sheet_title("", taken) == "sheet"
    assert sheet_title("SHEET", taken) == "SHEET~2"


# -- the report command ------------------------------------------------------

def test_report_command_renders_several_formats(tmp_path, capsys):
    outs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("html", "xlsx", "junit", "markdown", "csv", "json")}
    argv = ["report", str(HERE / "report.json"), "--lang", "en"]
    for fmt, path in outs.items():
        argv += ["--format", fmt, "--output", str(path)]
    assert main(argv) == 0
    assert all(p.stat().st_size > 0 for p in outs.values())
    assert Report.from_json(outs["json"]).to_dict() == Report.from_json(HERE / "report.json").to_dict()
    assert "Violations" in outs["html"].read_text(encoding="utf-8")


def test_report_command_to_stdout_and_errors(tmp_path, capsys):
    assert main(["report", str(HERE / "report.json"), "--lang", "zh"]) == 0
    assert "不通过" in capsys.readouterr().out
    data = json.loads((HERE / "report.json").read_text(encoding="utf-8"))
    data["summary"] = [r for r in data["summary"] if not r["errored"]]
    (tmp_path / "ran.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["report", str(tmp_path / "ran.json"), "--fail-on", "never", "-f", "markdown"]) == 0
    out = capsys.readouterr().out  # errors below the fail-on level only warn
    assert "— 有警告" in out and "判定不通过的最低级别：不判定" in out
    assert main(["report", str(tmp_path / "ran.json"), "-f", "markdown"]) == 0
    assert "— 不通过" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    assert main(["report", str(bad)]) == 2
    assert "not a statguard JSON report" in capsys.readouterr().err
    assert main(["report", str(HERE / "report.json"), "-f", "xlsx"]) == 2  # binary needs --output


def _coverage_report(tmp_path: Path) -> Report:
    """A real run of the coverage golden case (tests/cases/coverage.yml), its unclaimed units listed (--lacking)."""
    import statguard

    from golden import load_cases, write_pack
    name = "coverage::claimed rate against verified rate, ranked by gap, zero-claim and unclaimed units"
    case = dict(load_cases())[name]
    pack, frames = write_pack(case, tmp_path)
    return statguard.load_pack(pack).validate(frames, options={"lacking": True})


def test_statguards_figure_names_follow_the_language_the_users_columns_do_not(tmp_path):
    """Issue 15: a kind's own figure names (claimed_rate, gap) are shown in the reader's language in HTML,
    xlsx and markdown (headers, figure cells, the missing figures of items not evaluable); JSON and CSV keep
    the machine names; the user's columns (H1's awaiting/idle/total in the golden report) stay as they are."""
    report = _coverage_report(tmp_path)
    html = render(report, "html", "zh")
    cov = html[html.index('id="v-COV"'):]
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", cov[:cov.index("</table>")])
    assert heads[1:7] == ["上报比率", "核实比率", "核实人数", "总数", "无法判断数", "差距"]
    assert "claimed_rate" not in re.sub(r'"val:claimed_rate"|\{claimed_rate\}', "", html)
    english = render(report, "html", "en")
    assert re.findall(r"<th[^>]*>([^<]*)</th>", english[english.index('id="v-COV"'):])[1:3] == ["claimed_rate",
                                                                                               "verified_rate"]
    ws = _workbook(report, "zh")["问题明细"]
    rows = list(ws.iter_rows(values_only=True))
    shown = rows[1][rows[0].index("相关数值")]
    assert shown.startswith("上报比率 100%；核实比率 ") and "；差距 " in shown
    lacking = list(_workbook(report, "zh")["无法判断的项"].iter_rows(values_only=True))
    missing = {r[2]: r[lacking[0].index("缺失的数值")] for r in lacking[1:]}
    assert missing["中区"] == "上报比率、差距" and missing["北区"] == "核实比率、核实人数、总数、无法判断数、差距"
    assert "| 中区 |  | 中区 | 上报比率、差距 |" in render(report, "markdown", "zh")
    assert "| 中区 |  | 中区 | claimed_rate, gap |" in render(report, "markdown", "en")
    assert '"claimed_rate": 100' in render(report, "json", "zh") and "claimed_rate" in render(report, "csv", "zh")
    golden_html = render(Report.from_json(HERE / "report.json"), "html", "zh")
    h1 = golden_html[golden_html.index('id="v-H1"'):golden_html.index('id="v-C1"')]
    assert re.findall(r"<th[^>]*>([^<]*)</th>", h1)[2:5] == ["awaiting", "idle", "total"]  # hierarchy's: the user's


def test_reports_md_describes_the_workbook_the_program_writes(tmp_path):
    """docs/reports.md promised "a sheet per rule" with keys and values as JSON text: an office
    that planned to send each rule its sheet, or to parse the values column, was misled. Every
    sheet and violation column of a real run is named there (in both languages' sections)."""
    openpyxl = pytest.importorskip("openpyxl")
    from conftest import ROOT
    doc = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    assert "sheet per rule" not in doc.replace("no sheet per rule", "") and "are JSON text" not in doc
    for lang in ("zh", "en"):
        out = tmp_path / f"{lang}.xlsx"
        assert main(["check", str(ROOT / "rules" / "investment"), "--lacking", "--lang", lang, "-o", str(out)]) == 1
        book = openpyxl.load_workbook(out)
        for title in book.sheetnames:
            assert title in doc, title
        if lang == "zh":
            header = [c.value for c in book["问题明细"][1]]
            assert header[:4] == ["规则", "级别", "报送单位", "期别"] and "单位代码" in header
            for name in header:
                assert name in doc, name
