"""Records that share their key must not exist twice, or must at least agree.

Without `values`, every record whose key occurs more than once is a violation
(every member of a duplicate group counts, as a data editor must look at all
of them). With `values`, only keys whose records disagree on those columns
are violations: a resubmission repeating the same figures is not a conflict,
two different figures for the same unit, period and measure are. Records with
a NULL in a key column are not evaluable, and so are records whose `where` is
NULL (they may or may not be in scope; they are nobody's duplicate).

Per record, a violation shows the record's figures beside its key, so that the
conflicting records can be told apart: the `values` columns, else the source's
other columns (declared ones when it declares columns; at most 12).

`per: group` reports one violation per duplicated key instead of per record
(records whose `where` is NULL are left out of the groups).

Passing example (one value per region, period and measure):

    - id: DUP-01
      kind: unique
      source: samplonomy
      keys: [region, period, measure]
      values: [value]
      per: group

Failing data for it: Induston, 2018Q2, export submitted twice with two
different values; the violation shows the key, 2 records and 2 distinct values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlglot import exp

from statguard.checks.plan import (
    EXPECTED,
    ITEMS,
    NOT_EVALUABLE,
    OBSERVED,
    PERIOD,
    STATUS,
    UNIT,
    VAL,
    Context,
    Plan,
    alias,
    identity_columns,
)
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, say
from statguard.pack.model import Rule

register({"problem.unique.no_keys": {"en": "source '{source}' declares no keys; give 'keys:'",
                                     "zh": "数据源「{source}」未声明主键；请给出 'keys:'"}})


class UniqueParams(Params):
    source: str = Field(description="Source whose records are checked.")
    keys: list[str] | None = Field(None, description="Key columns (default: the source's keys).")
    values: list[str] | None = Field(None, description=(
        "Only keys whose records disagree on these columns are violations (conflicting resubmissions)."))
    per: Literal["record", "group"] = Field("record", description=(
        "record: one violation per record of a duplicated key; group: one per duplicated key."))
    where: str | None = Field(None, description="Only records for which this is true are checked.")


@rule_kind("unique", UniqueParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: UniqueParams = rule.params
    spec = ctx.source(p.source)
    keys = p.keys if p.keys is not None else spec.keys
    if not keys:
        raise PackError(ctx.problem(say("problem.unique.no_keys", source=p.source), "keys"))
    key_cols = [ctx.require_column(p.source, k, "keys") for k in keys]
    value_cols = [ctx.require_column(p.source, v, "values") for v in p.values or []]
    scope = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    if p.per == "group":
        return Plan(query=_per_group(ctx, p, keys, key_cols, value_cols, scope), order_by=[f'"{OBSERVED}" DESC'])
    query, failing = _per_record(ctx, p, keys, key_cols, value_cols, scope)
    return Plan(query=query, failing=failing, tally=_tally(ctx, p, key_cols, scope),
                meta={"message": _record_message(_shown(ctx, p, keys))})


def _record_message(shown: list[str]) -> dict[str, str]:
    """The default message of a duplicated record: how often its key occurs, and its own figures
    (those whose names can be placeholders)."""
    named = [n for n in shown if n and not any(ch in n for ch in ".[](){}!:")]
    if not named:
        return {"en": "the key occurs {observed} times", "zh": "同一键值出现 {observed} 次"}
    en = ", ".join(f"{n} {{{n}}}" for n in named)
    zh = "，".join(f"{n} {{{n}}}" for n in named)
    return {"en": f"the key occurs {{observed}} times; this record: {en}",
            "zh": f"同一键值出现 {{observed}} 次；本条记录：{zh}"}


SHOWN = 12  # at most this many other columns are shown with each duplicated record


def _shown(ctx: Context, p: UniqueParams, keys: list[str]) -> list[str]:
    """The figures shown with each record of a duplicated key: `values`, else the source's other
    columns (its declared ones when it declares columns), without keys, unit and period."""
    if p.values:
        return list(p.values)
    spec = ctx.source(p.source)
    columns = ctx.columns(p.source) or []
    if spec.declared:
        columns = [c for c in columns if c in spec.declared]
    hidden = {*keys, spec.unit, spec.period}
    return [c for c in columns if c not in hidden][:SHOWN]


def _any_null(cols: list[exp.Column]) -> exp.Expression:
    return exp.or_(*[exp.Is(this=c.copy(), expression=exp.Null()) for c in cols], copy=False)


def _distinct(value_cols: list[exp.Column]) -> exp.Expression:
    """Number of distinct combinations of `value_cols` (NULL counts as a value)."""
    if len(value_cols) == 1:  # distinct non-NULL values, plus one when some value is NULL (no casts: fast)
        col = value_cols[0]
        some_null = exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Count(this=col.copy()))
        return exp.Add(this=exp.Count(this=exp.Distinct(expressions=[col.copy()])),
                       expression=exp.cast(exp.paren(some_null, copy=False), exp.DataType.Type.INT, copy=False))
    packed = exp.Tuple(expressions=[c.copy() for c in value_cols])
    return exp.Count(this=exp.Distinct(expressions=[packed]))


def _failing(count: exp.Expression, distinct: exp.Expression | None) -> exp.Expression:
    over = exp.GT(this=count, expression=exp.Literal.number(1))
    # adopts `count` and `distinct`: callers pass nodes of their own or copy them for later uses
    if distinct is None:
        return over
    return exp.and_(over, exp.GT(this=distinct, expression=exp.Literal.number(1)), copy=False)


def _per_record(ctx: Context, p: UniqueParams, keys: list[str], key_cols: list[exp.Column],
                value_cols: list[exp.Column], scope: exp.Expression | None) -> tuple[exp.Select, exp.Select]:
    """Each record joined to its key's group when that key occurs more than once (a hash
    aggregate and join: cheaper than a window over every record); and the failing records
    alone: the same with an inner join and the failing condition as a filter, so that records
    whose key is NULL or occurs once are never projected.

    Every node handed to a builder below is fresh or a copy (key_cols and scope, which the
    caller uses again, at every use; count, n, distinct, columns, partners, on and failing at
    every use but their last), so the builders adopt them and extend their receiver in place
    (copy=False) instead of deep-copying both."""
    dup = "_sg_dup"
    count = exp.Count(this=exp.Star())
    groups = exp.select(*(exp.alias_(c.copy(), f"_sg_k{i}", copy=False) for i, c in enumerate(key_cols)),
                        exp.alias_(count.copy(), "_sg_n", copy=False))
    if value_cols:
        groups = groups.select(exp.alias_(_distinct(value_cols), "_sg_d", copy=False), copy=False)
    groups = groups.from_(ctx.table(p.source), copy=False).group_by(*[c.copy() for c in key_cols], copy=False)
    groups = groups.having(exp.GT(this=count, expression=exp.Literal.number(1)), copy=False)
    if scope is not None:  # only records in scope are partners; where it is NULL, nobody's
        groups = groups.where(scope.copy(), copy=False)
    n = exp.Coalesce(this=exp.column("_sg_n", dup), expressions=[exp.Literal.number(1)])
    distinct = exp.Coalesce(this=exp.column("_sg_d", dup), expressions=[exp.Literal.number(1)]) if value_cols else None
    failing = _failing(n.copy(), distinct.copy() if distinct is not None else None)
    unknown = _any_null(key_cols) if scope is None else exp.or_(
        _any_null(key_cols), exp.Is(this=exp.paren(scope.copy(), copy=False), expression=exp.Null()), copy=False)
    verdict = (exp.Case().when(unknown, exp.Literal.string("na"), copy=False)
               .when(failing.copy(), exp.Literal.string("fail"), copy=False)
               .else_(exp.Literal.string("pass"), copy=False))
    columns = [*identity_columns(ctx, p.source, keys=keys), alias(n, OBSERVED),
               alias(exp.Literal.number(1), EXPECTED)]
    if distinct is not None:
        columns.append(alias(distinct, VAL + "distinct_values"))
    for name in _shown(ctx, p, keys):
        columns.append(alias(quote_column(name), VAL + name))
    on = exp.and_(*(exp.EQ(this=c.copy(), expression=exp.column(f"_sg_k{i}", dup)) for i, c in enumerate(key_cols)),
                  copy=False)
    partners = exp.Subquery(this=groups, alias=exp.TableAlias(this=exp.to_identifier(dup)))
    every = exp.select(alias(verdict, STATUS), *(c.copy() for c in columns)).from_(ctx.table(p.source), copy=False)
    # a Join node rather than join_type="LEFT", which sqlglot parses from SQL text at every call
    every = every.join(exp.Join(this=partners.copy(), side="LEFT"), on=on.copy(), copy=False)
    only = exp.select(*columns).from_(ctx.table(p.source), copy=False).join(partners, on=on, copy=False)
    only = only.where(failing, copy=False)
    if scope is not None:  # out of scope where it is false; NULL: in the items, not evaluable
        in_or_unknown = exp.Coalesce(this=exp.paren(scope.copy(), copy=False), expressions=[exp.true()])
        every, only = every.where(in_or_unknown, copy=False), only.where(scope.copy(), copy=False)
    return every, only


def _tally(ctx: Context, p: UniqueParams, key_cols: list[exp.Column], scope: exp.Expression | None) -> exp.Select:
    unknown = _any_null(key_cols)
    if scope is not None:
        unknown = exp.or_(unknown, exp.Is(this=exp.paren(scope.copy(), copy=False), expression=exp.Null()), copy=False)
    tally = exp.select(alias(exp.Count(this=exp.Star()), ITEMS), alias(exp.CountIf(this=unknown), NOT_EVALUABLE))
    tally = tally.from_(ctx.table(p.source), copy=False)
    if scope is None:
        return tally
    return tally.where(exp.Coalesce(this=exp.paren(scope.copy(), copy=False), expressions=[exp.true()]), copy=False)


def _per_group(ctx: Context, p: UniqueParams, keys: list[str], key_cols: list[exp.Column],
               value_cols: list[exp.Column], scope: exp.Expression | None) -> exp.Select:
    # as in _per_record: builders get fresh nodes or copies and work in place (copy=False)
    spec = ctx.source(p.source)
    source: exp.Expression = ctx.table(p.source)
    count: exp.Expression = exp.Count(this=exp.Star())
    distinct = None
    if value_cols:
        # two hash aggregates instead of COUNT(DISTINCT ...), which DuckDB plans as a self-join:
        # the distinct (key, values) combinations with their record counts (NULL groups with NULL,
        # so NULL counts as a value), then per key: records = sum, distinct values = combinations
        inner = exp.select(*(c.copy() for c in key_cols), *(c.copy() for c in value_cols),
                           exp.alias_(count, "_sg_n", copy=False)).from_(source, copy=False)
        if scope is not None:
            inner = inner.where(scope.copy(), copy=False)
        inner = inner.group_by(*(c.copy() for c in key_cols), *(c.copy() for c in value_cols), copy=False)
        source, scope = exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("_sg_v"))), None
        count = exp.cast(exp.Sum(this=exp.column("_sg_n")), exp.DataType.Type.BIGINT, copy=False)
        distinct = exp.Count(this=exp.Star())
    verdict = (exp.Case().when(_any_null(key_cols), exp.Literal.string("na"), copy=False)
               .when(_failing(count.copy(), distinct.copy() if distinct else None), exp.Literal.string("fail"),
                     copy=False)
               .else_(exp.Literal.string("pass"), copy=False))
    projections: list[exp.Expression] = [alias(verdict, STATUS)]
    for role, name in ((UNIT, spec.unit), (PERIOD, spec.period)):
        if name in keys:
            projections.append(alias(quote_column(name), role))
    projections += [alias(c.copy(), "key:" + k) for k, c in zip(keys, key_cols, strict=True)]
    projections += [alias(count.copy(), OBSERVED), alias(exp.Literal.number(1), EXPECTED)]
    if distinct is not None:
        projections.append(alias(distinct.copy(), VAL + "distinct_values"))
        for name, col in zip(p.values or [], value_cols, strict=True):
            # the distinct values, sorted (NULL last), listed for failing keys only (listing is costly)
            values = exp.ArrayAgg(this=exp.Distinct(expressions=[col.copy()]) if len(value_cols) > 1 else col.copy())
            listed = exp.cast(exp.Anonymous(this="list_sort", expressions=[values]), exp.DataType.Type.VARCHAR,
                              copy=False)
            listed_if_failing = exp.Case().when(_failing(count.copy(), distinct.copy()), listed, copy=False)
            projections.append(alias(listed_if_failing, VAL + name))
    select = exp.select(*projections).from_(source, copy=False)
    if scope is not None:
        select = select.where(scope, copy=False)
    return select.group_by(*[c.copy() for c in key_cols], copy=False)
