"""A Spark master URL that Spark cannot parse is a located engine error, exit code 2, no traceback
(it once surfaced as py4j's traceback with exit code 1, which a CI gate reads as "violations").
Run as the CLI in a process of its own: a session already started in the test process would be
reused whatever the master."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"  # this tree's statguard, not an installed one

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install 'statguard[spark]')", allow_module_level=True)
if not shutil.which("java"):
    pytest.skip("Spark needs Java (.ci/install-java.sh installs openjdk-17-jre-headless)", allow_module_level=True)


def test_a_master_url_spark_cannot_parse_is_exit_2_with_a_message(tmp_path):
    (tmp_path / "d.csv").write_text("unit,x\nA,1\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("pack: {name: m}\nsources:\n  d: {path: d.csv, unit: unit}\n"
                                    "rules:\n  - {id: R, kind: row, source: d, expr: x > 0}\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "statguard", "check", str(tmp_path / "p.yml"), "--engine", "spark",
                          "--spark-master", "local[x]", "--lang", "en"],
                         capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(SRC)})
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert "statguard: no Spark session with master 'local[x]'" in run.stderr
    assert "Could not parse Master URL: 'local[x]'" in run.stderr
