"""The bundled example pack of domain case 3 finds exactly the planted inconsistencies."""

from __future__ import annotations

import json

from statguard.cli.main import main

from conftest import ROOT

PACK = ROOT / "rules" / "investment"


def test_investment_pack_findings(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main(["check", str(PACK), "--format", "json", "--output", str(out)]) == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    found = sorted((v["rule_id"], v["unit"]) for v in report["violations"])
    assert found == sorted([
        ("PROJ-SCHEMA", "浦口区"),      # 外资 = "xxx", a template placeholder
        ("INV-PARTS", "建邺区"),        # 230.1 + 205.6 > 415.3
        ("INV-SHARE-SVC", "鼓楼区"),    # 52.8% reported, 140.53 / 300.14 = 46.8%
        ("HOUSE-UNITS", "秦淮区"),      # 1020 + 860 != 1850 (GB18030-encoded file)
        ("HOUSE-UNITS", "浦口区"),      # 1000 + 870 != 1900
        ("AUDIT-SUM", "鼓楼区"),        # 21 + 15 != 38
        ("MEDIA-RATE", "鼓楼区"),       # 100% reported, 231 / 240 = 96.25%
        ("MEDIA-PERFECT", "建邺区"),    # a perfect 100%: info, spot-check
        ("MEDIA-PERFECT", "鼓楼区"),
    ])
    by_rule = {v["rule_id"]: v for v in report["violations"]}
    assert by_rule["INV-PARTS"]["imbalance"] == 230.1 + 205.6 - 415.3
    assert by_rule["MEDIA-RATE"]["expected"] == 100 * 231 / 240
    assert by_rule["PROJ-SCHEMA"]["observed"] == "xxx"
    foreign = next(r for r in report["summary"] if r["rule_id"] == "INV-FOREIGN")
    assert foreign["not_evaluable"] == 1  # 浦口区: 外资 missing, its share cannot be judged
    assert report["meta"]["sources"]["housing"]["rows"] == 6


def test_investment_pack_lints_clean(capsys):
    assert main(["lint", str(PACK)]) == 0
