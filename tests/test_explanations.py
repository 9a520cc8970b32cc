"""Explanations end to end: files filled in by hand, the template round trip, exit codes, history."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

import statguard
from statguard.cli.main import main
from statguard.explain import read_explanations
from statguard.load.jsonschema import report_schema

from conftest import ROOT

EXAMPLE = ROOT / "rules" / "growth_explanations"
SOFT_ONLY = ["--rule", "GR-01", "--rule", "GR-03"]  # leave out the hard GR-02


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A private copy of the example pack, so tests can add files beside it."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "growth"))


def _json_report(args: list[str], tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main([*args, "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _by(report: dict, rule: str, unit: str) -> list[dict]:
    return [v for v in report["violations"] if v["rule_id"] == rule and v["unit"] == unit]


def test_example_pack_shows_explained_unexplained_and_problems(tmp_path):
    code, report = _json_report(["check", str(EXAMPLE), "--explanations",
                                 str(EXAMPLE / "explanations.yml")], tmp_path)
    assert code == 1  # GR-02 is hard: 北山县 must correct its growth rate whatever it writes
    assert [v["explained"] for v in _by(report, "GR-01", "东城区")] == [True]
    assert [v["explained"] for v in _by(report, "GR-01", "西城区")] == [False]
    assert _by(report, "GR-03", "南湖县")[0]["explanation_fields"] == {"文号": "南财债〔2024〕17号"}
    assert [v["explained"] for v in _by(report, "GR-02", "北山县")] == [False]
    assert report["meta"]["explanations"]["problems"] == {"refused": 1, "insufficient": 1, "stale": 1}
    import jsonschema
    jsonschema.validate(report, report_schema())


def test_example_xlsx_and_yaml_explain_the_same_violations(tmp_path):
    _, from_yaml = _json_report(["check", str(EXAMPLE), "-e", str(EXAMPLE / "explanations.yml")], tmp_path)
    _, from_xlsx = _json_report(["check", str(EXAMPLE), "-e", str(EXAMPLE / "explanations.xlsx")], tmp_path)

    def outcome(report: dict) -> list[tuple]:
        return sorted((v["rule_id"], v["unit"], json.dumps(v["keys"], ensure_ascii=False), v["explained"],
                       v["detail"] if v["rule_id"] == "explanations" else None) for v in report["violations"])
    assert outcome(from_yaml) == outcome(from_xlsx)
    assert from_xlsx["meta"]["explanations"]["explained"] == 3


@pytest.mark.parametrize(("extra", "code"), [
    ([], 1),                                       # GR-03 is a soft error, unexplained: fails
    (["-e", "explanations.yml"], 0),               # explained: passes at --fail-on error
    (["-e", "explanations.yml", "--fail-on", "warning"], 1),  # 西城区 unexplained, stale/insufficient
    (["-e", "explanations.yml", "--fail-on", "never"], 0),
])
def test_exit_codes_with_and_without_explanations(extra, code, capsys):
    extra = [str(EXAMPLE / a) if a.endswith(".yml") else a for a in extra]
    assert main(["check", str(EXAMPLE), *SOFT_ONLY, *extra]) == code


def test_hard_rule_fails_whatever_is_written(capsys):
    args = ["check", str(EXAMPLE), "--rule", "GR-02", "-e", str(EXAMPLE / "explanations.yml")]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "被拒 1" in out and "GR-02" in out


def test_xlsx_filled_in_by_hand(tmp_path):
    """A unit's own workbook: Chinese headers with hints, a period Excel turned into a date, numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "情况说明"
    sheet.append(["规则编号", "单位", "期别", "记录", "说明（必填）", "填写人", "日期", "文号", "备注"])
    sheet.append(["GR-01", "东城区", datetime(2024, 9, 1), "指标=存款", "区内新设两家大型企业，资本金存入本地银行。",
                  "张敏", datetime(2024, 10, 8), None, "已电话核实"])
    sheet.append(["GR-03", "南湖县", "2024-09", "指标=存款", "县财政专项债券资金于 8 月到账，暂存县农商行。",
                  "李强", "2024-10-09", "南财债〔2024〕17号", None])
    sheet.append([None] * 9)  # a blank row in the middle is skipped
    sheet.append(["GR-01", "南湖县", "2024-09", "指标=存款", "县财政专项债券资金于 8 月到账。", "李强",
                  None, None, None])
    path = tmp_path / "说明.xlsx"
    book.save(path)

    found = read_explanations(path)
    assert [e.rule_id for e in found] == ["GR-01", "GR-03", "GR-01"]
    assert found[0].date == "2024-10-08" and found[0].fields == {"备注": "已电话核实"}
    assert found[2].origin.endswith("row 5")  # the row number Excel shows

    report = statguard.load_pack(EXAMPLE).validate(explanations=[path])
    v = report.violations
    explained = v[v["explained"] == True]  # noqa: E712
    assert sorted(zip(explained["rule_id"], explained["unit"], strict=True)) == [
        ("GR-01", "东城区"), ("GR-01", "南湖县"), ("GR-03", "南湖县")]
    assert report.meta["explanations"]["problems"] == {}
    assert set(report.gating("error")["rule_id"]) == {"GR-02"}  # only the hard rule still fails the run


def test_csv_in_gbk_with_chinese_headers(tmp_path):
    path = tmp_path / "说明.csv"
    path.write_bytes("规则编号,单位,期别,记录,说明,填写人\nGR-01,西城区,2024-09,指标=贷款,受大额贷款集中到期收回影响，属实。,赵丽\n"
                     .encode("gb18030"))
    report = statguard.load_pack(EXAMPLE).validate(explanations=path)
    row = report.violations[(report.violations["rule_id"] == "GR-01") & (report.violations["unit"] == "西城区")]
    assert list(row["explained"]) == [True] and list(row["explained_by"]) == ["赵丽"]


@pytest.mark.parametrize(("name", "lang", "text_header"), [("todo.xlsx", "zh", "说明"), ("todo.xlsx", "en", "text")])
def test_template_round_trip_xlsx(example, tmp_path, name, lang, text_header, capsys):
    todo = tmp_path / name
    assert main(["explain-template", str(example), "-o", str(todo), "--lang", lang, *SOFT_ONLY]) == 0
    book = openpyxl.load_workbook(todo)
    sheet = book.worksheets[0]
    head = [c.value for c in sheet[1]]
    assert "文号" in head  # GR-03 requires it, so the template asks for it
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5  # 4 GR-01 swings + 1 GR-03, none explained yet
    assert main(["check", str(example), *SOFT_ONLY, "-e", str(todo)]) == 1  # blank answers explain nothing
    for r in range(2, sheet.max_row + 1):
        sheet.cell(row=r, column=head.index(text_header) + 1).value = "经核实，数据属实，原因已向统计局报备。"
        sheet.cell(row=r, column=head.index("文号") + 1).value = "某财〔2024〕1号"
    book.save(todo)
    code, report = _json_report(["check", str(example), *SOFT_ONLY, "-e", str(todo), "--fail-on", "warning"],
                                tmp_path)
    assert code == 0, report["meta"]["explanations"]
    assert report["meta"]["explanations"] == {**report["meta"]["explanations"], "explained": 5,
                                              "unexplained_soft": 0, "problems": {}}


def test_template_round_trip_yaml_and_what_is_left(example, tmp_path, capsys):
    todo = tmp_path / "todo.yml"
    given = str(example / "explanations.yml")
    assert main(["explain-template", str(example), "-o", str(todo), "-e", given, "--lang", "en"]) == 0
    doc = yaml.safe_load(todo.read_text(encoding="utf-8"))
    left = {(e["rule_id"], e["unit"]) for e in doc["explanations"]}
    assert left == {("GR-01", "西城区"), ("GR-01", "北山县")}  # what explanations.yml does not settle
    for e in doc["explanations"]:
        e["text"] = "经核实，贷款集中到期收回，数据属实。"
    todo.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, report = _json_report(["check", str(example), *SOFT_ONLY, "-e", given, "-e", str(todo)], tmp_path)
    assert report["meta"]["explanations"]["unexplained_soft"] == 0
    assert code == 0


def test_explanations_file_errors_exit_2(tmp_path, capsys):
    assert main(["check", str(EXAMPLE), "-e", str(tmp_path / "none.yml"), "--lang", "en"]) == 2  # the pack says zh
    assert "explanations file not found" in capsys.readouterr().err
    assert main(["check", str(EXAMPLE), "-e", str(tmp_path / "none.yml")]) == 2
    assert "情况说明文件不存在" in capsys.readouterr().err
    bad = tmp_path / "bad.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["unit", "comment"])
    book.save(bad)
    assert main(["check", str(EXAMPLE), "-e", str(bad), "--lang", "en"]) == 2
    assert "no rule_id/规则编号 or text/说明 column" in capsys.readouterr().err


def test_report_round_trip_keeps_explanations_and_old_reports_still_gate():
    report = statguard.load_pack(EXAMPLE).validate(rules=["GR-01", "GR-03"],
                                                   explanations=EXAMPLE / "explanations.yml")
    again = statguard.Report.from_json(report.to_json())
    assert list(again.violations["explained"]) == list(report.violations["explained"])
    assert again.failed("error") is False and again.failed("warning") is True
    old = again.to_dict()
    for v in old["violations"]:  # a report written before explanations existed
        for key in ("hard", "explained", "explanation", "explained_by", "explained_at", "explanation_fields"):
            v.pop(key)
    legacy = statguard.Report.from_dict(old)
    assert legacy.failed("error") is True  # GR-03 is an error; without the columns nothing is explained


def test_explanations_recorded_with_the_submission(tmp_path):
    from statguard.history import HistoryStore
    from statguard.history.capture import record_source
    from statguard.history.explanations import (
        explanation_frame,
        pending_explanations,
        record_explanations,
        unexplained_changes,
    )
    pack = statguard.load_pack(EXAMPLE)
    report = pack.validate(explanations=EXAMPLE / "explanations.yml")
    with HistoryStore(tmp_path / "h.db") as store:
        batch = pending_explanations(report)
        assert {(p.unit, p.period) for p in batch} == {("东城区", "2024-09"), ("南湖县", "2024-09"),
                                                      ("北山县", "2024-09"), ("西城区", "2024-09")}
        data = record_source(store, pack.sources["growth"])
        first = record_explanations(store, report)
        assert all(r.new for r in first) and not any(r.new for r in record_explanations(store, report))
        frame = explanation_frame(store)
        explained = frame[frame["status"] == "explained"]
        assert sorted(zip(explained["rule_id"], explained["_sg_unit"], strict=True)) == [
            ("GR-01", "东城区"), ("GR-01", "南湖县"), ("GR-03", "南湖县")]
        assert set(frame["status"]) == {"explained", "refused", "insufficient", "stale"}
        changes = store.frame("growth").rename(columns={"_sg_unit": "u", "_sg_period": "p"})
        flags = unexplained_changes(changes, frame, ["指标"], unit="u", period="p")
    assert len(data) == 6
    marked = dict(zip(zip(changes["u"], changes["指标"], strict=True), flags, strict=True))
    assert not marked[("东城区", "存款")]
    assert marked[("西城区", "贷款")]


def test_check_record_keeps_explanations_with_the_submission(tmp_path, capsys):
    from statguard.history import HistoryStore
    from statguard.history.explanations import EXPLANATIONS_SOURCE, explanation_frame
    store_path = tmp_path / "history.db"
    args = ["check", str(EXAMPLE), "-e", str(EXAMPLE / "explanations.yml"), "--record", "--history", str(store_path)]
    assert main(args) == 1
    with HistoryStore(store_path, create=False) as store:
        assert set(store.sources()) == {"growth", EXPLANATIONS_SOURCE}
        frame = explanation_frame(store)
    assert (frame["status"] == "explained").sum() == 3
    assert main(args) == 1  # the same explanations again: no new version
    with HistoryStore(store_path, create=False) as store:
        assert {s.version for s in store.submissions(source=EXPLANATIONS_SOURCE)} == {1}


def test_html_and_xlsx_show_the_explanations(tmp_path, capsys):
    html, xlsx = tmp_path / "r.html", tmp_path / "r.xlsx"
    main(["check", str(EXAMPLE), "-e", str(EXAMPLE / "explanations.yml"), "-f", "html", "-o", str(html),
          "-f", "xlsx", "-o", str(xlsx)])
    texts = [e["text"] for e in yaml.safe_load((EXAMPLE / "explanations.yml").read_text(encoding="utf-8"))
             ["explanations"] if e.get("text")]
    page = html.read_text(encoding="utf-8")
    assert "情况说明" in page and any(text in page for text in texts)
    book = openpyxl.load_workbook(xlsx)
    from statguard.i18n import t
    sheet = book[t("h.violations", "zh")]
    rows = list(sheet.iter_rows(values_only=True))
    assert "情况说明" in rows[0]
    column = rows[0].index("情况说明")
    assert {r[column] for r in rows[1:] if r[column]} & set(texts)


def test_recorded_explanations_name_the_data_versions_they_answered(tmp_path):
    from statguard.history import HistoryStore
    from statguard.history.capture import record_source
    from statguard.history.explanations import explanation_frame, record_explanations, unexplained_changes
    pack = statguard.load_pack(EXAMPLE)
    report = pack.validate(explanations=EXAMPLE / "explanations.yml")
    growth = pd.read_csv(EXAMPLE / "data" / "growth.csv", dtype=str)
    with HistoryStore(tmp_path / "h.db") as store:
        first = record_explanations(store, report, answered=record_source(store, pack.sources["growth"]))
        again = record_explanations(store, report, answered=record_source(store, pack.sources["growth"]))
        assert all(r.new for r in first) and not any(r.new for r in again)  # identical data, identical answers
        changed = growth.copy()
        # only 东城区 resubmits, with the same explanations
        changed.loc[(changed["单位"] == "东城区") & (changed["指标"] == "存款"), "本期值"] = "60.6"
        data = record_source(store, pack.sources["growth"], changed)
        third = record_explanations(store, report, answered=data)
        frame = explanation_frame(store, latest=False)
        changes = store.frame("growth")
    assert sorted((r.submission.unit, r.submission.version) for r in third if r.new) == [("东城区", 2)]
    dong = frame[(frame["_sg_unit"] == "东城区") & (frame["status"] == "explained")]
    assert list(dong["answers:growth"]) == ["1", "2"]
    # the pandas helper matches on the answered version when told the source
    flags = unexplained_changes(changes, frame, ["指标"], source="growth")
    marked = dict(zip(zip(changes["_sg_unit"], changes["_sg_version"], changes["指标"], strict=True), flags,
                      strict=True))
    assert not marked[("东城区", 2, "存款")] and marked[("西城区", 1, "贷款")]
