#!/usr/bin/env python3
"""Run statguard's suite and the shared hand-written DuckDB baseline on the same data and
check that they agree, and agree with the counts every tool reported in the shared
results (results/latest.md).

    /work/venv/bin/python bench/compare.py --sf 1 [--repeat 3] [--data /tmp/bench/data]

Prints per tool the median work seconds (after imports) and peak RSS, the ratios
statguard / baseline, and exits 1 on any count mismatch.
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


def run(script: Path, sf: str, data: str) -> dict:
    out = subprocess.run([sys.executable, str(script), "--sf", sf, "--data", data],
                         capture_output=True, text=True, check=False)
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sf", default="1")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", default=os.environ.get("BENCH_DATA", "/tmp/bench/data"))
    args = ap.parse_args()
    tools = {"statguard": HERE / "statguard_suite.py", "baseline_duckdb": SHARED / "baseline_duckdb.py"}
    runs: dict[str, list[dict]] = {t: [] for t in tools}
    for _ in range(args.repeat):  # interleaved, so drift of a shared machine hits both
        for tool, script in tools.items():
            runs[tool].append(run(script, args.sf, args.data))
    ok = True
    counts = {t: {c: r[-1][c] for c in CHECKS} for t, r in runs.items()}
    agreed = published(args.sf)
    for tool, got in counts.items():
        if got != counts["baseline_duckdb"] or (agreed and got != agreed):
            ok = False
            print(f"MISMATCH {tool}: {got} (baseline {counts['baseline_duckdb']}, published {agreed})")
    med = {t: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "peak_rss_mb")} for t, rs in runs.items()}
    for tool, m in med.items():
        print(f"{tool:16s} work {m['seconds']:.3f} s   peak RSS {m['peak_rss_mb']:.0f} MiB")
    for tool, rs in runs.items():
        names = rs[0]["phases"]
        print(f"  {tool} phases (median s): " + ", ".join(
            f"{k} {statistics.median(r['phases'].get(k, 0) for r in rs):.3f}" for k in names))
    s, b = med["statguard"], med["baseline_duckdb"]
    print(f"statguard / baseline: work {s['seconds'] / b['seconds']:.2f}x, "
          f"peak RSS {s['peak_rss_mb'] / b['peak_rss_mb']:.2f}x  (SF {args.sf}, {args.repeat} runs each)")
    print("counts " + ("agree" if ok else "DISAGREE") + (" with the published ones" if agreed else
                                                           " (no published counts for this SF)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
