"""Independent rules run concurrently on DuckDB sessions (statguard.runner); nothing a user
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


def _run(pack: statguard.Pack, threads: int, tmp_path, **kwargs) -> statguard.Report:
    return validate(pack, kwargs.pop("sources", {}), options={"threads": threads, "output_dir": str(tmp_path)},
                    **kwargs)


@pytest.mark.parametrize("name", ["demo.yml", "investment", "reemployment"])
def test_example_packs_give_the_same_report_with_one_thread_or_several(name, tmp_path, sessions):
    pack = statguard.load_pack(ROOT / "rules" / name)
    alone = _run(pack, 1, tmp_path / "one")
    assert sessions == []
    together = _run(pack, 3, tmp_path / "three")
    assert len(sessions) >= 2  # a pool for the single-source plans, a session for the joins
    pd.testing.assert_frame_equal(alone.summary[COUNTS], together.summary[COUNTS])
    pd.testing.assert_frame_equal(alone.violations, together.violations)
    assert alone.meta["units"] == together.meta["units"]


def test_dataframes_and_record_numbers_on_sessions(tmp_path, sessions):
    """DataFrames are registered per DuckDB connection, so each session registers them again;
    rules numbering records without keys (a window over the input order) wait and run alone."""
    sbs = pd.read_csv(SHARED / "data" / "validate" / "SBS2000.csv")
    path = tmp_path / "p.yml"
    path.write_text("sources:\n  sbs: {unit: size}\n  plain: {}\nrules:\n"
                    "  - {id: STAFF, kind: row, source: sbs, expr: staff >= 0}\n"
                    "  - {id: TURN, kind: row, source: sbs, expr: turnover >= 0}\n"
                    "  - {id: DUP, kind: unique, source: sbs, keys: [id]}\n"
                    "  - {id: ROWS, kind: row, source: plain, expr: v > 1}\n", encoding="utf-8")
    pack = statguard.load_pack(path)
    plain = pd.DataFrame({"v": [5, 1, 7, 0, 3, 1]})
    report = _run(pack, 2, tmp_path, sources={"sbs": sbs, "plain": plain})
    assert sessions, "expected the independent rules to run on sessions"
    rows = {r["rule_id"]: r for r in report.rules()}
    assert not any(r["errored"] for r in rows.values()), [r["error"] for r in rows.values()]
    assert rows["STAFF"]["fails"] == int((sbs["staff"] < 0).sum())
    assert rows["STAFF"]["not_evaluable"] == int(sbs["staff"].isna().sum())
    assert rows["DUP"]["items"] == len(sbs)
    numbers = [k["row"] for k, rule in zip(report.column("keys"), report.column("rule_id"), strict=True)
               if rule == "ROWS"]
    assert numbers == [2, 4, 6]  # 1-based record numbers in the order of the DataFrame


def test_a_rule_failing_on_a_session_errors_only_itself(tmp_path, sessions):
    (tmp_path / "t.csv").write_text("单位,值\nA,1\nB,-2\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("sources:\n  t: {path: t.csv, keys: [单位]}\nrules:\n"
                                    "  - {id: TYPE, kind: row, source: t, expr: 单位 + 1 > 0}\n"
                                    "  - {id: OK, kind: row, source: t, expr: 值 >= 0}\n"
                                    "  - {id: DUP, kind: unique, source: t}\n", encoding="utf-8")
    report = _run(statguard.load_pack(tmp_path / "p.yml"), 2, tmp_path)
    assert sessions
    rows = {r["rule_id"]: r for r in report.rules()}
    assert rows["TYPE"]["errored"]
    assert rows["TYPE"]["error"].startswith(f"{tmp_path / 'p.yml'}:4: cannot evaluate rule 'TYPE': Binder Error")
    assert (rows["OK"]["errored"], rows["OK"]["fails"]) == (False, 1)
    assert (rows["DUP"]["errored"], rows["DUP"]["passes"]) == (False, 2)
