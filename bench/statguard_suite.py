#!/usr/bin/env python3
"""The shared benchmark suite (C1..C8) run through statguard's bench pack.

Follows the output contract of the shared harness (benchlib.py): one JSON
line with the failing counts, work seconds and peak RSS. Every violation is
produced as a full record (report.violations), not only counted.

    python bench/statguard_suite.py --sf 1 [--data /tmp/bench/data]
    python bench/statguard_suite.py --sf 1 --engine spark [--spark-master local[2]]

On Spark, the phase `session` starts the JVM and the SparkSession (statguard's own
spark_session, which the run then reuses, as the CLI's one run does), and the notes carry the
session's settings and the driver JVM's peak RSS (`jvm_peak_rss_mb`, which Python's getrusage
does not see), for bench/spark_compare.py.
"""
import time; _T0 = time.perf_counter()  # noqa: E702,I001  (must be first)

import argparse  # noqa: E402
import importlib  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, os.environ.get("BENCHLIB_DIR", "/work/shared/bench"))
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402

import statguard  # noqa: E402
from statguard.checks import registry  # noqa: E402

# statguard imports its heavy modules on first use; import them here, in the import phase, as the
# baseline imports duckdb before its work starts. pandas is not among them: a run builds its
# report without it (report.violations would make the DataFrame on first use; the counts below
# read the report's columns).
_ap = argparse.ArgumentParser(add_help=False)
_ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
_ap.add_argument("--spark-master", default="local[2]")
own, rest = _ap.parse_known_args()
spark_modules = ("pyspark.sql", "statguard.engine.spark", "sqlglot.dialects.spark") if own.engine == "spark" else ()
for _module in (*spark_modules, "duckdb", "statguard.api", "statguard.engine.duckdb", "statguard.load.loader",
                "statguard.engine.violations", "statguard.explain", "statguard.i18n", "sqlglot.dialects.duckdb"):
    importlib.import_module(_module)
registry.kinds()  # imports every rule-kind module

b = benchlib.Bench("statguard" if own.engine == "duckdb" else "statguard_spark", _T0, rest)
b.imports_done()

notes = ""
if own.engine == "spark":
    import spark_common

    from statguard.engine.spark import spark_session
    with b.phase("session"):
        spark = spark_session(own.spark_master)  # the run below takes this session (getOrCreate)

with b.phase("load_pack"):
    pack = statguard.load_pack(HERE / "pack" / "bench.yml", strict=True)
with b.phase("validate"):
    report = pack.validate(dict(b.paths), engine=own.engine, options={"spark_master": own.spark_master})
rules = report.rules()
errored = [f"{r['rule_id']}: {r['error']}" for r in rules if r["errored"]]
if errored:
    sys.exit("errored rules: " + "; ".join(errored))
per_rule = Counter(report.column("rule_id"))
counts = {c: 0 for c in benchlib.CHECKS}
for r in rules:
    counts[r["rule_id"].split(".")[0]] += int(r["fails"])
    assert per_rule[r["rule_id"]] == int(r["fails"]), f"{r['rule_id']}: violation records != fails"
    b.phases["rule." + r["rule_id"]] = float(r["seconds"])
if own.engine == "spark":
    notes = spark_common.notes(spark)
b.emit(counts, versions=benchlib.dist_version("statguard", "duckdb", "sqlglot", "pandas", "pyspark"),
       support={"C1": "native", "C2": "native", "C3": "native", "C4": "native", "C5": "native",
                "C6": "native", "C7": "native", "C8": "native"},
       notes=notes + f"{report.violation_count} violation records")
