#!/usr/bin/env python3
"""Planted-fabrication benchmark: honest monthly submissions of a few hundred units, some fabricated.

    python bench/fabrication/generate.py --setting default --seed 101 --units 300 --out /tmp/fab
        [--format parquet|csv] [--claims 100000]

Writes the seven tables of the credibility screen (figures, parts, revisions, claims,
insurance, counties, indicators) and truth.csv (unit, peer_group, fabricated, kinds, params,
honest_errors), plus meta.json. The honest data depend on the seed only; the setting
(easy, default, hard) changes only how subtle the planted fabrication is (see plant.py and
README.md). Everything is drawn from numpy generators seeded from (seed, stream), so a seed
gives the same files on every run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

import plant  # noqa: E402
from world import (  # noqa: E402,E501
    DECIMALS,
    IND,
    INDICATORS,
    PART_TEXT,
    PARTS,
    PEER_GROUPS,
    T,
    World,
    honest_world,
    month_label,
    round_reported,
)

# ---------------------------------------------------------------- tables

def _fmt(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for d in np.unique(decimals):
        sel = decimals == d
        out[sel] = np.char.mod(f"%.{d}f", values[sel])
    return out


def tables(w: World, revisions: pd.DataFrame, extra_claims: pd.DataFrame) -> dict[str, pd.DataFrame]:
    n_ind, n, _ = w.V.shape
    months = month_label(np.arange(T))
    peer = np.array([g[0] for g in PEER_GROUPS])[w.groups]
    ind_i, unit_i, t_i = (a.ravel() for a in np.meshgrid(np.arange(n_ind), np.arange(n), np.arange(T), indexing="xy"))
    order = np.lexsort((t_i, ind_i, unit_i))
    ind_i, unit_i, t_i = ind_i[order], unit_i[order], t_i[order]
    val = w.V[ind_i, unit_i, t_i]
    keep = ~np.isnan(val)
    figures = pd.DataFrame({"unit": w.units[unit_i], "peer_group": peer[unit_i], "month": months[t_i],
                            "indicator": np.array([i.name for i in INDICATORS])[ind_i], "value": val})[keep]
    rows = []
    for total, names in PARTS.items():
        for name in names:
            u, t = np.meshgrid(np.arange(n), np.arange(T), indexing="ij")
            rows.append(pd.DataFrame({"unit": w.units[u.ravel()], "peer_group": peer[u.ravel()],
                                      "month": months[t.ravel()], "total_indicator": total, "part": name,
                                      "value": w.P[name].ravel()}))
    parts = pd.concat(rows, ignore_index=True).sort_values(["unit", "month", "total_indicator", "part"],
                                                           kind="stable", ignore_index=True)
    c = pd.concat([w.claims, extra_claims], ignore_index=True).sort_values(["unit", "start", "person"], kind="stable")
    pid = plant.person_code(c["person"].to_numpy())
    claims = pd.DataFrame({"person_id": pid, "unit": w.units[c["unit"].to_numpy()],
                           "start_month": month_label(c["start"].to_numpy())})
    real = w.claims[w.claims["months"] > 0]
    reps = real["months"].to_numpy()
    nth = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)  # 0, 1, ... within each person
    ins_month = np.repeat(real["first"].to_numpy(), reps) + nth
    ins_pid = np.repeat(plant.person_code(real["person"].to_numpy()), reps)
    insurance = pd.DataFrame({"person_id": ins_pid, "month": month_label(ins_month)})
    counties = pd.DataFrame({"unit": w.units, "peer_group": peer})
    ind_rows = [dict(indicator=i.name, uom=i.uom, kind=i.kind, decimals=i.decimals, total_of=i.total_of,
                     description=i.description) for i in INDICATORS]
    ind_rows += [dict(indicator=p, uom="万元", kind="part", decimals=1, total_of=total, description=PART_TEXT[p])
                 for total, names in PARTS.items() for p in names]
    indicators = pd.DataFrame(ind_rows)
    return dict(figures=figures, parts=parts, revisions=revisions, claims=claims, insurance=insurance,
                counties=counties, indicators=indicators)


def write(tabs: dict[str, pd.DataFrame], out: Path, fmt: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tabs.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path)
            continue
        df = df.copy()
        if name == "figures":  # values as submitted: with the indicator's decimals
            df["value"] = _fmt(df["value"].to_numpy(), DECIMALS[df["indicator"].map(IND).to_numpy()])
        elif name in ("parts", "revisions"):
            dec = 1 if name == "parts" else DECIMALS[df["indicator"].map(IND).to_numpy()]
            df["value"] = _fmt(df["value"].to_numpy(), np.broadcast_to(dec, len(df)))
        if name in ("claims", "insurance"):  # large and plain: pyarrow writes them fast
            pacsv.write_csv(pa.Table.from_pandas(df, preserve_index=False), path,
                            pacsv.WriteOptions(quoting_style="none"))
        else:
            df.to_csv(path, index=False)


def generate(setting: str, seed: int, n_units: int, out: Path, fmt: str = "parquet",
             claims_target: int = 100_000) -> dict:
    """Generate one dataset; returns its meta (also written to out/meta.json)."""
    t0 = time.perf_counter()
    w = honest_world(seed, n_units, claims_target)
    round_reported(w)
    truth, extra_claims, drift = plant.fabricate(w, seed, setting)
    honest_errors = plant.honest_errors(w, seed)
    revisions = plant.revisions(w, seed, setting, drift)
    tabs = tables(w, revisions, extra_claims)
    write(tabs, out, fmt)
    truth["honest_errors"] = [";".join(honest_errors.get(u, [])) for u in truth["unit"]]
    truth.to_csv(out / "truth.csv", index=False)
    meta = dict(setting=setting, seed=seed, units=n_units, format=fmt, claims_target=claims_target,
                rows={k: len(v) for k, v in tabs.items()}, fabricated=int(truth["fabricated"].sum()),
                seconds=round(time.perf_counter() - t0, 3))
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--setting", choices=list(plant.SETTINGS), default="default")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ap.add_argument("--claims", type=int, default=100_000, help="about how many claims (re-employed persons)")
    a = ap.parse_args(argv)
    meta = generate(a.setting, a.seed, a.units, a.out, a.format, a.claims)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
