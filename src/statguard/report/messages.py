"""Message templates: `{name}` or `{name:format}` placeholders, nothing else.

Templates come from rule authors, so they are parsed once and only plain names
are allowed: no attribute access, no indexing, no expressions. A template may
be one string or one per language ({zh: ..., en: ...}).
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_FORMATTER = string.Formatter()
MISSING = "NA"


def template_for(message: str | Mapping[str, str] | None, lang: str | None) -> str | None:
    if message is None or isinstance(message, str):
        return message
    if lang and lang in message:
        return message[lang]
    return next(iter(message.values()), None)


def placeholders(template: str) -> list[str]:
    """Names used by `template`; raises ValueError for anything but plain names."""
    names = []
    for _, name, _spec, conv in _FORMATTER.parse(template):
        if name is None:
            continue
        if not name or any(ch in name for ch in ".[]()") or conv:
            raise ValueError(f"placeholder '{{{name}}}' is not a plain name")
        names.append(name)
    return names


def render(template: str, values: Mapping[str, Any]) -> str:
    return renderer(template)(values)


def renderer(template: str) -> Callable[[Mapping[str, Any]], str]:
    """`template` parsed once, for rendering many rows."""
    parts = list(_FORMATTER.parse(template))

    def render_one(values: Mapping[str, Any]) -> str:
        return _render(parts, values)
    return render_one


def render_columns(template: str, columns: Mapping[str, Sequence[Any]], n: int) -> list[str]:
    """`template` rendered for n rows at once, each placeholder from a column of n values
    (as `render` with values[name] = columns[name][i]): every placeholder's column is
    formatted as a whole, then the rows are assembled by one positional format string."""
    pattern, formatted = [], []
    for literal, name, spec, _ in _FORMATTER.parse(template):
        pattern.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name not in columns:
            pattern.append("{{" + name.replace("{", "{{").replace("}", "}}") + "}}")
            continue
        pattern.append("{" + str(len(formatted)) + "}")
        formatted.append(_format_column(columns[name], spec or ""))
    text = "".join(pattern)
    if not formatted:
        return [text.format()] * n
    return list(map(text.format, *formatted))  # the columns all have n values


def _format_column(values: Sequence[Any], spec: str) -> list[str]:
    if spec:
        return [_format(v, spec) for v in values]
    kinds = set(map(type, values))
    if kinds <= {str}:
        return list(values)
    if kinds <= {int}:  # as _format: str() (bool is its own type, so not here)
        return list(map(str, values))
    # text as is, whole numbers with str (as _format does), the rest through _format
    return [v if (t := type(v)) is str else str(v) if t is int else _format(v, "") for v in values]


def _render(parts: list[tuple[str, str | None, str | None, str | None]], values: Mapping[str, Any]) -> str:
    out = []
    for literal, name, spec, _ in parts:
        out.append(literal)
        if name is None:
            continue
        if name not in values:
            out.append("{" + name + "}")
            continue
        out.append(_format(values[name], spec or ""))
    return "".join(out)


def _format(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if spec:
        try:
            return format(value, spec)
        except (ValueError, TypeError):
            return str(value)
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)
