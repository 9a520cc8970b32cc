"""Start-up time of statguard as whole processes, against `python -c "import pandas"`.

The issue's yardstick (issue 15): the demo's check must finish sooner than Python takes to
import pandas on the same machine, and `statguard lint` within half a second. A fourth
command, `libs`, only imports the libraries statguard is built on (duckdb, sqlglot, pydantic,
PyYAML): the part of any start that is not statguard's own code. The commands run in turn,
round after round (demo, pandas, lint, libs, demo, pandas, ...), so a
machine whose speed drifts slows all three alike; each round's ratios to pandas are taken
within the round, and the medians, minimum and maximum of the rounds are printed, with the
load average before and after.

    python bench/startup.py                 # 15 rounds
    python bench/startup.py --rounds 30 --json

Python is given the compiled bytecode of statguard first (as `pip install` leaves it): a
checkout run with PYTHONDONTWRITEBYTECODE compiles every module of statguard at each start.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "rules" / "demo.yml"


def commands(out_dir: str) -> dict[str, list[str]]:
    py = sys.executable
    return {
        "demo": [py, "-m", "statguard", "check", str(DEMO), "--output-dir", out_dir],
        "pandas": [py, "-c", "import pandas"],
        "lint": [py, "-m", "statguard", "lint", str(DEMO)],
        # what any run pays before statguard's own code: the libraries it is built on
        "libs": [py, "-c", "import duckdb, sqlglot, pydantic, yaml"],
    }


def timed(command: list[str], cwd: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system, the process and its threads) seconds of one whole run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # the demo finds violations: exit 1
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="also print one JSON line of the figures")
    args = parser.parse_args()
    import statguard
    package = Path(statguard.__file__).resolve().parent
    compileall.compile_dir(package, quiet=1)
    # the statguard imported here (e.g. a checkout on PYTHONPATH) is the one timed, whatever the cwd
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package.parent), *filter(None, [
        os.environ.get("PYTHONPATH")])])}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="statguard-startup-") as tmp:
        cmds = commands(tmp)
        for command in cmds.values():  # warm-up: file cache, bytecode of the dependencies
            timed(command, tmp, env)
        walls: dict[str, list[float]] = {name: [] for name in cmds}
        cpus: dict[str, list[float]] = {name: [] for name in cmds}
        for _ in range(args.rounds):
            for name, command in cmds.items():
                wall, cpu = timed(command, tmp, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    load_after = os.getloadavg()
    ratios = {f"{name}/pandas {what}": [a / b for a, b in zip(figures[name], figures["pandas"], strict=True)]
              for what, figures in (("wall", walls), ("cpu", cpus)) for name in ("demo", "lint", "libs")}
    print(f"statguard from {package}")
    print(f"statguard start-up, {args.rounds} interleaved rounds; {os.cpu_count()} cores; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after; python {sys.version.split()[0]}")
    print("median (min-max), seconds")
    for name, command in commands("OUT").items():
        shown = " ".join(Path(c).name if c == sys.executable else c for c in command)
        print(f"  {name:<7} wall {spread(walls[name])}  cpu {spread(cpus[name])}   {shown}")
    for name, values in ratios.items():
        print(f"  {name:<18} {spread(values)}")
    if args.json:
        print(json.dumps({"rounds": args.rounds, "load": [load_before[0], load_after[0]],
                          "wall": {k: statistics.median(v) for k, v in walls.items()},
                          "cpu": {k: statistics.median(v) for k, v in cpus.items()},
                          "ratios": {k: statistics.median(v) for k, v in ratios.items()}}))


if __name__ == "__main__":
    main()
