"""An expression that must hold for every record of a source.

Records where the expression cannot be evaluated because an operand is missing
are counted as not evaluable, unless `missing` says otherwise. Comparisons
between numbers allow `tolerance` (absolute, default 1e-8, as in R validate).
Strict `<` and `>` are never loosened. `tolerance: reported` derives the
tolerance of each comparison from the decimals each figure was reported with,
half a unit of its last digit propagated through the arithmetic
(statguard.checks.rounding): 46 (%) against 766.41 / 1661.44 * 100 = 46.13
holds, within 0.5 + 0.00044; 47 does not. `val:tolerance` carries the derived
tolerance of the top-level comparison. An operation the rounding cannot be
carried through (a function other than round, abs, coalesce, greatest, least)
is a pack problem; a divisor within its own rounding of 0 is not evaluable.
`decimals:` fixes the decimals instead of the text: one number, column ->
decimals, or a table such as the indicators table, `{source: indicators}`,
where each figure is looked up by its column name (or, with `column:`, every
figure of a record by the code in that column); figures it lacks keep their
text's.
`where` limits the records in scope; a record for which it is NULL (an operand
missing) may or may not be in scope and is not evaluable, as in R validate's
three-valued logic, not silently left out. `if` states a condition under which
the expression must hold (records where it is false pass, as in R validate's
`if (A) B`).
Statistics in `expr` compare a record with its group: with `by: [size]`,
`turnover <= 10 * median(turnover)` holds each record to ten times the median of
its size class, over the class's records in scope (without `by`: of all records);
see statguard.expr.aggregates for the statistics and their NULL handling.
`lookup: {cap: {source: limits, match: {region: region}}}` lets the expressions
read `cap.limit`, the column of the one `limits` record whose region is the
record's: no such record, or several, make the record not evaluable (the
former unless the expression handles NULL, `coalesce(cap.limit, 60)`). Statistics
and lookups combine: `v <= mean(cap.limit)` with `by: [size]` is the mean of the
looked-up limits of the record's size class.

Passing example:

    - id: INV-01
      kind: row
      source: investment
      expr: 制造业 + 服务业 <= 总投资
      tolerance: 0.01

Failing data for it: a record with 制造业 = 766.41, 服务业 = 955.53, 总投资 = 1661.44
(the parts add up to 1721.94 > 1661.44, an imbalance of 60.50).

Passing example with the rounding of the reported figures (share in percent):

    - id: INV-02
      kind: row
      source: investment
      expr: 制造业占比 == 制造业 / 总投资 * 100
      tolerance: reported

Failing data for it: 制造业占比 "47" with 制造业 "766.41" and 总投资 "1661.44":
47 - 46.1298 = 0.87 exceeds the derived tolerance 0.50044.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator
from sqlglot import exp

from statguard.checks import rounding
from statguard.checks.dataset.groups import BY_DOC, compile_with_groups
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
    numbered_first,
    status,
)
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.expr.aggregates import is_numeric as statistic_is_numeric
from statguard.i18n import register, say
from statguard.pack.model import Rule

Missing = Literal["not_evaluable", "fail", "pass", "zero"]
COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


class Lookup(Params):
    source: str = Field(description="Reference source in which each record's key is looked up.")
    match: dict[str, str] = Field(min_length=1, description=(
        "Column of the checked source -> column of the reference it must equal (together: the reference's key); "
        "a list of names for columns named alike on both sides."))

    @field_validator("match", mode="before")
    @classmethod
    def _same_names(cls, value: Any) -> Any:
        return {str(v): str(v) for v in value} if isinstance(value, list) else value


class RowParams(Params):
    source: str = Field(description="Name of the source whose records are checked.")
    expr: str = Field(description="Expression that must be true for every record.")
    where: str | None = Field(None, description="Only records for which this is true are checked.")
    if_: str | None = Field(None, alias="if", description="Condition: records where it is false pass.")
    tolerance: rounding.Tolerance = Field(1e-8, description=(
        "Absolute tolerance of numeric (in)equalities, or 'reported': derived from the decimals each figure was "
        "reported with, half a unit of its last digit propagated through the arithmetic."))
    decimals: rounding.Decimals = rounding.decimals_field()
    missing: Missing = Field("not_evaluable", description=(
        "Records with missing operands: not_evaluable (counted apart), fail, pass, or zero "
        "(missing numbers count as 0)."))
    keys: list[str] | None = Field(None, description="Columns identifying a record in the report "
                                   "(default: the source's keys).")
    by: list[str] | None = Field(None, description=BY_DOC)
    lookup: dict[str, Lookup] | None = Field(None, description=(
        "Values of other records: alias -> {source: REF, match: {column: REF's key column}}; expr, where and if "
        "may then use alias.column, the column of the REF record whose key matches the record's. No match, or "
        "a key REF holds several times: the record is not evaluable (unless the expression handles NULL)."))

    def source_names(self) -> list[str]:
        looked_up = [ref.source for ref in (self.lookup or {}).values()]
        return [self.source, *looked_up, *rounding.decimals_sources(self.decimals, self.tolerance)]


@rule_kind("row", RowParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: RowParams = rule.params
    ctx.source(p.source)
    looked_up = _lookup_scopes(p, ctx)
    scopes: dict[str | None, str] = {None: p.source, **looked_up}
    compiled = compile_with_groups(ctx, p.expr, "expr", p.source, p.by, p.where, looked_up)
    types = _types(ctx, p)
    # cond and premise are freshly compiled trees of this plan alone, and each step below is
    # their last user: they are rewritten and wrapped in place (copy=False), not deep-copied
    cond = compiled.tree
    if p.missing == "zero":
        cond = _zero_missing(cond, types)
    sides = _sides(cond, types)
    reported = p.tolerance == rounding.REPORTED
    if reported:
        rounding.check_decimals(ctx, p.decimals, None, "columns", p.source, _lookup_column(p.decimals))
        sides += _derived_tolerance(cond, types, ctx)
        cond = _apply_reported(cond, types, ctx)
    else:
        cond = apply_tolerance(cond, float(p.tolerance), types)
    if p.if_:
        premise = ctx.compile(p.if_, "if", scopes).tree
        cond = exp.or_(exp.Not(this=exp.paren(premise, copy=False)), exp.paren(cond, copy=False), copy=False)
    if p.missing in ("pass", "fail"):
        cond = exp.Coalesce(this=exp.paren(cond, copy=False), expressions=[exp.Boolean(this=p.missing == "pass")])
    scope = ctx.compile(p.where, "where", scopes).tree if p.where else None
    if scope is not None:  # a record whose `where` is NULL may or may not be in scope: not evaluable
        unknown = exp.Is(this=exp.paren(scope.copy(), copy=False), expression=exp.Null())
        cond = exp.Case(ifs=[exp.If(this=unknown, true=exp.Null())], default=cond)
    for name in p.lookup or {}:  # a key the reference holds several times: which record is meant?
        several = exp.GT(this=quote_column(MATCHES, name), expression=exp.Literal.number(1))
        cond = exp.Case(ifs=[exp.If(this=several, true=exp.Null())], default=cond)
    verdict = status(cond)
    values = [alias(quote_column(name, table), VAL + (f"{table}.{name}" if table else name))
              for table, name in dict.fromkeys(compiled.columns)]
    identity = identity_columns(ctx, p.source, keys=p.keys)
    # one builder call each, copy=False: builders deep-copy the whole select by default
    select = exp.select(alias(verdict, STATUS), *identity, *values, *sides)
    table = (rounding.records(ctx, p.source, _figures(compiled.tree, p.decimals), p.decimals,
                              code=_lookup_column(p.decimals)) if reported
             else ctx.table(p.source, alias=RECORD if p.lookup else None))
    select = select.from_(table, copy=False)
    if scope is not None:  # records where it is false are out of scope; NULL ones stay, as 'na'
        select = select.where(exp.Coalesce(this=exp.paren(scope, copy=False), expressions=[exp.true()]), copy=False)
    select = numbered_first(select)  # the 5th record is the 5th of the source, whatever `where` keeps
    if p.lookup:
        if reported:
            raise PackError(ctx.problem(say("problem.row.reported_lookup"), "tolerance"))
        return Plan(query=_joined(select, p, ctx), meta={"message": _default_message(p.expr, bool(sides))})
    # a plain per-record SELECT over one table: fusable with the other row rules on that source,
    # unless it holds a window (identity_columns numbering the records, or a statistic of the
    # record's group), which needs the plan's own scan
    # (a derived tolerance reads the raw view through a subquery: not a plain scan of one table)
    fusable = not reported and not select.find(exp.Window)
    return Plan(query=select, meta={"message": _default_message(p.expr, bool(sides), reported)}, fusable=fusable)


register({
    "problem.row.reported_lookup": {"en": "tolerance: reported cannot be combined with lookup; give a number",
                                    "zh": "tolerance: reported 不能与 lookup 同时使用；请给出一个数值"},
    "problem.row.alias_taken": {"en": "lookup alias '{name}' is a column name of source '{source}' (or reserved); "
                                      "choose another alias",
                                "zh": "lookup 别名 '{name}' 是数据源「{source}」的列名（或保留名）；请换一个别名"},
    "problem.row.not_propagated": {"en": "tolerance: reported cannot carry the rounding of the figures through "
                                         "{through}; give a number as tolerance",
                                   "zh": "tolerance: reported 无法经过 {through} 推算填报数字的舍入误差；"
                                         "请给出数值作为容差"},
})
RECORD, MATCHES = "_sg_r", "_sg_matches"  # the checked records' alias; a looked-up key's number of records


def _lookup_scopes(p: RowParams, ctx: Context) -> dict[str, str]:
    """alias -> reference source of each lookup, its `match` columns checked on both sides."""
    scopes: dict[str, str] = {}
    for name, ref in (p.lookup or {}).items():
        ctx.source(ref.source, "lookup")
        if name in (ctx.columns(p.source) or []) or name.startswith("_sg"):
            raise PackError(ctx.problem(say("problem.row.alias_taken", name=name, source=p.source), "lookup"))
        for mine, theirs in ref.match.items():
            ctx.require_column(p.source, mine, "lookup")
            ctx.require_column(ref.source, theirs, "lookup")
        scopes[name] = ref.source
    return scopes


def _types(ctx: Context, p: RowParams) -> dict[str, str]:
    """Type families of the columns an expression reads: the source's by name, looked-up ones as alias.name."""
    types = dict(ctx.types(p.source))
    for name, ref in (p.lookup or {}).items():
        types.update({f"{name}.{column}": family for column, family in ctx.types(ref.source).items()})
    return types


def _type_of(column: exp.Column, types: dict[str, str]) -> str | None:
    return types.get(f"{column.table}.{column.name}") if column.table else types.get(column.name)


def _joined(select: exp.Select, p: RowParams, ctx: Context) -> exp.Select:
    """The plan's records, each joined to the one record of every reference holding its key (a LEFT
    JOIN to the reference grouped by that key, so that a record is never repeated: a key held
    several times keeps one row, with its count, and makes the record not evaluable)."""
    def qualified(node: exp.Expression) -> exp.Expression:  # the record's own columns, unambiguous
        if isinstance(node, exp.Column) and not node.table:
            return quote_column(node.name, RECORD)
        return node
    select = select.transform(qualified, copy=False)
    for name, ref in (p.lookup or {}).items():
        # what expr, where and if read of the reference (where and if may read columns expr does not)
        used = list(dict.fromkeys(c.name for c in select.find_all(exp.Column)
                                  if c.table == name and c.name != MATCHES))
        keys = [f"_sg_on{i}" for i in range(len(ref.match))]
        mine, theirs = ctx.types(p.source), ctx.types(ref.source)
        grouped = exp.select(*(alias(quote_column(c), k) for c, k in zip(ref.match.values(), keys, strict=True)),
                             *(alias(exp.AnyValue(this=quote_column(c)), c) for c in used),
                             alias(exp.Count(this=exp.Star()), MATCHES))
        grouped = grouped.from_(ctx.table(ref.source)).group_by(*(quote_column(c) for c in ref.match.values()))
        on = [_equal(quote_column(local, RECORD), quote_column(key, name), mine.get(local), theirs.get(other))
              for (local, other), key in zip(ref.match.items(), keys, strict=True)]
        reference = exp.Subquery(this=grouped, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True)))
        joined = exp.Join(this=reference, side="LEFT", on=exp.and_(*on))
        select = select.join(joined, copy=False)
    return select


def _equal(left: exp.Expression, right: exp.Expression, left_type: str | None,
           right_type: str | None) -> exp.Expression:
    """left = right; as text when the two sides are of different kinds (a code read as a number on one side)."""
    if left_type and right_type and left_type != right_type:
        left, right = exp.cast(left, "VARCHAR"), exp.cast(right, "VARCHAR")
    return exp.EQ(this=left, expression=right)


def _default_message(expr: str, compared: bool, reported: bool = False) -> dict[str, str]:
    shown = " ".join(expr.split()).replace("{", "{{").replace("}", "}}")
    if not compared:
        return {"en": f"{shown} does not hold", "zh": f"不满足 {shown}"}
    if reported:
        return {"en": f"{shown} does not hold: {{observed}} vs {{expected}} (imbalance {{imbalance}}, beyond the "
                      f"rounding of the reported figures, {{tolerance}})",
                "zh": f"不满足 {shown}：{{observed}} 对 {{expected}}（差 {{imbalance}}，"
                      f"超出填报数字的舍入误差 {{tolerance}}）"}
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
        return _type_of(node, types) == "number"
    if isinstance(node, exp.Paren):
        return is_numeric(node.this, types)
    if isinstance(node, exp.Window):  # a statistic of the record's group
        return bool(statistic_is_numeric(node, lambda operand: is_numeric(operand, types)))
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


def _figures(tree: exp.Expression, decimals: rounding.Decimals) -> list[str]:
    names = [c.name for c in tree.find_all(exp.Column)]
    return list(dict.fromkeys([*names, *(decimals if isinstance(decimals, dict) else {})]))


def _lookup_column(decimals: rounding.Decimals) -> str | None:
    """With a decimals table: the column whose code each record's figures are looked up by
    (None: each figure by its own column name)."""
    return decimals.column if isinstance(decimals, rounding.DecimalsTable) else None


def _half_width(node: exp.Expression, ctx: Context) -> exp.Expression:
    try:
        return rounding.propagate(node, lambda column: rounding.hw_column(column.name))
    except rounding.NotPropagated as e:
        raise PackError(ctx.problem(say("problem.row.not_propagated", through=e), "tolerance")) from None


def _apply_reported(tree: exp.Expression, types: dict[str, str], ctx: Context) -> exp.Expression:
    """Rewrite numeric (in)equalities with the tolerance the figures' rounding allows:
    a = b as |a - b| <= hw(a) + hw(b) (+ epsilon), a <= b as a - b <= hw(a) + hw(b). Strict
    comparisons stay strict, as in apply_tolerance. `tree` is rewritten in place."""
    def widen(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, COMPARISONS) or isinstance(node, (exp.LT, exp.GT)):
            return node
        left, right = node.this, node.expression
        if not (is_numeric(left, types) and is_numeric(right, types)):
            return node
        tol = exp.Add(this=exp.paren(exp.Add(this=_half_width(left, ctx), expression=_half_width(right, ctx))),
                      expression=rounding.slack(left, right))
        diff = exp.Sub(this=exp.paren(left.copy(), copy=False), expression=exp.paren(right.copy(), copy=False))
        if isinstance(node, exp.EQ):
            return exp.LTE(this=exp.Abs(this=diff), expression=tol)
        if isinstance(node, exp.NEQ):
            return exp.GT(this=exp.Abs(this=diff), expression=tol)
        if isinstance(node, exp.GTE):
            diff = exp.Sub(this=exp.paren(right.copy(), copy=False), expression=exp.paren(left.copy(), copy=False))
        return exp.LTE(this=diff, expression=tol)

    return tree.transform(widen, copy=False)


def _derived_tolerance(tree: exp.Expression, types: dict[str, str], ctx: Context) -> list[exp.Expression]:
    """val:tolerance: the derived tolerance of a top-level numeric comparison."""
    node = tree.this if isinstance(tree, exp.Paren) else tree
    if not isinstance(node, COMPARISONS):
        return []
    left, right = node.this, node.expression
    if not (is_numeric(left, types) and is_numeric(right, types)):
        return []
    tol = exp.Add(this=_half_width(left, ctx), expression=_half_width(right, ctx))
    return [alias(rounding.shown(tol), VAL + "tolerance")]


def _zero_missing(tree: exp.Expression, types: dict[str, str]) -> exp.Expression:
    """Missing numbers as 0, rewriting `tree` in place (a tree nobody else holds)."""
    def fill(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and _type_of(node, types) == "number":
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
