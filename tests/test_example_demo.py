"""The README's main job: rules/demo.yml runs the case-3 and case-1 examples together."""

from __future__ import annotations

import json

from statguard.cli.main import main

from conftest import ROOT


def _findings(tmp_path, pack):
    out = tmp_path / f"{pack.replace('/', '_')}.json"
    assert main(["check", str(ROOT / "rules" / pack), "-f", "json", "-o", str(out)]) == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    return report, sorted((v["rule_id"], v["unit"], json.dumps(v["keys"], ensure_ascii=False))
                          for v in report["violations"])


def test_demo_is_the_union_of_the_two_examples(tmp_path):
    demo, found = _findings(tmp_path, "demo.yml")
    _, investment = _findings(tmp_path, "investment")
    _, reemployment = _findings(tmp_path, "reemployment")
    assert found == sorted(investment + reemployment)
    assert demo["pack"] == "示例：投资结构与再就业核查"  # the including file's settings win over its includes
    assert {("INV-PARTS", "建邺区"), ("RE-02", "东城区"), ("RE-03", "北山区")} <= {f[:2] for f in found}
