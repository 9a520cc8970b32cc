"""R validate's documented results for the reference cases, reproduced with statguard's kinds.

The expectations are validate's printed results (The Data Validation Cookbook, validate 1.1.5,
chapters 3 and 5) and counts computed here with pandas, never statguard's output. Where the two
count differently by design the mapping is spelled out: validate marks every record of a failing
group, statguard reports one item per missing key and group; so the records of the groups
statguard finds failing must be the records validate marks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import statguard

from conftest import SHARED

VALIDATE = SHARED / "data/validate"
CASES = VALIDATE / "cases"


def _run(tmp_path: Path, sources: dict, rules: list, frames: dict[str, pd.DataFrame]):
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump({"sources": sources, "rules": rules}, allow_unicode=True), encoding="utf-8")
    pack = statguard.load_pack(path)
    assert not pack.problems, pack.problems
    report = pack.validate(frames)
    summary = {r["rule_id"]: r for r in report.summary.to_dict("records")}
    return summary, report.violations


def _text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# -- 17: households, exists_one / exists_any by hhid (cookbook 5.2) --------------------------------
def test_households_exists_one_and_any(tmp_path):
    data = pd.read_csv(CASES / "17_households_exists/data.csv")
    rules = [{"id": "ONE", "kind": "exists", "source": "d", "other": "d", "match": ["hhid"],
              "other_where": "hhrole = 'h'", "matches": "one"},
             {"id": "ANY", "kind": "exists", "source": "d", "other": "d", "match": ["hhid"],
              "other_where": "hhrole = 'h'"}]
    summary, violations = _run(tmp_path, {"d": {"keys": ["person"]}}, rules, {"d": data})
    # validate: exists_one(hhrole == "h", by=hhid): items 7, passes 3, fails 4; violating persons 1, 2, 4, 7
    assert (summary["ONE"]["items"], summary["ONE"]["passes"], summary["ONE"]["fails"]) == (7, 3, 4)
    one = violations[violations["rule_id"] == "ONE"]
    assert sorted(int(k["person"]) for k in one["keys"]) == [1, 2, 4, 7]
    # exists_any(hhrole == "h", by=hhid): only person 7 (household 3 has no head)
    anyone = violations[violations["rule_id"] == "ANY"]
    assert [int(k["person"]) for k in anyone["keys"]] == [7]
    # and independently: heads per household, by pandas
    heads = data[data["hhrole"] == "h"].groupby("hhid").size().reindex(data["hhid"].unique(), fill_value=0)
    assert sorted(data[data["hhid"].map(heads) != 1]["person"]) == [1, 2, 4, 7]


# -- 18: transactions, does_not_contain(glob(forbidden_keys)) (cookbook 4.4) ---------------------
def test_transactions_forbidden_key_patterns(tmp_path):
    data = _text(CASES / "18_transactions_forbidden_keys/data.csv")
    forbidden = _text(CASES / "18_transactions_forbidden_keys/forbidden_keys.csv")
    rules = [{"id": "F", "kind": "exists", "source": "t", "other": "forbidden", "match": ["sender", "receiver"],
              "patterns": "glob", "matches": "none"}]
    sources = {"t": {"keys": ["sender", "receiver"]}, "forbidden": {}}
    summary, violations = _run(tmp_path, sources, rules, {"t": data, "forbidden": forbidden})
    # validate: violating(transactions, out) is the one record S21 -> FG0
    assert (summary["F"]["items"], summary["F"]["passes"], summary["F"]["fails"]) == (4, 3, 1)
    assert [(k["sender"], k["receiver"]) for k in violations["keys"]] == [("S21", "FG0")]
    # independently, with Python's glob semantics
    from fnmatch import fnmatchcase
    hits = [(s, r) for s, r in zip(data["sender"], data["receiver"], strict=True)
            if any(fnmatchcase(s, fs) and fnmatchcase(r, fr)
                   for fs, fr in zip(forbidden["sender"], forbidden["receiver"], strict=True))]
    assert hits == [("S21", "FG0")]


# -- 11: samplonomy, contains_at_least / contains_exactly (cookbook 3.3) -------------------------
@pytest.fixture(scope="module")
def samplonomy() -> pd.DataFrame:
    return _text(VALIDATE / "samplonomy.csv")


def _failing_records(data: pd.DataFrame, violations: pd.DataFrame, by: list[str]) -> int:
    """Records of `data` in the groups that have a violation: what validate marks FALSE."""
    groups = {tuple(k[b] for b in by) for k in violations["keys"]}
    return int(data[by].apply(tuple, axis=1).isin(groups).sum())


def _missing(data: pd.DataFrame, keys: pd.DataFrame, by: list[str]) -> set[tuple]:
    """(group..., key...) combinations expected and absent, by pandas."""
    cols = list(keys.columns)
    groups = data[by].drop_duplicates()
    wanted = groups.merge(keys, how="cross")
    present = data[by + cols].drop_duplicates()
    merged = wanted.merge(present, how="left", indicator=True)
    return set(merged[merged["_merge"] == "left_only"][by + cols].apply(tuple, axis=1))


def test_samplonomy_years_per_region_and_measure(tmp_path, samplonomy):
    keys = _text(CASES / "11_samplonomy_record_availability/keys_years.csv")
    rules = [{"id": "Y", "kind": "complete", "source": "s", "unit": "period", "codes": "keys",
              "by": ["region", "measure"]}]
    summary, violations = _run(tmp_path, {"s": {}, "keys": {}}, rules, {"s": samplonomy, "keys": keys})
    assert {(k["region"], k["measure"], k["period"]) for k in violations["keys"]} == {
        (r, m, p) for r, m, p in _missing(samplonomy, keys, ["region", "measure"])}
    # validate: contains_at_least(period 2014..2019, by=list(region, measure)): 1199 items, 29 fails
    assert _failing_records(samplonomy, violations, ["region", "measure"]) == 29
    assert len(samplonomy) == 1199


def test_samplonomy_province_quarters_per_measure(tmp_path, samplonomy):
    keys = _text(CASES / "11_samplonomy_record_availability/keys_provinces_quarters.csv")
    rules = [{"id": "Q", "kind": "complete", "source": "s", "unit": ["region", "period"], "codes": "keys",
              "by": ["measure"]}]
    summary, violations = _run(tmp_path, {"s": {}, "keys": {}}, rules, {"s": samplonomy, "keys": keys})
    assert {(k["measure"], k["region"], k["period"]) for k in violations["keys"]} == _missing(
        samplonomy, keys, ["measure"])
    # validate: contains_at_least(keyset, by=measure): 300 fails (the export block: Induston 2018Q3 missing)
    assert _failing_records(samplonomy, violations, ["measure"]) == 300
    assert {k["measure"] for k in violations["keys"]} == {"export"}


def test_samplonomy_all_keys_exactly_per_measure(tmp_path, samplonomy):
    keys = _text(CASES / "11_samplonomy_record_availability/keys_all_regions_periods.csv")
    rules = [{"id": "X", "kind": "complete", "source": "s", "unit": ["region", "period"], "codes": "keys",
              "by": ["measure"], "unexpected": "fail"}]
    summary, violations = _run(tmp_path, {"s": {}, "keys": {}}, rules, {"s": samplonomy, "keys": keys})
    # validate: contains_exactly(all_keys, by=measure): 599 fails, in the blocks of gdp and export
    assert _failing_records(samplonomy, violations, ["measure"]) == 599
    assert {k["measure"] for k in violations["keys"]} == {"gdp", "export"}
    missing = _missing(samplonomy, keys, ["measure"])
    extra = samplonomy[["measure", "region", "period"]].drop_duplicates().merge(
        keys, how="left", indicator=True)
    assert not (extra["_merge"] == "left_only").any()  # nothing unexpected: the fails are missing keys
    assert {(k["measure"], k["region"], k["period"]) for k in violations["keys"]} == missing
