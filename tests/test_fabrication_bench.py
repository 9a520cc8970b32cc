"""Smoke test of the planted-fabrication benchmark's generator and its baselines (bench/fabrication)."""

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "fabrication"
sys.path.insert(0, str(BENCH))

import evaluate  # noqa: E402
import generate  # noqa: E402

COLUMNS = {
    "figures": ["unit", "peer_group", "month", "indicator", "value"],
    "parts": ["unit", "peer_group", "month", "total_indicator", "part", "value"],
    "revisions": ["unit", "indicator", "month", "version", "value", "submitted"],
    "claims": ["person_id", "unit", "start_month"],
    "insurance": ["person_id", "month"],
    "counties": ["unit", "peer_group"],
    "indicators": ["indicator", "uom", "kind", "decimals", "total_of", "description"],
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("fab")
    for name, setting, fmt in (("a", "default", "csv"), ("b", "default", "csv"), ("h", "hard", "parquet")):
        generate.generate(setting, 1, 40, root / name, fmt, claims_target=3000)
    return root


def test_tables_have_the_issue_columns(data):
    for name, columns in COLUMNS.items():
        assert list(pd.read_csv(data / "a" / f"{name}.csv", nrows=5).columns) == columns, name
        assert list(pd.read_parquet(data / "h" / f"{name}.parquet").columns) == columns, name
    figures = pd.read_csv(data / "a" / "figures.csv", dtype=str)
    assert figures["month"].str.fullmatch(r"20\d\d-(0[1-9]|1[0-2])").all()
    assert figures["indicator"].nunique() == 12


def test_about_ten_percent_fabricated_with_one_or_two_kinds(data):
    truth = pd.read_csv(data / "a" / "truth.csv", dtype=str, keep_default_na=False)
    fabricated = truth[truth["fabricated"] == "1"]
    assert len(fabricated) == 4
    assert fabricated["kinds"].str.split(";").apply(len).between(1, 2).all()
    assert all(json.loads(p) for p in fabricated["params"])
    assert (truth.loc[truth["fabricated"] == "0", "kinds"] == "").all()


def test_deterministic_per_seed_and_honest_data_the_same_in_every_setting(data):
    for name in [*COLUMNS, "truth"]:
        assert (data / "a" / f"{name}.csv").read_bytes() == (data / "b" / f"{name}.csv").read_bytes(), name
    truth = pd.read_csv(data / "a" / "truth.csv")
    honest = set(truth.loc[truth["fabricated"] == 0, "unit"])
    a = pd.read_csv(data / "a" / "figures.csv")
    h = pd.read_parquet(data / "h" / "figures.parquet")
    a, h = (x[x["unit"].isin(honest)].reset_index(drop=True) for x in (a, h))
    pd.testing.assert_frame_equal(a[["unit", "month", "indicator"]], h[["unit", "month", "indicator"]])
    assert (a["value"] - h["value"]).abs().max() < 1e-6


def test_baselines_run_on_the_data(data):
    figures = pd.read_parquet(data / "h" / "figures.parquet")
    parts = pd.read_parquet(data / "h" / "parts.parquet")
    indicators = pd.read_parquet(data / "h" / "indicators.parquet")
    plain = evaluate.baseline_plain(figures, parts, indicators)
    truth = pd.read_csv(data / "h" / "truth.csv", keep_default_na=False)
    inflated = set(truth.loc[truth["kinds"].str.contains("inflated_total"), "unit"])
    assert inflated <= plain["parts"]
    assert evaluate.baseline_benford(figures) <= set(truth["unit"])
