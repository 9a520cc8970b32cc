"""`statguard lint --analyze` on a 200-rule pack: median and spread of the analysis time.

The pack (written by `write_pack`) is a survey form of blocks of 8 figures each: a part-whole
equation, non-negative parts, shares of the whole, conditional rules (if a part is reported the
head count is), a categorical rule, and, planted, what the analysis must find: contradictions,
rules repeated or implied, a figure fixed to 0. Blocks share no figures, as sections of a form
rarely do; one block is ten times larger than the others.

    python bench/analysis_bench.py [--rules 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _block(b: int, size: int) -> tuple[list[str], list[str]]:
    parts = [f"b{b}_p{i}" for i in range(size)]
    whole, staff, status = f"b{b}_total", f"b{b}_staff", f"b{b}_status"
    columns = [*parts, whole, staff]
    rules = [f"{{id: B{b}-SUM, kind: part_whole, source: s, whole: {whole}, parts: [{', '.join(parts)}]}}"]
    for i, p in enumerate(parts):
        rules.append(f"{{id: B{b}-NN{i}, kind: row, source: s, expr: {p} >= 0}}")
        rules.append(f"{{id: B{b}-SH{i}, kind: row, source: s, expr: {p} <= 0.9 * {whole}}}")
        rules.append(f"{{id: B{b}-IF{i}, kind: row, source: s, if: {p} > 0, expr: {staff} >= 1}}")
    rules.append(f"{{id: B{b}-ST, kind: row, source: s, if: \"{status} == 'closed'\", expr: {staff} == 0}}")
    return columns + [status], rules


def write_pack(directory: Path, n_rules: int = 200) -> Path:
    """A pack of exactly `n_rules` rules over source `s`; returns its path."""
    columns: list[str] = []
    rules: list[str] = []
    b = 0
    while len(rules) < n_rules - 8:
        cols, block = _block(b, 30 if b == 0 else 3)
        columns += cols
        rules += block
        b += 1
    planted = [  # what the analysis must find
        "{id: X-LOW, kind: row, source: s, expr: b1_total >= 1000}",
        "{id: X-HIGH, kind: row, source: s, expr: b1_p0 + b1_p1 + b1_p2 <= 500}",  # contradicts B1-SUM, X-LOW
        "{id: X-DUP, kind: row, source: s, expr: b2_p0 >= 0}",  # repeats B2-NN0
        "{id: X-WEAK, kind: row, source: s, expr: b2_total >= -5}",  # implied by the parts' sum
        "{id: X-ZERO1, kind: row, source: s, expr: b3_p1 <= 0}",  # with B3-NN1: b3_p1 fixed to 0
        "{id: X-NEG, kind: row, source: s, if: \"b4_status == 'closed'\", expr: b4_staff >= 1}",
        "{id: X-CLOSED, kind: row, source: s, expr: \"b4_status == 'closed'\"}",  # with X-NEG, B4-ST
    ]
    rules = rules[: n_rules - len(planted)] + planted
    lines = ["pack: {name: analysis-bench}", "sources:", "  s:", "    columns:"]
    for c in columns:
        kind = "string" if c.endswith("_status") else "number"
        lines.append(f"      {c}: {{type: {kind}}}")
    lines.append("rules:")
    lines += [f"  - {r}" for r in rules]
    path = Path(directory) / "analysis-bench.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rules", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import statguard
    from statguard.analysis import analyze_pack
    with tempfile.TemporaryDirectory() as tmp:
        pack = statguard.load_pack(write_pack(Path(tmp), args.rules))
        analyze_pack(pack)  # warm: imports scipy
        times, findings = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            findings = analyze_pack(pack)
            times.append(time.perf_counter() - start)
    for f in findings:
        print(f"{f.severity:8} {f.kind:13} {', '.join(f.rules)}")
    spread = f"min {min(times):.2f} s, max {max(times):.2f} s"
    print(f"{len(pack.rules)} rules, {len(findings)} findings: median {statistics.median(times):.2f} s ({spread})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
