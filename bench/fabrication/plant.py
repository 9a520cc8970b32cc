"""Planted fabrication, honest errors and resubmissions of the fabrication benchmark.

About 10% of the units are fabricated, each with one or two kinds (issue 12, (a)-(f)):

- unbacked: invented re-employed persons in the claims (no contribution records), or the
  re-employment rate set to 100% at the end of the year;
- round: invented round numbers with human-like digits;
- copied: the same value for months, last year's figures again, or another unit's series;
- smooth: smooth fake growth, or year-on-year growth pinned to a target;
- inflated_total: a total marked up over its parts;
- drift: resubmissions that move up every time.

Which units, kinds, indicators and months are drawn from generators seeded by the seed
only, so the settings differ in subtlety alone (SETTINGS); honest errors and honest
revisions come from their own seed-only streams.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from world import HONEST_SIGMA, IND, INDICATORS, PARTS, PEER_GROUPS, SEASON, T, World, month_label, recompute_rate

KINDS = ["unbacked", "round", "copied", "smooth", "inflated_total", "drift"]
VARIANTS = {"unbacked": ["claims", "rate100"], "copied": ["repeat", "copy_year", "copy_unit"],
            "smooth": ["smooth", "target"]}
FLOWS = ["industrial_output", "retail_sales", "tax_revenue", "electricity", "fixed_investment"]
PLAIN_FLOWS = ["industrial_output", "tax_revenue", "electricity"]  # no parts
REVISED = ["industrial_output", "tax_revenue", "electricity", "deposits"]
INVENTED_BASE = 50_000_000  # person numbers of invented claims (honest ones are below)


@dataclass(frozen=True)
class Setting:
    unbacked_share: float  # share of a unit's claims that are invented
    rate100_months: int  # last months of 2024 with the rate at 100%
    rate100_counts: bool  # the counts are raised to match (else the rate alone is 100)
    round_sig: tuple[int, ...]  # significant digits the fabricator writes
    round_p05: float  # chance the last written digit is snapped to 0 or 5
    round_indicators: int
    round_months: float  # share of months touched
    round_noise: float  # chance of random decimals added to hide the roundness
    repeat_run: int  # months with the same value
    copy_months: int  # months copied (from last year: at most 12)
    copy_indicators: int
    smooth_ratio: float  # month noise of the fake series / the honest noise
    target_noise: float  # spread of the pinned year-on-year growth (fraction)
    smooth_months: int
    smooth_indicators: int
    inflate: tuple[float, float]  # mark-up of a total over its parts
    inflate_months: float
    inflate_totals: int
    drift_cells: int  # (indicator, month) cells resubmitted upward
    drift_versions: tuple[int, int]
    drift_step: float  # typical upward step per resubmission
    drift_p_up: float


SETTINGS = {
    "easy": Setting(0.50, 6, False, (2,), 0.9, 4, 1.0, 0.0, 8, 24, 3, 0.05, 0.0, 12, 3,
                    (0.08, 0.12), 1.0, 2, 30, (3, 5), 0.04, 1.0),
    "default": Setting(0.25, 4, True, (3,), 0.75, 3, 0.75, 0.0, 5, 12, 2, 0.15, 0.005, 12, 2,
                       (0.03, 0.05), 0.75, 1, 16, (2, 4), 0.02, 1.0),
    "hard": Setting(0.12, 2, True, (3, 4), 0.6, 2, 0.5, 0.25, 3, 6, 1, 0.3, 0.015, 8, 1,
                    (0.015, 0.03), 0.5, 1, 10, (2, 3), 0.01, 0.9),
}


def person_code(n: np.ndarray) -> np.ndarray:
    """Person numbers scrambled into ID-like codes (a bijection mod 10^8): invented ones do not stand out."""
    scrambled = (np.asarray(n, dtype=np.int64) * 48271 + 12345) % 100_000_000
    return np.char.add("P", np.char.zfill(scrambled.astype(str), 8))


def _rescale_parts(w: World, total: str, u: int, months: np.ndarray) -> None:
    """A careful fabricator scales the parts with a changed total, so that they still add up."""
    if total not in PARTS:
        return
    parts = np.stack([w.P[p][u, months] for p in PARTS[total]])
    s = parts.sum(axis=0)
    factor = np.where(s != 0, w.V[IND[total], u, months] / np.where(s != 0, s, 1), 1.0)
    for k, p in enumerate(PARTS[total]):
        w.P[p][u, months] = np.round(parts[k] * factor, 1)


def _set(w: World, name: str, u: int, months: np.ndarray, values: np.ndarray, rescale: bool = True) -> None:
    w.V[IND[name], u, months] = np.round(values, INDICATORS[IND[name]].decimals)
    if rescale:
        _rescale_parts(w, name, u, months)


def _pick(rs: np.random.Generator, candidates: list[str], k: int, used: set[str]) -> list[str]:
    order = list(rs.permutation(candidates))
    order = [c for c in order if c not in used] + [c for c in order if c in used]
    chosen = order[:k]
    used.update(chosen)
    return chosen


def human_round(v: np.ndarray, S: Setting, decimals: int, rv: np.random.Generator) -> np.ndarray:
    """Invented figures: near the honest value, written with few significant digits, the last one
    snapped to 0/5 more often than chance, repeated digits avoided."""
    w = v * np.exp(rv.normal(0.02, 0.03, v.shape))
    sig = rv.choice(S.round_sig, v.shape)
    e = np.floor(np.log10(np.maximum(np.abs(w), 1e-9)))
    q = 10.0 ** (e - sig + 1)
    m = np.round(w / q)
    snap = rv.random(v.shape) < S.round_p05
    m = np.where(snap, np.round(m / 5) * 5, m)
    repeat = ~snap & (m % 10 == (m // 10) % 10) & (rv.random(v.shape) < 0.8)
    m = np.where(repeat, m + rv.choice([-1, 1], v.shape), m)
    out = m * q
    noise = rv.random(v.shape) < S.round_noise
    out = out + np.where(noise, rv.integers(1, 10, v.shape) * 10.0 ** -max(decimals, 0) * (decimals > 0), 0)
    return np.where(v > 0, out, v)


def _unbacked(w, u, S, rs, variant, extra):
    months = np.arange(T)
    if variant == "rate100":
        t = np.arange(T - S.rate100_months, T)
        if S.rate100_counts:
            w.V[IND["reemployed_ytd"], u, t] = w.V[IND["laid_off_ytd"], u, t]
        w.V[IND["reemployment_rate"], u, t] = 100.0
        return dict(variant=variant, months=[str(m) for m in month_label(t)], counts_raised=S.rate100_counts)
    laid, reemp = w.V[IND["laid_off_ytd"], u], w.V[IND["reemployed_ytd"], u]
    monthly = np.diff(np.concatenate([[0], reemp]))
    monthly[12] = reemp[12]
    invented = np.round(monthly * S.unbacked_share / (1 - S.unbacked_share) + rs.random(T) * 0.99)
    ytd = np.concatenate([np.cumsum(invented[:12]), np.cumsum(invented[12:])])
    new = np.minimum(reemp + ytd, laid)
    added = np.diff(np.concatenate([[0], new - reemp]))
    added[12] = (new - reemp)[12]
    added = np.maximum(added, 0).astype(int)
    w.V[IND["reemployed_ytd"], u] = new
    mask = np.zeros(w.V.shape[1:], bool)
    mask[u] = True
    recompute_rate(w.V, mask)
    start = np.repeat(months, added)
    extra.append(pd.DataFrame({"person": INVENTED_BASE + extra_count(extra) + np.arange(len(start)),
                               "unit": u, "start": start, "first": -1, "months": 0}))
    share = len(start) / max(reemp[11] + reemp[23] + len(start), 1)
    return dict(variant=variant, invented=int(len(start)), share=round(float(share), 3))


def extra_count(extra: list[pd.DataFrame]) -> int:
    return sum(len(e) for e in extra)


def _round(w, u, S, rs, rv, used):
    names = _pick(rs, FLOWS, S.round_indicators, used)
    months = np.sort(rs.permutation(T)[: math.ceil(S.round_months * T)])
    for name in names:
        v = w.V[IND[name], u, months]
        _set(w, name, u, months, human_round(v, S, INDICATORS[IND[name]].decimals, rv))
    return dict(indicators=names, months=len(months), sig=list(S.round_sig), p05=S.round_p05)


def _copied(w, u, S, rs, variant, used, fabricated):
    if variant == "copy_unit":
        others = [f for f in fabricated if f != u]
        if not others:
            variant = "copy_year"
    names = _pick(rs, PLAIN_FLOWS, S.copy_indicators if variant != "repeat" else 1, used)
    if variant == "repeat":
        t0 = int(rs.integers(0, T - S.repeat_run + 1))
        t = np.arange(t0, t0 + S.repeat_run)
        for name in names:
            w.V[IND[name], u, t] = w.V[IND[name], u, t0]
        return dict(variant=variant, indicators=names, months=[str(m) for m in month_label(t[[0, -1]])])
    n = min(S.copy_months, 12) if variant == "copy_year" else S.copy_months
    t0 = (12 if variant == "copy_year" else 0) + int(rs.integers(0, (12 if variant == "copy_year" else T) - n + 1))
    t = np.arange(t0, t0 + n)
    if variant == "copy_year":
        for name in names:
            w.V[IND[name], u, t] = w.V[IND[name], u, t - 12]
        return dict(variant=variant, indicators=names, months=n)
    same = [f for f in others if w.groups[f] == w.groups[u]] or others
    src = min(same, key=lambda f: abs(math.log(w.sizes[f] / w.sizes[u])))
    for name in names:
        w.V[IND[name], u, t] = w.V[IND[name], src, t]
    return dict(variant=variant, indicators=names, months=n, source=str(w.units[src]))


def _smooth(w, u, S, rs, rv, variant, used):
    names = _pick(rs, FLOWS, S.smooth_indicators, used)
    n = S.smooth_months
    t = np.arange(T - n, T)
    target = float(rs.choice([0.06, 0.065, 0.07, 0.075, 0.08, 0.085, 0.09, 0.10]))
    for name in names:
        v = w.V[IND[name], u]
        if variant == "target":
            fake = v[t - 12] * (1 + target + rv.normal(0, S.target_noise, n))
        else:
            season = SEASON[name][np.arange(T) % 12]
            ref = np.arange(T - n) if n < T else np.arange(T)
            base = np.median(v[ref] / season[ref])
            fake = base * (1 + target) ** ((t - ref.mean()) / 12) * season[t] * np.exp(
                rv.normal(0, HONEST_SIGMA[name] * S.smooth_ratio, n))
        _set(w, name, u, t, fake)
    out = dict(variant=variant, indicators=names, months=n, growth=target)
    out.update(noise=S.target_noise if variant == "target" else S.smooth_ratio)
    return out


def _inflated(w, u, S, rs, rv, used):
    names = _pick(rs, list(PARTS), S.inflate_totals, used)
    months = np.sort(rs.permutation(T)[: math.ceil(S.inflate_months * T)])
    for name in names:
        parts = sum(w.P[p][u, months] for p in PARTS[name])
        _set(w, name, u, months, parts * (1 + rv.uniform(*S.inflate, len(months))), rescale=False)
    return dict(indicators=names, months=len(months), markup=list(S.inflate))


def choose(n_units: int, seed: int) -> dict[int, list[tuple[str, str | None]]]:
    """Fabricated units and their kinds (and variants): the same in every setting."""
    rng = np.random.default_rng([seed, 1])
    n_fab = max(1, round(0.1 * n_units))
    fab = np.sort(rng.choice(n_units, n_fab, replace=False))
    cycle = list(rng.permutation(KINDS))
    plan = {}
    for j, u in enumerate(fab):
        kinds = [cycle[j % len(KINDS)]]
        if rng.random() < 0.35:
            kinds.append(str(rng.choice([k for k in KINDS if k != kinds[0]])))
        plan[int(u)] = [(k, str(rng.choice(VARIANTS[k])) if k in VARIANTS else None) for k in kinds]
    return plan


def fabricate(w: World, seed: int, setting: str):
    """Plant the fabrication; returns truth, the invented claims and the drift plan per unit."""
    S = SETTINGS[setting]
    plan = choose(len(w.units), seed)
    extra: list[pd.DataFrame] = []
    params: dict[int, dict] = {}
    drift: dict[int, dict] = {}
    # copies last, so that a copied series is the source's final one
    for u, kinds in sorted(plan.items(), key=lambda kv: any(k == "copied" for k, _ in kv[1])):
        rs, rv = np.random.default_rng([seed, 2, u]), np.random.default_rng([seed, 3, u])
        used: set[str] = set()
        params[u] = {}
        for kind, variant in kinds:
            if kind == "unbacked":
                p = _unbacked(w, u, S, rs, variant, extra)
            elif kind == "round":
                p = _round(w, u, S, rs, rv, used)
            elif kind == "copied":
                p = _copied(w, u, S, rs, variant, used, list(plan))
            elif kind == "smooth":
                p = _smooth(w, u, S, rs, rv, variant, used)
            elif kind == "inflated_total":
                p = _inflated(w, u, S, rs, rv, used)
            else:
                p = drift[u] = dict(cells=S.drift_cells, versions=list(S.drift_versions), step=S.drift_step,
                                    p_up=S.drift_p_up)
            params[u][kind] = p
    peer = np.array([g[0] for g in PEER_GROUPS])[w.groups]
    truth = pd.DataFrame({
        "unit": w.units, "peer_group": peer,
        "fabricated": [int(u in plan) for u in range(len(w.units))],
        "kinds": [";".join(k for k, _ in plan.get(u, [])) for u in range(len(w.units))],
        "params": [json.dumps(params[u], ensure_ascii=False) if u in params else "" for u in range(len(w.units))],
    })
    claims = pd.concat(extra, ignore_index=True) if extra else w.claims.iloc[:0]
    return truth, claims, drift


def _typo(v: float, decimals: int, r: float) -> float:
    """Swap two adjacent different digits among the first three."""
    text = f"{abs(v):.{decimals}f}"
    digits = [i for i, c in enumerate(text[:4]) if c.isdigit()]
    pairs = [(a, b) for a, b in zip(digits, digits[1:], strict=False) if b == a + 1 and text[a] != text[b]
             and not (a == 0 and text[b] == "0")]
    if not pairs:
        return v
    a, b = pairs[int(r * len(pairs))]
    swapped = text[:a] + text[b] + text[a] + text[b + 1:]
    return math.copysign(float(swapped), v)


def honest_errors(w: World, seed: int) -> dict[str, list[str]]:
    """Honest slips that a screen must tolerate: a digit swap, a refund, a total off its parts by
    one to three rounding units, a missing month. Drawn for every unit from a seed-only stream."""
    rng = np.random.default_rng([seed, 6])
    n = len(w.units)
    draws = {k: (rng.random(n), rng.integers(0, T, n), rng.random(n), rng.random(n))
             for k in ("typo", "refund", "off_parts", "missing")}
    rates = {"typo": 0.06, "refund": 0.04, "off_parts": 0.06, "missing": 0.03}
    found: dict[str, list[str]] = {}
    for kind, (hit, t, r1, r2) in draws.items():
        for u in np.nonzero(hit < rates[kind])[0]:
            m = int(t[u])
            if kind == "typo":
                name = FLOWS[int(r1[u] * len(FLOWS))]
                i = IND[name]
                w.V[i, u, m] = _typo(w.V[i, u, m], INDICATORS[i].decimals, r2[u])
            elif kind == "refund":
                name = "tax_revenue"
                w.V[IND[name], u, m] = -round((0.05 + 0.35 * r1[u]) * abs(w.V[IND[name], u, m]), 1)
            elif kind == "off_parts":
                name = list(PARTS)[int(r1[u] * len(PARTS))]
                parts = sum(w.P[p][u, m] for p in PARTS[name])
                k = 1 + int(r2[u] * 6) % 3  # one to three rounding units
                w.V[IND[name], u, m] = round(parts + k * (1 if r2[u] < 0.5 else -1) * 0.1, 1)
            else:
                name = FLOWS[int(r1[u] * len(FLOWS))]
                w.V[IND[name], u, m] = np.nan
            found.setdefault(str(w.units[u]), []).append(f"{kind}:{name}@{month_label(m)}")
    return found


def _dates(t: int, gaps: np.ndarray) -> list[str]:
    first = (np.datetime64("2023-01", "M") + t + 1).astype("datetime64[D]")
    return [str(d) for d in first + np.cumsum(gaps)]


def revisions(w: World, seed: int, setting: str, drift: dict[int, dict]) -> pd.DataFrame:
    """Every version of the cells that were resubmitted; the last version is the reported figure.

    Honest units: 85% revise 2-10 cells, 2-4 versions, steps up slightly more often than down
    (55%). Drifting units resubmit more cells, each step upward; the figure becomes the last."""
    S = SETTINGS[setting]
    rng = np.random.default_rng([seed, 4])
    n, cells_n = len(w.units), len(REVISED) * T
    rows: list[tuple] = []
    for u in range(n):
        k = int(rng.integers(2, 11)) if rng.random() < 0.85 else 0
        cells = rng.choice(cells_n, k, replace=False)
        nv = rng.choice([2, 3, 4], k, p=[0.7, 0.25, 0.05])
        steps = [np.where(rng.random(v - 1) < 0.55, 1, -1) * np.minimum(np.exp(rng.normal(math.log(0.015), 0.7, v - 1)),
                                                                        0.2) for v in nv]
        gaps = [rng.integers(3, 40, v) + np.r_[rng.integers(2, 10), np.zeros(v - 1, int)] for v in nv]
        taken = set(cells.tolist())
        for c, st, g in zip(cells, steps, gaps, strict=True):
            _honest_cell(w, u, int(c), st, g, rows)
        if u in drift:
            rd = np.random.default_rng([seed, 5, u])
            order = [c for c in rd.permutation(cells_n) if c not in taken][: S.drift_cells]
            for c in order:
                v = int(rd.integers(S.drift_versions[0], S.drift_versions[1] + 1))
                st = np.where(rd.random(v - 1) < S.drift_p_up, 1, -1) * S.drift_step * np.exp(rd.normal(0, 0.4, v - 1))
                g = rd.integers(3, 40, v) + np.r_[rd.integers(2, 10), np.zeros(v - 1, int)]
                _drift_cell(w, u, int(c), st, g, rows)
    return pd.DataFrame(rows, columns=["unit", "indicator", "month", "version", "value", "submitted"])


def _cell(c: int) -> tuple[str, int, int]:
    name = REVISED[c // T]
    return name, IND[name], c % T


def _honest_cell(w, u, c, steps, gaps, rows) -> None:
    name, i, t = _cell(c)
    final = w.V[i, u, t]
    if not np.isfinite(final) or final <= 0:
        return
    d = INDICATORS[i].decimals
    values = [final]
    for s in steps[::-1]:
        values.append(round(values[-1] / (1 + s), d))
    _rows(w, u, name, t, values[::-1], gaps, rows)


def _drift_cell(w, u, c, steps, gaps, rows) -> None:
    name, i, t = _cell(c)
    first = w.V[i, u, t]
    if not np.isfinite(first) or first <= 0:
        return
    d = INDICATORS[i].decimals
    values = [first]
    for s in steps:
        values.append(round(values[-1] * (1 + s), d))
    w.V[i, u, t] = values[-1]
    _rows(w, u, name, t, values, gaps, rows)


def _rows(w, u, name, t, values, gaps, rows) -> None:
    label = str(month_label(t))
    for k, (v, day) in enumerate(zip(values, _dates(t, gaps), strict=True)):
        rows.append((str(w.units[u]), name, label, k + 1, float(v), day))


def setting_table() -> list[dict]:
    return [dict(setting=name, **asdict(s)) for name, s in SETTINGS.items()]
