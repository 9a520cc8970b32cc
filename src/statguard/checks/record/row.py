"""An expression that must hold for every record of a source.

Records where the expression cannot be evaluated because an operand is missing
are counted as not evaluable, unless `missing` says otherwise. Comparisons
between numbers allow `tolerance` (absolute, default 1e-8, as in R validate).
Strict `<` and `>` are never loosened. `where` limits the records in scope; `if` states a condition under which the
expression must hold (records where it is false pass, as in R validate's
`if (A) B`).

Passing example:

    - id: INV-01
      kind: row
      source: investment
      expr: 制造业 + 服务业 <= 总投资
      tolerance: 0.01

Failing data for it: a record with 制造业 = 766.41, 服务业 = 955.53, 总投资 = 1661.44
(the parts add up to 1721.94 > 1661.44, an imbalance of 60.50).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlglot import exp

from statguard.checks.plan import (
    EXPECTED,
    IMBALANCE,
    OBSERVED,
    STATUS,
    VAL,
    Context,
    Plan,
    alias,
    identity_columns,
    number,
    status,
)
from statguard.checks.registry import Params, rule_kind
from statguard.expr import quote_column
from statguard.pack.model import Rule

Missing = Literal["not_evaluable", "fail", "pass", "zero"]
COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


class RowParams(Params):
    source: str = Field(description="Name of the source whose records are checked.")
    expr: str = Field(description="Expression that must be true for every record.")
    where: str | None = Field(None, description="Only records for which this is true are checked.")
    if_: str | None = Field(None, alias="if", description="Condition: records where it is false pass.")
    tolerance: float = Field(1e-8, ge=0, description="Absolute tolerance of numeric (in)equalities.")
    missing: Missing = Field("not_evaluable", description=(
        "Records with missing operands: not_evaluable (counted apart), fail, pass, or zero "
        "(missing numbers count as 0)."))
    keys: list[str] | None = Field(None, description="Columns identifying a record in the report "
                                   "(default: the source's keys).")


@rule_kind("row", RowParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: RowParams = rule.params
    ctx.source(p.source)
    compiled = ctx.compile(p.expr, "expr", {None: p.source})
    types = ctx.types(p.source)
    # cond and premise are freshly compiled trees of this plan alone, and each step below is
    # their last user: they are rewritten and wrapped in place (copy=False), not deep-copied
    cond = compiled.tree
    if p.missing == "zero":
        cond = _zero_missing(cond, types)
    sides = _sides(cond, types)
    cond = apply_tolerance(cond, p.tolerance, types)
    if p.if_:
        premise = ctx.compile(p.if_, "if", {None: p.source}).tree
        cond = exp.or_(exp.Not(this=exp.paren(premise, copy=False)), exp.paren(cond, copy=False), copy=False)
    if p.missing in ("pass", "fail"):
        cond = exp.Coalesce(this=exp.paren(cond, copy=False), expressions=[exp.Boolean(this=p.missing == "pass")])
    verdict = status(cond)
    values = [alias(quote_column(name), VAL + name) for name in compiled.column_names]
    identity = identity_columns(ctx, p.source, keys=p.keys)
    # one builder call each, copy=False: builders deep-copy the whole select by default
    select = exp.select(alias(verdict, STATUS), *identity, *values, *sides)
    select = select.from_(ctx.table(p.source), copy=False)
    if p.where:
        scope = ctx.compile(p.where, "where", {None: p.source}).tree
        select = select.where(exp.paren(scope, copy=False), copy=False)
    # a plain per-record SELECT over one table: fusable with the other row rules on that source,
    # unless identity_columns numbered the records (a window, which needs the plan's own scan;
    # rule expressions never hold one, parse refuses windows, so only these columns need a look)
    fusable = not any(column.find(exp.Window) for column in identity)
    return Plan(query=select, meta={"message": _default_message(p.expr, bool(sides))}, fusable=fusable)


def _default_message(expr: str, compared: bool) -> dict[str, str]:
    shown = " ".join(expr.split()).replace("{", "{{").replace("}", "}}")
    if not compared:
        return {"en": f"{shown} does not hold", "zh": f"不满足 {shown}"}
    return {"en": f"{shown} does not hold: {{observed}} vs {{expected}} (imbalance {{imbalance}})",
            "zh": f"不满足 {shown}：{{observed}} 对 {{expected}}（差 {{imbalance}}）"}


def is_numeric(node: exp.Expression, types: dict[str, str]) -> bool:
    """Whether a side of a comparison is a number, as far as can be told."""
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Abs, exp.Round, exp.Pow,
                         exp.Mod, exp.IntDiv, exp.Sqrt, exp.Floor, exp.Ceil, exp.Length)):
        return True
    if isinstance(node, exp.Literal):
        return not node.is_string
    if isinstance(node, exp.Column):
        return types.get(node.name) == "number"
    if isinstance(node, exp.Paren):
        return is_numeric(node.this, types)
    if isinstance(node, (exp.Coalesce, exp.Greatest, exp.Least, exp.Nullif)):
        return is_numeric(node.this, types)
    return False


def apply_tolerance(tree: exp.Expression, tolerance: float, types: dict[str, str]) -> exp.Expression:
    """Rewrite numeric (in)equalities: a = b as |a - b| <= tol, a <= b as a - b <= tol.

    Strict comparisons are left strict (unlike R validate, which loosens them too):
    a rule author writing `rate < 100` means that 100 itself fails.
    `tree` is rewritten in place: pass a tree nobody else holds.
    """
    if tolerance <= 0:
        return tree
    tol = number(tolerance)

    def widen(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, COMPARISONS):
            return node
        left, right = node.this, node.expression
        if not (is_numeric(left, types) and is_numeric(right, types)):
            return node
        diff = exp.Sub(this=exp.paren(left.copy(), copy=False), expression=exp.paren(right.copy(), copy=False))
        if isinstance(node, exp.EQ):
            return exp.LTE(this=exp.Abs(this=diff), expression=tol.copy())
        if isinstance(node, exp.NEQ):
            return exp.GT(this=exp.Abs(this=diff), expression=tol.copy())
        if isinstance(node, exp.LTE):
            return exp.LTE(this=diff, expression=tol.copy())
        if isinstance(node, exp.GTE):
            flipped = exp.Sub(this=exp.paren(right.copy(), copy=False), expression=exp.paren(left.copy(), copy=False))
            return exp.LTE(this=flipped, expression=tol.copy())
        return node  # strict < and > stay strict: "rate < 100" must fail at exactly 100

    return tree.transform(widen, copy=False)


def _zero_missing(tree: exp.Expression, types: dict[str, str]) -> exp.Expression:
    """Missing numbers as 0, rewriting `tree` in place (a tree nobody else holds)."""
    def fill(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and types.get(node.name) == "number":
            return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])
        return node
    return tree.transform(fill, copy=False)


def _sides(tree: exp.Expression, types: dict[str, str]) -> list[exp.Expression]:
    """_observed, _expected and _imbalance for a top-level comparison."""
    node = tree.this if isinstance(tree, exp.Paren) else tree
    if not isinstance(node, COMPARISONS):
        return []
    left, right = node.this, node.expression
    out: list[exp.Expression] = [alias(left.copy(), OBSERVED), alias(right.copy(), EXPECTED)]
    if is_numeric(left, types) and is_numeric(right, types):
        out.append(alias(exp.Sub(this=exp.paren(left.copy(), copy=False),
                                 expression=exp.paren(right.copy(), copy=False)), IMBALANCE))
    return out
