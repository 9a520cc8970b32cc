"""Version comparison (compare_versions, cells) on the SBS2000 processing steps of R validate's cookbook.

The expected (all) figures are those printed in "The Data Validation Cookbook"
(chapter "Comparing data sets"); per-column figures are derived independently
here with pandas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import statguard
from statguard.cli.main import main
from statguard.compare import cells, compare_versions

from conftest import SHARED

SBS = SHARED / "data/validate/cases/09_sbs2000_versions_compare_cells"
SPM = SHARED / "data/validate/cases/20_spm_lumberjack_sequential_versions"
NAMES = ["input", "cleaned", "vat_imp", "med_imp", "units"]
VERSIONS = {n: SBS / f"version_{n}.csv" for n in NAMES}
STEPS = {p.stem: p for p in sorted(SPM.glob("*.csv"))}

PACK = """
sources:
  sbs:
    keys: [id]
    columns: {id: string, staff: number, turnover: number, other.rev: number, total.rev: number}
rules:
  - {id: staff, kind: row, source: sbs, expr: staff >= 0}
  - {id: other, kind: row, source: sbs, expr: other.rev >= 0}
  - {id: turnover, kind: row, source: sbs, expr: turnover >= 0}
  - {id: balance, kind: row, source: sbs, expr: turnover + other.rev == total.rev}
"""


@pytest.fixture()
def pack(tmp_path: Path):
    path = tmp_path / "sbs.yml"
    path.write_text(PACK, encoding="utf-8")
    return statguard.load_pack(path)


def _all(frame: pd.DataFrame, key: str) -> dict[str, list[int]]:
    rows = frame[frame[key] == "(all)"].drop(columns=[key]).set_index("version")
    return {c: [int(v) for v in rows[c]] for c in rows.columns}


def test_cells_reproduce_the_cookbook():
    got = _all(cells(VERSIONS), "column")
    assert got["cells"] == [660] * 5
    assert got["available"] == [580, 580, 581, 584, 584]
    assert got["still_available"] == [580] * 5
    assert got["unadapted"] == [580, 579, 579, 579, 529]
    assert got["adapted"] == [0, 1, 1, 1, 51]
    assert got["imputed"] == [0, 0, 1, 4, 4]
    assert got["missing"] == [80, 80, 79, 76, 76]
    assert got["still_missing"] == [80, 80, 79, 76, 76]
    assert got["removed"] == [0] * 5


def test_cells_per_column_agree_with_pandas():
    frames = {n: pd.read_csv(p) for n, p in VERSIONS.items()}
    got = cells(VERSIONS, how="sequential").set_index(["version", "column"])
    for before, after in zip(NAMES, NAMES[1:], strict=False):
        old, new = frames[before], frames[after]
        for col in new.columns:
            row = got.loc[(after, col)]
            both = old[col].notna() & new[col].notna()
            assert row["imputed"] == (old[col].isna() & new[col].notna()).sum()
            assert row["removed"] == (old[col].notna() & new[col].isna()).sum()
            assert row["adapted"] == (both & (old[col] != new[col])).sum(), (after, col)
    assert got.loc[("units", "staff.costs"), "adapted"] == frames["units"]["staff.costs"].notna().sum()


def test_cells_keyed_rows_added_and_deleted():
    base = pd.read_csv(VERSIONS["input"])
    later = pd.concat([base.iloc[2:], pd.DataFrame({"id": ["NEW1"], "staff": [3]})], ignore_index=True)
    later.loc[later["id"] == "RET03", "other.rev"] = 33
    got = cells({"a": base, "b": later}, key="id").set_index(["version", "column"])
    assert got.loc[("b", "staff"), "added"] == 1
    assert got.loc[("b", "staff"), "deleted"] == 2
    assert got.loc[("b", "other.rev"), "adapted"] == 1
    with pytest.raises(statguard.StatguardError, match="not unique"):
        cells({"a": pd.concat([base, base]), "b": base}, key="id")


def test_compare_rules_reproduce_the_cookbook(pack, tmp_path):
    three = tmp_path / "three.yml"
    three.write_text(PACK.replace("  - {id: staff, kind: row, source: sbs, expr: staff >= 0}\n", ""), encoding="utf-8")
    got = _all(compare_versions(statguard.load_pack(three), VERSIONS), "rule_id")
    assert got["validations"] == [180] * 5
    assert got["verifiable"] == [103, 103, 104, 108, 108]
    assert got["unverifiable"] == [77, 77, 76, 72, 72]
    assert got["satisfied"] == [98, 100, 101, 104, 104]
    assert got["still_satisfied"] == [98] * 5
    assert got["new_satisfied"] == [0, 2, 3, 6, 6]
    assert got["violated"] == [5, 3, 3, 4, 4]
    assert got["still_violated"] == [5, 3, 3, 3, 3]
    assert got["new_violated"] == [0, 0, 0, 1, 1]


def test_lumberjack_steps_sequential(pack):
    """The cookbook's lumberjack log: NA->0 imputes 36 cells, 66 new satisfied and 2 new violations;
    abs() adapts one cell, 2 new satisfied, no new violations; 5 violations at the end."""
    cell = cells(STEPS, how="sequential").set_index(["version", "column"])
    assert cell.loc[("step2_otherrev_na_to_0", "(all)"), "imputed"] == 36
    assert cell.loc[("step3_otherrev_abs", "(all)"), "adapted"] == 1
    assert cell.loc[("step3_otherrev_abs", "(all)"), "imputed"] == 0
    rules = compare_versions(pack, STEPS, how="sequential").set_index(["rule_id", "version"])
    assert rules.loc[("(all)", "step2_otherrev_na_to_0"), "new_satisfied"] == 66
    assert rules.loc[("(all)", "step2_otherrev_na_to_0"), "new_violated"] == 2
    assert rules.loc[("(all)", "step3_otherrev_abs"), "new_satisfied"] == 2
    assert rules.loc[("(all)", "step3_otherrev_abs"), "new_violated"] == 0
    assert rules.loc[("(all)", "step5_staff_ratio_imputed"), "violated"] == 5
    assert rules.loc[("other", "step3_otherrev_abs"), "changed"] == 1


def test_compare_cli(pack, capsys):
    args = ["compare", str(pack.path)] + [f"--version={n}={p}" for n, p in STEPS.items()]
    assert main([*args, "--how", "sequential", "--format", "json"]) == 0
    import json
    out = json.loads(capsys.readouterr().out)
    rows = {(r["rule_id"], r["version"]): r for r in out["rules"]}
    assert rows[("(all)", "step3_otherrev_abs")]["new_satisfied"] == 2
    assert any(c["column"] == "other.rev" and c["imputed"] == 36 for c in out["cells"])
    assert main([*args]) == 0
    assert "new_satisfied" in capsys.readouterr().out
    assert main(["compare", str(pack.path), "--version", "broken"]) == 2


def test_compare_cli_keeps_the_versions_in_the_given_order(pack, capsys):
    """The versions are a sequence (input, then each processing step): every table of the text
    output lists them as given, not alphabetically (input, cleaned, vat_imp, med_imp, units)."""
    args = ["compare", str(pack.path)] + [f"--version={n}={p}" for n, p in VERSIONS.items()]
    assert main(args) == 0
    text = capsys.readouterr().out
    sections = text.split("\n\n")
    assert [s.splitlines()[0] for s in sections if s.strip()] == [
        "Rule outcomes per version", "Cells, all columns", "Cells changed per column"]
    for section in sections:
        header = next(line for line in section.splitlines() if "cleaned" in line)
        positions = [header.index(" " + name) for name in NAMES]
        assert positions == sorted(positions), (header, NAMES)
    # the cells changed per column: one header line per measure, each with the versions in order
    per_column = sections[2].splitlines()
    version_line = next(line for line in per_column if line.startswith("version"))
    found = version_line.split()[1:]
    assert found == NAMES * 3


def test_compare_text_speaks_the_asked_language(pack, capsys):
    """--lang zh: the headings and validate's count names in Chinese, the same numbers as in English."""
    args = ["compare", str(pack.path)] + [f"--version={n}={p}" for n, p in VERSIONS.items()]
    assert main(args) == 0
    english = capsys.readouterr().out
    assert main([*args, "--lang", "zh"]) == 0
    chinese = capsys.readouterr().out
    assert [s.splitlines()[0] for s in chinese.split("\n\n") if s.strip()] == [
        "各版本的规则结果", "单元格（全部列）", "各列变化的单元格"]
    rows = {line.split()[0]: line.split()[1:] for line in english.splitlines() if line.strip()}
    zh_rows = {line.split()[0]: line.split()[1:] for line in chinese.splitlines() if line.strip()}
    assert zh_rows["新不通过"] == rows["new_violated"] and zh_rows["已填补"] == rows["imputed"]
    assert "new_violated" not in chinese and "satisfied" not in chinese
    assert "(all)" in english and "(all)" not in chinese  # the sums' label too (issue 15)
    assert zh_rows["（合计）"] == rows["(all)"]  # the per-column table's row summing the columns


def test_a_rule_without_item_counts_shows_a_dash_and_why(tmp_path, capsys):
    """A schema rule is not compared item by item: its counts were pandas' <NA>, a marker no
    inspector knows; they are '-', and a line under the table says which rules and why."""
    from conftest import ROOT
    investment = ROOT / "rules" / "investment"
    data = investment / "data" / "projects.csv"
    args = ["compare", str(investment), "-s", "projects", f"-V=初报={data}", f"-V=重报={data}", "--key", "单位代码"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "<NA>" not in out and "NaN" not in out
    rows = {line.split()[0]: line.split()[1:] for line in out.split("\n\n")[0].splitlines()[2:]}
    assert rows["不通过"][:4] == ["-", "-", "-", "-"] and rows["不通过"][6:8] == ["1", "1"]  # INV-PARTS: 建邺区
    assert "-：未逐项比较（PROJ-SCHEMA, HOUSE-SCHEMA）" in out
