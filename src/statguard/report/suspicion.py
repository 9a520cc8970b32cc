"""The credibility screen's ranking: units by a combined suspicion score, with the evidence.

Computed from a report alone (its violations, its unit facts and the pack's
`screen:` settings kept in report.meta["screen"], see statguard.pack.screen), so a
saved JSON report re-rendered later ranks the same. Pure Python: no pandas.

    >>> ranking(report)["units"][0]
    {"unit": "U017", "peer_group": "县", "score": 7.0, "rank": 1, "flagged": True,
     "signals": [{"rule_id": "CR-COPIED", "kind": "perfect", "weight": 3.0, "violations": 2}, ...],
     "evidence": [{"rule_id": ..., "period": ..., "message": ...}, ...]}
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from statguard.pack.model import RANK

if TYPE_CHECKING:
    from statguard.report.model import Report


def ranking(report: Report) -> dict[str, Any] | None:
    """The ranking of the report's units, or None when the report carries no screen settings."""
    raw = report.meta.get("screen")
    if raw is None:
        return None
    from statguard.pack.screen import parse_screen
    config = parse_screen(raw)
    columns = {c: report.column(c) or [] for c in ("rule_id", "kind", "severity", "unit", "period", "message")}
    by_unit: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, unit in enumerate(columns["unit"]):
        if unit is not None:
            by_unit[str(unit)][str(columns["rule_id"][i])].append(i)
    facts = report.meta.get("units") or {}
    peers = facts.get("peer_groups") or {}
    everyone = {str(u) for names in (facts.get("sources") or {}).values() for u in names} | set(by_unit)
    units = []
    for unit in everyone:
        rules = by_unit.get(unit, {})
        signals, evidence = [], []
        for rule_id, rows in rules.items():
            worst = max(rows, key=lambda i: RANK.get(columns["severity"][i], 0))
            weight = config.weight(rule_id, columns["severity"][worst])
            signals.append({"rule_id": rule_id, "kind": columns["kind"][worst], "weight": weight,
                            "violations": len(rows)})
            evidence += [{"rule_id": rule_id, "period": columns["period"][i], "message": columns["message"][i]}
                         for i in rows[:config.evidence]]
        signals.sort(key=lambda s: (-s["weight"], s["rule_id"]))
        score = sum(s["weight"] for s in signals)
        units.append({"unit": unit, "peer_group": peers.get(unit), "score": score, "flagged": score >= config.flag_at,
                      "signals": signals, "violations": sum(s["violations"] for s in signals),
                      "evidence": sorted(evidence, key=lambda e: [s["rule_id"] for s in signals].index(e["rule_id"]))})
    from statguard.periods import natural_key
    units.sort(key=lambda u: (-u["score"], -u["violations"], natural_key(u["unit"])))
    for rank, u in enumerate(units, 1):
        u["rank"] = rank
    return {"flag_at": config.flag_at, "units": units, "flagged": sum(u["flagged"] for u in units)}

