"""statguard init: packs inferred from the bundled examples and validate's data lint clean, and
`check` on the same files reports exactly the records each rule names as exceptions; specific
suggestions are found, with supports and exceptions computed here independently with pandas."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from statguard.api import validate
from statguard.authoring import infer_pack
from statguard.authoring.infer import exception_label
from statguard.cli.main import main
from statguard.load import load_pack

ROOT = Path(__file__).resolve().parents[1]
VALIDATE = ROOT.parent / "shared" / "data" / "validate"
BUNDLED = sorted(d for d in (ROOT / "rules").iterdir() if (d / "data").is_dir())

needs_validate = pytest.mark.skipif(not VALIDATE.is_dir(), reason="../shared/data/validate not present")


def _digest(files: list[Path]) -> list[str]:
    return [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]


def _rules(pack_file: Path) -> dict[str, dict]:
    return {r["id"]: r for r in yaml.safe_load(pack_file.read_text(encoding="utf-8"))["rules"]}


def _assert_passes_except_named(result) -> None:
    """Lints clean; check reports exactly the named exceptions of each rule, and nothing errors."""
    pack = load_pack(result.path, check_types=True)
    assert pack.problems == [] and all(not r.problems for r in pack.rules)
    report = validate(pack, {})
    assert not report.errored
    found: dict[str, set[str]] = {}
    for v in report.violations.to_dict("records"):
        found.setdefault(v["rule_id"], set()).add(exception_label(v))
    named = {rule_id: set(s.exceptions) for rule_id, s in result.rules if s.exceptions}
    assert found == named
    text = result.path.read_text(encoding="utf-8")
    for rule_id, labels in named.items():  # the comment above the rule names them (up to 20)
        block = text[:text.index(f"- id: {rule_id}\n")].rsplit("\n\n", 1)[-1]
        if len(labels) <= 20:
            assert all(label in block for label in labels)
        assert _rules(result.path)[rule_id]["severity"] == "warning"


@pytest.mark.parametrize("folder", BUNDLED, ids=lambda d: d.name)
def test_bundled_examples(folder: Path, tmp_path: Path) -> None:
    files = sorted(p for p in (folder / "data").iterdir() if p.suffix in (".csv", ".xlsx"))
    before = _digest(files)
    result = infer_pack(files, tmp_path, min_support=0.8)
    _assert_passes_except_named(result)
    assert _digest(files) == before  # the data is never modified


@needs_validate
@pytest.mark.parametrize("name", ["SBS2000", "retailers", "samplonomy", "nace_rev2_codes"])
def test_validate_data(name: str, tmp_path: Path) -> None:
    result = infer_pack([VALIDATE / f"{name}.csv"], tmp_path, min_support=0.8)
    _assert_passes_except_named(result)


@needs_validate
def test_sbs2000_turnover_plus_other_revenue_is_total_revenue(tmp_path: Path) -> None:
    # validate's vignette: turnover + other.rev == total.rev, broken by some retailers
    data = pd.read_csv(VALIDATE / "SBS2000.csv")
    complete = data[["turnover", "other.rev", "total.rev"]].notna().all(axis=1)
    holds = (data["turnover"] + data["other.rev"] == data["total.rev"])[complete]
    broken = sorted(data.loc[complete[complete].index[~holds.to_numpy()], "id"])
    assert 0.8 <= holds.mean() < 0.99
    default = infer_pack([VALIDATE / "SBS2000.csv"], tmp_path / "default")
    assert not [s for _, s in default.rules if s.kind == "part_whole"]  # below the default 99%
    result = infer_pack([VALIDATE / "SBS2000.csv"], tmp_path / "low", min_support=0.8)
    (rule_id, found), = [(i, s) for i, s in result.rules if s.kind == "part_whole"
                         and s.params["whole"] == "total.rev"]
    assert set(found.params["parts"]) == {"turnover", "other.rev"}
    assert found.items == complete.sum() and found.support == pytest.approx(holds.mean())
    assert found.exceptions == [f"id={i}" for i in broken]
    written = _rules(result.path)[rule_id]
    assert written["kind"] == "part_whole" and written["whole"] == "total.rev"
    columns = yaml.safe_load(result.path.read_text(encoding="utf-8"))["sources"]["SBS2000"]["columns"]
    assert columns["id"] == {"type": "string", "nullable": False, "pattern": "^RET[0-9]{2}$"}
    assert columns["turnover"]["min"] == 0 and columns["other.rev"]["min"] < data["other.rev"].min()
    assert columns["size"]["allowed"] == sorted(data["size"].unique())


@needs_validate
def test_samplonomy_duplicate_submission_and_balance(tmp_path: Path) -> None:
    data = pd.read_csv(VALIDATE / "samplonomy.csv", dtype=str)
    key = ["period", "region", "measure"]
    dup = data[data.duplicated(key, keep=False)]
    result = infer_pack([VALIDATE / "samplonomy.csv"], tmp_path)
    source = yaml.safe_load(result.path.read_text(encoding="utf-8"))["sources"]["samplonomy"]
    assert source["period"] == "period" and source["unit"] == "region" and "keys" not in source
    unique = [s for _, s in result.rules if s.kind == "unique" and "values" not in s.params]
    assert [s.params["keys"] for s in unique] == [["region", "period", "measure"]]  # in the file's order
    expected = {", ".join(f"{k}={row[k]}" for k in unique[0].params["keys"]) for _, row in dup.iterrows()}
    assert set(unique[0].exceptions) == expected
    # export = balance + import per region and period (balance = export - import)
    wide = data.assign(value=pd.to_numeric(data["value"])).groupby(["region", "period", "measure"])["value"] \
        .max().unstack()
    wide = wide.dropna(subset=["export", "balance", "import"])
    share = (wide["export"] == wide["balance"] + wide["import"]).mean()
    hier = [s for _, s in result.rules if s.kind == "hierarchy" and s.params["code"] == "measure"]
    assert [h.params["mapping"] for h in hier] == [{"export": ["balance", "import"]}]
    assert share >= 0.99 and hier[0].support >= 0.99


def test_chinese_headers_and_gbk(tmp_path: Path) -> None:
    rows = ["单位代码,单位,报告期,营业收入,主营业务收入,其他业务收入,利润率,利润",
            "010101,甲公司,2024-01,100.5,80.2,20.3,10.0,10.05",
            "010102,乙公司,2024-01,200.0,150.0,50.0,12.5,25.0",
            "010103,丙公司,2024-01,50.0,30.0,20.0,8.0,4.0",
            "010101,甲公司,2024-02,110.0,90.0,20.0,9.1,10.0",
            "010102,乙公司,2024-02,210.0,160.0,50.0,11.9,25.0",
            "010103,丙公司,2024-02,60.0,40.0,30.0,10.0,6.0"]  # the last breaks the sum
    data = tmp_path / "企业.csv"
    data.write_bytes("\n".join(rows).encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        data.read_bytes().decode("utf-8")
    result = infer_pack([data], tmp_path / "pack", min_support=0.8, lang="zh")
    _assert_passes_except_named(result)
    text = result.path.read_text(encoding="utf-8")
    assert "主营业务收入" in text and "\\u" not in text and "建议规则" in text
    source = yaml.safe_load(text)["sources"]["企业"]
    assert source["keys"] in (["单位代码", "报告期"], ["单位", "报告期"])
    assert source["period"] == "报告期" and source["unit"] in ("单位", "单位代码")
    assert source["columns"]["单位代码"]["pattern"] == "^[0-9]{6}$"  # leading zeros kept as text
    assert source["columns"]["利润率"]["max"] == 100
    pw = [s for _, s in result.rules if s.kind == "part_whole"]
    found = [(s.params["whole"], sorted(s.params["parts"])) for s in pw]
    assert found == [("营业收入", ["主营业务收入", "其他业务收入"])]
    assert pw[0].exceptions in (["单位代码=010103, 报告期=2024-02"], ["单位=丙公司, 报告期=2024-02"])
    rate = [s for _, s in result.rules if s.kind == "row" and s.tag != "LE"]
    assert [s.params["expr"] for s in rate] == ["利润率 == 100 * 利润 / 营业收入"]  # 10.05 / 100.5 = 10.0%
    # 其他业务收入 <= 主营业务收入 holds and shares the head noun 收入, but both are parts of one sum,
    # and 主营业务收入 <= 营业收入 follows from the sum: no inequality
    assert all(float(r.split(",")[5]) <= float(r.split(",")[4]) for r in rows[1:])
    assert [s.params["expr"] for _, s in result.rules if s.tag == "LE"] == []


def test_excel_and_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame({"region": ["a", "b", "c", "d"] * 2, "year": ["2023"] * 4 + ["2024"] * 4,
                          "men": [1, 2, 3, 4, 5, 6, 7, 8], "women": [2, 3, 1, 4, 3, 2, 5, 1]})
    frame["total"] = frame["men"] + frame["women"]
    frame.to_excel(tmp_path / "people.xlsx", index=False)
    frame.to_parquet(tmp_path / "people.parquet")
    result = infer_pack([tmp_path / "people.xlsx", tmp_path / "people.parquet"], tmp_path / "out")
    _assert_passes_except_named(result)
    assert [s.source for _, s in result.rules if s.kind == "part_whole"] == ["people", "people_2"]
    assert {s.path.name for s in result.sources} == {"people.xlsx", "people.parquet"}


def test_cli_errors_and_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.csv"
    assert main(["init", str(missing), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "not found" in err and "Traceback" not in err
    assert main(["init", str(ROOT / "rules" / "deposits" / "data" / "finance.csv"), "-o", str(tmp_path)]) == 0
    first = (tmp_path / "pack.yml").read_text(encoding="utf-8")
    assert main(["init", str(ROOT / "rules" / "deposits" / "data" / "finance.csv"), "-o", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "pack.yml").read_text(encoding="utf-8") == first
    assert main(["init", str(ROOT / "rules" / "deposits" / "data" / "finance.csv"), "-o", str(tmp_path),
                 "--force", "--lang", "zh"]) == 0
    assert re.search(r"[\u4e00-\u9fff]", (tmp_path / "pack.yml").read_text(encoding="utf-8").splitlines()[0])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".init-")] == []  # no trial pack left
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(missing), "--min-support", "5"])
    assert exit_.value.code == 2


# -- inequalities, ratios, hierarchies along a code list or by prefix, speed ------------------------------

def _holds(data: pd.DataFrame, a: str, b: str) -> tuple[pd.Series, pd.DataFrame]:
    both = data[[a, b]].notna().all(axis=1)
    return (data.loc[both, a] <= data.loc[both, b]), data[both]


@needs_validate
def test_sbs2000_inequalities(tmp_path: Path) -> None:
    data = pd.read_csv(VALIDATE / "SBS2000.csv")
    holds, _ = _holds(data, "staff.costs", "total.costs")
    assert holds.all() and len(holds) == 47  # costs of staff are part of total costs: on every record
    default = infer_pack([VALIDATE / "SBS2000.csv"], tmp_path / "default")
    _assert_passes_except_named(default)
    found = {s.params["expr"]: s for _, s in default.rules if s.tag == "LE"}
    assert list(found) == ["staff.costs <= total.costs"]
    assert found["staff.costs <= total.costs"].items == 47 and found["staff.costs <= total.costs"].support == 1
    # head counts are not compared with money, though staff <= total.rev holds on every record too
    staff, _ = _holds(data, "staff", "total.rev")
    assert staff.all()
    # at 90%: a part of the part-whole relation that does not imply it (other.rev can be negative), and a total
    result = infer_pack([VALIDATE / "SBS2000.csv"], tmp_path / "low", min_support=0.9)
    _assert_passes_except_named(result)
    rules = {s.params["expr"]: (rule_id, s) for rule_id, s in result.rules if s.tag == "LE"}
    for a, b in [("turnover", "total.rev"), ("profit", "total.rev")]:
        holds, both = _holds(data, a, b)
        rule_id, s = rules[f"{a} <= {b}"]
        assert s.items == len(both) and s.support == pytest.approx(holds.mean()) and 0.9 <= holds.mean() < 1
        assert s.exceptions == sorted(f"id={i}" for i in both.loc[~holds, "id"])
        assert _rules(result.path)[rule_id]["kind"] == "row" and rule_id.startswith("SBS2000-LE-")
    assert not [e for e in rules if e.startswith("staff ")]


def test_ratio_as_fraction_and_inequality_by_name(tmp_path: Path) -> None:
    rows = ["单位代码,从业人员,工资总额,人均工资,营业收入,出口交货值,资产总计,负债合计"]
    staff = [12, 30, 7, 55, 19, 40, 23, 8, 61, 15]
    wages = [60.5, 141.0, 30.1, 290.4, 88.8, 230.0, 99.9, 41.6, 300.2, 66.0]
    assets = [500.0, 800.0, 120.0, 1500.0, 430.0, 990.0, 610.0, 150.0, 2100.0, 330.0]
    debts = [200.0, 640.0, 100.0, 700.0, 400.0, 500.0, 300.0, 20.0, 1900.0, 10.0]
    for i, (s, w, a, d) in enumerate(zip(staff, wages, assets, debts, strict=True)):
        per_head = round(w / s, 2)
        rows.append(f"{i:06d},{s},{w},{per_head},{a / 2},{a / 10},{a},{d}")
    data = tmp_path / "工资.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = infer_pack([data], tmp_path / "pack", lang="zh")
    _assert_passes_except_named(result)
    exprs = [s.params["expr"] for _, s in result.rules if s.kind == "row"]
    assert "人均工资 == 工资总额 / 从业人员" in exprs  # a ratio, not in percent; and once (not 从业人员 == ...)
    assert not [e for e in exprs if e.startswith("从业人员 ==") or "100 * 工资总额" in e]
    assert "负债合计 <= 资产总计" in exprs  # 资产总计 is named as a total
    assert all(d <= a for d, a in zip(debts, assets, strict=True))
    assert "出口交货值 <= 营业收入" not in exprs  # holds, but the names tell nothing of a part and a whole
    assert "分项不超过总量" in result.path.read_text(encoding="utf-8")


def _nace_long(path: Path, off: float = 7) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """A long file of section A of NACE (A, divisions 01-03, their groups and classes) for two years,
    whose figures add up along the code list, but for group 01.1 in 2023, `off` above its classes."""
    import numpy as np
    nace = pd.read_csv(VALIDATE / "nace_rev2_codes.csv", dtype=str)
    part = nace[(nace["Code"] == "A") | nace["Code"].str[:2].isin(["01", "02", "03"])]
    kids: dict[str, list[str]] = {}
    for code, parent in zip(part["Code"], part["Parent"], strict=True):
        if isinstance(parent, str):
            kids.setdefault(parent, []).append(code)
    rng = np.random.default_rng(3)
    rows = []
    def fill(code: str, value: dict[str, int]) -> int:
        value[code] = sum(fill(k, value) for k in kids[code]) if code in kids else int(rng.integers(1, 500))
        return value[code]
    for year in ("2022", "2023"):
        value: dict[str, int] = {}
        fill("A", value)
        rows += [(code, year, v) for code, v in value.items()]
    frame = pd.DataFrame(rows, columns=["nace", "year", "turnover"])
    frame.loc[(frame["nace"] == "01.1") & (frame["year"] == "2023"), "turnover"] += off
    frame.to_csv(path, index=False)
    return frame, kids


def _failing_parents(frame: pd.DataFrame, kids: dict[str, list[str]]) -> list[str]:
    """Parents whose value is not the sum of their children's, per year, computed with pandas."""
    out = []
    for year, group in frame.groupby("year"):
        value = dict(zip(group["nace"], group["turnover"], strict=True))
        out += [f"year={year}, nace={p}" for p, ks in kids.items() if p in value
                and value[p] != sum(value.get(k, 0) for k in ks)]
    return sorted(out)


@needs_validate
def test_hierarchy_along_a_code_list(tmp_path: Path) -> None:
    frame, kids = _nace_long(tmp_path / "turnover.csv")
    failing = _failing_parents(frame, kids)
    assert failing == ["year=2023, nace=01", "year=2023, nace=01.1"]  # a wrong group breaks two sums
    compared = sum(1 for _, g in frame.groupby("year") for p in kids if p in set(g["nace"]))
    result = infer_pack([tmp_path / "turnover.csv", VALIDATE / "nace_rev2_codes.csv"], tmp_path / "pack",
                        min_support=0.9)
    _assert_passes_except_named(result)
    (rule_id, s), = [(i, s) for i, s in result.rules if s.kind == "hierarchy"]
    assert s.params == {"code": "nace", "value": "turnover", "by": ["year"], "hierarchy": "nace_rev2_codes",
                        "child": "Code", "parent": "Parent"}
    assert s.items == compared and s.support == pytest.approx(1 - len(failing) / compared)
    assert sorted(s.exceptions) == failing
    # at the default 99% the two broken sums are too many: no rule; with the figures right, one
    assert not [s for _, s in infer_pack([tmp_path / "turnover.csv", VALIDATE / "nace_rev2_codes.csv"],
                                         tmp_path / "strict").rules if s.kind == "hierarchy"]
    _nace_long(tmp_path / "right.csv", off=0)
    right = infer_pack([tmp_path / "right.csv", VALIDATE / "nace_rev2_codes.csv"], tmp_path / "right")
    assert [(s.support, s.exceptions) for _, s in right.rules if s.kind == "hierarchy"] == [(1.0, [])]


@needs_validate
def test_hierarchy_along_a_code_list_reported_in_part(tmp_path: Path) -> None:
    # without the classes (4 digits) the groups have no children in the data: compared where a parent
    # and all its children are reported (mode non_null), as the default would fail every group
    frame, kids = _nace_long(tmp_path / "full.csv")
    upper = frame[frame["nace"].str.len() <= 4]
    upper.to_csv(tmp_path / "upper.csv", index=False)
    complete = [(year, p) for year, g in upper.groupby("year") for p, ks in kids.items()
                if p in set(g["nace"]) and set(ks) <= set(g["nace"])]
    assert len(complete) == 8  # A and its three divisions, in two years
    result = infer_pack([tmp_path / "upper.csv", VALIDATE / "nace_rev2_codes.csv"], tmp_path / "pack",
                        min_support=0.85)
    _assert_passes_except_named(result)
    (_, s), = [(i, s) for i, s in result.rules if s.kind == "hierarchy"]
    assert s.params["mode"] == "non_null" and s.items == len(complete)
    assert s.exceptions == ["year=2023, nace=01"]  # 01.1's own sum is not compared: its classes are absent


@needs_validate
def test_hierarchy_by_prefix(tmp_path: Path) -> None:
    frame, kids = _nace_long(tmp_path / "turnover.csv")
    result = infer_pack([tmp_path / "turnover.csv"], tmp_path / "pack", min_support=0.9)
    _assert_passes_except_named(result)
    (_, s), = [(i, s) for i, s in result.rules if s.kind == "hierarchy"]
    # the parents the codes carry are NACE's own, but for section A (a letter, no prefix of 01)
    assert s.params["mapping"] == {p: sorted(ks) for p, ks in kids.items() if p != "A"}
    assert s.params["unknown_codes"] == "ignore"  # A is in the data and not in the mapping
    assert sorted(s.exceptions) == _failing_parents(frame, {p: k for p, k in kids.items() if p != "A"})


def test_hierarchy_of_chinese_region_codes(tmp_path: Path) -> None:
    # 320000 province, 3201xx and 3202xx cities, their districts: the levels are padded with 00
    counties = {"320100": ["320102", "320104", "320105"], "320200": ["320205", "320206"]}
    rows = ["地区代码,年份,人口"]
    for year, bump in (("2023", 0), ("2024", 3)):
        values = {c: 10 * (i + 1) + bump for i, c in enumerate(sum(counties.values(), []))}
        for city, ds in counties.items():
            values[city] = sum(values[d] for d in ds)
        values["320000"] = values["320100"] + values["320200"]
        rows += [f"{c},{year},{v}" for c, v in values.items()]
    (tmp_path / "人口.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = infer_pack([tmp_path / "人口.csv"], tmp_path / "pack")
    _assert_passes_except_named(result)
    (_, s), = [(i, s) for i, s in result.rules if s.kind == "hierarchy"]
    assert s.params["mapping"] == {"320000": ["320100", "320200"], **counties}
    assert s.support == 1 and s.items == 6 and "unknown_codes" not in s.params


def _bench() -> object:
    import importlib.util
    spec = importlib.util.spec_from_file_location("init_bench", ROOT / "bench" / "init_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_200k_records_suggestions(tmp_path: Path) -> None:
    """200,000 records, 20 columns (the benchmark's file): the relations planted in it are found.
    How long it takes is bench/init_bench.py's business (figures in docs/authoring.md)."""
    data = _bench().write_data(tmp_path / "企业月报.csv")  # type: ignore[attr-defined]
    result = infer_pack([data], tmp_path / "pack")
    what = {s.what: s for _, s in result.rules}
    assert {"男性从业人员 + 女性从业人员 = 从业人员", "主营业务收入 + 其他业务收入 = 营业收入",
            "利润率 = 100 * 利润总额 / 营业收入", "人均工资 = 工资总额 / 从业人员", "负债合计 <= 资产总计"} <= set(what)
    frame = pd.read_csv(data, dtype={"单位代码": str})
    broken = frame["主营业务收入"] + frame["其他业务收入"] - frame["营业收入"]
    assert what["主营业务收入 + 其他业务收入 = 营业收入"].support == pytest.approx((broken.abs() < 0.05).mean())
    source = yaml.safe_load(result.path.read_text(encoding="utf-8"))["sources"]["企业月报"]
    assert source["keys"] == ["单位代码", "期别"] and source["columns"]["单位代码"]["pattern"] == "^[0-9]{9}$"
