"""pandera schemas as pack sources (`statguard import pandera module:Schema`).

A DataFrameSchema (or a DataFrameModel class) becomes a source with the same column
declarations: dtype -> type, nullable, unique, required, and pandera's built-in checks
ge/le/in_range -> min/max, isin/eq -> allowed, str_matches -> pattern; gt, lt, ne, notin,
str_length and str_startswith become `row` rules; the schema's `unique` its keys. A check
written by `statguard export pandera` is read back from its `statistics`. A custom check
(a function) cannot be read: it is listed as not carried over. Foreign schemas check no
template placeholders, so their `schema` rule declares none.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from statguard.errors import StatguardError
from statguard.i18n import register, t
from statguard.interop import common
from statguard.interop.common import Unmapped, column_ref, literal

register({
    "interop.error.target": {"en": "expected MODULE:NAME (a module or .py file, and a schema in it), got '{target}'",
                             "zh": "应为 MODULE:NAME（模块或 .py 文件及其中的模式），实际为「{target}」"},
    "interop.error.module": {"en": "cannot import '{module}': {error}", "zh": "无法导入「{module}」：{error}"},
    "interop.error.attribute": {"en": "'{module}' has no '{name}'", "zh": "「{module}」中没有「{name}」"},
    "interop.error.not_schema": {"en": "'{name}' is not a pandera DataFrameSchema or DataFrameModel",
                                 "zh": "「{name}」不是 pandera 的 DataFrameSchema 或 DataFrameModel"},
})

_TYPES = (("int", "integer"), ("uint", "integer"), ("float", "number"), ("decimal", "number"), ("bool", "boolean"),
          ("datetime", "datetime"), ("timestamp", "datetime"), ("date", "date"), ("str", "string"),
          ("object", "string"))


def load_target(target: str) -> dict[str, Any]:
    """The schemas `MODULE[:NAME]` names, by source name (a module alone: every schema in it, or
    its SCHEMAS mapping). Importing the module runs it: it is the user's own code."""
    module_name, _, attr = target.partition(":")
    if not module_name:
        raise StatguardError(t("interop.error.target", None, target=target))
    try:
        if module_name.endswith(".py") or Path(module_name).is_file():
            spec = importlib.util.spec_from_file_location(Path(module_name).stem, module_name)
            if spec is None or spec.loader is None:
                raise ImportError("not a Python file")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            sys.path.insert(0, str(Path.cwd()))
            module = importlib.import_module(module_name)
    except Exception as e:  # the user's module may raise anything while it runs
        raise StatguardError(t("interop.error.module", None, module=module_name,
                               error=f"{type(e).__name__}: {e}")) from None
    if attr:
        if not hasattr(module, attr):
            raise StatguardError(t("interop.error.attribute", None, module=module_name, name=attr))
        found = {attr: getattr(module, attr)}
    else:
        found = dict(getattr(module, "SCHEMAS", None) or vars(module))
    schemas = {name: _as_schema(obj) for name, obj in found.items()}
    schemas = {name: s for name, s in schemas.items() if s is not None}
    if not schemas:
        raise StatguardError(t("interop.error.not_schema", None, name=attr or module_name))
    return schemas


def _as_schema(obj: Any) -> Any:
    import pandera.pandas as pa
    if isinstance(obj, pa.DataFrameSchema):
        return obj
    if isinstance(obj, type) and issubclass(obj, pa.DataFrameModel) and obj is not pa.DataFrameModel:
        return obj.to_schema()
    return None


def import_schemas(schemas: dict[str, Any], lang: str | None = None, pack_name: str = "imported") -> tuple[str, list]:
    """Pack YAML of `schemas` (name -> pandera schema), and what was not carried over."""
    sources: dict[str, Any] = {}
    rules: list[dict[str, Any]] = []
    unmapped: list[Unmapped] = []
    for name, schema in schemas.items():
        source_name = schema.name or name
        sources[source_name], more = source_from_pandera(schema, source_name, unmapped)
        rules += more
    return common.pack_yaml(pack_name, sources, rules, unmapped, lang), unmapped


def source_from_pandera(schema: Any, name: str, unmapped: list[Unmapped]) -> tuple[dict[str, Any], list[dict]]:
    """A pack source (as YAML-ready data) with `schema`'s column declarations, and its rules."""
    columns: dict[str, Any] = {}
    rules: list[dict[str, Any]] = []
    held: list[str] = []
    for col_name, col in schema.columns.items():
        spec: dict[str, Any] = {}
        family = _family(col.dtype)
        if family:
            spec["type"] = family
        if not col.nullable:
            spec["nullable"] = False
        if col.unique:
            spec["unique"] = True
        if not col.required:
            spec["required"] = False
        for check in col.checks:
            _column_check(check, name, col_name, spec, rules, held, unmapped)
        columns[str(col_name)] = spec or None
    source: dict[str, Any] = {"columns": columns}
    unique = schema.unique
    if unique:
        source["keys"] = [unique] if isinstance(unique, str) else list(unique)
    for check in schema.checks:
        restored = (check.statistics or {}).get("statguard", {}).get("rule")
        if restored:
            rules.append(dict(restored, source=name))
        else:
            unmapped.append(Unmapped(name, "source", name, "check", {"check": check.name or "?"}))
    if schema.strict:
        unmapped.append(Unmapped(name, "source", name, "option", {"option": "strict=True"}))
    schema_rule: dict[str, Any] = {"id": f"{name}-SCHEMA", "kind": "schema", "source": name, "placeholders": held}
    return source, [schema_rule, *rules]


def _family(dtype: Any) -> str | None:
    if dtype is None:
        return None
    text = str(dtype).lower()
    return next((family for prefix, family in _TYPES if text.startswith(prefix)), None)


def _column_check(check: Any, source: str, column: str, spec: dict[str, Any], rules: list[dict],
                  held: list[str], unmapped: list[Unmapped]) -> None:
    stats = check.statistics or {}
    mine = stats.get("statguard")
    if mine:  # written by statguard export pandera
        kind, value = mine["check"], mine["value"]
        if kind == "placeholder":
            held[:] = list(value)
        elif kind == "type":
            spec["type"] = value
        else:
            spec[kind] = value
        return
    c = column_ref(column)
    name = check.name
    if name in ("greater_than_or_equal_to", "less_than_or_equal_to"):
        spec["min" if name.startswith("greater") else "max"] = stats["min_value" if "greater" in name else "max_value"]
    elif name == "in_range" and stats.get("include_min", True) and stats.get("include_max", True):
        spec["min"], spec["max"] = stats["min_value"], stats["max_value"]
    elif name == "isin":
        spec["allowed"] = list(stats["allowed_values"])
    elif name == "equal_to":
        spec["allowed"] = [stats["value"]]
    elif name == "str_matches":
        spec["pattern"] = f"(?:{stats['pattern']}).*"  # re.match anchors at the start only
    else:
        expr = _row_expr(name, stats, c)
        if expr is None:
            unmapped.append(Unmapped(source, "column", column, "check", {"check": name or "?"}))
            return
        rules.append({"id": f"{source}-{column}-{name}", "kind": "row", "source": source, "expr": expr})


def _row_expr(name: str, stats: dict[str, Any], c: str) -> str | None:
    if name == "greater_than":
        return f"{c} > {literal(stats['min_value'])}"
    if name == "less_than":
        return f"{c} < {literal(stats['max_value'])}"
    if name == "not_equal_to":
        return f"{c} <> {literal(stats['value'])}"
    if name == "notin":
        return f"{c} NOT IN ({', '.join(literal(v) for v in stats['forbidden_values'])})"
    if name == "in_range":
        low = ">=" if stats.get("include_min", True) else ">"
        high = "<=" if stats.get("include_max", True) else "<"
        return f"{c} {low} {literal(stats['min_value'])} AND {c} {high} {literal(stats['max_value'])}"
    if name == "str_startswith":
        return f"starts_with({c}, {literal(stats['string'])})"
    if name == "str_length":
        if stats.get("exact_value") is not None:
            return f"length({c}) = {literal(stats['exact_value'])}"
        parts = [f"length({c}) >= {literal(stats['min_value'])}" if stats.get("min_value") is not None else None,
                 f"length({c}) <= {literal(stats['max_value'])}" if stats.get("max_value") is not None else None]
        return " AND ".join(p for p in parts if p) or None
    return None
