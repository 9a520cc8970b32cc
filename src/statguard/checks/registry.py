"""The registry of rule kinds.

A rule kind is one module under `statguard.checks.<scope>` that defines a
pydantic parameter model and a planning function, and registers them with
`@rule_kind`. The registry is the single source of truth for YAML validation,
`statguard lint`, the JSON Schema of packs and docs/rules.md.

Kinds load on demand: `MODULES` names the module of every kind, so a pack's
rules import their own kinds' modules only (`get`), while `kinds()` (the kind
list, docs, the JSON Schema) imports every module under statguard.checks, with
the kinds' Chinese texts. A test holds `MODULES` to the `@rule_kind`
registrations of the modules on disk.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from statguard.checks.plan import Context, Plan
    from statguard.errors import Problem
    from statguard.pack.model import Pack, Rule


class Params(BaseModel):
    """Base of every kind's parameters: unknown keys are mistakes, not extras."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    def source_names(self) -> list[str]:
        """The sources this rule reads (fields named source, other, codes... are listed)."""
        names = []
        for key in ("source", "other", "target", "claims", "records", "codes", "reference"):
            value = getattr(self, key, None)
            if isinstance(value, str):
                names.append(value)
        return names


PlanFn = Callable[["Rule", "Context"], "Plan"]
LintFn = Callable[["Rule", "Pack"], "list[Problem]"]


@dataclass(frozen=True)
class Kind:
    name: str
    scope: str
    params: type[Params]
    plan: PlanFn
    lint: LintFn | None
    doc: str

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


# kind name -> the module that registers it (tests/test_registry.py keeps it complete and exact)
MODULES = {
    "aggregate": "statguard.checks.dataset.aggregate",
    "benchmark": "statguard.checks.plausibility.benchmark",
    "complete": "statguard.checks.cross_source.complete",
    "coverage": "statguard.checks.cross_source.coverage",
    "cumulative": "statguard.checks.time.cumulative",
    "digits": "statguard.checks.plausibility.digits",
    "exists": "statguard.checks.cross_source.exists",
    "expectation": "statguard.checks.record.expectation",
    "growth": "statguard.checks.time.growth",
    "hierarchy": "statguard.checks.hierarchy.hierarchy",
    "outlier": "statguard.checks.plausibility.outlier",
    "part_whole": "statguard.checks.hierarchy.part_whole",
    "perfect": "statguard.checks.plausibility.perfect",
    "reconcile": "statguard.checks.cross_source.reconcile",
    "revision_drift": "statguard.checks.versions.revision_drift",
    "revisions": "statguard.checks.versions.revisions",
    "row": "statguard.checks.record.row",
    "sample": "statguard.checks.cross_source.sample",
    "schema": "statguard.checks.record.schema",
    "sequence": "statguard.checks.time.sequence",
    "smoothness": "statguard.checks.plausibility.smoothness",
    "unique": "statguard.checks.record.unique",
}

_KINDS: dict[str, Kind] = {}
_LOADED = False


def rule_kind(name: str, params: type[Params], *, lint: LintFn | None = None) -> Callable[[PlanFn], PlanFn]:
    """Register the decorated planning function as rule kind `name`."""

    def register(fn: PlanFn) -> PlanFn:
        module = importlib.import_module(fn.__module__)
        scope = fn.__module__.split(".")[-2]
        if name in _KINDS and _KINDS[name].plan is not fn:
            raise RuntimeError(f"rule kind '{name}' registered twice")
        _KINDS[name] = Kind(name, scope, params, fn, lint, module.__doc__ or "")
        return fn

    return register


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    import statguard.checks as pkg
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
    _LOADED = True


def names() -> list[str]:
    """Every kind's name, without importing any kind."""
    return sorted(MODULES)


def kinds() -> dict[str, Kind]:
    """Every kind (imports them all, with their texts)."""
    _load()
    return dict(sorted(_KINDS.items()))


def get(name: str) -> Kind | None:
    """The kind called `name`, importing its module alone; None if there is no such kind."""
    if name not in _KINDS:
        module = MODULES.get(name)
        if module is None:
            return None
        importlib.import_module(module)
    return _KINDS.get(name)
