"""The HTML report: self-contained, and correct in a real headless Chromium.

Browser tests need Debian's `chromium` (apt-get install -y chromium); they are
skipped when it is absent. Console messages of any kind count as failures:
the page logs nothing when it works.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
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
    live = dom[dom.index('id="table-violations"'):dom.index('id="violations-doc"')]
    assert live.count("<tr") == 1 + 7  # header and seven rows


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
    page = write(report, tmp_path / "big.html", "en")
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
    assert "开发区 · 2024年第三季度 · 固定资产投资" in html
    if chromium() is not None:
        dom, console = load(page)
        assert console == [] and attr(dom, "table-violations", "data-total") == "5"


# -- reports an office can act on (issue 15) -----------------------------------------------------------

def embedded(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="sg-data">(.*?)</script>', html, re.S).group(1))


def test_keys_and_figures_are_columns_not_json(report):
    html = render(report, "html", "zh")
    spec = embedded(html)["tables"]["violations"]
    keys = [c["key"] for c in spec["columns"]]
    # keys that only repeat the unit (H1's, C1's) get no column; S1's item and R1's indicator do
    assert [k for k in keys if k.startswith("key:")] == ["key:item", "key:indicator"]
    rows = {(r[0], r[2]): dict(zip(keys, r, strict=True)) for r in spec["rows"]}
    assert rows[("H1", "东区")]["values"] == "awaiting 100；idle 50；total 160"
    assert rows[("S1", "开发区")]["key:item"] == "外资制造业"
    assert rows[("R1", "开发区")]["values"] == "版本数 34, 36, 41, 45, 52；n_versions 5"
    assert "{" not in "".join(str(r[keys.index("values")]) for r in spec["rows"])
    # printed: each rule its own columns, the figures one per column
    h1 = html[html.index('id="v-H1"'):html.index('id="v-C1"')]
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", h1)
    assert heads == ["报送单位", "期别", "awaiting", "idle", "total", "实际值", "参照值", "差额", "问题说明"]
    assert re.search(r"<td[^>]*>西区</td><td[^>]*>2024-09</td><td[^>]*>3000</td><td[^>]*>1417</td>"
                     r"<td[^>]*>4400</td><td[^>]*>4417</td><td[^>]*>4400</td><td[^>]*>17</td>", h1)


def test_figures_read_as_display_writes_them(report):
    from statguard.report.views import display
    report.violations.loc[0, "observed"] = 0.1 + 0.2
    html = render(report, "html", "en")
    spec = embedded(html)["tables"]["violations"]
    at = [c["key"] for c in spec["columns"]].index("observed")
    assert spec["rows"][0][at] == 0.1 + 0.2  # sorts as a number
    assert spec["shown"]["observed"][0] == display(0.1 + 0.2) != "0.30000000000000004"
    assert f">{display(0.1 + 0.2)}<" in html[html.index('id="v-H1"'):] and "0.30000000000000004<" not in html


def test_rules_link_to_their_violations_and_back(report):
    html = render(report, "html", "en")
    assert '<a id="r-H1" href="#v-H1">H1</a>' in html
    assert '<a id="r-P1">P1</a>' in html  # P1 has no violations: nothing to link to
    group = html[html.index('id="v-S1"'):]
    assert group.startswith('id="v-S1"><h3><a href="#r-S1">S1</a>') and 'class="back" href="#r-S1"' in group[:600]
    anchors = embedded(html)["anchors"]
    assert anchors["v-"] == {"C1": "C1", "H1": "H1", "R1": "R1", "S1": "S1", "Y1": "Y1"}
    odd = Report(report.pack, report.violations.assign(rule_id="A 1#"), report.summary.assign(
        rule_id=["A 1#" if i == 0 else r for i, r in enumerate(report.summary["rule_id"])]), report.meta)
    assert 'id="v-A_1_"' in render(odd, "html", "en") and 'href="#v-A_1_"' in render(odd, "html", "en")


def test_scorecard_only_when_the_pack_asks_for_it(report):
    assert 'id="scorecard"' not in render(report, "html", "en")
    asked = Report(report.pack, report.violations, report.summary, {**report.meta, "scorecard": {}})
    assert '<section id="scorecard">' in render(asked, "html", "en")


def _no_unit(report: Report) -> Report:
    v = report.violations.copy()
    v.loc[v["rule_id"] == "Y1", "unit"] = None  # 北区's only violation loses its unit
    return Report(report.pack, v, report.summary, report.meta)


def test_violations_without_a_unit_are_in_the_units_table_and_heatmap(report):
    html = render(_no_unit(report), "html", "zh")
    units = embedded(html)["tables"]["units"]["rows"]
    assert [r[:5] for r in units if r[0] == "（无单位）"] == [["（无单位）", 0, 0, 1, 1]]
    assert "北区" not in [r[0] for r in units]
    assert 'data-unit="（无单位）" data-rule="Y1"' in html
    spec = embedded(html)["tables"]["violations"]
    assert [r[2] for r in spec["rows"] if r[0] == "Y1"] == ["（无单位）"]
    en = render(_no_unit(report), "html", "en")
    assert ["(no unit)", 0, 0, 1, 1] in [r[:5] for r in embedded(en)["tables"]["units"]["rows"]]


def test_claimed_vs_verified_chart_draws_the_threshold(report):
    from statguard.report.charts import LABEL_W, coverage
    assert 'class="threshold"' not in coverage(report, "en")  # C1 judges claims: no fixed threshold
    v = report.violations.copy()
    rows = v["rule_id"] == "C1"
    # a min_rate item: observed is the verified rate, expected the lowest accepted rate (75%)
    v.loc[rows, "observed"] = [72.0, 81.0]
    v.loc[rows, "expected"] = 75.0
    svg = coverage(Report(report.pack, v, report.summary, report.meta), "zh")
    x = LABEL_W + 420 * 75 / 100  # plot 420 px wide, 0-100%
    assert re.search(rf'<line x1="{x:.1f}" y1="\d+" x2="{x:.1f}" y2="\d+" class="threshold">', svg)
    assert "核实率下限 75%" in svg
    v.loc[rows, "values"] = [{"claimed_rate": 100, "verified_rate": 72, "tolerance": 5},
                             {"claimed_rate": 95, "verified_rate": 81, "tolerance": 5}]
    svg = coverage(Report(report.pack, v, report.summary, report.meta), "en")
    assert f'x1="{LABEL_W + 420 * 95 / 100:.1f}"' in svg and svg.count('class="tolerance"') == 3  # legend + 2 units


def test_print_has_page_margins_and_a_signature_block(report):
    html = render(report, "html", "zh")
    margins = re.search(r'<style media="print">(.*?)</style>', html).group(1)
    assert "@top-left" in margins and "counter(page)" in margins and "counter(pages)" in margins
    assert '"2024-10-08"' in margins
    assert 'id="sign" class="print-only"' in html and "审核人（签字）" in html and "日期" in html
    hostile = Report('x"; } body { color: red', report.violations, report.summary, report.meta)
    margins = re.search(r'<style media="print">(.*?)</style>', render(hostile, "html", "en")).group(1)
    assert 'x"' not in margins and "{ color" not in margins and "x\\000022\\00003b \\00007d" in margins


OFFICE_PACK = """\
pack: {name: 投资报表核查, lang: zh}
sources:
  投资:
    path: data.csv
    unit: 区县
    period: 期别
    keys: [单位代码]
    columns: {单位代码: string, 区县: string, 制造业: number, 服务业: number, 合计: number}
rules:
  - {id: INV-SUM, kind: row, source: 投资, expr: 制造业 + 服务业 == 合计, description: 制造业 + 服务业 = 合计,
     message: "{单位代码}/SUM: 制造业 {制造业} + 服务业 {服务业} = {observed}，合计 {expected}"}
  - {id: INV-SVC, kind: row, source: 投资, severity: warning, expr: 服务业 <= 55, description: 服务业不超过 55,
     message: "{单位代码}/SVC: 服务业 {服务业}"}
"""
DISTRICTS = ["玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区", "江宁区", "六合区", "溧水区"]


def office_rows() -> list[dict]:
    """150 records: (制造业 + 服务业 != 合计) unless i % 5 == 0, 服务业 > 55 when i % 7 == 6; every 25th has no unit."""
    rows = []
    for i in range(150):
        a, b = 100 + i, 50 + i % 7
        rows.append({"单位代码": f"D{i:04d}", "区县": "" if i % 25 == 1 else DISTRICTS[i % 10], "期别": "2024年9月",
                     "制造业": a, "服务业": b, "合计": a + b + (0 if i % 5 == 0 else 1 + i % 3)})
    return rows


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, dict[str, set[str]]]:
    """A pack run from the command line into an HTML report; the codes each rule must list, by hand."""
    import csv

    from statguard.cli.main import main
    rows = office_rows()
    with open(tmp_path / "data.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "pack.yml").write_text(OFFICE_PACK, encoding="utf-8")
    page = tmp_path / "report.html"
    assert main(["check", str(tmp_path / "pack.yml"), "-f", "html", "-o", str(page), "-f", "json",
                 "-o", str(tmp_path / "report.json")]) == 1
    want = {"SUM": {r["单位代码"] for i, r in enumerate(rows) if i % 5},
            "SVC": {r["单位代码"] for i, r in enumerate(rows) if i % 7 == 6}}
    assert (len(want["SUM"]), len(want["SVC"])) == (120, 21)
    return page, want


PRINTED = """
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("style"), function (s) {
    s.textContent = s.textContent.replace(/@media print/g, "@media all"); s.media = "all";
  });
  window.dispatchEvent(new Event("beforeprint"));
  function shown(selector) {
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (n) {
      return n.getClientRects().length > 0; });
  }
  var out = {};
  out.rows = shown("#violations tbody tr").map(function (tr) { return tr.textContent; });
  out.live = shown(".sg-live").length;
  out.rules = shown("#rules tbody tr").length;
  out.units = shown("#units tbody tr").length;
  out.sign = shown("#sign").length;
  var pre = document.createElement("pre"); pre.id = "results"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


def print_pdf(page: Path, pdf: Path) -> Path:
    """`page` printed to `pdf` by headless Chromium, as a reader's "print to PDF" does (without the
    browser's own header and footer: the page's @page margins give them)."""
    import subprocess
    import tempfile

    from browser import FLAGS
    with tempfile.TemporaryDirectory(prefix="sg-chromium-") as profile:
        subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                        f"--print-to-pdf={pdf}", page.resolve().as_uri()],
                       capture_output=True, timeout=120, check=False)
    assert pdf.exists()
    return pdf


def _codes(texts: list[str] | str, rule: str) -> list[str]:
    text = texts if isinstance(texts, str) else "\n".join(texts)
    return re.findall(rf"(D\d{{4}})/{rule}", text)


@needs_browser
@pytest.mark.parametrize("static_rows", [None, 10])  # 10: too many to write twice, the page builds them to print
def test_printing_shows_every_violation(office, monkeypatch, static_rows):
    page, want = office
    if static_rows:
        from statguard.report import html
        monkeypatch.setattr(html, "STATIC_ROWS", static_rows)
        write(Report.from_json(page.with_name("report.json")), page)
        assert 'id="v-INV-SUM"' not in page.read_text(encoding="utf-8")
    dom, console = load(page, script=PRINTED)
    assert console == []
    got = results(dom)
    assert got["live"] == 0 and got["sign"] == 1 and got["rules"] == 2
    assert got["units"] == 11  # ten districts and (no unit)
    assert len(got["rows"]) == 141
    for rule in ("SUM", "SVC"):
        assert sorted(_codes(got["rows"], rule)) == sorted(want[rule])


@needs_browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_holds_every_violation_on_numbered_a4_pages(office, tmp_path):
    import subprocess
    page, want = office
    pdf = print_pdf(page, tmp_path / "report.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for rule in ("SUM", "SVC"):
        assert sorted(_codes(text, rule)) == sorted(want[rule])  # each once, none left out
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    pages = len(sizes)
    assert pages >= 3 and f"第 1 页，共 {pages} 页" in text and f"第 {pages} 页，共 {pages} 页" in text
    a4 = {(595, 842), (842, 595)}
    assert {(round(float(w)), round(float(h))) for w, h in sizes} == a4  # summary portrait, violations landscape
    assert text.count("投资报表核查") >= pages  # the pack's name on every page
    assert "审核人（签字）" in text


NO_SCRIPT = """
(function () {
  function shown(selector) {
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (n) {
      return n.getClientRects().length > 0; }).map(function (n) { return n.textContent; });
  }
  var out = {verdict: shown("#verdict"), counts: shown(".card b"), rules: shown("#rules tbody tr"),
             violations: shown("#violations tbody tr").length, units: shown("#units tbody tr").length,
             links: shown("#rules a[href]").map(String)};
  var pre = document.createElement("pre"); pre.id = "results"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


@needs_browser
def test_summary_and_rules_read_without_javascript(office):
    page, _ = office
    bare = page.with_name("bare.html")
    bare.write_text(re.sub(r"<script>.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S),
                    encoding="utf-8")
    assert "<script>" not in bare.read_text(encoding="utf-8")
    dom, console = load(bare, script=NO_SCRIPT)  # only this probe runs, not the report's own script
    assert console == []
    got = results(dom)
    assert got["verdict"] == ["不通过"] and got["counts"] == ["120", "21", "0"]
    assert [r.split("不通过")[0] for r in got["rules"]] == ["INV-SUM错误row制造业 + 服务业 = 合计150301200",
                                                          "INV-SVC警告row服务业不超过 55150129210"]
    assert got["links"] == ["INV-SUM", "INV-SVC"] and got["violations"] == 141 and got["units"] == 11


FOLLOW = """
(function () {
  var t = window.statguard.tables, out = {};
  document.querySelector('#table-rules .sg-live a[href="#v-INV-SVC"]').click();
  out.filtered = t.violations.root.getAttribute("data-matching");
  var back = t.violations.tbody.querySelector('a[href="#r-INV-SVC"]');
  back.click();
  out.flash = Array.prototype.map.call(t.rules.tbody.querySelectorAll("tr.flash"), function (tr) {
    return tr.getAttribute("data-rule"); });
  var row = Array.prototype.filter.call(t.units.tbody.querySelectorAll("tr"), function (tr) {
    return tr.firstChild.textContent === "（无单位）"; })[0];
  row.click();
  out.noUnit = t.violations.root.getAttribute("data-matching");
  var pre = document.createElement("pre"); pre.id = "results"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


@needs_browser
def test_rule_links_filter_the_live_table_and_lead_back(office):
    page, _ = office
    dom, console = load(page, script=FOLLOW)
    assert console == []
    got = results(dom)
    assert got["filtered"] == "21"
    assert got["flash"] == ["INV-SVC"]
    assert got["noUnit"] == "7"  # i = 1, 26, 51, 76, 101, 126 fail INV-SUM; 76 also INV-SVC


@needs_browser
def test_a_report_without_violations_loads_and_prints_its_rules(report, tmp_path):
    passed = Report(report.pack, report.violations.iloc[0:0], report.summary, report.meta)
    page = write(passed, tmp_path / "pass.html", "en")
    assert 'id="table-violations"' in page.read_text(encoding="utf-8")
    dom, console = load(page, script=PRINTED)
    assert console == []
    got = results(dom)
    assert got["rows"] == [] and got["rules"] == 7 and got["units"] == 0 and got["sign"] == 1
