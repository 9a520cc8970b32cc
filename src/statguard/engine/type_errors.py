"""DuckDB's messages for a value of the wrong type, said in the reader's words with what to do.

DuckDB says "Cannot compare values of type VARCHAR and type INTEGER_LITERAL", "No function
matches the given name and argument types '~~(BIGINT, INTEGER_LITERAL)'" or "Could not convert
string 'abc' to INT32": its own type names and, for LIKE, its internal function name. A rule
author reads "it compares a text value with a number" and what to do about it, which depends
on when it is found: at a run, a column the data gave as text (a placeholder among its
numbers, or no type declared) needs its type declared; at lint (statguard.load.dryrun) the
types are the pack's own declarations, which the author is asked to look at.
"""

from __future__ import annotations

import re

from statguard.i18n import register, say

register({
    "types.compare": {"en": "it compares a {a} with a {b}", "zh": "规则把{a}与{b}相比较"},
    "types.function": {"en": "{function} does not take a {types}", "zh": "{function} 不接受{types}"},
    "types.convert": {"en": "the value {value} of column '{column}' is not a {type}",
                      "zh": "列「{column}」的值 {value} 不是{type}"},
    "types.hint_read": {
        "en": "; a column read as text (a placeholder such as 'xxx' among its numbers, or no type declared) needs "
              "its type declared in the pack (columns: {name: {type: number}}: values that are not numbers then "
              "become findings of the schema) or a cast(x as double)",
        "zh": "；按文本读入的列（数字中夹有 'xxx' 等占位符，或未声明类型）需要在规则包中声明类型"
              "（columns: {列名: {type: number}}，非数字的值随之成为 schema 的问题），或写 cast(x as double)"},
    "types.hint_declared": {
        "en": "; look at the types the pack declares for the columns the rule uses, or write cast(x as double)",
        "zh": "；请检查规则包为该规则所用列声明的类型，或写 cast(x as double)"},
    "types.text": {"en": "text value", "zh": "文本"},
    "types.number": {"en": "number", "zh": "数值"},
    "types.date": {"en": "date", "zh": "日期"},
    "types.datetime": {"en": "date-time", "zh": "日期时间"},
    "types.boolean": {"en": "true/false value", "zh": "是否值"},
    "types.and": {"en": " and a ", "zh": "和"},
})

_COMPARED = re.compile(r"Cannot (?:compare|mix) values of type (\w+) and (?:type )?(\w+)")
_CALLED = re.compile(r"No function matches the given name and argument types '([^(]*)\((.*)\)'")
_CONVERTED = re.compile(r"Could not convert string (.+?) to (\w+) when casting from source column (.+)$")
# DuckDB's internal names of operators an author writes as words
_OPERATORS = {"~~": "LIKE", "!~~": "NOT LIKE", "~~*": "ILIKE", "!~~*": "NOT ILIKE"}


def readable(text: str, declared: bool = False) -> str:
    """`text` (a DuckDB message without its class) said in the reader's words when it is one of
    the wrong-type messages, else as it is. `declared`: the types are the pack's declarations
    (lint), not what a run read from the data."""
    hint = say("types.hint_declared" if declared else "types.hint_read")
    compared = _COMPARED.match(text)
    if compared:
        return say("types.compare", a=type_word(compared[1]), b=type_word(compared[2])) + hint
    called = _CALLED.match(text)
    if called:
        words = list(dict.fromkeys(type_word(t) for t in called[2].split(", ") if t))
        function = _OPERATORS.get(called[1], called[1])
        return say("types.function", function=function, types=say("types.and").join(words)) + hint
    converted = _CONVERTED.match(text)
    if converted:
        return say("types.convert", value=converted[1], type=type_word(converted[2]),
                   column=converted[3].strip()) + hint
    return text


def type_word(duckdb_type: str) -> str:
    """A DuckDB type name as the reader says it (VARCHAR: text value, DECIMAL(18,3): number)."""
    from statguard.checks.plan import NUMERIC_TYPES
    head = duckdb_type.removesuffix("_LITERAL").split("(")[0]
    # NUMERIC_TYPES, and the names DuckDB's conversion messages use (INT32, UINT8, FLOAT8)
    number = head.startswith(NUMERIC_TYPES) or re.fullmatch(r"U?INT\d+|FLOAT\d", head)
    kind = ("text" if head in ("VARCHAR", "STRING") else "date" if head == "DATE"
            else "datetime" if head.startswith("TIMESTAMP") else "boolean" if head == "BOOLEAN"
            else "number" if number else None)
    return say(f"types.{kind}") if kind else duckdb_type
