"""The example packs of rules across time run with no argument and find what they should."""

from __future__ import annotations

import statguard
from statguard.cli.main import main
from statguard.errors import EXIT_VIOLATIONS

from conftest import ROOT


def test_ytd_enterprises_pack():
    pack = statguard.load_pack(ROOT / "rules/ytd_enterprises")
    assert not pack.problems
    report = pack.validate()
    found = {(v["rule_id"], v["unit"], v["period"]) for v in report.violations.to_dict("records")}
    # 丙县 drops from 3 (Jan-Aug) to 2 (Jan-Sep); 戊县 going from 0 to 1 is not a finding;
    # 庚县 did not report Jan-Aug.
    # The derived monthly increments (monthly_new): 丙县's Jan-Sep increment is 2 - 3 = -1.
    assert found == {("YTD-01", "丙县", "2024年1-9月"), ("YTD-02", "庚县", "2024-01..08"),
                     ("YTD-03", "丙县", "2024年1-9月")}
    assert not report.errored
    monthly = report.summary.set_index("rule_id").loc["YTD-03"]
    # Jan-Jul of the seven counties has no Jan-Jun to subtract, nor 庚县's Jan-Sep its missing Jan-Aug
    assert (monthly["items"], monthly["passes"], monthly["not_evaluable"]) == (20, 11, 8)
    (v,) = [v for v in report.violations.to_dict("records") if v["rule_id"] == "YTD-03"]
    assert v["values"]["当月新增"] == -1 and "-1" in v["message"]


def test_deposits_pack():
    pack = statguard.load_pack(ROOT / "rules/deposits")
    report = pack.validate()
    assert report.summary.set_index("rule_id").loc["GROWTH-01", "passes"] == 3
    (v,) = report.violations.to_dict("records")
    assert v["keys"]["指标"] == "住户存款"
    assert v["observed"] == 14.2 and round(v["expected"], 2) == 12.19
    assert "住户存款" in v["message"]


def test_packs_run_from_the_cli_with_no_other_argument(capsys):
    assert main(["check", str(ROOT / "rules/ytd_enterprises")]) == EXIT_VIOLATIONS
    assert main(["check", str(ROOT / "rules/deposits")]) == EXIT_VIOLATIONS
    assert "住户存款" in capsys.readouterr().out
