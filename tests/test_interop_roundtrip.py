"""Export round trips on real data (the R validate package's SBS2000 and retailers): statguard,
the exported pandera schemas run by pandera, and the exported GX suites run by GX find the same
failing cells and records; and a few of them are worked out here straight from the CSV."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import SHARED

PACK = Path(__file__).parent / "data" / "interop" / "pack.yml"
CSV = {"sbs": SHARED / "data" / "validate" / "SBS2000.csv", "retailers": SHARED / "data" / "validate" / "retailers.csv"}


def frame(source):
    import pandas as pd
    return pd.read_csv(CSV[source])


def record_of(source, df):
    """A record as statguard names it: SBS2000 by its id, retailers by its number (from 1)."""
    return (lambda i: df["id"][i]) if source == "sbs" else (lambda i: int(i) + 1)


def statguard_failures(report, source):
    """{'cells': {(record, column)} of the schema rule, rule id: {record}} for `source`."""
    out = defaultdict(set)
    for row in report.violations.to_dict("records"):
        if row["source"] != source:
            continue
        keys = row["keys"]
        record = keys.get("id", keys.get("row"))
        if row["kind"] == "schema":
            out["cells"].add((record, keys["column"]))
        else:
            out[row["rule_id"]].add(record)
    return out


def pandera_failures(schema, df, record):
    import pandera.pandas as pa
    out = defaultdict(set)
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as e:
        for row in e.failure_cases.to_dict("records"):
            if row["schema_context"] == "Column" or row["check"].endswith("uniqueness"):
                out["cells"].add((record(row["index"]), row["column"]))
            else:
                out[row["check"]].add(record(row["index"]))
    return out


def gx_results(suite, df):
    import great_expectations as gx
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("statguard").add_dataframe_asset("frame")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": df})
    result = batch.validate(gx.ExpectationSuite(**suite), result_format={"result_format": "COMPLETE"})
    for r in result.results:
        assert not r.exception_info.get("raised_exception"), (r.expectation_config.type, r.exception_info)
    return result.results


def gx_failures(suite, df, record):
    out = defaultdict(set)
    for r in gx_results(suite, df):
        meta = r.expectation_config.meta["statguard"]
        indices = r.result.get("unexpected_index_list") or []
        if "rule" in meta:
            out[meta["rule"]["id"]] |= {record(i) for i in indices}
        else:
            column = meta.get("column") or r.expectation_config.kwargs.get("column")
            out["cells"] |= {(record(i), column) for i in indices}
    return out


def load_module(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pack():
    from statguard.load import load_pack
    return load_pack(PACK)


@pytest.fixture(scope="module")
def report(pack):
    return pack.validate()


@pytest.fixture(scope="module")
def pandera_module(pack, tmp_path_factory):
    from statguard.interop import pandera_export
    path = tmp_path_factory.mktemp("pandera") / "interop_schemas.py"
    path.write_text(pandera_export.export(pack).text, encoding="utf-8")
    return load_module(path)


@pytest.mark.parametrize("source", ["sbs", "retailers"])
def test_pandera_finds_what_statguard_finds(report, pandera_module, source):
    df = frame(source)
    found = pandera_failures(pandera_module.SCHEMAS[source], df, record_of(source, df))
    expected = statguard_failures(report, source)
    expected.pop("SBS-CONFLICT", None)  # not expressed in pandera (listed)
    expected.pop("RET-OUTLIER", None)
    assert expected["cells"] and len(expected) > 2
    assert dict(found) == dict(expected)


@pytest.mark.parametrize("source", ["sbs", "retailers"])
def test_gx_finds_what_statguard_finds_for_what_maps(pack, report, source):
    from statguard.interop import gx_export
    unmapped = []
    suite = gx_export.suite(pack, pack.sources[source], unmapped)
    suite = json.loads(json.dumps(suite))  # as written to the file
    df = frame(source)
    found = gx_failures(suite, df, record_of(source, df))
    expected = statguard_failures(report, source)
    for u in unmapped:
        expected.pop(u.name, None)
    metas = [e["meta"]["statguard"] for e in suite["expectations"]]
    mapped_rules = {m["rule"]["id"] for m in metas if "rule" in m}
    assert set(expected) - {"cells"} <= mapped_rules
    assert {k: v for k, v in found.items() if v} == dict(expected)


def test_what_does_not_map_is_listed(pack):
    from statguard.interop import gx_export, pandera_export
    listed = {(u.source, u.name) for u in pandera_export.export(pack).unmapped}
    assert listed == {("sbs", "SBS-CONFLICT"), ("retailers", "RET-OUTLIER")}
    gx = gx_export.export(pack)
    assert {u.name for u in gx.unmapped} == {"SBS-BALANCE", "SBS-PROFIT", "SBS-VAT", "SBS-CONFLICT", "RET-OUTLIER"}
    assert "SBS-PROFIT" in json.loads(gx.text)[0]["meta"]["statguard"]["not_mapped"][1]


def _rows(source):
    with open(CSV[source], encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(text):
    return float(text) if text.strip() else None


def test_known_failures_worked_out_from_the_csv(report, pandera_module):
    """A few results computed straight from the CSV text, by hand's rules, not by any of the three."""
    rows = _rows("sbs")
    staff_costs = {r["id"] for r in rows if _num(r["staff.costs"]) is not None and _num(r["total.rev"]) is not None
                   and _num(r["staff.costs"]) >= _num(r["total.rev"])}
    assert staff_costs == {"RET19", "RET36"}
    bad_ids = {r["id"] for r in rows if not re.fullmatch(r"RET[0-5][0-9]", r["id"])}
    too_many_staff = {(r["id"], "staff") for r in rows if r["staff"] and float(r["staff"]) > 50}
    no_vat = {(r["id"], "vat") for r in rows if not r["vat"]}
    cells = statguard_failures(report, "sbs")["cells"]
    assert staff_costs == statguard_failures(report, "sbs")["SBS-STAFFCOSTS"]
    assert bad_ids == {"RET60"} and ("RET60", "id") in cells
    assert too_many_staff == {c for c in cells if c[1] == "staff"}
    assert no_vat == {c for c in cells if c[1] == "vat"}
    df = frame("sbs")
    assert pandera_failures(pandera_module.SCHEMAS["sbs"], df, record_of("sbs", df))["SBS-STAFFCOSTS"] == staff_costs
