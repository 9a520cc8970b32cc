"""The history store under SIGKILL mid-write and under concurrent writers (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from statguard.history import HistoryStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

# A child process that records one submission of N rows, and kills itself with SIGKILL at STAGE
# (by wrapping private steps of the store), or loops recording until killed from outside.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from statguard.history import store as mod

    path, stage, n_rows, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    insert = mod.HistoryStore._insert_rows
    if stage == "init":                      # inside the transaction creating the tables
        mod._now = lambda: die()
    elif stage == "after_header":            # submission row written, no rows yet
        mod.HistoryStore._insert_rows = lambda self, con, sid, lines: die()
    elif stage == "mid_rows":                # half of the rows written
        def half(self, con, sid, lines):
            insert(self, con, sid, lines[: len(lines) // 2]); die()
        mod.HistoryStore._insert_rows = half
    elif stage == "before_commit":           # everything written, COMMIT not reached
        def full(self, con, sid, lines):
            insert(self, con, sid, lines); die()
        mod.HistoryStore._insert_rows = full

    rows = lambda k: [{"k": i, "v": i * 1.5 + k, "t": tag} for i in range(n_rows)]
    with mod.HistoryStore(path) as store:
        if stage == "loop":                  # killed from outside at some moment
            k = 0
            while True:
                store.record("src", rows(k), unit="U", period="2024", keys=["k"])
                k += 1
        elif stage == "race":                # wait for the start signal, then record 15 versions
            while not os.path.exists(path + ".go"):
                pass
            for k in range(15):
                store.record("src", rows(k), unit="U", period="2024", keys=["k"], reason=tag)
        else:
            store.record("src", rows(0), unit="U", period="2024", keys=["k"])
    print("finished")
""")


def child(tmp_path: Path, store: Path, stage: str, rows: int = 2000, tag: str = "x") -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    return subprocess.Popen([sys.executable, str(script), str(store), stage, str(rows), tag],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def earlier_versions(store: Path) -> list[tuple[int, str, int]]:
    with HistoryStore(store) as s:
        for n in range(3):
            s.record("src", [{"k": i, "v": n * 10 + i} for i in range(50)], unit="U", period="2024", keys=["k"])
        return snapshot(s)


def snapshot(s: HistoryStore) -> list[tuple[int, str, int]]:
    return [(x.version, x.content_hash, x.row_count) for x in s.submissions()]


def assert_intact(store: Path, before: list[tuple[int, str, int]], rows: int = 2000) -> list[tuple[int, str, int]]:
    """The store opens, passes its integrity and hash checks, and still holds every earlier version."""
    with HistoryStore(store, create=False) as s:
        assert s.verify() == []
        after = snapshot(s)
        assert after[: len(before)] == before
        for version, _hash, count in after[len(before):]:  # anything new landed whole
            assert count == rows, (version, count)
        s.record("src", [{"k": 0, "v": -1}], unit="U", period="2024", keys=["k"])  # and it is writable
        return after


@pytest.mark.parametrize("stage", ["after_header", "mid_rows", "before_commit"])
def test_kill_at_a_stage_of_a_write_loses_only_that_write(tmp_path, stage):
    store = tmp_path / "h.db"
    before = earlier_versions(store)
    proc = child(tmp_path, store, stage)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    after = assert_intact(store, before)
    assert after == before  # the interrupted version is absent, not half there


def test_kill_while_creating_the_store_leaves_it_usable(tmp_path):
    store = tmp_path / "new" / "h.db"
    proc = child(tmp_path, store, "init")
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    with HistoryStore(store) as s:  # opening again initialises it
        assert s.submissions() == []
        s.record("src", [{"k": 1}], unit="U")
        assert s.verify() == []


@pytest.mark.parametrize("delay", [0.35, 0.6, 0.9, 1.3, 1.8])
def test_kill_at_a_random_moment_of_repeated_writes(tmp_path, delay):
    store = tmp_path / "h.db"
    before = earlier_versions(store)
    proc = child(tmp_path, store, "loop", rows=20000)  # about 0.3 s per version, most of it writing
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert_intact(store, before, rows=20000)


def test_two_processes_recording_at_once(tmp_path):
    store = tmp_path / "h.db"
    HistoryStore(store).close()
    procs = [child(tmp_path, store, "race", rows=300, tag=tag) for tag in ("A", "B")]
    time.sleep(1.0)  # both are up and spinning on the start signal
    Path(str(store) + ".go").touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "finished" in out, err
    with HistoryStore(store, create=False) as s:
        assert s.verify() == []
        subs = s.submissions()
        assert [x.version for x in subs] == list(range(1, 31))  # distinct, gapless numbers
        assert sorted(x.reason for x in subs) == ["A"] * 15 + ["B"] * 15
        assert len({x.content_hash for x in subs}) == 30
