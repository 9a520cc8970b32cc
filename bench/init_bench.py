"""`statguard init` on a generated 200,000-record, 20-column file: median and spread of the time.

The file (written by `write_data`) is a monthly enterprise survey in Chinese: unit code with a
leading zero, period, region code and name, industry code, size class, and 14 figures related
as such forms are: revenue = main + other revenue, profit = revenue - cost, a profit rate in
percent, wages per head as a plain fraction, export value at most revenue, liabilities at most
assets, staff = men + women. A few records are planted to break the sum and the inequality, as
real submissions do.

    python bench/init_bench.py [--rows 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

COLUMNS = 20


def write_data(path: Path, rows: int = 200_000, seed: int = 17) -> Path:
    """A CSV of `rows` records (12 months per unit) and 20 columns; returns its path."""
    import numpy as np
    import pandas as pd
    rng = np.random.default_rng(seed)
    units = -(-rows // 12)
    unit_codes = np.array([f"0{c:08d}" for c in rng.choice(10**8, units, replace=False)])
    regions = [f"3201{i:02d}" for i in range(2, 18)]
    names = [f"区{i:02d}" for i in range(2, 18)]
    unit_region = rng.integers(0, len(regions), units)
    unit_industry = rng.integers(13, 44, units)
    unit_size = rng.choice(["大型", "中型", "小型", "微型"], units, p=[0.05, 0.15, 0.4, 0.4])
    u = np.repeat(np.arange(units), 12)[:rows]
    month = np.tile(np.arange(1, 13), units)[:rows]
    tenth = lambda a: np.round(a, 1)  # noqa: E731  figures in 万元 with one decimal
    main = tenth(rng.lognormal(6, 1.2, rows))
    other = tenth(main * rng.uniform(0, 0.3, rows))
    revenue = tenth(main + other)
    cost = tenth(revenue * rng.uniform(0.6, 1.1, rows))
    profit = tenth(revenue - cost)
    men = rng.integers(1, 400, rows)
    women = rng.integers(0, 400, rows)
    staff = men + women
    wages = tenth(staff * rng.uniform(0.4, 1.5, rows))
    assets = tenth(revenue * rng.uniform(1, 4, rows))
    broken = rng.choice(rows, max(1, rows // 2000), replace=False)
    revenue_written = revenue.copy()
    revenue_written[broken] += 1  # 0.05% break the sum
    export = tenth(revenue * rng.uniform(0, 0.5, rows))
    export[broken[: len(broken) // 2]] = tenth(revenue[broken[: len(broken) // 2]] * 1.5)  # and the inequality
    frame = pd.DataFrame({
        "单位代码": unit_codes[u], "期别": [f"2024-{m:02d}" for m in month],
        "地区代码": np.array(regions)[unit_region[u]], "地区名称": np.array(names)[unit_region[u]],
        "行业代码": [f"C{i}" for i in unit_industry[u]], "规模": unit_size[u],
        "主营业务收入": main, "其他业务收入": other, "营业收入": revenue_written, "营业成本": cost,
        "利润总额": profit, "利润率": np.round(100 * profit / revenue, 1), "出口交货值": export,
        "从业人员": staff, "男性从业人员": men, "女性从业人员": women, "工资总额": wages,
        "人均工资": np.round(wages / staff, 2), "资产总计": assets,
        "负债合计": tenth(assets * rng.uniform(0.1, 0.95, rows)),
    })
    assert len(frame.columns) == COLUMNS
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from statguard.authoring import infer_pack
    with tempfile.TemporaryDirectory() as tmp:
        data = write_data(Path(tmp) / "企业月报.csv", args.rows)
        times, cpu = [], []
        result = None
        for i in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            result = infer_pack([data], Path(tmp) / f"out{i}")
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    assert result is not None
    for rule_id, s in result.rules:
        print(f"{rule_id:22} {s.support:7.2%}  {s.what}")
    spread = f"min {min(times):.2f} s, max {max(times):.2f} s"
    # on a shared machine the wall time grows with the load; the CPU time (all threads) much less
    print(f"{args.rows} records, {COLUMNS} columns, {len(result.rules)} rules: "
          f"median {statistics.median(times):.2f} s ({spread}); CPU median {statistics.median(cpu):.2f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
