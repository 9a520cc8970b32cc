"""Statistics over records: the aggregate functions of the expression language.

A statistic (`mean(x)`, `median(x)`, `cor(x, y)`, `all(x > 0)` ...) summarises the records of
a source or of a group. It is allowed only where a rule says over which records: the
`aggregate` kind (one item per group) and the `row` kind, where a record is compared with a
statistic of its group (compiled to a window, `MEDIAN(x) OVER (PARTITION BY size)`).
Everywhere else a statistic is refused with its position.

Every statistic ignores NULLs (a group with no values gives NULL: not evaluable), except
`count()` (records) which is never NULL. `cor` of a constant column is NULL, not NaN. The
names rule authors write are mapped to one sqlglot node each, which every dialect renders.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from statguard.errors import ExpressionError, Problem
from statguard.expr.messages import say

# author's name -> (number of arguments, what it computes)
STATISTICS: dict[str, tuple[int, str]] = {
    "mean": (1, "mean of the non-missing values (also avg)"),
    "median": (1, "median (the mean of the two middle values for an even count, as R)"),
    "sd": (1, "sample standard deviation (also stddev); one value: not evaluable"),
    "var": (1, "sample variance (also variance)"),
    "quantile": (2, "quantile(x, p), 0 <= p <= 1, interpolated as R's default (type 7)"),
    "min": (1, "smallest value"),
    "max": (1, "largest value"),
    "sum": (1, "sum of the non-missing values"),
    "count": (1, "count() records, count(x) non-missing values of x"),
    "count_if": (1, "records where the condition holds"),
    "share": (1, "share (0 to 1) of the records where the condition holds, among those where it is known"),
    "all": (1, "the condition holds for every record where it is known"),
    "any": (1, "the condition holds for at least one record"),
    "cor": (2, "Pearson correlation of two columns (also corr); a constant column: not evaluable"),
}
_ALIASES = {"avg": "mean", "stddev": "sd", "stddev_samp": "sd", "variance": "var", "var_samp": "var",
            "corr": "cor", "bool_and": "all", "bool_or": "any", "quantile_cont": "quantile"}

# the nodes statistics become (what the whitelist lets through where statistics are allowed)
NODES: frozenset[type[exp.Expression]] = frozenset({
    exp.Avg, exp.Median, exp.StddevSamp, exp.Variance, exp.PercentileCont, exp.Min, exp.Max, exp.Sum,
    exp.Count, exp.CountIf, exp.LogicalAnd, exp.LogicalOr, exp.Corr})
_NUMERIC = (exp.Avg, exp.Median, exp.StddevSamp, exp.Variance, exp.PercentileCont, exp.Sum, exp.Count,
            exp.CountIf, exp.Corr)
# what sqlglot parses the authors' names into, before normalising
_PARSED = {exp.Avg: "mean", exp.Median: "median", exp.Stddev: "sd", exp.StddevSamp: "sd", exp.Variance: "var",
           exp.Quantile: "quantile", exp.PercentileCont: "quantile", exp.Min: "min",
           exp.Max: "max", exp.Sum: "sum", exp.Count: "count", exp.CountIf: "count_if",
           exp.LogicalAnd: "all", exp.LogicalOr: "any", exp.Corr: "cor", exp.Any: "any"}

Locate = Callable[[exp.Expression, str], Problem]


def name_of(node: exp.Expression) -> str | None:
    """The statistic `node` is written as (its canonical name), or None."""
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        name = _ALIASES.get(name, name)
        return name if name in STATISTICS else None
    if isinstance(node, exp.Any) and isinstance(node.this, (exp.Subquery, exp.Select)):
        return None
    return _PARSED.get(type(node))


def is_statistic(node: exp.Expression) -> bool:
    """Whether `node` is a (normalised) statistic."""
    return type(node) in NODES or _is_cor(node)


def _is_cor(node: exp.Expression) -> bool:
    return isinstance(node, exp.Nullif) and isinstance(node.this, exp.Corr)


def normalise(tree: exp.Expression, locate: Locate, allowed: bool) -> exp.Expression:
    """`tree` with every statistic as its one node; a statistic where none is `allowed`, a
    statistic within a statistic or one with the wrong arguments is an ExpressionError."""
    found = [node for node in tree.walk() if name_of(node)]
    for node in found:
        name = name_of(node)
        if not allowed:
            raise ExpressionError(locate(node, say("expr.stat_here", name=name)))
        if any(name_of(a) for a in _ancestors(node)):
            raise ExpressionError(locate(node, say("expr.stat_nested", name=name)))
    if not found:
        return tree
    return tree.transform(lambda node: _canonical(node, locate) if name_of(node) else node, copy=False)


def _ancestors(node: exp.Expression) -> list[exp.Expression]:
    out, parent = [], node.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out


def _arguments(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    if isinstance(node, exp.Any):
        inner = node.this
        return [inner.this if isinstance(inner, exp.Paren) else inner]
    args = [node.this] if node.this is not None else []
    second = node.args.get("expression") if not isinstance(node, exp.Quantile) else node.args.get("quantile")
    if second is not None:
        args.append(second)
    return args + list(node.expressions or [])


def _canonical(node: exp.Expression, locate: Locate) -> exp.Expression:
    name = name_of(node)
    assert name is not None
    args = _arguments(node)
    if name == "count" and (not args or isinstance(args[0], exp.Star)):
        return exp.Count(this=exp.Star())
    if any(isinstance(a, exp.Star) for a in args):
        raise ExpressionError(locate(node, say("expr.stat_star", name=name)))
    arity, _ = STATISTICS[name]
    if len(args) != arity:
        key = "expr.stat_arity" if arity > 1 else "expr.stat_arity_one"
        raise ExpressionError(locate(node, say(key, name=name, arity=arity, n=len(args))))
    x = args[0]
    if name == "quantile":
        p = args[1]
        if not (isinstance(p, exp.Literal) and not p.is_string and 0 <= float(p.this) <= 1):
            raise ExpressionError(locate(node, say("expr.stat_quantile")))
        return exp.PercentileCont(this=x, expression=p)
    if name == "cor":  # a constant column gives NaN, which compares greater than any number: NULL
        nan = exp.Cast(this=exp.Literal.string("NaN"), to=exp.DataType.build("DOUBLE"))
        return exp.Nullif(this=exp.Corr(this=x, expression=args[1]), expression=nan)
    if name == "share":
        one_or_zero = (exp.Case().when(x.copy(), exp.Literal.number(1.0), copy=False)
                       .when(exp.Not(this=exp.paren(x, copy=False)), exp.Literal.number(0.0), copy=False))
        return exp.Avg(this=one_or_zero)
    simple = {"mean": exp.Avg, "median": exp.Median, "sd": exp.StddevSamp, "var": exp.Variance, "min": exp.Min,
              "max": exp.Max, "sum": exp.Sum, "count": exp.Count, "count_if": exp.CountIf,
              "all": exp.LogicalAnd, "any": exp.LogicalOr}
    return simple[name](this=x)


def statistics_in(tree: exp.Expression) -> list[exp.Expression]:
    """The outermost statistics of a normalised tree."""
    return [n for n in tree.walk() if is_statistic(n) and not any(is_statistic(a) for a in _ancestors(n))]


def filtered(tree: exp.Expression, scope: exp.Expression | None) -> exp.Expression:
    """Every statistic of `tree` computed over the records where `scope` holds (FILTER)."""
    if scope is None:
        return tree

    def wrap(node: exp.Expression) -> exp.Expression:
        if _is_cor(node):
            node.set("this", exp.Filter(this=node.this, expression=exp.Where(this=scope.copy())))
            return node
        if type(node) in NODES and not isinstance(node.parent, exp.Filter):
            return exp.Filter(this=node, expression=exp.Where(this=scope.copy()))
        return node
    return tree.transform(wrap, copy=False)


def over(tree: exp.Expression, partition: list[exp.Expression]) -> exp.Expression:
    """Every statistic of `tree` as a window over the records of its group (`partition`; none:
    all records), so that each record is compared with the statistic of its own group."""
    def window(node: exp.Expression) -> exp.Expression:
        if _is_cor(node):
            node.set("this", _window(node.this, partition))
            return node
        target = node.this if isinstance(node, exp.Filter) else node
        if type(target) in NODES and not isinstance(node.parent, (exp.Filter, exp.Window)):
            return _window(node, partition)
        return node
    return tree.transform(window, copy=False)


def _window(node: exp.Expression, partition: list[exp.Expression]) -> exp.Window:
    return exp.Window(this=node, partition_by=[p.copy() for p in partition] or None, over="OVER")


def is_numeric(node: exp.Expression, operand: Callable[[exp.Expression], bool]) -> bool | None:
    """Whether a statistic (or a window of one) gives a number; None when `node` is none.
    `operand` tells for min/max whether their argument is a number."""
    inner = node
    while isinstance(inner, (exp.Window, exp.Filter)):
        inner = inner.this
    if _is_cor(inner) or isinstance(inner, _NUMERIC):
        return True
    if isinstance(inner, (exp.Min, exp.Max)):
        return operand(inner.this)
    if isinstance(inner, (exp.LogicalAnd, exp.LogicalOr)):
        return False
    return None
