"""great-expectations suites as a pack (`statguard import gx suite.json`).

Each suite (a JSON object, or a list of them) becomes a source named by the suite. Column
expectations become column declarations (exist -> required, not_be_null -> nullable: false,
be_in_set -> allowed, be_between -> min/max, match_regex -> pattern, be_unique -> unique,
be_of_type -> type); compound uniqueness the source's keys; pair comparisons, strict bounds and
not_be_in_set become `row` rules. An expectation written by `statguard export gx` is read back
from its `meta.statguard` (the rule as written). An expectation type without an equivalent, or
one with a foreign row_condition, is listed as not carried over, never an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from statguard.errors import StatguardError
from statguard.i18n import register, t
from statguard.interop import common
from statguard.interop.common import Unmapped, column_ref, literal

register({
    "interop.error.suite": {"en": "{path}: cannot read the suite: {error}", "zh": "{path}：无法读取期望集：{error}"},
    "interop.error.suite_shape": {"en": "{path}: {where}: {error}", "zh": "{path}：{where}：{error}"},
    "interop.error.not_suite": {"en": "expected a suite (an object with 'expectations') or a list of them",
                                "zh": "应为期望集（含 expectations 的对象）或其列表"},
})

_TYPES = (("int", "integer"), ("uint", "integer"), ("float", "number"), ("double", "number"), ("decimal", "number"),
          ("numeric", "number"), ("bool", "boolean"), ("datetime", "datetime"), ("timestamp", "datetime"),
          ("date", "date"), ("str", "string"), ("object", "string"), ("varchar", "string"), ("text", "string"))


def read_suites(path: str | Path) -> list[dict[str, Any]]:
    """The suites in a JSON file; a file that cannot be read or is not suites is a located error."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise StatguardError(t("interop.error.suite", None, path=f"{path}:{e.lineno}:{e.colno}", error=e.msg)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise StatguardError(t("interop.error.suite", None, path=path, error=str(e))) from None
    suites = doc if isinstance(doc, list) else [doc]
    for i, s in enumerate(suites):
        if not isinstance(s, dict) or not isinstance(s.get("expectations"), list):
            where = f"[{i}]" if isinstance(doc, list) else "/"
            raise StatguardError(t("interop.error.suite_shape", None, path=path, where=where,
                                   error=t("interop.error.not_suite", None)))
    return suites


def import_suites(suites: list[dict[str, Any]], lang: str | None = None, pack_name: str = "imported"
                  ) -> tuple[str, list[Unmapped]]:
    sources: dict[str, Any] = {}
    rules: list[dict[str, Any]] = []
    unmapped: list[Unmapped] = []
    for i, suite in enumerate(suites):
        name = str(suite.get("name") or f"suite{i + 1}")
        sources[name], more = source_from_suite(suite, name, unmapped)
        rules += more
    return common.pack_yaml(pack_name, sources, rules, unmapped, lang), unmapped


def source_from_suite(suite: dict[str, Any], name: str, unmapped: list[Unmapped]) -> tuple[dict, list[dict]]:
    meta = (suite.get("meta") or {}).get("statguard") or {}
    columns: dict[str, dict[str, Any]] = {}
    source: dict[str, Any] = {}
    rules: list[dict[str, Any]] = []
    restored: set[str] = set()
    existing: set[str] = set()
    for k, e in enumerate(suite["expectations"]):
        kind = str(e.get("type") or e.get("expectation_type") or "?")
        kwargs = dict(e.get("kwargs") or {})
        mine = ((e.get("meta") or {}).get("statguard") or {})
        if "rule" in mine:
            rule = mine["rule"]
            if rule.get("id") not in restored:
                restored.add(rule.get("id"))
                rules.append(dict(rule, source=name))
            continue
        if mine.get("check") == "keys" or kind == "expect_compound_columns_to_be_unique":
            source["keys"] = list(kwargs.get("column_list") or [kwargs.get("column")])
            continue
        if kwargs.get("row_condition"):
            unmapped.append(Unmapped(name, "column", str(kwargs.get("column", "?")), "option",
                                     {"option": "row_condition"}))
            continue
        if kind == "expect_column_to_exist":
            existing.add(kwargs["column"])
        col = columns.setdefault(kwargs["column"], {}) if "column" in kwargs else None
        known = col is not None and _column(kind, kwargs, col, mine, rules, name, k)
        if not known and not _pair_or_table(kind, kwargs, columns, rules, name, k):
            unmapped.append(Unmapped(name, "source", name, "expectation", {"type": kind}))
    for column, spec in columns.items():
        if column not in existing:
            spec["required"] = False
    source["columns"] = {c: (spec or None) for c, spec in columns.items()}
    schema = {"id": f"{name}-SCHEMA", "kind": "schema", "source": name, "placeholders": meta.get("placeholders", [])}
    if "keys" in meta and "keys" not in source and meta["keys"]:
        source["keys"] = meta["keys"]
        schema["unique_keys"] = False
    return source, [schema, *rules]


def _column(kind: str, kw: dict[str, Any], col: dict[str, Any], mine: dict[str, Any], rules: list[dict],
            source: str, k: int) -> bool:
    """Read a column expectation into `col` (or a row rule); False when its type is unknown."""
    c = column_ref(kw["column"])
    check = mine.get("check")
    if kind == "expect_column_to_exist":
        return True
    if kind == "expect_column_values_to_not_be_null":
        col["nullable"] = False
    elif kind == "expect_column_values_to_be_unique":
        col["unique"] = True
    elif kind == "expect_column_values_to_be_in_set":
        col["allowed"] = list(kw["value_set"])
    elif kind == "expect_column_values_to_not_be_in_set":
        if check != "placeholder":
            rules.append(_row(source, k, f"{c} NOT IN ({', '.join(literal(v) for v in kw['value_set'])})"))
    elif kind == "expect_column_values_to_match_regex":
        if check == "type":
            col["type"] = mine["value"]
        else:
            regex = kw["regex"]
            if check == "pattern" and regex.startswith("^(?:") and regex.endswith(")$"):
                col["pattern"] = regex[4:-2]  # as statguard export gx wrote it
            else:  # GX searches; a pattern must match the whole value
                col["pattern"] = f".*(?:{regex}).*"
    elif kind == "expect_column_values_to_be_between":
        for bound, strict, op in (("min_value", "strict_min", ">"), ("max_value", "strict_max", "<")):
            if kw.get(bound) is None:
                continue
            if kw.get(strict):
                rules.append(_row(source, k, f"{c} {op} {literal(kw[bound])}"))
            else:
                col["min" if bound == "min_value" else "max"] = kw[bound]
    elif kind in ("expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"):
        types = [kw["type_"]] if "type_" in kw else list(kw.get("type_list") or [])
        families = {_family(x) for x in types}
        if len(families) != 1 or None in families:
            return False
        col["type"] = families.pop()
    elif kind == "expect_column_values_to_be_dateutil_parseable":
        col["type"] = "date"
    elif kind == "expect_column_value_lengths_to_be_between":
        parts = [f"length({c}) >= {literal(kw['min_value'])}" if kw.get("min_value") is not None else "",
                 f"length({c}) <= {literal(kw['max_value'])}" if kw.get("max_value") is not None else ""]
        rules.append(_row(source, k, " AND ".join(p for p in parts if p)))
    else:
        return False
    return True


def _pair_or_table(kind: str, kw: dict[str, Any], columns: dict[str, dict], rules: list[dict], source: str,
                   k: int) -> bool:
    for column in (kw.get("column_A"), kw.get("column_B")):
        if column is not None:
            columns.setdefault(column, {})
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        op = ">=" if kw.get("or_equal") else ">"
        rules.append(_row(source, k, f"{column_ref(kw['column_A'])} {op} {column_ref(kw['column_B'])}"))
    elif kind == "expect_column_pair_values_to_be_equal":
        rules.append(_row(source, k, f"{column_ref(kw['column_A'])} == {column_ref(kw['column_B'])}"))
    elif kind in ("expect_table_columns_to_match_set", "expect_table_columns_to_match_ordered_list"):
        for column in kw.get("column_set") or kw.get("column_list") or []:
            columns.setdefault(column, {})
    else:
        return False
    return True


def _row(source: str, k: int, expr: str) -> dict[str, Any]:
    return {"id": f"{source}-GX{k + 1:02d}", "kind": "row", "source": source, "expr": expr}


def _family(text: Any) -> str | None:
    low = str(text).lower()
    return next((family for prefix, family in _TYPES if low.startswith(prefix)), None)
