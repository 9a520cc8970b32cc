"""Error localisation (statguard.analysis.locate, errorlocate's locate_errors): the documented
examples of R errorlocate (README, vignette "Find errors in data", examples/locate_errors.R)
reproduced, answers checked against brute force, and fields_to_fix in every report format."""

from __future__ import annotations

import itertools
import json
import math
import random
import sys
from pathlib import Path

import pytest

import statguard
from statguard.analysis.linear import extract
from statguard.analysis.locate import Locator

ROOT = Path(__file__).resolve().parents[1]


def _system(tmp_path, columns: dict[str, str], rules: list[str], settings: str = "", data: str | None = None):
    text = "pack:\n  name: el\n" + (f"  settings:\n{settings}" if settings else "")
    text += "sources:\n  s:\n" + (f"    path: {data}\n    keys: [id]\n" if data else "") + "    columns:\n"
    text += "".join(f"      {n}: {{type: {t}}}\n" for n, t in columns.items())
    text += "rules:\n" + "".join(f"  - {r}\n" for r in rules)
    path = tmp_path / "pack.yml"
    path.write_text(text, encoding="utf-8")
    pack = statguard.load_pack(path)
    assert not [p for r in pack.rules for p in r.problems]
    return pack, extract(pack, "s")


PROFIT = ["{id: r1, kind: row, source: s, expr: profit + cost == turnover}",
          "{id: r2, kind: row, source: s, expr: cost >= 0.6 * turnover}",
          "{id: r3, kind: row, source: s, expr: turnover >= 0}"]
MONEY = {"profit": "number", "cost": "number", "turnover": "number"}


def test_profit_is_the_error(tmp_path):
    # examples/locate_errors.R: profit 755, cost 125, turnover 200 -> profit (755 + 125 != 200; profit = 75 repairs)
    _, system = _system(tmp_path, MONEY, PROFIT)
    assert Locator(system).locate({"profit": 755, "cost": 125, "turnover": 200}) == ["profit"]


def test_readme_example_with_an_implied_rule(tmp_path):
    # README: profit == turnover - cost, cost >= 0.6 * turnover, turnover >= 0, cost >= 0; 750, 125, 200
    rules = ["{id: a, kind: row, source: s, expr: profit == turnover - cost}",
             "{id: b, kind: row, source: s, expr: cost >= 0.6 * turnover}",
             "{id: c, kind: row, source: s, expr: turnover >= 0}",
             "{id: d, kind: row, source: s, expr: cost >= 0}"]
    _, system = _system(tmp_path, MONEY, rules)
    assert Locator(system).locate({"profit": 750, "cost": 125, "turnover": 200}) == ["profit"]


def test_a_field_kept_as_is_moves_the_fix(tmp_path):
    # with profit fixed (weight Inf), cost and turnover must both change: cost >= 0.6 (755 + cost) needs cost >= 1132.5
    _, system = _system(tmp_path, MONEY, PROFIT)
    assert Locator(system, {"profit": math.inf}).locate({"profit": 755, "cost": 125, "turnover": 200}) == \
        ["cost", "turnover"]


def test_categorical(tmp_path):
    # examples/locate_errors.R v_categorical: (government, VAT) fails `if (tax == "VAT") branch == "industry"`;
    # either field repairs it (errorlocate picks at random; here the earlier declared, unless weighted)
    rules = ["{id: b, kind: row, source: s, expr: \"branch IN ('government', 'industry')\"}",
             "{id: t, kind: row, source: s, expr: \"tax IN ('none', 'VAT')\"}",
             "{id: v, kind: row, source: s, if: \"tax == 'VAT'\", expr: \"branch == 'industry'\"}"]
    _, system = _system(tmp_path, {"branch": "string", "tax": "string"}, rules)
    failing = {"branch": "government", "tax": "VAT"}
    assert Locator(system).locate(failing) == ["branch"]
    assert Locator(system, {"branch": 2}).locate(failing) == ["tax"]
    assert Locator(system).locate({"branch": "industry", "tax": "VAT"}) == []
    assert Locator(system).locate({"branch": "farming", "tax": "none"}) == ["branch"]  # outside the IN list


def test_logical_with_weights(tmp_path):
    # v_logical: if (voted == TRUE) citizen == TRUE; voted TRUE, citizen FALSE, weight c(voted = 2, citizen = 1)
    rules = ["{id: c, kind: row, source: s, if: voted == TRUE, expr: citizen == TRUE}"]
    _, system = _system(tmp_path, {"voted": "boolean", "citizen": "boolean"}, rules)
    assert Locator(system, {"voted": 2, "citizen": 1}).locate({"voted": True, "citizen": False}) == ["citizen"]
    assert Locator(system, {"voted": 1, "citizen": 2}).locate({"voted": True, "citizen": False}) == ["voted"]


def test_conditional_numeric_and_logical(tmp_path):
    # if (married == TRUE) age >= 17; married TRUE, age 16; weight married = 1, age = 2 -> married; age Inf -> married
    rules = ["{id: m, kind: row, source: s, if: married, expr: age >= 17}"]
    _, system = _system(tmp_path, {"married": "boolean", "age": "number"}, rules)
    record = {"married": True, "age": 16}
    assert Locator(system, {"married": 1, "age": 2}).locate(record) == ["married"]
    assert Locator(system, {"age": math.inf}).locate(record) == ["married"]
    assert Locator(system, {"married": 2, "age": 1}).locate(record) == ["age"]


def test_vignette_age_and_income(tmp_path):
    # vignette: r1 = age > 0, r2 = if (income > 0) age > 16; records (-10, 0), (15, 2000), (25, 3000), (NA, 1000)
    rules = ["{id: r1, kind: row, source: s, expr: age > 0}",
             "{id: r2, kind: row, source: s, if: income > 0, expr: age > 16}"]
    _, system = _system(tmp_path, {"age": "number", "income": "number"}, rules)
    records = [{"age": -10, "income": 0}, {"age": 15, "income": 2000}, {"age": 25, "income": 3000},
               {"age": None, "income": 1000}]
    weighted = Locator(system, {"age": 2, "income": 1})  # "more trust in age": income is chosen for record 2
    assert [weighted.locate(r) for r in records] == [["age"], ["income"], [], []]
    plain = Locator(system)  # unweighted, record 2 is age or income: either is one field
    assert [len(plain.locate(r)) for r in records] == [1, 1, 0, 0]


def test_no_fix_when_every_field_is_kept(tmp_path):
    _, system = _system(tmp_path, MONEY, PROFIT)
    kept = {n: math.inf for n in MONEY}
    assert Locator(system, kept).locate({"profit": 755, "cost": 125, "turnover": 200}) is None


# -- against brute force ------------------------------------------------------------------------------
def _feasible_with(system, record, free: set[str]) -> bool:
    """Whether changing only `free` lets `record` pass every rule: each way of picking one atom of
    every clause (fixed atoms evaluated as they stand) an LP built here and given to linprog."""
    import numpy as np
    from scipy.optimize import linprog
    free_list = sorted(free)

    def row(atom):
        a = np.zeros(len(free_list))
        rest = sum(c * record[v] for v, c in atom.coefs if v not in free)
        for v, c in atom.coefs:
            if v in free:
                a[free_list.index(v)] += c
        b = atom.rhs - rest
        if atom.op == "==":
            return [(a, b + atom.tol + 1e-7), (-a, -b + atom.tol + 1e-7)]
        return [(a, b + atom.tol + 1e-7 if atom.op == "<=" else b - 1e-6)]

    picks = []
    for rule in system.rules:
        for clause in rule.clauses:
            if any(not set(a.names) & free and a.holds(record) for a in clause):
                continue
            options = [row(a) for a in clause if set(a.names) & free]
            if not options:
                return False
            picks.append(options)
    for pick in itertools.product(*picks):
        rows = [r for rows in pick for r in rows]
        res = linprog(np.zeros(len(free_list)), A_ub=np.array([r[0] for r in rows]),
                      b_ub=np.array([r[1] for r in rows]), bounds=[(None, None)] * len(free_list), method="highs")
        if res.status == 0:
            return True
    return False


def test_random_records_against_brute_force(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from locate_bench import FIELDS, RULES, WEIGHTS, records
    columns = {f: "number" for f in FIELDS}
    _, system = _system(tmp_path, columns, RULES)
    locator = Locator(system, WEIGHTS)
    rng = random.Random(3)
    checked = 0
    for record in records(60, seed=11):
        found = locator.locate(record)
        assert found is not None
        if not found:
            continue
        checked += 1
        assert _feasible_with(system, record, set(found))
        cost = sum(WEIGHTS.get(f, 1.0) for f in found)
        # no cheaper set of fields puts it right: all sets of up to len(found) fields among those of failing rules
        candidates = sorted({n for r in locator.failing(record) for n in r.names} | set(found))
        for k in range(1, len(found) + 1):
            for combo in itertools.combinations(candidates, k):
                if sum(WEIGHTS.get(f, 1.0) for f in combo) < cost - 1e-9:
                    assert not _feasible_with(system, record, set(combo)), (record, found, combo)
        if rng.random() < 0.2:  # a bigger candidate pool now and then: every field
            for combo in itertools.combinations(FIELDS, 1):
                if WEIGHTS.get(combo[0], 1.0) < cost - 1e-9:
                    assert not _feasible_with(system, record, set(combo))
    assert checked > 40


# -- through a run, in every format ---------------------------------------------------------------------
DATA = "id,profit,cost,turnover\na,755,125,200\nb,75,125,200\nc,10,-20,-10\nd,,125,200\n"


def _run(tmp_path, settings: str = "", options: dict | None = None):
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    pack, _ = _system(tmp_path, {"id": "string", **MONEY}, PROFIT, settings, data=str(tmp_path / "d.csv"))
    from statguard.api import validate
    return validate(pack, {}, options=options)


def test_run_attaches_fields_to_fix(tmp_path):
    report = _run(tmp_path, options={"fields_to_fix": True})
    got = sorted((v["rule_id"], v["keys"]["id"], tuple(v["fields_to_fix"])) for v in report.to_dict()["violations"])
    # a: profit (above); c: 10 - 20 == -10 holds, cost >= 0.6 turnover and turnover >= 0 fail: turnover must
    # become >= 0 and then cost = turnover - 10 >= 0.6 turnover needs turnover >= 25: both cost and turnover
    assert got == [("r1", "a", ("profit",)), ("r2", "c", ("cost", "turnover")), ("r3", "c", ("cost", "turnover"))]


def test_weights_from_the_pack_settings(tmp_path):
    settings = "    fields_to_fix:\n      s:\n        weights: {profit: .inf}\n"
    report = _run(tmp_path, settings)
    fixes = {v["keys"]["id"]: v["fields_to_fix"] for v in report.to_dict()["violations"] if v["rule_id"] == "r1"}
    assert fixes == {"a": ["cost", "turnover"]}


def test_not_asked_no_column(tmp_path):
    report = _run(tmp_path)
    assert all("fields_to_fix" not in v for v in report.to_dict()["violations"])
    assert report.column("fields_to_fix") == [None] * report.violation_count


def test_bad_settings_are_named(tmp_path):
    from statguard.errors import StatguardError
    with pytest.raises(StatguardError, match="weight of 'profit'"):
        _run(tmp_path, "    fields_to_fix:\n      s:\n        weights: {profit: -1}\n")
    with pytest.raises(StatguardError, match="names source 'nope'"):
        _run(tmp_path, "    fields_to_fix:\n      nope: {}\n")


def test_every_format_carries_it(tmp_path):
    report = _run(tmp_path, options={"fields_to_fix": True})
    report.meta["lang"] = "en"
    import jsonschema
    schema = json.loads((ROOT / "src/statguard/report/report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report.to_dict(), schema)
    back = statguard.Report.from_json(report.to_json())
    assert back.column("fields_to_fix") == report.column("fields_to_fix")
    from statguard.report.writers import render
    for name in ("text", "markdown", "junit"):  # after the message
        assert "(fields to fix: cost, turnover)" in render(report, name, "en"), name
    assert "（需更正的字段：cost、turnover）" in render(report, "text", "zh")
    csv_text = render(report, "csv", "en")
    assert csv_text.splitlines()[0].endswith(",fields_to_fix")
    assert csv_text.splitlines()[1].endswith(',"[""profit""]"')
    html = render(report, "html", "en")
    assert "fields to fix" in html and "cost, turnover" in html or '["cost","turnover"]' in html
    out = tmp_path / "r.xlsx"
    from statguard.report.writers import write_all
    write_all(report, ["xlsx"], [str(out)], lang="en")
    from openpyxl import load_workbook
    cells = {str(c.value) for ws in load_workbook(out) for row in ws.iter_rows() for c in row}
    assert "fields to fix" in cells
    assert {"profit", "cost, turnover"} <= cells or {'["profit"]', '["cost", "turnover"]'} <= cells, cells


def test_cli_flag(tmp_path, capsys):
    (tmp_path / "d.csv").write_text(DATA, encoding="utf-8")
    _system(tmp_path, {"id": "string", **MONEY}, PROFIT, data=str(tmp_path / "d.csv"))
    from statguard.cli.main import main
    code = main(["check", str(tmp_path / "pack.yml"), "--fields-to-fix", "-f", "json"])
    assert code == 1
    violations = json.loads(capsys.readouterr().out)["violations"]
    assert [v["fields_to_fix"] for v in violations if v["rule_id"] == "r1"] == [["profit"]]


@pytest.mark.parametrize("identity", ["    unit: 单位\n", ""])  # records told apart by unit, or by their number
def test_chinese_columns_by_unit_or_record_number(tmp_path, identity):
    (tmp_path / "zh.csv").write_text("单位,中间投入,增加值,总产出,状态\nA01,60,40,100,营业\nA02,60,50,100,营业\n"
                                     "A03,60,-50,10,营业\nA04,60,-50,10,停业\n", encoding="utf-8")
    (tmp_path / "zh.yml").write_text(
        "pack:\n  name: 企业\n  settings:\n    fields_to_fix:\n      企业:\n        weights: {总产出: 3}\n"
        f"sources:\n  企业:\n    path: zh.csv\n{identity}    columns: {{单位: {{type: string}}, "
        "中间投入: {type: number}, 增加值: {type: number}, 总产出: {type: number, min: 0}, 状态: {type: string}}\n"
        "rules:\n  - {id: 平衡, kind: row, source: 企业, expr: 中间投入 + 增加值 == 总产出}\n"
        "  - {id: 增加值非负, kind: row, source: 企业, if: \"状态 == '营业'\", expr: 增加值 >= 0}\n", encoding="utf-8")
    report = statguard.load_pack(tmp_path / "zh.yml").validate()
    got = sorted((v["rule_id"], v["fields_to_fix"]) for v in report.to_dict()["violations"])
    # A02: 60 + 50 != 100: 中间投入 or 增加值 alone (weight 1; the earlier declared); 总产出 weighs 3.
    # A03: balanced, but 增加值 < 0 while 营业: changing 增加值 breaks the balance, 状态 alone puts it right
    assert got == [("增加值非负", ["状态"]), ("平衡", ["中间投入"])]
