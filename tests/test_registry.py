"""The registry's table of kinds (name -> module) is the kinds the modules on disk register.

Kinds load by name (a pack's rules import their own kinds only), so `registry.MODULES` must
name every `@rule_kind` of statguard.checks, and nothing else: read here from the source
files, without importing them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import statguard.checks
from statguard.checks import registry

CHECKS = Path(statguard.checks.__file__).parent


def _registered_on_disk() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(CHECKS.rglob("*.py")):
        module = "statguard." + ".".join(path.relative_to(CHECKS.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "rule_kind":
                name = node.args[0]
                assert isinstance(name, ast.Constant), f"{module}: a kind's name must be a literal"
                assert name.value not in found, f"kind {name.value!r} in {found[name.value]} and {module}"
                found[name.value] = module
    return found


def test_the_table_names_every_kind_registered_on_disk_and_its_module():
    assert _registered_on_disk() == registry.MODULES


def test_every_kind_loads_from_its_module_alone_and_kinds_lists_them_all():
    code = ("import sys; from statguard.checks import registry\n"
            "for name, module in registry.MODULES.items():\n"
            "    kind = registry.get(name)\n"
            "    assert kind is not None and kind.plan.__module__ == module, name\n"
            "assert registry.get('no_such_kind') is None\n"
            "assert list(registry.kinds()) == registry.names()\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_kind_got_by_name_imports_no_other_kind():
    code = ("import sys; from statguard.checks import registry\n"
            "registry.get('row')\n"
            "others = [m for n, m in registry.MODULES.items() if n != 'row' and m in sys.modules]\n"
            "print(others)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
