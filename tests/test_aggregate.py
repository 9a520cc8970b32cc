"""The aggregate kind and group statistics in row rules on R validate's SBS2000 data, every
figure checked against pandas (a different computation: pandas ignores NaN as SQL ignores
NULL; Series.corr uses the pairwise complete records, as SQL's CORR; quantiles linear, as R's
default type 7)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import statguard

from conftest import SHARED

SBS = SHARED / "data" / "validate" / "SBS2000.csv"
NEVER = -1e15  # a bound every statistic misses: each group is reported with its statistic


def _pack(tmp_path: Path, rules: str) -> Path:
    path = tmp_path / "sbs.yml"
    path.write_text(f"""sources:
  sbs:
    path: {SBS}
    keys: [id]
    unit: id
rules:
{rules}""", encoding="utf-8")
    return path


def _run(tmp_path: Path, rules: str) -> statguard.Report:
    return statguard.load_pack(_pack(tmp_path, rules)).validate()


@pytest.fixture(scope="module")
def sbs() -> pd.DataFrame:
    return pd.read_csv(SBS)


def test_validate_examples_over_the_whole_source(tmp_path, sbs):
    report = _run(tmp_path, """  - {id: MEAN, kind: aggregate, source: sbs, expr: mean(turnover) > 0}
  - {id: COR, kind: aggregate, source: sbs, expr: "cor(turnover, staff) > 0.5"}
""")
    summary = report.summary.set_index("rule_id")
    assert summary.loc["MEAN", "passes"] == 1  # mean of the 56 known turnovers, about 20279
    assert sbs["turnover"].mean() > 0
    assert summary.loc["COR", "fails"] == 1
    (cor,) = report.violations.to_dict("records")
    assert cor["observed"] == pytest.approx(sbs["turnover"].corr(sbs["staff"]), rel=1e-9)
    assert cor["expected"] == 0.5 and cor["imbalance"] == pytest.approx(cor["observed"] - 0.5)
    assert cor["values"]["records"] == len(sbs)


@pytest.mark.parametrize("expr, statistic", [
    ("mean(turnover)", lambda g: g["turnover"].mean()),
    ("median(turnover)", lambda g: g["turnover"].median()),
    ("sd(turnover)", lambda g: g["turnover"].std()),
    ("quantile(turnover, 0.9)", lambda g: g["turnover"].quantile(0.9)),
    ("cor(turnover, staff)", lambda g: g["turnover"].corr(g["staff"])),
    ("count(profit)", lambda g: g["profit"].count()),
    ("share(turnover > 1000)", lambda g: (g["turnover"].dropna() > 1000).mean()),
])
def test_statistics_per_size_class_agree_with_pandas(tmp_path, sbs, expr, statistic):
    report = _run(tmp_path, f"  - {{id: S, kind: aggregate, source: sbs, expr: '{expr} < {NEVER}', by: [size]}}\n")
    got = {v["keys"]["size"]: v["observed"] for v in report.violations.to_dict("records")}
    want = {size: statistic(group) for size, group in sbs.groupby("size")}
    assert sorted(got) == sorted(want)
    for size, value in want.items():
        assert got[size] == pytest.approx(float(value), rel=1e-9), size


def test_all_and_the_records_failing_it_per_group(tmp_path, sbs):
    report = _run(tmp_path, "  - {id: ALL, kind: aggregate, source: sbs, expr: all(profit <= turnover), by: [size]}\n")
    known = sbs.dropna(subset=["profit", "turnover"])
    failing = (known["profit"] > known["turnover"]).groupby(known["size"]).sum()
    got = {v["keys"]["size"]: v["values"]["failing"] for v in report.violations.to_dict("records")}
    assert got == {size: n for size, n in failing.items() if n > 0}
    summary = report.summary.set_index("rule_id").loc["ALL"]
    assert summary["items"] == sbs["size"].nunique()


def test_record_against_the_median_of_its_size_class(tmp_path, sbs):
    report = _run(tmp_path, "  - {id: OUT, kind: row, source: sbs, expr: turnover <= 3 * median(turnover), "
                            "by: [size]}\n")
    median = sbs.groupby("size")["turnover"].transform("median")
    want = set(sbs.loc[sbs["turnover"] > 3 * median, "id"])
    assert want  # the data has such records: the test can fail
    got = {v["unit"]: v for v in report.violations.to_dict("records")}
    assert set(got) == want
    for unit, v in got.items():
        row = sbs.loc[sbs["id"] == unit].iloc[0]
        assert v["expected"] == pytest.approx(3 * median[row.name])
    summary = report.summary.set_index("rule_id").loc["OUT"]
    assert summary["not_evaluable"] == sbs["turnover"].isna().sum()


def test_group_by_a_derived_value(tmp_path, sbs):
    report = _run(tmp_path, "  - {id: D, kind: aggregate, source: sbs, expr: 'max(staff) < 0', "
                            "by: ['substr(id, 1, 4)']}\n")
    got = {v["keys"]["substr(id, 1, 4)"]: v["observed"] for v in report.violations.to_dict("records")}
    want = sbs.groupby(sbs["id"].str[:4])["staff"].max()
    assert sorted(got) == sorted(want.index)
    assert all(math.isclose(got[k], want[k]) for k in want.index)


def test_cli_check_and_lint_locate_a_misused_statistic(tmp_path):
    pack = _pack(tmp_path, "  - {id: OK, kind: aggregate, source: sbs, expr: mean(turnover) > 0, by: [size]}\n"
                           "  - id: BAD\n    kind: row\n    source: sbs\n    expr: turnover > 0\n"
                           "    where: median(turnover) > 0\n")
    lint = subprocess.run([sys.executable, "-m", "statguard", "lint", str(pack)], capture_output=True, text=True)
    assert lint.returncode == 2 and "Traceback" not in lint.stderr + lint.stdout
    out = lint.stdout + lint.stderr
    assert f"{pack}:12:12" in out and "'median' is a statistic over records" in out, out
