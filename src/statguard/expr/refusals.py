"""Why a node outside the whitelist is refused, said with what the author wrote.

The parser's tree names things its own way (`strftime` becomes TIME_TO_STR, `a[1]` is rendered
`a[0]`, `&&` is ARRAY_OVERLAPS), so a refusal never shows the tree's rendering or its class:
it names the function, operator or statement as it stands in the text, or, failing that,
quotes the text itself.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from statguard.expr.messages import say
from statguard.expr.parse_errors import written_function

STATEMENTS = re.compile(
    r"\b(COPY|ATTACH|DETACH|INSTALL|LOAD|PRAGMA|SET|RESET|CALL|EXPORT|IMPORT|CREATE|DROP|"
    r"ALTER|INSERT|UPDATE|DELETE|SELECT|FROM|WITH|UNION)\b", re.IGNORECASE)
_CALL = re.compile(r"(?<![\w.])([^\W\d][\w]*)\s*\(")


def refusal(node: exp.Expression, text: str, at: int, allowed: list[str]) -> str:
    """The message refusing `node` of `text` (found at offset `at`); `allowed`: the function names."""
    if isinstance(node, exp.Anonymous):
        call = re.compile(re.escape(str(node.this)) + r"\s*\([^()]*\)").search(text, at)
        if call and not str(node.this).isascii():  # no function has a Chinese name: 投资额(万元) is a column
            return say("expr.quote_call", name=node.this, written=call.group(0))
        return say("expr.unknown_function", name=node.this, allowed=", ".join(allowed))
    if isinstance(node, (exp.Subquery, exp.Select, exp.Query, exp.Exists)):
        return say("expr.subquery")
    if isinstance(node, (exp.Placeholder, exp.Parameter)):
        return say("expr.parameter")
    if isinstance(node, exp.Star):
        return say("expr.star")
    statement = STATEMENTS.search(text)
    if isinstance(node, exp.Command) or (statement and STATEMENTS.match(node.sql() or "")):
        word = statement.group(0) if statement else (node.sql() or "").split()[0]
        return say("expr.statement", word=word.upper())
    if isinstance(node, exp.Func):
        name = function_as_written(node, text, allowed)
        if name:
            return say("expr.function_refused", name=name)
        return say("expr.function_unnamed", text=shown(text, at), allowed=", ".join(allowed))
    if isinstance(node, exp.Alias):
        return say("expr.alias", text=shown(text, 0))
    return say("expr.refused", text=shown(text, at))


def function_as_written(node: exp.Func, text: str, allowed: list[str]) -> str | None:
    """The name of function `node` as written in `text`, or None when it is not written as a call."""
    written = written_function(type(node), text)
    if written:
        return written.lower()
    for call in _CALL.finditer(text):
        name = call.group(1)
        if name.lower() in allowed:
            continue
        try:
            alone = sqlglot.parse_one(name + text[call.end() - 1:_closing(text, call.end() - 1)], read="duckdb")
        except Exception:  # not a call sqlglot reads on its own: not this one
            continue
        if type(alone) is type(node):
            return name.lower()
    return None


def _closing(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return len(text)


def window(text: str, at: int) -> str:
    """A window written by hand, refused naming it as written (`SUM(a) OVER ...`)."""
    over = re.compile(r"\bOVER\b", re.IGNORECASE).search(text, at)
    end = len(text)
    if over:
        paren = text.find("(", over.end())
        end = _closing(text, paren) if paren >= 0 else over.end()
    written = text[at:end].strip()
    call = _CALL.match(written)
    if call:  # the function's name in capitals, as windows are usually written
        written = call.group(1).upper() + written[len(call.group(1)):]
    return say("expr.window", text=written if len(written) <= 60 else written[:57] + "...")


def cast_type(node: exp.DataType, text: str) -> str:
    """A cast to a type that is not allowed, naming the type as written."""
    for m in re.finditer(r"(?:::|\bAS\b)\s*([^\W\d]\w*)", text, re.IGNORECASE):
        try:
            if exp.DataType.build(m.group(1), dialect="duckdb").this == node.this:
                return say("expr.cast_type", type=m.group(1).upper())
        except Exception:  # not a type name
            continue
    return say("expr.refused", text=shown(text, 0))


def text_join_of_conditions(node: exp.Expression) -> bool:
    """`a > 0 || b > 0`: '||' joining conditions (R's 'or'), which would join them as text."""
    conditions = (exp.Predicate, exp.Connector, exp.Not, exp.Boolean)
    return isinstance(node, exp.DPipe) and any(
        isinstance(side.unnest() if side is not None else None, conditions) for side in (node.this, node.expression))


def shown(text: str, at: int) -> str:
    """The author's text for a message: all of it when short, else from `at`."""
    flat = " ".join(text.split())
    if len(flat) <= 60:
        return flat
    part = " ".join(text[at:].split())
    return part if len(part) <= 60 else part[:57] + "..."
