"""Independent rules run concurrently on DuckDB sessions (statguard.runner, with the DuckDB
engine's schedule, statguard.engine.duckdb_schedule); nothing a user
sees may depend on it: the same pack and data give the same report with one thread or several."""

from __future__ import annotations

import pandas as pd
import pytest

import statguard
from statguard.api import validate
from statguard.engine.duckdb import DuckDBEngine

from conftest import ROOT, SHARED

COUNTS = ["rule_id", "items", "passes", "fails", "not_evaluable", "errored", "error"]


@pytest.fixture
def sessions(monkeypatch):
    """How many engine sessions each run opened (0: the rules ran one after another)."""
    opened: list[int] = []
    original = DuckDBEngine.session

    def spy(self):
        opened.append(1)
        return original(self)
    monkeypatch.setattr(DuckDBEngine, "session", spy)
    return opened


def _as_parquet(pack: statguard.Pack, folder) -> dict[str, str]:
    """Each file source of `pack` written to Parquet as statguard reads it (one row group each:
    the narrow sources whose rules run concurrently)."""
    from statguard.api import bind_source
    out = {}
    with DuckDBEngine() as engine:
        for name, source in pack.sources.items():
            if source.path is None or source.derive is not None:
                continue
            bind_source(engine, pack, name, None)
            out[name] = str(folder / f"{name}.parquet")
            engine.con.execute(f"COPY \"raw:{name}\" TO '{out[name]}' (FORMAT parquet)")
    return out


def _run(pack: statguard.Pack, threads: int, tmp_path, **kwargs) -> statguard.Report:
    return validate(pack, kwargs.pop("sources", {}), options={"threads": threads, "output_dir": str(tmp_path)},
                    **kwargs)


@pytest.mark.parametrize("name,concurrent", [("demo.yml", True), ("investment", True), ("reemployment", False)])
def test_example_packs_give_the_same_report_with_one_thread_or_several(name, concurrent, tmp_path, sessions):
    pack = statguard.load_pack(ROOT / "rules" / name)
    sources = _as_parquet(pack, tmp_path)
    alone = _run(pack, 1, tmp_path / "one", sources=sources)
    assert sessions == []
    together = _run(pack, 3, tmp_path / "three", sources=sources)
    # a pool for the plans over one narrow source, a session for the rest; the re-employment
    # pack has one such plan only (its row rules are fused), the rest are joins: no pool
    assert (len(sessions) >= 2) is concurrent
    assert not _run(pack, 3, tmp_path / "csv").summary["errored"].any()  # CSV: DuckDB's own threads
    pd.testing.assert_frame_equal(alone.summary[COUNTS], together.summary[COUNTS])
    pd.testing.assert_frame_equal(alone.violations, together.violations)
    assert alone.meta["units"] == together.meta["units"]


def test_dataframes_and_record_numbers_on_sessions(tmp_path, sessions):
    """Parquet sources of one row group are scanned by one thread each, so their rules run
    concurrently; DataFrames are registered per DuckDB connection, so a session registers them
    again; rules numbering records without keys (a window over the input order) wait and run
    alone, in order."""
    sbs = pd.read_csv(SHARED / "data" / "validate" / "SBS2000.csv")
    sbs.to_parquet(tmp_path / "sbs.parquet")
    path = tmp_path / "p.yml"
    path.write_text("sources:\n  sbs: {unit: size}\n  frame: {}\n  plain: {}\nrules:\n"
                    "  - {id: STAFF, kind: row, source: sbs, expr: staff >= 0}\n"
                    "  - {id: TURN, kind: row, source: sbs, expr: turnover >= 0}\n"
                    "  - {id: DUP, kind: unique, source: sbs, keys: [id]}\n"
                    "  - {id: FRAME, kind: unique, source: frame, keys: [id]}\n"
                    "  - {id: ROWS, kind: row, source: plain, expr: v > 1}\n", encoding="utf-8")
    pack = statguard.load_pack(path)
    plain = pd.DataFrame({"v": [5, 1, 7, 0, 3, 1]})
    report = _run(pack, 2, tmp_path, sources={"sbs": str(tmp_path / "sbs.parquet"), "frame": sbs, "plain": plain})
    assert sessions, "expected the rules over the one-row-group Parquet file to run on sessions"
    rows = {r["rule_id"]: r for r in report.rules()}
    assert not any(r["errored"] for r in rows.values()), [r["error"] for r in rows.values()]
    assert rows["STAFF"]["fails"] == int((sbs["staff"] < 0).sum())
    assert rows["STAFF"]["not_evaluable"] == int(sbs["staff"].isna().sum())
    assert rows["DUP"]["items"] == rows["FRAME"]["items"] == len(sbs)
    assert rows["DUP"]["fails"] == rows["FRAME"]["fails"]
    numbers = [k["row"] for k, rule in zip(report.column("keys"), report.column("rule_id"), strict=True)
               if rule == "ROWS"]
    assert numbers == [2, 4, 6]  # 1-based record numbers in the order of the DataFrame


def test_a_rule_failing_on_a_session_errors_only_itself(tmp_path, sessions):
    pd.DataFrame({"单位": ["A", "B"], "值": [1, -2]}).to_parquet(tmp_path / "t.parquet")
    (tmp_path / "p.yml").write_text("sources:\n  t: {path: t.parquet, keys: [单位]}\nrules:\n"
                                    "  - {id: TYPE, kind: row, source: t, expr: 单位 + 1 > 0}\n"
                                    "  - {id: OK, kind: row, source: t, expr: 值 >= 0, where: 值 IS NOT NULL}\n"
                                    "  - {id: DUP, kind: unique, source: t}\n", encoding="utf-8")
    report = _run(statguard.load_pack(tmp_path / "p.yml"), 2, tmp_path)
    assert sessions
    rows = {r["rule_id"]: r for r in report.rules()}
    assert rows["TYPE"]["errored"]
    assert rows["TYPE"]["error"].startswith(
        f"{tmp_path / 'p.yml'}:4: cannot evaluate rule 'TYPE': + does not take a text value and a number")
    assert (rows["OK"]["errored"], rows["OK"]["fails"]) == (False, 1)
    assert (rows["DUP"]["errored"], rows["DUP"]["passes"]) == (False, 2)


def test_wide_sources_run_one_rule_after_another(tmp_path, sessions):
    """A Parquet file of as many row groups as threads: DuckDB uses every thread on each rule."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    table = pa.table({"id": list(range(4000)), "v": [i % 7 - 1 for i in range(4000)]})
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=1000)  # 4 row groups
    (tmp_path / "p.yml").write_text("sources:\n  t: {path: t.parquet, keys: [id]}\nrules:\n"
                                    "  - {id: POS, kind: row, source: t, expr: v >= 0}\n"
                                    "  - {id: DUP, kind: unique, source: t}\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    wide = _run(pack, 4, tmp_path)
    assert sessions == []
    narrow = _run(pack, 8, tmp_path)  # 8 threads for 4 row groups: now they do run side by side
    assert sessions
    assert [(r["rule_id"], r["fails"]) for r in wide.rules()] == [("POS", 4000 // 7 + 1), ("DUP", 0)]
    assert wide.rules()[0]["fails"] == narrow.rules()[0]["fails"]


def test_an_interruption_stops_the_sessions_and_propagates(tmp_path, sessions):
    """Ctrl-C (here: a progress callback raising) while rules run on sessions, with more
    waiting behind them: the run stops with that exception instead of waiting for rules that
    will never start, and the next run works."""
    rules = []
    for i in range(6):
        pd.DataFrame({"id": range(1000), "v": [j % 5 - 1 for j in range(1000)]}).to_parquet(tmp_path / f"s{i}.parquet")
        rules.append(f"  - {{id: R{i}, kind: row, source: s{i}, expr: v >= 0}}\n")
    (tmp_path / "c.csv").write_text("id,v\n1,2\n2,-1\n", encoding="utf-8")
    sources = "".join(f"  s{i}: {{keys: [id], path: s{i}.parquet}}\n" for i in range(6))
    (tmp_path / "p.yml").write_text("sources:\n" + sources + "  c: {keys: [id], path: c.csv}\nrules:\n"
                                    + "".join(rules) + "  - {id: RC, kind: row, source: c, expr: v >= 0}\n",
                                    encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")

    def interrupt(i, n, rule_id):
        if i == 1:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        validate(pack, {}, options={"threads": 2}, progress=interrupt)
    assert sessions
    again = validate(pack, {}, options={"threads": 2})
    assert [r["fails"] for r in again.rules()] == [200] * 6 + [1]


def test_items_tied_on_the_plans_order_come_in_key_order(tmp_path):
    """`unique ... per: group` orders duplicated keys by their record count; keys with the same
    count come by key, whatever order the rows left DuckDB's aggregate in."""
    ids = [f"{i:05d}" for i in range(3000)]
    frame = pd.DataFrame({"id": ids[::-1] * 2 + ["x"] * 3, "v": range(6003)})
    (tmp_path / "p.yml").write_text("sources:\n  t: {keys: [id]}\nrules:\n"
                                    "  - {id: G, kind: unique, source: t, per: group}\n", encoding="utf-8")
    report = statguard.load_pack(tmp_path / "p.yml").validate({"t": frame})
    keys = [k["id"] for k in report.column("keys")]
    assert keys == ["x", *ids]  # three records first, then the pairs by key


def test_joins_start_after_the_narrow_aggregates_with_the_per_record_rules_beside_them(tmp_path, monkeypatch):
    """With joins among the rules, the narrow plans holding hash tables (unique) run first; then
    DuckDB gives back what they freed, once, and the joins run with the plans that hold little
    beside them: per-record rules, and plans over small sources only (here: at most 50 rows).
    DUP starts while the other sources are still being bound (its source is bound first)."""
    import threading

    from statguard import runner as runner_module
    from statguard.engine import duckdb_schedule
    monkeypatch.setattr(duckdb_schedule, "SMALL_SOURCE", 50)
    log: list[tuple[str, str, str]] = []  # (event, rule ids, thread)
    original_execute, original_release = runner_module.Runner.execute, DuckDBEngine.release_memory

    def execute(self, engine, members):
        ids = ",".join(self.rules[j].id for j in members)
        log.append(("start", ids, threading.current_thread().name))
        original_execute(self, engine, members)
        log.append(("end", ids, threading.current_thread().name))

    def release(self):
        log.append(("release", "", threading.current_thread().name))
        original_release(self)
    early: list[tuple[str, list[str]]] = []  # after each source bound: the rules already started
    original_bound = runner_module.Runner.source_bound

    def source_bound(self, name):
        original_bound(self, name)
        early.append((name, sorted(self.rules[i].id for i in self.schedule.pending)))
    monkeypatch.setattr(runner_module.Runner, "execute", execute)
    monkeypatch.setattr(DuckDBEngine, "release_memory", release)
    monkeypatch.setattr(runner_module.Runner, "source_bound", source_bound)
    n = 400
    pd.DataFrame({"id": [i % 300 for i in range(n)], "unit": [f"U{i % 7}" for i in range(n)],
                  "v": [i % 11 - 1 for i in range(n)]}).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({"id": range(0, 600, 2), "w": range(300)}).to_parquet(tmp_path / "b.parquet")
    pd.DataFrame({"unit": [f"U{i}" for i in range(7)], "total": [60] * 7}).to_parquet(tmp_path / "s.parquet")
    pd.DataFrame({"unit": [f"U{i}" for i in range(6)], "total": [60] * 6}).to_parquet(tmp_path / "t.parquet")
    (tmp_path / "p.yml").write_text(
        "sources:\n  a: {path: a.parquet, unit: unit}\n  b: {path: b.parquet, keys: [id]}\n"
        "  s: {path: s.parquet, keys: [unit]}\n  t: {path: t.parquet, keys: [unit]}\nrules:\n"
        "  - {id: POS, kind: row, source: a, expr: v >= 0}\n"
        "  - {id: DUP, kind: unique, source: a, keys: [id]}\n"
        "  - {id: MATCH, kind: exists, source: a, other: b, match: [id]}\n"
        "  - {id: SUMS, kind: reconcile, source: s, other: t, match: [unit], measure: total, agg: sum}\n"
        "  - {id: WDUP, kind: unique, source: b, keys: [w]}\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    together = validate(pack, {}, options={"threads": 2})
    order = [(event, ids) for event, ids, _ in log]
    thread = {ids: name for event, ids, name in log if event == "start"}
    assert early == [("a", ["DUP"]), ("b", ["DUP", "WDUP"]), ("s", ["DUP", "WDUP"]), ("t", ["DUP", "WDUP"])]
    stage1_done = max(order.index(("end", "DUP")), order.index(("end", "WDUP")))
    assert stage1_done < order.index(("start", "MATCH"))
    # given back by the light thread before its first plan, while the join starts
    assert stage1_done < order.index(("release", "")) < min(order.index(("start", "POS")),
                                                            order.index(("start", "SUMS")))
    assert [event for event, _ in order].count("release") == 1
    assert [name for event, _, name in log if event == "release"][0].startswith("statguard-light")
    assert thread["POS"].startswith("statguard-light") and thread["SUMS"].startswith("statguard-light")
    assert thread["MATCH"].startswith("statguard-rest") and thread["DUP"].startswith("statguard_")
    log.clear()
    alone = validate(pack, {}, options={"threads": 1})
    assert not any(event == "release" for event, _, _ in log)
    pd.testing.assert_frame_equal(alone.summary[COUNTS], together.summary[COUNTS])
    pd.testing.assert_frame_equal(alone.violations, together.violations)
    fails = {r["rule_id"]: r["fails"] for r in together.rules()}
    assert fails == {"POS": sum(1 for i in range(n) if i % 11 == 0), "DUP": 200, "MATCH": 200, "SUMS": 1, "WDUP": 0}


def test_release_memory_puts_the_thread_count_back():
    with DuckDBEngine(threads=2) as engine:
        engine.release_memory()
        assert engine.con.execute("SELECT current_setting('threads')").fetchall()[0][0] == 2
        assert engine.con.execute("SELECT 40 + 2").fetchall() == [(42,)]


def test_closing_without_waiting_still_closes_and_cleans_up():
    import threading
    from pathlib import Path
    engine = DuckDBEngine()
    folder = Path(engine._tmp.name)
    assert folder.is_dir()
    engine.close(wait=False)
    for thread in threading.enumerate():
        if thread.name == "statguard-close":
            thread.join(10)
    assert not folder.exists()
    with pytest.raises(Exception, match="closed"):
        engine.con.execute("SELECT 1")


def test_closing_without_waiting_where_no_thread_can_start_closes_in_place():
    """Under an address-space limit (RLIMIT_AS) that a run has used up, a thread's stack cannot be
    reserved: closing without waiting then closes in place instead of failing the finished run
    (CI saw "can't start new thread" from the memory test of 600 row rules)."""
    import subprocess
    import sys
    child = r"""
import resource, threading
from pathlib import Path
from statguard.engine.duckdb import DuckDBEngine
engine = DuckDBEngine(threads=1)
folder = Path(engine._tmp.name)
size = int([ln for ln in open("/proc/self/status") if ln.startswith("VmSize")][0].split()[1]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (size + 2**20, size + 2**20))  # 1 MiB more than it has
threading.stack_size(256 * 2**20)  # a stack no freed thread's cached stack can serve
try:
    threading.Thread(target=lambda: None).start()
    print("THREAD STARTED")  # the limit did not bite here; the test cannot tell anything
except RuntimeError:
    engine.close(wait=False)
    print("CLOSED", folder.exists())
"""
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "CLOSED False", done.stdout


def test_sessions_opened_before_a_dataframe_was_bound_see_it_once_synced():
    """The stage-1 pool opens when the first narrow group-by starts, before later sources are
    bound; DuckDB registers a DataFrame per connection, so a session registers the ones bound
    since it was opened before it runs anything (duckdb_schedule.Staged._on_free_session)."""
    with DuckDBEngine(threads=2) as engine:
        session = engine.session()
        engine.register("late", pd.DataFrame({"v": [1, 2, 3]}))
        with pytest.raises(Exception, match="late"):
            session.con.execute("SELECT count(*) FROM late").fetchall()
        session.sync_frames()
        assert session.con.execute("SELECT sum(v) FROM late").fetchall() == [(6,)]
        session.sync_frames()  # nothing new: no second registration
        assert session._frames == {"late"}
        session.close()


def test_a_dataframe_bound_after_a_narrow_group_by_started(tmp_path, monkeypatch, sessions):
    from statguard.engine import duckdb_schedule
    monkeypatch.setattr(duckdb_schedule, "SMALL_SOURCE", 2)  # a (3 rows) is not small: DA starts early
    pd.DataFrame({"id": [1, 1, 2], "unit": ["A", "A", "B"]}).to_parquet(tmp_path / "a.parquet")
    frame = pd.DataFrame({"id": [1, 2, 2], "unit": ["C", "D", "D"]})
    (tmp_path / "p.yml").write_text("sources:\n  a: {path: a.parquet, unit: unit}\n  f: {unit: unit}\nrules:\n"
                                    "  - {id: DA, kind: unique, source: a, keys: [id]}\n"
                                    "  - {id: DF, kind: unique, source: f, keys: [id]}\n", encoding="utf-8")
    report = validate(statguard.load_pack(tmp_path / "p.yml"), {"f": frame}, options={"threads": 2})
    assert sessions
    assert "error" not in report.meta["units"], report.meta["units"]
    assert report.meta["units"]["sources"] == {"a": ["A", "B"], "f": ["C", "D"]}
    assert [(r["rule_id"], r["fails"]) for r in report.rules()] == [("DA", 2), ("DF", 2)]
