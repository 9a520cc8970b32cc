"""Writes the workbooks test_spreadsheets.py reads in the formats no test dependency writes:
book.xls (Excel 97-2003, written with xlwt 1.3), book.et (the same bytes: WPS's .et is the
.xls format) and book.ods (OpenDocument, its XML written here as LibreOffice writes it, error
cells with calcext:value-type="error"). Run once from the repository: python
tests/data/spreadsheets/make_fixtures.py (needs `pip install xlwt`); the files are committed.

Each holds a cover sheet 封面 and the sheet 表1: a title row, a header over two rows (产值
merged over 本年 and 上年), a row of column numbers, then three records:
  代码 (text 001234 / number 1234 shown as 000000 / text 012345), 产值 本年 (10 / #DIV/0! / 30.5),
  产值 上年 (8 / 7 / 9), 日期 (a date / serial 45322 / text 2024-02-01), 名称 (甲 乙 丙).
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORDS = [("001234", 10, 8, dt.date(2024, 1, 31), "甲"),
           (1234, "#DIV/0!", 7, 45322, "乙"),
           ("012345", 30.5, 9, "2024-02-01", "丙")]


def write_xls(path: Path) -> None:
    import xlwt
    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("封面").write(0, 0, "说明")
    ws = book.add_sheet("表1")
    ws.write_merge(0, 0, 0, 4, "2024年 工业企业报表")
    ws.write_merge(1, 2, 0, 0, "代码")
    ws.write_merge(1, 1, 1, 2, "产值")
    ws.write(2, 1, "本年")
    ws.write(2, 2, "上年")
    ws.write_merge(1, 2, 3, 3, "日期")
    ws.write_merge(1, 2, 4, 4, "名称")
    for c, label in enumerate(["甲", "1", "2", "3", "乙"]):
        ws.write(3, c, label)
    code = xlwt.easyxf(num_format_str="000000")
    day = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, record in enumerate(RECORDS, start=4):
        for c, value in enumerate(record):
            if value == "#DIV/0!":
                ws.row(r).set_cell_error(c, 0x07)  # BIFF's code of #DIV/0!
            elif isinstance(value, dt.date):
                ws.write(r, c, value, day)
            elif c == 0 and isinstance(value, int):
                ws.write(r, c, value, code)
            else:
                ws.write(r, c, value)
    book.save(str(path))


_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
       'office:version="1.3"')


def _cell(value: object, span: tuple[int, int] | None = None) -> str:
    spans = f' table:number-columns-spanned="{span[1]}" table:number-rows-spanned="{span[0]}"' if span else ""
    if value is None:
        return "<table:table-cell/>"
    if value == "#DIV/0!":
        return ('<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
                'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>')
    if isinstance(value, dt.date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}"{spans}>'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell office:value-type="string"{spans}><text:p>{value}</text:p></table:table-cell>'


def _covered(n: int = 1) -> str:
    return "<table:covered-table-cell/>" * n


def write_ods(path: Path) -> None:
    rows = [
        '<table:table-cell office:value-type="string" table:number-columns-spanned="5" '
        'table:number-rows-spanned="1"><text:p>2024年 工业企业报表</text:p></table:table-cell>' + _covered(4),
        _cell("代码", (2, 1)) + _cell("产值", (1, 2)) + _covered() + _cell("日期", (2, 1)) + _cell("名称", (2, 1)),
        _covered() + _cell("本年") + _cell("上年") + _covered(2),
        "".join(_cell(v) for v in ["甲", "1", "2", "3", "乙"]),
    ]
    # ODS has no number formats for codes: the number 1234 stays a number (000000 is an Excel thing)
    rows += ["".join(_cell(v) for v in record) for record in RECORDS]
    body = "".join(f"<table:table-row>{r}</table:table-row>" for r in rows)
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}><office:body>'
               f'<office:spreadsheet><table:table table:name="封面"><table:table-row>{_cell("说明")}'
               f'</table:table-row></table:table><table:table table:name="表1">{body}</table:table>'
               f"</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    write_xls(HERE / "book.xls")
    shutil.copyfile(HERE / "book.xls", HERE / "book.et")
    write_ods(HERE / "book.ods")
