"""Unit scorecards: which reporting units to look at first, and which to escalate.

A unit's credibility score starts at `base` and loses the weight of each of
its violations (per rule when the pack gives one, else per severity; see
statguard.pack.scorecard). Units are ranked within their peer group (a
grouping column or explicit category lists). Across periods, each unit's
score per period forms its trend, and a unit failing in each of the last k
periods it could have failed in is on the escalation list.

    >>> card = scorecard(report, pack)            # or scorecard([jan, feb, mar], pack)
    >>> card.units, card.trend, card.escalation    # DataFrames

A period "fails" for a unit when it has a violation at or above `fail_on`, or
scores below `fail_below`. A period in which the unit submitted nothing breaks
its streak: absence is a matter for missing-submission rules, not for the
scorecard. Periods sort as text with numbers compared as numbers, so ISO forms
(2024-01, 2024Q1) come out in time order. When several reports cover the same
period, the later one (a resubmission) replaces the earlier one for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from statguard.i18n import register, say
from statguard.pack.scorecard import ScorecardConfig, parse_config
from statguard.periods import natural_key
from statguard.report.model import RANK

if TYPE_CHECKING:
    from statguard.pack.model import Pack
    from statguard.report.model import Report

register({
    "scorecard.no_reports": {"en": "scorecard needs at least one report", "zh": "评分至少需要一份报告"},
    "scorecard.no_report": {"en": "no report at {path} (a pattern that matches no file is passed on as written)",
                            "zh": "{path} 处没有报告（匹配不到文件的通配符会原样传入）"},
})

UNIT_COLUMNS = ["unit", "group", "score", "rank", "group_size", "rank_overall", "violations",
                "error", "warning", "info", "rules_failed"]
TREND_COLUMNS = ["unit", "group", "period", "score", "change", "violations", "failing", "rules_failed"]
ESCALATION_COLUMNS = ["unit", "group", "streak", "since", "until", "score", "rules_failed"]


@dataclass
class Scorecard:
    """Scores of one run (`units`), per period (`trend`) and the escalation list."""

    units: pd.DataFrame
    trend: pd.DataFrame
    escalation: pd.DataFrame
    config: ScorecardConfig = field(default_factory=ScorecardConfig)

    def to_dict(self) -> dict[str, Any]:
        from statguard.report.model import _plain
        return {"config": self.config.model_dump(),
                **{name: [_plain(r) for r in getattr(self, name).to_dict("records")]
                   for name in ("units", "trend", "escalation")}}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_text(self, width: int = 80, limit: int = 30, lang: str | None = None) -> str:
        """The terminal view in `lang` ('zh' or 'en'; None: the locale's, else English)."""
        from statguard.report.scorecard_text import render_scorecard
        return render_scorecard(self, width=width, limit=limit, lang=lang)


@dataclass
class _Round:
    """One report's contribution: its violations by unit, and who submitted when."""

    violations: pd.DataFrame  # unit, period, rule_id, severity (text)
    units: set[str]
    periods: dict[str, set[str]]  # unit -> periods it submitted for
    peer_groups: dict[str, str]
    label: str | None  # period of violations that carry none

    def present(self, period: str) -> set[str]:
        out = {u for u, ps in self.periods.items() if period in ps}
        out |= set(self.violations.loc[self.violations["period"] == period, "unit"])
        if period == self.label:
            out |= self.units
        return out

    def covers(self) -> set[str]:
        out = {p for ps in self.periods.values() for p in ps}
        out |= {p for p in self.violations["period"] if p is not None}
        return out | ({self.label} if self.label else set())


def scorecard(reports: Report | Sequence[Report], pack: Pack | None = None, *,
              config: ScorecardConfig | dict[str, Any] | None = None, period: str | None = None,
              labels: Sequence[str | None] | None = None) -> Scorecard:
    """Score the units of `reports` (oldest first); the last one gives the current ranking.

    The config comes from `config`, else the pack's `scorecard:` settings, else
    the settings recorded in the latest report. `period` limits the current
    ranking to one period; `labels` give the period of each report's
    violations that carry none (e.g. the file name of a monthly report).
    """
    from statguard.report.model import Report
    runs = [reports] if isinstance(reports, Report) else list(reports)
    if not runs:
        raise ValueError(say("scorecard.no_reports"))
    cfg = _config(config, pack, runs[-1])
    rounds = [_round(r, (labels or [None] * len(runs))[i]) for i, r in enumerate(runs)]
    groups = _groups(cfg, rounds)
    units = units_table(rounds[-1], cfg, groups, period)
    trend = trend_table(rounds, cfg, groups)
    return Scorecard(units, trend, escalation_table(trend, cfg), cfg)


def _config(config: ScorecardConfig | dict[str, Any] | None, pack: Pack | None, latest: Report) -> ScorecardConfig:
    if config is not None:
        return parse_config(config)
    if pack is not None and pack.settings.get("scorecard") is not None:
        return parse_config(pack.settings["scorecard"])
    return parse_config(latest.meta.get("scorecard"))


def _round(report: Report, label: str | None) -> _Round:
    facts = report.meta.get("units") or {}
    label = _text(report.meta.get("period")) if report.meta.get("period") is not None else label
    v = report.violations
    if facts.get("periods") or v["period"].notna().any():
        label = None  # the data has periods of its own
    frame = pd.DataFrame({"unit": [_text(u) for u in v["unit"].tolist()],
                          "period": [_text(p) or label for p in v["period"].tolist()],
                          "rule_id": v["rule_id"].astype(str), "severity": v["severity"].astype(str)})
    frame = frame[frame["unit"].notna()].reset_index(drop=True)
    units = {str(u) for us in (facts.get("sources") or {}).values() for u in us} | set(frame["unit"])
    periods = {str(u): {str(p) for p in ps} for u, ps in (facts.get("periods") or {}).items()}
    return _Round(frame, units, periods, dict(facts.get("peer_groups") or {}), label)


def _groups(cfg: ScorecardConfig, rounds: list[_Round]) -> dict[str, str]:
    if cfg.groups:
        return {u: category for category, units in cfg.groups.items() for u in units}
    merged: dict[str, str] = {}
    if cfg.peer_group:
        for r in rounds:
            merged.update(r.peer_groups)
    return merged


def deductions(violations: pd.DataFrame, cfg: ScorecardConfig, by: list[str]) -> pd.Series:
    """Points lost per `by` group (e.g. unit, or unit and period)."""
    if not len(violations):
        return pd.Series(dtype=float)
    v = violations
    if cfg.count == "rules":
        v = v.drop_duplicates(["unit", "period", "rule_id"])
    by_severity = v["severity"].map(cfg.weights.model_dump()).astype(float).fillna(0.0)
    weights = v["rule_id"].map(cfg.rules).astype(float).fillna(by_severity) if cfg.rules else by_severity
    return v.assign(_w=weights).groupby(by, dropna=False)["_w"].sum()


def tally(violations: pd.DataFrame, cfg: ScorecardConfig, by: list[str]) -> dict[Any, dict[str, Any]]:
    """Per `by` group: points lost, violations by severity, the worst severity, the failed rules."""
    if not len(violations):
        return {}
    v = violations
    lost = deductions(v, cfg, by)
    sev = v.groupby([*by, "severity"], dropna=False).size().unstack(fill_value=0)
    worst = v.assign(_r=v["severity"].map(RANK).fillna(0)).groupby(by, dropna=False)["_r"].max()
    per_rule = v.groupby([*by, "rule_id"], dropna=False).size().reset_index(name="_n")
    per_rule = per_rule.sort_values([*by, "_n", "rule_id"], ascending=[True] * len(by) + [False, True])
    rules = per_rule.groupby(by, dropna=False)["rule_id"].agg(", ".join)  # the most violated first
    sev_of, worst_of, rules_of = sev.to_dict("index"), worst.to_dict(), rules.to_dict()
    out = {}
    for key, points in lost.to_dict().items():
        counts = {s: int(sev_of[key].get(s, 0)) for s in RANK}
        out[key] = {"lost": float(points), "violations": sum(counts.values()), **counts,
                    "worst": int(worst_of[key]), "rules_failed": rules_of[key]}
    return out


EMPTY = {"lost": 0.0, "violations": 0, "error": 0, "warning": 0, "info": 0, "worst": 0, "rules_failed": ""}


def _score(lost: float, cfg: ScorecardConfig) -> float:
    return round(max(cfg.floor, cfg.base - lost), 4)


def units_table(rnd: _Round, cfg: ScorecardConfig, groups: dict[str, str], period: str | None = None) -> pd.DataFrame:
    """One row per unit of the run: score, rank within its group and overall, failed rules."""
    v = rnd.violations
    units = rnd.units
    if period is not None:
        v = v[v["period"] == period]
        units = rnd.present(period)
    tallies = tally(v, cfg, ["unit"])
    rows = []
    for unit in units:
        t = tallies.get(unit, EMPTY)
        rows.append({"unit": unit, "group": groups.get(unit), "score": _score(t["lost"], cfg),
                     **{k: t[k] for k in ("violations", "error", "warning", "info", "rules_failed")}})
    return _ranked(pd.DataFrame(rows, columns=[c for c in UNIT_COLUMNS if "rank" not in c and c != "group_size"]))


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return pd.DataFrame(columns=UNIT_COLUMNS)
    frame["group"] = _nullable(frame["group"])
    key = frame["group"].fillna("\0")
    frame["rank"] = frame.groupby(key)["score"].rank(method="min", ascending=False).astype(int)
    frame["group_size"] = frame.groupby(key)["unit"].transform("size").astype(int)
    frame["rank_overall"] = frame["score"].rank(method="min", ascending=False).astype(int)
    frame = frame.sort_values(["score", "unit"], ascending=[True, True], key=_natural_key_series)
    return frame[UNIT_COLUMNS].reset_index(drop=True)


def trend_table(rounds: list[_Round], cfg: ScorecardConfig, groups: dict[str, str]) -> pd.DataFrame:
    """One row per unit and period it submitted for: score, change since its previous period, failing."""
    owner: dict[str, _Round] = {}
    for rnd in rounds:  # later reports replace earlier ones for the periods they cover
        for p in rnd.covers():
            owner[p] = rnd
    tallies = {id(rnd): tally(rnd.violations[rnd.violations["period"].notna()], cfg, ["unit", "period"])
               for rnd in rounds}
    rows: list[dict[str, Any]] = []
    for period in sorted(owner, key=natural_key):
        rnd = owner[period]
        for unit in sorted(rnd.present(period), key=natural_key):
            t = tallies[id(rnd)].get((unit, period), EMPTY)
            score = _score(t["lost"], cfg)
            failing = t["worst"] >= RANK[cfg.fail_on] or (cfg.fail_below is not None and score < cfg.fail_below)
            rows.append({"unit": unit, "group": groups.get(unit), "period": period, "score": score,
                         "violations": t["violations"], "failing": bool(failing), "rules_failed": t["rules_failed"]})
    frame = pd.DataFrame(rows, columns=[c for c in TREND_COLUMNS if c != "change"])
    frame["group"] = _nullable(frame["group"])
    frame.insert(4, "change", frame.groupby("unit")["score"].diff().round(4) if len(frame) else [])
    return frame[TREND_COLUMNS]


def escalation_table(trend: pd.DataFrame, cfg: ScorecardConfig) -> pd.DataFrame:
    """Units failing in each of the last `escalate_after` or more periods, the longest streak first."""
    if not len(trend):
        return pd.DataFrame(columns=ESCALATION_COLUMNS)
    periods = sorted(set(trend["period"]), key=natural_key)
    by_unit: dict[str, dict[str, dict[str, Any]]] = {}
    for row in trend.to_dict("records"):
        by_unit.setdefault(row["unit"], {})[row["period"]] = row
    rows = []
    for unit, by_period in by_unit.items():
        streak: list[dict[str, Any]] = []
        for p in reversed(periods):
            row = by_period.get(p)
            if row is None or not row["failing"]:
                break
            streak.append(row)
        if len(streak) >= cfg.escalate_after:
            rules = sorted({r for row in streak for r in row["rules_failed"].split(", ") if r})
            rows.append({"unit": unit, "group": streak[0]["group"], "streak": len(streak),
                         "since": streak[-1]["period"], "until": streak[0]["period"],
                         "score": streak[0]["score"], "rules_failed": ", ".join(rules)})
    frame = pd.DataFrame(rows, columns=ESCALATION_COLUMNS)
    if len(frame):
        frame = frame.sort_values(["streak", "score", "unit"], ascending=[False, True, True]).reset_index(drop=True)
    return frame


def _natural_key_series(s: pd.Series) -> pd.Series:
    if s.name == "unit":
        return s.map(natural_key)
    return s


def _nullable(column: pd.Series) -> pd.Series:
    """Missing as None (not NaN), so that JSON and text show no group as null / '-'."""
    return column.astype(object).where(column.notna(), None)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def load_reports(paths: Iterable[str]) -> tuple[list[Report], list[str]]:
    """Saved JSON reports, oldest first, with the file stems as period labels."""
    from statguard.errors import StatguardError
    from statguard.report.model import Report
    reports, labels = [], []
    for path in map(Path, paths):
        if not path.is_file():  # e.g. a pattern the shell left as written: it matched no file
            raise StatguardError(say("scorecard.no_report", path=path))
        reports.append(Report.from_json(path))  # a ReportError naming the file when it is not a report
        labels.append(path.stem)
    return reports, labels
