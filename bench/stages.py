#!/usr/bin/env python3
"""Per-stage costs of statguard on the shared benchmark (C1..C8, bench/pack/bench.yml), on DuckDB
or Spark, the stages taken one after another so that each is timed alone (docs/scale.md):

    python bench/stages.py --sf 1 --engine spark [--spark-master local[2]]
    python bench/stages.py --sf 10 --engine duckdb [--no-report]

engine      opening the engine (Spark: the JVM and the SparkSession)
bind.<src>  binding one source (reading its schema, the typed view)
check.<ids> planning and running one rule, or one fused scan of row rules: the counts and the
            failing items fetched to the driver
records.<id> the violation records of one rule, built in Python (messages rendered)
facts       the scorecard's units and the row count of every source
report      the whole run again through pack.validate, written as JSON and HTML

On DuckDB a real run overlaps these stages (rules side by side, see statguard/runner.py), so
its `validate` is shorter than their sum; on Spark a run takes them in this order.
"""
import time; _T0 = time.perf_counter()  # noqa: E702,I001  (must be first)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import statguard  # noqa: E402
from statguard.engine.select import open_engine  # noqa: E402
from statguard.engine.units import unit_facts  # noqa: E402
from statguard.engine.violations import violations_of  # noqa: E402
from statguard.runner import fusion_key, plan_rule  # noqa: E402

HERE = Path(__file__).resolve().parent
TABLES = ["claims", "insurance", "county_summary", "province_total", "revisions"]


def parquet_paths(data: str, sf: str) -> dict[str, str]:
    """The shared benchmark's Parquet file of each table at one scale factor (gen_data.py's layout)."""
    return {t: os.path.join(data, f"sf{float(sf):g}", f"{t}.parquet") for t in TABLES}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", default="1")
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/bench/data"))
    ap.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--no-report", action="store_true", help="skip the second run and the report stage "
                    "(the same Python work on both engines)")
    args = ap.parse_args()
    paths = parquet_paths(args.data, args.sf)
    pack = statguard.load_pack(HERE / "pack" / "bench.yml", strict=True)
    stages: dict[str, float] = {"imports": time.perf_counter() - _T0}

    def timed(name: str, work):
        t = time.perf_counter()
        out = work()
        stages[name] = round(time.perf_counter() - t, 3)
        return out

    engine = timed("engine", lambda: open_engine(args.engine, {"spark_master": args.spark_master}))
    with engine:
        for name, path in paths.items():
            timed(f"bind.{name}", lambda name=name, path=path: engine.bind(pack.sources[name], path))
        rules = list(pack.rules)
        groups: dict[str | None, list[int]] = {}
        for i, rule in enumerate(rules):
            plan = plan_rule(engine, pack, rule, {}, {})
            groups.setdefault(fusion_key(plan) or f"#{i}", []).append(i)
        for members in groups.values():
            label = "check." + "+".join(rules[i].id for i in members)
            plans = [plan_rule(engine, pack, rules[i], {}, {}) for i in members]
            outcomes = timed(label, lambda plans=plans: [(c, f) for c, f, _ in engine.run_fused(plans)]
                             if len(plans) > 1 else [engine.run(plans[0])])
            for i, plan, (_, fails) in zip(members, plans, outcomes, strict=True):
                timed(f"records.{rules[i].id}", lambda i=i, plan=plan, fails=fails: violations_of(
                    rules[i], fails, pack.lang, plan.meta.get("message")))
        timed("facts", lambda: (unit_facts(engine, pack, paths), [engine.row_count(n) for n in paths]))
    if args.no_report:
        print(json.dumps({"engine": args.engine, "sf": args.sf, "stages": stages, "load_average": os.getloadavg()[0]}))
        return
    t = time.perf_counter()
    report = pack.validate(paths, engine=args.engine, options={"spark_master": args.spark_master})
    stages["validate"] = round(time.perf_counter() - t, 3)
    with tempfile.TemporaryDirectory() as out:
        timed("report.json", lambda: report.to_json(Path(out) / "r.json"))
        from statguard.report.html import render_html
        timed("report.html", lambda: (Path(out) / "r.html").write_text(render_html(report), encoding="utf-8"))
    stages["load_average"] = os.getloadavg()[0]
    print(json.dumps({"engine": args.engine, "sf": args.sf, "stages": stages}))


if __name__ == "__main__":
    main()
