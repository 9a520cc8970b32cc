"""A year-to-date (累计) figure must not decrease within a year.

Each record's value is compared with the value of the same series in the
latest earlier period of the same year (Jan-Aug before Jan-Sep, 2024-08
before 2024-09, Q2 before Q3): a year-to-date sum can only stay or grow, so a
drop larger than `tolerance` is a violation. A series that was 0 in Jan-Aug
and shows some in Jan-Sep is, of course, fine. The first period of each year
has nothing to compare with and is not an item. Periods may be written in any
form statguard.periods reads ("2024年1-9月", "2024-09", "2024年第三季度",
...); a period that cannot be read makes its record not evaluable, with the
reason as detail, and so does a missing value on either side. Several records
for the same series and period should be caught with the `unique` kind.

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

register({
    "detail.cumulative.missing": {"en": "value missing here or in the period before", "zh": "本期或上期的数值缺失"},
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
    """Records with their period mapping and the value and period of their predecessor in the year."""
    partition = [quote_column(c) for c in series] + [quote_column(MAPPED["freq"]), quote_column(MAPPED["year"])]

    def lag(column: str) -> exp.Window:
        return exp.Window(this=exp.Lag(this=quote_column(column)), partition_by=[c.copy() for c in partition],
                          order=exp.Order(expressions=[exp.Ordered(this=quote_column(MAPPED["idx"]))]))

    return (exp.select(exp.Star(), alias(lag(value), BEFORE), alias(lag(period), BEFORE_PERIOD),
                       alias(lag(MAPPED["idx"]), BEFORE_IDX))
            .from_(exp.paren(with_periods(ctx, source, period, scope)).as_("_sg_cur")))


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
    status = (exp.Case().when(exp.Not(this=exp.Is(this=perr.copy(), expression=exp.Null())), exp.Literal.string("na"))
              .when(missing, exp.Literal.string("na"))
              .when(exp.GTE(this=drop, expression=exp.Neg(this=number(p.tolerance))),
                    exp.Literal.string("pass"))
              .else_(exp.Literal.string("fail")))
    detail = (exp.Case().when(exp.Not(this=exp.Is(this=perr.copy(), expression=exp.Null())), perr.copy())
              .when(missing.copy(), exp.Literal.string("detail.cumulative.missing"))  # a catalogue key
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
