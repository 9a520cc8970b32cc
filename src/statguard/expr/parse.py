"""Parsing rule expressions and refusing everything outside the whitelist.

The text is parsed by sqlglot (DuckDB dialect, which accepts `==` as well as
`=`), then every node of the tree is checked against `ALLOWED`. Anything else,
table functions, subqueries, statements, unknown functions, is refused with
the position of the offending token. Nothing is ever evaluated in Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from statguard.errors import ExpressionError, Problem
from statguard.expr import aggregates, keyboard, parse_errors, refusals
from statguard.expr.messages import say

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

def parse(text: str, *, file: str | None = None, line: int | None = None,
          column: int | None = None, field: str | None = None, statistics: bool = False,
          names: Collection[str] | None = None) -> exp.Expression:
    """Parse and whitelist-check one expression; raise ExpressionError if refused.

    `line`/`column` locate the expression's first character in its file, so that
    the positions in errors point into the YAML, not into the expression string.
    With `statistics`, statistics over records (statguard.expr.aggregates) are allowed.
    `names`, the column names the rule's sources have, keep full-width marks within them
    (营业收入（万元）) from being read as operators (statguard.expr.keyboard).
    """
    where = _Where(text, file, line, column, field)
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(where.problem(say("expr.empty"), 0))
    try:
        return _parsed(text, where, statistics, names)
    except ExpressionError:
        # 增速(%) > 0 read as a call and an operator: the author wrote a column name with signs in it
        bare = parse_errors.unquoted_name(text, names)
        if bare is not None:
            raise ExpressionError(where.problem(say("expr.quote_name", name=bare[0]), bare[1])) from None
        call = parse_errors.NAMED_CALL.search(text) if names is None else None
        if call is None:
            raise
        raise ExpressionError(where.problem(say("expr.quote_call", name=call.group(1), written=call.group(0)),
                                            call.start())) from None


def _parsed(text: str, where: _Where, statistics: bool, names: Collection[str] | None) -> exp.Expression:
    try:
        prepared = keyboard.prepare(text, names)
    except keyboard.Typed as e:
        raise ExpressionError(where.problem(e.message, e.offset)) from None
    try:
        trees = sqlglot.parse(prepared, read="duckdb")
    except (ParseError, TokenError) as e:
        raise ExpressionError(where.problem(parse_errors.message(e, prepared), parse_errors.offset(e, text))) from None
    except RecursionError:  # sqlglot parses nesting recursively: some 40 parentheses deep is its end
        raise ExpressionError(where.problem(say("expr.too_deep"), 0)) from None
    except Exception:  # sqlglot may raise other errors on odd input
        raise ExpressionError(where.problem(say("expr.parse", why=say("expr.p.malformed")), 0)) from None
    if len(trees) != 1 or trees[0] is None:
        offset = text.find(";")
        raise ExpressionError(where.problem(say("expr.one_only"), max(offset, 0)))
    tree = trees[0]
    if _depth(tree) > MAX_DEPTH:  # rendered as SQL recursively, and by DuckDB too
        raise ExpressionError(where.problem(say("expr.too_deep"), 0))
    where.text = prepared  # same length as written: positions found in it are positions in the text
    window = tree.find(exp.Window)
    if window is not None:  # refused before statistics are normalised: located at its function as written
        at = _offset_of(window, prepared, _token(window.this, prepared))
        raise ExpressionError(where.problem(refusals.window(prepared, at), at))
    tree = aggregates.normalise(tree, lambda node, message: where.problem(
        message, _offset_of(node, where.text, _token(node, where.text))), statistics)
    _check(tree, where, aggregates.NODES if statistics else frozenset())
    for division in tree.find_all(exp.Div):
        # x / 0 is NULL, a missing figure, on every engine: sqlglot renders a safe division as
        # x / NULLIF(0, 0) where the engine would give inf or NaN (DuckDB), as itself where it is
        # NULL already (Spark). // and % by zero: the DuckDB engine's connection (CONNECTION_CONFIG).
        division.set("safe", True)
    # a value that does not convert is NULL, the item not evaluable (as Spark casts), rather than
    # an error that loses the whole rule over one record (and quotes the record's value)
    return tree.transform(lambda node: exp.TryCast(**node.args) if type(node) is exp.Cast else node, copy=False)


MAX_DEPTH = 100  # nested parentheses, functions and operators (a chain a + b + c ... is one level)


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
    return say("expr.not_condition", shown=shown)


def _check(tree: exp.Expression, where: _Where, extra: frozenset[type[exp.Expression]] = frozenset()) -> None:
    text = where.text
    for node in tree.walk():
        kind = type(node)
        if kind in extra:
            continue
        if isinstance(node, exp.Star) and isinstance(node.parent, exp.Count) and exp.Count in extra:
            continue
        if kind in ALLOWED:
            if isinstance(node, exp.Literal) and node.is_number and not math.isfinite(float(node.this)):
                # 1e400 would be infinity, which no figure compares with meaningfully
                at = _offset_of(node, text, node.this)
                raise ExpressionError(where.problem(say("expr.number_too_large", number=node.this), at))
            if isinstance(node, exp.In) and (node.args.get("query") or node.args.get("unnest")):
                raise ExpressionError(where.problem(say("expr.in_subquery"), _offset_of(node, text, "IN")))
            if isinstance(node, exp.DataType) and node.this not in _CAST_TYPES:
                raise ExpressionError(where.problem(refusals.cast_type(node, text), _offset_of(node, text, "::")))
            if refusals.text_join_of_conditions(node):
                raise ExpressionError(where.problem(say("expr.kb.or_text"), _offset_of(node, text, "||")))
            continue
        at = _offset_of(node, text, _token(node, text))
        raise ExpressionError(where.problem(refusals.refusal(node, text, at, _ALLOWED_NAMES), at))


_ALLOWED_NAMES = sorted(set(FUNCTIONS.values()))


def _token(node: exp.Expression, text: str) -> str:
    """A piece of the text to look for where `node` has no position of its own."""
    if isinstance(node, exp.Anonymous):
        return str(node.this)
    if isinstance(node, exp.Any):
        return "any"
    if isinstance(node, exp.Func):
        return refusals.function_as_written(node, text, _ALLOWED_NAMES) or node.sql_name()
    if isinstance(node, (exp.Subquery, exp.Select, exp.Query)):
        return "SELECT"
    if isinstance(node, exp.Star):
        return "*"
    if isinstance(node, (exp.Placeholder, exp.Parameter)):
        return "$" if "$" in (node.sql() or "") else "?"
    if isinstance(node, exp.Bracket):
        return "["
    statement = refusals.STATEMENTS.match(node.sql() or "")
    return statement.group(0) if statement else ""


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
