"""pydantic's error messages in the language spoken (statguard.i18n.speaking).

A rule's parameters, the scorecard and the screen settings are checked by pydantic models,
whose messages are English ("Input should be greater than 1"). `said(err)` gives, in a
language other than English, the catalogue's sentence for the error types a pack's author
meets, filled from the error's context; in English pydantic's own wording, which is what its
documentation and a search find (the entries' English is its gist). A validator's own message
(a kind's rule about its parameters) is said in the language spoken already and only loses
pydantic's "Value error, " prefix; any other error type keeps pydantic's text.
"""

from __future__ import annotations

import re
from typing import Any

from statguard.i18n import register, say, spoken

PYDANTIC_PREFIX = "Value error, "  # how pydantic starts a validator's message; taken off

register({
    "pydantic.greater_than": {"en": "Input should be greater than {gt}", "zh": "应大于 {gt}"},
    "pydantic.greater_than_equal": {"en": "Input should be greater than or equal to {ge}", "zh": "应不小于 {ge}"},
    "pydantic.less_than": {"en": "Input should be less than {lt}", "zh": "应小于 {lt}"},
    "pydantic.less_than_equal": {"en": "Input should be less than or equal to {le}", "zh": "应不大于 {le}"},
    "pydantic.too_short": {"en": "List should have at least {min_length} item(s), not {actual_length}",
                           "zh": "至少应有 {min_length} 项，而不是 {actual_length} 项"},
    "pydantic.too_long": {"en": "List should have at most {max_length} item(s), not {actual_length}",
                          "zh": "至多可有 {max_length} 项，而不是 {actual_length} 项"},
    "pydantic.literal_error": {"en": "Input should be {expected}", "zh": "应为 {expected}"},
    "pydantic.literal_or": {"en": " or ", "zh": " 或 "},
    "pydantic.bool": {"en": "Input should be true or false", "zh": "应为 true 或 false"},
    "pydantic.int": {"en": "Input should be a whole number", "zh": "应为整数"},
    "pydantic.number": {"en": "Input should be a number", "zh": "应为数字"},
    "pydantic.string": {"en": "Input should be a text", "zh": "应为文本"},
    "pydantic.list": {"en": "Input should be a list", "zh": "应为列表"},
    "pydantic.dict": {"en": "Input should be a mapping", "zh": "应为映射（键: 值）"},
})
_KEYS = {"greater_than": "pydantic.greater_than", "greater_than_equal": "pydantic.greater_than_equal",
         "less_than": "pydantic.less_than", "less_than_equal": "pydantic.less_than_equal",
         "too_short": "pydantic.too_short", "too_long": "pydantic.too_long",
         "bool_parsing": "pydantic.bool", "bool_type": "pydantic.bool",
         "int_parsing": "pydantic.int", "int_type": "pydantic.int", "int_from_float": "pydantic.int",
         "float_parsing": "pydantic.number", "float_type": "pydantic.number", "string_type": "pydantic.string",
         "list_type": "pydantic.list", "dict_type": "pydantic.dict",
         # pydantic 1, inside great-expectations (the expectation kind's arguments)
         "type_error.float": "pydantic.number", "type_error.integer": "pydantic.int",
         "type_error.bool": "pydantic.bool", "type_error.str": "pydantic.string", "type_error.list": "pydantic.list",
         "type_error.dict": "pydantic.dict"}


def said(err: dict[str, Any]) -> str:
    """One pydantic error (an item of ValidationError.errors()) as a sentence in the language spoken."""
    kind, ctx = err.get("type"), dict(err.get("ctx") or {})
    if kind == "literal_error" and spoken() not in (None, "en"):  # "'a', 'b' or 'c'": the joining word too
        expected = re.sub(r"' or '", "'" + say("pydantic.literal_or") + "'", str(ctx.get("expected", "")))
        return say("pydantic.literal_error", expected=expected)
    if kind in _KEYS and spoken() not in (None, "en"):
        return say(_KEYS[kind], **{k: _number(v) for k, v in ctx.items()})
    return str(err.get("msg", "")).removeprefix(PYDANTIC_PREFIX)


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value
