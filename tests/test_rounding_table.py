"""tolerance: reported with decimals from an indicator table, where the golden cases cannot go:
growth's comparison value looked up in the history store (its decimals from the table too)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import statguard
from statguard.history import HistoryStore
from statguard.history.capture import record_source

PACK = """
sources:
  figures:
    unit: unit
    period: month
    keys: [unit, month, indicator]
    columns: {unit: string, month: string, indicator: string, value: number, yoy: number}
  indicators:
    columns: {indicator: string, decimals: integer}
rules:
  - {id: H, kind: growth, source: figures, value: value, rate: yoy, base_from: history, tolerance: reported,
     decimals: {source: indicators}}
"""


def test_recorded_comparison_values_take_the_tables_decimals(tmp_path: Path) -> None:
    path = tmp_path / "pack.yml"
    path.write_text(PACK, encoding="utf-8")
    pack = statguard.load_pack(path)
    last = pd.DataFrame([{"unit": "甲县", "month": "2023-09", "indicator": i, "value": 100.0, "yoy": None}
                         for i in ("存款", "贷款")])
    this = pd.DataFrame([{"unit": "甲县", "month": "2024-09", "indicator": i, "value": 146.0, "yoy": 46.13}
                         for i in ("存款", "贷款")])
    with HistoryStore(tmp_path / "h.db") as store:
        record_source(store, pack.sources["figures"], last)
    report = statguard.validate(pack, {"figures": this, "indicators": pd.DataFrame([{"indicator": "存款",
                                                                                     "decimals": 2}])},
                                options={"history": str(tmp_path / "h.db")})
    (summary,) = report.summary.to_dict("records")
    assert (summary["items"], summary["passes"], summary["fails"]) == (2, 1, 1)
    (v,) = report.violations.to_dict("records")
    # 46.13 vs 46: 0.005 + 100 * (46 * 0.005 + 100 * 0.01) / (100 * 99.995); 贷款, not in the table, keeps
    # its text's units: 0.005 + 100 * (46 * 0.5 + 100 * 1) / (100 * 99.5) = 1.24 holds
    assert v["keys"]["indicator"] == "存款"
    assert abs(v["values"]["tolerance"] - (0.005 + 123 / 9999.5)) < 1e-9
