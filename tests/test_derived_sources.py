"""Derived sources (monthly increments of a year-to-date series) beyond what golden cases say."""

from __future__ import annotations

import json

import jsonschema
import pandas as pd
import pytest

import statguard
from statguard.cli.main import main
from statguard.compare import compare_versions
from statguard.errors import EXIT_ERROR, PackError
from statguard.load.jsonschema import pack_schema
from statguard.pack.yamlio import parse_yaml

from conftest import ROOT

PACK = """
sources:
  ytd:
    keys: [unit, period]
    unit: unit
    period: period
    columns: {unit: string, period: string, n: integer}
  monthly:
    description: monthly figures
    derive: {increments_of: ytd, value: n, as: m}
rules:
  - {id: M, kind: row, source: monthly, expr: "m >= 0"}
  - {id: Y, kind: cumulative, source: ytd, value: n}
"""

DATA = pd.DataFrame({"unit": ["A", "A", "A", "B", "B"], "period": ["2024年1月", "2024年1-2月", "2024年1-3月",
                                                                  "2024年1月", "2024年1-2月"],
                     "n": [3, 5, 4, 1, 1]})


@pytest.fixture
def pack_path(tmp_path):
    path = tmp_path / "pack.yml"
    path.write_text(PACK, encoding="utf-8")
    return path


def test_derived_source_inherits_keys_unit_period_and_columns(pack_path):
    pack = statguard.load_pack(pack_path)
    monthly = pack.sources["monthly"]
    assert (monthly.keys, monthly.unit, monthly.period) == (["unit", "period"], "unit", "period")
    assert list(monthly.columns) == ["unit", "period", "n", "m"] and monthly.columns["m"].type == "number"
    assert monthly.description == "monthly figures" and monthly.path is None


def test_increments_are_computed_from_the_data_given_for_the_base(pack_path):
    report = statguard.load_pack(pack_path).validate({"ytd": DATA})
    (v,) = report.violations[report.violations.rule_id == "M"].to_dict("records")
    assert (v["unit"], v["period"], v["values"]["m"]) == ("A", "2024年1-3月", -1)
    assert report.meta["sources"]["monthly"]["rows"] == 5
    assert "derived" in report.meta["sources"]["monthly"]["location"]


def test_data_given_for_a_derived_source_is_refused_with_a_clear_error(pack_path):
    report = statguard.load_pack(pack_path).validate({"ytd": DATA, "monthly": DATA})
    row = report.summary.set_index("rule_id").loc["M"]
    assert row["errored"] and "derived from 'ytd'; give data for that source instead" in row["error"]
    assert not report.summary.set_index("rule_id").loc["Y", "errored"]


def test_a_base_that_cannot_be_read_errors_the_rules_on_the_derived_source(pack_path, tmp_path):
    report = statguard.load_pack(pack_path).validate({"ytd": tmp_path / "missing.csv"})
    row = report.summary.set_index("rule_id").loc["M"]
    assert row["errored"] and "derived from a source that could not be read" in row["error"]


def test_lint_locates_derive_problems(tmp_path, capsys):
    path = tmp_path / "bad.yml"
    path.write_text(PACK.replace("value: n, as: m", "value: nn, as: m").replace(
        "  monthly:\n", "  loop: {derive: {increments_of: loop, value: n}}\n  monthly:\n"), encoding="utf-8")
    assert main(["lint", str(path)]) == EXIT_ERROR
    out = capsys.readouterr().out
    assert f"{path}:11:41: [derive.value] derived source 'monthly': unknown column 'nn' in source 'ytd'" in out
    assert f"{path}:8:34: [derive.increments_of] derived sources form a cycle: loop -> loop" in out
    with pytest.raises(PackError):
        statguard.load_pack(path)


def test_the_pack_schema_knows_derive(pack_path):
    schema = pack_schema()
    jsonschema.validate(parse_yaml(pack_path.read_text(encoding="utf-8")), schema)
    bad = parse_yaml(PACK.replace("as: m", "name: m"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(json.loads(json.dumps(bad)), schema)


def test_version_comparison_computes_derived_sources_of_each_version(pack_path):
    pack = statguard.load_pack(pack_path)
    fixed = DATA.assign(n=[3, 5, 6, 1, 1])
    out = compare_versions(pack, {"first": DATA, "fixed": fixed}, source="ytd").set_index(["rule_id", "version"])
    assert out.loc[("M", "first"), "violated"] == 1 and out.loc[("M", "fixed"), "violated"] == 0
    assert out.loc[("M", "fixed"), "satisfied"] == 5


def test_the_ytd_example_pack_declares_monthly_increments():
    pack = statguard.load_pack(ROOT / "rules/ytd_enterprises")
    assert pack.sources["monthly_new"].derive.increments_of == "new_enterprises"
    assert pack.rule("YTD-03").sources == ["monthly_new"]


def test_a_base_without_declared_columns_still_derives_and_the_view_renders_in_spark(tmp_path):
    from statguard.checks.time.derive import increments_query
    path = tmp_path / "pack.yml"
    path.write_text(PACK.replace("    columns: {unit: string, period: string, n: integer}\n", ""), encoding="utf-8")
    pack = statguard.load_pack(path)
    assert not pack.problems and pack.sources["monthly"].declared is None
    report = pack.validate({"ytd": DATA})
    assert report.summary.set_index("rule_id").loc["M", "fails"] == 1
    spec = pack.sources["monthly"].derive
    sql = increments_query(spec, "ytd", {"unit": "VARCHAR", "period": "VARCHAR", "n": "BIGINT"},
                           "period", ["unit"]).sql(dialect="spark", unsupported_level="raise")
    assert "LEFT JOIN" in sql and "`_sg_before`" in sql
