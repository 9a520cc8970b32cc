#!/usr/bin/env python3
"""Hand-written PySpark SQL over the shared benchmark's Parquet files: the reference for
statguard on Spark (issue 13). The same checks and counts as the shared baseline_duckdb.py,
in one process, on the master given (local[2] by default), with the session settings
statguard gives its own session (spark_common.py).

    python bench/spark_reference.py --sf 1 [--data /tmp/bench/data] [--spark-master local[2]]

One JSON line in the harness's output contract (benchlib.py); `phases` has `session` (JVM
start and SparkSession, the same code on both sides) and one entry per statement;
`jvm_peak_rss_mb` is the driver JVM's peak RSS, which `peak_rss_mb` (Python's) does not see;
`cpu_s` the CPU time of Python and the JVM together.
C1+C2 share one scan of claims and C4+C5 one of county_summary, as in the DuckDB baseline.
"""
import time; _T0 = time.perf_counter()  # noqa: E702,I001  (must be first)

import argparse  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, os.environ.get("BENCHLIB_DIR", "/work/shared/bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib  # noqa: E402
import spark_common  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

ap = argparse.ArgumentParser(add_help=False)
ap.add_argument("--spark-master", default="local[2]")
own, rest = ap.parse_known_args()
b = benchlib.Bench("spark_reference", _T0, rest)
b.imports_done()

with b.phase("session"):
    builder = SparkSession.builder.master(own.spark_master).appName("spark_reference")
    for key, value in spark_common.SESSION_CONF.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in spark_common.RUNTIME_CONF.items():
        spark.conf.set(key, value)
    spark.sparkContext.setLogLevel("FATAL")

with b.phase("bind"):
    for table, path in b.paths.items():
        spark.read.parquet(path).createOrReplaceTempView(table)


def one(sql: str):
    return spark.sql(sql).collect()[0]


LO, HI, TOL, SHARE, MONTHS = (benchlib.WINDOW_LO, benchlib.WINDOW_HI, benchlib.RATE_TOLERANCE,
                              benchlib.MIN_SHARE, benchlib.WINDOW_MONTHS)
r = {}
with b.phase("C1+C2"):
    r["C1"], r["C2"] = one(f"""
        SELECT count_if(person_id IS NULL) + count_if(county_code IS NULL) + count_if(start_month IS NULL),
               count_if(start_month < DATE '{LO}' OR start_month > DATE '{HI}')
        FROM claims""")
with b.phase("C3"):
    r["C3"] = one("""
        SELECT coalesce(sum(n), 0) FROM (
            SELECT count(*) AS n FROM claims WHERE person_id IS NOT NULL
            GROUP BY person_id HAVING count(*) > 1)""")[0]
with b.phase("C4+C5"):
    r["C4"], r["C5"] = one(f"""
        SELECT count_if(reemployed + not_reemployed <> laid_off),
               count_if(abs(reported_rate - 100.0 * reemployed / laid_off) > {TOL})
        FROM county_summary""")
with b.phase("C6"):  # a claim counts once if >= 1 contribution falls in its window (semi join)
    r["C6"] = one(f"""
        WITH c AS (
          SELECT person_id, county_code, start_month FROM claims
          WHERE person_id IS NOT NULL AND county_code IS NOT NULL AND start_month IS NOT NULL),
        tot AS (SELECT county_code, count(*) AS n FROM c GROUP BY county_code),
        hits AS (
          SELECT c.county_code, count(*) AS h FROM c LEFT SEMI JOIN insurance i
            ON i.person_id = c.person_id
           AND i.contrib_month >= c.start_month
           AND i.contrib_month < c.start_month + INTERVAL {MONTHS} MONTH
          GROUP BY c.county_code)
        SELECT count(*) FROM tot LEFT JOIN hits ON tot.county_code = hits.county_code
        WHERE CAST(coalesce(h, 0) AS DOUBLE) / n < {SHARE}""")[0]
with b.phase("C7"):
    r["C7"] = one("""
        SELECT count(*) FROM (
            SELECT province_code, sum(laid_off) AS s FROM county_summary GROUP BY province_code) a
        FULL OUTER JOIN province_total p ON a.province_code = p.province_code
        WHERE a.s IS DISTINCT FROM p.laid_off_total""")[0]
with b.phase("C8"):
    r["C8"] = one("""
        SELECT count(*) FROM (
            SELECT 1 FROM revisions GROUP BY unit_code, indicator, period
            HAVING count(DISTINCT value) > 1)""")[0]

b.emit(r, versions=benchlib.dist_version("pyspark"),
       support={c: "custom" for c in benchlib.CHECKS}, outside_tool={}, notes=spark_common.notes(spark))
spark.stop()
