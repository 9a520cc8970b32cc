"""The registry drives docs/rules.md and the pack JSON Schema; both stay current and true."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from statguard.checks import registry
from statguard.docs import rules_markdown
from statguard.load.jsonschema import pack_schema

from conftest import ROOT

SCHEMA_FILE = ROOT / "src" / "statguard" / "pack" / "pack.schema.json"
REGENERATE = ("python -m statguard.docs > docs/rules.md && "
              "python -m statguard.docs --lang zh > docs/rules.zh.md && "
              "python -m statguard.load.jsonschema > src/statguard/pack/pack.schema.json")


def test_rules_md_is_current():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), f"run: {REGENERATE}"


def test_rules_zh_md_is_current():
    assert (ROOT / "docs" / "rules.zh.md").read_text(encoding="utf-8") == rules_markdown("zh"), f"run: {REGENERATE}"


def test_generated_docs_do_not_depend_on_the_locale():
    import subprocess
    import sys
    env = {"LANG": "zh_CN.UTF-8", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-m", "statguard.docs"], capture_output=True, env=env, check=True)
    assert out.stdout.decode("utf-8") == rules_markdown("en")


def test_shipped_pack_schema_is_current():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == pack_schema(), f"run: {REGENERATE}"


def test_every_kind_has_docs_parameters_and_golden_cases():
    for name, kind in registry.kinds().items():
        assert kind.summary and not kind.summary.startswith(name + " "), name
        assert (ROOT / "tests" / "cases" / f"{name}.yml").exists(), f"no golden cases for kind '{name}'"
        for field_name, field in kind.params.model_fields.items():
            assert field.description, f"{name}.{field_name} has no description"


def _packs() -> list[Path]:
    return sorted(p for p in (ROOT / "rules").rglob("*.y*ml") if "explanations" not in p.name)


@pytest.mark.parametrize("path", _packs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_packs_validate_against_the_schema(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not ({"rules", "sources", "pack", "include"} & set(doc)):
        pytest.skip("not a pack file")
    jsonschema.validate(doc, pack_schema())


def test_schema_rejects_a_misspelt_parameter():
    doc = {"rules": [{"id": "A", "kind": "row", "source": "t", "expr": "v > 0", "tolerence": 1}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, pack_schema())
