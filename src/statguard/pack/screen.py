"""The `pack: screen:` settings: how a unit's violations become one suspicion score.

    pack:
      screen:
        weights: {CR-DIGITS: 2, CR-COPIED: 3}   # points per rule that flags the unit (once per rule)
        severity_weights: {error: 3, warning: 2, info: 1}   # for rules without their own weight
        flag_at: 2                               # a unit scoring this or more is flagged
        evidence: 3                              # violations shown per rule and unit

A unit's score is the sum of the weights of the distinct rules with a violation of
that unit; one signal weighs the same whether it fired for one period or for ten,
so a unit flagged by several independent signals ranks above a unit that trips
one signal often. The model is validated when the pack loads (located problems).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from statguard.errors import PackError, Problem
from statguard.i18n import say
from statguard.pack import messages  # noqa: F401  (registers the texts of pack.*)
from statguard.pack.pydantic_words import said
from statguard.pack.scorecard import _at, _plain

if TYPE_CHECKING:
    from statguard.pack.model import Pack


class SeverityWeights(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    error: float = Field(3, ge=0, description="points for a rule of severity error")
    warning: float = Field(2, ge=0, description="points for a rule of severity warning")
    info: float = Field(1, ge=0, description="points for a rule of severity info")


class ScreenConfig(BaseModel):
    """Suspicion score and ranking of the units (statguard.report.suspicion)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: dict[str, float] = Field(default_factory=dict, description="points per rule id that flags a unit")
    severity_weights: SeverityWeights = Field(default_factory=SeverityWeights,
                                              description="points for rules without their own weight, by severity")
    flag_at: float = Field(1, gt=0, description="a unit whose score reaches this is flagged")
    evidence: int = Field(3, ge=1, description="violations listed per rule and unit as evidence")

    def weight(self, rule_id: str, severity: str) -> float:
        if rule_id in self.weights:
            return float(self.weights[rule_id])
        return float(getattr(self.severity_weights, severity, 0) or 0)


def parse_screen(raw: Any) -> ScreenConfig:
    if isinstance(raw, ScreenConfig):
        return raw
    if raw is None:
        return ScreenConfig()
    if not isinstance(raw, dict):
        raise PackError(_at(raw, [], say("pack.screen_mapping")))
    try:
        return ScreenConfig.model_validate(_plain(raw))
    except ValidationError as e:
        raise PackError([_at(raw, [str(p) for p in err["loc"]],
                             say("pack.screen_field", path=".".join(map(str, err["loc"])),
                                 why=said(err))) for err in e.errors()]) from None


def screen_problems(pack: Pack) -> list[Problem]:
    """Problems of the pack's screen settings, located; [] when fine or absent."""
    raw = pack.settings.get("screen")
    if raw is None:
        return []
    try:
        config = parse_screen(raw)
    except PackError as e:
        return e.problems
    ids = {r.id for r in pack.rules}
    return [_at(raw, ["weights", rule_id], say("pack.screen_unknown_rule", id=rule_id))
            for rule_id in config.weights if rule_id not in ids]
