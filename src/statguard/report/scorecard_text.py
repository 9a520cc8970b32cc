"""The scorecard on a terminal: worst units first, the escalation list, the recent trend.

Fits an 80-column terminal; Chinese characters count as two columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statguard.report.text import clip, width_of

if TYPE_CHECKING:
    from statguard.scorecard import Scorecard

TREND_PERIODS = 6


def render_scorecard(card: Scorecard, width: int = 80, limit: int = 30) -> str:
    cfg = card.config
    w = cfg.weights
    lines = [f"Scorecard: {len(card.units)} units, worst first; score {_num(cfg.base)} - "
             f"{_num(w.error)}/error - {_num(w.warning)}/warning - {_num(w.info)}/info"
]
    if cfg.rules:
        lines.append("Rule weights: " + ", ".join(f"{r} -{_num(v)}" for r, v in cfg.rules.items()))
    lines.extend(_units(card, width, limit))
    lines.append("")
    lines.extend(_escalation(card, width))
    if card.trend["period"].nunique() > 1:
        lines.append("")
        lines.extend(_trend(card, width, limit))
    return "\n".join(_fit(ln, width) for ln in lines) + "\n"


def _units(card: Scorecard, width: int, limit: int) -> list[str]:
    if not len(card.units):
        return ["  no reporting units found (no source declares a unit column)"]
    unit_w, group_w = 16, 10
    rules_w = max(10, width - 7 - unit_w - group_w - 7 - 15 - 5)
    out = [f"{'rank':>7} {clip('unit', unit_w)} {clip('group', group_w)} {'score':>7} {'E':>4} {'W':>4} {'I':>4}"
           f"  {clip('rules failed', rules_w).rstrip()}"]
    for r in card.units.head(limit).to_dict("records"):
        rank = f"{r['rank']}/{r['group_size']}"
        out.append(f"{rank:>7} {clip(r['unit'], unit_w)} {clip(r['group'] or '-', group_w)} "
                   f"{_num(r['score']):>7} {r['error']:>4} {r['warning']:>4} {r['info']:>4}  "
                   f"{clip(r['rules_failed'] or '-', rules_w).rstrip()}")
    if len(card.units) > limit:
        out.append(f"  ... {len(card.units) - limit} more units (all in --format json or csv)")
    return out


def _escalation(card: Scorecard, width: int) -> list[str]:
    k = card.config.escalate_after
    esc = card.escalation
    if not len(esc):
        return [f"Escalation: no unit failed in each of the last {k} periods"]
    out = [f"Escalation: {len(esc)} unit(s) failed in each of the last {k} or more periods"]
    for r in esc.to_dict("records"):
        group = f" ({r['group']})" if r["group"] else ""
        out.append(f"  {r['unit']}{group}: {r['streak']} periods {r['since']}..{r['until']}, "
                   f"score {_num(r['score'])}, rules {r['rules_failed'] or '-'}")
    return out


def _trend(card: Scorecard, width: int, limit: int) -> list[str]:
    from statguard.scorecard import natural_key
    periods = sorted(set(card.trend["period"]), key=natural_key)[-TREND_PERIODS:]
    col_w = max(7, min(10, (width - 18) // max(1, len(periods)) - 1))
    scores = {(r["unit"], r["period"]): r for r in card.trend.to_dict("records")}
    out = [f"Score per period (last {len(periods)}; * = failing):",
           clip("unit", 16) + " " + " ".join(f"{clip(str(p), col_w).rstrip():>{col_w}}" for p in periods)]
    for unit in list(card.units["unit"])[:limit] or sorted(set(card.trend["unit"]))[:limit]:
        cells = []
        for p in periods:
            r = scores.get((unit, p))
            cells.append(f"{'' if r is None else _num(r['score']) + ('*' if r['failing'] else ' '):>{col_w}}")
        out.append(clip(str(unit), 16) + " " + " ".join(cells))
    return out


def _fit(line: str, width: int) -> str:
    """The line cut to `width` display columns, spacing kept."""
    if width_of(line) <= width:
        return line.rstrip()
    out, used = [], 0
    for ch in line:
        if used + width_of(ch) > width - 1:
            break
        out.append(ch)
        used += width_of(ch)
    return "".join(out) + "…"


def _num(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)
