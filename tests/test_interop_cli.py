"""The export and import commands as a user runs them: files written, what does not map listed,
bad input a located message and exit 2; and every bundled pack exports in under a second."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from statguard.cli.main import main
from test_interop_roundtrip import PACK

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted([*ROOT.glob("rules/*.yml"), *ROOT.glob("rules/*/pack.yml"),
                  ROOT / "src" / "statguard" / "packs" / "credibility" / "pack.yml"])


def test_export_writes_and_lists_what_does_not_map(tmp_path, capsys):
    out = tmp_path / "suite.json"
    assert main(["export", "gx", str(PACK), "--source", "retailers", "-o", str(out), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "RET-OUTLIER: kind 'outlier' has no great-expectations equivalent" in err
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "retailers"
    assert main(["export", "pandera", str(PACK), "-o", str(tmp_path / "s.py"), "--lang", "zh"]) == 0
    assert "规则 SBS-CONFLICT：无法表达「values」" in capsys.readouterr().err
    assert "SBS-CONFLICT" in (tmp_path / "s.py").read_text(encoding="utf-8").split('"""')[1]


def test_import_commands_write_a_pack_that_lints(tmp_path, capsys):
    module = tmp_path / "s.py"
    assert main(["export", "pandera", str(PACK), "-o", str(module)]) == 0
    assert main(["import", "pandera", f"{module}:retailers", "-o", str(tmp_path / "p.yml")]) == 0
    assert main(["lint", str(tmp_path / "p.yml")]) == 0
    text = (tmp_path / "p.yml").read_text(encoding="utf-8")
    assert "RET-COSTS" in text and "SBS-" not in text


def test_import_pandera_keeps_pyspark_warnings_off_the_terminal(tmp_path):
    """pandera imports pyspark.pandas where pyspark is installed, which warned twice about the
    pandas version on stderr; a fresh process, as the warning comes at pyspark's first import."""
    import importlib.util
    import os
    import subprocess
    import sys
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("the warning comes from pyspark")
    module = tmp_path / "s.py"
    module.write_text("import pandera.pandas as pa\nschema = pa.DataFrameSchema({'a': pa.Column(float)})\n",
                      encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "statguard", "import", "pandera", f"{module}:schema", "-o",
                           str(tmp_path / "p.yml")], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "carried over" in done.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["import", "pandera", "no_such_module_xyz:Schema"], "cannot import 'no_such_module_xyz'"),
    (["import", "pandera", "json:loads"], "'loads' is not a pandera DataFrameSchema"),
    (["import", "pandera", "json:Nothing"], "'json' has no 'Nothing'"),
    (["import", "gx", "missing.json"], "missing.json: cannot read the suite"),
    (["export", "gx", str(PACK), "--source", "nope"], "unknown source 'nope' (sources: sbs, retailers)"),
])
def test_bad_input_is_a_message_and_exit_2(args, said, capsys):
    assert main([*args, "--lang", "en"] if args[0] == "import" else args) == 2
    assert said in capsys.readouterr().err


def test_unreadable_suite_is_located(tmp_path, capsys):
    bad = tmp_path / "suite.json"
    bad.write_text('{"name": "s",\n "expectations": [,]}', encoding="utf-8")
    assert main(["import", "gx", str(bad)]) == 2
    assert f"{bad}:2:19: cannot read the suite" in capsys.readouterr().err
    bad.write_text('{"name": "s"}', encoding="utf-8")
    assert main(["import", "gx", str(bad)]) == 2
    assert "a suite (an object with 'expectations')" in capsys.readouterr().err


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(ROOT)))
def test_bundled_packs_export(path):
    """Every bundled pack exports to both tools (their speed: bench/interop_bench.py)."""
    from statguard.interop import gx_export, pandera_export
    from statguard.load import load_pack
    pack = load_pack(path)
    for export in (pandera_export.export, gx_export.export):
        result = export(pack)
        compile(result.text, "exported", "exec") if export is pandera_export.export else json.loads(result.text)
