"""statguard init on an office workbook and a GBK CSV (issue 15): title rows and a two-row header
found and written as `header:`/`skip:`, every sheet a source, keys and units from text and codes
(not from counts), 身份证号 and phone numbers as text with a pattern and `pii`, months as the
period, serial numbers under 填报日期 or 就业月份 and cells formatted as dates as dates, error cells
(#DIV/0!) left out of a column's type; and `statguard check` on the written pack reads the files
as init read them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml

from statguard.api import validate
from statguard.authoring import infer_pack
from statguard.authoring.sheet_layout import guess_layout
from statguard.engine.spreadsheets import read_grid
from statguard.load import load_pack

sys.path.insert(0, str(Path(__file__).parent))
from office_books import DISTRICTS, TITLE, people, write_all  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_all(tmp_path_factory.mktemp("office") / "data")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run([sys.executable, "-m", "statguard", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=300)


def _sources(pack_file: Path) -> dict[str, dict]:
    return yaml.safe_load(pack_file.read_text(encoding="utf-8"))["sources"]


def test_init_then_check_an_office_workbook_and_a_gbk_csv(office: tuple[Path, Path], tmp_path: Path) -> None:
    book, csv = office
    done = _cli("init", str(book), str(csv), "-o", str(tmp_path / "out"), "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pack_file = tmp_path / "out" / "pack.yml"
    sources = _sources(pack_file)
    assert set(sources) == {"再就业报表_汇总表", "再就业报表_人员名单", "社保缴费记录"}
    summary, listing, paid = sources["再就业报表_汇总表"], sources["再就业报表_人员名单"], sources["社保缴费记录"]
    # the title and the blank row above the two header rows, the row of column numbers below them
    assert (summary["sheet"], summary["header"], summary["skip"]) == ("汇总表", [3, 4], 1)
    assert listing["sheet"] == "人员名单" and "header" not in listing and "skip" not in listing
    assert list(summary["columns"]) == ["区县代码", "区县", "月份", "再就业人数_合计", "再就业人数_其中女性",
                                        "培训人数", "填报日期"]
    assert not any(TITLE in c for c in summary["columns"])
    # keys and unit from the district and the month, never the count (20 repeats)
    assert summary["period"] == "月份" and "月份" in summary["keys"]
    assert summary["unit"] in ("区县", "区县代码") and set(summary["keys"]) <= {"区县", "区县代码", "月份"}
    columns = summary["columns"]
    assert columns["区县代码"]["type"] == "string" and columns["区县代码"]["allowed"] == sorted(DISTRICTS)
    assert columns["再就业人数_合计"]["type"] == columns["培训人数"]["type"] == "integer"
    assert columns["填报日期"]["type"] == "date"
    # personal data: text with a pattern that admits a final X, masked
    for src in (listing, paid):
        assert src["columns"]["身份证号"] == {"type": "string", "nullable": False,
                                             "pattern": "^([0-9]{17}[0-9Xx]|[0-9]{15})$", "pii": True}
        assert src["columns"]["姓名"]["pii"] == "name" and "allowed" not in src["columns"]["姓名"]
    assert listing["columns"]["联系电话"]["type"] == "string" and listing["columns"]["联系电话"]["pii"] is True
    assert listing["keys"] == ["身份证号"] and listing["unit"] == "区县代码"
    assert listing["period"] == "再就业月份" and paid["period"] == "缴费月份"
    assert paid["keys"] == ["身份证号", "缴费月份"]
    # check reads the files as init did: every record, the #N/A cell the one finding
    pack = load_pack(pack_file, check_types=True)
    assert pack.problems == [] and all(not r.problems for r in pack.rules)
    report = validate(pack, {})
    assert not report.errored
    rows = {r["rule_id"]: r for r in report.summary.to_dict("records")}
    assert rows["再就业报表_汇总表-SCHEMA"]["fails"] == 1
    found = report.violations.to_dict("records")
    expected = [("再就业报表_汇总表-SCHEMA", "河西区", "2024-05")]
    assert [(v["rule_id"], v["unit"], v["period"]) for v in found] == expected
    assert "#N/A" in str(found[0]["observed"])
    assert rows["再就业报表_人员名单-SCHEMA"]["passes"] == 5 * len(people())
    assert rows["社保缴费记录-SCHEMA"]["fails"] == 0
    done = _cli("check", str(pack_file), "--lang", "zh", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "河西区 2024-05" in done.stdout
    ids = {p["身份证号"] for p in people()}
    assert not any(i in done.stdout for i in ids)


def test_one_sheet_named_on_the_command_line(office: tuple[Path, Path], tmp_path: Path) -> None:
    book, _ = office
    done = _cli("init", f"{book}#人员名单", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sources = _sources(tmp_path / "out" / "pack.yml")
    assert list(sources) == ["再就业报表_人员名单"] and sources["再就业报表_人员名单"]["sheet"] == "人员名单"
    assert _cli("check", str(tmp_path / "out" / "pack.yml"), cwd=tmp_path).returncode == 0
    wrong = _cli("init", f"{book}#人员", "-o", str(tmp_path / "wrong"), cwd=tmp_path)
    assert wrong.returncode == 2 and "人员名单" in wrong.stderr and "Traceback" not in wrong.stderr


def test_ids_without_an_x_stay_text_and_counts_are_no_key(tmp_path: Path) -> None:
    ids = [p["身份证号"] for p in people() if not str(p["身份证号"]).endswith("X")][:12]
    lines = ["再就业人数,名称,身份证号"] + [f"{20 + i if i != 3 else '未报'},单位{i},{n}" for i, n in enumerate(ids)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = infer_pack([tmp_path / "t.csv"], tmp_path / "out")
    src = result.sources[0]
    assert src.columns["身份证号"].type == "string" and src.columns["身份证号"].pii == "true"
    assert src.columns["再就业人数"].numeric_text
    assert "再就业人数" not in src.keys and src.unit != "再就业人数"
    assert src.keys in (["名称"], ["身份证号"])


def test_layout_of_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    plain = book.active
    plain.title = "plain"
    plain.append(["a", "b"])
    plain.append([1, 2])
    titled = book.create_sheet("titled")
    titled.append(["填报单位：某区", None, None, None, "2024年"])
    titled.append(["代码", "名称", "产值", "增加值", "人数"])
    titled.append(["甲", "乙", 1, 2, 3])
    titled.append(["01", "x", 1, 2, 3])
    titled.append(["02", "y", 1, 2, 3])
    book.save(tmp_path / "b.xlsx")
    layouts = {n: guess_layout(read_grid(tmp_path / "b.xlsx", n, "xlsx")[0]) for n in ("plain", "titled")}
    assert (layouts["plain"].header, layouts["plain"].skip) == (None, None)
    assert (layouts["titled"].header, layouts["titled"].skip) == (2, 1)


def _rates_book(path: Path) -> None:
    """Per district (unit) and year (period): a 再就业率 of numbers but for one #DIV/0! (开发区,
    no one laid off) and one #N/A (新区), a 就业月份 of Excel serial numbers (45292 is 2024-01-01)
    in General format, an 开业日期 formatted as dates and a 核查时间 as dates and times."""
    import datetime as dt
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["区县", "年份", "再就业率", "就业月份", "开业日期", "核查时间"])
    for i, district in enumerate(["东城区", "西城区", "南湖区", "北山区", "开发区", "新区", "老城区", "高新区"]):
        rate = "#DIV/0!" if district == "开发区" else "#N/A" if district == "新区" else 80.5 + i
        ws.append([district, "2024", rate, 45292 + 31 * i, dt.date(2020, 1, 1 + i), dt.datetime(2024, 7, 1, 9, i)])
    book.save(path)


def test_error_cells_and_dates_in_a_workbook(tmp_path: Path) -> None:
    """The rate stays a number (the error cells are findings of the written schema rule, named as
    its exceptions); serial numbers under 就业月份 and cells formatted as dates are dates."""
    _rates_book(tmp_path / "rates.xlsx")
    result = infer_pack([tmp_path / "rates.xlsx"], tmp_path / "out", lang="zh")
    columns = _sources(result.path)["rates"]["columns"]
    assert columns["再就业率"]["type"] == "number"
    assert (columns["就业月份"]["type"], columns["开业日期"]["type"], columns["核查时间"]["type"]) == (
        "date", "date", "datetime")
    report = validate(load_pack(result.path), {})
    cells = sorted((v["unit"], v["keys"]["column"], v["observed"]) for v in report.violations.to_dict("records"))
    assert cells == [("开发区", "再就业率", "#DIV/0!"), ("新区", "再就业率", "#N/A")]
