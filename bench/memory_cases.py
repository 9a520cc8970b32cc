"""Peak memory and time of the two unbounded-memory cases of issue 18, each run in a child process.

rules:  N row rules `a + b == total` on a 2-row CSV with declared columns, each failing once.
schema: the `schema` kind over a generated CSV of about SIZE MB (a few bad cells and a
        duplicate key), checked with the source's declared columns.

Prints one line per run (seconds inside validate(), CPU seconds of the child, peak RSS of the
child) and the median and spread per case. `--fused-max` sets statguard.runner.FUSED_MAX in
the child (a large value gives back the former single fused scan per source).

    python bench/memory_cases.py rules --rules 300 --repeat 5
    python bench/memory_cases.py rules --rules 300 --repeat 5 --fused-max 1000000
    python bench/memory_cases.py schema --mb 300 --repeat 3 [--memory-limit 200MB]
    PYTHONPATH=/path/to/older/src python bench/memory_cases.py ...   # an earlier statguard
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import statguard, statguard.api, statguard.runner
args = json.loads(sys.argv[1])
if args.get("fused_max"):
    statguard.runner.FUSED_MAX = args["fused_max"]
pack = statguard.load_pack(args["pack"])
t0, c0 = time.perf_counter(), time.process_time()
report = statguard.api.validate(pack, {}, options={"memory_limit": args.get("memory_limit")})
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
# VmHWM, not getrusage: ru_maxrss would keep the forking parent's high-water mark across exec
rss = int([ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0].split()[1]) / 1024
fails = sum(int(row["fails"]) for row in report.summary.to_dict("records"))
errored = sum(bool(row["errored"]) for row in report.summary.to_dict("records"))
print("RESULT", json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": rss, "fails": fails, "errored": errored}))
"""


def write_rules_case(folder: Path, n: int) -> Path:
    (folder / "d.csv").write_text("id,a,b,total\n1,1,2,3\n2,1,2,4\n", encoding="utf-8")
    lines = ["sources:", "  d:", "    path: d.csv", "    keys: [id]", "    columns:",
             "      id: {type: string}", "      a: {type: number}", "      b: {type: number}",
             "      total: {type: number}", "rules:"]
    lines += [f"  - {{id: R{i}, kind: row, source: d, expr: a + b == total}}" for i in range(n)]
    pack = folder / f"rules{n}.yml"
    pack.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pack


def write_schema_case(folder: Path, mb: int) -> Path:
    """A CSV of about `mb` MB: id (unique but for one duplicate), code (pattern), amount
    (number, min 0; a placeholder and a negative), kind (allowed values; one outsider), day (date)."""
    path = folder / "big.csv"
    kinds = ["A", "B", "C"]
    with path.open("w", encoding="utf-8") as f:
        f.write("id,code,amount,kind,day,note\n")
        i, size, target = 0, 0, mb * 1_000_000
        block = []
        while size < target:
            for _ in range(10_000):
                i += 1
                line = (f"{i},{i % 1_000_000:06d},{(i * 37) % 100_000}.{i % 100:02d},{kinds[i % 3]},"
                        f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},note number {i} of the generated file\n")
                block.append(line)
                size += len(line)
            f.writelines(block)
            block = []
        f.write(f"{i + 1},12345,xxx,A,2024-01-01,placeholder\n")
        f.write(f"{i + 2},123456,-5,D,2024-13-01,negative and not allowed and bad date\n")
        f.write(f"{i},123456,1,A,2024-01-01,duplicate key\n")
    return write_schema_pack(folder, path)


def write_schema_pack(folder: Path, path: Path) -> Path:
    """The schema rule over the generated CSV `path` (see write_schema_case for its columns)."""
    pack = folder / "schema.yml"
    pack.write_text(f"""sources:
  big:
    path: {path.name}
    keys: [id]
    columns:
      id: {{type: integer, nullable: false}}
      code: {{type: string, pattern: '^[0-9]{{6}}$'}}
      amount: {{type: number, min: 0}}
      kind: {{type: string, allowed: [A, B, C]}}
      day: {{type: date}}
rules:
  - {{id: SCHEMA, kind: schema, source: big}}
""", encoding="utf-8")
    return pack


def run_child(pack: Path, fused_max: int | None, memory_limit: str | None) -> dict[str, float]:
    arg = json.dumps({"pack": str(pack), "fused_max": fused_max, "memory_limit": memory_limit})
    out = subprocess.run([sys.executable, "-c", CHILD, arg], capture_output=True, text=True, check=True)
    # DuckDB's progress bar may share stdout (a statement over 2 s)
    results = [line[line.index("RESULT ") + 7:] for line in out.stdout.splitlines() if "RESULT " in line]
    return json.loads(results[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("case", choices=["rules", "schema"])
    ap.add_argument("--rules", type=int, nargs="+", default=[300])
    ap.add_argument("--mb", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fused-max", type=int, default=None)
    ap.add_argument("--memory-limit", default=None, help="the engine's (DuckDB's) memory limit, e.g. 200MB")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        packs = ([(f"{n} rules", write_rules_case(folder, n)) for n in args.rules] if args.case == "rules"
                 else [(f"schema, {args.mb} MB CSV", write_schema_case(folder, args.mb))])
        for name, pack in packs:
            runs = []
            for _ in range(args.repeat):
                runs.append(run_child(pack, args.fused_max, args.memory_limit))
                print(name, json.dumps({k: round(v, 3) for k, v in runs[-1].items()}), flush=True)
            for key in ("seconds", "cpu", "rss_mb"):
                values = [r[key] for r in runs]
                print(f"  {name} {key}: median {statistics.median(values):.2f}, "
                      f"range {min(values):.2f}-{max(values):.2f}")


if __name__ == "__main__":
    main()
