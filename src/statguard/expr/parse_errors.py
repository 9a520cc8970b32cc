"""The parser's errors said in the expression language's own words, with their position.

sqlglot describes what it could not parse in its own terms ("Invalid expression / Unexpected
token", "Required keyword: 'expression' missing for <class 'sqlglot.expressions.GT'>"). A rule
author is told instead what is missing or unexpected, as they wrote it ("operator '>' has
nothing on its right near '>'"). A sentence not known here becomes "the expression is
incomplete or malformed here", never sqlglot's text.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlglot import exp

from statguard.expr.messages import say

# sqlglot's sentence for an operator or function written without an operand, naming its node class
_MISSING = re.compile(r"Required keyword: '(\w+)' missing for <class '(?:\w+\.)*(\w+)'>")
# "Expecting )", "Expected END after CASE": what is expected, in the author's tokens
_EXPECTING = re.compile(r"^Expect(?:ed|ing) ([^\s\w]|[A-Z]+)(?: after ([^\s\w]|[A-Z]+|'::'))?$")


def message(e: Exception, text: str) -> str:
    """What is wrong in `text`, for sqlglot's ParseError or TokenError `e`."""
    errors = getattr(e, "errors", None)
    if not errors:
        return say("expr.parse", why=say("expr.p.malformed"))
    first = errors[0]
    token = (first.get("highlight") or "").strip()
    why = _described(first.get("description") or "", token, text)
    named = f"'{token}'" in why or f"「{token}」" in why
    return say("expr.parse", why=say("expr.near", why=why, token=token) if token and not named else why)


def _described(description: str, token: str, text: str) -> str:
    description = description.strip()
    if description.startswith("Invalid expression / Unexpected token") and token:
        return say("expr.p.unexpected", token=token)
    match = _MISSING.search(description)
    if match:
        return _missing(*match.groups(), text)
    match = _EXPECTING.match(description)
    if match:
        what, after = match.groups()
        if after:
            return say("expr.p.expected_after", what=what, after=after.strip("'"))
        return say("expr.p.expecting", what=what)
    return say("expr.p.malformed")


def _missing(keyword: str, name: str, text: str) -> str:
    """'operator '>>' has nothing on its right', 'function 'abs' needs an argument': named only as
    written in `text`."""
    cls = getattr(exp, name, None)
    if cls is exp.Between:
        return say("expr.p.between")
    try:
        if isinstance(cls, type) and issubclass(cls, exp.Binary) and keyword in ("this", "expression"):
            sql = cls(this=exp.column("x"), expression=exp.column("y")).sql("duckdb")
            op = sql.removeprefix("x ").removesuffix(" y")
            written = re.search(re.escape(op), text, re.IGNORECASE) if op and " " not in op else None
            if written:  # '>>' as such, AND as written
                return say("expr.p.no_left" if keyword == "this" else "expr.p.no_right", op=written.group(0))
        elif isinstance(cls, type) and issubclass(cls, exp.Func) and keyword == "this":
            written = written_function(cls, text)
            if written:
                return say("expr.p.needs_argument", name=written)
    except Exception:  # a node that cannot be built so: said plainly
        pass
    return say("expr.p.malformed")


def offset(e: Exception, text: str) -> int:
    """Offset in `text` of the token sqlglot choked on (its line/col point at the token's end)."""
    errors = getattr(e, "errors", None)
    if not errors or not errors[0].get("line") or not errors[0].get("col"):
        return 0
    first = errors[0]
    lines = text.split("\n")
    line = min(first["line"], len(lines))
    token_len = len(first.get("highlight") or "")
    return sum(len(x) + 1 for x in lines[: line - 1]) + max(first["col"] - token_len, 0)


def written_function(cls: type[exp.Func], text: str) -> str | None:
    """The name a function of class `cls` is written with in `text` (followed by '('), or None."""
    for name in cls.sql_names():
        found = re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", text, re.IGNORECASE)
        if found:
            return found.group(0).rstrip("( \t\n")
    return None


def unquoted_name(text: str, names: Collection[str] | None) -> tuple[str, int] | None:
    """A column name holding signs of the language (增速(%), 投资额(万元), a-b) written in `text`
    without the double quotes it needs, with its offset; the longest such name, None if none."""
    for name in sorted(names or (), key=len, reverse=True):
        if "." in name or not _SIGNS.search(name):
            continue
        at = text.find(name)
        while at >= 0:
            if text[at - 1:at] not in ('"', "`"):
                return name, at
            at = text.find(name, at + 1)
    return None


_SIGNS = re.compile(r"[^\w]")  # a character that ends a bare name
# a name with a Chinese character called with signs, not values, in its brackets: 增速(%), 产值(‰)
NAMED_CALL = re.compile(r"(?<![\w\"'`])(\w*[^\W\x00-\x7f]\w*)\s*\([^\w()'\"]*\)")
