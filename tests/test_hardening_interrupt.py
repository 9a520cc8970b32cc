"""Ctrl-C during a long `statguard check --record` (real processes, real SIGINT), and history
content that does not depend on whether a pack types the columns.

Each interrupted run must exit 130 with "interrupted" on stderr and no traceback, and leave the
history store consistent: the file's versions (one transaction) all recorded or none.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from statguard.cli.main import main
from statguard.history import HistoryStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")

ROWS = 60_000
UNITS = 3
PACK = """sources:
  s:
    path: {data}
    unit: unit
    period: period
    keys: [id]
    columns: {{unit: string, period: string, id: integer, value: number, total: number}}
rules:
  - {{id: EQUAL, kind: row, source: s, expr: value == total}}
  - {{id: POSITIVE, kind: row, source: s, expr: value >= 0}}
  - {{id: KEY, kind: unique, source: s}}
  - {{id: FAR, kind: outlier, source: s, value: value}}
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV of ROWS rows (every 10th fails EQUAL, so the JSON report is far over a pipe's
    64 KiB) and a pack with a few rules over it."""
    folder = tmp_path_factory.mktemp("interrupt")
    data = folder / "big.csv"
    with data.open("w", encoding="utf-8") as fh:
        fh.write("unit,period,id,value,total\n")
        for i in range(ROWS):
            value = (i * 7919) % 1000
            fh.write(f"U{i % UNITS},2024-01,{i},{value},{value + (i % 10 == 0)}\n")
    (folder / "pack.yml").write_text(PACK.format(data=data), encoding="utf-8")
    return folder


class Run:
    """`statguard check pack.yml --record --format json` as a child process; stderr lines timed
    as they come, stdout left unread until `finish`: the report (every violation, megabytes)
    blocks on the full pipe while it is written, so the child cannot end before the signal."""

    def __init__(self, work: Path, store: Path, pack: str = "pack.yml"):
        self.store = store
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src"), "CI": "true"}
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "statguard", "check", str(work / pack), "--record", "--history", str(store),
             "--threads", "2", "--format", "json"], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: list[tuple[float, str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.lines.append((time.monotonic() - self.started, raw.decode("utf-8", "replace")))

    def until(self, condition, limit: float = 120) -> float:
        """Seconds since the start when `condition()` first held (polled)."""
        deadline = time.monotonic() + limit
        while not condition():
            assert self.proc.poll() is None, f"finished first: {self.stderr}"
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.005)
        return time.monotonic() - self.started

    def recorded(self) -> bool:
        return any(line.startswith("recorded") for _, line in self.lines)

    def report_started(self) -> bool:
        assert self.proc.stdout is not None
        return bool(select.select([self.proc.stdout], [], [], 0)[0])

    def interrupt(self) -> None:
        assert self.proc.poll() is None, f"finished before the interrupt: {self.stderr}"
        self.proc.send_signal(signal.SIGINT)

    def finish(self) -> int:
        assert self.proc.stdout is not None
        self.stdout = self.proc.stdout.read()
        code = self.proc.wait(timeout=120)
        self._reader.join(timeout=10)
        return code

    @property
    def stderr(self) -> str:
        return "".join(line for _, line in self.lines)


@pytest.fixture(scope="module")
def phases(work: Path, tmp_path_factory: pytest.TempPathFactory):
    """When an uninterrupted run of a pack reaches each phase: the store opened (recording
    starts), the versions recorded (the rules start), the report's first bytes."""
    measured: dict[str, dict[str, float]] = {}

    def of(pack: str) -> dict[str, float]:
        if pack not in measured:
            run = Run(work, tmp_path_factory.mktemp("baseline") / "H.db", pack)
            times = {"store": run.until(run.store.exists), "recorded": run.until(run.recorded)}
            times["report"] = run.until(run.report_started)
            assert run.finish() == 1, run.stderr
            assert len(versions(run.store)) == UNITS
            measured[pack] = times
        return measured[pack]

    return of


def versions(store: Path) -> list[tuple[str, int, int]]:
    with HistoryStore(store, create=False) as s:
        return [(x.unit, x.version, x.row_count) for x in s.submissions()]


def assert_interrupted(run: Run, code: int) -> None:
    assert code == 130, (code, run.stderr)
    assert "statguard: interrupted" in run.stderr
    assert "Traceback" not in run.stderr, run.stderr


def assert_consistent(store: Path) -> None:
    """`statguard history list` works, `verify` finds nothing, and the file's versions are all
    there with every row or none is."""
    listed = subprocess.run([sys.executable, "-m", "statguard", "history", "list", "--history", str(store)],
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
    checked = subprocess.run([sys.executable, "-m", "statguard", "history", "verify", "--history", str(store)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    found = versions(store)
    assert found in ([], [(f"U{u}", 1, len(range(u, ROWS, UNITS))) for u in range(UNITS)]), found


@pytest.mark.parametrize("share", [0.1, 0.3, 0.6, 0.9])
def test_ctrl_c_while_recording(work, phases, tmp_path, share):
    """Inside reading the data (DuckDB), splitting it into versions, or the SQLite transaction."""
    run = Run(work, tmp_path / "H.db")
    run.until(run.store.exists)
    at = phases("pack.yml")
    time.sleep(share * (at["recorded"] - at["store"]))
    run.interrupt()
    assert_interrupted(run, run.finish())
    assert_consistent(run.store)


@pytest.mark.parametrize("share", [0.1, 0.4, 0.7])
def test_ctrl_c_while_the_rules_run(work, phases, tmp_path, share):
    """Inside DuckDB queries of the rules on the main thread (DuckDB turns the signal into
    'Query interrupted', which used to make an errored rule and exit 1 or 2): the versions
    recorded before the rules stay."""
    run = Run(work, tmp_path / "H.db")
    run.until(run.recorded)
    at = phases("pack.yml")
    time.sleep(share * (at["report"] - at["recorded"]))
    run.interrupt()
    assert_interrupted(run, run.finish())
    assert_consistent(run.store)
    assert len(versions(run.store)) == UNITS


def test_ctrl_c_while_the_report_is_written(work, tmp_path):
    """The report is blocked writing to a full pipe when the signal comes."""
    run = Run(work, tmp_path / "H.db")
    run.until(run.report_started)
    time.sleep(0.3)  # nobody reads stdout: the writer waits on the full pipe
    run.interrupt()
    assert_interrupted(run, run.finish())
    assert_consistent(run.store)
    assert len(versions(run.store)) == UNITS


def test_ctrl_c_while_waiting_for_another_writer(work, tmp_path):
    """Another process holds the store's write lock: Ctrl-C stops the wait at once (SQLite's
    own busy wait would not see it for up to the 60 s timeout), nothing is recorded."""
    store = tmp_path / "H.db"
    HistoryStore(store).close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"con = sqlite3.connect({str(store)!r}, isolation_level=None)\n"
        "con.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(120)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        run = Run(work, store)
        # the data is read and split before the lock is asked for: well after the store is opened
        time.sleep(1.0)
        run.until(lambda: _waiting_for_lock(run), limit=120)
        sent = time.monotonic()
        run.interrupt()
        code = run.finish()
        waited = time.monotonic() - sent
    finally:
        holder.kill()
        holder.wait()
    assert_interrupted(run, code)
    assert waited < 10, waited
    assert versions(store) == []


def _waiting_for_lock(run: Run) -> bool:
    """Whether the child sits in SQLite's lock wait: it spends no CPU while sleeping there."""
    stat = Path(f"/proc/{run.proc.pid}/stat")
    if not stat.exists():
        return True
    first = int(stat.read_text().rsplit(")", 1)[1].split()[11])  # utime
    time.sleep(0.3)
    return int(stat.read_text().rsplit(")", 1)[1].split()[11]) - first <= 2


def test_same_figure_recorded_with_a_pack_is_one_version(tmp_path, capsys):
    """With -p the declared columns are read as text: '100' and '100.0' in a number column are
    still one figure, as they are without a pack (docs/history.md)."""
    (tmp_path / "pack.yml").write_text(
        "sources:\n  s:\n    unit: unit\n    period: period\n"
        "    columns: {unit: string, period: string, code: string, value: number, count: integer}\n"
        "rules:\n  - {id: R, kind: row, source: s, expr: value >= 0}\n", encoding="utf-8")
    (tmp_path / "v1.csv").write_text("unit,period,code,value,count\nA,2024-01,007,100,3\nA,2024-01,8,12.5,4\n",
                                     encoding="utf-8")
    (tmp_path / "v2.csv").write_text("unit,period,code,value,count\nA,2024-01,007,100.0,3.0\n"
                                     "A,2024-01,8,12.50,4\n", encoding="utf-8")
    store = str(tmp_path / "H.db")
    for name in ("v1.csv", "v2.csv"):
        assert main(["history", "record", str(tmp_path / name), "-s", "s", "-p", str(tmp_path / "pack.yml"),
                     "--history", store]) == 0
    out = capsys.readouterr().out
    assert "unchanged" in out.splitlines()[-1], out
    assert [v[1] for v in versions(Path(store))] == [1]
    # through check --record as well, and a text column keeps what was written ('007' is not '7')
    (tmp_path / "v3.csv").write_text("unit,period,code,value,count\nA,2024-01,7,100,3\nA,2024-01,8,12.5,4\n",
                                     encoding="utf-8")
    assert main(["check", str(tmp_path / "pack.yml"), "-s", f"s={tmp_path / 'v2.csv'}", "--record",
                 "--history", store]) == 0
    assert main(["check", str(tmp_path / "pack.yml"), "-s", f"s={tmp_path / 'v3.csv'}", "--record",
                 "--history", store]) == 0
    assert [v[1] for v in versions(Path(store))] == [1, 2]
    assert main(["history", "list", "--history", store]) == 0


def test_a_store_recorded_before_numbers_were_normalised_still_sees_the_same_file_as_unchanged(tmp_path):
    """A version recorded with the pack's text as it was ('12.50') is the same content as the
    same file recorded now: no new version after an upgrade."""
    import pandas as pd

    from statguard.history.capture import Labels, split
    from statguard.history.store import pending
    frame = pd.DataFrame({"unit": ["A"], "value": ["12.50"]})
    store = tmp_path / "H.db"
    with HistoryStore(store) as s:
        s.record_all([pending("s", frame.to_dict("records"), unit="A", columns=["unit", "value"])])  # as before
        result = s.record_all(split("s", frame, Labels(unit_column="unit"), [], numeric=["value"]))
    assert [r.new for r in result] == [False]
