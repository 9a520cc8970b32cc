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
from statguard.pack import load_pack

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
    rate = [s for _, s in result.rules if s.kind == "row"]
    assert [s.params["expr"] for s in rate] == ["利润率 == 100 * 利润 / 营业收入"]  # 10.05 / 100.5 = 10.0%


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
