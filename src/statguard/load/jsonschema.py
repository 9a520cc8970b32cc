"""JSON Schemas: of rule packs (built from the registry) and of JSON reports.

The pack schema ships as statguard/pack/pack.schema.json so that editors with
yaml-language-server can autocomplete rules; a test keeps the file current.

    # yaml-language-server: $schema=<path to pack.schema.json>
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from pydantic import BaseModel

from statguard.checks import registry
from statguard.checks.texts import kind_summary, param_text, translate_model_schema
from statguard.i18n import register, t
from statguard.load.loader import COLUMN_KEYS, SOURCE_KEYS
from statguard.pack.model import COLUMN_TYPES, SEVERITIES

register({
    "schema.title": {"en": "statguard rule pack", "zh": "statguard 规则包"},
    "schema.rule_title": {"en": "rule of kind {kind}", "zh": "{kind} 类规则"},
    "schema.rule_description": {"en": "What the rule checks, shown beside it in reports: text, or one text per "
                                      "language ({zh: ..., en: ...}), shown in the report's language.",
                                "zh": "规则检查什么，报告中显示在规则旁：文字，或按语言分别给出（{zh: …，en: …}），"
                                      "按报告语言显示。"},
    "schema.message": {"en": "Message template; {name} placeholders name the figures involved.",
                       "zh": "问题说明的模板；{name} 形式的占位符指代所涉及的数值。"},
    "schema.id": {"en": "Stable rule identifier, unique in the pack.", "zh": "固定不变的规则编号，在规则包内唯一。"},
    "schema.hard": {"en": "Hard rules cannot be explained away (default: error is hard).",
                    "zh": "硬性规则的问题不能以情况说明消除（默认：错误级规则为硬性规则）。"},
    "schema.min_failures": {
        "en": "Report a unit once, when at least this many of its periods fail "
              "(one slip is tolerated, a habit is not).",
        "zh": "单位至少有这么多期未通过时才报告一次（偶尔一次失误可以容忍，屡次出现则不行）。"},
    "schema.of_last": {"en": "With min_failures: count only failures among the unit's last n periods.",
                       "zh": "与 min_failures 配合：只统计该单位最近 n 期中的未通过。"},
    "schema.explanation": {"en": "What an explanation of a violation must give (soft rules only).",
                           "zh": "问题的情况说明必须包含的内容（仅限非硬性规则）。"},
    "schema.explanation.min_length": {"en": "Minimum characters of text.", "zh": "说明文字的最少字数。"},
    "schema.explanation.required_fields": {"en": "Fields that must be filled, e.g. document_no, author.",
                                           "zh": "必须填写的项目，如 document_no（文号）、author（说明人）。"},
    "schema.explanation.from_data": {
        "en": "Column (or field -> column mapping) of the source holding explanations record by record.",
        "zh": "数据源中逐条记录存放情况说明的列（或 项目 -> 列 的映射）。"},
    "schema.derive": {
        "en": "Computed from another source instead of read: its records plus the increment of a year-to-date "
              "column over the period before (statguard.checks.time.derive). A derived source takes keys, unit, "
              "period and columns from its base.",
        "zh": "不读取文件，而由另一数据源计算得出：其记录加上某累计列比上一期的增量（statguard.checks.time.derive）。"
              "派生数据源的主键、单位、期别和列都取自其基础数据源。"},
    "schema.derive.increments_of": {"en": "Source holding the year-to-date series.", "zh": "存放累计数序列的数据源。"},
    "schema.derive.value": {"en": "Its year-to-date column.", "zh": "其中的累计数列。"},
    "schema.derive.as": {"en": "Name of the increment column.", "zh": "增量列的名称。"},
    "schema.derive.by": {"en": "Columns identifying a series (default: the base's keys without the period).",
                         "zh": "标识一个序列的列（默认：基础数据源的主键去掉期别列）。"},
    "schema.derive.period": {"en": "Period column (default: the base's period).",
                             "zh": "期别列（默认：基础数据源的期别列）。"},
    "schema.source.optional": {
        "en": "Without data for it, the rules reading it are skipped with a note instead of failing.",
        "zh": "未提供其数据时，读取它的规则不运行并加以注明，而不是报错。"},
    "schema.source.glob": {
        "en": "The path is a pattern (*, ?, [...]) matching several files of one layout, read as one table; "
              "without it the path names one file literally.",
        "zh": "路径是匹配多个同样格式文件的模式（*、?、[...]），合并读作一张表；不设时路径按字面指一个文件。"},
})


def _common(lang: str | None) -> dict[str, Any]:
    """The keys every rule has besides its kind's parameters."""
    message = {"oneOf": [{"type": "string"},
                         {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
                          "additionalProperties": False}],
               "description": t("schema.message", lang)}
    described = {"oneOf": [{"type": "string"},
                           {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
                            "additionalProperties": False}],
                 "description": t("schema.rule_description", lang)}
    from_data = {"oneOf": [{"type": "string"}, {"type": "object", "required": ["text"],
                                                "additionalProperties": {"type": "string"}}],
                 "description": t("schema.explanation.from_data", lang)}
    return {
        "id": {"type": ["string", "integer"], "description": t("schema.id", lang)},
        "description": described,
        "severity": {"enum": list(SEVERITIES), "default": "error"},
        "message": message,
        "tags": {"type": "array", "items": {"type": "string"}},
        "hard": {"type": "boolean", "description": t("schema.hard", lang)},
        "enabled": {"type": "boolean", "default": True},
        "min_failures": {"type": "integer", "minimum": 1, "description": t("schema.min_failures", lang)},
        "of_last": {"type": "integer", "minimum": 1, "description": t("schema.of_last", lang)},
        "explanation": {
            "type": "object", "additionalProperties": False,
            "description": t("schema.explanation", lang),
            "properties": {
                "min_length": {"type": "integer", "minimum": 0,
                               "description": t("schema.explanation.min_length", lang)},
                "required_fields": {"type": ["array", "string"], "items": {"type": "string"},
                                    "description": t("schema.explanation.required_fields", lang)},
                "from_data": from_data}},
    }


def _derive(lang: str | None) -> dict[str, Any]:
    return {
        "type": "object", "additionalProperties": False, "required": ["increments_of", "value"],
        "description": t("schema.derive", lang),
        "properties": {
            "increments_of": {"type": "string", "description": t("schema.derive.increments_of", lang)},
            "value": {"type": "string", "description": t("schema.derive.value", lang)},
            "as": {"type": "string", "default": "increment", "description": t("schema.derive.as", lang)},
            "by": {"type": ["array", "string"], "items": {"type": "string"},
                   "description": t("schema.derive.by", lang)},
            "period": {"type": "string", "description": t("schema.derive.period", lang)}}}


def _rule_schema(kind: registry.Kind, lang: str | None) -> dict[str, Any]:
    params = kind.params.model_json_schema(by_alias=True)
    own = {name: {**info, "description": param_text(kind, name, lang)} if "description" in info else info
           for name, info in params.get("properties", {}).items()}
    props = {**_common(lang), "kind": {"const": kind.name}, **own}
    return {"type": "object", "title": t("schema.rule_title", lang, kind=kind.name),
            "description": kind_summary(kind, lang),
            "properties": props, "required": ["id", "kind", *params.get("required", [])],
            "additionalProperties": False}


def _model(model: type[BaseModel], defs: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """A pack-level pydantic model's schema in `lang`, its nested models moved into `defs`."""
    schema = translate_model_schema(model.model_json_schema(), lang)
    defs.update(schema.pop("$defs", {}))
    return schema


def pack_schema(lang: str | None = None) -> dict[str, Any]:
    """The JSON Schema of rule packs, its descriptions in `lang` (default English)."""
    kinds = registry.kinds()
    column = {"oneOf": [{"enum": list(COLUMN_TYPES)}, {
        "type": "object", "additionalProperties": False,
        "properties": {k: {} for k in sorted(COLUMN_KEYS)} | {"type": {"enum": list(COLUMN_TYPES)}}}, {"type": "null"}]}
    source = {"type": ["object", "null"], "additionalProperties": False,
              "properties": {k: {} for k in sorted(SOURCE_KEYS)} | {
                  "columns": {"type": "object", "additionalProperties": column},
                  "keys": {"type": ["array", "string"], "items": {"type": "string"}},
                  "format": {"enum": ["csv", "excel", "parquet", "json"]},
                  "optional": {"type": "boolean", "description": t("schema.source.optional", lang)},
                  "glob": {"type": "boolean", "default": False, "description": t("schema.source.glob", lang)},
                  "derive": _derive(lang)}}
    rule_any = {"type": "object", "required": ["id", "kind"],
                "properties": {"kind": {"enum": list(kinds)}},
                "allOf": [{"if": {"properties": {"kind": {"const": name}}}, "then": {"$ref": f"#/$defs/kind_{name}"}}
                          for name in kinds]}
    defs: dict[str, Any] = {}
    for name, kind in kinds.items():  # pydantic's nested models are referenced from the root
        nested = kind.params.model_json_schema(by_alias=True).get("$defs", {})
        defs.update(translate_model_schema({"$defs": nested}, lang)["$defs"] if nested else {})
        defs[f"kind_{name}"] = _rule_schema(kind, lang)
    import statguard.load.texts_zh  # noqa: F401  (the scorecard's and screen's Chinese)
    from statguard.pack.scorecard import ScorecardConfig
    from statguard.pack.screen import ScreenConfig
    scorecard = _model(ScorecardConfig, defs, lang)
    screen = _model(ScreenConfig, defs, lang)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": t("schema.title", lang),
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
    import sys
    print(json.dumps(pack_schema(sys.argv[2] if sys.argv[1:2] == ["--lang"] else None), ensure_ascii=False, indent=2))
