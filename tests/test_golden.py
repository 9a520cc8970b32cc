"""Runs every golden case of tests/cases/*.yml (see tests/golden.py for the format)."""

from __future__ import annotations

import pytest

import statguard
from statguard.errors import PackError

from golden import load_cases, match_violations, run_options, same, write_pack

CASES = load_cases()


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_golden(case, tmp_path):
    path, frames = write_pack(case, tmp_path)
    expect = case["expect"]
    try:
        pack = statguard.load_pack(path)
        problems = [str(p) for p in pack.problems]
    except PackError as e:
        pack, problems = None, [str(p) for p in e.problems]
    if "problems" in expect:
        if pack is not None and any(not any(w in p for p in problems) for w in expect["problems"]):
            # a column the source does not declare is the data's to decide (issue 16): such a
            # problem surfaces when the rule runs, as its error, located the same way
            ran = pack.validate(frames, **case.get("options", {}))
            problems += [r["error"] for r in ran.summary.to_dict("records") if r["errored"] and r["error"]]
        for wanted in expect["problems"]:
            assert any(wanted in p for p in problems), f"no problem mentions {wanted!r}: {problems}"
        if pack is None or not expect.get("summary"):
            return
    else:
        assert not problems, problems
    report = pack.validate(frames, **run_options(case))
    summary = {r["rule_id"]: r for r in report.summary.to_dict("records")}
    for rule_id, want in (expect.get("summary") or {}).items():
        got = summary[str(rule_id)]
        for key, value in want.items():
            assert same(got[key], value), f"{rule_id}.{key}: got {got[key]!r}, expected {value!r} ({got.get('error')})"
    if "violations" in expect:
        errors = match_violations(report.violations.to_dict("records"), expect["violations"])
        assert not errors, "\n".join(errors)
    if "lacking" in expect:
        errors = match_violations(report.lacking_records(), expect["lacking"])
        assert not errors, "not evaluable: " + "\n".join(errors)


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_plans_render_in_a_second_dialect(case, tmp_path):
    """Kinds build sqlglot trees, not DuckDB text: every plan also renders as Spark SQL."""
    from statguard.checks import registry
    from statguard.checks.plan import Context
    path, _ = write_pack(case, tmp_path)
    try:
        pack = statguard.load_pack(path)
    except PackError:
        pytest.skip("pack with problems")
    for rule in pack.rules:
        if rule.problems:
            continue
        plan = registry.get(rule.kind).plan(rule, Context(pack, rule, dialect="spark"))
        if plan.query is not None:
            sql = plan.query.sql(dialect="spark", unsupported_level="raise")
            assert "SELECT" in sql and '"' not in sql.replace('\\"', "")  # Spark quotes with backticks
        for extra in (plan.failing, plan.tally):
            if extra is not None:
                assert "SELECT" in extra.sql(dialect="spark", unsupported_level="raise")


SHORTCUT = [(n, c) for n, c in CASES if any(r.get("kind") == "unique" for r in c.get("rules", []))]


@pytest.mark.parametrize("case", [c for _, c in SHORTCUT], ids=[n for n, _ in SHORTCUT])
def test_failing_and_tally_give_what_the_query_gives(case, tmp_path):
    """Plans with a cheaper way to their result (Plan.failing and Plan.tally) must give the
    same counts and failing items as their query, which holds every item with its status."""
    import dataclasses

    from statguard.api import bind_source
    from statguard.checks import registry
    from statguard.checks.plan import Context
    from statguard.engine.duckdb import DuckDBEngine
    path, frames = write_pack(case, tmp_path)
    try:
        pack = statguard.load_pack(path)
    except PackError:
        pytest.skip("pack with problems")
    if pack.problems:
        pytest.skip("pack with problems")
    checked = 0
    with DuckDBEngine() as engine:
        for name in pack.sources:
            bind_source(engine, pack, name, frames.get(name))
        for rule in pack.rules:
            if rule.problems:
                continue
            plan = registry.get(rule.kind).plan(rule, Context(pack, rule, engine.bound))
            if plan.failing is None:
                continue
            quick = engine.run(plan)
            full = engine.run(dataclasses.replace(plan, failing=None, tally=None))
            assert quick[0] == full[0], rule.id
            assert quick[1].n == full[1].n and quick[1].columns == full[1].columns, rule.id
            checked += 1
    assert checked or not any(r.get("per", "record") == "record" for r in case["rules"] if r.get("kind") == "unique")
