"""An aggregate per key in one source equals the same aggregate in another, within tolerance.

The measure of `source` is aggregated per key (`agg`: sum, count,
count_distinct, min, max or mean) and compared with the aggregate of
`other_measure` in `other` per matching key (key names may differ; `match`
maps them). `other_measure` defaults to `measure`, except that `other_agg:
count` under another `agg` counts the records of `other` (claimed persons
summed against the person records). A key passes when |value - other value| <= max(tolerance,
rel_tolerance * |other value|): absolute and relative tolerances may be
combined, and either suffices. A key present on one side only is a violation
of its own, with detail "only in '<source>'" (with `keys_from: source`, only the
keys of `source` are items: a total with no parts is not checked, parts with no
total still are). One item per key.

NULL semantics: NULL keys never match: records with a NULL key form a group
that is not evaluable. A key whose aggregate is NULL (all measures missing)
is not evaluable; count and count_distinct are 0, never NULL, also on the side
a key is absent from (its one-sided violation shows 0 records there). Empty
sources make every key of the other side a one-sided violation.

Passing example (county laid-off figures add up to the province total):

    - id: LO-01
      kind: reconcile
      source: 县级汇总
      other: 省级合计
      match: [省份代码]
      measure: 下岗人数
      other_measure: 下岗人数合计
      agg: sum
      other_agg: sum

Failing data for it: counties of province 11 reporting 120 + 80 = 200 laid-off
workers while the province total says 210 (imbalance -10).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from sqlglot import exp

from statguard.checks.cross_source._match import KEY_DOC, KeyMap, any_null, key_pairs
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
    lang_of,
)
from statguard.checks.registry import Params, rule_kind
from statguard.expr import quote_column
from statguard.i18n import register, say, t
from statguard.pack.model import Rule

Agg = Literal["sum", "count", "count_distinct", "min", "max", "mean"]
LEFT, RIGHT = "_sg_left", "_sg_right"
EPS = 1e-9


register({"problem.reconcile.measure": {"en": "'{name}' is needed for agg '{agg}'",
                                        "zh": "agg '{agg}' 需要 '{name}'"}})

class ReconcileParams(Params):
    source: str = Field(description="First source, aggregated per key.")
    other: str = Field(description="Second source, aggregated per key and compared with the first.")
    match: KeyMap = Field(description=KEY_DOC)
    measure: str | None = Field(None, description="Column of `source` to aggregate (may be omitted for count).")
    other_measure: str | None = Field(None, description=(
        "Column of `other` to aggregate (default: `measure`; with `other_agg: count` under another `agg`, none: "
        "the records are counted)."))
    agg: Agg = Field("sum", description="Aggregate of `source`: sum, count, count_distinct, min, max or mean.")
    other_agg: Agg | None = Field(None, description="Aggregate of `other` (default: `agg`).")
    tolerance: float = Field(0, ge=0, description="Absolute tolerance of the difference.")
    rel_tolerance: float | None = Field(None, ge=0, description="Relative tolerance, as a fraction of |other "
                                        "value| (0.01 = 1%); a key passes within either tolerance.")
    where: str | None = Field(None, description="Only records of `source` for which this is true are aggregated.")
    other_where: str | None = Field(None, description="Only records of `other` for which this is true are "
                                    "aggregated.")
    keys_from: Literal["both", "source", "other"] = Field("both", description=(
        "Whose keys are checked: both (default: a key on one side only is a violation), source (keys only in "
        "`other` are left out, e.g. figures that have no parts) or other."))

    @model_validator(mode="after")
    def _measures(self) -> ReconcileParams:
        for agg, measure, name in ((self.agg, self.measure, "measure"),
                                   (self.other_agg or self.agg, self.measure_of_other(), "other_measure")):
            if measure is None and agg != "count":
                raise ValueError(say("problem.reconcile.measure", name=name, agg=agg))
        return self

    def measure_of_other(self) -> str | None:
        """`other_measure`; by default `measure`, unless `other` is counted while `source` is not
        (a sum of amounts against a count of records): then nothing, records are counted."""
        if self.other_measure is not None:
            return self.other_measure
        if self.other_agg == "count" and self.agg != "count":
            return None
        return self.measure


@rule_kind("reconcile", ReconcileParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: ReconcileParams = rule.params
    spec = ctx.source(p.source)
    ctx.source(p.other, "other")
    pairs = key_pairs(p.match)
    left = _side(ctx, p.source, [a for a, _ in pairs], p.measure, p.agg, p.where, "where", "measure")
    right = _side(ctx, p.other, [b for _, b in pairs], p.measure_of_other(), p.other_agg or p.agg,
                  p.other_where, "other_where", "other_measure")
    on = exp.and_(*(exp.EQ(this=exp.column(f"_sg_k{i}", LEFT), expression=exp.column(f"_sg_k{i}", RIGHT))
                    for i in range(len(pairs))), copy=False)
    keys = [exp.Coalesce(this=exp.column(f"_sg_k{i}", LEFT), expressions=[exp.column(f"_sg_k{i}", RIGHT)])
            for i in range(len(pairs))]
    value, other_value = exp.column("_sg_v", LEFT), exp.column("_sg_v", RIGHT)
    status, detail = _verdict(p, keys, value, other_value, lang_of(ctx))
    # shown: a count of a side the key is absent from is 0 records (名单 0 人), not a missing figure
    value, other_value = (exp.Coalesce(this=v, expressions=[exp.Literal.number(0)]) if agg in COUNTS else v
                          for v, agg in ((value, p.agg), (other_value, p.other_agg or p.agg)))
    projections = [alias(status, STATUS)]
    for (a_col, _), key in zip(pairs, keys, strict=True):
        if a_col == spec.unit:
            projections.append(alias(key.copy(), UNIT))
        if a_col == spec.period:
            projections.append(alias(key.copy(), PERIOD))
        projections.append(alias(key.copy(), KEY + a_col))
    projections += [
        alias(value.copy(), VAL + p.source), alias(other_value.copy(), VAL + p.other),
        alias(value.copy(), OBSERVED), alias(other_value.copy(), EXPECTED),
        alias(exp.Sub(this=value.copy(), expression=other_value.copy()), IMBALANCE), alias(detail, DETAIL)]
    # fresh nodes all (value, other_value and keys copied at each use): the builders adopt them and
    # extend the select in place (copy=False) instead of deep-copying it at every step
    # tables, a Join node and TableAliases rather than names and join_type=, which sqlglot parses
    select = exp.select(*projections).from_(exp.table_(LEFT), copy=False)
    side = {"both": "FULL", "source": "LEFT", "other": "RIGHT"}[p.keys_from]
    select = select.join(exp.Join(this=exp.table_(RIGHT), side=side), on=on, copy=False)
    for name, side in ((LEFT, left), (RIGHT, right)):
        select = select.with_(exp.TableAlias(this=exp.to_identifier(name)), as_=side, copy=False)
    return Plan(query=select, order_by=[f'"{KEY}{a}"' for a, _ in pairs])


def _side(ctx: Context, source: str, cols: list[str], measure: str | None, agg: str, where: str | None,
          where_field: str, measure_field: str) -> exp.Select:
    """SELECT keys AS _sg_k<i>, <agg>(measure) AS _sg_v, 1 AS _sg_here FROM source GROUP BY keys."""
    for col in cols:
        ctx.require_column(source, col, "match")
    value = ctx.require_column(source, measure, measure_field) if measure else None
    # fresh nodes all: adopted by the builders, which extend the select in place (copy=False)
    select = exp.select(*(exp.alias_(quote_column(c), f"_sg_k{i}", copy=False) for i, c in enumerate(cols)),
                        exp.alias_(_aggregate(agg, value), "_sg_v", copy=False),
                        exp.alias_(exp.Literal.number(1), "_sg_here", copy=False)).from_(ctx.table(source), copy=False)
    if where:
        scope = ctx.compile(where, where_field, {None: source}).tree
        select = select.where(exp.paren(scope, copy=False), copy=False)
    return select.group_by(*(quote_column(c) for c in cols), copy=False)


COUNTS = ("count", "count_distinct")


def _aggregate(agg: str, value: exp.Expression | None) -> exp.Expression:
    if agg == "count":
        return exp.Count(this=value if value is not None else exp.Star())
    assert value is not None
    if agg == "count_distinct":
        return exp.Count(this=exp.Distinct(expressions=[value]))
    fn = {"sum": exp.Sum, "min": exp.Min, "max": exp.Max, "mean": exp.Avg}[agg]
    if agg in ("sum", "mean"):
        return exp.Cast(this=fn(this=value), to=exp.DataType.build(exp.DataType.Type.DOUBLE))
    return fn(this=value)


register({
    "detail.reconcile.no_key": {"en": "key is missing", "zh": "键值缺失"},
    "detail.reconcile.only_in": {"en": "only in '{source}'", "zh": "仅见于「{source}」"},
    "detail.reconcile.no_value": {"en": "no value to compare", "zh": "没有可比较的数值"},
    "detail.reconcile.differ": {"en": "values differ", "zh": "数值不一致"},
})


def _verdict(p: ReconcileParams, keys: list[exp.Expression], value: exp.Expression,
             other_value: exp.Expression, lang: str | None) -> tuple[exp.Case, exp.Case]:
    here, there = exp.column("_sg_here", LEFT), exp.column("_sg_here", RIGHT)
    diff = exp.Abs(this=exp.Sub(this=value.copy(), expression=other_value.copy()))
    allowed: exp.Expression = exp.Literal.number(p.tolerance + EPS)
    if p.rel_tolerance is not None:
        relative = exp.Mul(this=exp.Literal.number(p.rel_tolerance), expression=exp.Abs(this=other_value.copy()))
        allowed = exp.Greatest(this=allowed, expressions=[exp.Add(this=relative, expression=exp.Literal.number(EPS))])
    missing_key = any_null(keys)
    assert missing_key is not None
    steps = [
        (missing_key, "na", t("detail.reconcile.no_key", lang)),
        (exp.Is(this=there.copy(), expression=exp.Null()), "fail",
         t("detail.reconcile.only_in", lang, source=p.source)),
        (exp.Is(this=here.copy(), expression=exp.Null()), "fail", t("detail.reconcile.only_in", lang, source=p.other)),
        (exp.or_(exp.Is(this=value.copy(), expression=exp.Null()),
                 exp.Is(this=other_value.copy(), expression=exp.Null()), copy=False), "na",
         t("detail.reconcile.no_value", lang)),
        (exp.LTE(this=diff, expression=allowed), "pass", None),
    ]
    # each condition (fresh) goes into both CASEs: a copy into the first, itself into the second;
    # copy=False: the CASEs grow in place instead of being deep-copied at every branch
    status, detail = exp.Case(), exp.Case()
    for cond, verdict, text in steps:
        status = status.when(cond.copy(), exp.Literal.string(verdict), copy=False)
        detail = detail.when(cond, exp.Literal.string(text) if text else exp.Null(), copy=False)
    return (status.else_(exp.Literal.string("fail"), copy=False),
            detail.else_(exp.Literal.string(t("detail.reconcile.differ", lang)), copy=False))
