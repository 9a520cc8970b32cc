"""statguard's layers point one way (issue 13): the import-linter contract in pyproject.toml
holds, and no module of statguard imports, even lazily inside a function, one that imports it
back. docs/architecture.md explains the layers."""

from __future__ import annotations

import grimp
import pytest
from importlinter.cli import lint_imports

import statguard

from conftest import ROOT


def test_the_layers_contract_holds(capsys):
    assert statguard.__file__.startswith(str(ROOT / "src")), "the contract must check this tree's statguard"
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_no_module_imports_itself_through_others():
    """Every import that runs counts, those inside functions too; `if TYPE_CHECKING:` imports are
    annotations only (a Report's renderers name the Report whose to_text calls them), and the
    layers contract above counts them for the packages."""
    graph = grimp.build_graph("statguard", exclude_type_checking_imports=True)
    cycles = _cycles({m: graph.find_modules_directly_imported_by(m) for m in graph.modules})
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_a_pack_runs_with_the_validator_load_pack_gives_it(tmp_path):
    """Pack.validate runs statguard.api.validate without the pack model importing it: load_pack
    hands it over; a Pack built by hand says how to run it instead."""
    import pandas as pd

    from statguard.pack.model import Pack
    (tmp_path / "p.yml").write_text("sources:\n  t:\n    columns:\n      a: {type: integer}\n"
                                    "rules:\n  - id: positive\n    kind: row\n    source: t\n"
                                    "    expr: a > 0\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    report = pack.validate({"t": pd.DataFrame({"a": [1, -1]})})
    assert list(report.violations["rule_id"]) == ["positive"]
    by_hand = Pack(name="p", path=None, sources=pack.sources, rules=pack.rules)
    with pytest.raises(statguard.StatguardError, match=r"statguard\.validate\(pack, sources\)"):
        by_hand.validate({"t": pd.DataFrame({"a": [1, -1]})})
    assert len(statguard.validate(by_hand, {"t": pd.DataFrame({"a": [1, -1]})}).violations) == 1


def test_a_cycle_is_found_where_there_is_one():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(edges) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_path(sorted(group), edges) for group in groups]


def _path(group: list[str], edges: dict[str, set[str]]) -> list[str]:
    """The shortest cycle from the group's first module back to it, for the failure message."""
    members, start = set(group), group[0]
    came_from: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in sorted(edges.get(node, ())):
            if other == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if other in members and other not in came_from:
                came_from[other] = node
                queue.append(other)
    return group  # not reached: a strongly connected group holds a cycle through each member
