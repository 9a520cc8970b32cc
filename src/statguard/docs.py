"""Generating the rule-kind reference from the registry, in English or Chinese.

    python -m statguard.docs > docs/rules.md
    python -m statguard.docs --lang zh > docs/rules.zh.md

A test keeps both files equal to this output. The Chinese reference carries each
kind's summary, parameter meanings (statguard.checks.texts) and YAML examples;
the full semantics stay in the English docstrings, linked from each kind.
"""

from __future__ import annotations

import inspect
import itertools
import re
import sys
import textwrap
from typing import Any

from statguard.checks import registry
from statguard.checks.registry import Kind
from statguard.checks.texts import kind_summary, param_text
from statguard.i18n import CATALOGUE, register, t

register({
    "docs.title": {"en": "Rule-kind reference", "zh": "规则类型参考"},
    "docs.generated": {"en": "Generated from the rule-kind registry by `python -m statguard.docs`; "
                             "do not edit by hand.",
                       "zh": "由 `python -m statguard.docs --lang zh` 从规则类型注册表生成，请勿手工修改。"
                             "各类型的完整说明（空值的处理、无法判断的情形、默认值）见英文版 [rules.md](rules.md)。"},
    "docs.kinds_head": {"en": "| kind | scope | summary |", "zh": "| 类型 | 范围 | 说明 |"},
    "docs.params_head": {"en": "| parameter | type | required | default | meaning |",
                         "zh": "| 参数 | 类型 | 必填 | 默认值 | 含义 |"},
    "docs.yes": {"en": "yes", "zh": "是"},
    "docs.scope": {"en": "*Scope: {scope}.*", "zh": "*范围：{scope}。*"},
    "docs.common_keys": {"en": "Common keys: {keys}.", "zh": "通用键：{keys}。"},
    "docs.examples": {"en": "Examples:", "zh": "示例："},
    "docs.full": {"en": "Full description: [rules.md](rules.md#{kind}).",
                  "zh": "完整说明（英文）：[rules.md](rules.md#{kind})。"},
    "scope.record": {"en": "record", "zh": "记录"},
    "scope.cross_source": {"en": "cross_source", "zh": "跨数据源"},
    "scope.hierarchy": {"en": "hierarchy", "zh": "层级汇总"},
    "scope.time": {"en": "time", "zh": "时间序列"},
    "scope.versions": {"en": "versions", "zh": "版本"},
    "scope.plausibility": {"en": "plausibility", "zh": "合理性"},
    "scope.dataset": {"en": "dataset", "zh": "数据集"},
})

_COMMON_KEYS = ("id", "kind", "description", "severity", "message", "tags", "hard", "enabled", "min_failures",
                "of_last")
_TYPES_ZH = {"string": "文本", "integer": "整数", "number": "数值", "boolean": "是/否", "none": "空",
             "object": "映射", "array": "列表", "any": "任意", "list of string": "文本列表",
             "list of number": "数值列表", "list of integer": "整数列表", "list of values": "列表"}


def scope_name(scope: str, lang: str | None) -> str:
    key = f"scope.{scope}"
    return t(key, lang) if key in CATALOGUE else scope


def _type_name(info: Any) -> str:
    schema = info.get("type") or " | ".join(
        str(x.get("type", x.get("enum", x.get("$ref", "any")))) for x in info.get("anyOf", []))
    if "enum" in info:
        return " | ".join(map(str, info["enum"]))
    if info.get("type") == "array":
        return f"list of {info.get('items', {}).get('type', 'values')}"
    return str(schema or "any").replace("null", "none").replace("#/$defs/", "")


def _type_text(info: Any, lang: str | None) -> str:
    """The type column: enum values stay as written in YAML, type names are translated."""
    parts = _type_name(info).split(" | ")
    if lang != "zh":
        return " or ".join(parts)
    if "enum" in info:
        return " / ".join(parts)
    # a nested model (Window, Benchmarks) is a mapping to the reader: its keys are named in the description
    names = [_TYPES_ZH.get(p, p if not p[:1].isupper() else _TYPES_ZH["object"]) for p in parts]
    text = names[0]
    for before, name in itertools.pairwise(names):
        text += (" 或 " if before.isascii() or name.isascii() else "或") + name  # a space beside Latin letters
    return text


def _yaml_value(value: Any) -> str:
    """A default as the author writes it in YAML: false, not Python's False; lists in flow style."""
    import json
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (bool, list, dict)) else str(value)


def parameter_table(kind: Kind, lang: str | None = None) -> str:
    schema = kind.params.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    lines = [t("docs.params_head", lang), "|---|---|---|---|---|"]
    for name, info in schema.get("properties", {}).items():
        default = info.get("default")
        default = "" if default is None else f"`{_yaml_value(default)}`"
        text = param_text(kind, name, lang).replace("|", "\\|").replace("\n", " ")
        needed = t("docs.yes", lang) if name in required else ""
        lines.append(f"| `{name}` | {_type_text(info, lang)} | {needed} | {default} | {text} |")
    return "\n".join(lines)


def _examples(doc: str) -> list[str]:
    """The YAML rules a docstring shows (indented blocks starting with `- id:`), dedented."""
    blocks = re.findall(r"(?m)^(    - id:.*\n(?:(?:    .*)?\n)*)", doc + "\n")
    return [textwrap.dedent(block).strip() for block in blocks]


def kind_reference(kind: Kind, lang: str | None = None) -> str:
    doc = inspect.cleandoc(kind.doc)
    first, _, rest = doc.partition("\n")
    scope = t("docs.scope", lang, scope=scope_name(kind.scope, lang))
    parts = [f"## `{kind.name}`", "", f"{scope} {kind_summary(kind, lang)}", ""]
    if lang != "zh" and rest.strip():
        parts += [rest.strip(), ""]
    elif lang == "zh":
        examples = _examples(doc)
        if examples:
            parts += [t("docs.examples", lang), ""]
            for example in examples:
                parts += ["```yaml", example, "```", ""]
        parts += [t("docs.full", lang, kind=kind.name), ""]
    keys = ("、" if lang == "zh" else ", ").join(f"`{k}`" for k in _COMMON_KEYS)
    parts += [t("docs.common_keys", lang, keys=keys), "", parameter_table(kind, lang), ""]
    return "\n".join(parts)


def rules_markdown(lang: str | None = None) -> str:
    kinds = registry.kinds()
    out = [f"# {t('docs.title', lang)}", "", t("docs.generated", lang), "",
           t("docs.kinds_head", lang), "|---|---|---|"]
    out += [f"| [`{k.name}`](#{k.name}) | {scope_name(k.scope, lang)} | {kind_summary(k, lang)} |"
            for k in kinds.values()]
    out.append("")
    for kind in kinds.values():
        out.append(kind_reference(kind, lang))
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m statguard.docs", description="Print the rule-kind reference.")
    parser.add_argument("--lang", choices=["en", "zh"], default="en",
                        help="language (default: en, so that docs/rules.md regenerates the same anywhere)")
    args = parser.parse_args(argv)
    sys.stdout.write(rules_markdown(args.lang))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
