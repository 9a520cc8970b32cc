"""A rule that ran and evaluated 0 items says so (issue 16: a hierarchy whose mode skipped every
group compared nothing, silently): status 'empty' and a note in the summary, in every format."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl

PACK = """sources:
  t: {path: t.csv, keys: [k]}
rules:
  - {id: NONE, kind: row, source: t, expr: v > 0, where: "kind = 'x'"}
  - {id: SOME, kind: row, source: t, expr: v > -100}
"""
NOTE = "evaluated 0 items: nothing was checked"


def _run(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "statguard", "check", "pack.yml", *args], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8")


def test_a_rule_that_evaluates_nothing_is_noted_in_every_format(tmp_path):
    (tmp_path / "t.csv").write_text("k,kind,v\na,y,1\nb,y,-1\n", encoding="utf-8")
    (tmp_path / "pack.yml").write_text(PACK, encoding="utf-8")
    text = _run(tmp_path)
    assert text.returncode == 0  # a note, not a failure
    assert "nothing checked" in text.stdout and f"- NONE: {NOTE}" in text.stdout
    assert "SOME" in text.stdout and "- SOME:" not in text.stdout
    zh = _run(tmp_path, "--lang", "zh").stdout
    assert "未核查任何项" in zh and "核查了 0 项" in zh
    for fmt in ("json", "markdown", "html", "xlsx"):
        assert _run(tmp_path, "-f", fmt, "-o", f"out.{fmt}").returncode == 0
    summary = {r["rule_id"]: r for r in json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["summary"]}
    assert summary["NONE"]["items"] == 0 and NOTE in summary["NONE"]["error"] and not summary["NONE"]["errored"]
    assert summary["SOME"]["items"] == 2 and summary["SOME"]["error"] is None
    markdown = (tmp_path / "out.markdown").read_text(encoding="utf-8")
    assert f"| NONE | error | 0 | 0 | nothing checked | {NOTE}" in markdown
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "Rules that checked nothing</h3><ul><li><b>NONE</b>: " + NOTE in html
    rows = [row for ws in openpyxl.load_workbook(tmp_path / "out.xlsx").worksheets
            for row in ws.iter_rows(values_only=True) if row and row[0] == "NONE"]
    assert any("nothing checked" in row and any(NOTE in str(c) for c in row) for row in rows), rows
