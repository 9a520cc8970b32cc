"""Unit scorecards: scores recomputed independently from the violations, peer-group ranks,
the trend across periods and the escalation list (golden case in tests/data/scorecard)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from statguard import load_pack
from statguard.api import validate
from statguard.cli.main import main
from statguard.errors import PackError
from statguard.report.text import width_of
from statguard.scorecard import natural_key, scorecard

DATA = Path(__file__).parent / "data" / "scorecard"
GOLDEN_TEXT = {"en": DATA / "scorecard.golden.txt", "zh": DATA / "scorecard.golden.zh.txt"}
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04"]


@pytest.fixture(scope="module")
def pack():
    return load_pack(DATA / "pack.yml")


@pytest.fixture(scope="module")
def monthly(pack, tmp_path_factory):
    """One saved JSON report per month, as a submission round would leave them."""
    out = tmp_path_factory.mktemp("reports")
    paths = []
    for month in MONTHS:
        report = validate(pack, {"claims": DATA / f"claims-{month}.csv"})
        paths.append(out / f"{month}.json")
        report.to_json(paths[-1])
    resubmitted = validate(pack, {"claims": DATA / "claims-2024-03-resubmitted.csv"})
    resubmitted.to_json(out / "2024-03-resubmitted.json")
    return paths, out / "2024-03-resubmitted.json"


def expected_scores(violations: pd.DataFrame, units: list[str], base=100.0, severity=None, rules=None) -> dict:
    """Reference scoring written out plainly: base minus one weight per violation, not below 0."""
    severity = severity or {"error": 10, "warning": 3, "info": 0}
    rules = rules or {}
    scores = {u: base for u in units}
    for v in violations.to_dict("records"):
        if v["unit"] is None:
            continue
        scores[str(v["unit"])] -= rules.get(v["rule_id"], severity[v["severity"]])
    return {u: max(0.0, s) for u, s in scores.items()}


def test_scores_match_an_independent_computation_on_real_data(tmp_path):
    retailers = pd.read_csv(Path(__file__).parent / "shared" / "data" / "validate" / "retailers.csv")
    retailers["size_class"] = "sc" + retailers["size"].astype(str)
    retailers["unit"] = "R" + (retailers.index % 12).astype(str)  # 12 units of 5 records each
    (tmp_path / "pack.yml").write_text("""
pack:
  scorecard: {weights: {error: 7, warning: 2}, rules: {PROFIT: 11}, peer_group: size_class}
sources:
  shops: {unit: unit, columns: {unit: string, size_class: string, turnover: number, other_rev: number,
          total_rev: number, profit: number, total_costs: number}}
rules:
  - {id: BAL, kind: row, source: shops, expr: "turnover + other_rev == total_rev", tolerance: 1}
  - {id: PROFIT, kind: row, source: shops, expr: "profit == total_rev - total_costs", severity: warning}
  - {id: POS, kind: row, source: shops, expr: "turnover > 0", severity: warning}
""", encoding="utf-8")
    frame = retailers.rename(columns={"other.rev": "other_rev", "total.rev": "total_rev",
                                      "total.costs": "total_costs"})
    pack = load_pack(tmp_path / "pack.yml")
    report = validate(pack, {"shops": frame})
    assert len(report.violations) > 5, "the data is known to break these balance edits"
    card = scorecard(report, pack)
    units = sorted(frame["unit"].unique())
    want = expected_scores(report.violations, units, severity={"error": 7, "warning": 2, "info": 0},
                           rules={"PROFIT": 11})
    got = dict(zip(card.units["unit"], card.units["score"], strict=True))
    assert got == pytest.approx(want)
    assert list(card.units["score"]) == sorted(card.units["score"]), "worst units come first"
    counts = report.violations.groupby("unit").size()
    for row in card.units.to_dict("records"):
        assert row["violations"] == counts.get(row["unit"], 0)


def test_units_without_violations_appear_with_a_full_score(pack):
    report = validate(pack, {"claims": DATA / "claims-2024-04.csv"})
    card = scorecard(report, pack)
    assert set(card.units["unit"]) == {"东区", "西区", "南区", "甲县", "乙县"}
    clean = card.units.set_index("unit").loc[["西区", "南区"]]
    assert list(clean["score"]) == [100.0, 100.0]
    assert list(clean["rules_failed"]) == ["", ""]


def test_latest_month_scores_and_ranks_within_peer_groups(pack):
    report = validate(pack, {"claims": DATA / "claims-2024-04.csv"})
    card = scorecard(report, pack).units.set_index("unit")
    # R1 (error) weighs 25 by rule; R2 is a warning (3).
    assert card["score"].to_dict() == {"东区": 75.0, "甲县": 75.0, "乙县": 97.0, "西区": 100.0, "南区": 100.0}
    assert card["group"].to_dict() == {"东区": "区", "甲县": "县", "乙县": "县", "西区": "区", "南区": "区"}
    assert card["rank"].to_dict() == {"东区": 3, "甲县": 2, "乙县": 1, "西区": 1, "南区": 1}
    assert card["group_size"].to_dict() == {"东区": 3, "甲县": 2, "乙县": 2, "西区": 3, "南区": 3}
    assert card["rank_overall"].to_dict() == {"东区": 4, "甲县": 4, "乙县": 3, "西区": 1, "南区": 1}
    assert card.loc["东区", "rules_failed"] == "R1"


def test_category_lists_group_units_and_count_rules_once(pack):
    report = validate(pack, {"claims": DATA / "claims.csv"})
    config = {"groups": {"城区": ["东区", "西区"], "其他": ["南区", "甲县", "乙县"]}, "count": "rules",
              "rules": {"R1": 25}}
    units = scorecard(report, pack, config=config).units.set_index("unit")
    assert units.loc["东区", "group"] == "城区" and units.loc["甲县", "group"] == "其他"
    # count: rules -> each failed rule once per unit and period: 东区 failed R1 in 3 months.
    assert units["score"].to_dict() == {"东区": 25.0, "西区": 25.0, "甲县": 0.0, "乙县": 91.0, "南区": 100.0}
    assert units.loc["西区", "rank"] == 1 and units.loc["东区", "rank"] == 1
    assert units.loc["南区", "rank"] == 1 and units.loc["乙县", "rank"] == 2 and units.loc["甲县", "rank"] == 3


def test_one_run_over_several_periods_gives_trend_and_escalation(pack):
    report = validate(pack, {"claims": DATA / "claims.csv"})
    card = scorecard(report, pack)
    assert card.units.set_index("unit")["score"].to_dict() == {
        "东区": 25.0, "西区": 25.0, "甲县": 0.0, "乙县": 91.0, "南区": 100.0}
    assert sorted(set(card.trend["period"])) == MONTHS
    east = card.trend[card.trend["unit"] == "东区"]
    assert list(east["score"]) == [100.0, 75.0, 75.0, 75.0]
    assert list(east["change"].fillna(0)) == [0.0, -25.0, 0.0, 0.0]
    assert card.escalation[["unit", "streak", "since", "until"]].to_dict("records") == [
        {"unit": "甲县", "streak": 4, "since": "2024-01", "until": "2024-04"},
        {"unit": "东区", "streak": 3, "since": "2024-02", "until": "2024-04"}]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_golden_escalation_across_saved_monthly_reports(monthly, tmp_path, capsys, lang):
    paths, _ = monthly
    args = ["scorecard", str(DATA / "pack.yml"), "--reports", *map(str, paths)]
    assert main(args + ["--format", "json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert [(e["unit"], e["group"], e["streak"], e["since"]) for e in card["escalation"]] == [
        ("甲县", "县", 4, "2024-01"), ("东区", "区", 3, "2024-02")]
    # warnings never fail a period (fail_on: error) and 97 is above fail_below 95
    assert not any(t["failing"] for t in card["trend"] if t["unit"] == "乙县")
    assert [u["unit"] for u in card["units"]] == ["东区", "甲县", "乙县", "南区", "西区"]
    assert main(args + ["--fail-on-escalation", "--lang", lang]) == 1
    text = capsys.readouterr().out
    if os.environ.get("STATGUARD_UPDATE_GOLDEN"):
        GOLDEN_TEXT[lang].write_text(text, encoding="utf-8")
    assert text == GOLDEN_TEXT[lang].read_text(encoding="utf-8")
    assert all(width_of(line) <= 80 for line in text.splitlines())


def test_a_resubmission_replaces_its_period(monthly, capsys):
    paths, resubmitted = monthly
    assert main(["scorecard", "--reports", *map(str, paths), str(resubmitted), "--format", "json"]) == 0
    card = json.loads(capsys.readouterr().out)
    # 东区 corrected March, so its failing streak is only April: no longer escalated
    assert [e["unit"] for e in card["escalation"]] == ["甲县"]
    march = {t["unit"]: t["score"] for t in card["trend"] if t["period"] == "2024-03"}
    assert march["东区"] == 100.0 and march["甲县"] == 75.0


def test_reports_without_periods_take_their_file_names(pack, tmp_path, capsys):
    flat = tmp_path / "flat"
    flat.mkdir()
    paths = []
    for month in MONTHS:  # the same data with the period column dropped
        frame = pd.read_csv(DATA / f"claims-{month}.csv").drop(columns="period")
        shutil.copy(DATA / "units.csv", tmp_path / "units.csv")
        (tmp_path / "p.yml").write_text((DATA / "pack.yml").read_text(encoding="utf-8")
                                        .replace("keys: [unit, period]", "keys: [unit]")
                                        .replace("    period: period\n", "")
                                        .replace("period: string, ", ""), encoding="utf-8")
        report = validate(load_pack(tmp_path / "p.yml"), {"claims": frame})
        paths.append(flat / f"{month}.json")
        report.to_json(paths[-1])
    assert main(["scorecard", "--reports", *map(str, paths), "-f", "csv", "--table", "escalation"]) == 0
    rows = pd.read_csv(__import__("io").StringIO(capsys.readouterr().out))
    assert list(rows["unit"]) == ["甲县", "东区"] and list(rows["since"]) == ["2024-01", "2024-02"]


def test_scorecard_settings_are_checked_when_the_pack_loads(tmp_path):
    text = (DATA / "pack.yml").read_text(encoding="utf-8")
    bad = text.replace("    rules: {R1: 25}\n", "    rules: {R9: 25}\n    weight: {error: 1}\n") \
              .replace("peer_group: units.category", "peer_group: units.kategorie") \
              .replace("escalate_after: 3", "escalate_after: 0")
    (tmp_path / "pack.yml").write_text(bad, encoding="utf-8")
    problems = [str(p) for p in load_pack(tmp_path / "pack.yml").problems]
    lines = bad.splitlines()

    def line_of(fragment: str) -> int:
        return next(i for i, ln in enumerate(lines, 1) if fragment in ln)
    assert any(f":{line_of('weight:')}:" in p and "unknown key 'weight'" in p for p in problems), problems
    assert any(f":{line_of('escalate_after')}:" in p and "escalate_after" in p for p in problems), problems
    with pytest.raises(PackError):
        load_pack(tmp_path / "pack.yml", strict=True)


def test_scorecard_references_are_checked(tmp_path):
    text = (DATA / "pack.yml").read_text(encoding="utf-8")
    bad = text.replace("rules: {R1: 25}", "rules: {R9: 25}").replace("units.category", "units.kategorie")
    (tmp_path / "pack.yml").write_text(bad, encoding="utf-8")
    problems = [str(p) for p in load_pack(tmp_path / "pack.yml").problems]
    assert any("unknown rule 'R9'" in p and ":6:17" in p for p in problems), problems
    assert any("unknown column 'kategorie'" in p and ":7:17" in p for p in problems), problems
    both = text.replace("    escalate_after: 3", "    groups: {a: [东区]}\n    escalate_after: 3")
    (tmp_path / "pack.yml").write_text(both, encoding="utf-8")
    assert any("either peer_group or groups" in str(p) for p in load_pack(tmp_path / "pack.yml").problems)


def test_lint_reports_a_bad_scorecard(tmp_path, capsys):
    text = (DATA / "pack.yml").read_text(encoding="utf-8").replace("fail_below: 95", "fail_below: lots")
    (tmp_path / "pack.yml").write_text(text, encoding="utf-8")
    assert main(["lint", str(tmp_path / "pack.yml")]) == 2
    assert "scorecard fail_below" in capsys.readouterr().out


def test_periods_sort_in_time_order():
    assert sorted(["2024-10", "2024-2", "2024-1"], key=natural_key) == ["2024-1", "2024-2", "2024-10"]
    assert sorted(["2019Q4", "2019Q10", "2019"], key=natural_key) == ["2019", "2019Q4", "2019Q10"]


def test_scores_the_latest_recorded_versions_in_the_history_store(pack, tmp_path, capsys):
    from statguard.api import scorecard_from_history
    from statguard.history import HistoryStore
    from statguard.history.capture import record_source
    store = tmp_path / "history.db"
    with HistoryStore(store) as hs:
        for month in MONTHS:
            record_source(hs, pack.sources["claims"], DATA / f"claims-{month}.csv")
        record_source(hs, pack.sources["claims"], DATA / "claims-2024-03-resubmitted.csv", reason="更正")
        assert [s.version for s in hs.submissions(unit="东区", period="2024-03")] == [1, 2]
    card = scorecard_from_history(pack, store)
    assert sorted(set(card.trend["period"])) == MONTHS
    assert list(card.escalation["unit"]) == ["甲县"], "东区 corrected March in version 2"
    assert card.units.set_index("unit").loc["东区", "score"] == 50.0  # R1 failed in February and April
    assert main(["scorecard", str(DATA / "pack.yml"), "--history", str(store), "-f", "csv",
                 "--table", "escalation"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("甲县,县,4,2024-01,2024-04")


def test_pack_json_schema_describes_the_scorecard_settings():
    import jsonschema
    import yaml

    from statguard.load.jsonschema import pack_schema
    doc = yaml.safe_load((DATA / "pack.yml").read_text(encoding="utf-8"))
    jsonschema.validate(doc, pack_schema())
    doc["pack"]["scorecard"]["weights"]["eror"] = 10
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, pack_schema())
