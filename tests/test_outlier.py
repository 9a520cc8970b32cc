"""The outlier kind against a plain numpy reference of its formulas on random peer groups
(robust z: Iglewicz-Hoaglin; hb: Hidiroglou-Berthelot as in R univOutl::HBmethod)."""

from __future__ import annotations

import numpy as np
import pytest

import statguard

from golden import write_pack

MONTHS = ("2024-05", "2024-06")


def _figures(seed: int) -> list[dict]:
    """Peer groups of 1 to 12 units with heavy-tailed sizes, a common seasonal ratio, noise,
    a few planted jumps, zeros, negatives and missing months."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(6):
        season = rng.uniform(0.8, 1.3)
        for u in range(int(rng.integers(1, 13))):
            size = float(np.round(np.exp(rng.normal(5, 1.5)), 2))
            now = size * season * rng.normal(1, 0.05) * (rng.choice([1, 3, 0.2], p=[0.85, 0.1, 0.05]))
            for month, value in zip(MONTHS, (size, float(np.round(now, 2))), strict=True):
                odd = rng.random()
                if odd < 0.04:
                    continue  # missing month
                value = 0.0 if odd < 0.07 else (-value if odd < 0.09 else value)
                rows.append({"unit": f"G{g}U{u}", "peer_group": f"G{g}", "month": month, "indicator": "x",
                             "value": value})
    return rows


def _run(rows: list[dict], rule: dict, tmp_path) -> tuple[dict, dict]:
    case = {"sources": {"f": {"unit": "unit", "period": "month", "rows": rows, "columns": {
        "unit": "string", "peer_group": "string", "month": "string", "indicator": "string", "value": "number"}}},
        "rules": [{"id": "R", "kind": "outlier", "source": "f", **rule}]}
    path, frames = write_pack(case, tmp_path)
    report = statguard.load_pack(path).validate(frames)
    summary = report.summary.to_dict("records")[0]
    fails = {(v["unit"], v["period"]): v for v in report.violations.to_dict("records")}
    return summary, fails


def _reference_hb(rows: list[dict], u: float = 0.5, a: float = 0.05, c: float = 4.0, min_peers: int = 5):
    values = {(r["unit"], r["month"]): r["value"] for r in rows}
    fails, na = {}, 0
    for group in sorted({r["peer_group"] for r in rows}):
        units = sorted({r["unit"] for r in rows if r["peer_group"] == group})
        pairs = [(k, values.get((k, MONTHS[0])), values.get((k, MONTHS[1]))) for k in units]
        pairs = [(k, x1, x2) for k, x1, x2 in pairs if x2 is not None]
        usable = [(k, x1, x2) for k, x1, x2 in pairs if x1 is not None and x1 > 0 and x2 > 0]
        if len(usable) < min_peers:
            na += len(pairs)
            continue
        na += len(pairs) - len(usable)
        x1 = np.array([p[1] for p in usable])
        x2 = np.array([p[2] for p in usable])
        r = x2 / x1
        rmed = np.median(r)
        e = np.where(r < rmed, 1 - rmed / r, r / rmed - 1) * np.maximum(x1, x2) ** u
        q1, qm, q3 = np.quantile(e, [0.25, 0.5, 0.75])
        d1, d3 = max(qm - q1, abs(a * qm)), max(q3 - qm, abs(a * qm))
        for (k, *_), score in zip(usable, e, strict=True):
            if (score < qm and d1 == 0) or (score > qm and d3 == 0):
                na += 1
            elif not qm - c * d1 <= score <= qm + c * d3:
                fails[(k, MONTHS[1])] = (score, qm - c * d1, qm + c * d3)
    return fails, na


def _reference_z(rows: list[dict], z: float = 3.5, log: bool = False, min_peers: int = 5):
    fails, na = {}, 0
    for key in sorted({(r["peer_group"], r["month"]) for r in rows}):
        group = [r for r in rows if (r["peer_group"], r["month"]) == key]
        ok = [r for r in group if r["value"] > 0] if log else group
        na += len(group) - len(ok)
        x = np.array([np.log(r["value"]) if log else r["value"] for r in ok])
        med = np.median(x) if len(x) else 0
        mad = 1.4826 * np.median(np.abs(x - med)) if len(x) else 0
        if len(ok) < min_peers or mad == 0:
            na += len(ok)
            continue
        for r, xi in zip(ok, x, strict=True):
            if abs(xi - med) / mad > z:
                fails[(r["unit"], r["month"])] = abs(xi - med) / mad
    return fails, na


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_hb_matches_the_formula(seed, tmp_path):
    rows = _figures(seed)
    want, na = _reference_hb(rows)
    summary, got = _run(rows, {"method": "hb"}, tmp_path)
    assert set(got) == set(want)
    assert summary["not_evaluable"] == na + sum(r["month"] == MONTHS[0] for r in rows)
    for item, (score, lower, upper) in want.items():
        values = got[item]["values"]
        assert got[item]["observed"] == pytest.approx(score, rel=1e-9, abs=1e-9)
        assert (values["lower"], values["upper"]) == pytest.approx((lower, upper), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("log", [False, True])
def test_robust_z_matches_the_formula(seed, log, tmp_path):
    rows = _figures(seed)
    z = 1.5 if log else 3.5  # heavy tails hardly reach 3.5 on the log scale
    want, na = _reference_z(rows, z=z, log=log)
    summary, got = _run(rows, {"log": log, "z": z}, tmp_path)
    assert set(got) == set(want)
    assert summary["not_evaluable"] == na
    for item, z in want.items():
        assert got[item]["values"]["z"] == pytest.approx(z, rel=1e-9)
