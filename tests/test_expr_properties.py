"""Property-based tests of the expression language.

1. Whatever text a rule author types, parsing either succeeds or raises
   statguard's own ExpressionError; nothing else escapes.
2. For generated arithmetic comparisons, the status statguard computes in
   DuckDB equals a reference evaluation in Python with NULL = not evaluable.
"""

from __future__ import annotations

import operator

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statguard.errors import ExpressionError
from statguard.expr import compile_expression, parse

TOKENS = ["a", "b", "总投资", '"x y"', "other.rev", "1", "0.5", "'s'", "+", "-", "*", "/", "=", "==", "<>",
          "<", ">=", "(", ")", ",", "AND", "OR", "NOT", "IN", "BETWEEN", "IS", "NULL", "CASE", "WHEN", "THEN",
          "ELSE", "END", "abs", "round", "coalesce", "read_csv", "SELECT", "FROM", ";", "COPY", "ATTACH",
          "PRAGMA", "::", "INTERVAL", "'1 month'", "$1", "?", "*", "`", "\\", "\n", "--", "/*", "[", "]", "{", "}"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join), st.text(max_size=40)))
def test_parser_raises_only_statguard_errors(text):
    try:
        compile_expression(text, {None: ["a", "b", "总投资", "x y", "other.rev"]})
    except ExpressionError as e:
        assert e.problems and e.problems[0].message


OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}
CMPS = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "<>": operator.ne}
values = st.one_of(st.none(), st.integers(-50, 50))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(list(OPS)), st.sampled_from(list(CMPS)), st.lists(st.tuples(values, values, values),
                                                                           min_size=1, max_size=8))
def test_duckdb_status_matches_reference(op, cmp, rows):
    import tempfile
    from pathlib import Path

    import statguard
    text = f"a {op} b {cmp} c"
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.yml"
        path.write_text("sources:\n  t:\n    keys: [k]\n    columns: {k: integer, a: number, b: number, c: number}\n"
                        f"rules:\n  - {{id: R, kind: row, source: t, expr: '{text}', tolerance: 0}}\n",
                        encoding="utf-8")
        frame = pd.DataFrame([{"k": i, "a": a, "b": b, "c": c} for i, (a, b, c) in enumerate(rows)],
                             columns=["k", "a", "b", "c"]).astype({"a": "Float64", "b": "Float64", "c": "Float64"})
        report = statguard.load_pack(path).validate({"t": frame})
    expected = {"pass": 0, "fail": 0, "na": 0}
    failing = set()
    for i, (a, b, c) in enumerate(rows):
        if a is None or b is None or c is None:
            expected["na"] += 1
        elif CMPS[cmp](OPS[op](a, b), c):
            expected["pass"] += 1
        else:
            expected["fail"] += 1
            failing.add(i)
    row = report.summary.iloc[0]
    assert (row["passes"], row["fails"], row["not_evaluable"]) == (expected["pass"], expected["fail"], expected["na"])
    assert {v["k"] for v in report.violations["keys"]} == failing


def test_parse_keeps_the_tree_free_of_python():
    tree = parse("abs(a - b) <= 0.5 * coalesce(c, 0)")
    assert tree.sql("duckdb") == "ABS(a - b) <= 0.5 * COALESCE(c, 0)"
