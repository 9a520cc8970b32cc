#!/usr/bin/env python3
"""Other ways to write C3's and C8's Spark statements, each timed alone in a fresh process
(issue 13: where statguard's extra CPU on Spark goes, and whether another plan removes it).

statguard's own statements for C3 (unique per record: a tally, then the duplicates' records
joined back) and C8 (unique values per key, with the sorted value list of each failing key) are
captured from a real run; the variants are edits of that SQL text:

    c3cur      statguard's two statements (tally; failing records through a join back)
    c3q        the per-record query in one statement (counts and failing records in one aggregate)
    c3win      one scan: COUNT(*) OVER (PARTITION BY person_id) instead of the join back
    c8cur      statguard's statement
    c8nolist   the same without the value lists (a floor: the report needs them)
    c8sorted   the lists as SORT_ARRAY(COLLECT_LIST(value)), NULL appended, no struct or lambda
    c8thr      c8cur with ObjectHashAggregate's sort-based fallback threshold raised to 10M

Each process opens statguard's Spark session, binds the five sources, runs three warm-up
statements (a scan of claims, an aggregate of revisions, a join), then the variant; it prints the
CPU seconds of Python + JVM and the wall seconds of the variant alone. Rounds are interleaved.

    python bench/spark_variants.py --sf 1 --rounds 3 c3cur c3win c8cur c8nolist
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER3 = ("ORDER BY `_unit` NULLS LAST, `key:person_id` NULLS LAST, `_observed` NULLS LAST, `_expected` NULLS LAST, "
          "`val:employer_id` NULLS LAST, `val:start_month` NULLS LAST, `val:reported_wage` NULLS LAST")
WARM = ["SELECT count_if(person_id IS NULL), count_if(start_month < DATE '2023-01-01'), sum(reported_wage) "
        "FROM {claims}",
        "SELECT count(*) FROM (SELECT unit_code, count(*) FROM {revisions} GROUP BY unit_code, indicator, period)",
        "SELECT count(*) FROM {county_summary} a JOIN {province_total} b ON a.province_code = b.province_code"]
_C8_LIST = re.compile(r"CASE WHEN CAST\(SUM\(_sg_n\) AS BIGINT\) > 1 AND COUNT\(\*\) > 1 "
                      r"THEN IF\(TYPEOF.*? END AS `val:value`", re.S)


def _open(paths: dict[str, str]):
    import statguard
    from statguard.engine.select import open_engine
    pack = statguard.load_pack(HERE / "pack" / "bench.yml", strict=True)
    engine = open_engine("spark", {"spark_master": "local[2]"})
    for name, path in paths.items():
        engine.bind(pack.sources[name], path)
    return pack, engine


def capture(paths: dict[str, str]) -> dict:
    """statguard's statements for C3 and C8 (and C3's per-record query), and the views' names."""
    from statguard.engine import spark as sp
    from statguard.runner import plan_rule
    sent: list[str] = []
    render = sp.SparkEngine.sql
    sp.SparkEngine.sql = lambda self, tree: sent.append(render(self, tree)) or sent[-1]
    pack, engine = _open(paths)
    out: dict = {"views": dict(engine._views)}
    with engine:
        for rule in pack.rules:
            if rule.id in ("C3", "C8"):
                plan = plan_rule(engine, pack, rule, {}, {})
                sent.clear()
                engine.run(plan)
                out[rule.id] = list(sent)
                if rule.id == "C3":
                    sent.clear()
                    engine._run_query(plan)
                    out["C3q"] = list(sent)
    return out


def variants(captured: dict) -> dict[str, list[str]]:
    views = captured["views"]
    c8 = captured["C8"][0]

    def c8_list(expr: str) -> str:
        out = _C8_LIST.sub(lambda _: f"CASE WHEN CAST(SUM(_sg_n) AS BIGINT) > 1 AND COUNT(*) > 1 THEN {expr} END "
                           "AS `val:value`", c8)
        assert out != c8, "C8's list expression not found in the captured statement"
        return out

    window = ("SELECT * FROM (SELECT _i, _na, INLINE_OUTER(_f) FROM (SELECT COUNT(*) AS _i, "
              "COUNT_IF(person_id IS NULL) AS _na, COLLECT_LIST(NAMED_STRUCT('_unit', county_code, "
              "'key:person_id', person_id, '_observed', _n, "
              "'_expected', 1, 'val:employer_id', employer_id, 'val:start_month', start_month, 'val:reported_wage', "
              "reported_wage)) FILTER (WHERE person_id IS NOT NULL AND _n > 1) AS _f FROM (SELECT *, COUNT(*) OVER "
              f"(PARTITION BY person_id) AS _n FROM {views['claims']} AS claims) AS w) AS a) AS f {ORDER3}")
    sorted_list = ("CONCAT('[', ARRAY_JOIN(CAST(IF(COUNT_IF(`value` IS NULL) > 0, "
                   "CONCAT(SORT_ARRAY(COLLECT_LIST(`value`)), ARRAY(NULL)), "
                   "SORT_ARRAY(COLLECT_LIST(`value`))) AS ARRAY<STRING>), ', ', 'NULL'), ']')")
    return {
        "c3cur": captured["C3"], "c3q": captured["C3q"], "c3win": [window],
        "c8cur": [c8], "c8nolist": [c8_list("CAST(NULL AS STRING)")], "c8sorted": [c8_list(sorted_list)],
        "c8thr": ["SET spark.sql.objectHashAggregate.sortBased.fallbackThreshold=10000000", c8],
    }


def one(variant: str, paths: dict[str, str], captured: dict) -> dict:
    import spark_common
    statements = variants(captured)[variant]
    _, engine = _open(paths)
    with engine:
        assert engine._views == captured["views"], "the views are named as when the statements were captured"
        for sql in WARM:
            engine.spark.sql(sql.format(**engine._views)).collect()
        c0, t0 = spark_common.cpu_seconds(), time.perf_counter()
        rows = [engine.spark.sql(sql).collect() for sql in statements][-1]
        c1, t1 = spark_common.cpu_seconds(), time.perf_counter()
    return {"variant": variant, "cpu_s": round(c1 - c0, 2), "wall_s": round(t1 - t0, 2), "rows": len(rows),
            "load": round(os.getloadavg()[0], 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("variants", nargs="+")
    ap.add_argument("--sf", default="1")
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/bench/data"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one", help=argparse.SUPPRESS)  # a child process: the captured statements' file
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from stages import parquet_paths
    paths = parquet_paths(args.data, args.sf)
    if args.one:
        print(json.dumps(one(args.variants[0], paths, json.loads(Path(args.one).read_text()))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        statements = capture(paths)
        unknown = set(args.variants) - set(variants(statements))
        if unknown:
            sys.exit(f"unknown variants: {', '.join(sorted(unknown))}")
        captured = Path(tmp) / "statements.json"  # for the child processes
        captured.write_text(json.dumps(statements))
        results: dict[str, list[dict]] = {v: [] for v in args.variants}
        for _ in range(args.rounds):
            for v in args.variants:
                done = subprocess.run([sys.executable, __file__, v, "--sf", args.sf, "--data", args.data, "--one",
                                       str(captured)], capture_output=True, text=True, check=True)
                results[v].append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(done.stdout.strip().splitlines()[-1], flush=True)
    print(f"SF {args.sf}, {args.rounds} interleaved rounds, CPU-s of Python + JVM for the variant alone: "
          "median (min-max), rows fetched")
    for v, runs in results.items():
        cpu = [r["cpu_s"] for r in runs]
        print(f"  {v:10} {statistics.median(cpu):6.2f} ({min(cpu):.2f}-{max(cpu):.2f})  rows {runs[0]['rows']}")


if __name__ == "__main__":
    main()
