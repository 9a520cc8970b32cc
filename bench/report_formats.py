"""Render a synthetic report with many violations in every format; print time and size.

    python bench/report_formats.py [N [FORMAT ...]]   # N violations, default 100000

The report mimics a large county-level run: 300 units, 40 rules of several
kinds (row, coverage with claimed/verified rates, revisions with versions),
Chinese messages. Tests import `synthetic_report` to check the same scale.
"""

from __future__ import annotations

import random
import sys
import time

import pandas as pd

from statguard.report.model import SUMMARY_COLUMNS, VIOLATION_COLUMNS, Report

KINDS = ["row", "row", "coverage", "revisions", "unique", "growth", "hierarchy", "cumulative"]
SEVERITY = ["error", "warning", "info"]


def synthetic_report(n: int, units: int = 300, rules: int = 40, seed: int = 7) -> Report:
    rnd = random.Random(seed)
    names = [f"{rnd.choice('东西南北中新')}{rnd.choice('城山河湖港')}区{i:03d}" for i in range(units)]
    rule_rows = []
    for r in range(rules):
        kind = KINDS[r % len(KINDS)]
        rule_rows.append({"rule_id": f"R{r:02d}", "kind": kind, "severity": SEVERITY[r % 3],
                          "description": f"第 {r} 条规则：分项之和等于合计", "sources": "报表", "items": 0,
                          "passes": 0, "fails": 0, "not_evaluable": 0, "errored": False, "error": None,
                          "seconds": 0.01})
    rows = []
    for i in range(n):
        rule = rule_rows[min(int(rnd.paretovariate(1.2)) - 1, rules - 1) if i % 3 else rnd.randrange(rules)]
        rule["fails"] += 1
        unit = names[min(int(rnd.expovariate(1 / 40)), units - 1)]
        observed = round(rnd.lognormvariate(6, 2), 2)
        expected = round(observed * rnd.uniform(0.8, 1.2), 2)
        values: dict = {"part_a": round(observed * 0.4, 2), "part_b": round(observed * 0.6, 2)}
        if rule["kind"] == "coverage":
            claimed = rnd.choice([100.0, 95.0, 90.0])
            values = {"claimed_rate": claimed, "verified_rate": round(claimed - rnd.uniform(5, 35), 1)}
        elif rule["kind"] == "revisions":
            values = {"versions": [round(observed * (1 + k / 10), 2) for k in range(rnd.randint(2, 5))]}
        rows.append({"rule_id": rule["rule_id"], "kind": rule["kind"], "severity": rule["severity"],
                     "source": "报表", "unit": unit, "period": f"2024-{rnd.randint(1, 12):02d}",
                     "keys": {"unit": unit, "item": f"项目{i % 97}"}, "values": values,
                     "observed": observed, "expected": expected, "imbalance": round(observed - expected, 2),
                     "detail": None,
                     "message": f"{unit}：项目{i % 97} 分项合计 {observed} 与上报合计 {expected} 不一致"})
    for rule in rule_rows:
        rule["items"] = rule["fails"] * 3
        rule["passes"] = rule["items"] - rule["fails"]
    meta = {"statguard": "bench", "started": "2024-10-08T09:30:00+00:00", "seconds": 1.0, "lang": "zh",
            "fail_on": "error"}
    return Report("大型核查", pd.DataFrame(rows, columns=VIOLATION_COLUMNS),
                  pd.DataFrame(rule_rows, columns=SUMMARY_COLUMNS), meta)


def main() -> None:
    from statguard.report.writers import render
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    t0 = time.perf_counter()
    report = synthetic_report(n)
    print(f"built a report with {len(report.violations):,} violations in {time.perf_counter() - t0:.1f} s")
    print(f"{'format':<10}{'wall s':>10}{'cpu s':>10}{'MB':>10}")
    for fmt in sys.argv[2:] or ["json", "text", "markdown", "csv", "junit", "html", "xlsx"]:
        t0, c0 = time.perf_counter(), time.process_time()
        data = render(report, fmt)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = len(data.encode("utf-8") if isinstance(data, str) else data)
        print(f"{fmt:<10}{wall:>10.2f}{cpu:>10.2f}{size / 1e6:>10.2f}")


if __name__ == "__main__":
    main()
