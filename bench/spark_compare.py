#!/usr/bin/env python3
"""statguard on Spark against the hand-written PySpark SQL (spark_reference.py), interleaved,
on the same data and master, with the same session settings: both start their session in a
fresh process, as a CLI user's run does (each run pays the JVM start, in its `session` phase).

    python bench/spark_compare.py --sf 1 [--repeat 2] [--spark-master local[2]] [--data /tmp/bench/data]

Fails (exit 1) unless both give the same counts, equal to the published ones of the shared
results, and both sessions report the same settings. Prints per tool the median and min-max of
the work (everything after the imports), of the work after the session is up, of the session
start, of the CPU time of Python and the JVM together (the figure a loaded machine disturbs
least), of Python's and the driver JVM's peak RSS, the ratios statguard / reference, per-phase
medians, and the load average (uptime) before each run.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare import CHECKS, published  # noqa: E402


def run(command: list[str]) -> dict:
    load = os.getloadavg()[0]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{out.stderr[-3000:]}")
    record = json.loads(out.stdout.strip().splitlines()[-1])
    notes = record.get("notes", "")
    record["jvm_peak_rss_mb"] = float(re.search(r"jvm_peak_rss_mb=([\d.]+)", notes).group(1))
    record["spark_conf"] = ast.literal_eval(re.search(r"spark_conf=(\{.*?\});", notes).group(1))
    record["cpu_s"] = float(re.search(r"cpu_s=([\d.]+)", notes).group(1))
    record["after_session_s"] = record["seconds"] - record["phases"].get("session", 0.0)
    record["session_s"] = record["phases"].get("session", 0.0)
    record["total_rss_mb"] = record["peak_rss_mb"] + record["jvm_peak_rss_mb"]
    record["load"] = load
    return record


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", default="1")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/bench/data"))
    ap.add_argument("--out", help="append every run's JSON record to this file")
    args = ap.parse_args()
    common = ["--sf", args.sf, "--data", args.data, "--spark-master", args.spark_master]
    tools = {"statguard_spark": [sys.executable, str(HERE / "statguard_suite.py"), "--engine", "spark", *common],
             "spark_reference": [sys.executable, str(HERE / "spark_reference.py"), *common]}
    runs: dict[str, list[dict]] = {t: [] for t in tools}
    order = list(tools)
    for k in range(args.repeat):  # interleaved, the order alternating, so drift hits both alike
        for tool in order if k % 2 == 0 else order[::-1]:
            runs[tool].append(run(tools[tool]))
            r = runs[tool][-1]
            if args.out:
                with open(args.out, "a", encoding="utf-8") as f:
                    f.write(json.dumps(r) + "\n")
            print(f"  run {k + 1} {tool}: work {r['seconds']:.1f} s (session {r['session_s']:.1f} s), "
                  f"CPU {r['cpu_s']:.1f} s, "
                  f"RSS {r['peak_rss_mb']:.0f} + JVM {r['jvm_peak_rss_mb']:.0f} MiB, load {r['load']:.1f}", flush=True)
    ok = True
    counts = {t: {c: r[-1][c] for c in CHECKS} for t, r in runs.items()}
    agreed = published(args.sf)
    for tool, rs in runs.items():
        for r in rs:
            got = {c: r[c] for c in CHECKS}
            if got != counts["spark_reference"] or (agreed and got != agreed):
                ok = False
                print(f"MISMATCH {tool}: {got} (reference {counts['spark_reference']}, published {agreed})")
    confs = {json.dumps(r["spark_conf"], sort_keys=True) for rs in runs.values() for r in rs}
    if len(confs) != 1:
        ok = False
        print("SESSION SETTINGS DIFFER: " + " | ".join(confs))
    keys = ("seconds", "after_session_s", "session_s", "cpu_s", "peak_rss_mb", "jvm_peak_rss_mb", "total_rss_mb")
    for tool, rs in runs.items():
        print(f"{tool:16s} " + "  ".join(f"{k} {spread([r[k] for r in rs])}" for k in keys))
        names = rs[0]["phases"]
        print("  phases (median s): " + ", ".join(
            f"{k} {statistics.median(r['phases'].get(k, 0) for r in rs):.2f}" for k in names))
    med = {t: {k: statistics.median(r[k] for r in rs) for k in keys} for t, rs in runs.items()}
    s, b = med["statguard_spark"], med["spark_reference"]
    print(f"statguard / reference: work {s['seconds'] / b['seconds']:.2f}x, after the session "
          f"{s['after_session_s'] / b['after_session_s']:.2f}x, CPU (Python + JVM) {s['cpu_s'] / b['cpu_s']:.2f}x, "
          f"peak RSS (Python + JVM) "
          f"{s['total_rss_mb'] / b['total_rss_mb']:.2f}x  (SF {args.sf}, {args.spark_master}, {args.repeat} runs each; "
          f"load average {spread([r['load'] for rs in runs.values() for r in rs])})")
    print("counts " + ("agree" if ok else "DISAGREE") + (" with the published ones" if agreed else
                                                           " (no published counts for this SF)"))
    print("settings: " + next(iter(confs)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
