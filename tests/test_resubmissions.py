"""The resubmissions example pack, and the revisions kind reading the history store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import statguard
from statguard.cli.main import main

PACK = Path(__file__).parents[1] / "rules" / "resubmissions"
INDICATORS = ["地区生产总值", "规上工业增加值", "固定资产投资", "新增市场主体"]


def test_pack_finds_the_development_zone_only(capsys):
    assert main(["check", str(PACK), "-f", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    summary = {r["rule_id"]: r for r in report["summary"]}
    assert (summary["REV-01"]["items"], summary["REV-01"]["fails"]) == (12, 4)
    assert (summary["REV-02"]["items"], summary["REV-02"]["fails"]) == (3, 1)
    found = [v for v in report["violations"] if v["rule_id"] == "REV-01"]
    assert {v["unit"] for v in found} == {"开发区"}  # 高新区's identical resubmission, 港区's explained one pass
    assert sorted(v["keys"]["indicator"] for v in found) == sorted(INDICATORS)
    gdp = next(v for v in found if v["keys"]["indicator"] == "地区生产总值")
    assert gdp["values"]["values"] == [86.4, 88.1, 91.7, 95.2, 98.6]
    assert gdp["period"] == "2024年第三季度"  # as the data writes it (its canonical label is 2024Q3)
    # the pack says lang: zh, and the kind's detail follows it (issue 15)
    assert gdp["detail"] == ("v1=86.4, v2=88.1, v3=91.7, v4=95.2, v5=98.6；5 个不同数值（上限 2）；"
                             "4 次修订全部上调（对本单位有利的方向）；4 次改动中有 4 次未说明原因")
    assert gdp["message"].startswith("开发区 2024年第三季度 地区生产总值：报送 5 次，5 个不同数值：v1=86.4")
    assert main(["check", str(PACK), "-f", "json", "--lang", "en", "--rule", "REV-01"]) == 1
    english = json.loads(capsys.readouterr().out)
    gdp = next(v for v in english["violations"] if v["keys"]["indicator"] == "地区生产总值")
    assert gdp["detail"] == ("v1=86.4, v2=88.1, v3=91.7, v4=95.2, v5=98.6; 5 distinct values (max 2); "
                             "all 4 revisions upward (the flattering side); 4 of 4 changes without a stated reason")


def history_pack(tmp_path: Path) -> Path:
    """The same source, read from the history store instead of its version column."""
    text = (PACK / "pack.yml").read_text(encoding="utf-8")
    text = text.replace("    version: 报送次数\n    reason: 修改说明\n", "")  # REV-01: versions from history
    text = text.replace("keys: [报送单位, 期间, 报送次数]", "keys: [报送单位, 期间]")  # one round has no version column
    text = text.replace("path: data/zone_submissions.csv", f"path: {PACK / 'data' / 'zone_submissions.csv'}")
    path = tmp_path / "pack.yml"
    path.write_text(text, encoding="utf-8")
    return path


def record_versions(tmp_path: Path, store: Path) -> None:
    """Record the five submission rounds one after the other, as the units sent them."""
    data = pd.read_csv(PACK / "data" / "zone_submissions.csv")
    pack = history_pack(tmp_path)
    for n in range(1, 6):
        part = data[data["报送次数"] == n]
        file = tmp_path / f"round{n}.csv"
        part.drop(columns=["报送次数", "报送时间", "修改说明"]).to_csv(file, index=False)
        for reason, rows in part.groupby(part["修改说明"].fillna(""), sort=False):
            one = tmp_path / f"round{n}-{len(reason)}.csv"
            rows.drop(columns=["报送次数", "报送时间", "修改说明"]).to_csv(one, index=False)
            args = ["history", "record", str(one), "-s", "submissions", "-p", str(pack), "--history", str(store)]
            assert main(args + (["--reason", reason] if reason else [])) == 0


def test_revisions_from_the_history_store_agree_with_the_version_column(tmp_path, capsys):
    store = tmp_path / "history.db"
    record_versions(tmp_path, store)
    capsys.readouterr()
    assert main(["history", "list", "--history", str(store), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(s["unit"], s["version"]) for s in listed if s["unit"] == "高新区"] == [("高新区", 1)]  # identical: no v2
    assert [s["version"] for s in listed if s["unit"] == "开发区"] == [1, 2, 3, 4, 5]
    pack = statguard.load_pack(history_pack(tmp_path))
    report = statguard.validate(pack, {}, rules=["REV-01"], options={"history": str(store)})
    rows = report.violations.to_dict("records")
    assert report.summary.loc[0, "errored"] == False  # noqa: E712
    assert report.summary.loc[0, "sources"] == "history:submissions"
    assert sorted((v["unit"], v["keys"]["indicator"]) for v in rows) == sorted(("开发区", i) for i in INDICATORS)
    gdp = next(v for v in rows if v["keys"]["indicator"] == "地区生产总值")
    assert gdp["detail"].startswith("v1=86.4, v2=88.1, v3=91.7, v4=95.2, v5=98.6；5 个不同数值")  # the pack's lang


def test_check_record_adds_the_checked_data_before_rules_read_it(tmp_path, capsys):
    store = tmp_path / "history.db"
    pack = history_pack(tmp_path)
    data = pd.read_csv(PACK / "data" / "zone_submissions.csv").drop(columns=["报送次数", "报送时间", "修改说明"])
    zone = data[data["报送单位"] == "开发区"]
    for n in range(3):
        file = tmp_path / f"v{n}.csv"
        zone.iloc[[n]].to_csv(file, index=False)
        code = main(["check", str(pack), "--rule", "REV-01", "--record", "--history", str(store),
                     "-s", f"submissions={file}", "-f", "json"])
        report = json.loads(capsys.readouterr().out)
        assert report["summary"][0]["errored"] is False
        assert code == (0 if n == 0 else 1)  # one version passes; two upward changes without reasons fail
    assert main(["history", "list", "--history", str(store), "--format", "json"]) == 0
    assert [s["version"] for s in json.loads(capsys.readouterr().out)] == [1, 2, 3]


def test_missing_store_errors_the_rule_with_a_clear_message(tmp_path):
    pack = statguard.load_pack(history_pack(tmp_path))
    report = statguard.validate(pack, {}, options={"history": str(tmp_path / "none.db")})
    summary = {r["rule_id"]: r for r in report.summary.to_dict("records")}
    assert summary["REV-01"]["errored"] and "处没有历史库" in summary["REV-01"]["error"]  # the pack says lang: zh
    assert not summary["REV-02"]["errored"]  # the other rule still runs
    assert not (tmp_path / "none.db").exists()
