#!/usr/bin/env python3
"""The `expectation` kind on 1M records against the same expectation run in great-expectations
alone, on the same DataFrame, in the same process, round-robin (one warm-up round, then N timed
rounds). Prints the median and the spread (min-max) of each and the ratio of the medians.

    python bench/expectation_bench.py [--rows 1000000] [--rounds 7] [--seed 1]

The data: unit (text key), period, turnover (normal, mean 1000, sd 300, 2% NULL), size (text).
Two expectations: expect_column_values_to_be_between(turnover, 0..1700), about 1% of the
records unexpected (one violation each, with unit and period), and
expect_column_mean_to_be_between (one item).

statguard: `pack.validate({"retailers": frame})`, everything a user waits for: the engine,
binding the frame, fetching the column from DuckDB, GX, the violations and the report (which
also gathers per-unit facts of the source, the same for every kind); "rule alone" is the rule's
own seconds in the report's summary (fetch, GX, violations).
GX alone, each with a get_batch and a validate (result_format COMPLETE):
  gx.frame   on the whole source frame (the same data statguard is given)
  gx.keys    the same, asking for unit and period of each unexpected record
             (unexpected_index_column_names), which is what statguard reports
  gx.column  on a frame of the checked column alone (GX's fastest case, no keys)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

PACK = """sources:
  retailers:
    keys: [unit, period]
    unit: unit
    period: period
    columns: {unit: string, period: string, turnover: number, size: string}
rules:
  - {id: MAP, kind: expectation, source: retailers, expectation: expect_column_values_to_be_between,
     kwargs: {column: turnover, min_value: 0, max_value: 1700}}
  - {id: MEAN, kind: expectation, source: retailers, expectation: expect_column_mean_to_be_between,
     kwargs: {column: turnover, min_value: 0, max_value: 900}}
"""
KWARGS = {"MAP": ("expect_column_values_to_be_between", {"column": "turnover", "min_value": 0, "max_value": 1700}),
          "MEAN": ("expect_column_mean_to_be_between", {"column": "turnover", "min_value": 0, "max_value": 900})}


def data(rows: int, seed: int) -> Any:
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    turnover = rng.normal(1000, 300, rows).round(1)
    turnover[rng.random(rows) < 0.02] = np.nan
    return pd.DataFrame({"unit": [f"U{i:07d}" for i in range(rows)], "period": "2024Q1", "turnover": turnover,
                         "size": rng.choice(["sc0", "sc1", "sc2", "sc3"], rows)})


def gx_runner(frame: Any) -> dict[str, Any]:
    """GX alone: one ephemeral context, one pandas batch definition; each call times one
    get_batch + validate."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )
        from great_expectations.expectations.registry import get_expectation_impl
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                               analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False))
    batches = (gx.get_context(project_config=config, mode="ephemeral").data_sources.add_pandas("bench")
               .add_dataframe_asset("frame").add_batch_definition_whole_dataframe("all"))
    column = frame[["turnover"]].copy()

    def run(rule: str, how: str) -> tuple[float, int]:
        name, kwargs = KWARGS[rule]
        expectation = get_expectation_impl(name)(**kwargs)
        fmt: Any = ({"result_format": "COMPLETE", "unexpected_index_column_names": ["unit", "period"]}
                    if how == "keys" else "COMPLETE")
        t0 = time.perf_counter()
        batch = batches.get_batch(batch_parameters={"dataframe": column if how == "column" else frame})
        result = batch.validate(expectation, result_format=fmt)
        seconds = time.perf_counter() - t0
        return seconds, len(result.result.get("unexpected_index_list") or []) if not result.success else 0

    return {"run": run}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import statguard
    frame = data(args.rows, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.yml"
        path.write_text(PACK, encoding="utf-8")
        t0 = time.perf_counter()
        pack = statguard.load_pack(path)  # imports GX (to check the expectations' arguments)
        print(f"load_pack (GX import included): {time.perf_counter() - t0:.2f} s")
    gx = gx_runner(frame)
    times: dict[str, list[float]] = {}
    found: dict[str, int] = {}
    for round_ in range(args.rounds + 1):  # round 0 warms up
        for rule in KWARGS:
            t0 = time.perf_counter()
            report = pack.validate({"retailers": frame}, rules=[rule])
            sg = time.perf_counter() - t0
            summary = report.summary.iloc[0]
            found[f"statguard {rule}"] = int(summary["fails"]) if rule == "MEAN" else len(report.violations)
            if round_:
                times.setdefault(f"{rule} statguard", []).append(sg)
                times.setdefault(f"{rule} statguard (rule alone)", []).append(float(summary["seconds"]))
            for how in ("frame", "keys", "column"):
                seconds, n = gx["run"](rule, how)
                found[f"gx.{how} {rule}"] = n
                if round_:
                    times.setdefault(f"{rule} gx.{how}", []).append(seconds)
    print(f"{args.rows:,} records, {args.rounds} timed rounds (after one warm-up), seconds:")
    print(f"{'':34}{'median':>8}{'min':>8}{'max':>8}")
    for name, values in times.items():
        print(f"{name:34}{statistics.median(values):8.3f}{min(values):8.3f}{max(values):8.3f}")
    print("ratio of medians, statguard / GX alone:")
    for rule in KWARGS:
        for who in ("statguard", "statguard (rule alone)"):
            sg = statistics.median(times[f"{rule} {who}"])
            ratios = ", ".join(f"gx.{how} {sg / statistics.median(times[f'{rule} gx.{how}']):.2f}x"
                               for how in ("frame", "keys", "column"))
            print(f"  {rule} {who}: {ratios}")
    print("unexpected records (MAP): " + ", ".join(f"{k.split()[0]} {v}" for k, v in found.items() if "MAP" in k))
    return 0


if __name__ == "__main__":
    sys.exit(main())
