#!/usr/bin/env python3
"""statguard's statements for C1+C2, C3, C6 and C8 against the hand-written DuckDB SQL's, one
statement at a time: wall and CPU seconds (the process's, DuckDB's threads included; steadier
than wall on a busy machine), interleaved, each run on a fresh connection.

    python bench/statements.py --sf 10 [--rounds 3] [--data /tmp/bench/data]

statguard's statements are captured from one run of the bench pack on one DuckDB thread (the
SQL its engine sends on its connection; with one thread no plan runs on a session, and the SQL is
the same); its views are made again on each fresh connection. The baseline's are those of
/work/shared/bench/baseline_duckdb.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import duckdb

import statguard
from statguard.engine import duckdb as engine_module

HERE = Path(__file__).resolve().parent
SOURCES = ("claims", "insurance", "county_summary", "province_total", "revisions")
# the statement of each check, told apart by what only it reads
MARKS = {"C1+C2": '"_sg3:_status"', "C3": "_sg_dup", "C6": "SEMI JOIN", "C8": '"revisions"'}


def baseline(d: str) -> dict[str, str]:
    c, i, r = (f"read_parquet('{d}/{n}.parquet')" for n in ("claims", "insurance", "revisions"))
    return {
        "C1+C2": f"""SELECT count(*) FILTER (WHERE person_id IS NULL) + count(*) FILTER (WHERE county_code IS NULL)
                    + count(*) FILTER (WHERE start_month IS NULL), count(*) FILTER (WHERE start_month <
                    DATE '2023-01-01' OR start_month > DATE '2024-12-31') FROM {c}""",
        "C3": f"""SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {c} WHERE person_id IS NOT NULL
                 GROUP BY person_id HAVING count(*) > 1)""",
        "C6": f"""WITH c AS (SELECT person_id, county_code, start_month FROM {c} WHERE person_id IS NOT NULL
                 AND county_code IS NOT NULL AND start_month IS NOT NULL),
                 tot AS (SELECT county_code, count(*) AS n FROM c GROUP BY county_code),
                 hits AS (SELECT county_code, count(*) AS h FROM c SEMI JOIN {i} i ON i.person_id = c.person_id
                   AND i.contrib_month >= c.start_month AND i.contrib_month < c.start_month + INTERVAL 3 MONTH
                   GROUP BY county_code)
                 SELECT count(*) FROM tot LEFT JOIN hits USING (county_code)
                 WHERE coalesce(h, 0)::DOUBLE / n < 0.6""",
        "C8": f"""SELECT count(*) FROM (SELECT 1 FROM {r} GROUP BY unit_code, indicator, period
                 HAVING count(DISTINCT value) > 1)""",
    }


def captured(paths: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The views statguard made and its statement per check, from one run."""
    sent: list[str] = []

    class Logged:
        def __init__(self, con: object):
            self._con = con

        def execute(self, sql: str, *args: object):
            sent.append(sql)
            return self._con.execute(sql, *args)

        def __getattr__(self, name: str) -> object:
            return getattr(self._con, name)
    init = engine_module.DuckDBEngine.__init__

    def logged(self, *args: object, **kwargs: object) -> None:
        init(self, *args, **kwargs)
        self.con = Logged(self.con)
    engine_module.DuckDBEngine.__init__ = logged
    try:
        statguard.load_pack(HERE / "pack" / "bench.yml").validate(paths, options={"threads": 1})
    finally:
        engine_module.DuckDBEngine.__init__ = init
    views = [s for s in sent if s.startswith("CREATE OR REPLACE VIEW")]
    rules = [s for s in sent if s.startswith("SELECT") and ("_status" in s or "_sg_dup" in s)]
    return views, {check: next(s for s in rules if mark in s) for check, mark in MARKS.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", default="10")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/bench/data"))
    args = ap.parse_args()
    d = f"{args.data}/sf{args.sf}"
    views, ours = captured({n: f"{d}/{n}.parquet" for n in SOURCES})
    theirs = baseline(d)
    for check in MARKS:
        seconds: dict[str, list[tuple[float, float]]] = {"baseline": [], "statguard": []}
        for k in range(args.rounds):
            for who in (["baseline", "statguard"] if k % 2 == 0 else ["statguard", "baseline"]):
                con = duckdb.connect(":memory:")
                con.execute("SET preserve_insertion_order = false")
                for view in views if who == "statguard" else []:
                    con.execute(view)
                t0, c0 = time.perf_counter(), time.process_time()
                con.execute(ours[check] if who == "statguard" else theirs[check]).fetchall()
                seconds[who].append((time.perf_counter() - t0, time.process_time() - c0))
                con.close()
        for who, runs in seconds.items():
            wall, cpu = [w for w, _ in runs], [c for _, c in runs]
            print(f"SF {args.sf} {check:6s} {who:9s} wall {statistics.median(wall):.3f} "
                  f"({min(wall):.3f}-{max(wall):.3f}) s  "
                  f"CPU {statistics.median(cpu):.3f} ({min(cpu):.3f}-{max(cpu):.3f}) s")
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
