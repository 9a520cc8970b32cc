"""Error localisation of 100,000 failing records, 20 rules over 30 fields: median and spread.

The rules are an enterprise survey's balance edits: five sections of six figures, each with a
part-whole equation, non-negative parts, a share bound and a conditional rule (if staff are
reported the wage bill is), and cross-section totals. Each record starts consistent and gets
one to three figures corrupted (a typo, a sign, a unit error); values repeat the way survey
figures do (many small firms report the same round numbers), so identical patterns are met.

    python bench/locate_bench.py [--records 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

SECTIONS = 5
FIELDS = [f"s{s}_{n}" for s in range(SECTIONS) for n in ("a", "b", "c", "total", "staff", "wages")]
RULES: list[str] = []
for _s in range(SECTIONS):
    a, b, c, total, staff, wages = (f"s{_s}_{n}" for n in ("a", "b", "c", "total", "staff", "wages"))
    RULES += [f"{{id: S{_s}-SUM, kind: row, source: s, expr: {a} + {b} + {c} == {total}}}",
              f"{{id: S{_s}-NN, kind: row, source: s, expr: {a} >= 0 AND {b} >= 0 AND {c} >= 0}}",
              f"{{id: S{_s}-SHARE, kind: row, source: s, expr: {wages} <= 0.8 * {total}}}",
              f"{{id: S{_s}-IF, kind: row, source: s, if: {staff} > 0, expr: {wages} >= 10 * {staff}}}"]
WEIGHTS = {f"s{s}_total": 2.0 for s in range(SECTIONS)}  # totals are checked by the unit: more trusted


def _clean(rng: random.Random) -> dict[str, float]:
    record: dict[str, float] = {}
    for s in range(SECTIONS):
        parts = [rng.choice((0, 10, 20, 50, 100, 200, 500)) * rng.choice((1, 1, 1, 10)) for _ in range(3)]
        total = sum(parts)
        staff = rng.choice((0, 1, 2, 5, 10))
        wages = min(0.8 * total, max(10 * staff, rng.choice((0, 50, 100))))
        if wages < 10 * staff:
            staff = 0
        record.update({f"s{s}_a": parts[0], f"s{s}_b": parts[1], f"s{s}_c": parts[2], f"s{s}_total": total,
                       f"s{s}_staff": staff, f"s{s}_wages": wages})
    return record


def records(n: int, seed: int = 0, failing: object = None) -> list[dict[str, float]]:
    """`n` records with corrupted figures; with `failing` (a Locator), only records failing some rule."""
    rng = random.Random(seed)
    out: list[dict[str, float]] = []
    while len(out) < n:
        record = _clean(rng)
        for field in rng.sample(FIELDS, rng.choice((1, 1, 1, 2, 2, 3))):
            value = record[field]
            record[field] = rng.choice((-value - 1, value * 10 + 1, value + rng.choice((1, 9, 90)), 0))
        if failing is None or failing.failing(record):  # type: ignore[attr-defined]
            out.append(record)
    return out


def write_pack(directory: Path) -> Path:
    lines = ["pack: {name: locate-bench}", "sources:", "  s:", "    columns:"]
    lines += [f"      {f}: {{type: number}}" for f in FIELDS]
    lines += ["rules:", *(f"  - {r}" for r in RULES)]
    path = Path(directory) / "locate-bench.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import statguard
    from statguard.analysis.linear import extract
    from statguard.analysis.locate import Locator
    with tempfile.TemporaryDirectory() as tmp:
        pack = statguard.load_pack(write_pack(Path(tmp)))
    system = extract(pack, "s")
    data = records(args.records, failing=Locator(system))
    Locator(system, WEIGHTS).locate(data[0])  # warm: imports scipy
    times = []
    for _ in range(args.repeat):
        locator = Locator(system, WEIGHTS, FIELDS)
        start = time.perf_counter()
        found = [locator.locate(r) for r in data]
        times.append(time.perf_counter() - start)
    failing = sum(1 for f in found if f)
    sizes = statistics.mean(len(f) for f in found if f)
    print(f"{len(system.rules)} rules, {len(FIELDS)} fields, {len(data)} records ({failing} failing, "
          f"{sizes:.2f} fields to fix on average; {len(locator.cache)} distinct patterns, {locator.solved} by MILP)")
    print(f"median {statistics.median(times):.1f} s (min {min(times):.1f} s, max {max(times):.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
