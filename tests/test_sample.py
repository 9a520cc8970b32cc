"""The sample kind: reproducible per-stratum draws written as CSV and XLSX, reported in meta["outputs"]."""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import statguard
from statguard.api import validate
from statguard.errors import PackError

DISTRICTS = {"东区": 40, "西区": 25, "南区": 3, "北区": 12}


def _claims() -> pd.DataFrame:
    rows = [{"person_id": f"P{d}{i:03d}", "district": d, "employer": f"E{i % 7}"}
            for d, count in DISTRICTS.items() for i in range(count)]
    return pd.DataFrame(rows)


def _pack(tmp_path, rule: str):
    path = tmp_path / "pack.yml"
    path.write_text(textwrap.dedent("""
        sources:
          claims: {keys: [person_id], unit: district, columns: {person_id: string, district: string, employer: string}}
          contributions: {columns: {pid: string, month: string}}
        rules:
        """) + textwrap.indent(textwrap.dedent(rule), "  "), encoding="utf-8")
    return statguard.load_pack(path, strict=True)


def _run(tmp_path, rule: str, claims: pd.DataFrame, contributions: pd.DataFrame | None = None, out: str = "out"):
    pack = _pack(tmp_path, rule)
    sources = {"claims": claims}
    if contributions is not None:
        sources["contributions"] = contributions
    return validate(pack, sources, options={"output_dir": str(tmp_path / out)})


def _expected_ids(claims: pd.DataFrame, seed: int, n: int) -> set[str]:
    """The documented draw, recomputed: per district the n smallest MD5(seed ␟ person_id)."""
    def digest(pid: str) -> str:
        return hashlib.md5(f"{seed}\u241f{pid}".encode()).hexdigest()
    ranked = claims.assign(h=claims["person_id"].map(digest)).sort_values("h")
    return set(ranked.groupby("district").head(n)["person_id"])


RULE = "- {id: SPOT, kind: sample, severity: info, source: claims, strata: [district], n: 5, seed: 42}\n"


def test_per_stratum_draw_matches_the_documented_hash_and_is_written(tmp_path):
    claims = _claims()
    report = _run(tmp_path, RULE, claims)
    csv = pd.read_csv(tmp_path / "out" / "SPOT.csv", encoding="utf-8-sig")
    xlsx = pd.read_excel(tmp_path / "out" / "SPOT.xlsx")
    assert set(csv["person_id"]) == _expected_ids(claims, 42, 5)
    assert csv.equals(xlsx)
    assert csv.groupby("district").size().to_dict() == {d: min(5, c) for d, c in DISTRICTS.items()}
    assert csv.groupby("district")["frame_size"].first().to_dict() == DISTRICTS
    out = report.meta["outputs"]["SPOT"]
    assert out["seed"] == 42 and out["frame_by_stratum"] == DISTRICTS
    assert out["sample_by_stratum"]["南区"] == 3 and out["sample_size"] == 18
    summary = report.summary.iloc[0]
    assert (summary["items"], summary["passes"], summary["fails"]) == (18, 18, 0)
    assert len(report.violations) == 0  # sampled records are not violations


def test_same_seed_same_sample_whatever_the_row_order(tmp_path):
    claims = _claims()
    first = _run(tmp_path, RULE, claims, out="a")
    shuffled = claims.sample(frac=1, random_state=7).reset_index(drop=True)
    second = _run(tmp_path, RULE, shuffled, out="b")
    a = pd.read_csv(tmp_path / "a" / "SPOT.csv")
    b = pd.read_csv(tmp_path / "b" / "SPOT.csv")
    assert a.equals(b)
    assert first.meta["outputs"]["SPOT"]["frame_by_stratum"] == second.meta["outputs"]["SPOT"]["frame_by_stratum"]
    _run(tmp_path, RULE.replace("seed: 42", "seed: 43"), claims, out="c")
    c = pd.read_csv(tmp_path / "c" / "SPOT.csv")
    assert set(c["person_id"]) != set(a["person_id"])


def test_fraction_rounds_up_per_stratum(tmp_path):
    rule = "- {id: TENTH, kind: sample, source: claims, strata: [district], fraction: 0.1, seed: 1}\n"
    report = _run(tmp_path, rule, _claims())
    drawn = report.meta["outputs"]["TENTH"]["sample_by_stratum"]
    assert drawn == {d: math.ceil(0.1 * c) for d, c in DISTRICTS.items()}


def test_only_claims_without_a_contribution_record_are_sampled(tmp_path):
    claims = _claims()
    backed = claims[claims.index % 3 != 0]["person_id"]
    contributions = pd.DataFrame({"pid": list(backed) + list(backed[:5]), "month": "2024-01"})  # duplicates in B
    rule = ("- {id: UNBACKED, kind: sample, source: claims, strata: [district], n: 4, seed: 9,\n"
            "   other: contributions, match: {person_id: pid}}\n")
    report = _run(tmp_path, rule, claims, contributions)
    sample = pd.read_csv(tmp_path / "out" / "UNBACKED.csv")
    unbacked = claims[~claims["person_id"].isin(backed)]
    assert set(sample["person_id"]) <= set(unbacked["person_id"])
    assert report.meta["outputs"]["UNBACKED"]["frame_by_stratum"] == unbacked.groupby("district").size().to_dict()
    assert set(sample["person_id"]) == _expected_ids(unbacked, 9, 4)


def test_where_and_columns(tmp_path):
    rule = ("- {id: E0, kind: sample, source: claims, n: 100, seed: 1, where: \"employer = 'E0'\",\n"
            "   columns: [person_id]}\n")
    _run(tmp_path, rule, _claims())
    sample = pd.read_csv(tmp_path / "out" / "E0.csv")
    assert list(sample.columns) == ["sample_rank", "frame_size", "person_id"]
    assert len(sample) == sum(_claims()["employer"] == "E0")


def test_cli_output_dir_and_report(tmp_path):
    claims_csv = tmp_path / "claims.csv"
    _claims().to_csv(claims_csv, index=False)
    pack = tmp_path / "pack.yml"
    pack.write_text(textwrap.dedent(f"""
        sources:
          claims: {{path: {claims_csv}, keys: [person_id], unit: district}}
        rules:
          - {{id: SPOT, kind: sample, severity: info, source: claims, strata: [district], n: 2, seed: 5}}
        """), encoding="utf-8")
    report_file = tmp_path / "reports" / "report.json"
    run = subprocess.run([sys.executable, "-m", "statguard", "check", str(pack), "-f", "json", "-o", str(report_file)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "reports" / "SPOT.csv").exists()  # next to the report by default
    meta = json.loads(report_file.read_text(encoding="utf-8"))["meta"]
    assert meta["outputs"]["SPOT"]["files"][0].endswith("SPOT.csv")
    run = subprocess.run([sys.executable, "-m", "statguard", "check", str(pack), "--output-dir", "spot"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "spot" / "SPOT.xlsx").exists()


@pytest.mark.parametrize("bad", ["n: 0", "fraction: 0"])
def test_sizes_must_be_positive(tmp_path, bad):
    with pytest.raises(PackError):
        _pack(tmp_path, "- {id: S, kind: sample, source: claims, seed: 1, " + bad + "}\n")


def test_records_sharing_keys_are_drawn_the_same_whatever_the_row_order(tmp_path):
    """Ties on the key hash (a claim submitted twice with different employers) are settled by the whole record."""
    claims = pd.DataFrame({"person_id": ["P1"] * 6 + ["P2"] * 6, "district": "东区",
                           "employer": [f"E{i}" for i in range(12)]})
    rule = "- {id: TIES, kind: sample, source: claims, n: 3, seed: 11}\n"
    drawn = []
    for i, state in enumerate([1, 2, 3]):
        _run(tmp_path, rule, claims.sample(frac=1, random_state=state), out=f"t{i}")
        drawn.append(pd.read_csv(tmp_path / f"t{i}" / "TIES.csv"))
    assert len(drawn[0]) == 3 and drawn[0]["person_id"].nunique() == 1  # three records of the first key
    assert drawn[0].equals(drawn[1]) and drawn[0].equals(drawn[2])


def test_a_chinese_run_writes_the_added_columns_in_chinese(tmp_path):
    rule = ("- {id: E0, kind: sample, source: claims, n: 100, seed: 1, where: \"employer = 'E0'\",\n"
            "   columns: [person_id]}\n")
    pack = _pack(tmp_path, rule)
    validate(pack, {"claims": _claims()}, lang="zh", options={"output_dir": str(tmp_path / "out")})
    sample = pd.read_csv(tmp_path / "out" / "E0.csv")
    assert list(sample.columns) == ["抽样序号", "本层记录数", "person_id"]
    import openpyxl
    sheet = openpyxl.load_workbook(tmp_path / "out" / "E0.xlsx").active
    assert [c.value for c in sheet[1]] == ["抽样序号", "本层记录数", "person_id"]
