"""Imports on real data: a pandera schema and a GX suite written by hand become packs whose
checks find, in statguard, what pandera and GX find with the originals; what has no
equivalent is listed; a pack exported and imported back finds what the original finds."""

from __future__ import annotations

import json

import pytest

from test_interop_roundtrip import (
    CSV,
    PACK,
    frame,
    gx_failures,
    load_module,
    pandera_failures,
    record_of,
    statguard_failures,
)

from conftest import SHARED


def load_text(tmp_path, text, name="pack.yml"):
    from statguard.load import load_pack
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_pack(path, strict=True)


def by_cells_and_records(failures):
    """Failing cells and failing records, however the rules were named on either side."""
    records = set().union(*(v for k, v in failures.items() if k != "cells")) if len(failures) > 1 else set()
    return failures.get("cells", set()), records


def test_pandera_schema_imported_finds_the_same(tmp_path):
    import pandera.pandas as pa

    from statguard.interop import pandera_import
    schema = pa.DataFrameSchema({
        "id": pa.Column(str, checks=pa.Check.str_matches(r"RET[0-4]"), nullable=False),
        "size": pa.Column(str, checks=pa.Check.isin(["sc0", "sc1", "sc3"])),
        "staff": pa.Column(float, checks=[pa.Check.ge(2), pa.Check.le(40)], nullable=True),
        "turnover": pa.Column(float, checks=pa.Check.gt(100), nullable=True),
        "vat": pa.Column(float, checks=pa.Check.in_range(0, 5000), nullable=True),
        "profit": pa.Column(float, checks=pa.Check(lambda s: s > -100, name="loss_small"), nullable=True),
    }, unique=["id"], name="sbs")
    text, unmapped = pandera_import.import_schemas({"sbs": schema})
    assert [(u.name, u.values) for u in unmapped] == [("profit", {"check": "loss_small"})]
    assert "loss_small" in text.splitlines()[1]  # listed at the top of the pack
    pack = load_text(tmp_path, text)
    df = frame("sbs")
    original = pandera_failures(schema, df, record_of("sbs", df))
    original["cells"] = {c for c in original["cells"] if c[1] != "profit"}  # the custom check, not carried over
    turnover = original.pop("cells") & {c for c in original.get("cells", set())}
    cells, records = by_cells_and_records(statguard_failures(pack.validate({"sbs": CSV["sbs"]}), "sbs"))
    # the strict bound became a row rule: its failing records are pandera's turnover cells
    assert {r for r, c in pandera_failures(schema, df, record_of("sbs", df))["cells"] if c == "turnover"} == records
    expected = {c for c in pandera_failures(schema, df, record_of("sbs", df))["cells"] if c[1] not in ("profit",
                                                                                                       "turnover")}
    assert cells == expected and expected and not turnover


def test_gx_suite_imported_finds_the_same(tmp_path):
    from statguard.interop import gx_import
    suite = {"name": "sbs", "expectations": [
        {"type": "expect_column_to_exist", "kwargs": {"column": "id"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "vat"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "size", "value_set": ["sc0", "sc2"]}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "staff", "min_value": 2,
                                                                  "max_value": 30}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "turnover", "min_value": 500,
                                                                  "strict_min": True}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "id", "regex": "[13]$"}},
        {"type": "expect_column_pair_values_a_to_be_greater_than_b",
         "kwargs": {"column_A": "total.rev", "column_B": "staff.costs", "or_equal": True,
                    "ignore_row_if": "either_value_is_missing"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
        {"type": "expect_column_kl_divergence_to_be_less_than", "kwargs": {"column": "staff", "threshold": 0.1}},
    ]}
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(suite), encoding="utf-8")
    text, unmapped = gx_import.import_suites(gx_import.read_suites(path))
    assert [u.values["type"] for u in unmapped] == ["expect_column_kl_divergence_to_be_less_than"]
    pack = load_text(tmp_path, text)
    df = frame("sbs")
    known = dict(suite, expectations=suite["expectations"][:-1])
    for e in known["expectations"]:
        e["meta"] = {"statguard": {}}
    gx = gx_failures(known, df, record_of("sbs", df))
    cells, records = by_cells_and_records(statguard_failures(pack.validate({"sbs": CSV["sbs"]}), "sbs"))
    records = {df["id"][r - 1] if isinstance(r, int) else r for r in records}  # no keys: numbered records
    cells = {(df["id"][r - 1], c) for r, c in cells}
    gx_cells = gx["cells"]
    turnover = {r for r, c in gx_cells if c == "turnover"}
    pair = {r for r, c in gx_cells if c is None}
    assert records == turnover | pair and pair
    assert cells == {c for c in gx_cells if c[1] not in ("turnover", None)} and cells


@pytest.mark.parametrize("tool", ["pandera", "gx"])
def test_export_then_import_keeps_the_meaning(tmp_path, tool):
    from statguard.interop import gx_export, gx_import, pandera_export, pandera_import
    from statguard.load import load_pack
    original = load_pack(PACK)
    if tool == "pandera":
        module = tmp_path / "schemas.py"
        module.write_text(pandera_export.export(original).text, encoding="utf-8")
        text, unmapped = pandera_import.import_schemas(pandera_import.load_target(str(module)))
        lost = {"SBS-CONFLICT", "RET-OUTLIER"}
    else:
        export = gx_export.export(original)
        path = tmp_path / "suite.json"
        path.write_text(export.text, encoding="utf-8")
        text, unmapped = gx_import.import_suites(gx_import.read_suites(path))
        lost = {u.name for u in export.unmapped}
    assert not unmapped
    pack = load_text(tmp_path, text)
    data = {"sbs": CSV["sbs"], "retailers": CSV["retailers"]}
    before, after = original.validate(), pack.validate(data)
    for source in data:
        expected = {k: v for k, v in statguard_failures(before, source).items() if k not in lost}
        assert statguard_failures(after, source) == expected
    again = pandera_export.export(pack) if tool == "pandera" else gx_export.export(pack)
    assert again.unmapped == [] and (tool == "gx" or "SBS-BALANCE" in again.text)
    assert load_module is not None and SHARED.exists()
