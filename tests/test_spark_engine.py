"""Every golden case (tests/cases/*.yml) on the Spark engine: the case's expectations hold, and the
report is the one the DuckDB engine gives for the same data (summary counts, violations in order).

One SparkSession (local[2]) for the module; skipped only where pyspark or Java is missing.
Kinds (or single cases, by id) not yet supported on Spark are listed in NOT_ON_SPARK with the
reason; their cases are skipped with it, visibly, and the list shrinks as they are made to work.

Spark plans each statement in the JVM, which costs 0.1-1 s per rule even on tiny data (a period
mapping's CTE chain several seconds): all 225 cases take about 12 minutes on 2 shared cores with
Spark's default settings, less with LIGHT (no code generation, no adaptive execution). So CI runs
the first case of each golden file (every kind once) and the cases that once differed on Spark
(ONCE_DIFFERED); STATGUARD_SPARK_ALL=1 runs every case.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

import pytest

import statguard
from statguard.errors import PackError

from golden import load_cases, match_violations, same, write_pack

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install 'statguard[spark]')", allow_module_level=True)
if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java (.ci/install-java.sh installs openjdk-17-jre-headless)", allow_module_level=True)

# kind, or case id (file::name), -> why it cannot run on Spark yet
NOT_ON_SPARK: dict[str, str] = {}

# cases that once differed on Spark and now pass through a Spark-specific rendering (engine/spark.py):
# CI runs them besides the first case of every golden file
ONCE_DIFFERED = ("outlier::HB flags", "perfect::copied, two units", "aggregate::all, any, share and quantile",
                 "exists::forbidden key patterns from a table", "row::tolerance: reported takes the decimals",
                 "growth::tolerance: reported carries", "hierarchy::tolerance: reported allows",
                 "revisions::NULL versions are listed", "unique::identical resubmission",
                 "row::a division by zero")  # the last: DuckDB's division once differed
ALL = os.environ.get("STATGUARD_SPARK_ALL") == "1"
_ALL_CASES = load_cases()
CASES = [(n, c) for i, (n, c) in enumerate(_ALL_CASES)
         if ALL or i == 0 or n.split("::")[0] != _ALL_CASES[i - 1][0].split("::")[0] or n.startswith(ONCE_DIFFERED)]
# Tiny data: compiling generated code and adaptive re-planning cost more than they save, and change
# no result (STATGUARD_SPARK_CONF=default keeps Spark's own settings, to compare)
LIGHT = {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN",
         "spark.sql.adaptive.enabled": "false"}
COUNTS = ("items", "passes", "fails", "not_evaluable", "errored", "skipped")


@pytest.fixture(scope="module")
def spark():
    from statguard.engine.spark import spark_session
    session = spark_session("local[2]")
    if os.environ.get("STATGUARD_SPARK_CONF") != "default":
        for key, value in LIGHT.items():
            session.conf.set(key, value)
    return session


def _unsupported(name: str, case: dict) -> list[str]:
    if name in NOT_ON_SPARK:
        return [NOT_ON_SPARK[name]]
    kinds = dict.fromkeys(r.get("kind") for r in case.get("rules", []))
    return [f"{kind}: {NOT_ON_SPARK[kind]}" for kind in kinds if kind in NOT_ON_SPARK]


def _records(frame) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in frame.to_dict("records")]


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_golden_on_spark(name, case, tmp_path, spark):
    unsupported = _unsupported(name, case)
    if unsupported:
        pytest.skip("not on Spark yet: " + "; ".join(unsupported))
    path, frames = write_pack(case, tmp_path)
    expect = case["expect"]
    try:
        pack = statguard.load_pack(path)
    except PackError:
        pytest.skip("the pack has problems: nothing runs (tests/test_golden.py checks them)")
    if pack.problems and not expect.get("summary"):
        pytest.skip("the pack has problems: nothing runs (tests/test_golden.py checks them)")
    from statguard.api import validate
    options = dict(case.get("options", {}))
    explanations = options.pop("explanations", None)
    # the not-evaluable items are listed too (--lacking), and compared with DuckDB's below
    options["options"] = {**options.get("options", {}), "lacking": True}
    on_spark = validate(pack, frames, engine="spark", explanations=explanations, **options)
    summary = {r["rule_id"]: r for r in on_spark.summary.to_dict("records")}
    for rule_id, want in (expect.get("summary") or {}).items():
        got = summary[str(rule_id)]
        for key, value in want.items():
            assert same(got[key], value), f"{rule_id}.{key}: got {got[key]!r}, expected {value!r} ({got.get('error')})"
    if "violations" in expect:
        errors = match_violations(on_spark.violations.to_dict("records"), expect["violations"])
        assert not errors, "\n".join(errors)
    if "lacking" in expect:
        errors = match_violations(on_spark.lacking_records(), expect["lacking"])
        assert not errors, "not evaluable: " + "\n".join(errors)
    on_duckdb = validate(pack, frames, explanations=explanations, **options)
    counts = [{k: r[k] for k in ("rule_id", *COUNTS)} for r in on_duckdb.summary.to_dict("records")]
    assert [{k: r[k] for k in ("rule_id", *COUNTS)} for r in on_spark.summary.to_dict("records")] == counts
    want, got = _records(on_duckdb.violations), _records(on_spark.violations)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        differ = {k: (a.get(k), b[k]) for k in b if not _equal(a.get(k), b[k])}
        assert not differ, f"violation {i} differs from DuckDB's (spark, duckdb): {differ}"
    want, got = on_duckdb.lacking_records(), on_spark.lacking_records()
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        differ = {k: (a.get(k), b[k]) for k in b if not _equal(a.get(k), b[k])}
        assert not differ, f"not-evaluable item {i} differs from DuckDB's (spark, duckdb): {differ}"
    assert on_spark.meta.get("lacking_unlisted") == on_duckdb.meta.get("lacking_unlisted")


def _equal(a, b) -> bool:
    if a is None or b is None or a != a or b != b:  # NaN: missing in a report
        return (a is None or a != a) and (b is None or b != b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return same(a, b)


def test_not_on_spark_names_real_kinds_and_cases():
    from statguard.checks import registry
    names = {n for n, _ in load_cases()}
    assert all(k in registry.kinds() or k in names for k in NOT_ON_SPARK), set(NOT_ON_SPARK) - names


def test_files_and_spark_frames_as_sources(tmp_path, spark):
    """A GBK CSV with a bad number, a Parquet file read by Spark itself, and a Spark DataFrame: the
    same report as DuckDB's, with the counts worked out by hand."""
    import pandas as pd

    from statguard.api import validate
    pd.DataFrame({"单位": ["甲", "乙", "丙"], "总额": ["10", "20", "x"], "部分": [4, 30, 1]}).to_csv(
        tmp_path / "data.csv", index=False, encoding="gbk")
    pd.DataFrame({"单位": ["甲", "乙"], "总额": [10.0, 25.0]}).to_parquet(tmp_path / "sum.parquet")
    (tmp_path / "pack.yml").write_text("""pack: {name: 试点}
sources:
  报表: {path: data.csv, unit: 单位, keys: [单位], columns: {单位: string, 总额: number, 部分: number}}
  汇总: {path: sum.parquet, unit: 单位, keys: [单位], columns: {单位: string, 总额: number}}
rules:
  - {id: R1, kind: row, source: 报表, expr: 部分 <= 总额}
  - {id: R2, kind: reconcile, source: 报表, other: 汇总, measure: 总额, match: [单位]}
""", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "pack.yml")
    on_spark = validate(pack, {}, engine="spark")
    rows = {r["rule_id"]: r for r in on_spark.summary.to_dict("records")}
    # R1: 甲 4 <= 10 passes, 乙 30 <= 20 fails, 丙's 总额 'x' is not a number: not evaluable
    assert (rows["R1"]["passes"], rows["R1"]["fails"], rows["R1"]["not_evaluable"]) == (1, 1, 1)
    # R2: 甲 10 = 10, 乙 20 != 25, 丙 only on one side (NULL total there)
    assert rows["R2"]["items"] == 3 and rows["R2"]["fails"] >= 1
    assert _records(on_spark.violations) == _records(validate(pack, {}).violations)
    frame = spark.createDataFrame(pd.DataFrame({"单位": ["甲", "乙"], "总额": [10.0, 20.0]}))
    from_frame = validate(pack, {"汇总": frame}, engine="spark", rules=["R2"])
    assert from_frame.summary.to_dict("records")[0]["fails"] == rows["R2"]["fails"] - 1  # 乙 now agrees


def test_pack_validate_takes_the_engine(tmp_path, spark):
    """The library's Pack.validate runs on Spark as api.validate does, with the same report."""
    pack_path = tmp_path / "p.yml"
    pack_path.write_text("sources:\n  t: {keys: [k], unit: k}\nrules:\n"
                         "  - {id: POS, kind: row, source: t, expr: v > 0}\n", encoding="utf-8")
    import pandas as pd
    data = {"t": pd.DataFrame({"k": ["a", "b", "c"], "v": [1.5, -2.0, None]})}
    pack = statguard.load_pack(pack_path)
    on_spark = pack.validate(data, engine="spark")
    on_duckdb = pack.validate(data)
    assert _records(on_spark.summary) == _records(on_duckdb.summary)
    assert on_spark.summary.loc[0, "fails"] == 1 and on_spark.summary.loc[0, "not_evaluable"] == 1
    assert list(on_spark.violations["unit"]) == ["b"]


def test_catalog_table_as_source(tmp_path, spark):
    """`table:` without `url:` reads a table of Spark's catalog (saved with saveAsTable into a
    database whose files live under tmp_path); a missing table is a located error of its own
    rules only; the DuckDB engine, which has no such catalog, says so at the same line."""
    import pandas as pd

    from statguard.api import validate
    spark.sql(f"CREATE DATABASE IF NOT EXISTS sg_catalog_test LOCATION '{tmp_path / 'db'}'")
    try:
        spark.createDataFrame(pd.DataFrame({"unit": ["a", "b", "c"], "v": ["1.5", "-2", "x"]})).write \
            .mode("overwrite").saveAsTable("sg_catalog_test.claims")
        (tmp_path / "p.yml").write_text(
            "sources:\n"
            "  t: {table: sg_catalog_test.claims, keys: [unit], unit: unit, columns: {unit: string, v: number}}\n"
            "  m: {table: sg_catalog_test.missing, keys: [unit], unit: unit}\n"
            "rules:\n"
            "  - {id: POS, kind: row, source: t, expr: v > 0}\n"
            "  - {id: M, kind: row, source: m, expr: v > 0}\n", encoding="utf-8")
        pack = statguard.load_pack(tmp_path / "p.yml")
        assert not pack.problems
        rows = {r["rule_id"]: r for r in validate(pack, {}, engine="spark").summary.to_dict("records")}
        # a: 1.5 > 0 passes, b: -2 fails, c: 'x' is not a number (not evaluable)
        assert (rows["POS"]["passes"], rows["POS"]["fails"], rows["POS"]["not_evaluable"]) == (1, 1, 1)
        assert rows["M"]["errored"] and f"{tmp_path / 'p.yml'}:3" in rows["M"]["error"]
        assert "sg_catalog_test.missing" in rows["M"]["error"]
        on_duckdb = {r["rule_id"]: r for r in validate(pack, {}).summary.to_dict("records")}
        assert on_duckdb["POS"]["errored"] and f"{tmp_path / 'p.yml'}:2" in on_duckdb["POS"]["error"]
        assert "--engine spark" in on_duckdb["POS"]["error"]
    finally:
        spark.sql("DROP DATABASE IF EXISTS sg_catalog_test CASCADE")


def test_list_text_is_written_as_duckdb_writes_it(tmp_path, spark):
    """unique lists the differing values of a key as text: NULLs, and values DuckDB quotes (commas,
    quotes, brackets, 'null', blanks at either end), are written alike on both engines."""
    import pandas as pd

    from statguard.api import validate
    (tmp_path / "p.yml").write_text("sources:\n  t: {keys: [k]}\nrules:\n  - {id: U, kind: unique, source: t, "
                                    "keys: [k], values: [v], per: group}\n", encoding="utf-8")
    values = ["a,b", None, "it's", "null", " lead", "[x]", "c:d", "plain", "back\\slash", ""]
    data = {"t": pd.DataFrame({"k": ["K"] * len(values), "v": values})}
    pack = statguard.load_pack(tmp_path / "p.yml")
    on_spark, on_duckdb = validate(pack, data, engine="spark"), validate(pack, data)
    assert _records(on_spark.violations) == _records(on_duckdb.violations)
    listed = on_duckdb.violations.loc[0, "values"]["v"]  # sorted, NULL last
    assert listed.startswith("[''") and listed.endswith(", NULL]") and "'a,b'" in listed and "plain" in listed


def test_list_text_of_numbers_and_dates_is_written_as_duckdb_writes_it(tmp_path, spark):
    """Lists of numbers, decimals and dates are cast to text as a whole on Spark (no value of theirs
    is quoted): the same text as DuckDB's, NULL written NULL and last."""
    import datetime

    import pandas as pd

    from statguard.api import validate
    (tmp_path / "p.yml").write_text(
        "sources:\n  t: {keys: [k], columns: {k: string, n: number, i: integer, d: date, c: string}}\n"
        "rules:\n" + "".join(f"  - {{id: U{c}, kind: unique, source: t, keys: [k], values: [{c}], per: group}}\n"
                             for c in ("n", "i", "d")), encoding="utf-8")
    data = {"t": pd.DataFrame({"k": ["K"] * 4 + ["L"] * 2, "n": [1.5, None, -2.0, 12.5, 3.25, 3.25],
                               "i": [3, None, -1, 7, 4, 5],
                               "d": [datetime.date(2024, 1, 31), None, datetime.date(1999, 12, 1),
                                     datetime.date(2024, 2, 1), datetime.date(2020, 1, 1), datetime.date(2020, 1, 1)],
                               "c": ["a"] * 6})}
    pack = statguard.load_pack(tmp_path / "p.yml")
    on_spark, on_duckdb = validate(pack, data, engine="spark"), validate(pack, data)
    assert _records(on_spark.violations) == _records(on_duckdb.violations)
    listed = {(r["rule_id"], r["keys"]["k"]): r["values"] for r in on_duckdb.violations.to_dict("records")}
    assert listed[("Ui", "K")]["i"] == "[-1, 3, 7, NULL]" and listed[("Ui", "L")]["i"] == "[4, 5]"
    assert set(listed) == {("Un", "K"), ("Ui", "K"), ("Ui", "L"), ("Ud", "K")}  # L's n and d agree


def test_row_counts_of_parquet_sources_agree_with_duckdb(tmp_path, spark):
    """The report's row count of a Parquet source (read from the files' footers on Spark, no job) is
    DuckDB's, for one file and for the files a glob matches."""
    import pandas as pd

    from statguard.api import validate
    pd.DataFrame({"k": ["a", "b", "c"], "v": [1.0, 2.0, None]}).to_parquet(tmp_path / "one.parquet")
    parts = tmp_path / "parts"
    parts.mkdir()
    for i in range(3):
        pd.DataFrame({"k": [f"p{i}"] * (i + 2), "v": [float(i)] * (i + 2)}).to_parquet(parts / f"part-{i}.parquet")
    (tmp_path / "p.yml").write_text("sources:\n  one: {keys: [k]}\n  many: {keys: [k], glob: true}\nrules:\n"
                                    "  - {id: A, kind: row, source: one, expr: v > 0}\n"
                                    "  - {id: B, kind: row, source: many, expr: v > 0}\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    data = {"one": tmp_path / "one.parquet", "many": str(parts / "part-*.parquet")}
    on_spark, on_duckdb = validate(pack, data, engine="spark"), validate(pack, data)
    rows = {name: info["rows"] for name, info in on_spark.meta["sources"].items()}
    assert rows == {"one": 3, "many": 2 + 3 + 4}
    assert rows == {name: info["rows"] for name, info in on_duckdb.meta["sources"].items()}
    from statguard.engine.spark import SparkEngine
    with SparkEngine(spark=spark) as engine:  # from the footers indeed, not by a count in Spark
        engine.bind(pack.sources["many"], data["many"])
        assert engine._footer_rows("many") == 9


def test_string_agg_of_only_nulls_is_null_on_both_engines(spark):
    """DuckDB's string_agg over only NULLs (ordered or not) is NULL; Spark's array_join gives '': the
    engine's rewrite keeps DuckDB's answer (smoothness lists its pinned periods this way)."""
    from sqlglot import exp, parse_one

    from statguard.engine.spark import _spark_functions
    sql = ("SELECT g, string_agg(CASE WHEN v > 0 THEN l END, ', ' ORDER BY o) AS ordered, "
           "string_agg(CASE WHEN v > 0 THEN l END, ', ') AS plain "
           "FROM (VALUES ('A', -1, 'x', 1), ('A', -2, 'y', 2), ('B', 1, 'z', 1), ('B', 2, 'w', 2)) t(g, v, l, o) "
           "GROUP BY g ORDER BY g")
    import duckdb
    want = duckdb.sql(sql).fetchall()
    assert want == [("A", None, None), ("B", "z, w", want[1][2])] and want[1][2] is not None
    tree = parse_one(sql, read="duckdb")
    assert isinstance(tree, exp.Select)
    got = [tuple(r) for r in spark.sql(tree.transform(_spark_functions).sql(dialect="spark")).collect()]
    assert [r[:2] for r in got] == [r[:2] for r in want] and got[0][2] is None and got[1][2] is not None


def test_greatest_and_least_with_a_null_are_null_on_both_engines(spark):
    """Kinds build GREATEST/LEAST trees whose DuckDB SQL is NULL when an argument is NULL (smoothness's
    ratio bound for a single growth rate); Spark's own skip NULLs: the rewrite keeps DuckDB's answer."""
    import duckdb
    from sqlglot import exp

    from statguard.engine.spark import _spark_functions
    b = exp.column("b")
    tree = exp.select(exp.Greatest(this=b.copy(), expressions=[exp.Literal.number(0)]).as_("g"),
                      exp.Least(this=exp.Literal.number(1), expressions=[b.copy()]).as_("l")).from_(
        exp.Table(this=exp.to_identifier("t")))
    values = "(SELECT * FROM (VALUES (CAST(NULL AS DOUBLE)), (-2.0), (3.0)) v(b)) t"
    want = duckdb.sql(tree.sql("duckdb").replace('FROM t', f"FROM {values}")).fetchall()
    assert want == [(None, None), (0.0, -2.0), (3.0, 1.0)]
    got = spark.sql(tree.transform(_spark_functions).sql("spark").replace("FROM t", f"FROM {values}")).collect()
    assert [tuple(float(x) if x is not None else None for x in r) for r in got] == want


def test_schema_of_date_typed_columns_on_both_engines(tmp_path, spark):
    """Columns declared date/datetime whose Parquet type is already a date or a timestamp (with or
    without a time zone), beside a text column of dates with a bad one and NULLs: the schema rule
    runs on Spark (it could not cast a date to a number) with DuckDB's report (trial 8)."""
    import datetime as dt

    import pandas as pd

    from statguard.api import validate
    pd.DataFrame({
        "u": ["a", "b", "c"],
        "d": [dt.date(2024, 1, 31), None, dt.date(2023, 12, 1)],
        "ts": pd.to_datetime(["2024-01-31 08:00", None, "2023-12-01 00:00"]),
        "tz": pd.to_datetime(["2024-01-31 08:00", "2024-02-01 00:00", None]).tz_localize("Asia/Shanghai"),
        "dtext": ["2024-01-31", "2024-13-01", None],
    }).to_parquet(tmp_path / "t.parquet")
    (tmp_path / "pack.yml").write_text(
        "sources:\n  t: {path: t.parquet, unit: u, keys: [u], columns: {d: date, ts: datetime, tz: datetime, "
        "dtext: date}}\nrules:\n  - {id: S, kind: schema, source: t}\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "pack.yml")
    on_spark, on_duckdb = validate(pack, {}, engine="spark"), validate(pack, {})
    assert not on_spark.summary.loc[0, "errored"], on_spark.summary.loc[0, "error"]
    assert _records(on_spark.summary) == _records(on_duckdb.summary)
    assert _records(on_spark.violations) == _records(on_duckdb.violations)
    assert list(on_duckdb.violations["unit"]) == ["b"]  # 2024-13-01 is no date


def test_rows_of_a_workbook_are_the_rows_excel_shows_on_spark(tmp_path, spark):
    """A workbook is read on the driver by the DuckDB engine's readers: its records keep the rows
    Excel shows (title, a header over two rows, a 栏次 row, a blank row among the data) on Spark too."""
    from statguard.api import validate
    from test_sheet_rows import LAYOUT, PACK, _book
    _book(tmp_path / "t.xlsx")
    (tmp_path / "pack.yml").write_text(PACK.format(path="t.xlsx", layout=LAYOUT), encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "pack.yml")
    on_spark = validate(pack, {}, engine="spark")
    assert [(v["rule_id"], v["keys"]["row"]) for v in on_spark.violations.to_dict("records")] == [
        ("结构", 8), ("增长", 9)]
    assert _records(on_spark.violations) == _records(validate(pack, {}).violations)


def test_formulas_without_results_on_spark(tmp_path, spark):
    """The schema kind's check of a formula without a saved result (DuckDB SQL text rendered for
    Spark) finds the same cells on Spark as on DuckDB."""
    from statguard.api import validate
    from test_formula_cells import PACK, _xlsx
    _xlsx(tmp_path / "f.xlsx")
    (tmp_path / "pack.yml").write_text(PACK.format(path="f.xlsx"), encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "pack.yml")
    on_spark = validate(pack, {}, engine="spark")
    assert [v["observed"] for v in on_spark.violations.to_dict("records")] == [
        "=C2/B2*100", "=C3/B3*100", '="西城"&"区"']
    assert _records(on_spark.violations) == _records(validate(pack, {}).violations)


def test_parquet_paths_are_literal_unless_glob_as_on_duckdb(tmp_path, spark):
    """`data[1].parquet` is that file, not a pattern matching data1.parquet; `*` without `glob: true`
    is an error naming how many files it would match; with `glob: true` every match is read. The
    same on both engines (trial 8: Spark read a `*` path as a pattern, DuckDB as a file name)."""
    import pandas as pd

    from statguard.api import validate
    pd.DataFrame({"k": ["a"], "v": [-1.0]}).to_parquet(tmp_path / "data[1].parquet")
    pd.DataFrame({"k": ["b", "c"], "v": [-2.0, 3.0]}).to_parquet(tmp_path / "data1.parquet")
    rule = "rules:\n  - {id: POS, kind: row, source: t, expr: v > 0}\n"
    for engine in ("duckdb", "spark"):
        (tmp_path / "pack.yml").write_text("sources:\n  t: {path: 'data[1].parquet', keys: [k]}\n" + rule,
                                           encoding="utf-8")
        literal = validate(statguard.load_pack(tmp_path / "pack.yml"), {}, engine=engine).summary.loc[0]
        assert (literal["items"], literal["fails"]) == (1, 1), engine
        starred = validate(statguard.load_pack(tmp_path / "pack.yml"), {"t": str(tmp_path / "data*.parquet")},
                           engine=engine).summary.loc[0]
        assert starred["errored"] and "glob: true" in starred["error"] and "2" in starred["error"], engine
        (tmp_path / "pack.yml").write_text("sources:\n  t: {path: 'data*.parquet', glob: true, keys: [k]}\n" + rule,
                                           encoding="utf-8")
        both = validate(statguard.load_pack(tmp_path / "pack.yml"), {}, engine=engine).summary.loc[0]
        assert (both["items"], both["fails"]) == (3, 2), engine


def test_a_spark_run_keeps_pyspark_warnings_out_of_the_job_log(tmp_path):
    """pyspark's FutureWarning about the pandas version (at every conversion from Arrow) is not
    the user's concern: a CLI run on Spark does not print it (trial 8: it landed in CI logs)."""
    import subprocess
    import sys
    from pathlib import Path
    (tmp_path / "d.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("sources:\n  d: {path: d.csv}\nrules:\n  - {id: OK, kind: row, source: d, "
                                    "expr: a > 0}\n", encoding="utf-8")
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run([sys.executable, "-m", "statguard", "check", "p.yml", "--engine", "spark",
                           "--spark-master", "local[1]"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(src)})
    assert done.returncode == 0, done.stderr
    assert "FutureWarning" not in done.stderr and "require_minimum_pandas_version" not in done.stderr
