"""Golden cases: YAML files under tests/cases/ with inline data, rules and expected results.

Format of tests/cases/<kind>.yml:

    cases:
      - name: parts add up to the total
        sources:
          inv:                      # declared like a pack source, plus the data
            keys: [unit]
            unit: unit
            columns: {unit: string, a: number}
            rows:                   # inline records (or `csv: |` text)
              - {unit: A, a: 1}
        rules: [ ...rules exactly as in a pack... ]
        expect:
          summary: {R1: {items: 2, passes: 1, fails: 1, not_evaluable: 0, errored: false}}
          violations:               # each must match one actual violation on the fields given;
            - {rule_id: R1, unit: B, imbalance: -1}   # the count must match too
          problems: ["unknown column"]   # or: substrings expected among pack problems
          lacking:                  # the run lists its not-evaluable items (options lacking: true);
            - {rule_id: R1, unit: C, missing: [a]}   # matched as violations are, the count too
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

CASES = Path(__file__).parent / "cases"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(doc.get("cases", [])):
            out.append((f"{path.stem}::{case.get('name', i)}", case))
    return out


def frame_of(spec: dict[str, Any]) -> pd.DataFrame:
    if "csv" in spec:
        return pd.read_csv(io.StringIO(spec["csv"]), dtype=spec.get("dtype"), keep_default_na=True)
    rows = spec.get("rows") or []
    columns = spec.get("columns")
    frame = pd.DataFrame(rows, columns=list(columns) if isinstance(columns, dict) and not rows else None)
    return frame


def write_pack(case: dict[str, Any], tmp: Path) -> tuple[Path, dict[str, pd.DataFrame]]:
    sources, frames = {}, {}
    for name, spec in (case.get("sources") or {}).items():
        spec = dict(spec)
        data = {k: spec.pop(k) for k in ("rows", "csv", "dtype") if k in spec}
        sources[name] = spec
        if data:
            frames[name] = frame_of({**data, "columns": spec.get("columns")})
    pack = {"sources": sources, "rules": case.get("rules", [])}
    if case.get("pack"):
        pack["pack"] = case["pack"]
    path = tmp / "pack.yml"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, frames


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        try:
            return math.isclose(float(actual), float(expected), rel_tol=1e-9, abs_tol=1e-6)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, dict) and isinstance(actual, dict):
        return all(k in actual and same(actual[k], v) for k, v in expected.items())
    if isinstance(expected, str) and not isinstance(actual, str) and actual is not None:
        return str(actual) == expected
    return actual == expected


def match_violations(actual: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[str]:
    """Problems found pairing expected violations with actual ones (empty list = all matched)."""
    remaining = list(actual)
    errors = []
    for exp_v in expected:
        for i, act in enumerate(remaining):
            if all(same(act.get(k), v) for k, v in exp_v.items() if k != "message_contains") and (
                    "message_contains" not in exp_v or exp_v["message_contains"] in str(act.get("message"))):
                del remaining[i]
                break
        else:
            errors.append(f"expected violation not found: {exp_v}")
    if len(actual) != len(expected):
        errors.append(f"{len(actual)} violations, expected {len(expected)}; unmatched actual: {remaining[:5]}")
    return errors


def run_options(case: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of validate for a case: its `options`, and with `lacking:` expected,
    options={"lacking": True} so that the run lists its not-evaluable items."""
    kwargs = dict(case.get("options", {}))
    if "lacking" in case.get("expect", {}):
        kwargs["options"] = {**kwargs.get("options", {}), "lacking": True}
    return kwargs
