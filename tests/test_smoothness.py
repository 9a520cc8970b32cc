"""smoothness beyond the golden cases: its period-aware plans render in a second dialect, and
the robust z agrees with a plain numpy computation on random peer groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import statguard
from statguard.checks import registry
from statguard.checks.plan import Context

from golden import load_cases, write_pack

CASES = [(n, c) for n, c in load_cases() if n.startswith("smoothness::") and "problems" not in c["expect"]]


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_period_plans_render_as_spark_sql(case, tmp_path):
    """The golden test of a second dialect skips plans that run through the period mapping;
    their query (meta['query']) must render too."""
    path, _ = write_pack(case, tmp_path)
    pack = statguard.load_pack(path)
    for rule in pack.rules:
        plan = registry.get(rule.kind).plan(rule, Context(pack, rule, dialect="spark"))
        sql = plan.meta["query"].sql(dialect="spark", unsupported_level="raise")
        assert "SELECT" in sql and '"' not in sql.replace('\\"', "")


def _spreads(rng: np.random.Generator, n_units: int) -> dict[str, list[float]]:
    months = 13
    series = {}
    for u in range(n_units):
        noise = rng.uniform(0.005, 0.2)
        values = 100 * np.cumprod(1 + rng.normal(0.01, noise, months))
        series[f"U{u}"] = [round(float(v), 3) for v in values]
    return series


def _expected(series: dict[str, list[float]], z_cut: float, max_ratio: float, alpha: float) -> dict[str, str]:
    from statistics import NormalDist
    spread, n = {}, {}
    for unit, values in series.items():
        v = np.array(values)
        rates = np.round((v[1:] / v[:-1] - 1) * 100, 9)
        spread[unit] = round(float(np.std(rates, ddof=1)), 4)
        n[unit] = len(rates)
    x = np.log(np.maximum(np.array(list(spread.values())), 0.01))
    med = np.median(x)
    scale = np.median(np.abs(x - med)) * 1.4826
    if scale == 0:
        scale = np.mean(np.abs(x - med)) * 1.253314
    peer_median = np.median(list(spread.values()))
    out = {}
    for (unit, s), xi in zip(spread.items(), x, strict=True):
        z = (xi - med) / scale if scale > 0 else 0.0
        c = 2 / (9 * (n[unit] - 1))  # Wilson-Hilferty: the alpha quantile of chi2(k) / k
        bound = min(max_ratio, max(1 - c + NormalDist().inv_cdf(alpha) * c ** 0.5, 0) ** 1.5)
        out[unit] = "fail" if z < -z_cut and s < bound * peer_median else "pass"
    return out


@pytest.mark.parametrize("seed", range(6))
def test_verdicts_agree_with_numpy(seed, tmp_path):
    rng = np.random.default_rng(seed)
    series = _spreads(rng, int(rng.integers(5, 12)))
    months = [f"2024-{m:02d}" if m else "2023-12" for m in range(13)]
    rows = [{"unit": u, "month": m, "value": v} for u, vs in series.items() for m, v in zip(months, vs, strict=True)]
    z_cut, max_ratio, alpha = 1.5, 0.8, 0.3  # loose enough that random groups have failures
    pack = {"sources": {"f": {"unit": "unit", "period": "month",
                              "columns": {"unit": "string", "month": "string", "value": "number"}}},
            "rules": [{"id": "S", "kind": "smoothness", "source": "f", "z": z_cut, "max_ratio": max_ratio,
                       "alpha": alpha}]}
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    report = statguard.load_pack(path).validate({"f": pd.DataFrame(rows)})
    failing = set(report.violations["unit"]) if len(report.violations) else set()
    expected = _expected(series, z_cut, max_ratio, alpha)
    assert failing == {u for u, verdict in expected.items() if verdict == "fail"}


@pytest.mark.parametrize("seed", range(1, 5))
def test_peer_differences_agree_with_numpy(seed, tmp_path):
    """relative_to: peers: each rate less the median rate of the other series that month (numpy), then the
    same robust z and bound; one series gets the shared seasons with little noise."""
    rng = np.random.default_rng(100 + seed)
    n_units, months = int(rng.integers(15, 25)), 13
    season = rng.normal(0.0, 0.15, months)
    series = {}
    for u in range(n_units):
        noise = 0.0 if u == 0 else rng.uniform(0.04, 0.08)
        series[f"U{u}"] = [round(float(v), 3) for v in 100 * np.cumprod(1 + season + rng.normal(0, noise, months))]
    rates = {u: np.round((np.array(v[1:]) / np.array(v[:-1]) - 1) * 100, 9) for u, v in series.items()}
    diffs = {u: r - np.median([rates[o] for o in rates if o != u], axis=0) for u, r in rates.items()}
    spread = {u: round(float(np.std(d, ddof=1)), 4) for u, d in diffs.items()}
    x = np.log(np.maximum(np.array(list(spread.values())), 0.01))
    med = np.median(x)
    scale = np.median(np.abs(x - med)) * 1.4826 or np.mean(np.abs(x - med)) * 1.253314
    peer_median = np.median(list(spread.values()))
    expected = {u for (u, s), xi in zip(spread.items(), x, strict=True)
                if scale > 0 and (xi - med) / scale < -3.5 and s < 0.3974 * peer_median}  # 12 rates: bound 0.3974
    months_ = [f"2024-{m:02d}" if m else "2023-12" for m in range(13)]
    rows = [{"unit": u, "month": m, "value": v} for u, vs in series.items() for m, v in zip(months_, vs, strict=True)]
    pack = {"sources": {"f": {"unit": "unit", "period": "month",
                              "columns": {"unit": "string", "month": "string", "value": "number"}}},
            "rules": [{"id": "S", "kind": "smoothness", "source": "f", "relative_to": "peers"}]}
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    report = statguard.load_pack(path).validate({"f": pd.DataFrame(rows)})
    failing = set(report.violations["unit"]) if len(report.violations) else set()
    assert failing == expected
    assert "U0" in expected


def _robust_z(x: np.ndarray) -> np.ndarray:
    med = np.median(x)
    scale = np.median(np.abs(x - med)) * 1.4826 or np.mean(np.abs(x - med)) * 1.253314
    return (x - med) / scale if scale > 0 else np.zeros_like(x)


@pytest.mark.parametrize("seed", range(1, 6))
def test_within_unit_agrees_with_numpy(seed, tmp_path):
    """within_unit: each series' log spread ratio to its indicator's peer median, less the median of the unit's
    other series' (leave-one-out, at least min_series 3), judged by robust z among the peers (numpy). Every
    unit has a volatility shared by its indicators; U0 smooths one; U1 reports 3 indicators only (2 others:
    not evaluable, and left out of the judged peers)."""
    from statistics import NormalDist
    rng = np.random.default_rng(200 + seed)
    n_units, months, indicators = int(rng.integers(12, 20)), 13, ["a", "b", "c", "d", "e"]
    z_cut, max_ratio, alpha = 2.0, 0.8, 0.3
    rows, spread = [], {}
    labels = [f"2024-{m:02d}" if m else "2023-12" for m in range(months)]
    for u in range(n_units):
        vol = rng.lognormal(0.0, 0.5)
        for k, ind in enumerate(indicators[:3] if u == 1 else indicators):
            sigma = 0.05 * vol * (0.05 if u == 0 and k == 0 else 1.0)
            values = [round(float(v), 3) for v in 100 * np.cumprod(1 + rng.normal(0.01, sigma, months))]
            rows += [{"unit": f"U{u}", "month": m, "indicator": ind, "value": v}
                     for m, v in zip(labels, values, strict=True)]
            rates = np.round((np.array(values[1:]) / np.array(values[:-1]) - 1) * 100, 9)
            spread[(f"U{u}", ind)] = round(float(np.std(rates, ddof=1)), 4)
    peer_median = {ind: float(np.median([s for (_, i), s in spread.items() if i == ind])) for ind in indicators}
    r = {key: np.log(max(s, 0.01)) - np.log(max(peer_median[key[1]], 0.01)) for key, s in spread.items()}
    y, expected_spread = {}, {}
    for (unit, ind), value in r.items():
        others = [v for (u, i), v in r.items() if u == unit and i != ind]
        if len(others) >= 3:
            y[(unit, ind)] = value - float(np.median(others))
            expected_spread[(unit, ind)] = peer_median[ind] * float(np.exp(np.median(others)))
    c = 2 / (9 * (months - 2))
    bound = min(max_ratio, max(1 - c + NormalDist().inv_cdf(alpha) * c ** 0.5, 0) ** 1.5)
    expected = set()
    for ind in indicators:
        keys = [k for k in y if k[1] == ind]
        for key, z in zip(keys, _robust_z(np.array([y[k] for k in keys])), strict=True):
            if z < -z_cut and spread[key] < bound * expected_spread[key]:
                expected.add(key)
    pack = {"sources": {"f": {"unit": "unit", "period": "month", "columns": {
        "unit": "string", "month": "string", "indicator": "string", "value": "number"}}},
        "rules": [{"id": "S", "kind": "smoothness", "source": "f", "within_unit": True, "z": z_cut,
                   "max_ratio": max_ratio, "alpha": alpha}]}
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump(pack), encoding="utf-8")
    report = statguard.load_pack(path).validate({"f": pd.DataFrame(rows)})
    v = report.violations
    failing = {(u, k["indicator"]) for u, k in zip(v["unit"], v["keys"], strict=True)} if len(v) else set()
    assert failing == expected
    assert ("U0", "a") in expected
    summary = report.summary.to_dict("records")[0]
    assert summary["not_evaluable"] == 3  # U1's three series
