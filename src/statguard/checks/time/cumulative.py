"""A year-to-date (累计) figure must not decrease within a year.

Each record's value is compared with the value of the same series in the
latest earlier period of the same year that has one (Jan-Aug before Jan-Sep,
2024-08 before 2024-09, Q2 before Q3; Jan-Jul when Jan-Aug is empty): a
year-to-date sum can only stay or grow, so a drop larger than `tolerance` is a
violation. A series that was 0 in Jan-Aug
and shows some in Jan-Sep is, of course, fine. The first period of each year
has nothing to compare with and is not an item. Periods may be written in any
form statguard.periods reads ("2024年1-9月", "2024-09", "2024年第三季度",
...); a period that cannot be read makes its record not evaluable, with the
reason as detail, and so does a missing value of its own or of every earlier
period of the year. Several records for the same series and period make those
records, and the period after them, not evaluable (which of them counts is not
known); the `unique` kind finds them.

The monthly (or quarterly) increments implied by a year-to-date series are
available to other rules as a derived source, see statguard.checks.time.derive
and docs/time.md.

Passing example:

    - id: YTD-01
      kind: cumulative
      source: new_enterprises
      value: 新增企业数
      by: [县区]

Failing data for it: 东县 reports 21 new enterprises for 2024年1-8月 and 19
for 2024年1-9月 (observed 19, expected at least 21, imbalance -2).
"""

from __future__ import annotations

from pydantic import Field
from sqlglot import exp

from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    IMBALANCE,
    OBSERVED,
    STATUS,
    VAL,
    Context,
    Plan,
    alias,
    identity_columns,
    lang_of,
    number,
    pieces,
)
from statguard.checks.registry import Params, rule_kind
from statguard.checks.time.common import MAPPED, period_column, period_plan, series_columns, string_of, with_periods
from statguard.expr import quote_column
from statguard.i18n import register
from statguard.pack.model import Rule

BEFORE, BEFORE_PERIOD, BEFORE_IDX = "_sg_before", "_sg_before_period", "_sg_before_idx"
SAME, BEFORE_SAME = "_sg_same", "_sg_before_same"  # records of the series in this period, in the period before

register({
    "detail.cumulative.missing": {"en": "value missing here or in every earlier period of the year",
                                  "zh": "本期的数值缺失，或本年此前各期的数值均缺失"},
    "detail.cumulative.several": {"en": "several records for this series and period: which one counts is not known",
                                  "zh": "该序列本期有多条记录，无法确定以哪条为准"},
    "detail.cumulative.several_before": {
        "en": "several records for this series in the period before: which one counts is not known",
        "zh": "该序列上一期有多条记录，无法确定以哪条为准"},
    "detail.cumulative.drop": {"en": "year to date {before_period}: {before}, then {period}: {value}",
                               "zh": "累计值 {before_period}：{before}，其后 {period}：{value}"},
})


class CumulativeParams(Params):
    source: str = Field(description="Source holding the year-to-date figures.")
    value: str = Field(description="Column with the year-to-date value.")
    period: str | None = Field(None, description="Period column (default: the source's period).")
    by: list[str] | None = Field(None, description=(
        "Columns identifying a series (default: the source's keys without the period, else its unit)."))
    tolerance: float = Field(0, ge=0, description="A decrease up to this much (absolute) is not a violation.")
    where: str | None = Field(None, description="Only records for which this is true are checked.")


def with_predecessor(ctx: Context, source: str, value: str, period: str, series: list[str],
                     scope: exp.Expression | None) -> exp.Select:
    """Records with their period mapping, the value and period of the latest earlier record of the
    year that has a value, whether there is an earlier record at all, and how many records the
    series has in this period and in the period before."""
    partition = [quote_column(c) for c in series] + [quote_column(MAPPED["freq"]), quote_column(MAPPED["year"])]
    order = exp.Order(expressions=[exp.Ordered(this=quote_column(MAPPED["idx"]))])

    def lag(of: exp.Expression, ignore_nulls: bool = False) -> exp.Window:
        call = exp.Lag(this=of)
        return exp.Window(this=exp.IgnoreNulls(this=call) if ignore_nulls else call,
                          partition_by=[c.copy() for c in partition], order=order.copy())

    valued = exp.Case().when(exp.Not(this=exp.Is(this=quote_column(value), expression=exp.Null())),
                             quote_column(period))
    same = exp.Window(this=exp.Count(this=exp.Star()),
                      partition_by=[*(c.copy() for c in partition), quote_column(MAPPED["idx"])])
    counted = exp.select(exp.Star(), alias(same, SAME)).from_(
        exp.paren(with_periods(ctx, source, period, scope)).as_("_sg_cur"))
    return (exp.select(exp.Star(), alias(lag(quote_column(value), True), BEFORE),
                       alias(lag(valued, True), BEFORE_PERIOD), alias(lag(quote_column(MAPPED["idx"])), BEFORE_IDX),
                       alias(lag(quote_column(SAME)), BEFORE_SAME))
            .from_(exp.paren(counted).as_("_sg_counted")))


@rule_kind("cumulative", CumulativeParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: CumulativeParams = rule.params
    ctx.source(p.source)
    value_col = ctx.require_column(p.source, p.value, "value")
    period = period_column(ctx, p.source, p.period)
    series = series_columns(ctx, p.source, p.by, period)
    scope = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    value, before = value_col, quote_column(BEFORE)
    perr = quote_column(MAPPED["error"])
    missing = exp.or_(exp.Is(this=value.copy(), expression=exp.Null()),
                      exp.Is(this=before.copy(), expression=exp.Null()))
    drop = exp.Sub(this=value.copy(), expression=before.copy())
    several = exp.GT(this=quote_column(SAME), expression=exp.Literal.number(1))
    several_before = exp.GT(this=quote_column(BEFORE_SAME), expression=exp.Literal.number(1))
    status = (exp.Case().when(exp.Not(this=exp.Is(this=perr.copy(), expression=exp.Null())), exp.Literal.string("na"))
              .when(several.copy(), exp.Literal.string("na")).when(several_before.copy(), exp.Literal.string("na"))
              .when(missing, exp.Literal.string("na"))
              .when(exp.GTE(this=drop, expression=exp.Neg(this=number(p.tolerance))),
                    exp.Literal.string("pass"))
              .else_(exp.Literal.string("fail")))
    detail = (exp.Case().when(exp.Not(this=exp.Is(this=perr.copy(), expression=exp.Null())), perr.copy())
              .when(several, exp.Literal.string("detail.cumulative.several"))  # catalogue keys
              .when(several_before, exp.Literal.string("detail.cumulative.several_before"))
              .when(missing.copy(), exp.Literal.string("detail.cumulative.missing"))
              .else_(string_of(*pieces("detail.cumulative.drop", lang_of(ctx),
                                       before_period=quote_column(BEFORE_PERIOD), before=before.copy(),
                                       period=quote_column(period), value=value.copy()))))
    select = exp.select(alias(status, STATUS), *identity_columns(ctx, p.source),
                        alias(value.copy(), VAL + p.value), alias(quote_column(BEFORE_PERIOD), VAL + "previous_period"),
                        alias(before.copy(), VAL + "previous_value"), alias(value.copy(), OBSERVED),
                        alias(before.copy(), EXPECTED), alias(drop.copy(), IMBALANCE), alias(detail, DETAIL))
    select = select.from_(exp.paren(with_predecessor(ctx, p.source, p.value, period, series, scope)).as_("_sg_s"))
    select = select.where(exp.or_(exp.Not(this=exp.Is(this=perr.copy(), expression=exp.Null())),
                                  exp.Not(this=exp.Is(this=quote_column(BEFORE_IDX), expression=exp.Null()))))
    return period_plan(select, p.source, period, order_by=[f'"{IMBALANCE}"'])
