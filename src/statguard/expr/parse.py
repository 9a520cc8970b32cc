"""Parsing rule expressions and refusing everything outside the whitelist.

The text is parsed by sqlglot (DuckDB dialect, which accepts `==` as well as
`=`), then every node of the tree is checked against `ALLOWED`. Anything else,
table functions, subqueries, statements, unknown functions, is refused with
the position of the offending token. Nothing is ever evaluated in Python.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from statguard.errors import ExpressionError, Problem
from statguard.expr import aggregates

# Node types an expression may contain, and the name shown in the docs.
_OPERATORS: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren,
    exp.Neg, exp.Not, exp.And, exp.Or, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod,
    exp.IntDiv, exp.Pow, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is,
    exp.In, exp.Between, exp.Case, exp.If, exp.Like, exp.ILike, exp.Interval, exp.Var,
    exp.Tuple, exp.DPipe, exp.NullSafeEQ, exp.NullSafeNEQ,
    exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam,
)

# Functions, by sqlglot class, with the SQL name rule authors write.
FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.Abs: "abs", exp.Round: "round", exp.Floor: "floor", exp.Ceil: "ceil",
    exp.Sqrt: "sqrt", exp.Ln: "ln", exp.Log: "log", exp.Exp: "exp", exp.Sign: "sign",
    exp.Coalesce: "coalesce", exp.Nullif: "nullif", exp.Greatest: "greatest",
    exp.Least: "least", exp.Length: "length", exp.Lower: "lower", exp.Upper: "upper",
    exp.Trim: "trim", exp.Substring: "substring", exp.Concat: "concat",
    exp.RegexpLike: "regexp_matches", exp.StartsWith: "starts_with",
    exp.Year: "year", exp.Month: "month", exp.Quarter: "quarter", exp.Day: "day",
    exp.DateDiff: "date_diff", exp.DateTrunc: "date_trunc", exp.CurrentDate: "current_date",
    exp.TimestampTrunc: "date_trunc",  # DuckDB's date_trunc('month', d), as sqlglot reads it
}

ALLOWED: frozenset[type[exp.Expression]] = frozenset(_OPERATORS) | frozenset(FUNCTIONS)

# Cast targets allowed in CAST(x AS ...) / x::type.
_CAST_TYPES = {
    exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.DOUBLE,
    exp.DataType.Type.FLOAT, exp.DataType.Type.DECIMAL, exp.DataType.Type.VARCHAR,
    exp.DataType.Type.TEXT, exp.DataType.Type.DATE, exp.DataType.Type.BOOLEAN,
    exp.DataType.Type.TIMESTAMP, exp.DataType.Type.SMALLINT, exp.DataType.Type.TINYINT,
}

_REFUSED_WORDS = re.compile(
    r"\b(COPY|ATTACH|DETACH|INSTALL|LOAD|PRAGMA|SET|RESET|CALL|EXPORT|IMPORT|CREATE|DROP|"
    r"ALTER|INSERT|UPDATE|DELETE|SELECT|FROM|WITH|UNION)\b", re.IGNORECASE)


def parse(text: str, *, file: str | None = None, line: int | None = None,
          column: int | None = None, field: str | None = None, statistics: bool = False) -> exp.Expression:
    """Parse and whitelist-check one expression; raise ExpressionError if refused.

    `line`/`column` locate the expression's first character in its file, so that
    the positions in errors point into the YAML, not into the expression string.
    With `statistics`, statistics over records (statguard.expr.aggregates) are allowed.
    """
    where = _Where(text, file, line, column, field)
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(where.problem("expression is empty", 0))
    try:
        trees = sqlglot.parse(text, read="duckdb")
    except (ParseError, TokenError) as e:
        raise ExpressionError(where.problem(_parse_message(e), _error_offset(e, text))) from None
    except RecursionError:  # sqlglot parses nesting recursively: some 40 parentheses deep is its end
        raise ExpressionError(where.problem(TOO_DEEP, 0)) from None
    except Exception as e:  # sqlglot may raise other errors on odd input
        raise ExpressionError(where.problem(f"cannot parse expression: {e}", 0)) from None
    if len(trees) != 1 or trees[0] is None:
        offset = text.find(";")
        raise ExpressionError(where.problem(
            "only one expression is allowed (found ';' or several statements)", max(offset, 0)))
    tree = trees[0]
    if _depth(tree) > MAX_DEPTH:  # rendered as SQL recursively, and by DuckDB too
        raise ExpressionError(where.problem(TOO_DEEP, 0))
    window = tree.find(exp.Window)
    if window is not None:  # refused before statistics are normalised: located at its function as written
        raise ExpressionError(where.problem(_refusal(window), _offset_of(window, text, _token(window.this))))
    tree = aggregates.normalise(tree, lambda node, message: where.problem(
        message, _offset_of(node, where.text, _token(node))), statistics)
    _check(tree, where, aggregates.NODES if statistics else frozenset())
    return tree


MAX_DEPTH = 100  # nested parentheses, functions and operators (a chain a + b + c ... is one level)
TOO_DEEP = "expression nested too deeply (parentheses, functions or operators within one another); write it more simply"


def _depth(tree: exp.Expression) -> int:
    """How deeply `tree` nests, counted without recursion; a chain of one operator (a + b + c,
    which sqlglot nests to the left and renders in a loop) counts once."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in node.iter_expressions():
            chained = isinstance(child, exp.Binary) and type(child) is type(node) and child.arg_key == "this"
            stack.append((child, depth if chained else depth + 1))
    return deepest


class _Where:
    def __init__(self, text: str, file: str | None, line: int | None, column: int | None,
                 field: str | None):
        self.text, self.file, self.line, self.column, self.field = text, file, line, column, field

    def problem(self, message: str, offset: int) -> Problem:
        text = self.text if isinstance(self.text, str) else ""
        before = text[:offset]
        extra_lines = before.count("\n")
        col_in_line = offset - (before.rfind("\n") + 1)
        line = (self.line or 1) + extra_lines
        column = col_in_line + 1 if extra_lines else (self.column or 1) + col_in_line
        return Problem(message, self.file, line if self.file or self.line else None,
                       column if self.file or self.column else None, self.field)


def _parse_message(e: Exception) -> str:
    errors = getattr(e, "errors", None)
    if errors:
        first = errors[0]
        token = (first.get("highlight") or "").strip()
        desc = _incomplete(first.get("description") or "invalid expression")
        return f"cannot parse expression: {desc}" + (f" near '{token}'" if token else "")
    return f"cannot parse expression: {str(e).splitlines()[0]}"


# sqlglot's sentence for an operator or function written without an operand, naming its node class
_MISSING = re.compile(r"Required keyword: '(\w+)' missing for <class '(?:\w+\.)*(\w+)'>")


def _incomplete(description: str) -> str:
    """sqlglot's description, with "Required keyword: 'expression' missing for <class '...BitwiseRightShift'>"
    said as the rule author wrote it: "operator '>>' has nothing on its right"."""
    match = _MISSING.search(description)
    if not match:
        return description
    keyword, name = match.groups()
    cls = getattr(exp, name, None)
    if cls is exp.Between:
        return description.replace(match.group(0), "BETWEEN needs both bounds (x BETWEEN low AND high)")
    what = f"'{name}'"
    try:
        if isinstance(cls, type) and issubclass(cls, exp.Binary):
            sql = cls(this=exp.column("x"), expression=exp.column("y")).sql("duckdb")
            what = f"operator '{sql.removeprefix('x ').removesuffix(' y')}'"
            side = {"this": "left", "expression": "right"}.get(keyword)
            if side:
                return description.replace(match.group(0), f"{what} has nothing on its {side}")
        elif isinstance(cls, type) and issubclass(cls, exp.Func):
            what = f"function '{(cls.sql_names() or [name])[0].lower()}'"
            if keyword == "this":
                return description.replace(match.group(0), f"{what} needs an argument")
    except Exception:  # a node that cannot be built so: its class name says it
        pass
    return description.replace(match.group(0), f"{what} lacks its '{keyword}' part")


def _error_offset(e: Exception, text: str) -> int:
    """Offset in `text` of the token sqlglot choked on (its line/col point at the token's end)."""
    errors = getattr(e, "errors", None)
    if not errors or not errors[0].get("line") or not errors[0].get("col"):
        return 0
    first = errors[0]
    lines = text.split("\n")
    line = min(first["line"], len(lines))
    token_len = len(first.get("highlight") or "")
    return sum(len(x) + 1 for x in lines[: line - 1]) + max(first["col"] - token_len, 0)


# Nodes that give a number, text, a date or an interval, never true or false: an expression made
# of one of these at the top is not a condition (`a + b` where `a + b == total` was meant).
_VALUES: tuple[type[exp.Expression], ...] = (
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.Pow, exp.Neg, exp.DPipe, exp.Literal,
    exp.Interval, *(f for f in FUNCTIONS if f not in (exp.RegexpLike, exp.StartsWith, exp.Coalesce, exp.Nullif,
                                                       exp.Greatest, exp.Least)))


def condition_problem(tree: exp.Expression, text: str) -> str | None:
    """Why `tree` cannot be a rule's condition (true or false for a record), or None when it can
    be (or its type shows only on data: a column, CASE, coalesce)."""
    node = tree
    while isinstance(node, exp.Paren):
        node = node.this
    value = isinstance(node, _VALUES) or aggregates.is_numeric(node, lambda _: True) or (
        isinstance(node, (exp.Cast, exp.TryCast)) and node.to.this != exp.DataType.Type.BOOLEAN)
    if not value:
        return None
    shown = " ".join(text.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return (f"the expression must be a condition, true or false for each record (such as a + b == total), "
            f"not a value: '{shown}'")


def _check(tree: exp.Expression, where: _Where, extra: frozenset[type[exp.Expression]] = frozenset()) -> None:
    for node in tree.walk():
        kind = type(node)
        if kind in extra:
            continue
        if isinstance(node, exp.Star) and isinstance(node.parent, exp.Count) and exp.Count in extra:
            continue
        if kind in ALLOWED:
            if isinstance(node, exp.In) and (node.args.get("query") or node.args.get("unnest")):
                raise ExpressionError(where.problem(
                    "IN accepts a list of values, not a subquery", _offset_of(node, where.text, "IN")))
            if isinstance(node, exp.DataType) and node.this not in _CAST_TYPES:
                raise ExpressionError(where.problem(
                    f"cast to type '{node.sql()}' is not allowed", _offset_of(node, where.text, node.sql())))
            if isinstance(node, exp.Column) and node.args.get("table") and node.args["table"].args.get("db"):
                pass
            continue
        raise ExpressionError(where.problem(_refusal(node), _offset_of(node, where.text, _token(node))))


def _token(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this)
    if isinstance(node, exp.Any):
        return "any"
    if isinstance(node, exp.Func):
        return node.sql_name()
    if isinstance(node, (exp.Subquery, exp.Select, exp.Query)):
        return "SELECT"
    if isinstance(node, exp.Star):
        return "*"
    return type(node).__name__


def _refusal(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return f"unknown function '{node.this}' (allowed: {', '.join(sorted(set(FUNCTIONS.values())))})"
    if isinstance(node, (exp.Subquery, exp.Select, exp.Query, exp.Exists)):
        return "subqueries are not allowed in expressions"
    if isinstance(node, exp.Window):
        return (f"'{node.sql()}' is not allowed in expressions: windows (OVER) are not written by hand; "
                "a row rule's statistics are per group of its `by:`")
    if isinstance(node, exp.Func):
        return f"function '{node.sql_name().lower()}' is not allowed in expressions"
    if isinstance(node, (exp.Placeholder, exp.Parameter)):
        return "parameters are not allowed in expressions"
    if isinstance(node, exp.Star):
        return "'*' is not allowed in expressions"
    if isinstance(node, exp.Command) or _REFUSED_WORDS.match(node.sql() or ""):
        return f"statement '{(node.sql() or '').split()[0]}' is not allowed in expressions"
    return f"'{node.sql() or type(node).__name__}' is not allowed in expressions"


def _offset_of(node: exp.Expression, text: str, token: str) -> int:
    for child in node.walk():
        meta = child.meta if hasattr(child, "meta") else {}
        if "start" in meta and child is node:
            return int(meta["start"])
    if token:
        m = re.search(re.escape(token), text, re.IGNORECASE)
        if m:
            return m.start()
    for child in node.walk():
        meta = getattr(child, "meta", {}) or {}
        if "start" in meta:
            return int(meta["start"])
    return 0
