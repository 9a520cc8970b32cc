"""`import statguard` stays light: heavy libraries load only when used.

The import time itself is measured by bench/import_time.sh, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import statguard

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


ROOT = Path(__file__).resolve().parents[1]
# what a plain run must not load: the demo's rules and its terminal report need none of them
NOT_FOR_A_PLAIN_RUN = {"pandas", "pandera", "openpyxl", "scipy", "numpy", "pyarrow", "great_expectations", "pyspark"}


def _modules_after_cli(args: list[str], cwd: Path) -> tuple[int, set[str]]:
    """Exit code and modules loaded by one `statguard ...` in a process of its own."""
    code = ("import json, sys\nfrom statguard.cli.main import main\n"
            f"code = main({args!r})\nprint('\\n' + json.dumps([code, sorted(sys.modules)]))\n")
    env = {**os.environ, "PYTHONPATH": str(Path(statguard.__file__).parents[1])}  # this statguard, whatever the cwd
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env,
                         check=True).stdout
    exit_code, modules = json.loads(out.splitlines()[-1])
    return exit_code, set(modules)


def test_the_demo_check_and_its_terminal_report_load_no_pandas_pandera_openpyxl_or_scipy(tmp_path):
    code, loaded = _modules_after_cli(["check", str(ROOT / "rules" / "demo.yml"), "--output-dir", str(tmp_path)],
                                      tmp_path)
    assert code == 1  # the demo finds violations
    assert (tmp_path / "RE-07.xlsx").exists()  # its spot-check sample was written, as CSV and XLSX
    assert not loaded & NOT_FOR_A_PLAIN_RUN, sorted(loaded & NOT_FOR_A_PLAIN_RUN)


def test_lint_loads_no_pandas_and_only_the_kinds_its_pack_uses(tmp_path):
    from statguard.checks import registry
    code, loaded = _modules_after_cli(["lint", str(ROOT / "rules" / "demo.yml")], tmp_path)
    assert code == 0
    assert not loaded & NOT_FOR_A_PLAIN_RUN, sorted(loaded & NOT_FOR_A_PLAIN_RUN)
    kinds = {name for name, module in registry.MODULES.items() if module in loaded}
    assert kinds == {"schema", "unique", "row", "exists", "coverage", "complete", "reconcile", "sample"}


def test_a_dataframe_is_still_there_when_asked_for(tmp_path):
    """The API keeps its DataFrames: made from the run's plain columns on first use."""
    import pandas as pd
    pack = statguard.load_pack(ROOT / "rules" / "demo.yml")
    report = statguard.validate(pack, {}, options={"output_dir": str(tmp_path)})
    assert isinstance(report.violations, pd.DataFrame) and isinstance(report.summary, pd.DataFrame)
    assert len(report.violations) == report.violation_count > 0
