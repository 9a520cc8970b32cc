"""Generating docs/rules.md, the rule-kind reference, from the registry.

    python -m statguard.docs > docs/rules.md

A test keeps docs/rules.md equal to this output.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from statguard.checks import registry
from statguard.checks.registry import Kind


def _type_name(info: Any) -> str:
    schema = info.get("type") or " | ".join(
        str(x.get("type", x.get("enum", x.get("$ref", "any")))) for x in info.get("anyOf", []))
    if "enum" in info:
        return " | ".join(map(str, info["enum"]))
    if info.get("type") == "array":
        return f"list of {info.get('items', {}).get('type', 'values')}"
    return str(schema or "any").replace("null", "none").replace("#/$defs/", "")


def parameter_table(kind: Kind) -> str:
    schema = kind.params.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    lines = ["| parameter | type | required | default | meaning |", "|---|---|---|---|---|"]
    for name, info in schema.get("properties", {}).items():
        default = info.get("default", "")
        default = "" if default is None else f"`{default}`"
        text = (info.get("description") or "").replace("|", "\\|").replace("\n", " ")
        kind = _type_name(info).replace("|", "or")
        lines.append(f"| `{name}` | {kind} | {'yes' if name in required else ''} | {default} | {text} |")
    return "\n".join(lines)


def kind_reference(kind: Kind) -> str:
    doc = inspect.cleandoc(kind.doc)
    first, _, rest = doc.partition("\n")
    parts = [f"## `{kind.name}`", "", f"*Scope: {kind.scope}.* {first}", ""]
    if rest.strip():
        parts += [rest.strip(), ""]
    parts += ["Common keys: `id`, `kind`, `description`, `severity`, `message`, `tags`, `hard`, `enabled`, "
              "`min_failures`, `of_last`.", "",
              parameter_table(kind), ""]
    return "\n".join(parts)


def rules_markdown() -> str:
    kinds = registry.kinds()
    out = ["# Rule-kind reference", "",
           "Generated from the rule-kind registry by `python -m statguard.docs`; do not edit by hand.", "",
           "| kind | scope | summary |", "|---|---|---|"]
    out += [f"| [`{k.name}`](#{k.name}) | {k.scope} | {k.summary} |" for k in kinds.values()]
    out.append("")
    for kind in kinds.values():
        out.append(kind_reference(kind))
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(rules_markdown())
