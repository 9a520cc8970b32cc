"""The scorecard inside the HTML and Excel reports, also when re-rendered from a saved JSON report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from statguard import load_pack
from statguard.api import validate
from statguard.cli.main import main
from statguard.report.model import Report
from statguard.report.writers import render

DATA = Path(__file__).parent / "data" / "scorecard"


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A four-month run saved as JSON, then read back: scoring must not need the data."""
    path = tmp_path_factory.mktemp("sc") / "report.json"
    validate(load_pack(DATA / "pack.yml"), {"claims": DATA / "claims.csv"}).to_json(path)
    return path


def embedded_tables(html: str) -> dict:
    data = re.search(r'<script type="application/json" id="sg-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(data)["tables"]


def test_html_has_the_scorecard_escalation_and_trend(saved):
    html = render(Report.from_json(saved), "html", lang="zh")
    assert '<section id="scorecard">' in html and "报送单位可信度评分" in html
    assert "督办名单：连续 3 期及以上未通过" in html
    tables = embedded_tables(html)
    card = tables["scorecard"]
    assert [c["label"] for c in card["columns"]][:4] == ["组内排名", "报送单位", "分组", "得分"]
    scores = {row[1]: row[3] for row in card["rows"]}
    assert scores == {"甲县": 0.0, "东区": 25.0, "西区": 25.0, "乙县": 91.0, "南区": 100.0}
    assert [row[0] for row in tables["escalation"]["rows"]] == ["甲县", "东区"]
    assert len(tables["trend"]["rows"]) == 5 * 4


def test_html_without_units_has_no_scorecard(tmp_path):
    (tmp_path / "p.yml").write_text("sources: {t: {columns: {a: number}}}\n"
                                    "rules: [{id: A, kind: row, source: t, expr: a > 0}]\n", encoding="utf-8")
    import pandas as pd
    report = validate(load_pack(tmp_path / "p.yml"), {"t": pd.DataFrame({"a": [1, -1]})})
    assert 'id="scorecard"' not in render(report, "html", lang="en")


def test_xlsx_has_scorecard_sheets_with_chinese_headers(saved, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    assert main(["report", str(saved), "--format", "xlsx", "--output", str(out), "--lang", "zh"]) in (0, 1)
    wb = openpyxl.load_workbook(out)
    assert {"报送单位可信度评分", "督办名单", "各期得分"} <= set(wb.sheetnames)
    rows = list(wb["报送单位可信度评分"].iter_rows(values_only=True))
    assert rows[0][:4] == ("组内排名", "报送单位", "分组", "得分")
    assert [(r[1], r[3]) for r in rows[1:]] == [("甲县", 0), ("东区", 25), ("西区", 25), ("乙县", 91), ("南区", 100)]
    assert wb["报送单位可信度评分"].freeze_panes == "A2"
    esc = list(wb["督办名单"].iter_rows(values_only=True))
    assert [(r[0], r[2], r[3]) for r in esc[1:]] == [("甲县", 4, "2024-01"), ("东区", 3, "2024-02")]


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium")
def test_scorecard_tables_render_in_a_headless_browser(saved, tmp_path):
    page = tmp_path / "r.html"
    page.write_text(render(Report.from_json(saved), "html", lang="en"), encoding="utf-8")
    done = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert re.search(r'id="table-scorecard"[^>]*data-total="5"', dom), dom[:2000]
    assert re.search(r'id="table-escalation"[^>]*data-total="2"', dom)
    assert "Uncaught" not in done.stderr
