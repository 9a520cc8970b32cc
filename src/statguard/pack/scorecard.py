"""The `pack: scorecard:` settings: how violations become a credibility score per unit.

    pack:
      scorecard:
        base: 100                      # a unit with no violations scores this
        weights: {error: 10, warning: 3, info: 0}   # points lost per violation
        rules: {INV-SHARE: 20}         # per-rule weights replace the severity weight
        count: violations              # or `rules`: each failed rule counts once
        peer_group: units.category     # a column (of a source) grouping units...
        groups: {县: [东县, 西县], 区: [城区]}   # ...or explicit category lists
        escalate_after: 3              # failing k consecutive periods -> escalation
        fail_on: error                 # a period fails with violations at/above this
        fail_below: 60                 # ...or with a score below this

The model is validated when the pack loads; problems carry file, line and column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from statguard.errors import PackError, Problem
from statguard.i18n import say
from statguard.pack import messages  # noqa: F401  (registers the texts of pack.*)
from statguard.pack.pydantic_words import said

if TYPE_CHECKING:
    from statguard.pack.model import Pack
    from statguard.pack.yamlio import Loc


class Weights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    error: float = Field(10, ge=0, description="points lost per error violation")
    warning: float = Field(3, ge=0, description="points lost per warning violation")
    info: float = Field(0, ge=0, description="points lost per info violation")


class ScorecardConfig(BaseModel):
    """Scoring, peer groups and escalation of the unit scorecard."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: float = Field(100, gt=0, description="score of a unit with no violations")
    floor: float = Field(0, description="lowest possible score")
    weights: Weights = Field(default_factory=Weights, description="points lost per violation, by severity")
    rules: dict[str, float] = Field(default_factory=dict,
                                    description="points lost per violation of a rule (replaces its severity weight)")
    count: Literal["violations", "rules"] = Field(
        "violations", description="count every violation, or each failed rule once per unit and period")
    peer_group: str | None = Field(None, description="column (or source.column) whose value groups units")
    groups: dict[str, list[str]] | None = Field(None, description="category -> list of units")
    escalate_after: int = Field(3, ge=1, description="consecutive failing periods that put a unit on the "
                                                     "escalation list")
    fail_on: Literal["error", "warning", "info"] = Field(
        "error", description="a unit fails a period when it has a violation at or above this severity")
    fail_below: float | None = Field(None, description="a unit also fails a period when it scores below this")

    @model_validator(mode="after")
    def _one_grouping(self) -> ScorecardConfig:
        if self.peer_group and self.groups:
            raise ValueError(say("pack.scorecard_both"))
        if self.floor >= self.base:
            raise ValueError(say("pack.scorecard_floor", floor=self.floor, base=self.base))
        seen: dict[str, str] = {}
        for category, units in (self.groups or {}).items():
            for unit in units:
                if unit in seen:
                    raise ValueError(say("pack.scorecard_group_twice", unit=unit, first=seen[unit], second=category))
                seen[unit] = category
        return self

    def weight(self, rule_id: str, severity: str) -> float:
        if rule_id in self.rules:
            return self.rules[rule_id]
        return float(getattr(self.weights, severity, 0) or 0)


def parse_config(raw: Any) -> ScorecardConfig:
    """The config from a pack's raw `scorecard:` mapping (None gives the defaults)."""
    if isinstance(raw, ScorecardConfig):
        return raw
    if raw is None:
        return ScorecardConfig()
    if not isinstance(raw, dict):
        raise PackError(_at(raw, [], say("pack.scorecard_mapping")))
    try:
        return ScorecardConfig.model_validate(_plain(raw))
    except ValidationError as e:
        raise PackError([_at(raw, [str(p) for p in err["loc"]], _message(err)) for err in e.errors()]) from None


def config_problems(pack: Pack) -> list[Problem]:
    """Problems of the pack's scorecard settings, located in its YAML; [] when fine or absent."""
    raw = pack.settings.get("scorecard")
    if raw is None:
        return []
    try:
        config = parse_config(raw)
    except PackError as e:
        return e.problems
    return _reference_problems(config, raw, pack)


def _reference_problems(config: ScorecardConfig, raw: Any, pack: Pack) -> list[Problem]:
    problems = []
    ids = {r.id for r in pack.rules}
    for rule_id in config.rules:
        if rule_id not in ids:
            problems.append(_at(raw, ["rules", rule_id], say("pack.scorecard_unknown_rule", id=rule_id)))
    if config.peer_group:
        why = peer_group_problem(config.peer_group, pack)
        if why:
            problems.append(_at(raw, ["peer_group"], why))
    return problems


def peer_group_problem(spec: str, pack: Pack) -> str | None:
    """Why `peer_group` names no usable column, or None."""
    source, _, column = spec.rpartition(".")
    if source:
        if source not in pack.sources:
            return say("pack.peer_unknown_source", source=source, sources=", ".join(sorted(pack.sources)))
        src = pack.sources[source]
        if src.unit is None:
            return say("pack.peer_no_unit", source=source)
        if src.declared is not None and column not in src.declared:
            return say("pack.peer_unknown_column", column=column, source=source)
        return None
    with_units = [s for s in pack.sources.values() if s.unit]
    if not with_units:
        return say("pack.peer_needs_unit")
    if all(s.declared is not None and column not in s.declared for s in with_units):
        return say("pack.peer_no_column", column=column)
    return None


def _message(err: Any) -> str:
    path = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return say("pack.scorecard_unknown", path=path, allowed=", ".join(_allowed(err["loc"])))
    text = said(err)
    return say("pack.scorecard_field", path=path, why=text) if path else say("pack.scorecard_says", why=text)


def _allowed(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = Weights if len(loc) > 1 and loc[0] == "weights" else ScorecardConfig
    return sorted(model.model_fields)


def _at(raw: Any, path: list[str], message: str) -> Problem:
    """A Problem located at `path` inside the raw (located) YAML mapping, as deep as known."""
    loc: Loc | None = getattr(raw, "loc", None)
    node = raw
    for key in path:
        if isinstance(node, dict) and key in node:
            loc = node.where(key) if hasattr(node, "where") else loc
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            locs = getattr(node, "item_locs", None)
            loc = locs[int(key)] if locs else loc
            node = node[int(key)]
        else:
            break
    if loc is None:
        return Problem(message, field="scorecard")
    return Problem(message, loc.file, loc.line, loc.column, ".".join(["scorecard", *path]))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):  # unit lists: codes written as numbers are still names
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else _plain(v) for v in value]
    return value
