"""Inline SVG charts for the HTML report, drawn from statguard.report.views.

Each chart function takes (report, lang) and returns a <figure> or "" when the
report holds no data for it. `CHARTS` is the order they appear in.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from statguard.i18n import figure_value, register, t
from statguard.report import views

if TYPE_CHECKING:
    from statguard.report.model import Report

FONT = 12
LABEL_W = 130
DIGIT_TILES = 12  # digit-test violations drawn, worst first; the rest are in the table

register({
    "h.digit_tests": {"en": "Digit tests: observed vs expected share per digit",
                      "zh": "数字检验：各数字的实际占比与应有占比"},
    "chart.observed": {"en": "observed", "zh": "实际"},
    "chart.expected": {"en": "expected", "zh": "应有"},
    "chart.digit_tiles_shown": {"en": "the {n} of {total} worst shown", "zh": "仅显示最严重的 {n} 个（共 {total} 个）"},
    "unit.none": {"en": "(no unit)", "zh": "（无单位）"},
    "chart.min_rate": {"en": "lowest accepted rate {rate}%", "zh": "核实率下限 {rate}%"},
    "chart.tolerance": {"en": "lowest verified rate the claim allows", "zh": "上报比率允许的最低核实率"},
})


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _label(text: str, n: int = 18) -> str:
    return escape(text if len(text) <= n else text[: n - 1] + "…")


def _figure(chart_id: str, title: str, svg: str, note: str = "") -> str:
    caption = escape(title) + (f' <small>{escape(note)}</small>' if note else "")
    return f'<figure class="chart" id="chart-{chart_id}"><figcaption>{caption}</figcaption>{svg}</figure>'


def _svg(width: float, height: float, body: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">{body}</svg>')


def with_blank_units(report: Report, lang: str) -> Report:
    """The report with violations that have no unit under a "(no unit)" one, for the tables and
    charts by unit; the report itself when every violation has a unit or none has."""
    v = report.violations
    if not len(v):
        return report
    blank = v["unit"].isna() | (v["unit"].astype(str) == "")
    if not blank.any() or blank.all():
        return report
    from statguard.report.model import Report
    return Report(report.pack, v.assign(unit=v["unit"].where(~blank, t("unit.none", lang))), report.summary,
                  report.meta, lacking=report.lacking_columns())


def heatmap(report: Report, lang: str) -> str:
    """Units (rows, worst first) by rules (columns); darker red = more violations."""
    hm = views.heatmap(with_blank_units(report, lang))
    if hm is None or not hm.rules:
        return ""
    cell, top = 24, 70
    width, height = LABEL_W + cell * len(hm.rules) + 60, top + cell * len(hm.units) + 4  # room for slanted names
    peak = max(max(row) for row in hm.counts) or 1
    parts = []
    for j, rule in enumerate(hm.rules):
        x = LABEL_W + j * cell + cell / 2
        parts.append(f'<text class="rot" x="{x:.0f}" y="{top - 6}" transform="rotate(-45 {x:.0f} {top - 6})">'
                     f'{_label(rule, 12)}</text>')
    for i, unit in enumerate(hm.units):
        y = top + i * cell
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + cell / 2 + 4:.0f}" text-anchor="end">{_label(unit)}</text>')
        for j, n in enumerate(hm.counts[i]):
            share = math.sqrt(n / peak) if n else 0
            fill = f"rgba(200,30,30,{0.12 + 0.88 * share:.2f})" if n else "#f3f4f6"
            tip = escape(f"{unit} × {hm.rules[j]}: {n}")
            parts.append(f'<g class="cell" data-unit="{escape(unit)}" data-rule="{escape(hm.rules[j])}">'
                         f'<rect x="{LABEL_W + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                         f'fill="{fill}"><title>{tip}</title></rect>'
                         + (f'<text x="{LABEL_W + j * cell + cell / 2 - 1:.0f}" y="{y + cell / 2 + 3:.0f}" '
                            f'text-anchor="middle" class="{"light" if share > 0.5 else ""}">{n}</text>' if n else "")
                         + '</g>')
    note = t("chart.top_shown", lang, n=len(hm.units)) if hm.units_total > len(hm.units) else ""
    return _figure("heatmap", t("h.heatmap", lang), _svg(width, height, "".join(parts), t("h.heatmap", lang)), note)


def coverage_thresholds(report: Report) -> tuple[float | None, dict[str, float]]:
    """(lowest accepted verified rate, {unit: tolerance}) of the coverage violations, in percent.

    The lowest rate is the expected value of an item that judged the verified rate against it (its
    observed value is the verified rate; an item judging a claim expects the verified rate); values
    named `min_rate` or `tolerance` are read too, should a kind give them."""
    lowest: float | None = None
    tolerance: dict[str, float] = {}
    columns = [report.column(c) or [] for c in ("kind", "unit", "values", "observed", "expected")]
    for kind, unit, values, observed, expected in zip(*columns, strict=True):
        values = values if isinstance(values, dict) else {}
        verified = next((n for k in views.VERIFIED_KEYS if (n := views.as_number(values.get(k))) is not None), None)
        if verified is None:
            continue
        rate = views.as_number(values.get("min_rate"))
        observed, expected = views.as_number(observed), views.as_number(expected)
        if rate is None and kind == "coverage" and observed is not None and expected is not None \
                and abs(observed - verified) < 1e-9 and abs(expected - verified) > 1e-9:
            rate = expected
        if rate is not None:
            lowest = rate if lowest is None else min(lowest, rate)
        points = views.as_number(values.get("tolerance"))
        if points is not None and unit is not None and unit == unit:
            tolerance.setdefault(views.display(unit), points)
    return lowest, tolerance


def coverage(report: Report, lang: str, limit: int = 40) -> str:
    """Per unit, a dot for the claimed and one for the verified rate, joined by the gap; a dashed line
    at the lowest accepted verified rate and a tick where a claim's tolerance ends, when known."""
    points = sorted(views.coverage_points(report), key=lambda p: p[2] - p[1])[:limit]
    if not points:
        return ""
    lowest, tolerance = coverage_thresholds(report)
    row, top, plot_w = 22, 30, 420
    hi = max(100.0, *(max(c, v) for _, c, v in points))
    width, height = LABEL_W + plot_w + 190, max(top + row * len(points) + 10, top + 64)

    def x(value: float) -> float:
        return LABEL_W + plot_w * max(0.0, value) / hi

    parts = [f'<line x1="{x(0):.0f}" y1="{top - 8}" x2="{x(hi):.0f}" y2="{top - 8}" class="axis"/>']
    for tick in range(0, int(hi) + 1, 20):
        parts.append(f'<text x="{x(tick):.0f}" y="{top - 12}" text-anchor="middle" class="tick">{tick}%</text>')
    legend = LABEL_W + plot_w + 24
    parts.append(f'<circle cx="{legend}" cy="{top + 4}" r="5" class="claimed"/>'
                 f'<text x="{legend + 8}" y="{top + 8}">{escape(t("chart.claimed", lang))}</text>'
                 f'<circle cx="{legend}" cy="{top + 20}" r="5" class="verified"/>'
                 f'<text x="{legend + 8}" y="{top + 24}">{escape(t("chart.verified", lang))}</text>')
    if lowest is not None:
        word = escape(t("chart.min_rate", lang, rate=_fmt(lowest)))
        parts.append(f'<line x1="{x(lowest):.1f}" y1="{top - 6}" x2="{x(lowest):.1f}" y2="{height - 4}" '
                     f'class="threshold"><title>{word}</title></line>'
                     f'<line x1="{legend - 6}" y1="{top + 36}" x2="{legend + 6}" y2="{top + 36}" class="threshold"/>'
                     f'<text x="{legend + 8}" y="{top + 40}">{word}</text>')
    if tolerance:
        parts.append(f'<line x1="{legend}" y1="{top + 46}" x2="{legend}" y2="{top + 58}" class="tolerance"/>'
                     f'<text x="{legend + 8}" y="{top + 56}">{escape(t("chart.tolerance", lang))}</text>')
    for i, (unit, claimed, verified) in enumerate(points):
        y = top + i * row + row / 2
        tip = escape(f"{unit}: {t('chart.claimed', lang)} {_fmt(claimed)}%, {t('chart.verified', lang)} "
                     f"{_fmt(verified)}%")
        allowed = tolerance.get(unit)
        mark = (f'<line x1="{x(claimed - allowed):.1f}" y1="{y - 7:.0f}" x2="{x(claimed - allowed):.1f}" '
                f'y2="{y + 7:.0f}" class="tolerance"/>' if allowed is not None else "")
        parts.append(f'<g class="dumbbell"><title>{tip}</title>'
                     f'<text x="{LABEL_W - 6}" y="{y + 4:.0f}" text-anchor="end">{_label(unit)}</text>'
                     f'<line x1="{x(claimed):.1f}" y1="{y:.0f}" x2="{x(verified):.1f}" y2="{y:.0f}" class="gap"/>{mark}'
                     f'<circle cx="{x(claimed):.1f}" cy="{y:.0f}" r="5" class="claimed"/>'
                     f'<circle cx="{x(verified):.1f}" cy="{y:.0f}" r="5" class="verified"/></g>')
    return _figure("coverage", t("h.coverage", lang), _svg(width, height, "".join(parts), t("h.coverage", lang)))


def revisions(report: Report, lang: str) -> str:
    """Small multiples: one line per figure through its submitted versions."""
    series = views.revision_series(report)
    if not series:
        return ""
    w, h, pad = 220, 120, 26
    tiles = []
    for label, points in series:
        values = [v for _, v in points]
        lo, hi = min(values), max(values)
        span = (hi - lo) or abs(hi) or 1.0
        step = (w - 2 * pad) / max(1, len(points) - 1)
        xy = [(pad + i * step, h - pad - (v - lo) / span * (h - 2 * pad)) for i, v in enumerate(values)]
        line = " ".join(f"{px:.1f},{py:.1f}" for px, py in xy)
        word = escape(t("chart.version", lang))
        dots = "".join(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3"><title>{word} {escape(ver)}: {_fmt(v)}</title>'
                       f'</circle>' for (px, py), (ver, v) in zip(xy, points, strict=True))
        ends = (f'<text x="{xy[0][0]:.0f}" y="{xy[0][1] - 6:.0f}" text-anchor="middle">{_fmt(values[0])}</text>'
                f'<text x="{xy[-1][0]:.0f}" y="{xy[-1][1] - 6:.0f}" text-anchor="middle">{_fmt(values[-1])}</text>')
        axis = "".join(f'<text x="{px:.0f}" y="{h - 8}" text-anchor="middle" class="tick">{escape(ver)}</text>'
                       for (px, _), (ver, _v) in zip(xy, points, strict=True))
        body = f'<polyline points="{line}" class="series"/>{dots}{ends}{axis}'
        tiles.append(f'<div class="tile"><div class="tile-label">{escape(label)}</div>{_svg(w, h, body, label)}</div>')
    return _figure("revisions", t("h.revisions", lang), f'<div class="tiles">{"".join(tiles)}</div>')


def digits(report: Report, lang: str) -> str:
    """Share of each leading digit 1-9 among observed values, against Benford's expectation."""
    counts = views.leading_digits(report)
    if counts is None:
        return ""
    total = sum(counts)
    bar, top, plot_h = 36, 20, 160
    width, height = 40 + bar * 9 + 140, top + plot_h + 30
    peak = max(max(counts) / total, views.BENFORD[0]) * 1.1
    parts = []
    for d in range(9):
        share = counts[d] / total
        bh = plot_h * share / peak
        x = 40 + d * bar
        parts.append(f'<rect x="{x + 4}" y="{top + plot_h - bh:.1f}" width="{bar - 8}" height="{bh:.1f}" class="bar">'
                     f'<title>{d + 1}: {counts[d]} ({share:.1%})</title></rect>'
                     f'<text x="{x + bar / 2:.0f}" y="{top + plot_h + 16}" text-anchor="middle">{d + 1}</text>')
    line = " ".join(f"{40 + d * bar + bar / 2:.1f},{top + plot_h - plot_h * b / peak:.1f}"
                    for d, b in enumerate(views.BENFORD))
    parts.append(f'<polyline points="{line}" class="benford"/>')
    parts.append(f'<line x1="{40 + bar * 9 + 14}" y1="30" x2="{40 + bar * 9 + 34}" y2="30" class="benford"/>'
                 f'<text x="{40 + bar * 9 + 40}" y="34">{escape(t("chart.benford", lang))}</text>'
                 f'<text x="{40 + bar * 9 + 14}" y="54">n = {total}</text>')
    return _figure("digits", t("h.digits", lang), _svg(width, height, "".join(parts), t("h.digits", lang)))


def _digit_panels(report: Report, lang: str) -> list[tuple[str, list[str], list[float], list[float]]]:
    """(label, digits, observed, expected) per violation of the digits kind, worst (largest observed
    MAD or share over its limit) first."""
    v = report.violations
    if not len(v) or "kind" not in v.columns:
        return []
    v = v[v["kind"] == "digits"]
    panels = []
    for rule_id, unit, keys, values, imbalance in views.rows_of(v, ["rule_id", "unit", "keys", "values", "imbalance"]):
        values = values if isinstance(values, dict) else {}
        digits, observed, expected = (values.get(k) for k in ("digits", "observed_distribution",
                                                               "expected_distribution"))
        if not (isinstance(digits, list) and isinstance(observed, list) and isinstance(expected, list)
                and len(digits) == len(observed) == len(expected) and digits):
            continue
        keys = keys if isinstance(keys, dict) else {}
        parts = [views.display(unit), *(views.display(x) for x in keys.values())]
        label = " · ".join([str(rule_id), *(p for p in parts if p)])
        shares = [views.as_number(x) or 0.0 for x in observed], [views.as_number(x) or 0.0 for x in expected]
        shown = [str(figure_value("digits", d, lang, "digits")) for d in digits]  # round's classes in words
        panels.append((views.as_number(imbalance) or 0.0, label, shown, *shares))
    panels.sort(key=lambda panel: -panel[0])
    return [panel[1:] for panel in panels]


def digit_tests(report: Report, lang: str) -> str:
    """Small multiples, one per digits violation: bars of the observed share of each digit and a line
    through the expected share (Benford's law, uniform or the round-number model)."""
    panels = _digit_panels(report, lang)
    if not panels:
        return ""
    tiles = [_digit_tile(label, digits, observed, expected, lang)
             for label, digits, observed, expected in panels[:DIGIT_TILES]]
    note = (t("chart.digit_tiles_shown", lang, n=DIGIT_TILES, total=len(panels))
            if len(panels) > DIGIT_TILES else "")
    return _figure("digit-tests", t("h.digit_tests", lang), f'<div class="tiles">{"".join(tiles)}</div>', note)


def _digit_tile(label: str, digits: list[str], observed: list[float], expected: list[float], lang: str) -> str:
    w, h, pad, top = 300, 150, 26, 22
    step = (w - 2 * pad) / len(digits)
    peak = max(max(observed), max(expected)) * 1.1 or 1.0

    def y(share: float) -> float:
        return h - pad - (h - pad - top) * share / peak

    obs_word, exp_word = escape(t("chart.observed", lang)), escape(t("chart.expected", lang))
    every = max(1, len(digits) // 10)  # first_two has 90 digits: label every 10th
    parts = []
    for i, (d, o, e) in enumerate(zip(digits, observed, expected, strict=True)):
        x = pad + i * step
        parts.append(f'<rect x="{x + step * 0.1:.1f}" y="{y(o):.1f}" width="{step * 0.8:.1f}" '
                     f'height="{h - pad - y(o):.1f}" class="bar"><title>{escape(d)}: {obs_word} {o:.1%}, '
                     f'{exp_word} {e:.1%}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + step / 2:.0f}" y="{h - pad + 14}" text-anchor="middle" class="tick">'
                         f'{escape(d)}</text>')
    line = " ".join(f"{pad + i * step + step / 2:.1f},{y(e):.1f}" for i, e in enumerate(expected))
    parts.append(f'<polyline points="{line}" class="benford"/>')
    parts.append(f'<rect x="{w - 118}" y="6" width="10" height="8" class="bar"/>'
                 f'<text x="{w - 104}" y="14" class="tick">{obs_word}</text>'
                 f'<line x1="{w - 60}" y1="10" x2="{w - 48}" y2="10" class="benford"/>'
                 f'<text x="{w - 44}" y="14" class="tick">{exp_word}</text>')
    return (f'<div class="tile digit-test"><div class="tile-label">{_label(label, 40)}</div>'
            f'{_svg(w, h, "".join(parts), label)}</div>')


CHARTS: list[Callable[[Report, str], str]] = [heatmap, coverage, revisions, digits, digit_tests]
