"""JSON Schemas: of rule packs (built from the registry) and of JSON reports.

The pack schema ships as statguard/pack/pack.schema.json so that editors with
yaml-language-server can autocomplete rules; a test keeps the file current.

    # yaml-language-server: $schema=<path to pack.schema.json>
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from statguard.checks import registry
from statguard.pack.loader import COLUMN_KEYS, SOURCE_KEYS
from statguard.pack.model import COLUMN_TYPES, SEVERITIES

_MESSAGE = {"oneOf": [{"type": "string"},
                      {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
                       "additionalProperties": False}],
            "description": "Message template; {name} placeholders name the figures involved."}

_COMMON = {
    "id": {"type": ["string", "integer"], "description": "Stable rule identifier, unique in the pack."},
    "description": {"type": "string"},
    "severity": {"enum": list(SEVERITIES), "default": "error"},
    "message": _MESSAGE,
    "tags": {"type": "array", "items": {"type": "string"}},
    "hard": {"type": "boolean", "description": "Hard rules cannot be explained away (default: error is hard)."},
    "enabled": {"type": "boolean", "default": True},
    "min_failures": {"type": "integer", "minimum": 1, "description": (
        "Report a unit once, when at least this many of its periods fail (one slip is tolerated, a habit is not).")},
    "of_last": {"type": "integer", "minimum": 1, "description": (
        "With min_failures: count only failures among the unit's last n periods.")},
    "explanation": {
        "type": "object", "additionalProperties": False,
        "description": "What an explanation of a violation must give (soft rules only).",
        "properties": {
            "min_length": {"type": "integer", "minimum": 0, "description": "Minimum characters of text."},
            "required_fields": {"type": ["array", "string"], "items": {"type": "string"},
                                "description": "Fields that must be filled, e.g. document_no, author."},
            "from_data": {"oneOf": [{"type": "string"}, {"type": "object", "required": ["text"],
                                                         "additionalProperties": {"type": "string"}}],
                          "description": "Column (or field -> column mapping) of the source holding "
                                         "explanations record by record."}}},
}


_DERIVE = {
    "type": "object", "additionalProperties": False, "required": ["increments_of", "value"],
    "description": "Computed from another source instead of read: its records plus the increment of a "
                   "year-to-date column over the period before (statguard.checks.time.derive). A derived "
                   "source takes keys, unit, period and columns from its base.",
    "properties": {
        "increments_of": {"type": "string", "description": "Source holding the year-to-date series."},
        "value": {"type": "string", "description": "Its year-to-date column."},
        "as": {"type": "string", "default": "increment", "description": "Name of the increment column."},
        "by": {"type": ["array", "string"], "items": {"type": "string"},
               "description": "Columns identifying a series (default: the base's keys without the period)."},
        "period": {"type": "string", "description": "Period column (default: the base's period)."}}}


def _rule_schema(kind: registry.Kind) -> dict[str, Any]:
    params = kind.params.model_json_schema(by_alias=True)
    props = {**_COMMON, "kind": {"const": kind.name}, **params.get("properties", {})}
    return {"type": "object", "title": f"rule of kind {kind.name}", "description": kind.summary,
            "properties": props, "required": ["id", "kind", *params.get("required", [])],
            "additionalProperties": False}


def pack_schema() -> dict[str, Any]:
    kinds = registry.kinds()
    column = {"oneOf": [{"enum": list(COLUMN_TYPES)}, {
        "type": "object", "additionalProperties": False,
        "properties": {k: {} for k in sorted(COLUMN_KEYS)} | {"type": {"enum": list(COLUMN_TYPES)}}}, {"type": "null"}]}
    source = {"type": ["object", "null"], "additionalProperties": False,
              "properties": {k: {} for k in sorted(SOURCE_KEYS)} | {
                  "columns": {"type": "object", "additionalProperties": column},
                  "keys": {"type": ["array", "string"], "items": {"type": "string"}},
                  "format": {"enum": ["csv", "excel", "parquet", "json"]},
                  "optional": {"type": "boolean", "description": (
                      "Without data for it, the rules reading it are skipped with a note instead of failing.")},
                  "glob": {"type": "boolean", "default": False, "description": (
                      "The path is a pattern (*, ?, [...]) matching several files of one layout, read as "
                      "one table; without it the path names one file literally.")},
                  "derive": _DERIVE}}
    rule_any = {"type": "object", "required": ["id", "kind"],
                "properties": {"kind": {"enum": list(kinds)}},
                "allOf": [{"if": {"properties": {"kind": {"const": name}}}, "then": {"$ref": f"#/$defs/kind_{name}"}}
                          for name in kinds]}
    defs: dict[str, Any] = {}
    for name, kind in kinds.items():  # pydantic's nested models are referenced from the root
        defs.update(kind.params.model_json_schema(by_alias=True).get("$defs", {}))
        defs[f"kind_{name}"] = _rule_schema(kind)
    from statguard.pack.scorecard import ScorecardConfig
    scorecard = ScorecardConfig.model_json_schema()
    defs.update(scorecard.pop("$defs", {}))
    from statguard.pack.screen import ScreenConfig
    screen = ScreenConfig.model_json_schema()
    defs.update(screen.pop("$defs", {}))
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "statguard rule pack",
            "type": "object", "additionalProperties": False,
            "properties": {
                "pack": {"type": "object", "properties": {
                    "name": {"type": "string"}, "description": {"type": "string"}, "lang": {"enum": ["zh", "en"]},
                    "version": {}, "scorecard": scorecard, "screen": screen,
                    "settings": {"type": "object"}}},
                "include": {"type": ["array", "string"], "items": {"type": "string"}},
                "sources": {"type": "object", "additionalProperties": source},
                "rules": {"type": "array", "items": rule_any}},
            "$defs": defs}


def report_schema() -> dict[str, Any]:
    text = resources.files("statguard.report").joinpath("report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


if __name__ == "__main__":
    print(json.dumps(pack_schema(), ensure_ascii=False, indent=2))
