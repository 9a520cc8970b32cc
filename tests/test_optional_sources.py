"""Optional sources: absent ones skip their rules with a note in every format, never an error."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

PACK = """
pack: {name: opt}
sources:
  a: {path: a.csv, unit: u}
  claims: {optional: true, unit: u}
  mandatory: {unit: u}
rules:
  - {id: R1, kind: row, source: a, expr: v >= 0}
  - {id: R2, kind: row, source: claims, expr: v >= 0}
  - {id: R3, kind: row, source: mandatory, expr: v >= 0}
"""


def _run(tmp_path, *args):
    (tmp_path / "p.yml").write_text(PACK, encoding="utf-8")
    (tmp_path / "a.csv").write_text("u,v\nA,1\nB,2\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "statguard", "check", "p.yml", *args], cwd=tmp_path,
                          capture_output=True, text=True)


def test_absent_optional_source_skips_its_rules_and_a_missing_mandatory_one_is_an_error(tmp_path):
    out = _run(tmp_path, "-f", "json", "--fail-on", "never")
    summary = {r["rule_id"]: r for r in json.loads(out.stdout)["summary"]}
    assert summary["R1"]["skipped"] is False and summary["R1"]["passes"] == 2
    assert summary["R2"]["skipped"] is True and not summary["R2"]["errored"]
    assert "claims" in summary["R2"]["error"]
    assert summary["R3"]["errored"] is True and summary["R3"]["skipped"] is False


def test_skipped_rules_are_named_in_text_and_junit(tmp_path):
    out = _run(tmp_path, "--lang", "zh", "--rule", "R1", "--rule", "R2")
    assert out.returncode == 0, out.stderr
    assert "1 条规则未运行" in out.stdout and "未提供可选数据源 claims" in out.stdout
    junit = _run(tmp_path, "-f", "junit", "--rule", "R1", "--rule", "R2").stdout
    suite = ET.fromstring(junit).find("testsuite")
    assert suite.get("skipped") == "1"
    assert suite.find("testcase[@name='R2']/skipped") is not None


def test_optional_must_be_a_boolean(tmp_path):
    (tmp_path / "p.yml").write_text("sources:\n  a: {optional: sometimes}\nrules: []\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "statguard", "lint", "p.yml"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 2 and "p.yml:2" in out.stdout + out.stderr and "optional" in out.stdout + out.stderr
