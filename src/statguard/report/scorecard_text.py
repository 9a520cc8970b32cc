"""The scorecard on a terminal: worst units first, the escalation list, the recent trend.

Fits an 80-column terminal; Chinese characters count as two columns. Every
label and heading comes from statguard.i18n, in Chinese or English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from statguard.i18n import t
from statguard.report.text import clip, right, width_of

if TYPE_CHECKING:
    from statguard.scorecard import Scorecard

TREND_PERIODS = 6
UNIT_W, GROUP_W = 16, 10


def render_scorecard(card: Scorecard, width: int = 80, limit: int = 30, lang: str | None = None) -> str:
    """The scorecard as text in `lang` (None: the locale's language, else English)."""
    from statguard.i18n import resolve
    lang = resolve(lang)
    cfg = card.config
    w = cfg.weights
    lines = [t("sc.headline", lang, n=len(card.units), base=_num(cfg.base), error=_num(w.error),
               warning=_num(w.warning), info=_num(w.info))]
    if cfg.rules:
        weights = t("msg.sep", lang).join(f"{r} -{_num(v)}" for r, v in cfg.rules.items())
        lines.append(t("sc.rule_weights", lang, weights=weights))
    lines.extend(_units(card, width, limit, lang))
    lines.append("")
    lines.extend(_escalation(card, lang))
    if card.trend["period"].nunique() > 1:
        lines.append("")
        lines.extend(_trend(card, width, limit, lang))
    return "\n".join(_fit(ln, width) for ln in lines) + "\n"


def _units(card: Scorecard, width: int, limit: int, lang: str) -> list[str]:
    if not len(card.units):
        return ["  " + t("sc.no_units", lang)]
    rules_w = max(10, width - 7 - UNIT_W - GROUP_W - 7 - 15 - 5)
    counts = " ".join(right(t(f"sc.col.{s}", lang), 4) for s in ("error", "warning", "info"))
    out = [f"{right(t('sc.col.rank', lang), 7)} {clip(t('col.unit', lang), UNIT_W)} "
           f"{clip(t('col.group', lang), GROUP_W)} {right(t('col.score', lang), 7)} {counts}"
           f"  {clip(t('col.rules_failed', lang), rules_w).rstrip()}"]
    for r in card.units.head(limit).to_dict("records"):
        rank = f"{r['rank']}/{r['group_size']}"
        out.append(f"{rank:>7} {clip(r['unit'], UNIT_W)} {clip(r['group'] or '-', GROUP_W)} "
                   f"{_num(r['score']):>7} {r['error']:>4} {r['warning']:>4} {r['info']:>4}  "
                   f"{clip(r['rules_failed'] or '-', rules_w).rstrip()}")
    if len(card.units) > limit:
        out.append("  " + t("sc.more_units", lang, n=len(card.units) - limit))
    return out


def _escalation(card: Scorecard, lang: str) -> list[str]:
    k = card.config.escalate_after
    esc = card.escalation
    if not len(esc):
        return [t("sc.no_escalation", lang, k=k)]
    out = [t("sc.escalation", lang, n=len(esc), k=k)]
    for r in esc.to_dict("records"):
        group = t("sc.group", lang, group=r["group"]) if r["group"] else ""
        out.append("  " + t("sc.escalated", lang, unit=r["unit"], group=group, streak=r["streak"],
                            since=r["since"], until=r["until"], score=_num(r["score"]),
                            rules=r["rules_failed"] or "-"))
    return out


def _trend(card: Scorecard, width: int, limit: int, lang: str) -> list[str]:
    from statguard.periods import natural_key
    periods = sorted(set(card.trend["period"]), key=natural_key)[-TREND_PERIODS:]
    col_w = max(7, min(10, (width - 18) // max(1, len(periods)) - 1))
    scores = {(r["unit"], r["period"]): r for r in card.trend.to_dict("records")}
    out = [t("sc.trend", lang, n=len(periods)),
           clip(t("col.unit", lang), UNIT_W) + " "
           + " ".join(right(clip(str(p), col_w).rstrip(), col_w) for p in periods)]
    for unit in list(card.units["unit"])[:limit] or sorted(set(card.trend["unit"]))[:limit]:
        cells = []
        for p in periods:
            r = scores.get((unit, p))
            cells.append(f"{'' if r is None else _num(r['score']) + ('*' if r['failing'] else ' '):>{col_w}}")
        out.append(clip(str(unit), UNIT_W) + " " + " ".join(cells))
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
