#!/usr/bin/env python3
"""The shared benchmark suite (C1..C8) run through statguard's bench pack.

Follows the output contract of the shared harness (benchlib.py): one JSON
line with the failing counts, work seconds and peak RSS. Every violation is
produced as a full record (report.violations), not only counted.

    python bench/statguard_suite.py --sf 1 [--data /tmp/bench/data]
"""
import time; _T0 = time.perf_counter()  # noqa: E702,I001  (must be first)

import importlib  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, os.environ.get("BENCHLIB_DIR", "/work/shared/bench"))

import benchlib  # noqa: E402

import statguard  # noqa: E402
from statguard.checks import registry  # noqa: E402

# statguard imports its heavy modules on first use; import them here, in the import phase, as the
# baseline imports duckdb before its work starts.
for _module in ("duckdb", "pandas", "statguard.api", "statguard.engine.duckdb", "statguard.pack.loader",
                "statguard.report.violations", "statguard.explain", "statguard.i18n", "sqlglot.dialects.duckdb",
                "pyarrow.pandas_compat"):
    importlib.import_module(_module)
registry.kinds()  # imports every rule-kind module

b = benchlib.Bench("statguard", _T0)
b.imports_done()

with b.phase("load_pack"):
    pack = statguard.load_pack(HERE / "pack" / "bench.yml", strict=True)
with b.phase("validate"):
    report = pack.validate(dict(b.paths))
summary = report.summary.set_index("rule_id")
if summary["errored"].any():
    sys.exit("errored rules: " + "; ".join(f"{i}: {e}" for i, e in summary.loc[summary["errored"], "error"].items()))
per_rule = report.violations["rule_id"].value_counts()
counts = {c: 0 for c in benchlib.CHECKS}
for rule_id, fails in summary["fails"].items():
    check = rule_id.split(".")[0]
    counts[check] += int(fails)
    assert int(per_rule.get(rule_id, 0)) == int(fails), f"{rule_id}: violation records != fails"
for rule_id, seconds in summary["seconds"].items():
    b.phases["rule." + rule_id] = float(seconds)
b.emit(counts, versions=benchlib.dist_version("statguard", "duckdb", "sqlglot", "pandas"),
       support={"C1": "native", "C2": "native", "C3": "native", "C4": "native", "C5": "native",
                "C6": "native", "C7": "native", "C8": "native"},
       notes=f"{len(report.violations)} violation records")
