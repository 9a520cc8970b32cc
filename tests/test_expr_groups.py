"""Statistics in the expression language: where they are allowed, how they are refused, and
their windows (a record's group statistic) checked against pandas on random data."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from sqlglot import exp

from statguard.errors import ExpressionError
from statguard.expr import compile_expression, parse
from statguard.expr.aggregates import filtered, over


@pytest.mark.parametrize("text, token", [
    ("v > 0 AND median(v) > 1", "median"),
    ("x <= 10 * mean(x)", "mean"),
    ("count(*) > 1", "count"),
    ("cor(a, b) > 0.5", "cor"),
])
def test_statistics_refused_where_not_allowed_at_their_position(text, token):
    with pytest.raises(ExpressionError) as e:
        parse(text, file="p.yml", line=4, column=11, field="where")
    problem = e.value.problems[0] if hasattr(e.value, "problems") else e.value
    assert f"'{token}' is a statistic over records" in str(problem)
    assert f"p.yml:4:{11 + text.index(token)}" in str(problem)


@pytest.mark.parametrize("text, message", [
    ("median(mean(v)) > 0", "'mean' inside another statistic"),
    ("quantile(v, 1.5) > 0", "p a number from 0 to 1"),
    ("quantile(v, p) > 0", "p a number from 0 to 1"),
    ("sum(*) > 0", "only in count(*)"),
    ("sd(v, w) > 0", "'sd' takes 1 argument, got 2"),
    ("mean(v) OVER (PARTITION BY g) > 0", "windows (OVER) are not written by hand"),
    ("mean(v)", "must be a condition"),
    ("string_agg(v, ',') = 'a'", "not allowed"),
])
def test_misused_statistics_are_refused(text, message):
    with pytest.raises(ExpressionError, match=None) as e:
        compile_expression(text, {None: None}, statistics=True)
    assert message in str(e.value)


def test_date_trunc_and_decimal_casts_are_allowed():
    con = duckdb.connect()
    for text, want in [("date_trunc('month', DATE '2024-03-15') = DATE '2024-03-01'", True),
                       ("TRY_CAST('12.34' AS DECIMAL(10,2)) = 12.34", True),
                       ("CAST('1.5' AS DECIMAL(4, 1)) * 2 = 3", True),
                       ("TRY_CAST('abc' AS DECIMAL(10,2)) IS NULL", True)]:
        tree = parse(text)
        assert con.sql(f"SELECT {tree.sql('duckdb')}").fetchall()[0][0] is want, text
        assert "TRUNC" in tree.sql("spark") or "DECIMAL" in tree.sql("spark")


STATISTICS = {
    "mean(x)": lambda g: g["x"].transform("mean"),
    "median(x)": lambda g: g["x"].transform("median"),
    "sd(x)": lambda g: g["x"].transform("std"),
    "var(x)": lambda g: g["x"].transform("var"),
    "quantile(x, 0.3)": lambda g: g["x"].transform(lambda s: s.quantile(0.3)),
    "min(x)": lambda g: g["x"].transform("min"),
    "sum(x)": lambda g: g["x"].transform(lambda s: s.sum(min_count=1)),
    "count(x)": lambda g: g["x"].transform("count"),
    "count()": lambda g: g["x"].transform("size"),
    "share(x > 0)": lambda g: g["x"].transform(lambda s: (s.dropna() > 0).mean() if s.notna().any() else np.nan),
}


@pytest.mark.parametrize("statistic", list(STATISTICS))
def test_window_of_a_group_statistic_agrees_with_pandas(statistic):
    rng = np.random.default_rng(16)
    n = 200
    frame = pd.DataFrame({"g": rng.choice(list("abcdef"), n), "x": rng.normal(0, 10, n).round(2),
                          "w": rng.integers(0, 3, n), "i": range(n)})
    frame.loc[rng.random(n) < 0.2, "x"] = np.nan
    frame.loc[frame["g"] == "f", "x"] = np.nan  # a group with no values at all
    frame.loc[frame.index[frame["g"] == "e"][1:], "g"] = "a"  # a group of one record
    tree = compile_expression(f"{statistic} > -1e9", {None: ["g", "x", "w"]}, statistics=True).tree
    in_scope = exp.GT(this=exp.column("w", quoted=True), expression=exp.Literal.number(0))
    windowed = over(filtered(tree.this, in_scope), [exp.column("g", quoted=True)])
    con = duckdb.connect()
    con.register("t", frame)
    got = con.sql(f"SELECT {windowed.sql('duckdb')} AS s FROM t ORDER BY i").df()["s"].astype(float)
    scoped = frame.assign(x=frame["x"].where(frame["w"] > 0))
    if statistic == "count()":
        scoped = frame.assign(x=(frame["w"] > 0).astype(float))
        want = scoped.groupby("g")["x"].transform("sum")
    else:
        want = STATISTICS[statistic](scoped.groupby("g")).astype(float)
    pd.testing.assert_series_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_names=False,
                                   rtol=1e-9)


def test_cor_of_a_constant_column_is_missing_not_nan():
    tree = compile_expression("cor(x, y) > 0.5", {None: ["x", "y"]}, statistics=True).tree
    con = duckdb.connect()
    value = con.sql(f"SELECT {tree.sql('duckdb')} FROM (VALUES (1.0, 2.0), (2.0, 2.0)) t(x, y)").fetchall()[0][0]
    assert value is None  # NaN would compare greater than 0.5 and pass
