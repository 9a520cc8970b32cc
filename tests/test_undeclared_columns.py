"""Columns a source does not declare (issue 16): declared columns are those the pack types or
constrains; the file's other columns keep their detected type and may be keys, unit, period and
operands of expressions. Without data such names pass (lint cannot know the header); a run checks
them against the real header, with located errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import statguard
from statguard.checks import registry
from statguard.checks.plan import Context
from statguard.errors import ExpressionError

CSV = """企业代码,期别,地区,营业收入,营业成本,利润
A01,2024,北京,100,80,20
A02,2024,上海,50,60,-5
A03,2024,北京,,10,3
A01,2023,北京,90,70,20
"""

HEAD = """sources:
  firms:
    path: firms.csv
    keys: [企业代码, 期别]
    unit: 企业代码
    period: 期别
    columns:
      营业收入: {type: number, min: 0}
rules:
"""


def _pack(tmp_path: Path, rules: str, head: str = HEAD) -> Path:
    (tmp_path / "firms.csv").write_text(CSV, encoding="utf-8")
    path = tmp_path / "pack.yml"
    path.write_text(head + rules, encoding="utf-8")
    return path


def _check(path: Path) -> tuple[int, dict]:
    out = subprocess.run([sys.executable, "-m", "statguard", "check", str(path), "-f", "json"],
                         capture_output=True, text=True, encoding="utf-8", cwd=path.parent)
    return out.returncode, json.loads(out.stdout)


RULES = """  - {id: P, kind: row, source: firms, expr: 营业收入 - 营业成本 = 利润, where: "地区 in ('北京', '上海')"}
  - {id: U, kind: unique, source: firms, keys: [地区, 期别]}
  - {id: A, kind: aggregate, source: firms, expr: sum(利润) > 0, by: [地区]}
  - {id: M, kind: row, source: firms, expr: 利润 <= 1.5 * median(利润), by: [期别]}
"""


def test_keys_unit_period_and_expressions_read_undeclared_columns(tmp_path):
    path = _pack(tmp_path, RULES)
    pack = statguard.load_pack(path, check_types=True)  # what lint does: no problem
    assert pack.problems == [] and all(not r.problems for r in pack.rules)
    code, report = _check(path)
    assert code == 1
    rows = {r["rule_id"]: r for r in report["summary"]}
    assert not any(r["errored"] for r in rows.values()), rows
    # P: A01/2024 100 - 80 = 20 holds, A02 50 - 60 = -10 vs -5 fails, A03 no 营业收入, A01/2023 90 - 70 = 20
    assert (rows["P"]["items"], rows["P"]["passes"], rows["P"]["fails"], rows["P"]["not_evaluable"]) == (4, 2, 1, 1)
    # U: 北京/2024 twice (A01, A03); 上海/2024 and 北京/2023 once
    assert (rows["U"]["passes"], rows["U"]["fails"]) == (2, 2)
    # A: 北京 20 + 3 + 20 = 43 > 0, 上海 -5
    assert (rows["A"]["items"], rows["A"]["fails"]) == (2, 1)
    # M per period: 2024 profits 20, -5, 3 (median 3, 1.5x = 4.5): 20 fails; 2023 20 alone: 20 > 30? no
    assert (rows["M"]["items"], rows["M"]["fails"]) == (4, 1)
    failed = {(v["rule_id"], v["unit"], str(v["period"])) for v in report["violations"]}
    assert ("P", "A02", "2024") in failed and ("M", "A01", "2024") in failed
    p = next(v for v in report["violations"] if v["rule_id"] == "P")
    assert p["keys"] == {"企业代码": "A02", "期别": 2024} or p["keys"] == {"企业代码": "A02", "期别": "2024"}
    assert p["imbalance"] == -5


def test_a_column_the_file_lacks_is_a_located_error_at_run_time(tmp_path):
    head = HEAD.replace("unit: 企业代码", "unit: 单位")
    rules = ("  - {id: TYPO, kind: row, source: firms, expr: 营业成 > 0}\n"
             "  - {id: OK, kind: unique, source: firms, keys: [企业代码, 期别]}\n")
    path = _pack(tmp_path, rules, head)
    assert statguard.load_pack(path, check_types=True).problems == []
    code, report = _check(path)
    assert code == 2
    rows = {r["rule_id"]: r for r in report["summary"]}
    # the unit names a column firms.csv lacks: located at its `unit:`, the file's columns listed
    assert rows["TYPO"]["errored"] and rows["OK"]["errored"]
    assert f"{path}:5:11: [unit] unit column '单位' of source 'firms' is not in its data" in rows["OK"]["error"]
    assert "营业成本" in rows["OK"]["error"]
    # with the unit fixed, the typo is located in the expression, with a suggestion from the real header
    path.write_text(HEAD + rules, encoding="utf-8")
    code, report = _check(path)
    rows = {r["rule_id"]: r for r in report["summary"]}
    assert code == 2 and not rows["OK"]["errored"] and rows["OK"]["fails"] == 0
    assert (f"{path}:10:48: [expr] unknown column '营业成' in the source; did you mean '营业成本'?"
            in rows["TYPO"]["error"])


def test_lint_still_checks_declared_types_next_to_undeclared_columns(tmp_path):
    rules = ("  - {id: BAD, kind: row, source: firms, expr: 营业收入 + 'abc' > 营业成本}\n"
             "  - {id: GOOD, kind: row, source: firms, expr: 营业收入 >= 营业成本 + 利润}\n"
             "  - {id: BAD2, kind: row, source: firms, expr: 营业收入 + 'x' > 0, where: 地区 = '北京'}\n")
    pack = statguard.load_pack(_pack(tmp_path, rules), check_types=True)
    bad = {r.id: [str(p) for p in r.problems] for r in pack.rules}
    assert bad["GOOD"] == []
    for rule_id in ("BAD", "BAD2"):
        assert len(bad[rule_id]) == 1 and "cannot be evaluated on the declared column types" in bad[rule_id][0]
        assert "cannot be read as DOUBLE" in bad[rule_id][0]


def test_names_taken_on_trust_are_noted(tmp_path):
    rules = "  - {id: T, kind: row, source: firms, expr: 利润 > -10 and 营业成本 >= 0}\n"
    pack = statguard.load_pack(_pack(tmp_path, rules))
    rule = pack.rules[0]
    ctx = Context(pack, rule)
    registry.get("row").plan(rule, ctx)
    notes = [str(p) for p in ctx.undeclared]
    assert len(notes) == 2
    assert "column '利润' is not declared in source 'firms'" in notes[0]
    assert ":10:" in notes[0] and "[expr]" in notes[0]
    assert "column '营业成本' is not declared" in notes[1] and "did you mean" not in notes[1]
    zh = Context(pack, rule, options={"lang": "zh"})
    registry.get("row").plan(rule, zh)
    assert "未在数据源“firms”中声明" in str(zh.undeclared[0])


def test_a_near_miss_of_a_declared_column_is_refused_as_a_typo(tmp_path):
    """'营业收' beside the declared '营业收入' is the author's typo, not another column of the file:
    refused at load with the declared name suggested, as it would be with the data bound."""
    rules = "  - {id: T, kind: row, source: firms, expr: 营业收 > 0 and 营业成本 >= 0}\n"
    problems = [str(p) for p in statguard.load_pack(_pack(tmp_path, rules)).rules[0].problems]
    assert len(problems) == 1 and "unknown column '营业收'" in problems[0] and "did you mean '营业收入'" in problems[0]
    # a name unlike any declared one, checked with the data bound: the data's header decides
    rules = "  - {id: T, kind: row, source: firms, expr: 收入合计 > 0}\n"
    pack = statguard.load_pack(_pack(tmp_path, rules))
    rule = pack.rules[0]
    assert not rule.problems
    bound = Context(pack, rule, {"firms": {c: "VARCHAR" for c in CSV.splitlines()[0].split(",")}})
    with pytest.raises(ExpressionError, match="unknown column '收入合计'"):
        registry.get("row").plan(rule, bound)


def test_compile_takes_values_when_asked(tmp_path):
    pack = statguard.load_pack(_pack(tmp_path, "  - {id: T, kind: row, source: firms, expr: 营业收入 > 0}\n"))
    ctx = Context(pack, pack.rules[0])
    with pytest.raises(ExpressionError):
        ctx.compile("营业收入 + 1", "expr", {None: "firms"})
    value = ctx.compile("substr(期别, 1, 4)", "by", {None: "firms"}, condition=False)
    assert value.column_names == ["期别"]
    statistic = ctx.compile("利润 <= median(利润)", "expr", {None: "firms"}, statistics=True)
    assert statistic.column_names == ["利润"]


def test_lint_shows_names_left_to_the_data_as_notes(tmp_path, capsys):
    """lint cannot see the file's header: a name the source does not declare is a located note,
    in the asked language, and lint still passes (exit 0); a near miss stays a problem (exit 2)."""
    from statguard.cli.main import main
    path = _pack(tmp_path, "  - {id: T, kind: row, source: firms, expr: 营业收入 > 0 and 营业成本 >= 0}\n")
    assert main(["lint", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}:10:") and ": note: [expr] column '营业成本' is not declared" in out[0]
    assert out[1].endswith("ok (1 rules, 1 sources)")
    assert main(["lint", str(path), "--lang", "zh"]) == 0
    assert "提示：[expr] 列“营业成本”未在数据源“firms”中声明" in capsys.readouterr().out
    typo = _pack(tmp_path, "  - {id: T, kind: row, source: firms, expr: 营业收 > 0}\n")
    assert main(["lint", str(typo)]) == 2
    assert "unknown column '营业收'" in capsys.readouterr().out


def test_a_key_the_file_lacks_is_located_at_that_key(tmp_path):
    """Each of a source's `keys:` is located where it is written (line 4, column 18: 编号 in
    `    keys: [企业代码, 编号]`), in the run's language."""
    head = HEAD.replace("keys: [企业代码, 期别]", "keys: [企业代码, 编号]")
    path = _pack(tmp_path, "  - {id: OK, kind: row, source: firms, expr: 营业收入 >= 0}\n", head)
    out = subprocess.run([sys.executable, "-m", "statguard", "check", str(path), "--lang", "zh", "-f", "json"],
                         capture_output=True, text=True, encoding="utf-8", cwd=path.parent)
    assert out.returncode == 2
    error = json.loads(out.stdout)["summary"][0]["error"]
    assert error.startswith(f"{path}:4:18: [keys] 数据源「firms」的主键列「编号」不在其数据中"), error


def test_a_numeric_key_the_file_lacks_is_located_at_its_own_line(tmp_path):
    """`keys: [企业代码, 2024]` (a year typed as a column name, read by YAML as a number) names a
    column firms.csv lacks: the error points at the 2024 in `keys:`, as it does for a text key."""
    head = HEAD.replace("keys: [企业代码, 期别]", "keys: [企业代码, 2024]")
    path = _pack(tmp_path, "  - {id: R, kind: row, source: firms, expr: 利润 > -100}\n", head)
    code, report = _check(path)
    assert code == 2
    error = {r["rule_id"]: r for r in report["summary"]}["R"]["error"]
    # line 4, column 18: the 2024 inside `    keys: [企业代码, 2024]` (it was the source's line, 3:5)
    assert error.startswith(f"{path}:4:18: [keys] key column '2024' of source 'firms' is not in its data"), error
