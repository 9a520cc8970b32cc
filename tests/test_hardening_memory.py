"""Memory without bound (issue 18): many row rules on a tiny source, and the schema kind on a
large CSV, each run in a child process whose address space is limited (RLIMIT_AS).

The limit is set in the child after its imports, as the address space it then has plus an
allowance, so that it bounds what the run itself takes. Address space is not memory: glibc
reserves 64 MB per thread for its arenas (MALLOC_ARENA_MAX=2 keeps that out), and DuckDB's
allocator keeps address space it no longer uses (300 row rules: 1.4 GB of address space for a
peak RSS of 270 MB; in one fused scan as before, 17 GB for 1 GB), so the rules' allowance is
generous and what is asserted is their peak RSS; for the schema kind, how far the peak RSS
rises above the child's after its imports, against the size of the file. Figures and
commands: bench/README.md ("Memory cases").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from memory_cases import write_rules_case, write_schema_pack  # noqa: E402  (the bench's own cases)

CHILD = r"""
import json, resource, sys
import duckdb, pandas, statguard, statguard.api
args = json.loads(sys.argv[1])
def status(key):
    return int([ln for ln in open("/proc/self/status") if ln.startswith(key)][0].split()[1]) * 1024
limit = status("VmSize") + args["allowance_mb"] * 2**20
base_rss = status("VmRSS")
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
pack = statguard.load_pack(args["pack"])
report = statguard.api.validate(pack, {}, options=args.get("options"))
rows = report.summary.to_dict("records")
violations = report.violations.to_dict("records")
print("RESULT", json.dumps({"fails": sum(r["fails"] for r in rows),
                  "errors": [r["error"] for r in rows if r["errored"]],
                  "details": sorted(str(v["detail"]) for v in violations),
                  # VmHWM, not getrusage: ru_maxrss keeps the high-water mark of the process that
                  # forked this one (a large pytest run), as Linux carries it across exec
                  "rss_mb": status("VmHWM") / 2**20,
                  "rss_growth_mb": (status("VmHWM") - base_rss) / 2**20}))
"""


def _run_limited(pack: Path, allowance_mb: int, options: dict | None = None) -> dict:
    arg = json.dumps({"pack": str(pack), "allowance_mb": allowance_mb, "options": options})
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    done = subprocess.run([sys.executable, "-c", CHILD, arg], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    # DuckDB's progress bar may share stdout (a statement over 2 s)
    results = [line[line.index("RESULT ") + 7:] for line in done.stdout.splitlines() if "RESULT " in line]
    assert results, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(results[-1])


@pytest.mark.parametrize("rules", [300, 600])
def test_many_row_rules_fit_in_bounded_memory(tmp_path, rules):
    """300 row rules, each failing once, took 1 GB (peak RSS) fused into one scan, 600 took 3.2 GB;
    in scans of at most statguard.runner.FUSED_MAX rules, 270 and 315 MB with pandas loaded."""
    result = _run_limited(write_rules_case(tmp_path, rules), allowance_mb=3000)
    assert result["errors"] == []
    assert result["fails"] == rules
    assert result["rss_mb"] < 450


def _big_csv(folder: Path, rows: int) -> tuple[Path, int]:
    """A CSV of `rows` good records (about 78 bytes each), written by DuckDB, then three bad ones:
    a placeholder amount with a 5-digit code, a negative amount of an unknown kind on a
    non-date, and a repeated id."""
    import duckdb
    path = folder / "big.csv"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT i AS id, lpad(CAST(i % 1000000 AS VARCHAR), 6, '0') AS code,
                        CAST((i * 37) % 100000 AS VARCHAR) || '.5' AS amount, ['A', 'B', 'C'][1 + i % 3] AS kind,
                        CAST(DATE '2024-01-01' + CAST(i % 300 AS INTEGER) AS VARCHAR) AS day,
                        'note number ' || i || ' of the generated file' AS note
                        FROM range(1, {rows + 1}) t(i)) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{rows + 1},12345,xxx,A,2024-01-01,placeholder\n")
        f.write(f"{rows + 2},123456,-5,D,2024-13-01,bad\n")
        f.write(f"{rows},123456,1,A,2024-01-01,duplicate key\n")
    return path, path.stat().st_size


@pytest.mark.slow
def test_schema_kind_streams_a_csv_larger_than_its_memory(tmp_path):
    """The schema kind runs in DuckDB under the engine's memory limit: on a 555 MiB CSV its resident
    memory rises by under half the file's size (about 180 MB measured; pandas held 4.8 GB for a
    0.84 GiB file), in an address-space allowance (1.5 GB) that loading the file into pandas
    would exceed several times over."""
    path, size = _big_csv(tmp_path, 7_500_000)
    assert size > 550 * 2**20
    pack = write_schema_pack(tmp_path, path)
    result = _run_limited(pack, allowance_mb=1500, options={"memory_limit": "200MB"})
    assert result["errors"] == []
    assert result["details"] == ["below the minimum", "does not match the pattern", "duplicate", "duplicate",
                                 "not a date", "not an allowed value", "template placeholder"]
    assert result["rss_growth_mb"] * 2**20 < size / 2


FUSED_RULES = """
  - {id: X, kind: row, source: d, expr: x > 0, keys: [g]}
  - {id: XS, kind: row, source: d, expr: x + y > 0, keys: [g], missing: fail}
  - {id: NAME, kind: row, source: d, expr: "name != 'b'", keys: [g]}
  - {id: DAY, kind: row, source: d, expr: "day > '2020-01-01'", keys: [g], where: ok}
  - {id: FLAG, kind: row, source: d, expr: ok, keys: [g]}
  - {id: STAMP, kind: row, source: d, expr: "ts > '2020-01-01'", keys: [g]}
  - {id: MONEY, kind: row, source: d, expr: amount > 1, keys: [g]}
"""


def _typed_data(folder: Path, zoned: bool) -> Path:
    """A Parquet file whose failing items tie on the key (g, with NULLs) and differ in values of every
    plain type (NULL, NaN, infinities, non-ASCII text, dates, timestamps, decimals), or with a
    time-zone timestamp, which the fused scan leaves to the plan run alone."""
    from decimal import Decimal

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    n = 60
    nan, inf = float("nan"), float("inf")
    xs = [nan, inf, -inf, 0.0, -1.5, None, 2.0, -2.0, 1e-300, 3.0]  # not -0.0: it ties with 0.0
    names = ["b", "é", "B", None, "", "b ", "ä", "a\u00a0"]
    stamps = pd.to_datetime(["2019-12-31 23:59:00", None, "2020-01-01 00:00:00", "1999-01-01 00:00:01"])
    if zoned:
        stamps = stamps.tz_localize("Europe/Paris")
    frame = pd.DataFrame({
        "g": [["k1", None, "k2"][i % 3] for i in range(n)],
        "x": [xs[i % len(xs)] for i in range(n)],
        "y": [xs[(i * 7) % len(xs)] for i in range(n)],
        "name": [names[i % len(names)] for i in range(n)],
        "day": [pd.Timestamp("2019-12-25") + pd.Timedelta(days=(i * 5) % 17) if i % 11 else None for i in range(n)],
        "ok": [[True, False, None][i % 3] for i in range(n)],
        "ts": [stamps[i % len(stamps)] for i in range(n)],
    })
    frame["day"] = frame["day"].dt.date
    table = pa.Table.from_pandas(frame, preserve_index=False).append_column(
        "amount", pa.array([Decimal(f"{(i * 37) % 23 / 10:.2f}") if i % 13 else None for i in range(n)],
                           pa.decimal128(9, 2)))
    path = folder / "d.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("zoned", [False, True], ids=["plain", "time zone"])
def test_fused_items_split_in_python_equal_rules_run_alone(tmp_path, zoned):
    """run_fused fetches a batch's one summary row and splits it per rule in Python (300 row rules:
    one statement per batch instead of one per rule); the failing items, their order and their values
    are those of each rule run alone, for every plain type and its edge values."""
    import pandas as pd

    import statguard
    path = _typed_data(tmp_path, zoned)
    pack_path = tmp_path / "pack.yml"
    pack_path.write_text(f"sources:\n  d: {{path: {path.name}}}\nrules:{FUSED_RULES}", encoding="utf-8")
    pack = statguard.load_pack(pack_path)
    fused = pack.validate({})
    assert not fused.summary["errored"].any(), fused.summary["error"].tolist()
    alone = [pack.validate({}, rules=[rule.id]) for rule in pack.rules]
    summary = pd.concat([r.summary for r in alone], ignore_index=True)
    violations = pd.concat([r.violations for r in alone if len(r.violations)], ignore_index=True)
    counts = ["rule_id", "items", "passes", "fails", "not_evaluable"]
    pd.testing.assert_frame_equal(fused.summary[counts], summary[counts])
    pd.testing.assert_frame_equal(fused.violations, violations)
    assert (fused.summary.set_index("rule_id")["fails"] > 3).all()
