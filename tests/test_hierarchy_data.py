"""Hierarchy and part-whole checks on the reference data of R validate, against an independent pandas derivation."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

import statguard

from conftest import SHARED

CASES = SHARED / "data" / "validate" / "cases"
SAMPLONOMY = CASES / "14_samplonomy_hierarchy"
PART_WHOLE = CASES / "21_part_whole_small"
NACE = CASES / "19_nace_hierarchy"


def _pack(tmp_path, text: str):
    path = tmp_path / "pack.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return statguard.load_pack(path, strict=True)


def _derive(data: pd.DataFrame, edges: list[tuple[str, str]], code: str, by: list[str], mode: str) -> pd.DataFrame:
    """Reference evaluation of parent = sum(children) per group, written directly from the VTL mode table."""
    zero = mode.endswith("zero")
    children: dict[str, list[str]] = {}
    for child, parent in edges:
        children.setdefault(parent, []).append(child)
    rows = []
    groups = data[by].drop_duplicates().itertuples(index=False)
    for group in groups:
        part = data
        for col, val in zip(by, group, strict=True):
            part = part[part[col] == val]
        values = dict(zip(part[code], part["value"], strict=True))
        for parent, kids in children.items():
            items = [parent, *kids]
            present = [i for i in items if i in values]
            if mode == "non_null" and (len(present) < len(items) or any(pd.isna(values[i]) for i in items)):
                continue
            if mode.startswith("partial") and not present:
                continue
            fill = 0.0 if zero else float("nan")
            observed = values.get(parent, fill)
            expected = sum(values.get(k, fill) for k in kids)
            status = "na" if pd.isna(observed) or pd.isna(expected) else (
                "pass" if abs(observed - expected) <= 1e-8 else "fail")
            rows.append({**dict(zip(by, group, strict=True)), code: parent, "status": status,
                         "observed": observed, "expected": expected})
    return pd.DataFrame(rows)


def test_samplonomy_regions_add_up_as_derived_with_pandas(tmp_path):
    data = pd.read_csv(SAMPLONOMY / "samplonomy_dedup.csv", dtype={"period": str})
    hierarchy = pd.read_csv(SAMPLONOMY / "hierarchy_samplonia.csv")
    edges = list(hierarchy[["region", "parent"]].itertuples(index=False, name=None))
    pack = _pack(tmp_path, f"""
        sources:
          economy:
            path: {SAMPLONOMY / 'samplonomy_dedup.csv'}
            period: period
            columns: {{region: string, freq: string, period: string, measure: string, value: number}}
          regions:
            path: {SAMPLONOMY / 'hierarchy_samplonia.csv'}
            columns: {{region: string, parent: string}}
        rules:
          - {{id: REGIONS, kind: hierarchy, source: economy, code: region, value: value,
             by: [period, measure], hierarchy: regions, child: region, parent: parent}}
        """)
    report = pack.validate()
    want = _derive(data, edges, "region", ["period", "measure"], "partial_zero")  # the default mode
    unknown = sorted(set(data["region"]) - {c for e in edges for c in e})
    assert unknown == ["Oakdale"]  # in the data, not in the code list: one violation more
    summary = report.summary.set_index("rule_id").loc["REGIONS"]
    counts = want["status"].value_counts()
    assert summary["passes"] == counts.get("pass", 0) > 0
    assert summary["fails"] == counts.get("fail", 0) + len(unknown)
    assert summary["not_evaluable"] == counts.get("na", 0)
    got = report.violations[report.violations["imbalance"].notna()]
    got_set = {(v["keys"]["period"], v["keys"]["measure"], v["keys"]["region"], round(v["imbalance"], 6))
               for v in got.to_dict("records")}
    fails = want[want["status"] == "fail"]
    want_set = {(r.period, r.measure, r.region, round(r.observed - r.expected, 6)) for r in fails.itertuples()}
    assert got_set == want_set
    first = report.violations.iloc[0]
    assert abs(first["imbalance"]) == max(abs(i) for *_, i in want_set)  # ranked by size of the imbalance
    assert "children present" in first["detail"]


@pytest.mark.parametrize("mode", ["non_null", "partial_null", "partial_zero", "always_zero"])
@pytest.mark.parametrize("file", ["data.csv", "data_with_na.csv"])
def test_part_whole_small_quarters_add_up_to_the_year(tmp_path, file, mode):
    """R validate's part_whole_relation(value, period, whole = "2018", by = direction) as a one-level hierarchy."""
    data = pd.read_csv(PART_WHOLE / file, dtype={"period": str})
    quarters = [f"2018Q{i}" for i in range(1, 5)]
    pack = _pack(tmp_path, f"""
        sources:
          trade:
            path: {PART_WHOLE / file}
            columns: {{period: string, direction: string, value: number}}
        rules:
          - {{id: YEAR, kind: hierarchy, source: trade, code: period, value: value, by: [direction],
             mapping: {{"2018": {quarters}}}, mode: {mode}}}
        """)
    report = pack.validate()
    want = _derive(data, [(q, "2018") for q in quarters], "period", ["direction"], mode)
    summary = report.summary.set_index("rule_id").loc["YEAR"]
    counts = want["status"].value_counts()
    assert summary["items"] == len(want)
    assert (summary["passes"], summary["fails"], summary["not_evaluable"]) == (
        counts.get("pass", 0), counts.get("fail", 0), counts.get("na", 0))
    got = {(v["keys"]["direction"], v["imbalance"]) for v in report.violations.to_dict("records")}
    assert got == {(r.direction, r.observed - r.expected) for r in want[want["status"] == "fail"].itertuples()}
    if file == "data.csv":  # export: 2 + 2 + 3 + 4 = 11 against 10 in every mode
        assert ("export", -1.0) in got


@pytest.mark.parametrize(("file", "mode", "failing", "passing"), [
    ("data.csv", "non_null", set(), 0),  # every parent lacks some of its children: nothing is compared
    ("data.csv", None, {"A", "01", "01.2"}, 1),  # the default: R validate's documented result
    ("data.csv", "partial_zero", {"A", "01", "01.2"}, 1),
    ("data_with_foo.csv", "partial_zero", {"A", "01", "01.2", "foo"}, 1),
])
def test_nace_code_list(tmp_path, file, mode, failing, passing):
    """R validate's NACE example: 01.1 = 01.11 + 01.12 holds (absent 01.13..01.19 as 0); 01 != 01.1 + 01.2."""
    pack = _pack(tmp_path, f"""
        sources:
          d: {{path: {NACE / file}, columns: {{nace: string, volume: number}}}}
          nace:
            path: {SHARED / 'data' / 'validate' / 'nace_rev2_codes.csv'}
            columns: {{Order: integer, Level: integer, Code: string, Parent: string}}
        rules:
          - {{id: NACE, kind: hierarchy, source: d, code: nace, value: volume, hierarchy: nace,
             child: Code, parent: Parent{f", mode: {mode}" if mode else ""}}}
        """)
    report = pack.validate()
    assert not report.errored, report.summary["error"].tolist()
    assert {v["keys"]["nace"] for v in report.violations.to_dict("records")} == failing
    assert report.summary.iloc[0]["passes"] == passing
