"""Items a rule could not evaluate (issue 15): listed on request as R validate's lacking() lists
them, and never shown as a plain pass.

On validate's own SBS2000 data (../shared/data/validate) the listed items are checked against
the records pandas finds with a missing operand (validate's NA semantics: its lacking() returns
exactly these); every report format is read back from the files `statguard check` writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import openpyxl
import pandas as pd
import pytest
import yaml

import statguard
from statguard.errors import StatguardError
from statguard.load.jsonschema import report_schema
from statguard.report.model import Report

from conftest import SHARED
from golden import load_cases, write_pack

SBS = SHARED / "data/validate/SBS2000.csv"
BALANCE = ("turnover", "other.rev", "total.rev")
RULES = [{"id": "B2", "kind": "row", "source": "d", "expr": "turnover + other.rev == total.rev"},
         {"id": "VAT", "kind": "row", "source": "d", "expr": "vat >= 0"},
         {"id": "NONE", "kind": "row", "source": "d", "expr": "staff >= 0", "where": "size = 'no such size'"}]
FORMATS = {"text": "txt", "json": "json", "html": "html", "xlsx": "xlsx", "csv": "csv", "markdown": "md",
           "junit": "xml"}


def _pack(tmp_path: Path, rules: list[dict] = RULES, name: str = "pack.yml") -> Path:
    path = tmp_path / name
    source = {"path": str(SBS), "keys": ["id"], "columns": {"id": "string", "size": "string"}}
    path.write_text(yaml.safe_dump({"sources": {"d": source}, "rules": rules}, allow_unicode=True),
                    encoding="utf-8")
    return path


def _sbs() -> pd.DataFrame:
    return pd.read_csv(SBS, dtype={"id": str, "size": str})


def _check(pack: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "statguard", "check", str(pack), *map(str, args)],
                          cwd=pack.parent, capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_lacking_lists_the_records_with_a_missing_operand_as_validate_does(tmp_path):
    report = statguard.load_pack(_pack(tmp_path)).validate(options={"lacking": True})
    d = _sbs()
    rows = {r["rule_id"]: r for r in report.rules()}
    for rule, columns in (("B2", BALANCE), ("VAT", ("vat",))):
        na = d[d[list(columns)].isna().any(axis=1)]
        lacked = report.lacking(rule)
        assert rows[rule]["not_evaluable"] == len(na) == len(lacked) > 0
        assert sorted(k["id"] for k in lacked["keys"]) == sorted(na["id"])
        want = {i: [c for c in columns if pd.isna(v[c])] for i, v in na.set_index("id").iterrows()}
        assert {k["id"]: m for k, m in zip(lacked["keys"], lacked["missing"], strict=True)} == want
    one = report.lacking_records("B2")[0]  # the values involved, as a violation carries them
    assert set(one["values"]) == set(BALANCE) and one["message"].startswith("not evaluable: ")
    assert len(report.lacking()) == rows["B2"]["not_evaluable"] + rows["VAT"]["not_evaluable"]
    assert report.lacking("NONE").empty and rows["NONE"]["items"] == 0


def test_not_listed_unless_asked_and_an_empty_answer_is_never_given_instead(tmp_path):
    report = statguard.load_pack(_pack(tmp_path)).validate()
    assert not report.lacking_listed
    with pytest.raises(StatguardError, match="--lacking"):
        report.lacking()
    assert "lacking" not in report.to_dict()
    assert [r["status"] for r in report.to_dict()["summary"]] == ["fail", "lacking", "empty"]


def test_every_format_shows_the_status_and_lists_the_items(tmp_path):
    pack = _pack(tmp_path)
    out = tmp_path / "out"
    args = [a for fmt, ext in FORMATS.items() for a in ("-f", fmt, "-o", out / f"report.{ext}")]
    assert _check(pack, *args, "--lacking").returncode == 1  # B2 has violations: exit 1, as without --lacking
    d = _sbs()
    na_vat = sorted(d.loc[d["vat"].isna(), "id"])
    n_b2 = int(d[list(BALANCE)].isna().any(axis=1).sum())

    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, report_schema())
    assert {r["rule_id"]: r["status"] for r in data["summary"]} == {"B2": "fail", "VAT": "lacking", "NONE": "empty"}
    assert sorted(x["keys"]["id"] for x in data["lacking"] if x["rule_id"] == "VAT") == na_vat

    text = (out / "report.txt").read_text(encoding="utf-8")
    assert "passed, some n/a" in text and "nothing checked" in text
    first = d[d[list(BALANCE)].isna().any(axis=1)].sort_values("id").iloc[0]
    missing = ", ".join(c for c in BALANCE if pd.isna(first[c]))
    assert f"Items not evaluable (of {n_b2 + len(na_vat)}):" in text
    assert f"[B2] {first['id']}: not evaluable: {missing} missing" in text  # the first 20, then how to see all
    assert f"... {n_b2 + len(na_vat) - 20} more not shown here" in text

    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert f"| VAT | error | 60 | 0 | passed, {len(na_vat)} not evaluable |" in markdown
    assert f"| B2 | error | 60 | 4 | fail, {n_b2} not evaluable |" in markdown
    assert f"| B2 |  |  | {first['id']} | {missing} | not evaluable: {missing} missing |" in markdown

    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"passed, {len(na_vat)} not evaluable" in html and '<section id="lacking">' in html
    assert f'<td class="text">{na_vat[-1]}</td>' in html

    book = openpyxl.load_workbook(out / "report.xlsx")
    rules = {row[0]: row for row in book["Rules"].iter_rows(values_only=True)}
    assert f"passed, {len(na_vat)} not evaluable" in rules["VAT"] and "nothing checked" in rules["NONE"]
    sheet = list(book["Not evaluable"].iter_rows(values_only=True))
    assert sheet[0][:5] == ("rule", "severity", "unit", "period", "id")
    assert sorted(r[4] for r in sheet[1:] if r[0] == "VAT") == na_vat

    csv = pd.read_csv(out / "report.csv", encoding="utf-8-sig", dtype=str)
    assert (csv["status"] == "fail").sum() == 4
    lacked = csv[csv["status"] == "not_evaluable"]
    assert len(lacked) == n_b2 + len(na_vat) and set(lacked.loc[lacked["rule_id"] == "VAT", "missing"]) == {'["vat"]'}

    junit = (out / "report.xml").read_text(encoding="utf-8")
    assert f"passed, {len(na_vat)} not evaluable\n{na_vat[0]}: not evaluable: vat missing" in junit
    assert '<testcase name="NONE"' in junit and '<skipped message="nothing checked: evaluated 0 items' in junit


def test_without_lacking_every_format_still_says_that_items_were_not_evaluable(tmp_path):
    pack = _pack(tmp_path)
    out = tmp_path / "out"
    args = [a for fmt, ext in FORMATS.items() for a in ("-f", fmt, "-o", out / f"report.{ext}")]
    assert _check(pack, *args).returncode == 1
    hint = "could not be evaluated (a figure they need is missing); list them with --lacking"
    for ext in ("txt", "md", "html"):
        assert hint in " ".join((out / f"report.{ext}").read_text(encoding="utf-8").split()), ext
    assert "passed, some n/a" in (out / "report.txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "report.xlsx") as z:
        assert any(hint in z.read(n).decode("utf-8") for n in z.namelist())
    assert "status" not in pd.read_csv(out / "report.csv", encoding="utf-8-sig").columns  # the CSV keeps its columns
    assert "passed, 12 not evaluable</system-out>" in (out / "report.xml").read_text(encoding="utf-8")


def test_exit_codes_keep_their_meaning(tmp_path):
    """Items not evaluable change no exit code: 0 for a rule that passed what it could evaluate."""
    pack = _pack(tmp_path, [RULES[1]])
    for extra in ([], ["--lacking"], ["--lacking", "-f", "junit"]):
        run = _check(pack, *extra)
        assert run.returncode == 0, (extra, run.stderr)
    assert _check(_pack(tmp_path, [RULES[0]], "b2.yml"), "--lacking").returncode == 1


def test_chinese_and_a_saved_report_re_rendered(tmp_path):
    pack = _pack(tmp_path)
    run = _check(pack, "--lacking", "--lang", "zh", "-f", "json", "-o", tmp_path / "r.json")
    assert run.returncode == 1, run.stderr
    again = subprocess.run([sys.executable, "-m", "statguard", "report", str(tmp_path / "r.json"), "-f", "text"],
                           capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert "通过，部分无法判断" in again.stdout and "未核查任何项" in again.stdout
    assert "无法判断的项（共 49 项）" in again.stdout and "无法判断：缺少 other.rev" in again.stdout
    assert len(Report.from_json(tmp_path / "r.json").lacking("VAT")) == 12


PERSONS = """身份证号,姓名,收入
320102199001011234,张三,5000
320102198506152345,欧阳娜娜,
"""


def test_personal_keys_of_items_not_evaluable_are_masked(tmp_path):
    (tmp_path / "p.csv").write_text(PERSONS, encoding="utf-8")
    pack = tmp_path / "pii.yml"
    pack.write_text(yaml.safe_dump({"sources": {"p": {
        "path": "p.csv", "keys": ["身份证号"], "columns": {"身份证号": {"type": "string", "pii": True},
                                                         "姓名": {"type": "string", "pii": "name"}, "收入": "number"}}},
        "rules": [{"id": "R1", "kind": "row", "source": "p", "expr": "收入 >= 0", "keys": ["身份证号", "姓名"]}]},
        allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    args = [a for fmt, ext in FORMATS.items() for a in ("-f", fmt, "-o", out / f"report.{ext}")]
    assert _check(pack, *args, "--lacking").returncode == 0
    parts = []
    for path in out.iterdir():
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                parts += [z.read(n).decode("utf-8") for n in z.namelist()]
        else:
            parts.append(path.read_text(encoding="utf-8"))
    everything = "\n".join(parts)
    assert "320102198506152345" not in everything and "欧阳娜娜" not in everything
    assert "3201**********2345" in everything and "欧阳**" in everything
    lacked = json.loads((out / "report.json").read_text(encoding="utf-8"))["lacking"]
    assert [x["keys"] for x in lacked] == [{"身份证号": "3201**********2345", "姓名": "欧阳**"}]


# every golden case that expects items not evaluable: listed, one record per item counted
WITH_NA = [(n, c) for n, c in load_cases()
           if any((w or {}).get("not_evaluable") for w in ((c.get("expect") or {}).get("summary") or {}).values())
           and "problems" not in c["expect"]]


@pytest.mark.parametrize("case", [c for _, c in WITH_NA], ids=[n for n, _ in WITH_NA])
def test_the_items_listed_are_the_items_counted(case, tmp_path):
    path, frames = write_pack(case, tmp_path)
    kwargs = dict(case.get("options", {}))
    kwargs["options"] = {**kwargs.get("options", {}), "lacking": True}
    report = statguard.load_pack(path).validate(frames, **kwargs)
    unlisted = set(report.meta.get("lacking_unlisted") or [])
    rules = {r["id"] for r in case["rules"]}
    for row in report.rules():
        if row["rule_id"] in unlisted or row["rule_id"] not in rules:  # not the explanations' summary row
            continue
        lacked = report.lacking_records(row["rule_id"])
        assert len(lacked) == (row["not_evaluable"] or 0), row["rule_id"]
        assert all(x["message"] for x in lacked)


def test_a_run_that_judged_nothing_is_not_called_a_pass(tmp_path):
    """Rules whose items are all not evaluable (or that had none): the verdict says nothing was
    judged, in every format that shows one, and JUnit shows the rule skipped; the exit code stays 0
    (only violations gate a run)."""
    d = _sbs()
    pack = _pack(tmp_path, [{"id": "NA", "kind": "row", "source": "d", "expr": "vat >= 0",
                             "where": "vat IS NULL"},
                            RULES[2]])
    assert d["vat"].isna().any()
    out = tmp_path / "out"
    run = _check(pack, "-f", "text", "-o", out / "r.txt", "-f", "markdown", "-o", out / "r.md",
                 "-f", "junit", "-o", out / "r.xml", "-f", "html", "-o", out / "r.html")
    assert run.returncode == 0, run.stderr
    assert (out / "r.txt").read_text(encoding="utf-8").splitlines()[1].startswith("NOTHING JUDGED:")
    assert (out / "r.md").read_text(encoding="utf-8").startswith("## ❔ statguard")
    assert "NOTHING JUDGED" in (out / "r.html").read_text(encoding="utf-8")
    junit = (out / "r.xml").read_text(encoding="utf-8")
    assert f'<skipped message="none evaluable ({d["vat"].isna().sum()} items)" />' in junit
    assert 'skipped="2"' in junit
    # one item judged is enough for a pass
    judged = _pack(tmp_path, [{"id": "VAT", "kind": "row", "source": "d", "expr": "vat >= 0", "where": "vat > 0"}],
                   name="judged.yml")
    assert _check(judged).stdout.splitlines()[1].startswith("PASS:")


def test_a_source_of_a_header_alone_is_named_as_holding_no_records(tmp_path):
    (tmp_path / "h.csv").write_text("单位,a,b\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("pack: {name: 空表, lang: zh}\nsources:\n  h: {path: h.csv, unit: 单位}\n"
                                    "rules:\n  - {id: R, kind: row, source: h, expr: a <= b}\n", encoding="utf-8")
    report = statguard.load_pack(tmp_path / "p.yml").validate()
    (rule,) = report.rules()
    assert (rule["items"], rule["errored"]) == (0, False)
    assert rule["error"] == "核查了 0 项：数据源 h 没有任何记录（只有表头？）"
