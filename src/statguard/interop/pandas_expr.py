"""A rule expression (its checked sqlglot tree) as the text of a pandas expression over `df`.

The translation walks the tree node by node and knows each node it writes: column names and
literals are written with repr(), so nothing of the rule's text becomes code, and nothing is
evaluated here. The code it writes calls the functions of statguard.interop.pandera_checks
(number, text, not_, isin, coalesce, ...), which give NULL the meaning SQL gives it. A node
it does not know raises CannotMap: the rule is listed as not expressed.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from statguard.interop.common import CannotMap

_BINARY = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Pow: "**",
           exp.EQ: "==", exp.NEQ: "!=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=",
           exp.And: "&", exp.Or: "|"}
_FUNCTIONS: dict[type[exp.Expression], str] = {
    exp.Floor: "floor", exp.Ceil: "ceil", exp.Sqrt: "sqrt", exp.Length: "length", exp.Lower: "lower",
    exp.Upper: "upper", exp.Trim: "trim"}
_ACCESSORS = {"number": "number", "date": "date", "string": "text"}


def to_pandas(tree: exp.Expression, families: dict[str, str]) -> str:
    """Python code computing `tree` for every record of `df` (families: column -> type family)."""
    return _Writer(families).write(tree)


class _Writer:
    def __init__(self, families: dict[str, str]):
        self.families = families
        self.rules: dict[type[exp.Expression], Callable[[exp.Expression], str]] = {
            exp.Column: self.column, exp.Literal: self.literal, exp.Boolean: lambda n: repr(bool(n.this)),
            exp.Null: lambda n: "pd.NA", exp.Paren: lambda n: self.write(n.this),
            exp.Neg: lambda n: f"(-{self.write(n.this)})", exp.Not: self.not_, exp.Is: self.is_,
            exp.In: self.in_, exp.Between: self.between, exp.Abs: lambda n: f"abs({self.write(n.this)})",
            exp.Round: self.round, exp.Coalesce: lambda n: self.call("coalesce", [n.this, *n.expressions]),
            exp.Greatest: lambda n: self.call("greatest", [n.this, *n.expressions]),
            exp.Least: lambda n: self.call("least", [n.this, *n.expressions]),
            exp.Nullif: lambda n: self.call("nullif", [n.this, n.expression]),
            exp.RegexpLike: lambda n: self.call("regexp_matches", [n.this, n.expression]),
            exp.StartsWith: lambda n: self.call("starts_with", [n.this, n.expression]),
        }

    def write(self, node: exp.Expression) -> str:
        kind = type(node)
        if kind in _BINARY:
            return f"({self.write(node.this)} {_BINARY[kind]} {self.write(node.expression)})"
        if kind in _FUNCTIONS:
            return self.call(_FUNCTIONS[kind], [node.this])
        rule = self.rules.get(kind)
        if rule is None:
            raise CannotMap("node", node=_shown(node))
        return rule(node)

    def call(self, name: str, args: list[exp.Expression | None]) -> str:
        return f"{name}({', '.join(self.write(a) for a in args if a is not None)})"

    def column(self, node: exp.Column) -> str:
        if node.table:
            raise CannotMap("node", node=_shown(node))
        accessor = _ACCESSORS.get(self.families.get(node.name, ""), "value")
        return f"{accessor}(df, {node.name!r})"

    def literal(self, node: exp.Literal) -> str:
        if node.is_string:
            return repr(node.this)
        number = float(node.this)
        return repr(int(number)) if number.is_integer() and "." not in node.this and "e" not in node.this.lower() \
            else repr(number)

    def not_(self, node: exp.Not) -> str:
        return f"not_({self.write(node.this)})"

    def is_(self, node: exp.Is) -> str:
        if not isinstance(node.expression, exp.Null):
            raise CannotMap("node", node=_shown(node))
        return f"isnull({self.write(node.this)})"

    def in_(self, node: exp.In) -> str:
        values = node.expressions
        if not values or not all(isinstance(v, exp.Literal) for v in values):
            raise CannotMap("node", node=_shown(node))
        return f"isin({self.write(node.this)}, [{', '.join(self.literal(v) for v in values)}])"

    def between(self, node: exp.Between) -> str:
        x = self.write(node.this)
        return f"(({x} >= {self.write(node.args['low'])}) & ({x} <= {self.write(node.args['high'])}))"

    def round(self, node: exp.Round) -> str:
        digits = node.args.get("decimals")
        return self.call("sql_round", [node.this, digits])


def _shown(node: exp.Expression) -> str:
    text = node.sql("duckdb")
    return text if len(text) <= 60 else text[:57] + "..."
