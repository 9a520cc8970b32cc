"""Statistics of a source's records, or of each group of them, compared with a bound.

`expr` is a condition on statistics of the records (statguard.expr.aggregates, listed in
docs/aggregate.md): `mean(turnover) > 0`, `cor(turnover, staff) > 0.5`,
`all(profit <= turnover)`, `share(size = 'sc0') <= 0.4`, `quantile(x, 0.9) < 10 * median(x)`,
`count() >= 5`. Without `by` the rule is one item: the whole source. With `by` (columns, or
expressions of a record's values such as `substr(period, 1, 4)`) it is one item per group,
identified by the group's values; records whose group value is missing form a group of
their own. `where` limits the records that enter the statistics; a group none of whose
records is in scope is still an item, judged on what its statistics are then (count() is
0, every other statistic missing: not evaluable).

NULLs: every statistic ignores missing values, as R's `na.rm = TRUE` (validate's own
functions such as `all` keep them: `all(x > 0)` there is NA when one x is; here it is
judged on the records where `x > 0` is known). A statistic with nothing to compute from
(no values, sd or var of one value, cor with a constant column) is missing and the item
not evaluable. Columns outside statistics must be `by` columns (`mean(x) > 0 OR size =
'sc0'`).

Comparisons of numbers allow `tolerance` (absolute, default 1e-8, as R validate); strict
`<` and `>` stay strict. For a comparison at the top of `expr` the item reports the left
side as observed, the right side as expected and their difference as the imbalance;
`val:records` is the number of records in scope of the item, `val:failing` (for `all(...)`
at the top) how many of them fail the condition.

Passing example (validate's `mean(turnover) > 0` per size class):

    - id: SBS-M1
      kind: aggregate
      source: sbs
      expr: mean(turnover) > 0
      by: [size]

Failing data for it: size class sc1 with turnovers -10 and 4 (mean -3; observed -3,
expected 0, imbalance -3).
"""

from __future__ import annotations

from pydantic import Field
from sqlglot import exp

from statguard.checks.dataset.groups import BY_DOC, group_expressions
from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    IMBALANCE,
    KEY,
    OBSERVED,
    PERIOD,
    STATUS,
    UNIT,
    VAL,
    Context,
    Plan,
    alias,
    number,
    status,
)
from statguard.checks.record.row import COMPARISONS
from statguard.checks.record.row import is_numeric as row_is_numeric
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError
from statguard.expr.aggregates import filtered, is_numeric, is_statistic, statistics_in
from statguard.i18n import DEFAULT_LANG, LANGS, register, say, t
from statguard.pack.model import Rule

register({
    "problem.aggregate.no_statistic": {
        "en": "an aggregate rule's expr needs a statistic such as mean(x), median(x) or all(x > 0); for a condition "
              "on each record use kind: row",
        "zh": "aggregate 规则的 expr 需要统计量，如 mean(x)、median(x) 或 all(x > 0)；对每条记录的条件请用 kind: row"},
    "problem.aggregate.outside": {
        "en": "column '{column}' is outside any statistic and not a 'by' column: it has no one value per group; "
              "write mean({column}), max({column}) ... or group by it",
        "zh": "列「{column}」不在任何统计量之内，也不是 'by' 列：每组没有唯一的值；"
              "请写 mean({column})、max({column}) 等，或按它分组"},
    "detail.aggregate.group": {"en": "group {group} ({records} records in scope)",
                               "zh": "分组 {group}（范围内 {records} 条记录）"},
    "detail.aggregate.all": {"en": "all records ({records} in scope)", "zh": "全部记录（范围内 {records} 条）"},
    "detail.aggregate.failing": {"en": "group {group}: {failing} of {records} records fail",
                                 "zh": "分组 {group}：{records} 条记录中 {failing} 条不满足"},
    "detail.aggregate.all_failing": {"en": "{failing} of {records} records fail",
                                     "zh": "{records} 条记录中 {failing} 条不满足"},
    "message.aggregate.compared": {"en": "{expr} does not hold for {detail}: {observed} vs {expected} "
                                         "(difference {imbalance})",
                                   "zh": "{detail}不满足 {expr}：{observed} 对 {expected}（差 {imbalance}）"},
    "message.aggregate.plain": {"en": "{expr} does not hold for {detail}", "zh": "{detail}不满足 {expr}"},
})


class AggregateParams(Params):
    source: str = Field(description="Name of the source whose records are summarised.")
    expr: str = Field(description="Condition on statistics of the records, such as mean(turnover) > 0 or "
                      "cor(turnover, staff) > 0.5, that must hold for the source or for each group.")
    by: list[str] | None = Field(None, description=BY_DOC)
    where: str | None = Field(None, description="Only records for which this is true enter the statistics.")
    tolerance: float = Field(1e-8, ge=0, description="Absolute tolerance of numeric (in)equalities "
                             "(strict < and > stay strict).")


@rule_kind("aggregate", AggregateParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: AggregateParams = rule.params
    spec = ctx.source(p.source)
    scopes: dict[str | None, str] = {None: p.source}
    tree = ctx.compile(p.expr, "expr", scopes, statistics=True).tree
    if not statistics_in(tree):
        raise PackError(ctx.problem(say("problem.aggregate.no_statistic"), "expr"))
    groups = group_expressions(ctx, p.source, p.by)
    _outside_statistics(ctx, tree, groups)
    scope = ctx.compile(p.where, "where", scopes).tree if p.where else None
    types = ctx.types(p.source)
    tree = filtered(tree, scope)
    records = filtered(exp.Count(this=exp.Star()), scope)
    figures, compared = _sides(tree, types)
    failing = _failing(tree)
    cond = _loosened(tree, p.tolerance, types)
    select = exp.select(alias(status(cond), STATUS), copy=False)
    for name, group in groups:
        if isinstance(group, exp.Column) and name in (spec.unit, spec.period):
            select = select.select(alias(group.copy(), UNIT if name == spec.unit else PERIOD), copy=False)
        select = select.select(alias(group.copy(), KEY + name), copy=False)
    select = select.select(*figures, alias(records, VAL + "records"), copy=False)
    if failing is not None:
        select = select.select(alias(filtered(failing, scope.copy() if scope else None), VAL + "failing"),
                               copy=False)
    select = select.select(*_described(groups, failing is not None), copy=False)
    select = select.from_(ctx.table(p.source), copy=False)
    if groups:
        select = select.group_by(*(group.copy() for _, group in groups), copy=False)
    order_by = [f'"{KEY}{name}"' for name, _ in groups]
    return Plan(query=select, order_by=order_by, meta={"message": _default_message(p.expr, compared)})


def _outside_statistics(ctx: Context, tree: exp.Expression, groups: list[tuple[str, exp.Expression]]) -> None:
    """Refuse a column outside every statistic unless it is a group column: it has no one value
    per group."""
    grouped = {g.name for _, g in groups if isinstance(g, exp.Column)}
    inside = {id(c) for s in statistics_in(tree) for c in s.find_all(exp.Column)}
    for column in tree.find_all(exp.Column):
        if id(column) not in inside and column.name not in grouped:
            raise PackError(ctx.problem(say("problem.aggregate.outside", column=column.name), "expr"))


def numeric(node: exp.Expression, types: dict[str, str]) -> bool:
    """Whether `node` gives a number: a statistic, or as a row rule's expression tells."""
    stat = is_numeric(node, lambda operand: numeric(operand, types))
    if stat is not None:
        return stat
    if isinstance(node, (exp.Paren, exp.Coalesce, exp.Greatest, exp.Least)):
        return numeric(node.this, types)
    return row_is_numeric(node, types)


def _top(tree: exp.Expression) -> exp.Expression:
    while isinstance(tree, exp.Paren):
        tree = tree.this
    return tree


def _sides(tree: exp.Expression, types: dict[str, str]) -> tuple[list[exp.Expression], bool]:
    """_observed, _expected and _imbalance of a comparison at the top; whether both are numbers."""
    node = _top(tree)
    if not isinstance(node, COMPARISONS):
        return [], False
    left, right = node.this, node.expression
    out = [alias(left.copy(), OBSERVED), alias(right.copy(), EXPECTED)]
    both = numeric(left, types) and numeric(right, types)
    if both:
        out.append(alias(exp.Sub(this=exp.paren(left.copy(), copy=False),
                                 expression=exp.paren(right.copy(), copy=False)), IMBALANCE))
    return out, both


def _failing(tree: exp.Expression) -> exp.Expression | None:
    """For all(condition) at the top: how many records fail the condition."""
    node = _top(tree)
    if isinstance(node, exp.Filter):
        node = node.this
    if not isinstance(node, exp.LogicalAnd):
        return None
    return exp.CountIf(this=exp.Not(this=exp.paren(node.this.copy(), copy=False)))


def _loosened(tree: exp.Expression, tolerance: float, types: dict[str, str]) -> exp.Expression:
    """Numeric (in)equalities within `tolerance`: a = b as |a - b| <= tol, a <= b as a - b <= tol;
    strict < and > stay strict (as the row kind's). Comparisons inside statistics are left alone."""
    if tolerance <= 0:
        return tree

    def widen(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, COMPARISONS) or isinstance(node, (exp.LT, exp.GT)) or _in_statistic(node):
            return node
        left, right = node.this, node.expression
        if not (numeric(left, types) and numeric(right, types)):
            return node
        if isinstance(node, exp.GTE):
            left, right = right, left
        diff = exp.Sub(this=exp.paren(left.copy(), copy=False), expression=exp.paren(right.copy(), copy=False))
        if isinstance(node, exp.EQ):
            return exp.LTE(this=exp.Abs(this=diff), expression=number(tolerance))
        if isinstance(node, exp.NEQ):
            return exp.GT(this=exp.Abs(this=diff), expression=number(tolerance))
        return exp.LTE(this=diff, expression=number(tolerance))

    return tree.transform(widen, copy=True)


def _in_statistic(node: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None:
        if is_statistic(parent):
            return True
        parent = parent.parent
    return False


def _described(groups: list[tuple[str, exp.Expression]], failing: bool) -> list[exp.Expression]:
    """val:group ('size = sc1, year = 2024') and the detail key of the item."""
    if not groups:
        return [alias(exp.Literal.string("detail.aggregate.all_failing" if failing else "detail.aggregate.all"),
                      DETAIL)]
    parts: list[exp.Expression] = []
    for i, (name, group) in enumerate(groups):
        shown = exp.Coalesce(this=exp.Cast(this=group.copy(), to=exp.DataType.build("VARCHAR")),
                             expressions=[exp.Literal.string("NULL")])
        parts += [exp.Literal.string(("" if i == 0 else ", ") + f"{name} = "), shown]
    label = exp.Concat(expressions=parts, safe=True)
    key = "detail.aggregate.failing" if failing else "detail.aggregate.group"
    return [alias(label, VAL + "group"), alias(exp.Literal.string(key), DETAIL)]


def _default_message(expr: str, compared: bool) -> dict[str, str]:
    shown = " ".join(expr.split()).replace("{", "{{").replace("}", "}}")
    key = "message.aggregate.compared" if compared else "message.aggregate.plain"
    # the default language first: a report without a language takes the first
    return {lang: t(key, lang, expr=shown) for lang in sorted(LANGS, key=lambda lang: lang != DEFAULT_LANG)}
