#!/usr/bin/env python3
"""statguard, the hand-written DuckDB SQL and other tools' suites of the shared harness, run
round-robin on the same data in one session (one warm-up round, then N timed rounds), so
that their figures share the machine's conditions. Prints each tool's median work seconds
(after imports, as the harness defines them), peak RSS and failing counts.

    python bench/tools_compare.py [--rounds 5] [--sf 1] [soda4 pointblank ...]

Other tools run from their own virtual environments under $BENCH_VENVS (default
/tmp/bench/venvs/<tool>), made from the shared harness's locks, e.g.:

    python3 -m venv /tmp/bench/venvs/soda4
    /tmp/bench/venvs/soda4/bin/pip install -r /work/shared/bench/requirements/soda4.lock
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("BENCHLIB_DIR", "/work/shared/bench"))
VENVS = Path(os.environ.get("BENCH_VENVS", "/tmp/bench/venvs"))
CHECKS = [f"C{i}" for i in range(1, 9)]
SCRIPTS = {"soda4": "soda4_suite.py", "pointblank": "pointblank_suite.py", "soda": "soda.py",
           "pandera": "pandera_suite.py", "gx": "gx.py", "baseline_pandas": "baseline_pandas.py"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("tools", nargs="*", default=["soda4", "pointblank"])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--sf", default="1")
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/bench/data"))
    args = ap.parse_args()
    commands = {"statguard": [sys.executable, str(HERE / "statguard_suite.py")],
                "baseline_duckdb": [sys.executable, str(SHARED / "baseline_duckdb.py")]}
    for tool in args.tools:
        commands[tool] = [str(VENVS / tool / "bin" / "python"), str(SHARED / SCRIPTS[tool])]
    runs: dict[str, list[dict]] = {tool: [] for tool in commands}
    for round_ in range(args.rounds + 1):
        for tool, command in commands.items():
            out = subprocess.run([*command, "--sf", args.sf, "--data", args.data],
                                 capture_output=True, text=True, cwd=SHARED, check=False)
            if out.returncode != 0:
                sys.exit(f"{tool} failed:\n{out.stderr[-2000:]}")
            if round_:  # the first round warms the file cache and the tools' imports
                runs[tool].append(json.loads(out.stdout.strip().splitlines()[-1]))
    counts = {tool: [rs[-1][c] for c in CHECKS] for tool, rs in runs.items()}
    for tool, rs in runs.items():
        seconds = [r["seconds"] for r in rs]
        print(f"{tool:16s} work {statistics.median(seconds):.3f} s ({min(seconds):.3f}-{max(seconds):.3f})  "
              f"peak RSS {statistics.median(r['peak_rss_mb'] for r in rs):.0f} MiB  counts {counts[tool]}")
    agree = all(c == counts["baseline_duckdb"] for c in counts.values())
    print("counts " + ("agree" if agree else "DISAGREE"))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
