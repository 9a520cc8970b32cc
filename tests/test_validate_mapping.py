"""The R validate -> statguard mapping of docs/validate.md, checked on validate's own data.

Each test runs the statguard YAML the mapping gives for a validate construct on SBS2000,
retailers or samplonomy (../shared/data/validate) and compares its counts with the same
rule evaluated independently with pandas under validate's semantics (a missing operand
makes the result NA, counted in validate's nNA and statguard's not_evaluable; linear
(in)equalities within 1e-8). Where the cookbook states a result in its text, it is quoted.
The group rules validate documents with printed results (exists_one/exists_any,
contains_at_least/contains_exactly, does_not_contain) are in tests/test_validate_cases.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

import statguard

from conftest import SHARED

DATA = SHARED / "data/validate"
EPS = 1e-8


def _run(tmp_path: Path, source: dict, rules: list[dict], data: str | Path | pd.DataFrame, name: str = "d"):
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump({"sources": {name: source}, "rules": rules}, allow_unicode=True),
                    encoding="utf-8")
    pack = statguard.load_pack(path, check_types=True)
    assert not pack.problems, pack.problems
    report = pack.validate({name: data})
    summary = {r["rule_id"]: r for r in report.summary.to_dict("records")}
    assert not any(r["errored"] for r in summary.values()), summary
    return summary, report.violations


def _counts(row: dict) -> tuple[int, int, int]:
    return int(row["passes"]), int(row["fails"]), int(row["not_evaluable"])


def _tally(result: pd.Series) -> tuple[int, int, int]:
    """(passes, fails, NA) of a pandas nullable boolean result, validate's summary columns."""
    result = result.astype("boolean")
    return int((result == True).sum()), int((result == False).sum()), int(result.isna().sum())  # noqa: E712


def _sbs() -> pd.DataFrame:
    return pd.read_csv(DATA / "SBS2000.csv", dtype={"id": str, "size": str})


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype("Float64")


# -- record rules: balance equalities and inequalities (cookbook 4.2) -----------------------------
def test_balance_rules(tmp_path):
    rules = [{"id": "B1", "kind": "row", "source": "d", "expr": "total.rev - profit == total.costs"},
             {"id": "B2", "kind": "row", "source": "d", "expr": "turnover + other.rev == total.rev"},
             {"id": "B3", "kind": "row", "source": "d", "expr": "profit <= 0.6 * total.rev"}]
    summary, _ = _run(tmp_path, {"keys": ["id"]}, rules, DATA / "SBS2000.csv")
    d = _sbs()
    tr, p, tc, to, orv = (_num(d, c) for c in ("total.rev", "profit", "total.costs", "turnover", "other.rev"))
    assert _counts(summary["B1"]) == _tally((tr - p - tc).abs() <= EPS)
    assert _counts(summary["B2"]) == _tally((to + orv - tr).abs() <= EPS)
    assert _counts(summary["B3"]) == _tally(p - 0.6 * tr <= EPS)
    assert summary["B2"]["not_evaluable"] == 36 + 1  # other.rev missing 36 times, and one total.rev more


# -- conditional restrictions: if (staff >= 1) staff.costs >= 1 (cookbook 4.3) -------------------
def test_conditional_rule_is_not_p_or_q(tmp_path):
    rules = [{"id": "IF", "kind": "row", "source": "d", "expr": "staff.costs >= 1", "if": "staff >= 1"}]
    summary, _ = _run(tmp_path, {"keys": ["id"]}, rules, DATA / "SBS2000.csv")
    d = _sbs()
    premise, conclusion = _num(d, "staff") >= 1, 1 - _num(d, "staff.costs") <= EPS
    assert _counts(summary["IF"]) == _tally(~premise | conclusion)  # Kleene logic, as R's | on NA


# -- missingness and completeness (cookbook 2.2, 4.1) --------------------------------------------
def test_missingness_and_completeness(tmp_path):
    rules = [{"id": "NA1", "kind": "row", "source": "d", "expr": "turnover IS NOT NULL"},
             {"id": "NA2", "kind": "row", "source": "d", "expr": "other.rev IS NOT NULL"},
             {"id": "COMP", "kind": "row", "source": "d",
              "expr": "id IS NOT NULL AND turnover IS NOT NULL AND profit IS NOT NULL"},
             {"id": "ALLC", "kind": "aggregate", "source": "d", "expr": "all(id IS NOT NULL)"},
             {"id": "ANYNA", "kind": "aggregate", "source": "d", "expr": "all(incl.prob IS NOT NULL)"},
             {"id": "ALLNA", "kind": "aggregate", "source": "d", "expr": "all(vat IS NULL)"}]
    summary, _ = _run(tmp_path, {"keys": ["id"]}, rules, DATA / "SBS2000.csv")
    d = _sbs()
    assert _counts(summary["NA1"]) == (60 - 4, 4, 0)  # turnover is missing in 4 records
    assert _counts(summary["NA2"]) == (60 - 36, 36, 0)
    complete = d["turnover"].notna() & d["profit"].notna()
    assert _counts(summary["COMP"]) == (int(complete.sum()), int((~complete).sum()), 0)
    assert _counts(summary["ALLC"]) == (1, 0, 0) and _counts(summary["ANYNA"]) == (1, 0, 0)
    assert _counts(summary["ALLNA"]) == (0, 1, 0)  # vat is present in 48 records


# -- field length, field format, number format (cookbook 2.3-2.5) --------------------------------
def test_field_length_and_format(tmp_path):
    rules = [{"id": "LEN5", "kind": "row", "source": "d", "expr": "length(id) = 5"},
             {"id": "LEN23", "kind": "row", "source": "d", "expr": "length(size) BETWEEN 2 AND 3"},
             {"id": "GLOB", "kind": "row", "source": "d", "expr": "id LIKE 'RET%'"},
             {"id": "GLOB1", "kind": "row", "source": "d", "expr": "size LIKE 'sc_'"},
             {"id": "RE1", "kind": "row", "source": "d", "expr": "regexp_matches(size, '^sc[0-9]$')"},
             {"id": "RE2", "kind": "row", "source": "d", "expr": "regexp_matches(id, '^RET\\d{2}$')"}]
    summary, _ = _run(tmp_path, {"keys": ["id"], "columns": {"id": "string", "size": "string"}}, rules,
                      DATA / "SBS2000.csv")
    d = _sbs()
    expected = {"LEN5": d["id"].str.len() == 5, "LEN23": d["size"].str.len().between(2, 3),
                "GLOB": d["id"].str.startswith("RET"), "GLOB1": d["size"].str.fullmatch(r"sc."),
                "RE1": d["size"].str.fullmatch(r"sc[0-9]"), "RE2": d["id"].str.fullmatch(r"RET\d{2}")}
    for rule_id, result in expected.items():
        assert _counts(summary[rule_id]) == _tally(result), rule_id
    assert _counts(summary["GLOB"]) == (60, 0, 0)


def test_number_format(tmp_path):
    # the cookbook's example: number_format(x, format = "d.dd") on 2.54, 2.66, 8.142, 23.53
    data = pd.DataFrame({"k": [1, 2, 3, 4], "x": ["2.54", "2.66", "8.142", "23.53"]})
    rules = [{"id": "FMT", "kind": "row", "source": "d", "expr": "regexp_matches(x, '^[0-9]\\.[0-9]{2}$')"},
             {"id": "MIN4", "kind": "row", "source": "d", "expr": "regexp_matches(x, '\\.[0-9]{4,}$')"},
             {"id": "MAX2", "kind": "row", "source": "d", "expr": "regexp_matches(x, '\\.[0-9]{1,2}$')"}]
    summary, violations = _run(tmp_path, {"keys": ["k"], "columns": {"k": "integer", "x": "string"}}, rules, data)
    assert _counts(summary["FMT"]) == (2, 2, 0)  # 8.142 has three decimals, 23.53 two digits before the point
    failing = sorted(int(v["keys"]["k"]) for _, v in violations[violations["rule_id"] == "FMT"].iterrows())
    assert failing == [3, 4]
    assert _counts(summary["MIN4"]) == (0, 4, 0) and _counts(summary["MAX2"]) == (3, 1, 0)


# -- ranges and code lists (cookbook 2.6, 2.8) ---------------------------------------------------
def test_ranges_and_code_lists(tmp_path):
    rules = [{"id": "TO", "kind": "row", "source": "d", "expr": "turnover >= 0", "tolerance": 0},
             {"id": "PR", "kind": "row", "source": "d", "expr": "incl.prob BETWEEN 0 AND 1"},
             {"id": "CODE", "kind": "row", "source": "d", "expr": "size IN ('sc0', 'sc1', 'sc2', 'sc3')"}]
    summary, _ = _run(tmp_path, {"keys": ["id"]}, rules, DATA / "SBS2000.csv")
    d = _sbs()
    assert _counts(summary["TO"]) == _tally(_num(d, "turnover") >= 0)
    assert _counts(summary["PR"]) == _tally(_num(d, "incl.prob").between(0, 1))
    assert _counts(summary["CODE"]) == _tally(d["size"].isin(["sc0", "sc1", "sc2", "sc3"]))
    # %vin% keeps a missing code NA (not FALSE), as IN does in SQL
    frame = pd.DataFrame({"k": [1, 2, 3], "x": [1, 3, None]})
    summary, _ = _run(tmp_path, {"keys": ["k"]}, [{"id": "VIN", "kind": "row", "source": "d", "expr": "x IN (1, 2)"}],
                      frame)
    assert _counts(summary["VIN"]) == (1, 1, 1)


# -- is_unique / all_unique on samplonomy (cookbook 3.2) ----------------------------------------
def test_uniqueness(tmp_path):
    keys = ["region", "freq", "period", "measure"]
    rules = [{"id": "UNIQ", "kind": "unique", "source": "d", "keys": keys},
             {"id": "GROUPS", "kind": "unique", "source": "d", "keys": keys, "per": "group"}]
    summary, _ = _run(tmp_path, {"columns": {"period": "string"}}, rules, DATA / "samplonomy.csv")
    s = pd.read_csv(DATA / "samplonomy.csv", dtype={"period": str})
    duplicated = s.duplicated(keys, keep=False)  # validate: is_unique is FALSE for every copy
    assert _counts(summary["UNIQ"]) == (int((~duplicated).sum()), int(duplicated.sum()), 0)
    assert int(duplicated.sum()) == 2  # the duplicated submission
    assert summary["GROUPS"]["fails"] == 1  # all_unique(...) is FALSE: one key held twice


# -- do_by: a record against a statistic of its group (cookbook 5.3) -----------------------------
def test_do_by_median(tmp_path):
    rules = [{"id": "DOBY", "kind": "row", "source": "d", "expr": "turnover <= 10 * median(turnover)",
              "by": ["size"]}]
    summary, violations = _run(tmp_path, {"keys": ["id"]}, rules, DATA / "SBS2000.csv")
    d = _sbs()
    turnover = _num(d, "turnover")
    median = turnover.groupby(d["size"]).transform("median")  # do_by(turnover, size, fun = median, na.rm = TRUE)
    assert _counts(summary["DOBY"]) == _tally(turnover - 10 * median <= EPS)


# -- the data as a whole: nrow(.), mean(x) (cookbook 5.1) -----------------------------------------
def test_the_dataset_as_a_whole(tmp_path):
    rules = [{"id": "NROW", "kind": "aggregate", "source": "d", "expr": "count() >= 60"},
             {"id": "NROW61", "kind": "aggregate", "source": "d", "expr": "count() >= 61"},
             {"id": "MEAN", "kind": "aggregate", "source": "d", "expr": "mean(turnover) > 0"}]
    summary, violations = _run(tmp_path, {"keys": ["id"]}, rules, DATA / "retailers.csv")
    assert _counts(summary["NROW"]) == (1, 0, 0) and _counts(summary["NROW61"]) == (0, 1, 0)
    assert _counts(summary["MEAN"]) == (1, 0, 0)
    mean = pd.read_csv(DATA / "retailers.csv")["turnover"].mean()  # mean(turnover, na.rm = TRUE)
    observed = violations[violations["rule_id"] == "NROW61"]["observed"].iloc[0]
    assert observed == 60 and mean > 0


# -- is_linear_sequence(period, by = list(region, measure), begin, end) on annual samplonomy -------
def test_linear_sequence_of_years(tmp_path):
    rules = [{"id": "SEQ", "kind": "sequence", "source": "d", "period": "period", "by": ["region", "measure"],
              "frequency": "year", "from": "2014", "to": "2019", "where": "freq = 'A'"}]
    summary, violations = _run(tmp_path, {"columns": {"period": "string"}}, rules, DATA / "samplonomy.csv")
    s = pd.read_csv(DATA / "samplonomy.csv", dtype={"period": str})
    annual = s[s["freq"] == "A"]
    years = annual.groupby(["region", "measure"])["period"].apply(lambda p: sorted(set(p.astype(int))))
    broken = {key for key, got in years.items() if got != list(range(2014, 2020))}
    assert broken == {("Agria", "gdp")}  # 2015 is missing
    failed = {(v["keys"]["region"], v["keys"]["measure"]) for _, v in violations.iterrows()}
    assert failed == broken
    assert summary["SEQ"]["fails"] == 1 and summary["SEQ"]["passes"] == len(years) - 1
