"""The example pack rules/enterprises runs with no argument but the pack and shows its findings."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from conftest import ROOT

PACK = ROOT / "rules" / "enterprises"


def _check(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "statguard", "check", str(PACK), *args],
                          capture_output=True, text=True, cwd=tmp_path)


def test_enterprises_pack_findings(tmp_path):
    run = _check(tmp_path, "-f", "json")
    assert run.returncode == 1, run.stderr  # violations, no errors
    report = json.loads(run.stdout)
    assert not [r for r in report["summary"] if r["errored"]]
    found = {(v["rule_id"], v["unit"]): v for v in report["violations"]}
    assert set(found) == {("ENT-00", "高新区"), ("ENT-01", "全市"), ("HOUSING-01", "西区")}
    real_estate = found[("ENT-01", "全市")]
    assert real_estate["keys"]["行业类别"] == "房地产业"
    assert (real_estate["observed"], real_estate["expected"], real_estate["imbalance"]) == (38, 36, 2)
    assert real_estate["message"] == "房地产业：全市上报 38 家，各县（市、区）合计 36 家，差 2 家"
    housing = found[("HOUSING-01", "西区")]
    assert housing["keys"]["group"] == "套数" and housing["imbalance"] == 50
    summary = {r["rule_id"]: r for r in report["summary"]}
    assert (summary["ENT-01"]["items"], summary["ENT-01"]["passes"]) == (5, 4)  # five categories
    assert summary["HOUSING-01"]["not_evaluable"] == 1  # 南区 left its idle floor area blank


def test_enterprises_pack_agrees_with_the_data(tmp_path):
    """Each category's county sum, computed here from the bundled CSV, is what the report states."""
    data = pd.read_csv(PACK / "data" / "new_enterprises.csv")
    regions = pd.read_csv(PACK / "data" / "regions.csv")
    counties = set(regions.loc[regions["上级地区"] == "全市", "地区"])
    city = data[data["地区"] == "全市"].set_index("行业类别")["新增规上企业数"]
    sums = data[data["地区"].isin(counties)].groupby("行业类别")["新增规上企业数"].sum()
    off = {c for c in city.index if city[c] != sums.get(c, 0)}
    report = json.loads(_check(tmp_path, "-f", "json", "--rule", "ENT-01").stdout)
    assert {v["keys"]["行业类别"] for v in report["violations"]} == off == {"房地产业"}
    assert city["工业"] == 34 == 21 + 8 + 2 + 2 + 1


def test_enterprises_pack_text_report(tmp_path):
    run = _check(tmp_path)
    assert run.returncode == 1
    assert "ENT-01" in run.stdout and "房地产业" in run.stdout
