"""Message templates: `{name}` or `{name:format}` placeholders, nothing else.

Templates come from rule authors, so they are parsed once and only plain names
are allowed: no attribute access, no indexing, no expressions. A template may
be one string or one per language ({zh: ..., en: ...}).

`statguard lint` refuses what cannot be a template (statguard.pack.lint_checks): a lone
brace, a placeholder that is not a plain name, a format wider or more precise than
MAX_WIDTH, a format no number, text or date takes (`{observed:zz}`); and, for the
kinds whose values are known before a run, a name no violation has
(`unknown_placeholders`). Rendering never raises and never builds such text even
when a template was not linted: an unparsable template is shown as written, an
absurd or invalid format is dropped for the plain value.

A number without a format is written as people write it (statguard.numbers): no binary
noise (9.7, not 9.700000000000003), a derived figure to a few significant digits, thousands
separators in 12,345.6; whole numbers of other names (codes, years) stay as they are, those of
the figures (observed, expected, imbalance) are grouped too.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from statguard.numbers import FIGURES, text

_FORMATTER = string.Formatter()
MISSING = "NA"
MAX_WIDTH = 1000  # widths and precisions in a format spec ({observed:>12.2f}) above this are refused
_NUMBER = re.compile(r"\d+")


def template_for(message: str | Mapping[str, str] | None, lang: str | None) -> str | None:
    if message is None or isinstance(message, str):
        return message
    if lang and lang in message:
        return message[lang]
    return next(iter(message.values()), None)


def unknown_placeholders(template: str, names: Collection[str]) -> list[str]:
    """The placeholders of `template` that are none of `names` (the values a violation has),
    each once: rendering would show them as written."""
    unknown: list[str] = []
    for _, name, _spec, _conv in _parse(template):
        if name is not None and name not in names and name not in unknown:
            unknown.append(name)
    return unknown


_SAMPLES = (1.5, 1, "text")  # a format spec must suit one of these (a date takes any: strftime)
_STRFTIME = re.compile(r"%[a-zA-Z]")


def _valid_spec(spec: str) -> bool:
    """Whether `spec` is a format some value can take: Python's for numbers or text, or a date's."""
    if _STRFTIME.search(spec):
        return True
    for sample in _SAMPLES:
        try:
            format(sample, spec)
        except (ValueError, TypeError):
            continue
        return True
    return False


def _sane(spec: str) -> bool:
    """Whether every number in a format spec (width, precision) is at most MAX_WIDTH."""
    return all(int(n) <= MAX_WIDTH for n in _NUMBER.findall(spec))


def _parse(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """The template's parts; one that does not parse is all literal text, shown as written."""
    try:
        return list(_FORMATTER.parse(template))
    except ValueError:
        return [(template, None, None, None)]


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
    parts = _parse(template)

    def render_one(values: Mapping[str, Any]) -> str:
        return _render(parts, values)
    return render_one


def render_columns(template: str, columns: Mapping[str, Sequence[Any]], n: int, missing: str = MISSING) -> list[str]:
    """`template` rendered for n rows at once, each placeholder from a column of n values
    (as `render` with values[name] = columns[name][i]): every placeholder's column is
    formatted as a whole, then the rows are assembled by one positional format string.
    `missing`: what a missing value reads (NA; 缺失 in a Chinese report)."""
    pattern, formatted = [], []
    for literal, name, spec, _ in _parse(template):
        pattern.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name not in columns:
            pattern.append("{{" + name.replace("{", "{{").replace("}", "}}") + "}}")
            continue
        pattern.append("{" + str(len(formatted)) + "}")
        formatted.append(_format_column(columns[name], spec or "", name in FIGURES, missing))
    text = "".join(pattern)
    if not formatted:
        return [text.format()] * n
    return list(map(text.format, *formatted))  # the columns all have n values


def _format_column(values: Sequence[Any], spec: str, figure: bool = False, missing: str = MISSING) -> list[str]:
    if spec and _sane(spec):
        return [_format(v, spec, missing=missing) for v in values]
    if spec:  # an absurd width or precision: the plain values
        return _format_column(values, "", figure, missing)
    kinds = set(map(type, values))
    if kinds <= {str}:
        return list(values)
    if kinds <= {int} and not figure:  # as _format: str() (bool is its own type, so not here)
        return list(map(str, values))
    # text as is, whole numbers with str (as _format does), the rest through _format
    return [v if (t := type(v)) is str else str(v) if t is int and not figure else _format(v, "", figure, missing)
            for v in values]


def _render(parts: list[tuple[str, str | None, str | None, str | None]], values: Mapping[str, Any]) -> str:
    out = []
    for literal, name, spec, _ in parts:
        out.append(literal)
        if name is None:
            continue
        if name not in values:
            out.append("{" + name + "}")
            continue
        out.append(_format(values[name], spec or "", name in FIGURES))
    return "".join(out)


def _format(value: Any, spec: str, figure: bool = False, missing: str = MISSING) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if spec and _sane(spec):
        try:
            return format(value, spec)
        except (ValueError, TypeError, OverflowError):
            return str(value)
    kind = type(value)
    if kind is float or kind is int and figure:
        return text(value)  # rounded, grouped (statguard.numbers); codes and years stay as written
    return str(value)
