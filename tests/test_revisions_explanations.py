"""The revisions kind reading the history store: a change is explained by a stated reason or by an
explanation recorded with the version (`check --record -e FILE`), matched on unit, period and figure."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import statguard
from statguard.cli.main import main
from statguard.history import HistoryStore
from statguard.history.explanations import COLUMNS, EXPLANATIONS_SOURCE

PACK = """
sources:
  stats:
    unit: 单位
    period: 期间
    keys: [单位, 期间]
    columns: {单位: string, 期间: string, 产值: number, 投资: number}
rules:
  - id: REV-E
    kind: revisions
    hard: false                 # an error until explained
    source: stats
    values: [产值, 投资]
    flag_monotone_flattering: false
  - id: REV-1
    kind: revisions
    severity: warning
    source: stats
    values: [产值]
    flag_monotone_flattering: false
  - id: CAP
    kind: row
    severity: warning
    source: stats
    expr: 产值 < 105
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "pack.yml"
    path.write_text(PACK, encoding="utf-8")
    return path


def submit(tmp_path: Path, pack: Path, store: Path, rows: list[tuple], *extra: str) -> int:
    """Check and record one submission of stats (rows: unit, period, 产值, 投资), as a unit sends it."""
    data = tmp_path / f"v{len(list(tmp_path.glob('v*.csv'))) + 1}.csv"
    pd.DataFrame(rows, columns=["单位", "期间", "产值", "投资"]).to_csv(data, index=False)
    return main(["check", str(pack), "-s", f"stats={data}", "--record",
                 "--history", str(store), "-f", "json", *extra])


def explanations_file(tmp_path: Path, entries: list[dict]) -> Path:
    path = tmp_path / "说明.yml"
    path.write_text(json.dumps({"explanations": entries}, ensure_ascii=False), encoding="utf-8")
    return path


def failing(pack: Path, store: Path, rule: str = "REV-E") -> dict[tuple, str]:
    """(unit, indicator) -> detail of the rule's violations, reading the history only."""
    report = statguard.validate(statguard.load_pack(pack), {}, rules=[rule], options={"history": str(store)})
    assert not report.summary["errored"].any(), report.summary["error"].tolist()
    return {(v["unit"], v["keys"]["indicator"]): v["detail"] for v in report.violations.to_dict("records")}


V1 = [("A", "2024-09", 100, 10), ("B", "2024-09", 200, 20)]
V2 = [("A", "2024-09", 110, 10), ("B", "2024-09", 220, 20)]


def test_a_change_explained_by_a_recorded_explanation_is_not_flagged(tmp_path, pack, capsys):
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    capsys.readouterr()
    answer = explanations_file(tmp_path, [{"rule_id": "REV-E", "unit": "A", "period": "2024-09",
                                           "keys": {"indicator": "产值"}, "text": "新投产项目补录，产值增加"}])
    assert submit(tmp_path, pack, store, V2, "-e", str(answer)) == 1  # B's change is not explained
    out = json.loads(capsys.readouterr().out)
    rev = [v for v in out["violations"] if v["rule_id"] == "REV-E"]
    assert {(v["unit"], v["explained"]) for v in rev} == {("A", True), ("B", False)}
    # read back later, without the file: the recorded explanation covers A's change, B's stays unexplained
    assert failing(pack, store) == {
        ("B", "产值"): "v1=200, v2=220; 1 of 1 changes without a stated reason or recorded explanation"}
    # a further change of A without an explanation: the one recorded with v2 does not cover v3
    assert submit(tmp_path, pack, store, [("A", "2024-09", 115, 10), ("B", "2024-09", 220, 20)]) == 1
    assert failing(pack, store)[("A", "产值")] == (
        "v1=100, v2=110, v3=115; 1 of 2 changes without a stated reason or recorded explanation")


def test_no_explanations_recorded_at_all(tmp_path, pack):
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    assert submit(tmp_path, pack, store, V2) == 1
    with HistoryStore(store, create=False) as hs:
        assert EXPLANATIONS_SOURCE not in hs.sources()
    assert set(failing(pack, store)) == {("A", "产值"), ("B", "产值")}


def test_a_stated_reason_still_explains(tmp_path, pack):
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    assert submit(tmp_path, pack, store, V2, "--reason", "更正笔误") == 0
    assert failing(pack, store) == {}


def record_explanation(store: Path, *, rule: str = "REV-E", unit: str = "A", period: str = "2024-09",
                       keys: dict | None = None, status: str = "explained") -> None:
    """An explanation row exactly as `check --record` stores it (statguard.history.explanations)."""
    row = {"rule_id": rule, "keys": json.dumps({"indicator": "产值"} if keys is None else keys, ensure_ascii=False),
           "text": "属实", "author": "张敏", "date": "2024-10-08", "fields": None, "status": status}
    with HistoryStore(store) as hs:
        hs.record(EXPLANATIONS_SOURCE, [row], unit=unit, period=period, columns=COLUMNS, keys=["rule_id", "keys"])


@pytest.mark.parametrize(("explanation", "explained"), [
    ({}, True),
    ({"period": "2024年9月"}, True),  # period spellings are one period
    ({"unit": "C"}, False),  # another unit
    ({"period": "2024-08"}, False),  # another period
    ({"keys": {"indicator": "投资"}}, False),  # another figure of the same record
    ({"status": "stale"}, False),  # it cleared nothing when it was recorded
    ({"status": "refused"}, False),
    ({"rule": "NOT-IN-PACK"}, False),
    ({"rule": "CAP", "keys": {"单位": "A", "期间": "2024-09"}}, False),  # names no figure; REV-E follows two
], ids=["same", "period-spelling", "other-unit", "other-period", "other-indicator", "stale", "refused",
        "unknown-rule", "other-rule-two-values"])
def test_which_recorded_explanations_count(tmp_path, pack, explanation, explained):
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    assert submit(tmp_path, pack, store, V2) == 1
    record_explanation(store, **explanation)
    assert (("A", "产值") not in failing(pack, store)) is explained
    assert ("B", "产值") in failing(pack, store)


def test_another_rule_explains_a_figure_its_record_identifies(tmp_path, pack):
    """REV-1 follows one figure, so an explanation of CAP (same source) for A's record is about it."""
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    assert submit(tmp_path, pack, store, V2) == 1
    record_explanation(store, rule="CAP", keys={"单位": "A", "期间": "2024-09"})
    assert set(failing(pack, store, "REV-1")) == {("B", "产值")}


def test_an_explanation_recorded_before_the_version_does_not_count(tmp_path, pack):
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    record_explanation(store)  # written for v1, which changed nothing
    assert submit(tmp_path, pack, store, V2) == 1
    assert ("A", "产值") in failing(pack, store)


def test_lint_needs_no_store(pack, tmp_path, monkeypatch):
    monkeypatch.setenv("STATGUARD_HISTORY", str(tmp_path / "none.db"))
    assert main(["lint", str(pack)]) == 0


def test_an_explanation_answers_the_version_it_was_recorded_with_not_earlier_ones(tmp_path, pack):
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    assert submit(tmp_path, pack, store, V2) == 1  # v2 changed A without a word
    assert submit(tmp_path, pack, store, [("A", "2024-09", 115, 10), ("B", "2024-09", 220, 20)]) == 1
    record_explanation(store)  # written with v3
    assert failing(pack, store)[("A", "产值")] == (
        "v1=100, v2=110, v3=115; 1 of 2 changes without a stated reason or recorded explanation")


def explanation_versions(store: Path, unit: str = "A") -> list[int]:
    with HistoryStore(store, create=False) as hs:
        return [s.version for s in hs.submissions(source=EXPLANATIONS_SOURCE, unit=unit)]


def test_an_unchanged_explanations_file_resubmitted_with_a_new_version_answers_that_version(tmp_path, pack, capsys):
    """The unit sends v2 and v3 with the same 说明 file: each time it explained the change it made."""
    store = tmp_path / "history.db"
    answer = explanations_file(tmp_path, [{"rule_id": "REV-E", "unit": "A", "period": "2024-09",
                                           "keys": {"indicator": "产值"}, "text": "新投产项目补录，产值增加"}])
    assert submit(tmp_path, pack, store, [("A", "2024-09", 100, 10)]) == 0
    assert submit(tmp_path, pack, store, [("A", "2024-09", 110, 10)], "-e", str(answer)) == 0
    assert submit(tmp_path, pack, store, [("A", "2024-09", 115, 10)], "-e", str(answer)) == 0
    capsys.readouterr()
    assert failing(pack, store) == {}
    assert explanation_versions(store) == [1, 2]  # same text, but it answered another data version
    with HistoryStore(store, create=False) as hs:
        answers = [json.loads(r["answers"]) for s in hs.submissions(source=EXPLANATIONS_SOURCE)
                   for r in hs.rows(s.id)]
    assert answers == [{"stats": 2}, {"stats": 3}]
    # v4 changes again without the file: v2's and v3's answers do not carry over
    assert submit(tmp_path, pack, store, [("A", "2024-09", 120, 10)]) == 1
    assert failing(pack, store)[("A", "产值")] == (
        "v1=100, v2=110, v3=115, v4=120; 1 of 3 changes without a stated reason or recorded explanation")


def test_an_explanation_recorded_without_answers_falls_back_to_received_times(tmp_path, pack):
    """Rows written before `answers` existed (no such column) are matched by when they were recorded."""
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    assert submit(tmp_path, pack, store, V2) == 1
    row = {"rule_id": "REV-E", "keys": json.dumps({"indicator": "产值"}, ensure_ascii=False), "text": "属实",
           "author": None, "date": None, "fields": None, "status": "explained"}
    with HistoryStore(store) as hs:
        hs.record(EXPLANATIONS_SOURCE, [row], unit="A", period="2024-09", columns=list(row), keys=["rule_id", "keys"])
    assert set(failing(pack, store)) == {("B", "产值")}


@pytest.mark.parametrize(("answered", "explained"), [(2, True), (1, False), (3, False)])
def test_a_named_answer_decides_over_the_time_it_was_recorded(tmp_path, pack, answered, explained):
    """Recorded after v2 but naming v1 (or a v3 that does not exist) it does not explain v2's change."""
    store = tmp_path / "history.db"
    assert submit(tmp_path, pack, store, V1) == 0
    assert submit(tmp_path, pack, store, V2) == 1
    row = {"rule_id": "REV-E", "keys": json.dumps({"indicator": "产值"}, ensure_ascii=False), "text": "属实",
           "author": None, "date": None, "fields": None, "status": "explained",
           "answers": json.dumps({"stats": answered})}
    with HistoryStore(store) as hs:
        hs.record(EXPLANATIONS_SOURCE, [row], unit="A", period="2024-09", columns=COLUMNS, keys=["rule_id", "keys"])
    assert (("A", "产值") not in failing(pack, store)) is explained
