"""statguard.analysis.analyze_pack: the documented examples of R validatetools (README,
examples/feasible.R, redundancy.R, detect_fixed_variables.R, detect_contradicting_if_rules.R)
reproduced, and rules located file:line."""

from __future__ import annotations

import pytest

import statguard
from statguard.analysis import analyze_pack


def _pack(tmp_path, rules: list[str], columns: str = "", name: str = "pack.yml") -> tuple[statguard.Pack, str]:
    """A pack over source `s` with the given rules, one per line (the rule's line is known)."""
    text = "pack: {name: vt}\nsources:\n  s:\n    columns:\n"
    text += columns or "      x: {type: number}\n"
    text += "rules:\n" + "".join(f"  - {r}\n" for r in rules)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    pack = statguard.load_pack(path)
    assert not [p for r in pack.rules for p in r.problems]
    return pack, text


def _line(text: str, rule_id: str) -> int:
    """The line of `{id: rule_id, ...}` in the pack text, counted here rather than taken from the loader."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if f"id: {rule_id}," in line)


def _found(pack: statguard.Pack, kind: str) -> list[list[str]]:
    return [f.rules for f in analyze_pack(pack) if f.kind == kind]


NUMS = "".join(f"      {n}: {{type: number}}\n" for n in ("x", "x1", "x2", "x3", "age", "income"))


# -- feasibility (examples/feasible.R, README "Check for feasibility") ---------------------------------
def test_one_rule_is_feasible(tmp_path):
    pack, _ = _pack(tmp_path, ["{id: rule1, kind: row, source: s, expr: x > 0}"])
    assert analyze_pack(pack) == []


def test_contradiction_names_both_rules_with_file_and_line(tmp_path):
    pack, text = _pack(tmp_path, ["{id: rule1, kind: row, source: s, expr: x > 0}",
                                  "{id: rule2, kind: row, source: s, expr: x < 0}"])
    findings = analyze_pack(pack)
    assert [(f.severity, f.rules) for f in findings] == [("error", ["rule1", "rule2"])]
    path = str(tmp_path / "pack.yml")
    assert f"rule1 ({path}:{_line(text, 'rule1')})" in findings[0].text
    assert f"rule2 ({path}:{_line(text, 'rule2')})" in findings[0].text
    assert findings[0].loc.line == _line(text, "rule1")


def test_contradiction_among_three_names_the_minimal_subset(tmp_path):
    # the comment of R/contradicted.R: x > 1, r2 = x < 0, x > 2: r2 conflicts; x > 1 is also implied by x > 2
    pack, _ = _pack(tmp_path, ["{id: a, kind: row, source: s, expr: x > 1}",
                               "{id: r2, kind: row, source: s, expr: x < 0}",
                               "{id: b, kind: row, source: s, expr: x > 2}",
                               "{id: other, kind: row, source: s, expr: age >= 0}"], NUMS)
    conflicts = _found(pack, "contradiction")
    assert len(conflicts) == 1 and len(conflicts[0]) == 2 and "r2" in conflicts[0]
    assert "other" not in conflicts[0]


def test_independent_contradictions_are_all_named(tmp_path):
    pack, _ = _pack(tmp_path, ["{id: a1, kind: row, source: s, expr: x >= 5}",
                               "{id: a2, kind: row, source: s, expr: x <= 4}",
                               "{id: b1, kind: row, source: s, expr: age + income <= 10}",
                               "{id: b2, kind: row, source: s, expr: age >= 6}",
                               "{id: b3, kind: row, source: s, expr: income >= 6}"], NUMS)
    assert sorted(_found(pack, "contradiction")) == [["a1", "a2"], ["b1", "b2", "b3"]]


def test_contradicting_if_rules_are_feasible(tmp_path):
    # README "Finding contradicting if rules": is_infeasible() is FALSE (job = "no", income <= 0 satisfies both)
    cols = "      income: {type: number}\n      job: {type: string}\n"
    pack, _ = _pack(tmp_path, ["{id: rule1, kind: row, source: s, if: income > 0, expr: \"job == 'yes'\"}",
                               "{id: rule2, kind: row, source: s, if: \"job == 'yes'\", expr: income == 0}"], cols)
    assert _found(pack, "contradiction") == []
    # detect_contradicting_if_rules: "income > 0" can never hold: rule1 then needs job "yes", rule2 then income 0
    (finding,) = analyze_pack(pack)
    assert (finding.kind, finding.severity, finding.rules) == ("dead_condition", "warning", ["rule1", "rule2"])
    assert finding.text.startswith("the condition of rule rule1 (")


def test_two_if_rules_with_one_condition_and_opposite_consequences(tmp_path):
    # examples/detect_contradicting_if_rules.R: if (nace == "a") export == "y"; if (nace == "a") export == "n"
    cols = "      nace: {type: string}\n      export: {type: string}\n"
    pack, _ = _pack(tmp_path, ["{id: r1, kind: row, source: s, if: \"nace == 'a'\", expr: \"export == 'y'\"}",
                               "{id: r2, kind: row, source: s, if: \"nace == 'a'\", expr: \"export == 'n'\"}"], cols)
    assert [(f.kind, f.rules) for f in analyze_pack(pack)] == [("dead_condition", ["r1", "r2"])]


def test_conditional_and_categorical_contradictions(tmp_path):
    cols = NUMS + "      job: {type: string, allowed: ['yes', 'no']}\n"
    pack, _ = _pack(tmp_path, ["{id: c1, kind: row, source: s, if: x > 0, expr: age > 0}",
                               "{id: c2, kind: row, source: s, expr: x >= 1}",
                               "{id: c3, kind: row, source: s, expr: age <= -1}",
                               "{id: k1, kind: row, source: s, expr: \"job == 'yes'\"}",
                               "{id: k2, kind: row, source: s, expr: \"job IN ('no')\"}"], cols)
    assert sorted(_found(pack, "contradiction")) == [["c1", "c2", "c3"], ["k1", "k2"]]


def test_declared_column_bounds_and_part_whole_take_part(tmp_path):
    cols = ("      a: {type: number, min: 0}\n      b: {type: number, min: 0}\n      c: {type: number}\n")
    pack, text = _pack(tmp_path, ["{id: PW, kind: part_whole, source: s, whole: c, parts: [a, b]}",
                                  "{id: BIG, kind: row, source: s, expr: a > c}"], cols)
    (finding,) = analyze_pack(pack)
    assert finding.severity == "error"
    assert set(finding.rules) == {"PW", "BIG", "s.b.min"}
    line_of_b = next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith("b:"))
    assert f"b >= 0 ({tmp_path / 'pack.yml'}:{line_of_b})" in finding.text


# -- redundancy (examples/redundancy.R, README "Removing redundant rules") ----------------------------
def test_weaker_rule_is_implied(tmp_path):
    pack, _ = _pack(tmp_path, ["{id: rule1, kind: row, source: s, expr: x > 1}",
                               "{id: rule2, kind: row, source: s, expr: x > 2}"])
    (finding,) = analyze_pack(pack)
    assert (finding.severity, finding.rules) == ("warning", ["rule1", "rule2"])  # rule1 implied by rule2
    assert finding.text.startswith("rule rule1 (")


def test_of_two_equal_rules_the_later_is_named(tmp_path):
    # remove_redundancy: "oldest rule wins"
    pack, _ = _pack(tmp_path, ["{id: rule1, kind: row, source: s, expr: x > 2}",
                               "{id: rule2, kind: row, source: s, expr: x > 2}"])
    assert _found(pack, "redundant") == [["rule2", "rule1"]]


def test_rule_implied_by_two_others_and_by_a_conditional(tmp_path):
    pack, _ = _pack(tmp_path, ["{id: sum, kind: row, source: s, expr: x1 + x2 == x3}",
                               "{id: p1, kind: row, source: s, expr: x1 >= 0}",
                               "{id: p2, kind: row, source: s, expr: x2 >= 0}",
                               "{id: tot, kind: row, source: s, expr: x3 >= 0}",
                               "{id: unrelated, kind: row, source: s, expr: age <= 120}"], NUMS)
    assert _found(pack, "redundant") == [["tot", "sum", "p1", "p2"]]


def test_conditional_rule_implied(tmp_path):
    # if age >= 16 then income >= 0 is implied by income >= 0
    pack, _ = _pack(tmp_path, ["{id: inc, kind: row, source: s, expr: income >= 0}",
                               "{id: cond, kind: row, source: s, if: age >= 16, expr: income >= 0}"], NUMS)
    assert _found(pack, "redundant") == [["cond", "inc"]]


# -- fixed variables (examples/detect_fixed_variables.R, README "Finding fixed values") ----------------
def test_fixed_by_two_inequalities(tmp_path):
    pack, _ = _pack(tmp_path, ["{id: rule1, kind: row, source: s, expr: x >= 0}",
                               "{id: rule2, kind: row, source: s, expr: x <= 0}"])
    (finding,) = analyze_pack(pack)
    assert (finding.severity, finding.column, finding.value, finding.rules) == ("info", "x", 0.0, ["rule1", "rule2"])


def test_fixed_through_a_sum(tmp_path):
    # x1 + x2 + x3 == 0, x1 + x2 >= 0, x3 >= 0: simplify_fixed_variables substitutes x3 = 0; x1, x2 stay free
    pack, _ = _pack(tmp_path, ["{id: rule1, kind: row, source: s, expr: x1 + x2 + x3 == 0}",
                               "{id: rule2, kind: row, source: s, expr: x1 + x2 >= 0}",
                               "{id: rule3, kind: row, source: s, expr: x3 >= 0}"], NUMS)
    fixed = [(f.column, f.value, f.rules) for f in analyze_pack(pack) if f.kind == "fixed"]
    assert fixed == [("x3", 0.0, ["rule1", "rule2", "rule3"])]


def test_fixed_value_other_than_zero_in_chinese(tmp_path):
    cols = "      增加值: {type: number}\n      总产出: {type: number}\n"
    pack, _ = _pack(tmp_path, ["{id: A, kind: row, source: s, expr: 总产出 == 250}",
                               "{id: B, kind: row, source: s, expr: 增加值 * 2 == 总产出}"], cols)
    (finding,) = [f for f in analyze_pack(pack, lang="zh") if f.column == "增加值"]
    assert finding.value == 125.0
    assert "只能取 125" in finding.text and "A（" in finding.text


def test_rules_not_linear_are_left_out(tmp_path):
    pack, _ = _pack(tmp_path, ["{id: prod, kind: row, source: s, expr: x1 * x2 > 1}",
                               "{id: neg, kind: row, source: s, expr: x1 < 0}",
                               "{id: nul, kind: row, source: s, expr: x2 IS NOT NULL}"], NUMS)
    assert analyze_pack(pack) == []


# -- performance -------------------------------------------------------------------------------------
def test_two_hundred_rules_find_every_kind_of_finding(tmp_path):
    """The benchmark's 200-rule pack (its time: bench/analysis_bench.py) holds every kind of finding."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from analysis_bench import write_pack
    path = write_pack(tmp_path, 200)
    pack = statguard.load_pack(path)
    assert len(pack.rules) == 200
    findings = analyze_pack(pack)
    kinds = {f.kind for f in findings}
    assert kinds == {"contradiction", "dead_condition", "redundant", "fixed"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_finding_is_located(tmp_path, lang):
    pack, _ = _pack(tmp_path, ["{id: rule1, kind: row, source: s, expr: x > 0}",
                               "{id: rule2, kind: row, source: s, expr: x < 0}",
                               "{id: rule3, kind: row, source: s, expr: x1 >= x2}",
                               "{id: rule4, kind: row, source: s, expr: x1 >= x2 - 1}"], NUMS)
    findings = analyze_pack(pack, lang=lang)
    assert len(findings) == 2
    for f in findings:
        assert all(loc.startswith(str(tmp_path / "pack.yml") + ":") for loc in f.locations)
        assert len(f.locations) == len(f.rules)
