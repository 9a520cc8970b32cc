"""A small office workbook and a GBK CSV as a statistical office sends them (issue 15), for `statguard init`.

再就业报表.xlsx, sheet 汇总表: a title merged across the columns, a blank row, a header over two
rows (再就业人数 merged over 合计 and 其中女性; the other names merged down both rows), a row of
column numbers (甲 乙 1 2 ...), then one record per district and month: 区县代码 as text
('001204'), 月份 as '2024-04', counts that repeat (20 in several records), an #N/A cell, and
填报日期 as Excel serial numbers. Sheet 人员名单: one person a row, 身份证号 as text (one ending in
X), 联系电话 as numbers, 姓名. 社保缴费记录.csv (GBK): 身份证号, 姓名, 缴费月份, 缴费基数, 缴费金额.
"""

from __future__ import annotations

import random
from pathlib import Path

TITLE = "2024年1-9月 某市下岗职工再就业情况汇总表"
DISTRICTS = {"001201": "和平区", "001202": "河东区", "001203": "河西区", "001204": "南开区"}
MONTHS = [f"2024-{m:02d}" for m in range(1, 10)]
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def _id_number(rng: random.Random, district: str, i: int) -> str:
    """An 18-digit 身份证号 with a valid check character (X for 10)."""
    body = f"120{district[-3:]}19{rng.randint(60, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{i % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def people(n: int = 40, seed: int = 15) -> list[dict[str, object]]:
    rng = random.Random(seed)
    out = []
    codes = list(DISTRICTS)
    while len(out) < n:
        code = codes[len(out) % len(codes)]
        number = _id_number(rng, code, len(out))
        if number in {p["身份证号"] for p in out}:
            continue
        out.append({"姓名": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                    "身份证号": number, "联系电话": int(f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"),
                    "区县代码": code, "再就业月份": rng.choice(MONTHS)})
    if not any(str(p["身份证号"]).endswith("X") for p in out):
        raise AssertionError("seed gives no 身份证号 ending in X")
    return out


def write_workbook(path: Path) -> None:
    import openpyxl
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "汇总表"
    ws.append([TITLE])
    ws.append([])
    ws.append(["区县代码", "区县", "月份", "再就业人数", None, "培训人数", "填报日期"])
    ws.append([None, None, None, "合计", "其中女性", None, None])
    ws.append(["甲", "乙", "丙", 1, 2, 3, 4])
    for cells in ("A1:G1", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:F4", "G3:G4"):
        ws.merge_cells(cells)
    rng = random.Random(7)
    for m, month in enumerate(MONTHS):
        for code, name in DISTRICTS.items():
            total = rng.choice((20, 20, 25, 30, 35))
            trained = "#N/A" if (m, code) == (4, "001203") else total + rng.randint(0, 10)
            ws.append([code, name, month, total, rng.randint(5, total), trained, 45322 + 30 * m + rng.randint(0, 5)])
    ws2 = book.create_sheet("人员名单")
    rows = people()
    ws2.append(list(rows[0]))
    for p in rows:
        ws2.append(list(p.values()))
    book.save(path)


def write_gbk_csv(path: Path) -> None:
    lines = ["身份证号,姓名,缴费月份,缴费基数,缴费金额"]
    rng = random.Random(11)
    for p in people()[:20]:
        for month in MONTHS[:3]:
            base = rng.choice((3500, 4200, 5000, 6800))
            lines.append(f"{p['身份证号']},{p['姓名']},{month},{base},{base * 8 // 100}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))


def write_all(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    book, csv = folder / "再就业报表.xlsx", folder / "社保缴费记录.csv"
    write_workbook(book)
    write_gbk_csv(csv)
    return book, csv
