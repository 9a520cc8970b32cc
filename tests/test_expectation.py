"""The `expectation` kind on real data, checked against the csv module and GX run alone; GX
loads only for packs that use the kind; the CLI reports bad arguments located, without tracebacks."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

import statguard

from conftest import SHARED

DATA = SHARED / "data" / "validate"


def _pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _csv_rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_sbs2000_negative_profit_found_with_their_keys(tmp_path):
    pack = statguard.load_pack(_pack(tmp_path, f"""
sources:
  sbs: {{path: {DATA / 'SBS2000.csv'}, keys: [id], unit: id}}
rules:
  - {{id: P, kind: expectation, source: sbs, expectation: expect_column_values_to_be_between,
     kwargs: {{column: profit, min_value: 0}}}}
"""))
    report = pack.validate()
    rows = _csv_rows("SBS2000.csv")
    negative = {r["id"]: float(r["profit"]) for r in rows if r["profit"] not in ("", "NA") and float(r["profit"]) < 0}
    missing = sum(r["profit"] in ("", "NA") for r in rows)
    assert negative  # the shared data has loss-making units
    found = {v["unit"]: v["observed"] for v in report.violations.to_dict("records")}
    assert found == negative
    summary = report.summary.iloc[0]
    assert (summary["items"], summary["fails"], summary["not_evaluable"]) == (len(rows), len(negative), missing)
    assert all(v["imbalance"] == v["observed"] for v in report.violations.to_dict("records"))


def test_retailers_without_keys_report_record_numbers_as_gx_alone_finds_them(tmp_path):
    import great_expectations as gx
    import pandas as pd
    pack = statguard.load_pack(_pack(tmp_path, f"""
sources:
  retailers: {{path: {DATA / 'retailers.csv'}}}
rules:
  - {{id: S, kind: expectation, source: retailers, expectation: expect_column_values_to_be_between,
     kwargs: {{column: staff, max_value: 50}}}}
"""))
    rows = _csv_rows("retailers.csv")
    by_hand = [i + 1 for i, r in enumerate(rows) if r["staff"] and float(r["staff"]) > 50]
    assert len(by_hand) == 4  # 75, 52, 53, 60
    report = pack.validate()
    assert sorted(v["keys"]["row"] for v in report.violations.to_dict("records")) == by_hand
    context = gx.get_context(mode="ephemeral")
    batch = (context.data_sources.add_pandas("p").add_dataframe_asset("a").add_batch_definition_whole_dataframe("b")
             .get_batch(batch_parameters={"dataframe": pd.read_csv(DATA / "retailers.csv")}))
    alone = batch.validate(gx.expectations.ExpectColumnValuesToBeBetween(column="staff", max_value=50),
                           result_format="COMPLETE")
    assert [i + 1 for i in alone.result["unexpected_index_list"]] == by_hand
    assert report.summary.iloc[0]["not_evaluable"] == sum(not r["staff"] for r in rows)


def test_an_expectation_gx_cannot_run_errors_its_rule_only(tmp_path):
    pack = statguard.load_pack(_pack(tmp_path, """
sources:
  t: {columns: {s: string, v: number}}
rules:
  - {id: BAD, kind: expectation, source: t, expectation: expect_column_values_to_be_between,
     kwargs: {column: s, min_value: 0}}
  - {id: GOOD, kind: expectation, source: t, expectation: expect_column_values_to_be_between,
     kwargs: {column: v, min_value: 0}}
"""))
    import pandas as pd
    report = pack.validate({"t": pd.DataFrame({"s": ["a", "b"], "v": [1, -1]})})
    summary = {r["rule_id"]: r for r in report.summary.to_dict("records")}
    assert summary["BAD"]["errored"] and "great_expectations could not run" in summary["BAD"]["error"]
    assert not summary["GOOD"]["errored"] and summary["GOOD"]["fails"] == 1


def _modules_after(code: str, tmp_path: Path) -> set[str]:
    # a script, not `python -c`: pyspark (which GX imports) takes a main module without a file
    # for a doctest run and exits the process when grpc is not installed
    script = tmp_path / "probe.py"
    script.write_text(code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_great_expectations_loads_only_for_packs_using_the_kind(tmp_path):
    data = tmp_path / "t.csv"
    data.write_text("v\n1\n-1\n", encoding="utf-8")
    without = tmp_path / "without.yml"
    without.write_text(f"sources:\n  t: {{path: {data}, columns: {{v: number}}}}\n"
                       "rules:\n  - {id: A, kind: row, source: t, expr: v > 0}\n", encoding="utf-8")
    with_it = tmp_path / "with.yml"
    with_it.write_text(f"sources:\n  t: {{path: {data}, columns: {{v: number}}}}\nrules:\n"
                       "  - {id: E, kind: expectation, source: t, expectation: expect_column_values_to_not_be_null,"
                       " kwargs: {column: v}}\n", encoding="utf-8")
    assert "great_expectations" not in _modules_after("import statguard", tmp_path)
    ran = f"import statguard; statguard.load_pack({str(without)!r}).validate()"
    assert "great_expectations" not in _modules_after(ran, tmp_path)
    assert "great_expectations" in _modules_after(f"import statguard; statguard.load_pack({str(with_it)!r})", tmp_path)


def test_cli_lint_locates_bad_arguments_and_check_speaks_chinese(tmp_path):
    data = tmp_path / "t.csv"
    data.write_text("单位,行业\n甲,制造业\n乙,农业\n", encoding="utf-8")
    bad = _pack(tmp_path, f"""sources:
  t: {{path: {data}, unit: 单位, columns: {{单位: string, 行业: string}}}}
rules:
  - id: E
    kind: expectation
    source: t
    expectation: expect_column_values_to_be_in_set
    kwargs:
      column: 行业
      valueset: [制造业]
""")
    lint = subprocess.run([sys.executable, "-m", "statguard", "lint", str(bad)], capture_output=True, text=True)
    assert lint.returncode == 2 and "Traceback" not in lint.stderr
    assert f"{bad}:10:7: [kwargs.valueset] unknown argument 'valueset'" in lint.stdout
    assert "did you mean 'value_set'?" in lint.stdout
    bad.write_text(bad.read_text(encoding="utf-8").replace("valueset", "value_set"), encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "statguard", "check", str(bad), "--lang", "zh"],
                           capture_output=True, text=True)
    assert check.returncode == 1 and check.stderr == "", check.stderr
    assert "「行业」= 农业，不符合 expect_column_values_to_be_in_set" in check.stdout


@pytest.mark.parametrize("name", ["expect_column_values_to_be_between", "expect_table_row_count_to_equal"])
def test_lint_passes_good_rules_without_running_them(tmp_path, name):
    kwargs = "{column: v, min_value: 0}" if "between" in name else "{value: 3}"
    pack = statguard.load_pack(_pack(tmp_path, f"sources:\n  t: {{columns: {{v: number}}}}\nrules:\n"
                                                f"  - {{id: E, kind: expectation, source: t, expectation: {name},"
                                                f" kwargs: {kwargs}}}\n"))
    assert not pack.problems
