"""The honest world of the fabrication benchmark: units, indicators, seasonality, counts and claims.

Nothing here depends on the benchmark setting: the same seed gives the same honest data in
easy, default and hard (plant.py changes them afterwards).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

T = 24  # months of figures: 2023-01 .. 2024-12
T_INSURANCE = T + 3  # contribution records run three months past the last reported month
FIRST_YEAR = 2023


@dataclass(frozen=True)
class Indicator:
    name: str
    uom: str
    kind: str  # flow | stock | rate | part
    decimals: int
    total_of: str | None
    description: str


INDICATORS = [
    Indicator("industrial_output", "万元", "flow", 1, None,
              "规模以上工业总产值 gross output of industry above designated size"),
    Indicator("fixed_investment", "万元", "flow", 1, None, "固定资产投资 fixed-asset investment (parts: inv_*)"),
    Indicator("retail_sales", "万元", "flow", 1, None,
              "社会消费品零售总额 retail sales of consumer goods (parts: retail_*)"),
    Indicator("tax_revenue", "万元", "flow", 1, None,
              "税收收入 tax revenue (quarterly payment months; refunds can be negative)"),
    Indicator("electricity", "万千瓦时", "flow", 2, None, "全社会用电量 electricity consumption"),
    Indicator("new_enterprises", "个", "flow", 0, None, "新登记企业数 newly registered enterprises"),
    Indicator("employees", "人", "stock", 0, None, "城镇单位从业人员 persons employed in urban units (end of month)"),
    Indicator("deposits", "亿元", "stock", 2, None, "金融机构存款余额 deposits outstanding (end of month)"),
    Indicator("floor_space", "万平方米", "stock", 2, None, "商业营业面积 commercial floor space (end of month)"),
    Indicator("laid_off_ytd", "人", "stock", 0, None,
              "下岗失业人员累计 laid-off workers, year to date (累计, resets in January)"),
    Indicator("reemployed_ytd", "人", "stock", 0, None,
              "再就业人员累计 re-employed workers, year to date (累计, resets in January)"),
    Indicator("reemployment_rate", "%", "rate", 1, None, "再就业率 = reemployed_ytd / laid_off_ytd * 100"),
]
PARTS = {
    "fixed_investment": ["inv_manufacturing", "inv_services", "inv_infrastructure"],
    "retail_sales": ["retail_goods", "retail_catering"],
}
PART_TEXT = {
    "inv_manufacturing": "制造业投资 manufacturing investment", "inv_services": "服务业投资 services investment",
    "inv_infrastructure": "基础设施投资 infrastructure investment", "retail_goods": "商品零售 retail of goods",
    "retail_catering": "餐饮收入 catering",
}
IND = {ind.name: i for i, ind in enumerate(INDICATORS)}
DECIMALS = np.array([ind.decimals for ind in INDICATORS])

# name, code prefix, share of units, composition relative to an average unit
PEER_GROUPS = [
    ("城区", "D", 0.20, dict(industrial_output=0.6, fixed_investment=0.8, retail_sales=2.0, tax_revenue=1.3,
                            electricity=0.8, new_enterprises=1.6, deposits=2.0, floor_space=1.8, laid_off=1.2)),
    ("县", "C", 0.30, dict(industrial_output=0.8, fixed_investment=0.9, retail_sales=0.8, tax_revenue=0.6,
                          electricity=0.8, new_enterprises=0.7, deposits=0.6, floor_space=0.7, laid_off=1.0)),
    ("县级市", "S", 0.15, {}),
    ("开发区", "Z", 0.20, dict(industrial_output=2.5, fixed_investment=2.0, retail_sales=0.25, tax_revenue=1.5,
                             electricity=2.5, new_enterprises=1.4, deposits=0.4, floor_space=0.2, laid_off=0.8)),
    ("工业园区", "P", 0.15, dict(industrial_output=2.0, fixed_investment=1.5, retail_sales=0.1, tax_revenue=1.0,
                              electricity=2.2, new_enterprises=0.8, deposits=0.2, floor_space=0.1, laid_off=0.9)),
]

_S = np.array
SEASON = {  # month factors, January first
    "industrial_output": _S([0.95, 0.70, 1.02, 1.00, 1.02, 1.05, 0.98, 0.98, 1.03, 1.00, 1.05, 1.15]),
    "fixed_investment": _S([0.50, 0.35, 0.85, 0.90, 0.95, 1.15, 0.90, 0.90, 1.10, 0.95, 1.10, 2.20]),
    "retail_sales": _S([1.15, 0.95, 0.95, 0.93, 0.98, 0.97, 0.95, 0.96, 1.00, 1.08, 1.03, 1.12]),
    "tax_revenue": _S([1.60, 0.70, 0.90, 1.50, 0.90, 0.85, 1.40, 0.85, 0.80, 1.35, 0.85, 0.90]),
    "electricity": _S([1.05, 0.75, 0.95, 0.92, 0.98, 1.08, 1.22, 1.22, 1.02, 0.95, 0.98, 1.08]),
    "new_enterprises": _S([1.00, 0.50, 1.20, 1.10, 1.00, 1.00, 1.00, 0.90, 1.00, 0.80, 1.00, 1.10]),
    "laid_off": _S([1.30, 0.80, 1.10, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.20]),
}
# monthly level of an average unit (size 1) and the month-to-month noise (log scale)
FLOW_BASE = {"industrial_output": (50000, 0.08), "fixed_investment": (20000, 0.30), "retail_sales": (15000, 0.06),
             "tax_revenue": (3000, 0.15), "electricity": (2000, 0.05)}
HONEST_SIGMA = {name: sigma for name, (_, sigma) in FLOW_BASE.items()}


def _labels(n: int) -> np.ndarray:
    t = np.arange(n)
    year = (FIRST_YEAR + t // 12).astype(str)
    return np.char.add(np.char.add(year, "-"), np.char.zfill((t % 12 + 1).astype(str), 2)).astype(object)


LABELS = _labels(T_INSURANCE + 12)


def month_label(t: np.ndarray | int) -> np.ndarray:
    """'YYYY-MM' of month ordinals (0 = 2023-01)."""
    return LABELS[t]


@dataclass
class World:
    """Everything generated, as arrays: figures V[indicator, unit, month], parts P[part, unit, month]."""

    units: np.ndarray
    groups: np.ndarray
    sizes: np.ndarray
    V: np.ndarray
    P: dict[str, np.ndarray]
    claims: pd.DataFrame  # person (int), unit (int index), start (month ordinal), first, months
    growth: np.ndarray


def _units(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    shares = np.array([g[2] for g in PEER_GROUPS])
    counts = np.floor(shares * n).astype(int)
    counts[np.argsort(-shares)[: n - counts.sum()]] += 1
    group = np.repeat(np.arange(len(PEER_GROUPS)), counts)
    codes = np.concatenate([[f"{PEER_GROUPS[g][1]}{i + 1:03d}" for i in range(c)] for g, c in enumerate(counts)])
    # heavy-tailed sizes: lognormal body, Pareto tail
    sizes = rng.lognormal(0.0, 0.8, n) * (1.0 + rng.pareto(2.5, n))
    return codes, group, sizes


def _profile(group: np.ndarray, name: str) -> np.ndarray:
    return np.array([PEER_GROUPS[g][3].get(name, 1.0) for g in group])


def _flows(rng, group, sizes, growth, V) -> None:
    n, t = len(sizes), np.arange(T)
    vol = rng.lognormal(0.0, 0.25, n) * np.clip(sizes, 0.05, None) ** -0.1  # small units are noisier
    for name, (base, sigma) in FLOW_BASE.items():
        amp = rng.uniform(0.7, 1.3, n)[:, None]  # units differ in how seasonal they are
        season = SEASON[name][t % 12][None, :] ** amp
        g = growth[:, None] + rng.normal(0.0, 0.04, (n, 1))
        walk = np.cumsum(rng.normal(0.0, sigma / 3, (n, T)), axis=1)
        noise = rng.normal(0.0, sigma, (n, T)) * vol[:, None]
        level = base * (sizes * _profile(group, name) * rng.lognormal(0, 0.3, n))[:, None]
        V[IND[name]] = level * (1 + g) ** (t / 12) * season * np.exp(walk + noise)
    big = rng.random((n, T)) < 0.03  # rare big-project months
    V[IND["fixed_investment"]] *= np.where(big, rng.uniform(2.0, 5.0, (n, T)), 1.0)
    lam = 3.0 * sizes**0.7 * _profile(group, "new_enterprises")
    mean = lam[:, None] * SEASON["new_enterprises"][t % 12] * (1 + growth[:, None]) ** (t / 12)
    V[IND["new_enterprises"]] = rng.poisson(mean)


def _step_stock(rng, start, p_move, mu, sd, n):
    moves = np.where(rng.random((n, T)) < p_move, np.exp(rng.normal(mu, sd, (n, T))), 1.0)
    moves[:, 0] = 1.0
    return start[:, None] * np.cumprod(moves, axis=1)


def _stocks(rng, group, sizes, growth, V) -> None:
    n = len(sizes)
    V[IND["employees"]] = _step_stock(rng, 20000 * sizes * rng.lognormal(0, 0.2, n), 0.35, 0.0, 0.02, n)
    V[IND["employees"]] *= (1 + growth[:, None]) ** (np.arange(T) / 12)
    dep = _step_stock(rng, 80 * sizes * _profile(group, "deposits") * rng.lognormal(0, 0.3, n), 0.85, 0.007, 0.008, n)
    dep[:, 11:] *= 1.01  # December inflow
    V[IND["deposits"]] = dep
    floor = 20 * sizes * _profile(group, "floor_space") * rng.lognormal(0, 0.3, n)
    V[IND["floor_space"]] = floor[:, None] * np.cumprod(
        np.where(rng.random((n, T)) < 0.06, rng.uniform(1.02, 1.12, (n, T)), 1.0), axis=1)


def _parts(rng, group, V) -> dict[str, np.ndarray]:
    """Raw parts that add up exactly to the raw total; shares jitter a little month to month."""
    n = V.shape[1]
    mix = {"fixed_investment": {"城区": [0.15, 0.55, 0.30], "县": [0.30, 0.30, 0.40], "开发区": [0.65, 0.15, 0.20],
                                "工业园区": [0.70, 0.10, 0.20]},
           "retail_sales": {}}
    P = {}
    for total, names in PARTS.items():
        default = [0.35, 0.35, 0.30] if total == "fixed_investment" else [0.87, 0.13]
        base = np.array([mix[total].get(PEER_GROUPS[g][0], default) for g in group])
        base = base * rng.lognormal(0, 0.2, base.shape)
        base /= base.sum(axis=1, keepdims=True)
        shares = rng.gamma(200 * base[:, :, None], 1.0, (n, len(names), T))
        shares /= shares.sum(axis=1, keepdims=True)
        raw = V[IND[total]][:, None, :] * shares
        for k, name in enumerate(names):
            P[name] = raw[:, k, :]
    return P


def _reemployment(rng, group, sizes, claims_target: int):
    """Laid-off and re-employed year-to-date counts and the rate; one claim per re-employed person."""
    n = len(sizes)
    w = sizes**0.8 * _profile(group, "laid_off")
    lam = claims_target / (T * 0.74) * w / w.sum()
    p = rng.uniform(0.15, 0.30, n)
    laid = rng.poisson(lam[:, None] * SEASON["laid_off"][np.arange(T) % 12])
    reemp = np.zeros((n, T), dtype=np.int64)
    pool = np.zeros(n, dtype=np.int64)
    for t in range(T):
        if t % 12 == 0:
            pool[:] = 0  # the counts are year to date
        pool += laid[:, t]
        reemp[:, t] = rng.binomial(pool, p)
        pool -= reemp[:, t]
    return laid, reemp


def _claims(rng, reemp: np.ndarray) -> pd.DataFrame:
    """One claim per re-employed person; contributions start 0-3 months after (some later, a few never)."""
    unit, start = np.nonzero(reemp)
    per = reemp[unit, start]
    unit, start = np.repeat(unit, per), np.repeat(start, per)
    m = len(unit)
    delay = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, -1], m, p=[0.15, 0.40, 0.25, 0.10, 0.03, 0.02, 0.01, 0.01, 0.03])
    first = np.where(delay >= 0, start + delay, -1)
    months = np.minimum(rng.geometric(1 / 22, m), np.maximum(T_INSURANCE - first, 0))
    months = np.where(delay >= 0, months, 0)
    return pd.DataFrame({"person": np.arange(m), "unit": unit, "start": start, "first": first, "months": months})


def honest_world(seed: int, n_units: int, claims_target: int) -> World:
    rng = np.random.default_rng([seed, 0])
    units, group, sizes = _units(rng, n_units)
    growth = rng.normal(0.05, 0.06, n_units)
    V = np.zeros((len(INDICATORS), n_units, T))
    _flows(rng, group, sizes, growth, V)
    _stocks(rng, group, sizes, growth, V)
    P = _parts(rng, group, V)
    laid, reemp = _reemployment(rng, group, sizes, claims_target)
    laid_ytd = np.concatenate([np.cumsum(laid[:, :12], axis=1), np.cumsum(laid[:, 12:], axis=1)], axis=1)
    reemp_ytd = np.concatenate([np.cumsum(reemp[:, :12], axis=1), np.cumsum(reemp[:, 12:], axis=1)], axis=1)
    V[IND["laid_off_ytd"]], V[IND["reemployed_ytd"]] = laid_ytd, reemp_ytd
    claims = _claims(rng, reemp)
    return World(units, group, sizes, V, P, claims, growth)


def round_reported(w: World) -> None:
    """Round every figure to its indicator's decimals; a total is rounded from its raw value, so it
    may differ from the sum of its rounded parts by a rounding unit or two (honest)."""
    for i, ind in enumerate(INDICATORS):
        w.V[i] = np.round(w.V[i], ind.decimals)
    for name, arr in w.P.items():
        w.P[name] = np.round(arr, 1)
    recompute_rate(w.V)


def recompute_rate(V: np.ndarray, mask: np.ndarray | None = None) -> None:
    laid, reemp = V[IND["laid_off_ytd"]], V[IND["reemployed_ytd"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.round(np.where(laid > 0, 100 * reemp / laid, np.nan), 1)
    if mask is None:
        V[IND["reemployment_rate"]] = rate
    else:
        V[IND["reemployment_rate"]] = np.where(mask, rate, V[IND["reemployment_rate"]])
