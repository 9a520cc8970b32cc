"""The credibility screen end to end: `statguard screen` and `statguard check rules/credibility` on
planted-fabrication data from bench/fabrication, in every report format."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT

BENCH = ROOT / "bench" / "fabrication"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

HAN = re.compile(r"[\u4e00-\u9fff]")
TABLES = ("figures", "parts", "revisions", "claims", "insurance", "counties", "indicators")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("screen") / "easy"
    generate.generate("easy", 5, 80, root, "parquet", claims_target=20000)
    return root


def _statguard(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "statguard", *args], capture_output=True, text=True, cwd=cwd)


def test_screen_ranks_planted_fabricators_first_with_their_evidence(data, tmp_path):
    out = _statguard("screen", str(data), "-f", "json", "-o", str(tmp_path / "r.json"),
                     "-f", "html", "-o", str(tmp_path / "r.html"), "-f", "text", "--lang", "en")
    assert out.returncode == 1, out.stderr  # units are flagged: exit 1, as a CI gate reads it
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    truth = pd.read_csv(data / "truth.csv").set_index("unit")["fabricated"]
    ranking = report["screen"]["units"]
    assert [u["rank"] for u in ranking] == list(range(1, len(ranking) + 1))
    assert len(ranking) == len(truth)  # units without a violation are ranked too (score 0)
    flagged = [u for u in ranking if u["flagged"]]
    assert flagged and report["screen"]["flagged"] == len(flagged)
    fabricated = {u for u, f in truth.items() if f}
    hits = [u["unit"] for u in flagged if u["unit"] in fabricated]
    assert len(hits) >= 0.8 * len(fabricated) and len(hits) >= 0.8 * len(flagged)
    assert truth[ranking[0]["unit"]] == 1
    for u in flagged:  # every flag is explained by the violations behind it
        assert u["score"] >= report["screen"]["flag_at"] and u["signals"] and u["evidence"]
        own = {v["rule_id"] for v in report["violations"] if v["unit"] == u["unit"]}
        assert {s["rule_id"] for s in u["signals"]} == own
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="screen"' in html and f'id="screen-{flagged[0]["unit"]}"' in html
    assert "Suspicion ranking" in out.stdout and flagged[0]["unit"] in out.stdout
    assert not any(HAN.search(r["description"]) for r in report["summary"])  # the rules' English descriptions


def test_check_with_some_tables_skips_the_others_and_every_format_carries_the_ranking(data, tmp_path):
    args = ["check", str(ROOT / "rules" / "credibility"), "--source", f"figures={data / 'figures.parquet'}",
            "--source", f"indicators={data / 'indicators.parquet'}", "--fail-on", "never", "--lang", "zh"]
    outputs = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "xlsx", "csv", "markdown", "junit")}
    for fmt, path in outputs.items():
        args += ["-f", fmt, "-o", str(path)]
    out = _statguard(*args)
    assert out.returncode == 0, out.stderr
    report = json.loads(outputs["json"].read_text(encoding="utf-8"))
    summary = {r["rule_id"]: r for r in report["summary"]}
    described = [r["description"] for r in summary.values()]  # the rules' own Chinese, not "中文 English"
    assert all(HAN.search(d) and not re.search(r"[A-Za-z]{3,}", d) for d in described), described
    assert summary["CR-UNBACKED"]["skipped"] and summary["CR-DRIFT"]["skipped"]
    assert not any(r["errored"] for r in report["summary"])
    assert not summary["CR-ROUND"]["skipped"] and summary["CR-ROUND"]["items"] > 0
    top = report["screen"]["units"][0]["unit"]
    assert "可疑程度排名" in outputs["markdown"].read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].read_text(encoding="utf-8-sig"))))
    assert {"suspicion_score", "suspicion_rank"} <= set(rows[0])
    assert any(r["unit"] == top and r["suspicion_rank"] == "1" for r in rows)
    with zipfile.ZipFile(outputs["xlsx"]) as book:
        assert "可疑程度排名" in book.read("xl/workbook.xml").decode("utf-8")
    assert "未运行" in outputs["junit"].read_text(encoding="utf-8") or "skipped" in outputs["junit"].read_text()


def test_screen_without_data_is_a_usage_error(tmp_path):
    out = _statguard("screen", str(tmp_path))
    assert out.returncode == 2 and "none of the tables" in out.stderr and "Traceback" not in out.stderr


def test_the_bundled_pack_lints_clean_and_is_the_one_screen_runs():
    from statguard.cli.screen_cmd import bundled_pack
    assert bundled_pack().resolve() == (ROOT / "rules" / "credibility").resolve()
    out = _statguard("lint", str(ROOT / "rules" / "credibility"))
    assert out.returncode == 0, out.stdout + out.stderr
