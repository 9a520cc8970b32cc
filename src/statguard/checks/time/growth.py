"""A reported growth rate must match the rate computed from this period's and the comparison period's values.

The computed rate is `(value - base) / |base| * 100`, in percent; it is
compared with the reported rate (also in percent) within `tolerance`
percentage points. The comparison value (`base`) is either a column of the
same record (e.g. 上年同期, last year's figure printed next to this year's) or
the value of the same series in the comparison period, looked up in the same
source: `compare: year_ago` (same period last year, 同比) or `previous`
(the period before, 环比). Periods may be written in any form statguard.periods
reads ("2024-09", "2024年9月", "2024Q3", "2024年1-9月", ...); year-to-date
periods compare with the same year-to-date period.

With `base_from: history` the comparison value is looked up in the history
store instead (statguard.history; `statguard history record`, `check
--record`): among the rows recorded for the source, those of the latest
version of each (unit, period) submission, i.e. last year's figures as they
stand after every resubmission, so this year's file need not carry them.
`val:comparison_version` says which version was used. The recorded rows must
have the value, period and series columns.

Not evaluable: the value, the rate or the comparison value is missing, the
comparison period has no record (or several; with `base_from: history`,
nothing recorded for it), the period cannot be parsed (the detail says why),
or the base is 0 (growth undefined; `zero_base: fail` makes it a violation
instead).

`tolerance: reported` derives the tolerance from the decimals each figure was
reported with (statguard.checks.rounding): half a unit of the rate's last
digit plus the rounding of value and comparison value propagated through
(value - base) / |base| * 100. `val:tolerance` carries it. A comparison value
within its own rounding of 0 makes the item not evaluable. With a looked-up
comparison value from the history store, its decimals are those of the
recorded value. In long format (one record per indicator, doubles without
their text) `decimals: {source: indicators, code: indicator, decimals:
decimals, column: indicator}` takes the decimals of the value and the
comparison value from the indicator table, by the record's indicator in
`column` (default: the column named like `code`); the rate, a percentage and
not the indicator's figure, keeps its text's, and so does an indicator the
table lacks.

Passing example (deposits 214.72, +13.75% on last year's 188.77):

    - id: GR-01
      kind: growth
      source: finance
      value: 余额
      base: 上年同期
      rate: 同比增长
      tolerance: 0.05

Failing data for it: loans 113.46 reported +4.7% on last year's 104.50: the
computed rate is 8.57%, 3.87 percentage points away from the reported one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlglot import exp

from statguard.checks import rounding
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
)
from statguard.checks.registry import Params, rule_kind
from statguard.checks.time.common import (
    MAPPED,
    period_column,
    period_plan,
    qualify,
    same_series,
    series_columns,
    with_periods,
)
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, say
from statguard.pack.model import Rule
from statguard.periods import bind_mapping

HISTORY_PREFIX = "history:"  # the engine view of a source's recorded versions (statguard.history.capture)
HISTORY_ALIAS = "_sg_hist"

NA, PASS, FAIL = (exp.Literal.string(s) for s in ("na", "pass", "fail"))


class GrowthParams(Params):
    source: str = Field(description="Source holding the values and the reported growth rates.")
    value: str = Field(description="Column with this period's value.")
    rate: str = Field(description="Column with the reported growth rate, in percent (13.75 for +13.75%).")
    base: str | None = Field(None, description=(
        "Column with the comparison value in the same record (e.g. last year's figure). "
        "Without it the comparison value is looked up in the comparison period of the same series."))
    base_from: Literal["source", "history"] = Field("source", description=(
        "Where the comparison value is looked up: source (the same source, default) or history (the latest "
        "recorded version of the comparison period in the history store, see docs/history.md)."))
    compare: Literal["year_ago", "previous"] = Field("year_ago", description=(
        "Comparison period when looking up: year_ago (same period last year) or previous (period before)."))
    period: str | None = Field(None, description="Period column (default: the source's period).")
    by: list[str] | None = Field(None, description=(
        "Columns identifying a series (default: the source's keys without the period, else its unit)."))
    tolerance: rounding.Tolerance = Field(0.05, description=(
        "Allowed difference in percentage points, or 'reported': half a unit of the rate's last reported digit "
        "plus the rounding of the value and the comparison value carried through the rate."))
    decimals: rounding.Decimals = rounding.decimals_field()
    zero_base: Literal["not_evaluable", "fail"] = Field("not_evaluable", description=(
        "A comparison value of 0 makes growth undefined: not_evaluable (default) or fail."))
    where: str | None = Field(None, description="Only records for which this is true are checked.")

    def source_names(self) -> list[str]:
        return ([self.source] + ([HISTORY_PREFIX + self.source] if self.base_from == "history" else [])
                + rounding.decimals_sources(self.decimals, self.tolerance))


@rule_kind("growth", GrowthParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: GrowthParams = rule.params
    ctx.source(p.source)
    for field_name, column in (("value", p.value), ("rate", p.rate), ("base", p.base)):
        if column:
            ctx.require_column(p.source, column, field_name)
    scope = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    if _reported(p):
        rounding.check_decimals(ctx, p.decimals, dict.fromkeys(c for c in (p.value, p.rate, p.base) if c),
                                "columns (not the value, rate or base)", p.source, _lookup_column(p))
    if p.base:
        if p.base_from == "history":
            raise PackError(ctx.problem(say("problem.growth.base_and_history"), "base_from"))
        return Plan(query=_same_record(ctx, p, scope))
    period = period_column(ctx, p.source, p.period)
    series = series_columns(ctx, p.source, p.by, period)
    if p.base_from == "source":
        return period_plan(_looked_up(ctx, p, period, series, scope), p.source, period)
    view = p.source if ctx.linting else HISTORY_PREFIX + p.source  # bound by statguard.history.capture
    for field_name, columns in (("value", [p.value]), ("period", [period]), ("by", series)):
        for column in columns:
            ctx.require_column(view, column, field_name if field_name != "period" or p.period else "source")
    if _reported(p) and _lookup_column(p):  # the recorded rows' indicator, for their decimals
        ctx.require_column(view, _lookup_column(p) or "", "decimals")
    query = _looked_up(ctx, p, period, series, scope, _from_history(ctx, view, p, period))
    lang = lang_of(ctx)
    return period_plan(query, p.source, period, prepare=lambda engine: bind_mapping(engine, view, period, lang))


def _reported(p: GrowthParams) -> bool:
    return p.tolerance == rounding.REPORTED


def _lookup_column(p: GrowthParams) -> str | None:
    """With a decimals table: the column holding each record's indicator (default: named like the
    table's code column). The table gives the decimals of the value and the comparison value, the
    indicator's own figures; the rate keeps its text's."""
    if not isinstance(p.decimals, rounding.DecimalsTable):
        return None
    return p.decimals.column or p.decimals.code


def _records(ctx: Context, p: GrowthParams, figures: list[str], alias: str | None = None) -> exp.Subquery:
    return rounding.records(ctx, p.source, figures, p.decimals, alias=alias, code=_lookup_column(p),
                            looked_up=[c for c in (p.value, p.base) if c])


def _tolerance(value: exp.Expression, rate: exp.Expression, base: exp.Expression,
               hws: tuple[exp.Expression, exp.Expression, exp.Expression]) -> exp.Expression:
    """hw(rate) + hw((value - base) / |base| * 100); NULL when |base| is within its rounding of 0."""
    hv, hr, hb = (h.copy() for h in hws)
    return exp.Add(this=hr, expression=rounding.rate_half_width(value, base, hv, hb))


def _rate(value: exp.Expression, base: exp.Expression) -> exp.Expression:
    change = exp.Sub(this=value.copy(), expression=base.copy())
    return exp.Mul(this=exp.Div(this=exp.paren(change), expression=exp.Abs(this=base.copy())),
                   expression=exp.Literal.number(100))


register({
    "problem.growth.base_and_history": {
        "en": "'base' names a column of the same record; 'base_from: history' looks the comparison value up instead: "
              "give one of them",
        "zh": "'base' 指定同一条记录中的列，'base_from: history' 则另行查找对比值：二者只能给出其一"},
    "detail.growth.missing": {"en": "value, reported rate or comparison value missing",
                              "zh": "数值、填报的增速或对比值缺失"},
    "detail.growth.against": {"en": "computed against {comparison_value} in {comparison_period}",
                              "zh": "按对比期 {comparison_period} 的 {comparison_value} 计算"},
    "detail.growth.zero_base": {"en": "comparison value is 0: growth undefined", "zh": "对比值为 0：增速无法计算"},
    "detail.growth.no_comparison": {"en": "no record for the comparison period {comparison_period}",
                                    "zh": "对比期 {comparison_period} 没有记录"},
    "detail.growth.not_in_history": {"en": "nothing recorded in the history for the comparison period "
                                           "{comparison_period}",
                                     "zh": "历史库中没有对比期 {comparison_period} 的记录"},
    "detail.growth.several_comparisons": {"en": "several records for the comparison period {comparison_period}",
                                          "zh": "对比期 {comparison_period} 有多条记录"},
    "detail.growth.rounded_zero": {"en": "comparison value within its rounding of 0: growth undefined",
                                   "zh": "对比值在舍入误差范围内可能为 0：增速无法计算"},
})


def _verdict(p: GrowthParams, value: exp.Expression, rate: exp.Expression, base: exp.Expression,
             before: list[tuple[exp.Expression, exp.Expression]],
             tolerance: exp.Expression | None = None) -> tuple[exp.Case, exp.Case]:
    """(_status, _detail) cases; `before` are (condition, detail) pairs making an item not evaluable."""
    status, detail = exp.Case(), exp.Case()
    for cond, text in before:
        status, detail = status.when(cond.copy(), NA.copy()), detail.when(cond.copy(), text)
    missing = exp.or_(*[exp.Is(this=c.copy(), expression=exp.Null()) for c in (value, rate, base)])
    status, detail = status.when(missing, NA.copy()), detail.when(missing.copy(), exp.Literal.string(
        "detail.growth.missing"))  # a catalogue key: the report gives its sentence in its language
    zero = exp.EQ(this=base.copy(), expression=exp.Literal.number(0))
    status = status.when(zero, NA.copy() if p.zero_base == "not_evaluable" else FAIL.copy())
    detail = detail.when(zero.copy(), exp.Literal.string("detail.growth.zero_base"))
    if tolerance is None:
        off = exp.Abs(this=exp.Sub(this=rate.copy(), expression=_rate(value, base)))
        status = status.when(exp.LTE(this=off, expression=number(float(p.tolerance))), PASS.copy())
        return status.else_(FAIL.copy()), detail
    unknown = exp.Is(this=exp.paren(tolerance.copy()), expression=exp.Null())
    status = status.when(unknown, NA.copy())
    detail = detail.when(unknown.copy(), exp.Literal.string("detail.growth.rounded_zero"))
    status = status.when(rounding.within(rate, _rate(value, base), tolerance), PASS.copy())
    return status.else_(FAIL.copy()), detail


def _sides(value: exp.Expression, rate: exp.Expression, base: exp.Expression) -> list[exp.Expression]:
    computed = exp.Round(this=_rate(value, base), decimals=exp.Literal.number(4))
    nonzero = exp.NEQ(this=base.copy(), expression=exp.Literal.number(0))
    computed = exp.If(this=nonzero, true=computed)
    return [alias(rate.copy(), OBSERVED), alias(computed, EXPECTED),
            alias(exp.Round(this=exp.Sub(this=rate.copy(), expression=computed.copy()),
                            decimals=exp.Literal.number(4)), IMBALANCE)]


def _same_record(ctx: Context, p: GrowthParams, scope: exp.Expression | None) -> exp.Select:
    assert p.base is not None
    value, rate, base = quote_column(p.value), quote_column(p.rate), quote_column(p.base)
    tolerance = None
    if _reported(p):
        tolerance = _tolerance(value, rate, base, tuple(rounding.hw_column(c) for c in (p.value, p.rate, p.base)))
    status, detail = _verdict(p, value, rate, base, [], tolerance)
    select = exp.select(alias(status, STATUS), *identity_columns(ctx, p.source),
                        alias(value.copy(), VAL + p.value), alias(base.copy(), VAL + p.base),
                        alias(rate.copy(), VAL + p.rate), *_sides(value, rate, base), alias(detail, DETAIL),
                        *_shown(tolerance))
    table = _records(ctx, p, [p.value, p.rate, p.base]) if _reported(p) else ctx.table(p.source)
    select = select.from_(table)
    return select.where(scope) if scope is not None else select


def _shown(tolerance: exp.Expression | None) -> list[exp.Expression]:
    return [] if tolerance is None else [alias(rounding.shown(tolerance), VAL + "tolerance")]


def _history_half_width(ctx: Context, p: GrowthParams) -> exp.Expression:
    """Half a unit of the last digit of a recorded comparison value (its stored text, or the decimals
    fixed by the rule or its table)."""
    fixed = rounding.fixed_decimals(p.decimals, p.value)
    code = _lookup_column(p)
    found = None
    if isinstance(p.decimals, rounding.DecimalsTable) and code:
        found = rounding.looked_up_decimals(ctx, p.decimals, quote_column(code, HISTORY_ALIAS))
    return rounding.figure_half_width(quote_column(p.value), fixed, found)


def _from_history(ctx: Context, view: str, p: GrowthParams, period: str) -> exp.Expression:
    """Comparison values from the history store: the rows of the latest version of each (unit, period)."""
    latest = exp.Window(this=exp.Max(this=quote_column("_sg_version")),
                        partition_by=[quote_column("_sg_unit"), quote_column("_sg_period")])
    ranked = exp.select(exp.Star(), alias(latest, "_sg_latest")).from_(
        exp.paren(with_periods(ctx, view, period)).as_("_sg_h"))
    return exp.select(exp.Star()).from_(ranked.subquery("_sg_r")).where(
        exp.EQ(this=quote_column("_sg_version"), expression=quote_column("_sg_latest"))).subquery(HISTORY_ALIAS)


def _looked_up(ctx: Context, p: GrowthParams, period: str, series: list[str],
               scope: exp.Expression | None, rows: exp.Expression | None = None) -> exp.Select:
    """Items joined with the comparison value of their series, looked up by period label in `rows`
    (default: the source's own records)."""
    cur = with_periods(ctx, p.source, period)  # `where` limits the items, not the comparison values
    reported = _reported(p)
    if reported:  # the same records, read with their reported text
        cur = cur.from_(_records(ctx, p, [p.value, p.rate], alias="t"))
    if scope is not None:  # on the record's own columns (t), never the mapping's (m)
        cur = cur.select(alias(qualify(scope, "t"), "_sg_in"))
    label = quote_column(MAPPED["label"])
    history = rows is not None
    version = [alias(exp.Max(this=quote_column("_sg_version")), "_sg_bv")] if history else []
    if reported:  # half a unit of the comparison value's last digit (recorded history: its stored text)
        hw = _history_half_width(ctx, p) if history else rounding.hw_column(p.value)
        version.append(alias(exp.Min(this=hw), "_sg_base_hw"))
    grouped = exp.select(*[quote_column(c) for c in series], label.copy(),
                         alias(exp.Min(this=quote_column(p.value)), "_sg_base"),
                         alias(exp.Count(this=exp.Star()), "_sg_n"), *version).from_(
        rows.copy() if rows is not None else "_sg_cur").where(
        exp.Not(this=exp.Is(this=label.copy(), expression=exp.Null()))).group_by(
        *[quote_column(c) for c in series], label.copy())
    target = MAPPED["prev" if p.compare == "previous" else "year_ago"]
    on = exp.EQ(this=quote_column(MAPPED["label"], "b"), expression=quote_column(target, "c"))
    joined = same_series("b", "c", series)
    value, rate, base = quote_column(p.value, "c"), quote_column(p.rate, "c"), quote_column("_sg_base", "b")
    compared = quote_column(target, "c")
    before = [
        (exp.Not(this=exp.Is(this=quote_column(MAPPED["error"], "c"), expression=exp.Null())),
         quote_column(MAPPED["error"], "c")),
        (exp.Is(this=quote_column("_sg_n", "b"), expression=exp.Null()),  # catalogue keys, as in _verdict
         exp.Literal.string("detail.growth.not_in_history" if history else "detail.growth.no_comparison")),
        (exp.GT(this=quote_column("_sg_n", "b"), expression=exp.Literal.number(1)),
         exp.Literal.string("detail.growth.several_comparisons")),
    ]
    tolerance = None
    if reported:
        hws = (rounding.hw_column(p.value, "c"), rounding.hw_column(p.rate, "c"), quote_column("_sg_base_hw", "b"))
        tolerance = _tolerance(value, rate, base, hws)
    status, detail = _verdict(p, value, rate, base, before, tolerance)
    failed = exp.If(this=exp.EQ(this=status.copy(), expression=FAIL.copy()),
                    true=exp.Literal.string("detail.growth.against"))  # the base a failing rate was computed on
    detail = exp.Coalesce(this=detail, expressions=[failed])
    select = exp.select(alias(status, STATUS), *identity_columns(ctx, p.source, table="c"),
                        alias(value.copy(), VAL + p.value), alias(rate.copy(), VAL + p.rate),
                        alias(compared.copy(), VAL + "comparison_period"), alias(base.copy(), VAL + "comparison_value"),
                        *([alias(quote_column("_sg_bv", "b"), VAL + "comparison_version")] if history else []),
                        *_sides(value, rate, base), alias(detail, DETAIL), *_shown(tolerance))
    cur_t = exp.Table(this=exp.to_identifier("_sg_cur", quoted=True), alias=exp.TableAlias(
        this=exp.to_identifier("c", quoted=True)))
    base_t = exp.Table(this=exp.to_identifier("_sg_base", quoted=True), alias=exp.TableAlias(
        this=exp.to_identifier("b", quoted=True)))
    select = select.from_(cur_t).join(base_t, on=exp.and_(on, joined) if joined is not None else on,
                                      join_type="left")
    if scope is not None:
        select = select.where(quote_column("_sg_in", "c"))
    return select.with_("_sg_cur", as_=cur).with_("_sg_base", as_=grouped)
