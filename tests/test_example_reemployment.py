"""The bundled re-employment pack (domain case 1) runs with no argument and finds the planted stories."""

from __future__ import annotations

import json
from collections import Counter

from statguard.cli.main import main

from conftest import ROOT

PACK = ROOT / "rules" / "reemployment"


def _report(tmp_path):
    out = tmp_path / "report.json"
    assert main(["check", str(PACK), "--format", "json", "--output", str(out)]) == 1
    return json.loads(out.read_text(encoding="utf-8"))


def test_reemployment_pack_findings(tmp_path):
    report = _report(tmp_path)
    errors = sorted((v["rule_id"], v["unit"]) for v in report["violations"] if v["severity"] == "error")
    assert errors == sorted([
        ("RE-02", "东城区"),   # claims 100%, contribution records back 14 of 20 = 70%
        ("RE-02", "北山区"),   # claims 83.3%, sent no records at all: 0 of 15 backed
        ("RE-03", "北山区"),   # in the code list, never sent its contribution records
        ("RE-04", "南湖区"),   # reports 90% while its own counts say 24 / 30 = 80%
    ])
    coverage = {v["unit"]: v for v in report["violations"] if v["rule_id"] == "RE-02"}
    east = coverage["东城区"]
    assert east["values"]["claimed_rate"] == 100 and east["values"]["verified_rate"] == 70
    assert (east["values"]["matched"], east["values"]["total"]) == (14, 20)
    assert east["values"]["gap"] == 30
    assert [v["unit"] for v in report["violations"] if v["rule_id"] == "RE-02"] == ["北山区", "东城区"]  # by gap
    assert "上报再就业率 100.0%，社保记录核实 70.0%（14/20 人）" in east["message"]
    rate = next(v for v in report["violations"] if v["rule_id"] == "RE-04")
    assert (rate["observed"], rate["expected"]) == (90, 80)


def test_unbacked_workers_listed_per_district(tmp_path):
    report = _report(tmp_path)
    unbacked = Counter(v["unit"] for v in report["violations"] if v["rule_id"] == "RE-01")
    assert unbacked == {"东城区": 6, "北山区": 15, "西城区": 1, "南湖区": 1, "开发区": 1}
    summary = {r["rule_id"]: r for r in report["summary"]}
    assert summary["RE-01"]["items"] == 90 and summary["RE-01"]["passes"] == 66
    assert summary["RE-05"]["fails"] == 0 and summary["RE-06"]["fails"] == 0  # consistent counts pass


def test_reemployment_pack_lints_clean():
    assert main(["lint", str(PACK)]) == 0


def test_spot_check_sample_per_district_is_reproducible(tmp_path):
    import pandas as pd
    report = _report(tmp_path)  # --output in tmp_path: the sample files go next to the report
    out = report["meta"]["outputs"]["RE-07"]
    claims = pd.read_csv(PACK / "data" / "claims.csv", dtype=str)
    frame = claims.groupby("区县").size()
    sample = pd.read_csv(tmp_path / "RE-07.csv", dtype=str, encoding="utf-8-sig")
    assert sample.groupby("区县").size().to_dict() == {d: min(3, n) for d, n in frame.items()}
    masked = {f"{n[:4]}{'*' * 10}{n[-4:]}" for n in claims["身份证号"]}  # the pack declares 身份证号 pii: true
    assert set(sample["身份证号"]) <= masked
    assert out["seed"] == 20240601
    again = tmp_path / "again"
    again.mkdir()
    _report(again)
    assert pd.read_csv(again / "RE-07.csv", dtype=str, encoding="utf-8-sig").equals(sample)
    assert (tmp_path / "RE-07.xlsx").exists()
    full = tmp_path / "full"  # the list for the calls: --show-pii, the same draw with the numbers in full
    full.mkdir()
    assert main(["check", str(PACK), "--show-pii", "-o", str(full / "report.json")]) == 1
    called = pd.read_csv(full / "RE-07.csv", dtype=str, encoding="utf-8-sig")
    assert set(called["身份证号"]) <= set(claims["身份证号"])
    assert [f"{n[:4]}{'*' * 10}{n[-4:]}" for n in called["身份证号"]] == sample["身份证号"].tolist()


def test_identity_numbers_are_masked_in_everything_a_run_writes(tmp_path, capsys):
    """The flagship example taught users to print full 身份证号 in the terminal, the reports and the
    spot-check list: its pack did not declare the column pii:."""
    import re
    html, csv = tmp_path / "report.html", tmp_path / "report.csv"
    assert main(["check", str(PACK), "-o", str(html), "-o", str(csv)]) == 1
    written = capsys.readouterr().out + "".join(
        p.read_text(encoding="utf-8-sig") for p in (html, csv, tmp_path / "RE-07.csv"))
    assert "1101**********0014" in written
    assert not re.search(r"(?<!\d)\d{17}[\dXx](?!\d)", written)
