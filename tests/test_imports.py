"""`import statguard` stays light: heavy libraries load only when used.

The import time itself is measured by bench/import_time.sh, not asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["pandas", "duckdb", "sqlglot", "pandera", "great_expectations", "pyspark", "openpyxl", "numpy"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_statguard_loads_no_heavy_library():
    loaded = _modules_after("import statguard")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_loading_a_pack_does_not_load_pandas_great_expectations_or_spark(tmp_path):
    pack = tmp_path / "p.yml"
    pack.write_text("sources:\n  t: {columns: {v: number}}\nrules:\n  - {id: A, kind: row, source: t, expr: v > 0}\n",
                    encoding="utf-8")
    loaded = _modules_after(f"import statguard; statguard.load_pack({str(pack)!r})")
    assert not loaded & {"great_expectations", "pyspark", "pandera"}


def test_building_the_command_line_loads_no_pandera_great_expectations_or_spark():
    """Every subcommand module is imported to build the parser (export and import among them):
    none of them may pull in the interop libraries, which only `export`/`import`/`expectation`
    runs need."""
    loaded = _modules_after("from statguard.cli.main import build_parser; build_parser()")
    assert not loaded & {"great_expectations", "pyspark", "pandera", "pandas"}, sorted(
        loaded & {"great_expectations", "pyspark", "pandera", "pandas"})
