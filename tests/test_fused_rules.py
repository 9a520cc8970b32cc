"""Row rules over one source run in one fused scan (Plan.fusable) with the same results as
run one by one; a rule that breaks the fused statement errors alone."""

from __future__ import annotations

import pandas as pd
import pytest

import statguard
from statguard.engine.duckdb import DuckDBEngine

from conftest import SHARED

SBS = SHARED / "data" / "validate" / "SBS2000.csv"
RULES = """
  - {id: STAFF, kind: row, source: sbs, expr: staff >= 1}
  - {id: REV, kind: row, source: sbs, expr: 'turnover + "other.rev" == "total.rev"', missing: zero,
     where: "size != 'sc0'"}
  - {id: COSTS, kind: row, source: sbs, if: staff > 10, expr: '"staff.costs" > 100'}
  - {id: PROFIT, kind: row, source: sbs, expr: 'profit == "total.rev" - "total.costs"', tolerance: 1}
  - {id: VAT, kind: row, source: sbs, expr: vat >= 0, missing: fail, message: "{rule}: vat {vat} ({unit})"}
"""
BROKEN = """  - {id: BROKEN, kind: row, source: sbs, expr: "size IN (1, 2)"}
"""
COUNTS = ["rule_id", "items", "passes", "fails", "not_evaluable", "errored"]


def _pack(tmp_path, rules: str) -> statguard.Pack:
    path = tmp_path / "pack.yml"
    path.write_text(f"pack: {{name: fused}}\nsources:\n  sbs: {{path: {SBS}, keys: [id], unit: size}}\n"
                    f"rules:{rules}", encoding="utf-8")
    return statguard.load_pack(path)


@pytest.fixture
def fused_calls(monkeypatch):
    """(group size, succeeded) of every fused statement run."""
    calls: list[tuple[int, bool]] = []
    original = DuckDBEngine.run_fused

    def spy(self, plans):
        try:
            out = original(self, plans)
        except Exception:
            calls.append((len(plans), False))
            raise
        calls.append((len(plans), True))
        return out
    monkeypatch.setattr(DuckDBEngine, "run_fused", spy)
    return calls


def _alone(pack: statguard.Pack) -> tuple[pd.DataFrame, pd.DataFrame]:
    reports = [pack.validate({}, rules=[rule.id]) for rule in pack.rules]
    summary = pd.concat([r.summary for r in reports], ignore_index=True)
    violations = pd.concat([r.violations for r in reports if len(r.violations)], ignore_index=True)
    return summary, violations


def test_fused_rules_equal_rules_run_alone(tmp_path, fused_calls):
    pack = _pack(tmp_path, RULES)
    report = pack.validate({})
    assert fused_calls == [(5, True)]
    summary, violations = _alone(pack)
    assert [c[0] for c in fused_calls[1:]] == []  # alone, nothing is fused
    pd.testing.assert_frame_equal(report.summary[COUNTS], summary[COUNTS])
    pd.testing.assert_frame_equal(report.violations, violations)
    got = report.summary.set_index("rule_id")
    assert got.loc["REV", "items"] == 51 and got.loc["REV", "fails"] == 9  # where: 9 sc0 records out of scope
    assert got.loc["VAT", "not_evaluable"] == 0  # missing: fail
    assert (report.summary["seconds"] > 0).all()
    vat = report.violations.query("rule_id == 'VAT'")
    assert vat["message"].str.startswith("VAT: vat NA (").all()  # a missing number reads NA, not <NA>
    assert vat["values"].map(lambda v: v["vat"] is None).all()


def test_a_rule_breaking_the_fused_scan_errors_alone(tmp_path, fused_calls):
    pack = _pack(tmp_path, RULES + BROKEN)
    report = pack.validate({})
    assert fused_calls == [(6, False)]  # the fused statement failed: every rule ran on its own
    got = report.summary.set_index("rule_id")
    assert got.loc["BROKEN", "errored"] and "of column 'size' is not a number" in got.loc["BROKEN", "error"]
    assert not got.drop(index="BROKEN")["errored"].any()
    clean = _pack(tmp_path, RULES).validate({})
    pd.testing.assert_frame_equal(report.summary[COUNTS].iloc[:5], clean.summary[COUNTS])
    pd.testing.assert_frame_equal(report.violations, clean.violations)


def test_numbered_records_are_not_fused(tmp_path, fused_calls):
    """Without keys or unit a row rule numbers records (a window): it keeps its own scan."""
    path = tmp_path / "pack.yml"
    path.write_text(f"pack: {{name: n}}\nsources:\n  sbs: {{path: {SBS}}}\nrules:\n"
                    "  - {id: A, kind: row, source: sbs, expr: staff >= 1}\n"
                    "  - {id: B, kind: row, source: sbs, expr: vat >= 0}\n", encoding="utf-8")
    report = statguard.load_pack(path).validate({})
    assert fused_calls == []
    assert report.summary["fails"].tolist() == [0, 0] and report.summary["not_evaluable"].tolist() == [6, 12]
