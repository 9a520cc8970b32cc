"""A formula whose result the file does not hold (a workbook written by a program, e.g. openpyxl,
and never opened in Excel) is reported as that, never as a blank "not filled" by the county.

The workbooks are written here: .xlsx with openpyxl (which saves formulas without results), the
same file with results put in as Excel saves them, and an .ods written by hand as a program
would write one. The findings expected are read off the cells written.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

import statguard

PACK = """\
pack: {{name: 公式, lang: zh}}
sources:
  t:
    path: {path}
    unit: 单位
    columns: {{单位: string, 下岗人数: integer, 已再就业人数: integer, 再就业率: {{type: number, nullable: false}},
              名称: string}}
rules:
  - {{id: 结构, kind: schema, source: t}}
  - {{id: 比率, kind: row, source: t, expr: 再就业率 == 100 * 已再就业人数 / 下岗人数, tolerance: 0.1}}
"""


MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>')


def _xlsx(path: Path) -> None:
    """东城 and 西城: 再就业率 =C/B*100 (and 西城's 名称 ="西城"&"区"), no result saved; 南湖: the value 90."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["单位", "下岗人数", "已再就业人数", "再就业率", "名称"])
    ws.append(["东城区", 10, 7, "=C2/B2*100", "东城区"])
    ws.append(["西城区", 10, 8, "=C3/B3*100", '="西城"&"区"'])
    ws.append(["南湖区", 10, 9, 90, "南湖区"])
    book.save(path)


def _validate(tmp_path: Path, name: str) -> statguard.Report:
    (tmp_path / "pack.yml").write_text(PACK.format(path=name), encoding="utf-8")
    return statguard.load_pack(tmp_path / "pack.yml").validate()


def _findings(report: statguard.Report) -> list[tuple]:
    return [(v["unit"], v["keys"]["column"], v["observed"], v["detail"])
            for v in report.violations.to_dict("records") if v["rule_id"] == "结构"]


def test_formulas_without_results_are_reported_as_formulas(tmp_path):
    _xlsx(tmp_path / "f.xlsx")
    report = _validate(tmp_path, "f.xlsx")
    assert _findings(report) == [
        ("东城区", "再就业率", "=C2/B2*100", "公式没有保存计算结果"),
        ("西城区", "再就业率", "=C3/B3*100", "公式没有保存计算结果"),
        ("西城区", "名称", '="西城"&"区"', "公式没有保存计算结果")]
    rate = next(r for r in report.rules() if r["rule_id"] == "比率")
    # the rates have no value to check: not evaluable, not failed and not passed
    assert (rate["passes"], rate["fails"], rate["not_evaluable"]) == (1, 0, 2)
    out = subprocess.run([sys.executable, "-m", "statguard", "check", "pack.yml"], cwd=tmp_path,
                         capture_output=True, text=True, encoding="utf-8", timeout=120).stdout
    flat = "".join(out.split())
    assert "填报值=C2/B2*100，应为公式的计算结果（文件中没有保存：请在Excel/WPS中打开后保存）" in flat, out
    assert "不可为空" not in out  # not "not filled": the county did fill it in


def test_formulas_with_saved_results_are_their_results(tmp_path):
    """The same workbook as Excel saves it (each formula followed by its result): no finding."""
    _xlsx(tmp_path / "raw.xlsx")
    results = iter([b"<v>70</v>", b"<v>80</v>", "<v>西城区</v>".encode()])
    with zipfile.ZipFile(tmp_path / "raw.xlsx") as src, zipfile.ZipFile(tmp_path / "f.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert data.count(b"<v></v>") == 3 and b'<c r="E3">' in data
                while b"<v></v>" in data:
                    data = data.replace(b"<v></v>", next(results), 1)
                data = data.replace(b'<c r="E3">', b'<c r="E3" t="str">')
            dst.writestr(item, data)
    report = _validate(tmp_path, "f.xlsx")
    assert _findings(report) == []
    rate = next(r for r in report.rules() if r["rule_id"] == "比率")
    assert (rate["passes"], rate["fails"], rate["not_evaluable"]) == (3, 0, 0)


def test_ods_formulas_without_results(tmp_path):
    """An .ods cell with table:formula and no value type, as a program writes it."""
    def cell(value: object = None, formula: str | None = None) -> str:
        if formula:
            return f'<table:table-cell table:formula="{formula}"/>'
        kind = "float" if isinstance(value, int) else "string"
        number = f' office:value="{value}"' if kind == "float" else ""
        return f'<table:table-cell office:value-type="{kind}"{number}><text:p>{value}</text:p></table:table-cell>'
    rows = [[cell(v) for v in ("单位", "下岗人数", "已再就业人数", "再就业率", "名称")],
            [cell("东城区"), cell(10), cell(7), cell(formula="of:=[.C2]/[.B2]*100"), cell("东城区")],
            [cell("南湖区"), cell(10), cell(9), cell(90), cell("南湖区")]]
    body = "".join("<table:table-row>" + "".join(r) + "</table:table-row>" for r in rows)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="表1">{body}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(tmp_path / "f.ods", "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("content.xml", content)
    assert _findings(_validate(tmp_path, "f.ods")) == [("东城区", "再就业率", "=C2/B2*100", "公式没有保存计算结果")]
