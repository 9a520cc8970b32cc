"""The schema kind runs as SQL in the engine; pandera, which it replaced, must find the same cells.

Each golden case of tests/cases/schema*.yml runs through statguard and through real pandera
(the source's schema from statguard.interop.pandera_export, validated lazily on the same data),
and the two must report the same failing cells: the record, the column, the check and the value.
Code lists are left out: a pandera schema cannot express them (the export lists them as unmapped).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

import statguard
from statguard.checks.record import schema_checks  # noqa: F401  (registers the details)
from statguard.i18n import CATALOGUE, t

from golden import CASES, write_pack

SCHEMA_CASES = [(f"{path.stem}::{case['name']}", case)
                for path in sorted(Path(CASES).glob("schema*.yml"))
                for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
                if "problems" not in case["expect"]]
# a violation's detail (its check's sentence, statguard.checks.record.schema_checks) -> the check's name
CHECKS = {t(key, "en"): key.removeprefix("detail.schema.").replace("type.", "type:")
          for key in CATALOGUE if key.startswith("detail.schema.") and key != "detail.schema.missing_column"}
PANDERA_CHECKS = {"not_nullable": "not_null", "field_uniqueness": "unique", "multiple_fields_uniqueness": "unique",
                  "column_in_dataframe": "missing"}


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _statguard_cells(report: Any, rule_id: str) -> Counter:
    cells: Counter = Counter()
    for v in report.violations.to_dict("records"):
        if v["rule_id"] != rule_id or CHECKS.get(v["detail"]) == "codelist":
            continue
        keys = dict(v["keys"])
        column = keys.pop("column")
        check = "missing" if str(v["detail"]).startswith("required column") else CHECKS[v["detail"]]
        identity = tuple(sorted((k, _text(x)) for k, x in keys.items()))
        cells[(identity, column, check, None if check == "missing" else _text(v["observed"]))] += 1
    return cells


def _pandera_cells(frame: Any, source: Any, keys: list[str], placeholders: list[str]) -> Counter:
    import pandera.errors as pe

    from statguard.interop.pandera_export import source_schema
    schema = source_schema(source, placeholders, keys)
    try:
        schema.validate(frame, lazy=True)
        return Counter()
    except pe.SchemaErrors as err:
        cases = err.failure_cases
    cells: Counter = Counter()
    for case in cases.to_dict("records"):
        check = PANDERA_CHECKS.get(case["check"], case["check"])
        if check == "missing":
            cells[((), case["failure_case"], check, None)] += 1
            continue
        i = int(case["index"])
        if source.keys:
            identity = tuple(sorted((k, _text(frame.at[i, k])) for k in source.keys if k in frame.columns))
        else:
            identity = (("row", str(i + 1)),)
        column = ", ".join(keys) if case["check"] == "multiple_fields_uniqueness" else case["column"]
        cells[(identity, column, check, _text(case["failure_case"]))] += 1
    return cells


@pytest.mark.parametrize("case", [c for _, c in SCHEMA_CASES], ids=[n for n, _ in SCHEMA_CASES])
def test_schema_kind_finds_what_pandera_finds(case, tmp_path):
    path, frames = write_pack(case, tmp_path)
    pack = statguard.load_pack(path)
    report = pack.validate(frames)
    rules = [r for r in pack.rules if r.kind == "schema"]
    assert rules
    for rule in rules:
        source = pack.sources[rule.params.source]
        keys = source.keys if rule.params.unique_keys else []
        theirs = _pandera_cells(frames[source.name], source, keys, rule.params.placeholders)
        ours = _statguard_cells(report, rule.id)
        assert ours == theirs
        assert ours or case["expect"].get("violations") == [{"keys": {"county": "320199", "column": "county"},
                                                             "detail": "not in the code list"}]
