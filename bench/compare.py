#!/usr/bin/env python3
"""Run statguard's suite and the shared hand-written DuckDB baseline on the same data and
check that they agree, and agree with the counts every tool reported in the shared
results (results/latest.md).

    python bench/compare.py --sf 1 [--repeat 3] [--data /tmp/bench/data] [--src NAME=DIR ...]

Each round runs the baseline and statguard once, interleaved, so drift of a shared machine
hits both. `--src NAME=DIR` (repeatable) runs statguard from the source tree DIR (put first
on PYTHONPATH; e.g. a `git worktree` or `git archive` of another commit) as one more
contestant of every round, to compare code against code through their ratios to the same
baseline runs; the order of the contestants rotates from round to round. Without it, the
statguard that Python imports runs.

Prints per contestant the median work seconds (after imports) and peak RSS with their
ranges, the ratio of medians to the baseline and the median (range) of the per-round
ratios, the load average before and after; exits 1 on any count mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("BENCHLIB_DIR", "/work/shared/bench"))
CHECKS = [f"C{i}" for i in range(1, 9)]
BASELINE = "baseline_duckdb"


def run(script: Path, sf: str, data: str, src: str | None = None) -> dict:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, str(script), "--sf", sf, "--data", data],
                         capture_output=True, text=True, check=False, env=env)
    if out.returncode != 0:
        sys.exit(f"{script.name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def published(sf: str) -> dict[str, int] | None:
    """The agreed counts of the SF section of the shared results/latest.md."""
    text = (SHARED / "results" / "latest.md").read_text(encoding="utf-8")
    section = re.search(rf"## SF={re.escape(sf)}\n(.*?)(?=\n## |\Z)", text, re.S)
    if not section:
        return None
    row = re.search(r"^\| baseline_duckdb \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$",
                    section.group(1), re.M)
    return dict(zip(CHECKS, map(int, row.groups()), strict=True)) if row else None


def spread(values: list[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", default="1")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/bench/data"))
    ap.add_argument("--src", action="append", default=[], metavar="NAME=DIR",
                    help="a statguard source tree to run (repeatable); default: the installed one")
    args = ap.parse_args()
    suite = HERE / "statguard_suite.py"
    contestants: dict[str, tuple[Path, str | None]] = {BASELINE: (SHARED / "baseline_duckdb.py", None)}
    for spec in args.src or ["statguard="]:
        name, _, src = spec.partition("=")
        contestants[name] = (suite, str(Path(src).resolve()) if src else None)
    names = list(contestants)
    runs: dict[str, list[dict]] = {t: [] for t in names}
    load_before = os.getloadavg()
    for k in range(args.repeat):  # interleaved; the order rotates so no contestant always goes first
        for name in names[k % len(names):] + names[:k % len(names)]:
            script, src = contestants[name]
            runs[name].append(run(script, args.sf, args.data, src))
    load_after = os.getloadavg()
    ok = True
    counts = {t: [{c: r[c] for c in CHECKS} for r in rs] for t, rs in runs.items()}
    agreed = published(args.sf)
    reference = counts[BASELINE][0]
    for tool, got in counts.items():
        for one in got:
            if one != reference or (agreed and one != agreed):
                ok = False
                print(f"MISMATCH {tool}: {one} (baseline {reference}, published {agreed})")
    base = runs[BASELINE]
    for tool, rs in runs.items():
        print(f"{tool:16s} work {spread([r['seconds'] for r in rs], '.3f')} s   "
              f"peak RSS {spread([r['peak_rss_mb'] for r in rs], '.0f')} MiB")
    for tool, rs in runs.items():
        phases = rs[0]["phases"]
        print(f"  {tool} phases (median s): " + ", ".join(
            f"{k} {statistics.median(r['phases'].get(k, 0) for r in rs):.3f}" for k in phases))
    b_time = statistics.median(r["seconds"] for r in base)
    b_rss = statistics.median(r["peak_rss_mb"] for r in base)
    for tool, rs in runs.items():
        if tool == BASELINE:
            continue
        s_time = statistics.median(r["seconds"] for r in rs)
        s_rss = statistics.median(r["peak_rss_mb"] for r in rs)
        paired_t = [r["seconds"] / b["seconds"] for r, b in zip(rs, base, strict=True)]
        paired_m = [r["peak_rss_mb"] / b["peak_rss_mb"] for r, b in zip(rs, base, strict=True)]
        print(f"{tool} / baseline: work {s_time / b_time:.2f}x, peak RSS {s_rss / b_rss:.2f}x (ratios of medians); "
              f"per round: work {spread(paired_t, '.2f')}x, peak RSS {spread(paired_m, '.2f')}x")
    print(f"SF {args.sf}, {args.repeat} rounds; load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
          f"(1 min), {os.cpu_count()} cores")
    print("counts " + ("agree" if ok else "DISAGREE") + (" with the published ones" if agreed else
                                                           " (no published counts for this SF)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
