"""growth with `base_from: history`: last year's figures come from the history store, not this year's file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import statguard
from statguard.cli.main import main
from statguard.errors import EXIT_VIOLATIONS, PackError
from statguard.history import HistoryStore
from statguard.history.capture import record_source

from conftest import ROOT

FINANCE = ROOT / "rules" / "deposits" / "data" / "finance.csv"
PACK = """
sources:
  finance:
    keys: [指标, 期间]
    period: 期间
    columns: {指标: string, 期间: string, 余额: number, 同比增长: number}
rules:
  - id: G
    kind: growth
    source: finance
    value: 余额
    rate: 同比增长
    by: [指标]
    base_from: history
"""


@pytest.fixture
def pack(tmp_path: Path) -> statguard.Pack:
    path = tmp_path / "pack.yml"
    path.write_text(PACK, encoding="utf-8")
    return statguard.load_pack(path)


def split_years() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = pd.read_csv(FINANCE, dtype={"期间": str})
    last = data[data["期间"].str.startswith("2023")].drop(columns=["同比增长"])
    return last, data[data["期间"].str.startswith("2024")]


def check(pack: statguard.Pack, this_year: pd.DataFrame, store: Path) -> tuple[dict, list[dict]]:
    report = statguard.validate(pack, {"finance": this_year}, options={"history": str(store)})
    (summary,) = report.summary.to_dict("records")
    return summary, report.violations.to_dict("records")


def test_last_years_recorded_submission_is_the_base(pack, tmp_path):
    store = tmp_path / "history.db"
    last, this = split_years()
    with HistoryStore(store) as hs:
        (recorded,) = record_source(hs, pack.sources["finance"], last)  # September 2023, as submitted then
    assert (recorded.submission.period, recorded.submission.version) == ("2023-09", 1)
    summary, found = check(pack, this, store)  # this year's file holds 2024 only
    assert (summary["items"], summary["passes"], summary["fails"], summary["errored"]) == (4, 3, 1, False)
    (v,) = found
    assert v["keys"]["指标"] == "住户存款" and v["observed"] == 14.2 and round(v["expected"], 2) == 12.19
    assert v["values"]["comparison_value"] == 96.40 and v["values"]["comparison_period"] == "2023-09"
    assert v["values"]["comparison_version"] == 1


def test_the_latest_version_of_the_comparison_period_counts(pack, tmp_path):
    store = tmp_path / "history.db"
    last, this = split_years()
    revised = last.assign(余额=last["余额"].where(last["指标"] != "住户存款", 94.70))
    with HistoryStore(store) as hs:
        record_source(hs, pack.sources["finance"], last)
        (second,) = record_source(hs, pack.sources["finance"], revised, reason="住户存款口径调整")
    assert second.new and second.submission.version == 2
    summary, found = check(pack, this, store)
    assert (summary["passes"], summary["fails"]) == (4, 0) and found == []  # 108.15 / 94.70 - 1 = 14.20%
    # the current state is what counts: a v3 back to 96.40 makes it fail again, against version 3
    with HistoryStore(store) as hs:
        record_source(hs, pack.sources["finance"], last, reason="恢复原口径")
    _, (v,) = check(pack, this, store)
    assert v["values"]["comparison_version"] == 3 and v["values"]["comparison_value"] == 96.40


def test_a_series_not_recorded_last_year_is_not_evaluable(pack, tmp_path):
    store = tmp_path / "history.db"
    last, this = split_years()
    new = pd.DataFrame([{"指标": "非银行业金融机构存款", "期间": "2024年9月", "余额": 5.0, "同比增长": 3.0}])
    with HistoryStore(store) as hs:
        record_source(hs, pack.sources["finance"], last)
    report = statguard.validate(pack, {"finance": pd.concat([this, new])}, options={"history": str(store)})
    (summary,) = report.summary.to_dict("records")
    assert (summary["items"], summary["not_evaluable"], summary["fails"]) == (5, 1, 1)


def test_history_mode_reads_other_spellings_of_the_period(pack, tmp_path):
    """Recorded as "2023-09" rows, checked as "2024年9月" ones (and the other way round)."""
    store = tmp_path / "history.db"
    last, this = split_years()
    with HistoryStore(store) as hs:
        record_source(hs, pack.sources["finance"], last.assign(期间="2023-09"))
    summary, _ = check(pack, this.assign(期间="2024M09"), store)
    assert (summary["items"], summary["passes"], summary["fails"]) == (4, 3, 1)


def test_without_a_store_or_a_recorded_source_the_rule_errors_clearly(pack, tmp_path):
    _, this = split_years()
    summary, _ = check(pack, this, tmp_path / "none.db")
    assert summary["errored"] and "no history store at" in summary["error"]
    with HistoryStore(tmp_path / "other.db") as hs:
        hs.record("something_else", [{"a": 1}], unit="x", period="2023")
    summary, _ = check(pack, this, tmp_path / "other.db")
    assert summary["errored"] and "nothing recorded for source 'finance'" in summary["error"]


def test_a_column_missing_from_the_recorded_rows_is_located_at_the_rule(pack, tmp_path):
    store = tmp_path / "history.db"
    last, this = split_years()
    with HistoryStore(store) as hs:
        record_source(hs, pack.sources["finance"], last.rename(columns={"余额": "期末余额"}))
    summary, _ = check(pack, this, store)
    assert summary["errored"] and "unknown column '余额' in source 'history:finance'" in summary["error"]


def test_base_column_and_base_from_history_exclude_each_other(tmp_path):
    path = tmp_path / "pack.yml"
    path.write_text(PACK + "    base: 上年\n", encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace("同比增长: number}", "同比增长: number, 上年: number}"),
                    encoding="utf-8")
    pack = statguard.load_pack(path)
    (problem,) = pack.problems
    assert problem.field == "base_from" and problem.line == 14 and "give one of them" in problem.message
    with pytest.raises(PackError):
        statguard.load_pack(path, strict=True)


def test_check_from_the_cli_with_history(tmp_path, capsys):
    """`statguard history record` last year, `statguard check --history` this year."""
    last, this = split_years()
    (tmp_path / "data").mkdir()
    last.to_csv(tmp_path / "data" / "2023.csv", index=False)
    this.to_csv(tmp_path / "data" / "2024.csv", index=False)
    pack = tmp_path / "pack.yml"
    pack.write_text(PACK.replace("    period: 期间\n", "    period: 期间\n    path: data/2024.csv\n"),
                    encoding="utf-8")
    store = str(tmp_path / "h.db")
    assert main(["history", "record", str(tmp_path / "data" / "2023.csv"), "-s", "finance", "-p", str(pack),
                 "--history", store]) == 0
    capsys.readouterr()
    assert main(["check", str(pack), "--history", store, "-f", "json"]) == EXIT_VIOLATIONS
    (v,) = json.loads(capsys.readouterr().out)["violations"]
    assert v["keys"]["指标"] == "住户存款" and v["values"]["comparison_version"] == 1
