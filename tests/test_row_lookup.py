"""row rules reading values of other records (lookup:), against an independent pandas derivation."""

from __future__ import annotations

import textwrap

import pandas as pd

import statguard


def _pack(tmp_path, text: str):
    path = tmp_path / "pack.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return statguard.load_pack(path, strict=False)


def _write(tmp_path, name: str, frame: pd.DataFrame) -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def test_each_record_against_its_reference_record_as_pandas_merges_them(tmp_path):
    sales = pd.DataFrame({"unit": [f"u{i}" for i in range(12)],
                          "region": ["东区", "西区", "北区", "南区", None, "东区"] * 2,
                          "amount": [120, 80, 50, 10, 5, 90, 101, 100, None, 3, 7, 100.5]})
    # 南区 twice (ambiguous), 北区 absent; the cap of the same name as a column of sales
    limits = pd.DataFrame({"region": ["东区", "西区", "南区", "南区"], "amount": [100, 100, 5, 50]})
    pack = _pack(tmp_path, f"""
        sources:
          sales: {{path: {_write(tmp_path, 's.csv', sales)}, keys: [unit], unit: unit}}
          limits: {{path: {_write(tmp_path, 'l.csv', limits)}}}
        rules:
          - {{id: CAP, kind: row, source: sales, expr: amount <= cap.amount,
             lookup: {{cap: {{source: limits, match: {{region: region}}}}}}}}
        """)
    report = pack.validate()
    counts = limits.groupby("region").size()
    merged = sales.merge(limits.drop_duplicates("region"), on="region", how="left", suffixes=("", "_cap"))
    ambiguous = merged["region"].map(counts).fillna(0) > 1
    known = merged["amount"].notna() & merged["amount_cap"].notna() & ~ambiguous
    fails = known & (merged["amount"] - merged["amount_cap"] > 1e-8)
    summary = report.summary.set_index("rule_id").loc["CAP"]
    assert summary["items"] == len(sales)
    assert summary["not_evaluable"] == (~known).sum() == 6  # 北区 x2, 南区 x2, region missing x2
    assert summary["fails"] == fails.sum() == 3
    got = {(v["unit"], v["values"]["cap.amount"], v["imbalance"]) for v in report.violations.to_dict("records")}
    want = {(r.unit, r.amount_cap, r.amount - r.amount_cap) for r in merged[fails].itertuples()}
    assert got == want


def test_codes_read_as_numbers_on_one_side_match_codes_as_text(tmp_path):
    data = pd.DataFrame({"id": [1, 2, 3], "code": ["01", "02", "03"], "v": [10, 20, 30]})
    ref = pd.DataFrame({"code": ["1", "2"], "max": [15, 15]})  # written as numbers in the reference
    pack = _pack(tmp_path, f"""
        sources:
          d: {{path: {_write(tmp_path, 'd.csv', data)}, keys: [id], columns: {{id: integer, code: string, v: number}}}}
          r: {{path: {_write(tmp_path, 'r.csv', ref)}, columns: {{code: integer, max: number}}}}
        rules:
          - {{id: M, kind: row, source: d, expr: v <= r.max, lookup: {{r: {{source: r, match: [code]}}}}}}
        """)
    report = pack.validate()
    summary = report.summary.set_index("rule_id").loc["M"]
    # as text '01' is not '1': no match, not evaluable (a code list keeps its codes as text)
    assert (summary["passes"], summary["fails"], summary["not_evaluable"]) == (0, 0, 3)


def test_unknown_alias_column_and_key_column_are_located_pack_problems(tmp_path):
    (tmp_path / "d.csv").write_text("id,region,v\n1,a,1\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("region,cap\na,2\n", encoding="utf-8")
    pack = _pack(tmp_path, """
        sources:
          d: {path: d.csv, keys: [id], columns: {id: integer, region: string, v: number}}
          r: {path: r.csv, columns: {region: string, cap: number}}
        rules:
          - {id: COL, kind: row, source: d, expr: v <= b.capp, lookup: {b: {source: r, match: [region]}}}
          - {id: KEY, kind: row, source: d, expr: v <= b.cap, lookup: {b: {source: r, match: {regio: region}}}}
          - {id: SRC, kind: row, source: d, expr: v <= b.cap, lookup: {b: {source: rr, match: [region]}}}
          - {id: OK, kind: row, source: d, expr: v <= b.cap, where: b.cap > 0,
             lookup: {b: {source: r, match: [region]}}}
        """)
    problems = [str(p) for p in pack.problems]
    assert any("pack.yml:6:" in p and "unknown column 'capp' in source 'b'; did you mean 'cap'?" in p
               for p in problems), problems
    assert any("pack.yml:7:" in p and "unknown column 'regio' in source 'd'" in p for p in problems), problems
    assert any("pack.yml:8:" in p and "unknown source 'rr'" in p for p in problems), problems
    report = pack.validate()
    summary = report.summary.set_index("rule_id")
    assert summary.loc["OK", "passes"] == 1 and not summary.loc["OK", "errored"]
    assert summary.loc["COL", "errored"] and summary.loc["KEY", "errored"]
