"""The HTML report: self-contained, and correct in a real headless Chromium.

Browser tests need Debian's `chromium` (apt-get install -y chromium); they are
skipped when it is absent. Console messages of any kind count as failures:
the page logs nothing when it works.
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
from pathlib import Path

import pytest

from browser import chromium, load
from statguard.report.model import Report
from statguard.report.writers import render

HERE = Path(__file__).parent / "golden_reports"
ROOT = Path(__file__).resolve().parents[1]
needs_browser = pytest.mark.skipif(chromium() is None, reason="chromium is not installed")


@pytest.fixture
def report() -> Report:
    return Report.from_json(HERE / "report.json")


def write(report: Report, path: Path, lang: str = "zh") -> Path:
    path.write_text(render(report, "html", lang), encoding="utf-8")
    return path


def attr(dom: str, element_id: str, name: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*?{name}="([^"]*)"', dom)
    assert match, f"no {name} on #{element_id}"
    return match.group(1)


def results(dom: str) -> dict:
    match = re.search(r'<pre id="results">(.*?)</pre>', dom, re.S)
    assert match, "the driving script wrote no results"
    return json.loads(match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def test_page_is_self_contained_and_escapes_hostile_text(report):
    report.violations.loc[0, "message"] = "</script><script>alert(1)</script>"
    html = render(report, "html", "en")
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<link rel=\"stylesheet\"" not in html and "@import" not in html and "url(http" not in html
    assert "<script src" not in html
    assert "<script>alert(1)" not in html
    assert '"Noto Sans CJK SC"' in html and '"Microsoft YaHei"' in html and '"PingFang SC"' in html


def test_revision_timelines_read_the_revisions_kind_and_other_shapes():
    from statguard.report.views import _series_of
    assert _series_of({"versions": 3, "values": [34, None, 41]}) == [("1", 34.0), ("3", 41.0)]
    assert _series_of({"versions": [{"version": "v2", "value": 5}, {"version": "v3", "value": 7}]}) == [
        ("v2", 5.0), ("v3", 7.0)]
    assert _series_of({"versions": {"2024-01": 1, "2024-02": "2.5"}}) == [("2024-01", 1.0), ("2024-02", 2.5)]
    assert _series_of({"v2": 8, "v1": 6, "other": 1}) == [("1", 6.0), ("2", 8.0)]
    assert _series_of({"versions": 1, "values": [3]}) == []  # one version is no timeline


def test_charts_appear_only_with_their_data(report):
    html = render(report, "html", "en")
    assert 'id="chart-heatmap"' in html and 'id="chart-coverage"' in html and 'id="chart-revisions"' in html
    assert 'id="chart-digits"' not in html  # seven observed values say nothing about digits
    plain = Report(report.pack, report.violations[report.violations["kind"] == "row"], report.summary, report.meta)
    html = render(plain, "html", "en")
    assert 'id="chart-coverage"' not in html and 'id="chart-revisions"' not in html


@needs_browser
@pytest.mark.parametrize("lang,verdict,heading", [("zh", "不通过", "问题明细"), ("en", "FAIL", "Violations")])
def test_page_loads_without_console_messages_and_shows_the_counts(report, tmp_path, lang, verdict, heading):
    dom, console = load(write(report, tmp_path / "r.html", lang))
    assert console == []
    assert 'data-ready="1"' in dom
    assert re.search(rf'id="verdict"[^>]*>{verdict}<', dom)
    counts = {s: re.search(rf'id="count-{s}">(\d+)<', dom).group(1) for s in ("error", "warning", "info", "errored")}
    assert counts == {"error": "4", "warning": "2", "info": "1", "errored": "1"}
    assert attr(dom, "table-rules", "data-total") == "7"
    assert attr(dom, "table-units", "data-total") == "5"
    assert attr(dom, "table-violations", "data-total") == "7"
    assert attr(dom, "table-violations", "data-shown") == "7"
    assert heading in dom
    violations = dom[dom.index('id="table-violations"'):]
    assert violations.count("<tr>") == 1 + 7  # header and seven rows


DRIVE = """
(function () {
  var t = window.statguard.tables, v = t.violations, out = {};
  function first(col) { return v.rows[v.view[0]][v.colIndex(col)]; }
  v.sortBy("observed"); out.sortedFirst = [first("observed"), v.sortDesc];
  v.sortBy("observed"); out.sortedAgain = [first("observed"), v.sortDesc];
  v.search.value = "开发区"; v.text = "开发区"; v.apply(); out.filtered = v.root.getAttribute("data-matching");
  v.text = ""; v.setExact("severity", "error"); out.errors = v.root.getAttribute("data-matching");
  v.setExact("severity", "");
  var cell = document.querySelector('#chart-heatmap .cell[data-unit="东区"][data-rule="C1"]');
  cell.dispatchEvent(new MouseEvent("click", {bubbles: true}));
  out.heatmap = [v.root.getAttribute("data-matching"), first("message")];
  var chip = v.root.querySelector(".chips .chip"); out.chip = chip ? chip.textContent : null;
  v.exact = {}; v.apply();
  var unitRow = t.units.tbody.querySelector("tr"); unitRow.click();
  out.unitClick = v.root.getAttribute("data-matching");
  var pre = document.createElement("pre"); pre.id = "results"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


@needs_browser
def test_tables_sort_filter_and_follow_chart_clicks(report, tmp_path):
    dom, console = load(write(report, tmp_path / "r.html"), script=DRIVE)
    assert console == []
    got = results(dom)
    assert got["sortedFirst"] == [4417, True]  # numbers sort largest first on the first click
    assert got["sortedAgain"] == [0, False]
    assert got["filtered"] == "2"
    assert got["errors"] == "4"
    assert got["heatmap"] == ["1", "东区 claims 100% re-employed; records back 72%"]
    assert got["chip"] == "东区 ×"  # the unit filter can be cleared; the rule shows in its select
    assert got["unitClick"] == "2"  # 东区, the worst unit, has two violations


def _bench():
    spec = importlib.util.spec_from_file_location("report_formats", ROOT / "bench" / "report_formats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGING = """
(function () {
  var v = window.statguard.tables.violations, out = {};
  out.ready = performance.now();
  out.rows = v.tbody.querySelectorAll("tr").length;
  v.go(2); out.page3 = v.info.textContent;
  var t0 = performance.now(); v.sortBy("imbalance"); out.sortMs = performance.now() - t0;
  t0 = performance.now(); v.text = "东城"; v.apply(); out.filterMs = performance.now() - t0;
  out.matching = +v.root.getAttribute("data-matching");
  var pre = document.createElement("pre"); pre.id = "results"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


@pytest.mark.slow
@needs_browser
def test_100000_violations_render_and_page_in_the_browser(tmp_path):
    report = _bench().synthetic_report(100_000)
    t0 = time.perf_counter()
    page = write(report, tmp_path / "big.html", "en")
    assert time.perf_counter() - t0 < 120
    assert page.stat().st_size < 40e6
    dom, console = load(page, script=PAGING, timeout=180)
    assert console == []
    got = results(dom)
    assert got["rows"] == 50  # one page of rows in the DOM, not 100,000
    assert got["page3"] == "101–150 of 100000"
    assert 0 < got["matching"] < 100_000
    print(f"\n100k violations: {page.stat().st_size / 1e6:.1f} MB, ready after {got['ready']:.0f} ms, "
          f"sort {got['sortMs']:.0f} ms, filter {got['filterMs']:.0f} ms")


def test_real_resubmissions_pack_draws_one_timeline_per_figure(tmp_path):
    from statguard.cli.main import main
    page = tmp_path / "resubmissions.html"
    assert main(["check", str(ROOT / "rules" / "resubmissions"), "-f", "html", "-o", str(page)]) == 1
    html = page.read_text(encoding="utf-8")
    assert html.count('class="tile"') == 4  # 开发区's four figures, five versions each
    assert "开发区 · 2024Q3 · 固定资产投资" in html
    if chromium() is not None:
        dom, console = load(page)
        assert console == [] and attr(dom, "table-violations", "data-total") == "5"
