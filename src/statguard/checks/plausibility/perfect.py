"""Suspiciously perfect figures: 100% rates, one value reported by several units, copied series, repeats, constants.

Invented figures are often too perfect: a re-employment rate of exactly 100%,
the same figure typed in by three units, one unit's months copied from
another's, last year's months reported again, a value carried forward month
after month. Each rule runs one
`check` over long-format figures (unit, period, indicator, value; see
plausibility/common.py):

- `exact_rate`: rates at an extreme (`extremes`, default 100% and 0%).
  Reported rates (`rates:` names the indicators, or the `indicators` table's
  kind `rate`): one item per figure, failing when it is exactly at an
  extreme. Rates from counts (`numerator:` and `denominator:`, two indicators
  of the same source): one item per unit and period; all (or none) of the
  counts is honest in a small unit (4 of 4 happens), so the item fails only
  when the chance of it, at the rate of the unit's peers (the other units of
  its peer group in that period, pooled), is below `alpha`:
  p^n for n of n, (1 - p)^n for 0 of n. Not evaluable, each saying why: a
  missing count, a denominator <= 0, a numerator above its denominator (50 of
  45 is no rate of counts; it is left out of the peers' rate too), no peers
  with counts (several records of one count for a unit and period: the
  largest is used). Both extremes are suspicious by
  default, as the domain's cases are (everyone re-employed, no complaint
  left); a pack whose rate may honestly be 0 says `extremes: [100]`.
- `same_value`: one item per figure; fails when at least `min_units` units
  (itself included) report exactly this value for the indicator and period,
  within the peer group (`across: peer_group`, the default) or among all
  units. Figures with fewer than `min_digits` significant digits (default 4)
  are not evaluable: 0, 1, 10, 100 or 45.6 are shared honestly.
- `copied`: one item per series (unit, indicator); fails when another unit
  reported the same values in at least `min_periods` (default 6) of the same
  periods, not all one value, counting values of at least `min_digits`
  (default 3) significant digits; the violation names the twin, the equal
  periods and their values. Other periods may differ (a copy edited in one
  month is still a copy). Not evaluable: fewer than `min_periods` such values.
- `year_ago`: one item per series; fails when at least `min_periods`
  (default 3) periods have exactly the value of the same period a year
  earlier (the period mapping's year-ago period: 2024-03 against 2023-03,
  however either is written), counting values of at least `min_digits`
  (default 3) significant digits. The violation lists the equal periods and
  their values. Not evaluable: fewer than `min_periods` comparable periods
  (a value with `min_digits` digits whose year-ago period has a value);
  a missing year-ago month or a NULL on either side is not comparable.
- `repeats`: one item per series; fails when the same value (at least
  `min_digits`, default 3, significant digits) is reported in at least
  `min_run` (default 3) consecutive periods. A missing period, a NULL value or
  a period reported twice breaks a run. Not evaluable: fewer than `min_run`
  values. The longest run is reported (the earliest of equals).
- `constant`: one item per series; fails when at least `min_periods`
  (default 6) values are all equal. A series constant at a value with fewer
  than `min_digits` (default 1) significant digits, i.e. always 0, is a unit
  without activity: not evaluable. Not evaluable: fewer than `min_periods` values.

Significant digits are counted on the value rounded to 6 decimals, ignoring
sign and leading and trailing zeros (12300 has 3, 0.050 has 1, -766.41 has 5);
values are equal when they agree to 6 decimals. NULL values are never evidence.
Stocks (a balance, a head count) stay flat honestly: the series checks leave out
indicators whose kind in the `indicators` table is in `exempt_kinds` (default:
stock for repeats and constant, stock and rate for year_ago, nothing for
same_value and copied); they are not items at all. A rate is a ratio of
counts: a small unit's 7 of 18 (38.9%) recurs a year later honestly, so its
three digits are not three digits of evidence. Periods are read by statguard.periods (copied,
repeats, constant and year_ago order them; consecutive means adjacent periods
of one frequency).

Defaults: the coincidence of honest figures bounds min_digits (a value of k
significant digits is shared by chance about once in 9 * 10^(k-1) pairs of
the same magnitude; three of 30 peers sharing one is rare at k = 4 over a
year of a dozen indicators). An honest item fails exact_rate with a
probability below `alpha` (the test is exact), so a unit with 24 months of
counts is flagged by chance at most 24 * alpha = 2.4% of the time at the
default 0.001; 0.01 flagged 2% of honest units in a binomial simulation.
For year_ago, on the fabrication benchmark (setting hard, 8 seeds of 300
units, 2160 honest series per indicator): no honest flow series had more than
one month equal to a year earlier, while stocks (floor space: 493 series equal
in all 12 months) and rates from small year-to-date counts (one series with 3
equal months, 13 with 2) coincide honestly; min_periods 3 with stocks and rates
exempt found all 24 planted copies (6 months each) and flagged no honest unit.

Passing example (a district's re-employment counts against its peers):

    - id: PF-01
      kind: perfect
      check: exact_rate
      source: figures
      numerator: 再就业人数
      denominator: 失业人数

Failing data for it: district A reports 再就业人数 = 失业人数 = 40 in 2024-06
while its peers re-employed 160 of 200 (80%): 40 of 40 has a chance of
0.8^40 = 0.00013 < 0.001.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlglot import exp

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
    col,
    count_if,
    lit,
    number,
    ref,
)
from statguard.checks.plausibility.common import IndicatorTable, Long, LongParams, verdict
from statguard.checks.registry import rule_kind
from statguard.checks.time.common import MAPPED, period_plan, with_periods
from statguard.errors import PackError
from statguard.i18n import register, say
from statguard.pack.model import Rule

Check = Literal["exact_rate", "same_value", "copied", "year_ago", "repeats", "constant"]
SERIES_CHECKS = ("same_value", "copied", "year_ago", "repeats", "constant")
TIMED_CHECKS = ("copied", "year_ago", "repeats", "constant")
APPLIES = {  # parameter -> the checks it is meaningful for
    "rates": ("exact_rate",), "numerator": ("exact_rate",), "denominator": ("exact_rate",),
    "extremes": ("exact_rate",), "scale": ("exact_rate",), "alpha": ("exact_rate",),
    "min_units": ("same_value",), "across": ("same_value", "copied"), "min_run": ("repeats",),
    "min_periods": ("copied", "year_ago", "constant"), "min_digits": SERIES_CHECKS, "exempt_kinds": SERIES_CHECKS,
}
DEFAULTS = {
    "min_digits": {"same_value": 4, "copied": 3, "year_ago": 3, "repeats": 3, "constant": 1},
    "min_periods": {"copied": 6, "year_ago": 3, "constant": 6},
    "across": {"same_value": "peer_group", "copied": "all"},
    "exempt_kinds": {"same_value": [], "copied": [], "year_ago": ["stock", "rate"], "repeats": ["stock"],
                     "constant": ["stock"]},
}
ROWS, EPS, HUGE = "_sg_rows", 1e-9, 1e30

register({
    "problem.perfect.applies_to": {"en": "'{name}' applies to check {checks}, not {check}",
                                   "zh": "'{name}' 只适用于 check {checks}，不适用于 {check}"},
    "problem.perfect.or": {"en": " or ", "zh": " 或 "},
    "problem.perfect.counts": {"en": "a rate from counts needs both numerator and denominator; give '{missing}'",
                               "zh": "由计数求比率需要同时给出 numerator 和 denominator；请给出 '{missing}'"},
    "problem.perfect.rates_or_counts": {
        "en": "give either 'rates' (reported rates) or 'numerator' and 'denominator' (rates from counts), one per rule",
        "zh": "'rates'（填报的比率）与 'numerator' 加 'denominator'（由计数求比率）只能给出其一，每条规则一种"},
    "problem.perfect.which_rates": {
        "en": "say which indicators are rates: 'rates: [...]', or 'indicators:' (a table whose kind column says rate)",
        "zh": "请说明哪些指标是比率：'rates: [...]'，或 'indicators:'（其类型列标为 rate 的指标表）"},
    "detail.perfect.rate": {
        "en": "rate reported as exactly {observed}: all or none",
        "zh": "上报的比率恰为 {observed}：全部或全无"},
    "detail.perfect.rate_counts": {
        "en": "{numerator} of {denominator} gives {observed} while the peers' rate is {expected} "
              "({peers} units): a chance of {chance} at that rate",
        "zh": "{numerator} / {denominator} 得出 {observed}，而同组其他单位合计为 {expected}（{peers} 个单位）："
              "按此比率出现的概率为 {chance}"},
    "detail.perfect.no_numerator": {"en": "the numerator is not reported", "zh": "分子未填报"},
    "detail.perfect.no_whole": {"en": "the denominator is not reported", "zh": "分母未填报"},
    "detail.perfect.no_denominator": {
        "en": "the denominator is {denominator}: no rate", "zh": "分母为 {denominator}，无法计算比率"},
    "detail.perfect.over_whole": {
        "en": "{numerator} of {denominator} is more than all: not a rate of counts, and left out of the peers' rate",
        "zh": "分子 {numerator} 大于分母 {denominator}，不是计数之比，也不计入同组比率"},
    "detail.perfect.no_peers": {
        "en": "no other unit of its peer group reports both counts for this period",
        "zh": "同组没有其他单位填报本期的两项计数，无从比较"},
    "detail.perfect.same_value": {
        "en": "{units_with_value} units reported exactly {observed}: {units}",
        "zh": "{units_with_value} 个单位上报了完全相同的数值 {observed}：{units}"},
    "detail.perfect.copied": {
        "en": "same values as {twin} in {equal_periods} of {common_periods} common periods: {values}",
        "zh": "与 {twin} 在 {common_periods} 个共同期别中有 {equal_periods} 期数值完全相同：{values}"},
    "detail.perfect.year_ago": {
        "en": "same value as a year earlier in {equal_periods} of {comparable_periods} comparable periods: {values}",
        "zh": "{comparable_periods} 个可比期别中有 {equal_periods} 期与上年同期数值完全相同：{values}"},
    "detail.perfect.repeats": {
        "en": "{value} reported in {run_length} consecutive periods, {first} to {last}",
        "zh": "连续 {run_length} 期上报相同数值 {value}（{first} 至 {last}）"},
    "detail.perfect.constant": {
        "en": "every one of {periods} periods is {value} ({first} to {last})",
        "zh": "{periods} 期数值全部为 {value}（{first} 至 {last}）"},
})


class PerfectParams(LongParams):
    check: Check = Field(description=(
        "What is too perfect: exact_rate (rates of exactly 100% or 0%), same_value (one value reported by "
        "several units), copied (two units' series equal in many periods), year_ago (a series equal to its own "
        "values of a year earlier in many periods), repeats (one value in consecutive periods), constant (a "
        "series that never changes)."))
    indicators: str | IndicatorTable | None = Field(None, description=(
        "Source declaring each indicator's kind (flow | stock | rate | part), by name (columns indicator and "
        "kind) or as {source, indicator, kind}: rates for exact_rate, exemptions for the other checks."))
    rates: list[str] | None = Field(None, description=(
        "exact_rate: the indicators that are reported rates (default: those of kind rate in `indicators`; "
        "without an indicator column every value is one)."))
    numerator: str | None = Field(None, description=(
        "exact_rate: indicator holding the rate's numerator count; with `denominator` the rate is computed "
        "from the counts and judged against the peers' rate."))
    denominator: str | None = Field(None, description="exact_rate: indicator holding the rate's denominator count.")
    extremes: list[float] = Field([100, 0], description=(
        "exact_rate: the suspicious rates, in percent whatever the scale (default 100 and 0)."))
    scale: Literal["percent", "fraction"] = Field("percent", description=(
        "exact_rate: reported rates in percent (100 = all, default) or as a fraction (1 = all); rates from "
        "counts are reported on the same scale."))
    alpha: float = Field(0.001, gt=0, le=1, description=(
        "exact_rate from counts: fail when the chance of all (or none) at the peers' rate is below this "
        "(default 0.001: a unit's 24 months then raise a false alarm at most 2.4% of the time)."))
    min_units: int = Field(3, ge=2, description="same_value: units that must share one value for it to fail.")
    across: Literal["peer_group", "all"] | None = Field(None, description=(
        "same_value, copied: compare units within their peer group or across all units "
        "(default: peer_group for same_value, all for copied)."))
    min_digits: int | None = Field(None, ge=0, description=(
        "Values with fewer significant digits are not evidence (default: 4 for same_value, 3 for copied, "
        "year_ago and repeats, 1 for constant)."))
    min_periods: int | None = Field(None, ge=2, description=(
        "copied: equal periods needed to fail (default 6); year_ago: periods equal to a year earlier needed to "
        "fail, and comparable periods needed to judge (default 3); constant: values needed to judge a series "
        "(default 6)."))
    min_run: int = Field(3, ge=2, description="repeats: consecutive equal values that fail (default 3).")
    exempt_kinds: list[str] | None = Field(None, description=(
        "Indicator kinds (from `indicators`) left out of the series checks (default: [stock] for repeats and "
        "constant, [stock, rate] for year_ago, none for same_value and copied)."))

    def source_names(self) -> list[str]:
        table = self.indicators
        return [self.source] + ([table if isinstance(table, str) else table.source] if table else [])

    def setting(self, name: str) -> Any:
        """The parameter's value, or this check's default for it."""
        value = getattr(self, name)
        return DEFAULTS[name][self.check] if value is None and name in DEFAULTS else value


# ---------------------------------------------------------------- helpers


def listing(item: exp.Expression, order: exp.Expression) -> exp.Expression:
    return exp.GroupConcat(this=exp.Order(this=item, expressions=[exp.Ordered(this=order)]), separator=lit(", "))


def as_text(value: exp.Expression) -> exp.Expression:
    return exp.cast(value, "VARCHAR")


def same(left: str, right: str, columns: list[str]) -> exp.Expression:
    return exp.and_(*[exp.NullSafeEQ(this=col(c, left), expression=col(c, right)) for c in columns])


def null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=e, expression=exp.Null())


def figures(*pairs: tuple[exp.Expression | None, str]) -> list[exp.Expression]:
    """_observed, _expected, _imbalance (NULL where not given)."""
    observed, expected = pairs[0][0], pairs[1][0] if len(pairs) > 1 else None
    imbalance = exp.Sub(this=observed.copy(), expression=expected.copy()) if observed and expected else None
    return [alias(e if e is not None else exp.Null(), name)
            for e, name in ((observed, OBSERVED), (expected, EXPECTED), (imbalance, IMBALANCE))]


# ---------------------------------------------------------------- plan


@rule_kind("perfect", PerfectParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: PerfectParams = rule.params
    for name, checks in APPLIES.items():
        if name in p.model_fields_set and p.check not in checks:
            raise PackError(ctx.problem(say("problem.perfect.applies_to", name=name, check=p.check,
                                            checks=say("problem.perfect.or").join(checks)), name))
    timed = p.check in TIMED_CHECKS
    long = Long(ctx, p, need_period=p.check != "exact_rate")
    rows = _rows(ctx, p, long, timed)
    build = {"exact_rate": _exact_rate, "same_value": _same_value, "copied": _copied, "year_ago": _year_ago,
             "repeats": _repeats, "constant": _constant}[p.check]
    query = build(ctx, p, long)
    if query.args.get("with_") is not None:  # its own CTEs read the rows: those come first
        query = exp.select(exp.Star()).from_(query.subquery("_sg_q"))
    query = query.with_(ROWS, as_=rows)
    if timed:
        assert long.period is not None
        return period_plan(query, p.source, long.period)
    return Plan(query=query)


def _rows(ctx: Context, p: PerfectParams, long: Long, timed: bool) -> exp.Select:
    """The figures under role names (Long.rows) with _sg_k (the value to 6 decimals, compared for
    equality), _sg_digits (its significant digits) and _sg_kind (the indicator's declared kind);
    with `timed`, also the period's ordinal _sg_ord, frequency _sg_freq, canonical label _sg_label and
    the label of its period a year earlier _sg_year_ago."""
    rows = long.rows(ctx)
    if timed:
        assert long.period is not None
        rows = rows.from_(with_periods(ctx, p.source, long.period).subquery("_sg_t"))
        rows = rows.select(*[alias(col(MAPPED[m]), MAPPED[m]) for m in ("ord", "freq", "label", "year_ago")])
    value = col("_value")
    key = exp.Case().when(exp.LT(this=exp.Abs(this=value.copy()), expression=number(HUGE)),
                          exp.cast(value.copy(), "DECIMAL(38, 6)"))
    text = exp.Replace(this=exp.Replace(this=as_text(key.copy()), expression=lit("."), replacement=lit("")),
                       expression=lit("-"), replacement=lit(""))
    stripped = exp.Trim(this=exp.Trim(this=text, expression=lit("0"), position="LEADING"),
                        expression=lit("0"), position="TRAILING")
    out = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("r", quoted=True)),
                     alias(key, "_sg_k"), alias(exp.Length(this=stripped), "_sg_digits"))
    out = out.from_(rows.subquery("r"))
    if p.indicators is None:
        return out.select(alias(exp.cast(exp.Null(), "VARCHAR"), "_sg_kind"))
    spec = IndicatorTable(source=p.indicators) if isinstance(p.indicators, str) else p.indicators
    ctx.source(spec.source, "indicators")
    name = ctx.require_column(spec.source, spec.indicator, "indicators")
    kind = ctx.require_column(spec.source, spec.kind, "indicators")
    kinds = exp.select(alias(as_text(name), "_sg_i"),
                       alias(exp.Lower(this=exp.Trim(this=as_text(exp.Min(this=kind)))), "_sg_kind"))
    kinds = kinds.from_(ctx.table(spec.source)).group_by(as_text(name.copy()))
    on = exp.EQ(this=as_text(col("_indicator", "r")), expression=col("_sg_i", "k"))
    return out.select(col("_sg_kind", "k")).join(kinds.subquery("k"), on=on, join_type="left")


def _identity(long: Long, table_: str | None, period: bool = True) -> list[exp.Expression]:
    out = [alias(col("_unit", table_), UNIT)]
    if period and long.period:
        out.append(alias(col("_period", table_), PERIOD))
    if long.indicator:
        out.append(alias(col("_indicator", table_), KEY + long.indicator))
    return out


def _in_scope(p: PerfectParams) -> exp.Expression:
    """Rows of indicators whose kind is not exempt."""
    exempt = [str(k).strip().lower() for k in p.setting("exempt_kinds") or []]
    if not exempt:
        return exp.true()
    return exp.or_(null(col("_sg_kind")), exp.not_(exp.In(this=col("_sg_kind"),
                                                               expressions=[lit(k) for k in exempt])))


def _evidence(p: PerfectParams, table_: str | None = None) -> exp.Expression:
    """A value with enough significant digits to be evidence."""
    return exp.and_(exp.not_(null(col("_sg_k", table_))),
                    exp.GTE(this=col("_sg_digits", table_), expression=exp.Literal.number(p.setting("min_digits"))))


# ---------------------------------------------------------------- exact_rate


def _exact_rate(ctx: Context, p: PerfectParams, long: Long) -> exp.Select:
    if (p.numerator is None) != (p.denominator is None):
        given, missing = ("numerator", "denominator") if p.denominator is None else ("denominator", "numerator")
        raise PackError(ctx.problem(say("problem.perfect.counts", missing=missing), given))
    if p.numerator is not None and p.rates is not None:
        raise PackError(ctx.problem(say("problem.perfect.rates_or_counts"), "rates"))
    if p.numerator is not None:
        return _rate_from_counts(p, long)
    if p.rates is None and p.indicators is None and long.indicator is not None:
        raise PackError(ctx.problem(say("problem.perfect.which_rates"), "check"))
    factor = 1.0 if p.scale == "percent" else 0.01
    value = col("_value")
    at_extreme = exp.or_(*[exp.LTE(this=exp.Abs(this=exp.Sub(this=value.copy(), expression=number(e * factor))),
                                   expression=number(EPS)) for e in p.extremes]) if p.extremes else exp.false()
    status, detail = verdict([(null(value), "na", None), (at_extreme, "fail", "detail.perfect.rate")])
    select = exp.select(alias(status, STATUS), *_identity(long, None), alias(value.copy(), VAL + "value"),
                        *figures((value.copy(), OBSERVED)), alias(detail, DETAIL)).from_(ref(ROWS))
    if long.indicator is None:
        return select
    chosen = []
    if p.rates is not None:
        chosen.append(exp.In(this=as_text(col("_indicator")), expressions=[lit(r) for r in p.rates]))
    else:
        chosen.append(exp.EQ(this=col("_sg_kind"), expression=lit("rate")))
    return select.where(exp.or_(*chosen))


def _rate_from_counts(p: PerfectParams, long: Long) -> exp.Select:
    """One item per unit and period holding the numerator: its rate, and the chance of an extreme at
    the pooled rate of the other units of its peer group in that period."""
    assert p.numerator is not None and p.denominator is not None
    cells = ["_unit", "_period", "_peer"]

    def counts(indicator: str, name: str) -> exp.Select:
        return (exp.select(*[col(c) for c in cells], alias(exp.Max(this=col("_value")), name))
                .from_(ref(ROWS)).where(exp.EQ(this=as_text(col("_indicator")), expression=lit(indicator)))
                .group_by(*[col(c) for c in cells]))

    num, den = col("_sg_num", "n"), col("_sg_den", "d")
    # a rate of counts: both reported, a positive whole, a part no larger than it (50 of 45 is left out
    # of the peers' pool too, or it would lift their rate past 100%)
    counted = exp.and_(exp.not_(null(num.copy())), exp.GT(this=den.copy(), expression=exp.Literal.number(0)),
                       exp.LTE(this=num.copy(), expression=exp.Add(this=den.copy(), expression=number(EPS))))
    ok = exp.Coalesce(this=counted, expressions=[exp.false()])
    part = [col("_period", "n"), col("_peer", "n")]

    def others(e: exp.Expression) -> exp.Expression:  # the sum over the other evaluable units
        mine = exp.If(this=ok.copy(), true=e.copy(), false=exp.Literal.number(0))
        return exp.Sub(this=exp.Window(this=exp.Sum(this=mine.copy()), partition_by=[c.copy() for c in part]),
                       expression=mine)

    pairs = exp.select(*[col(c, "n") for c in cells], alias(num.copy(), "_sg_num"), alias(den.copy(), "_sg_den"),
                       alias(ok.copy(), "_sg_ok"), alias(others(num), "_sg_onum"), alias(others(den), "_sg_oden"),
                       alias(others(exp.Literal.number(1)), "_sg_peers"))
    pairs = pairs.from_(counts(p.numerator, "_sg_num").subquery("n")).join(
        counts(p.denominator, "_sg_den").subquery("d"), on=same("n", "d", cells), join_type="left")
    return _judged_counts(p, long, pairs)


def _judged_counts(p: PerfectParams, long: Long, pairs: exp.Select) -> exp.Select:
    factor = 100.0 if p.scale == "percent" else 1.0
    num, den, peer = col("_sg_num"), col("_sg_den"), col("_sg_p")
    all_, none = (any(abs(e - x) <= EPS for e in p.extremes) for x in (100, 0))
    top = exp.LTE(this=exp.Abs(this=exp.Sub(this=num.copy(), expression=den.copy())), expression=number(EPS))
    bottom = exp.LTE(this=exp.Abs(this=num.copy()), expression=number(EPS))
    one = exp.Literal.number(1)
    chance = exp.Case()
    if all_:
        chance = chance.when(top.copy(), exp.Pow(this=peer.copy(), expression=den.copy()))
    if none:
        chance = chance.when(bottom.copy(), exp.Pow(this=exp.Sub(this=one, expression=peer.copy()),
                                                   expression=den.copy()))
    extreme = exp.or_(*([top] if all_ else []), *([bottom] if none else [])) if all_ or none else exp.false()
    status, detail = verdict([
        (null(num.copy()), "na", "detail.perfect.no_numerator"),
        (null(den.copy()), "na", "detail.perfect.no_whole"),
        (exp.LTE(this=den.copy(), expression=exp.Literal.number(0)), "na", "detail.perfect.no_denominator"),
        (exp.not_(col("_sg_ok")), "na", "detail.perfect.over_whole"),
        (exp.not_(exp.paren(extreme)), "pass", None),
        (null(peer.copy()), "na", "detail.perfect.no_peers"),
        (exp.LT(this=col("_sg_chance"), expression=number(p.alpha)), "fail", "detail.perfect.rate_counts")])
    rate = exp.Round(this=exp.Mul(this=exp.Div(this=num.copy(), expression=exp.Nullif(
        this=den.copy(), expression=exp.Literal.number(0))), expression=number(factor)),
        decimals=exp.Literal.number(4))
    peer_rate = exp.Round(this=exp.Mul(this=peer.copy(), expression=number(factor)), decimals=exp.Literal.number(4))
    with_p = exp.select(exp.Star(), alias(exp.Div(this=exp.cast(col("_sg_onum"), "DOUBLE"), expression=exp.Nullif(
        this=col("_sg_oden"), expression=exp.Literal.number(0))), "_sg_p")).from_(pairs.subquery("_sg_pairs"))
    judged = exp.select(exp.Star(), alias(chance, "_sg_chance")).from_(with_p.subquery("_sg_wp"))
    key = [alias(lit(f"{p.numerator}/{p.denominator}"), KEY + (long.indicator or "indicator"))]
    odds = exp.Div(this=exp.Literal.number(1), expression=exp.Nullif(this=col("_sg_chance"),
                                                                     expression=exp.Literal.number(0)))
    one_in = exp.cast(exp.Round(this=exp.func("least", exp.Coalesce(this=odds, expressions=[number(1e9)]),
                                              number(1e9))), "BIGINT")
    return exp.select(alias(status, STATUS), alias(col("_unit"), UNIT),
                      *([alias(col("_period"), PERIOD)] if long.period else []), *key,
                      alias(num.copy(), VAL + "numerator"), alias(den.copy(), VAL + "denominator"),
                      alias(peer_rate.copy(), VAL + "peer_rate"), alias(col("_sg_peers"), VAL + "peers"),
                      alias(col("_sg_chance"), VAL + "chance"), alias(one_in, VAL + "one_in"),
                      *figures((rate, OBSERVED), (peer_rate, EXPECTED)), alias(detail, DETAIL),
                      ).from_(judged.subquery("_sg_judged"))


# ---------------------------------------------------------------- same_value


def _same_value(ctx: Context, p: PerfectParams, long: Long) -> exp.Select:
    """Each figure joined with how many units of its peers report the same value."""
    group = ["_indicator", "_period"] + (["_peer"] if p.setting("across") == "peer_group" else [])
    evidence = _evidence(p)
    distinct = exp.select(*[col(c) for c in group], col("_sg_k"), col("_unit")).distinct().from_(
        ref(ROWS)).where(exp.and_(evidence.copy(), _in_scope(p)))
    shared = exp.select(*[col(c) for c in group], col("_sg_k"), alias(exp.Count(this=exp.Star()), "_sg_n"),
                        alias(listing(as_text(col("_unit")), col("_unit")), "_sg_units"))
    shared = shared.from_(distinct.subquery("_sg_d")).group_by(*[col(c) for c in group], col("_sg_k"))
    value, n = col("_value", "r"), col("_sg_n", "s")
    status, detail = verdict([
        (null(value.copy()), "na", None),
        (exp.not_(_evidence(p, "r")), "na", None),
        (exp.GTE(this=n.copy(), expression=exp.Literal.number(p.min_units)), "fail", "detail.perfect.same_value")])
    on = exp.and_(same("r", "s", group), exp.EQ(this=col("_sg_k", "r"), expression=col("_sg_k", "s")))
    peer = [alias(col("_peer", "r"), VAL + "peer_group")] if long.peer_group else []
    select = exp.select(alias(status, STATUS), *_identity(long, "r"), alias(value.copy(), VAL + "value"),
                        alias(exp.Coalesce(this=n, expressions=[exp.Literal.number(0)]), VAL + "units_with_value"),
                        alias(col("_sg_units", "s"), VAL + "units"), *peer, *figures((value.copy(), OBSERVED)),
                        alias(detail, DETAIL))
    select = select.from_(ref(ROWS, "r")).join(shared.subquery("s"), on=on, join_type="left")
    return select.where(_in_scope_of("r", p))


def _in_scope_of(table_: str, p: PerfectParams) -> exp.Expression:
    scope = _in_scope(p)
    for column in scope.find_all(exp.Column):
        column.set("table", exp.to_identifier(table_, quoted=True))
    return scope


# ---------------------------------------------------------------- series: copied, year_ago, repeats, constant


def _series(p: PerfectParams, extra: list[exp.Expression]) -> exp.Select:
    """One row per series (unit, indicator) in scope, with the number of values and `extra` aggregates."""
    return (exp.select(col("_unit"), col("_indicator"), alias(exp.Count(this=col("_value")), "_sg_n"), *extra)
            .from_(ref(ROWS)).where(exp.and_(_in_scope(p), exp.not_(null(col("_sg_ord")))))
            .group_by(col("_unit"), col("_indicator")))


def _copied(ctx: Context, p: PerfectParams, long: Long) -> exp.Select:
    """Pairs of series equal in at least min_periods periods (values that are evidence, not all one
    value), the best twin per series, and each series judged by it."""
    need = int(p.setting("min_periods"))
    ev = exp.select(col("_unit"), col("_indicator"), col("_period"), col("_peer"), col("_sg_k"), col("_sg_ord"),
                    col("_value")).distinct().from_(ref(ROWS)).where(
        exp.and_(_evidence(p), _in_scope(p), exp.not_(null(col("_sg_ord")))))
    on = exp.and_(same("a", "b", ["_indicator", "_sg_ord"]),
                  exp.EQ(this=col("_sg_k", "a"), expression=col("_sg_k", "b")),
                  exp.NEQ(this=col("_unit", "a"), expression=col("_unit", "b")))
    if p.setting("across") == "peer_group":
        on = exp.and_(on, same("a", "b", ["_peer"]))
    shown = exp.Concat(expressions=[as_text(col("_period", "a")), lit(": "), as_text(col("_value", "a"))])
    pairs = exp.select(col("_unit", "a"), col("_indicator", "a"), alias(col("_unit", "b"), "_sg_twin"),
                       alias(exp.Count(this=exp.Distinct(expressions=[col("_sg_ord", "a")])), "_sg_eq"),
                       alias(exp.Count(this=exp.Distinct(expressions=[col("_sg_k", "a")])), "_sg_nv"),
                       alias(listing(shown, col("_sg_ord", "a")), "_sg_values"))
    pairs = pairs.from_(ref("_sg_ev", "a")).join(ref("_sg_ev", "b"), on=on).group_by(
        col("_unit", "a"), col("_indicator", "a"), col("_unit", "b")).having(exp.and_(
            exp.GTE(this=exp.Count(this=exp.Distinct(expressions=[col("_sg_ord", "a")])),
                    expression=exp.Literal.number(need)),
            exp.GTE(this=exp.Count(this=exp.Distinct(expressions=[col("_sg_k", "a")])),
                    expression=exp.Literal.number(2))))
    rank = exp.Window(this=exp.RowNumber(), partition_by=[col("_unit"), col("_indicator")],
                      order=exp.Order(expressions=[exp.Ordered(this=col("_sg_eq"), desc=True),
                                                   exp.Ordered(this=col("_sg_twin"))]))
    twins = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[col("_unit"), col("_indicator")])
    ranked = exp.select(exp.Star(), alias(rank, "_sg_rank"), alias(twins, "_sg_twins")).from_(ref("_sg_pairs"))
    common = _common_periods()
    series = _series(p, [alias(count_if(_evidence(p)), "_sg_nev")])
    t, s = "t", "s"
    status, detail = verdict([
        (exp.LT(this=col("_sg_nev", s), expression=exp.Literal.number(need)), "na", None),
        (exp.not_(null(col("_sg_twin", t))), "fail", "detail.perfect.copied")])
    on_series = exp.and_(same(s, t, ["_unit", "_indicator"]),
                         exp.EQ(this=col("_sg_rank", t), expression=exp.Literal.number(1)))
    select = exp.select(alias(status, STATUS), *_identity(long, s, period=False),
                        alias(col("_sg_twin", t), VAL + "twin"), alias(col("_sg_eq", t), VAL + "equal_periods"),
                        alias(col("_sg_common", t), VAL + "common_periods"),
                        alias(col("_sg_values", t), VAL + "values"),
                        alias(col("_sg_twins", t), VAL + "twins"), alias(col("_sg_n", s), VAL + "periods"),
                        *figures((col("_sg_eq", t), OBSERVED)), alias(detail, DETAIL))
    select = select.from_(series.subquery(s)).join(
        exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("_sg_ranked", quoted=True)),
                   col("_sg_common", "c")).from_(ref("_sg_ranked")).join(common.subquery("c"), on=same(
            "_sg_ranked", "c", ["_unit", "_indicator", "_sg_twin"]), join_type="left").subquery(t),
        on=on_series, join_type="left")
    return select.with_("_sg_ev", as_=ev).with_("_sg_pairs", as_=pairs).with_("_sg_ranked", as_=ranked)


def _common_periods() -> exp.Select:
    """For each best twin: the periods in which both units reported a value."""
    on = exp.and_(exp.EQ(this=col("_unit", "a"), expression=col("_unit", "x")), same("a", "x", ["_indicator"]))
    both = exp.and_(exp.EQ(this=col("_unit", "b"), expression=col("_sg_twin", "x")),
                    same("a", "b", ["_indicator", "_sg_ord"]),
                    exp.not_(null(col("_value", "a"))), exp.not_(null(col("_value", "b"))))
    return (exp.select(col("_unit", "x"), col("_indicator", "x"), col("_sg_twin", "x"),
                       alias(exp.Count(this=exp.Distinct(expressions=[col("_sg_ord", "a")])), "_sg_common"))
            .from_(exp.select(exp.Star()).from_(ref("_sg_ranked")).where(
                exp.EQ(this=col("_sg_rank"), expression=exp.Literal.number(1))).subquery("x"))
            .join(ref(ROWS, "a"), on=on)
            .join(ref(ROWS, "b"), on=both)
            .group_by(col("_unit", "x"), col("_indicator", "x"), col("_sg_twin", "x")))


def _year_ago(ctx: Context, p: PerfectParams, long: Long) -> exp.Select:
    """Each value that is evidence joined with the same series' values of its year-ago period: the
    comparable periods and those equal, per series."""
    need = int(p.setting("min_periods"))
    a, b = "a", "b"
    ago = exp.and_(same(a, b, ["_unit", "_indicator"]),
                   exp.EQ(this=col(MAPPED["label"], b), expression=col(MAPPED["year_ago"], a)),
                   exp.not_(null(col("_sg_k", b))))
    pairs = exp.select(col("_unit", a), col("_indicator", a), col("_sg_ord", a), col("_period", a),
                       col("_value", a), alias(exp.EQ(this=col("_sg_k", a), expression=col("_sg_k", b)), "_sg_same"))
    pairs = pairs.distinct().from_(ref(ROWS, a)).join(ref(ROWS, b), on=ago).where(
        exp.and_(_evidence(p, a), _in_scope_of(a, p), exp.not_(null(col("_sg_ord", a)))))
    equal = col("_sg_same")

    def when_equal(e: exp.Expression) -> exp.Expression:
        return exp.Case().when(equal.copy(), e)

    shown = exp.Concat(expressions=[as_text(col("_period")), lit(": "), as_text(col("_value"))])
    found = exp.select(col("_unit"), col("_indicator"),
                       alias(exp.Count(this=exp.Distinct(expressions=[col("_sg_ord")])), "_sg_cmp"),
                       alias(exp.Count(this=exp.Distinct(expressions=[when_equal(col("_sg_ord"))])), "_sg_eq"),
                       alias(listing(when_equal(shown), col("_sg_ord")), "_sg_values"))
    found = found.from_(pairs.subquery("_sg_pairs")).group_by(col("_unit"), col("_indicator"))
    s, t = "s", "t"
    compared = exp.Coalesce(this=col("_sg_cmp", t), expressions=[exp.Literal.number(0)])
    eq = exp.Coalesce(this=col("_sg_eq", t), expressions=[exp.Literal.number(0)])
    status, detail = verdict([
        (exp.LT(this=compared.copy(), expression=exp.Literal.number(need)), "na", None),
        (exp.GTE(this=eq.copy(), expression=exp.Literal.number(need)), "fail", "detail.perfect.year_ago")])
    return exp.select(alias(status, STATUS), *_identity(long, s, period=False),
                      alias(eq.copy(), VAL + "equal_periods"), alias(compared.copy(), VAL + "comparable_periods"),
                      alias(col("_sg_values", t), VAL + "values"), alias(col("_sg_n", s), VAL + "periods"),
                      *figures((eq.copy(), OBSERVED)), alias(detail, DETAIL)).from_(
        _series(p, []).subquery(s)).join(found.subquery(t), on=same(s, t, ["_unit", "_indicator"]), join_type="left")


def _repeats(ctx: Context, p: PerfectParams, long: Long) -> exp.Select:
    """Runs of one value in adjacent periods (gaps and islands), the longest per series."""
    series_cols = [col("_unit"), col("_indicator"), col("_sg_freq")]
    order = exp.Order(expressions=[exp.Ordered(this=col("_sg_ord")), exp.Ordered(this=col("_sg_k"))])

    def over(f: exp.Expression, **spec: object) -> exp.Window:
        return exp.Window(this=f, partition_by=[c.copy() for c in series_cols], order=order.copy(), **spec)

    lagged = exp.select(exp.Star(), alias(over(exp.Lag(this=col("_sg_k"))), "_sg_pk"),
                        alias(over(exp.Lag(this=col("_sg_ord"))), "_sg_po")).from_(ref(ROWS)).where(
        exp.and_(_in_scope(p), exp.not_(null(col("_sg_ord")))))
    goes_on = exp.and_(exp.EQ(this=col("_sg_k"), expression=col("_sg_pk")),
                       exp.EQ(this=col("_sg_ord"),
                              expression=exp.Add(this=col("_sg_po"), expression=exp.Literal.number(1))),
                       _evidence(p))
    new = exp.If(this=goes_on, true=exp.Literal.number(0), false=exp.Literal.number(1))
    frame = exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW")
    numbered = exp.select(exp.Star(), alias(over(exp.Sum(this=new), spec=frame), "_sg_run")).from_(
        lagged.subquery("_sg_l"))
    runs = exp.select(*[c.copy() for c in series_cols], alias(exp.Count(this=exp.Star()), "_sg_len"),
                      alias(exp.Min(this=col("_sg_ord")), "_sg_start"), alias(exp.Min(this=col("_value")), "_sg_value"),
                      alias(exp.ArgMin(this=col("_period"), expression=col("_sg_ord")), "_sg_first"),
                      alias(exp.ArgMax(this=col("_period"), expression=col("_sg_ord")), "_sg_last"))
    runs = runs.from_(numbered.subquery("_sg_nb")).group_by(*[c.copy() for c in series_cols], col("_sg_run")).having(
        exp.GTE(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(p.min_run)))
    rank = exp.Window(this=exp.RowNumber(), partition_by=[col("_unit"), col("_indicator")],
                      order=exp.Order(expressions=[exp.Ordered(this=col("_sg_len"), desc=True),
                                                   exp.Ordered(this=col("_sg_start"))]))
    count = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[col("_unit"), col("_indicator")])
    ranked = exp.select(exp.Star(), alias(rank, "_sg_rank"), alias(count, "_sg_runs")).from_(runs.subquery("_sg_r"))
    best = exp.select(exp.Star()).from_(ranked.subquery("_sg_rk")).where(
        exp.EQ(this=col("_sg_rank"), expression=exp.Literal.number(1)))
    s, t = "s", "t"
    status, detail = verdict([
        (exp.LT(this=col("_sg_n", s), expression=exp.Literal.number(p.min_run)), "na", None),
        (exp.not_(null(col("_sg_len", t))), "fail", "detail.perfect.repeats")])
    shown = [("_sg_value", "value"), ("_sg_len", "run_length"), ("_sg_first", "first"), ("_sg_last", "last"),
             ("_sg_runs", "runs")]
    return exp.select(alias(status, STATUS), *_identity(long, s, period=False),
                      *[alias(col(c, t), VAL + name) for c, name in shown], alias(col("_sg_n", s), VAL + "periods"),
                      *figures((col("_sg_len", t), OBSERVED)), alias(detail, DETAIL)).from_(
        _series(p, []).subquery(s)).join(best.subquery(t), on=same(s, t, ["_unit", "_indicator"]), join_type="left")


def _constant(ctx: Context, p: PerfectParams, long: Long) -> exp.Select:
    """Series whose values (at least min_periods of them) are all one value."""
    need = int(p.setting("min_periods"))
    series = _series(p, [
        alias(exp.Count(this=exp.Distinct(expressions=[col("_sg_k")])), "_sg_nd"),
        alias(exp.Min(this=col("_value")), "_sg_value"), alias(exp.Min(this=col("_sg_digits")), "_sg_dig"),
        alias(exp.ArgMin(this=col("_period"), expression=col("_sg_ord")), "_sg_first"),
        alias(exp.ArgMax(this=col("_period"), expression=col("_sg_ord")), "_sg_last")])
    one = exp.EQ(this=col("_sg_nd"), expression=exp.Literal.number(1))
    status, detail = verdict([
        (exp.LT(this=col("_sg_n"), expression=exp.Literal.number(need)), "na", None),
        (exp.and_(one.copy(), exp.LT(this=col("_sg_dig"), expression=exp.Literal.number(p.setting("min_digits")))),
         "na", None),
        (one, "fail", "detail.perfect.constant")])
    shown = [("_sg_value", "value"), ("_sg_n", "periods"), ("_sg_first", "first"), ("_sg_last", "last")]
    return exp.select(alias(status, STATUS), *_identity(long, None, period=False),
                      *[alias(col(c), VAL + name) for c, name in shown],
                      *figures((col("_sg_value"), OBSERVED)), alias(detail, DETAIL)).from_(series.subquery("s"))
