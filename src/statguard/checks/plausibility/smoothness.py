"""Series whose growth is too smooth for their peers, or year-on-year growth pinned to one value.

One item is a series: one unit's figures for one indicator (long format, see
statguard.checks.plausibility.common). Its growth rates are computed from its
own values, `value / comparison - 1` in percent, the comparison being the same
series' previous period (`growth: mom`, 环比) or the same period last year
(`growth: yoy`, 同比); periods may be written in any form statguard.periods
reads. Only growth rates of the latest `window` periods of the source are used
(the latest periods over all the rule's records, so peers are measured over the
same months); the comparison value may lie before the window.

A growth rate is left out, never guessed, when: its value or its comparison
value is missing (a gap of missing months: no rate is computed across it), the
comparison value is 0 or negative (growth undefined), or the series has several
records for one of the two periods. Records whose period cannot be read are
left out. A series with fewer than `min_growths` rates is not evaluable.

`check: too_smooth` (default). Honest monthly figures swing with the seasons
(February lows, December peaks) and with chance, so the spread of their growth
rates is large; invented figures grow smoothly. The spread of a series' rates
(`spread: sd`, their standard deviation, or `mad`, their scaled median absolute
deviation) is compared with its peers': the series of the same indicator in the
same peer group (all units when there is no peer group). With
x = ln(spread), the robust z is (x - median x) / MAD x across the evaluable
peer series, the unit itself included (Iglewicz and Hoaglin 1993, modified
z-score; when the MAD is 0, as with many identical spreads, the mean absolute
deviation times 1.2533 stands in for it, as in IBM SPSS; when that is 0 too
every peer has the same spread and z is 0). A series fails when z < -`z`
(3.5, Iglewicz and Hoaglin's cut-off) and its spread is also below a share of
the peers' median spread: `max_ratio`, or less where its rates are few, so low
that a series of n rates with the peers' median spread would have a spread
this low with a chance below `alpha` (one-sided chi-square test of a variance,
n - 1 degrees of freedom, quantile by Wilson and Hilferty: the bound is
sqrt((1 - c + z_alpha sqrt(c))^3) with c = 2 / (9 (n - 1))). So a peer group
that is tight as a whole (z beyond the cut-off by a small MAD) flags nobody,
and neither does the chance low spread of a short noisy series (12 rates of
pure noise fall below half their sigma once in 160). The logarithm makes
the comparison one of proportions: a spread a tenth of its peers' is as far from
them for a big unit as for a small one. A spread below 0.01 percentage points
enters the logarithm as 0.01. A peer group with fewer than `min_peers`
evaluable series leaves all its series not evaluable.

`relative_to: peers` (too_smooth): a month-on-month spread is mostly the
seasons every honest series shares, and an invented series copying textbook
seasonal factors with little noise has as large a spread. With peers each rate
is first reduced by the median rate of the other series of the same indicator
and peer group for the same period (the seasons and business cycle they share);
the spread is that of these differences, compared with the peers' as above.
The unit is left out of its own median (its noise does not pull the yardstick
towards it, and a period only it reports gives none; with 5 or more peers
including it would change little). A period with fewer than `min_peers` - 1
other rates gives no difference: the rate is left out. Default `none`: a
series with no seasons at all (1% a month) among seasonal peers has differences
that mirror the seasons and is caught by `none` only; the two catch different
inventions. On the planted-fabrication benchmark (bench/fabrication) own-rate
spreads caught none of the invented seasonal series, peers 8 of 13 with the
defaults (docs/fabrication/smoothness.md has the figures).

`within_unit: true` (too_smooth): a unit's noise is its own, shared by its
indicators (a big, steady unit is quiet on every figure), while a fabricator
smooths one or two of them. Each series' log spread ratio r = ln(spread /
median spread of its indicator's peer group) (both floored at 0.01 as above;
the median over the group's evaluable series, itself included, and none
below `min_peers` of them) is reduced by the median r of the unit's OTHER
series (leave-one-out, so the series does not pull its own yardstick; the
median, so one other smoothed series does not either): what is judged is how
much smoother the series is than the unit's other figures and than its
peers'. A series whose unit has fewer than `min_series` (3) other series with
an r is not evaluable: no fallback to the plain comparison, whose z is on a
different scale and would mix two yardsticks in one robust z (a unit
reporting one indicator cannot be told quiet from smoothed). The reduced
values y are judged as before: robust z across the peer group's series with
a y (at least `min_peers`), and exp(y) below the bound; `_expected` is the
spread expected of the series, the peers' median times the unit's typical
ratio exp(median r). Needs an indicator column. Works with either
`relative_to`. Default false: on the benchmark it moved month-on-month
recall from 22 to 24 of 34 invented series at the same false alarms, and
works best on indicators whose noise the unit shares (flows; leave counts
and rates out with `where:`), figures in docs/fabrication/smoothness.md.

`check: pinned`: a growth target met exactly. The series' year-on-year rates
(the default growth for this check) are compared with their own median: the
series fails when at least `min_months` of them lie within +-`band` percentage
points of it (both inclusive). No peers are needed: a unit alone in its peer
group can be pinned.

Stock indicators (balances, headcounts, floor space) stay flat for months
honestly; keep them out of a too_smooth rule with `where:` or `indicators:`
with `exempt_kinds:` (the indicator table's declared kind).

Defaults: `window` 12, one year: each calendar month once, so seasonality
weighs alike in every series, and the year a growth target applies to (older
honest months would dilute a series invented only lately); `min_growths` 8 of
its 12 rates. `spread: sd` because an honest series' spread comes from a few
seasonal months (February, March, December) that a MAD ignores, while the
seasonal swings do not shrink with the size of a unit as its noise does; outliers
are handled among peers (median and MAD of the log spreads), and a typo only
makes a series less smooth. `z` 3.5 and the modified z-score are Iglewicz and
Hoaglin's; `max_ratio` 0.5: half the peers' median spread at most, `alpha`
0.001 (with 12 rates the bound is then 0.40); `min_peers`
5: fewer peers give no stable median and MAD. `band` 0.5 points: the rounding of
a growth rate reported to one decimal, widened; `min_months` 8 of 12: an honest
series with a year-on-year sd of 2 points has each rate in the band with a
chance of about 0.2, so 8 or more of 12 with about 0.0005 (6 or more: 0.02, too
often among thousands of series).

The violation: `_observed` the series' spread (pinned: the months within the
band), `_expected` the peers' median spread (pinned: `min_months`), and in
`val:` the number of rates, the peers, their median, the MAD of their log
spreads, z, the ratio to the median and the bound it had to stay below, and
every rate with its period (with peers also the peers' median rate and the
difference of each period); with within_unit also `peer_ratio`, the spread over
the peers' median, `unit_ratio` and `unit_series`, the unit's typical ratio
and how many series it comes from, and `unit_ratios`, each of them).

Passing example (monthly sales of the districts of one city):

    - id: SM-01
      kind: smoothness
      source: figures
      where: indicator = '社会消费品零售总额'
      growth: mom

Failing data for it: five districts whose sales dip in February and peak in
December (month-on-month spreads of 21.6 to 24.9 percentage points) and one
whose sales rise by 1% every month (200.0, 202.0, 204.0, 206.1, ...): spread
0.0205, 0.0009 of the peers' median 23.2, robust z -75.75.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlglot import exp

from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    IMBALANCE,
    KEY,
    OBSERVED,
    STATUS,
    UNIT,
    VAL,
    Context,
    Plan,
    alias,
    col,
    count_if,
    number,
    ref,
)
from statguard.checks.plausibility.common import (
    MAD_SCALE,
    IndicatorTable,
    Long,
    LongParams,
    robust_stats,
    without_exempt,
)
from statguard.checks.registry import rule_kind
from statguard.checks.time.common import mapping_table, period_plan
from statguard.errors import PackError
from statguard.i18n import register, say
from statguard.pack.model import Rule
from statguard.periods import raw_text

MEAN_AD_SCALE = 1.253314  # sqrt(pi/2): the mean absolute deviation times this estimates sigma for normal data
SPREAD_FLOOR = 0.01  # percentage points: a smaller spread enters the logarithm as this
ROUNDING = 1e-9  # growth rates are compared with the band with this much slack for binary noise

register({
    "problem.smoothness.within_unit_indicator": {
        "en": "within_unit compares a series with the unit's other indicators: the source needs an indicator column "
              "(indicator:)",
        "zh": "within_unit 将一个序列与本单位的其他指标比较：数据源需要指标列（indicator:）"},
    "problem.smoothness.too_smooth_only": {
        "en": "{what} applies to check: too_smooth only (a pinned target is judged on the series' own rates)",
        "zh": "{what} 只适用于 check: too_smooth（锁定目标值按序列自身的增速判断）"},
    "problem.smoothness.window": {
        "en": "a window of {window} periods gives at most {window} growth rates, fewer than {name} {needed}{default}: "
              "{consequence}",
        "zh": "{window} 期的窗口最多得到 {window} 个增速，少于 {name} {needed}{default}：{consequence}"},
    "problem.smoothness.its_default": {"en": " (its default)", "zh": "（默认值）"},
    "problem.smoothness.none_could_fail": {"en": "no series could fail", "zh": "任何序列都不可能不通过"},
    "problem.smoothness.nothing_evaluable": {"en": "nothing is evaluable", "zh": "没有可判断的项"},
    "detail.smoothness.too_smooth.mom": {
        "en": "month-on-month growth too smooth: spread {observed} points over {growths} rates, {ratio} of "
              "the median {expected} of {peers} peers (robust z {z}); rates: {rates}",
        "zh": "环比增速过于平稳：{growths} 个增速的离散程度为 {observed} 个百分点，仅为 {peers} 个同组序列中位数 "
              "{expected} 的 {ratio}（稳健 z 值 {z}）；各期增速：{rates}"},
    "detail.smoothness.too_smooth.yoy": {
        "en": "year-on-year growth too smooth: spread {observed} points over {growths} rates, {ratio} of "
              "the median {expected} of {peers} peers (robust z {z}); rates: {rates}",
        "zh": "同比增速过于平稳：{growths} 个增速的离散程度为 {observed} 个百分点，仅为 {peers} 个同组序列中位数 "
              "{expected} 的 {ratio}（稳健 z 值 {z}）；各期增速：{rates}"},
    "detail.smoothness.too_smooth.mom.peers": {
        "en": "month-on-month growth too smooth beside its peers: its rates less the peers' median rate of each "
              "month spread {observed} points over {growths} rates, {ratio} of the median {expected} of {peers} "
              "peers (robust z {z}); differences: {differences}",
        "zh": "环比增速相对同组过于平稳：各月增速减去同组其他序列当月增速中位数后，{growths} 个差值的离散程度为 "
              "{observed} 个百分点，仅为 {peers} 个同组序列中位数 {expected} 的 {ratio}（稳健 z 值 {z}）；"
              "各期差值：{differences}"},
    "detail.smoothness.too_smooth.yoy.peers": {
        "en": "year-on-year growth too smooth beside its peers: its rates less the peers' median rate of each "
              "month spread {observed} points over {growths} rates, {ratio} of the median {expected} of {peers} "
              "peers (robust z {z}); differences: {differences}",
        "zh": "同比增速相对同组过于平稳：各月增速减去同组其他序列当月增速中位数后，{growths} 个差值的离散程度为 "
              "{observed} 个百分点，仅为 {peers} 个同组序列中位数 {expected} 的 {ratio}（稳健 z 值 {z}）；"
              "各期差值：{differences}"},
    "detail.smoothness.pinned.yoy": {
        "en": "year-on-year growth pinned near {median_growth}%: within {band} points of it in {observed} of "
              "{growths} periods ({pinned_periods}); rates: {rates}",
        "zh": "同比增速锁定在 {median_growth}% 附近：{growths} 期中有 {observed} 期与之相差不超过 {band} 个百分点"
              "（{pinned_periods}）；各期增速：{rates}"},
    "detail.smoothness.pinned.mom": {
        "en": "month-on-month growth pinned near {median_growth}%: within {band} points of it in {observed} of "
              "{growths} periods ({pinned_periods}); rates: {rates}",
        "zh": "环比增速锁定在 {median_growth}% 附近：{growths} 期中有 {observed} 期与之相差不超过 {band} 个百分点"
              "（{pinned_periods}）；各期增速：{rates}"},
    "detail.smoothness.few_series": {
        "en": "the unit has {unit_series} other evaluable series to compare with, fewer than the "
              "{min_series} needed",
        "zh": "该单位可供对照的其他可比序列仅 {unit_series} 个，少于所需的 {min_series} 个"},
    "detail.smoothness.too_smooth.mom.unit": {
        "en": "month-on-month growth too smooth for this unit and its peers: "
              "spread {observed} points over {growths} rates, {peer_ratio} of the median {peer_median} "
              "of its peers, while the unit's other {unit_series} series run at {unit_ratio} of their peers' "
              "(median): {ratio} of the {expected} expected (robust z {z} among {peers}); rates: {rates}",
        "zh": "环比增速相对本单位其他指标和同组均过于平稳："
              "{growths} 个增速的离散程度为 {observed} 个百分点，为同组中位数 {peer_median} 的 {peer_ratio}，"
              "而本单位其他 {unit_series} 个序列（中位数）为各自同组的 {unit_ratio}，"
              "故仅为应有值 {expected} 的 {ratio}（{peers} 个序列中稳健 z 值 {z}）；各期增速：{rates}"},
    "detail.smoothness.too_smooth.mom.peers.unit": {
        "en": "month-on-month growth less the peers' median rate of each month too smooth for this unit and its peers: "
              "the differences spread {observed} points over {growths} rates, {peer_ratio} of the median {peer_median} "
              "of its peers, while the unit's other {unit_series} series run at {unit_ratio} of their peers' "
              "(median): {ratio} of the {expected} expected (robust z {z} among {peers}); differences: {differences}",
        "zh": "环比增速减去同组其他序列当月增速中位数后，相对本单位其他指标和同组均过于平稳："
              "{growths} 个差值的离散程度为 {observed} 个百分点，为同组中位数 {peer_median} 的 {peer_ratio}，"
              "而本单位其他 {unit_series} 个序列（中位数）为各自同组的 {unit_ratio}，"
              "故仅为应有值 {expected} 的 {ratio}（{peers} 个序列中稳健 z 值 {z}）；各期差值：{differences}"},
    "detail.smoothness.too_smooth.yoy.unit": {
        "en": "year-on-year growth too smooth for this unit and its peers: "
              "spread {observed} points over {growths} rates, {peer_ratio} of the median {peer_median} "
              "of its peers, while the unit's other {unit_series} series run at {unit_ratio} of their peers' "
              "(median): {ratio} of the {expected} expected (robust z {z} among {peers}); rates: {rates}",
        "zh": "同比增速相对本单位其他指标和同组均过于平稳："
              "{growths} 个增速的离散程度为 {observed} 个百分点，为同组中位数 {peer_median} 的 {peer_ratio}，"
              "而本单位其他 {unit_series} 个序列（中位数）为各自同组的 {unit_ratio}，"
              "故仅为应有值 {expected} 的 {ratio}（{peers} 个序列中稳健 z 值 {z}）；各期增速：{rates}"},
    "detail.smoothness.too_smooth.yoy.peers.unit": {
        "en": "year-on-year growth less the peers' median rate of each month too smooth for this unit and its peers: "
              "the differences spread {observed} points over {growths} rates, {peer_ratio} of the median {peer_median} "
              "of its peers, while the unit's other {unit_series} series run at {unit_ratio} of their peers' "
              "(median): {ratio} of the {expected} expected (robust z {z} among {peers}); differences: {differences}",
        "zh": "同比增速减去同组其他序列当月增速中位数后，相对本单位其他指标和同组均过于平稳："
              "{growths} 个差值的离散程度为 {observed} 个百分点，为同组中位数 {peer_median} 的 {peer_ratio}，"
              "而本单位其他 {unit_series} 个序列（中位数）为各自同组的 {unit_ratio}，"
              "故仅为应有值 {expected} 的 {ratio}（{peers} 个序列中稳健 z 值 {z}）；各期差值：{differences}"},
    "detail.smoothness.few_growths": {
        "en": "{growths} growth rates, fewer than the {min_growths} needed",
        "zh": "仅有 {growths} 个增速，少于所需的 {min_growths} 个"},
    "detail.smoothness.few_peers": {
        "en": "{peers} evaluable series in the peer group, fewer than the {min_peers} needed",
        "zh": "同组可比序列仅 {peers} 个，少于所需的 {min_peers} 个"},
})


class SmoothnessParams(LongParams):
    check: Literal["too_smooth", "pinned"] = Field("too_smooth", description=(
        "too_smooth: the spread of the growth rates far below the peers' (robust z); pinned: the growth rates "
        "within +-band of their own median in at least min_months periods (a growth target met exactly)."))
    growth: Literal["mom", "yoy"] | None = Field(None, description=(
        "Growth rates used: mom (on the previous period, 环比) or yoy (on the same period last year, 同比). "
        "Default: mom for too_smooth, yoy for pinned."))
    window: int | None = Field(12, ge=1, description=(
        "Only the growth rates of the latest this many periods of the source are used (default 12: one year, "
        "each month once); null uses every period."))
    min_growths: int = Field(8, ge=2, description="A series with fewer growth rates in the window is not evaluable.")
    spread: Literal["sd", "mad"] = Field("sd", description=(
        "too_smooth: the spread of a series' rates: sd (standard deviation, default: counts the seasonal swings "
        "of every month) or mad (median absolute deviation x 1.4826: ignores the largest half of the swings)."))
    z: float = Field(3.5, gt=0, description=(
        "too_smooth: fails below a robust z of -z for the log spread among peers (3.5: Iglewicz and Hoaglin)."))
    max_ratio: float = Field(0.5, gt=0, le=1, description=(
        "too_smooth: ... and only when the spread is also below this share of the peers' median spread."))
    alpha: float = Field(0.001, gt=0, le=0.5, description=(
        "too_smooth: ... and a spread that low must have a chance below alpha for a series of as many rates "
        "with the peers' median spread (one-sided chi-square test of its variance)."))
    min_peers: int = Field(5, ge=3, description=(
        "too_smooth: a peer group (same indicator and peer group) with fewer evaluable series is not evaluable."))
    relative_to: Literal["none", "peers"] = Field("none", description=(
        "too_smooth: none (default) measures the spread of the series' own rates; peers first subtracts from "
        "each rate the median rate of the other series of its peer group for the same period (the seasons and "
        "the business cycle they share), so a series with textbook seasonality and little noise stands out."))
    within_unit: bool = Field(False, description=(
        "too_smooth: also hold each series against the unit's other series: its log ratio to the peers' median "
        "spread less the median log ratio of the unit's other evaluable series (a unit quiet on every "
        "indicator is not flagged for being quiet; one smoothed indicator stands out)."))
    min_series: int = Field(3, ge=1, description=(
        "too_smooth with within_unit: a series whose unit has fewer other evaluable series is not evaluable."))
    band: float = Field(0.5, ge=0, description="pinned: half-width of the band around the median rate, in points.")
    min_months: int = Field(8, ge=2, description=(
        "pinned: fails when at least this many rates lie in the band (default 8 of the 12 in the window)."))
    indicators: str | IndicatorTable | None = Field(None, description=(
        "Source declaring each indicator's kind (flow | stock | rate | part), by name (columns indicator and "
        "kind) or as {source, indicator, kind}: series of the exempt kinds are left out."))
    exempt_kinds: list[str] = Field(["stock"], description=(
        "With indicators: the indicator kinds left out (default [stock]: balances stay flat honestly)."))

    def source_names(self) -> list[str]:
        table = self.indicators
        return [self.source] + ([table if isinstance(table, str) else table.source] if table else [])


def same(left: str, right: str, *names: str) -> exp.Expression:
    return exp.and_(*[exp.NullSafeEQ(this=col(n, left), expression=col(n, right)) for n in names])


def window_of(fn: exp.Expression, *partition: str) -> exp.Window:
    return exp.Window(this=fn, partition_by=[col(c) for c in partition])


def text(value: exp.Expression) -> exp.Expression:
    return exp.cast(value, "VARCHAR")


def listing(item: exp.Expression, when: exp.Expression) -> exp.Expression:
    """The items where `when` holds, in period order, separated by commas."""
    ordered = exp.Order(this=exp.Case().when(when, item), expressions=[exp.Ordered(this=col("_sg_ord"))])
    return exp.GroupConcat(this=ordered, separator=exp.Literal.string(", "))


SERIES = ("_unit", "_indicator")


@rule_kind("smoothness", SmoothnessParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: SmoothnessParams = rule.params
    long = Long(ctx, p, need_period=True)
    assert long.period is not None
    _check_window(ctx, p)
    if p.within_unit and not long.needed(ctx, "indicator", "within_unit"):
        raise PackError(ctx.problem(say("problem.smoothness.within_unit_indicator"), "within_unit"))
    if p.within_unit and p.check != "too_smooth":
        raise PackError(ctx.problem(say("problem.smoothness.too_smooth_only", what="within_unit"), "within_unit"))
    if p.relative_to == "peers" and p.check != "too_smooth":
        raise PackError(ctx.problem(say("problem.smoothness.too_smooth_only", what="relative_to: peers"),
                                    "relative_to"))
    growth = p.growth or ("yoy" if p.check == "pinned" else "mom")
    peers = p.relative_to == "peers"
    series = _series(p, peers)
    extra: list = []
    if p.check == "too_smooth":
        query, extra = _too_smooth(p, series, growth)
    else:
        query = _pinned(p, series, growth)
    query = _with_identity(query, long)
    for name, cte in (("_sg_rows", _rows(ctx, p, long)), ("_sg_obs", _observations(p, long, growth)),
                      ("_sg_rate", _rates(p, peers)), *extra):
        query = query.with_(name, as_=cte)
    return period_plan(query, p.source, long.period, order_by=[f'"{VAL}growths" DESC NULLS LAST'])


def _check_window(ctx: Context, p: SmoothnessParams) -> None:
    """A window too short for min_growths (or, pinned, for min_months) can never give a verdict."""
    if p.window is None:
        return
    given = p.model_fields_set
    for name, needed in (("min_growths", p.min_growths), ("min_months", p.min_months)):
        if name == "min_months" and p.check != "pinned" or needed <= p.window:
            continue
        default = "" if name in given else say("problem.smoothness.its_default")
        consequence = say("problem.smoothness.none_could_fail" if name == "min_months"
                          else "problem.smoothness.nothing_evaluable")
        raise PackError(ctx.problem(say("problem.smoothness.window", window=p.window, name=name, needed=needed,
                                        default=default, consequence=consequence),
                                    "window" if "window" in given else name))


def _rows(ctx: Context, p: SmoothnessParams, long: Long) -> exp.Select:
    """The rule's records (_unit, _period, _indicator, _peer, _value), without exempt indicators."""
    return without_exempt(ctx, long.rows(ctx), long, p.indicators, p.exempt_kinds)


def _observations(p: SmoothnessParams, long: Long, growth: str) -> exp.Select:
    """One row per series and period read: its ordinal, the comparison period's label, and the value
    (NULL when the series has several records for the period)."""
    mapping = ref(mapping_table(p.source, long.period or ""), "m")
    obs = exp.select(
        *[col(c, "r") for c in SERIES], alias(col("label", "m"), "_sg_label"),
        alias(exp.Min(this=col("freq", "m")), "_sg_freq"), alias(exp.Min(this=col("ord", "m")), "_sg_ord"),
        alias(exp.Min(this=col("prev" if growth == "mom" else "year_ago", "m")), "_sg_cmp"),
        alias(exp.Case().when(exp.EQ(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)),
                              exp.Min(this=col("_value", "r"))), "_sg_v"),
    ).from_(ref("_sg_rows", "r")).join(
        mapping, on=exp.EQ(this=col("raw", "m"), expression=raw_text(col("_period", "r"))), join_type="inner",
    ).where(exp.Not(this=exp.Is(this=col("label", "m"), expression=exp.Null()))).group_by(
        *[col(c, "r") for c in SERIES], col("label", "m"))
    return obs


def _rates(p: SmoothnessParams, peers: bool) -> exp.Select:
    """One row per series and period read (of CTE _sg_obs): its peer group, label, ordinal and growth rate
    _sg_g (NULL when not computable or outside the window); with `peers`, also the median rate _sg_gp of
    the other series of the same indicator and peer group for the period (from a self-join of this CTE)."""
    rate = exp.Round(this=exp.Mul(this=exp.paren(exp.Sub(this=exp.Div(this=col("_sg_v", "a"), expression=col(
        "_sg_v", "b")), expression=exp.Literal.number(1))), expression=exp.Literal.number(100)),
        decimals=exp.Literal.number(9))
    usable = [exp.Not(this=exp.Is(this=col("_sg_v", "a"), expression=exp.Null())),
              exp.GT(this=col("_sg_v", "b"), expression=exp.Literal.number(0))]
    if p.window is not None:
        latest = exp.Window(this=exp.Max(this=col("_sg_ord", "a")), partition_by=[col("_sg_freq", "a")])
        usable.append(exp.GT(this=col("_sg_ord", "a"), expression=exp.Sub(this=latest, expression=exp.Literal.number(
            p.window))))
    items = exp.select(*[col(c) for c in SERIES], alias(exp.Min(this=col("_peer")), "_peer")).from_(
        "_sg_rows").group_by(*[col(c) for c in SERIES])
    rates = exp.select(*[col(c, "a") for c in SERIES], col("_peer", "s"), col("_sg_label", "a"), col("_sg_ord", "a"),
                       alias(exp.Case().when(exp.and_(*usable), rate), "_sg_g")).from_(
        ref("_sg_obs", "a")).join(ref("_sg_obs", "b"), join_type="left", on=exp.and_(
            same("a", "b", *SERIES), exp.EQ(this=col("_sg_label", "b"), expression=col("_sg_cmp", "a")))).join(
        items.subquery("s"), join_type="inner", on=same("a", "s", *SERIES))
    return rates


def _peer_rates(p: SmoothnessParams) -> exp.Select:
    """Every rate of CTE _sg_rate with the median _sg_gp and count _sg_gpn of the rates of the other series
    of its indicator and peer group for the same period (the unit itself left out: its own noise does not
    pull the yardstick towards it, and a period only it reports gives no yardstick at all)."""
    has = [exp.Not(this=exp.Is(this=col("_sg_g", t), expression=exp.Null())) for t in ("a", "b")]
    other = exp.Not(this=exp.NullSafeEQ(this=col("_unit", "a"), expression=col("_unit", "b")))
    keys = [*[col(c, "a") for c in SERIES], col("_sg_label", "a")]
    return exp.select(
        *[k.copy() for k in keys], alias(exp.Min(this=col("_peer", "a")), "_peer"),
        alias(exp.Min(this=col("_sg_ord", "a")), "_sg_ord"), alias(exp.Min(this=col("_sg_g", "a")), "_sg_g"),
        alias(exp.Median(this=col("_sg_g", "b")), "_sg_gp"), alias(exp.Count(this=col("_sg_g", "b")), "_sg_gpn"),
    ).from_(ref("_sg_rate", "a")).join(ref("_sg_rate", "b"), join_type="left", on=exp.and_(
        *has, other, same("a", "b", "_peer", "_indicator"),
        exp.EQ(this=col("_sg_label", "b"), expression=col("_sg_label", "a")))).group_by(*keys)


def _series(p: SmoothnessParams, peers: bool) -> exp.Select:
    """One row per series (of CTE _sg_rows): its peer group and, over the window, the count, median,
    spread and listing of its growth rates (CTE _sg_rate; with `peers`, of their differences from the
    other peers' median rate of the period), and how many lie in the band around the median."""
    if peers:
        enough_peers = exp.GTE(this=col("_sg_gpn"), expression=exp.Literal.number(p.min_peers - 1))
        used = exp.Case().when(enough_peers, exp.Round(this=exp.Sub(this=col("_sg_g"), expression=col("_sg_gp")),
                                                        decimals=exp.Literal.number(9)))
        rates = exp.select(*[col(c) for c in SERIES], col("_sg_label"), col("_sg_ord"),
                           alias(used, "_sg_u"), alias(exp.Case().when(enough_peers.copy(), col("_sg_gp")), "_sg_gp"),
                           alias(exp.Case().when(enough_peers.copy(), col("_sg_g")), "_sg_g")).from_(
            _peer_rates(p).subquery("_sg_gq"))
    else:
        rates = exp.select(*[col(c) for c in SERIES], col("_sg_label"), col("_sg_ord"), col("_sg_g"),
                           alias(col("_sg_g"), "_sg_u")).from_("_sg_rate")
    centred = exp.select(exp.Star(), alias(window_of(exp.Median(this=col("_sg_u")), *SERIES), "_sg_gmed")).from_(
        rates.subquery("_sg_g0"))

    deviation = exp.Abs(this=exp.Sub(this=col("_sg_u"), expression=col("_sg_gmed")))
    has_rate = exp.Not(this=exp.Is(this=col("_sg_u"), expression=exp.Null()))
    in_band = exp.LTE(this=deviation.copy(), expression=number(p.band + ROUNDING))
    def shown_as(name: str) -> exp.Expression:
        return exp.Concat(expressions=[col("_sg_label"), exp.Literal.string(": "),
                                       text(exp.Add(this=exp.Round(this=col(name), decimals=exp.Literal.number(2)),
                                                    expression=number(0.0)))])  # -0.0 + 0.0 shows as 0.0
    shown = shown_as("_sg_g")
    spread = (exp.StddevSamp(this=col("_sg_u")) if p.spread == "sd" else
              exp.Mul(this=exp.Median(this=deviation.copy()), expression=number(MAD_SCALE)))
    differences = [alias(listing(shown_as("_sg_u"), has_rate.copy()), "_sg_diffs"),
                   alias(listing(shown_as("_sg_gp"), has_rate.copy()), "_sg_prates")] if peers else []
    stats = exp.select(
        *[col(c) for c in SERIES],
        alias(exp.Count(this=col("_sg_u")), "_sg_n"),
        alias(exp.Round(this=spread, decimals=exp.Literal.number(4)), "_sg_spread"),
        alias(exp.Round(this=exp.Min(this=col("_sg_gmed")), decimals=exp.Literal.number(4)), "_sg_gm"),
        alias(count_if(exp.and_(has_rate.copy(), in_band)), "_sg_pinned"),
        alias(listing(shown, has_rate.copy()), "_sg_rates"),
        alias(listing(col("_sg_label"), exp.and_(has_rate.copy(), in_band.copy())), "_sg_pinned_at"),
        *differences,
    ).from_(centred.subquery("_sg_g1")).group_by(*[col(c) for c in SERIES])

    items = exp.select(*[col(c) for c in SERIES], alias(exp.Min(this=col("_peer")), "_peer")).from_(
        "_sg_rows").group_by(*[col(c) for c in SERIES])
    out = exp.select(*[col(c, "s") for c in SERIES], col("_peer", "s"),
                     alias(exp.Coalesce(this=col("_sg_n", "g"), expressions=[exp.Literal.number(0)]), "_sg_n"),
                     *[col(c, "g") for c in ("_sg_spread", "_sg_gm", "_sg_pinned", "_sg_rates", "_sg_pinned_at")
                       + (("_sg_diffs", "_sg_prates") if peers else ())]
                     ).from_(items.subquery("s")).join(stats.subquery("g"), join_type="left",
                                                       on=same("s", "g", *SERIES))
    return out


def _too_smooth(p: SmoothnessParams, series: exp.Select, growth: str) -> tuple[exp.Select, list]:
    """The verdict of every series (and, with within_unit, the CTEs it reads: returned to be placed after
    those of the plan, which they read)."""
    suffix = (".peers" if p.relative_to == "peers" else "") + (".unit" if p.within_unit else "")
    enough = exp.GTE(this=col("_sg_n"), expression=exp.Literal.number(p.min_growths))
    log_spread = exp.Case().when(enough, exp.Ln(this=exp.Greatest(this=col("_sg_spread"), expressions=[
        number(SPREAD_FLOOR)])))
    measured = exp.select(exp.Star(), alias(log_spread, "_sg_x")).from_(series.subquery("_sg_s0"))
    peers = ["_peer", "_indicator"]
    ctes: list[tuple[str, exp.Select]] = []
    if p.within_unit:
        measured, ctes = _within_unit(p, measured, peers)
    robust = robust_stats(measured.subquery("_sg_s1"), "_sg_x", peers, prefix="_sg_p")
    evaluable = exp.Not(this=exp.Is(this=col("_sg_x"), expression=exp.Null()))
    spread_of_peers = exp.Median(this=exp.Case().when(evaluable, col("_sg_spread")))
    mean_ad = exp.Avg(this=exp.Abs(this=exp.Sub(this=col("_sg_x"), expression=col("_sg_pmed"))))
    widened = exp.select(exp.Star(), alias(window_of(spread_of_peers, *peers), "_sg_pspread"),
                         alias(window_of(mean_ad, *peers), "_sg_pmean_ad")).from_(robust.subquery("_sg_s2"))
    # the spread a series is held against: the peers' median, or with within_unit that median times the
    # unit's typical ratio on its other series
    expect = col("_sg_rexp") if p.within_unit else col("_sg_pspread")
    peer_median = col("_sg_rspread") if p.within_unit else col("_sg_pspread")

    scale = exp.Case().when(exp.GT(this=col("_sg_pmad"), expression=exp.Literal.number(0)), col("_sg_pmad")).else_(
        exp.Mul(this=col("_sg_pmean_ad"), expression=number(MEAN_AD_SCALE)))
    z = exp.Case().when(exp.GT(this=scale, expression=exp.Literal.number(0)), exp.Div(this=exp.paren(exp.Sub(
        this=col("_sg_x"), expression=col("_sg_pmed"))), expression=scale.copy())).else_(exp.Literal.number(0))
    z = exp.Case().when(evaluable.copy(), z)
    few_peers = exp.LT(this=col("_sg_pn"), expression=exp.Literal.number(p.min_peers))
    fails = exp.and_(exp.LT(this=col("_sg_z"), expression=number(-p.z)), exp.LT(
        this=col("_sg_spread"), expression=exp.Mul(this=col("_sg_bound"), expression=expect.copy())))
    status = exp.Case().when(exp.Not(this=enough.copy()), exp.Literal.string("na"))
    detail = exp.Case().when(exp.Not(this=enough.copy()), exp.Literal.string("detail.smoothness.few_growths"))
    shown_peers: exp.Expression = col("_sg_pn")
    if p.within_unit:
        few_rated = exp.LT(this=col("_sg_rn"), expression=exp.Literal.number(p.min_peers))
        few_series = exp.LT(this=col("_sg_uk"), expression=exp.Literal.number(p.min_series))
        status = status.when(few_rated, exp.Literal.string("na")).when(few_series, exp.Literal.string("na"))
        detail = (detail.when(few_rated.copy(), exp.Literal.string("detail.smoothness.few_peers"))
                  .when(few_series.copy(), exp.Literal.string("detail.smoothness.few_series")))
        shown_peers = exp.Case().when(few_rated.copy(), col("_sg_rn")).else_(col("_sg_pn"))
    status = (status.when(few_peers, exp.Literal.string("na"))
              .when(fails, exp.Literal.string("fail")).else_(exp.Literal.string("pass")))
    detail = (detail.when(few_peers.copy(), exp.Literal.string("detail.smoothness.few_peers"))
              .when(fails.copy(), exp.Literal.string(f"detail.smoothness.too_smooth.{growth}{suffix}")))
    peers_shown = [alias(exp.Literal.string(p.relative_to), VAL + "relative_to")]
    if p.relative_to == "peers":
        peers_shown += [alias(col("_sg_prates"), VAL + "peer_rates"), alias(col("_sg_diffs"), VAL + "differences")]
    if p.within_unit:
        peers_shown += [
            alias(exp.Round(this=exp.Div(this=col("_sg_spread"), expression=exp.Nullif(
                this=col("_sg_rspread"), expression=exp.Literal.number(0))), decimals=exp.Literal.number(4)),
                VAL + "peer_ratio"),
            alias(exp.Round(this=exp.Exp(this=col("_sg_ub")), decimals=exp.Literal.number(4)), VAL + "unit_ratio"),
            alias(col("_sg_uk"), VAL + "unit_series"), alias(col("_sg_ulist"), VAL + "unit_ratios"),
            alias(exp.Literal.number(p.min_series), VAL + "min_series")]
    ratio = exp.Div(this=col("_sg_spread"), expression=exp.Nullif(this=expect.copy(),
                                                                  expression=exp.Literal.number(0)))
    scored = exp.select(exp.Star(), alias(z, "_sg_z"), alias(_ratio_bound(p), "_sg_bound")).from_(
        widened.subquery("_sg_s3"))
    final = exp.select(
        alias(status, STATUS), *_common_values(p, growth),
        alias(shown_peers, VAL + "peers"),
        alias(peer_median.copy(), VAL + "peer_median"),
        alias(exp.Round(this=scale.copy(), decimals=exp.Literal.number(4)), VAL + "peer_mad"),
        alias(exp.Round(this=col("_sg_z"), decimals=exp.Literal.number(2)), VAL + "z"),
        alias(_four_digits(ratio), VAL + "ratio"),
        alias(exp.Round(this=col("_sg_bound"), decimals=exp.Literal.number(4)), VAL + "ratio_bound"),
        alias(exp.Literal.number(p.min_peers), VAL + "min_peers"),
        alias(col("_sg_rates"), VAL + "rates"),
        *peers_shown,
        alias(col("_sg_spread"), OBSERVED),
        alias(exp.Round(this=expect.copy(), decimals=exp.Literal.number(6)) if p.within_unit else expect.copy(),
              EXPECTED),
        alias(exp.Round(this=exp.Sub(this=col("_sg_spread"), expression=expect.copy()),
                        decimals=exp.Literal.number(6)), IMBALANCE),
        alias(detail, DETAIL),
    ).from_(scored.subquery("_sg_s4"))
    return final, ctes


def _within_unit(p: SmoothnessParams, measured: exp.Select, peers: list[str]) -> tuple[exp.Select, list]:
    """within_unit: each series' log ratio r = ln(spread) - ln(median spread of its indicator's peer group),
    less the median r of the unit's other series (leave-one-out, at least min_series of them), becomes
    _sg_x, the value judged among peers. Also _sg_rspread (the peers' median spread), _sg_rn (their
    count), _sg_ub (the unit's median r), _sg_uk (how many), _sg_ulist and _sg_rexp (the spread expected
    of the series: the peers' median times exp(_sg_ub)). Reads and returns CTE _sg_ratio."""
    has_x = exp.Not(this=exp.Is(this=col("_sg_x"), expression=exp.Null()))
    rspread = window_of(exp.Median(this=exp.Case().when(has_x, col("_sg_spread"))), *peers)
    rn = window_of(exp.Count(this=col("_sg_x")), *peers)
    rated = exp.select(exp.Star(), alias(rspread, "_sg_rspread"), alias(rn, "_sg_rn")).from_(
        measured.subquery("_sg_w0"))
    log_ratio = exp.Case().when(exp.and_(has_x.copy(), exp.GTE(this=col("_sg_rn"), expression=exp.Literal.number(
        p.min_peers))), exp.Sub(this=col("_sg_x"), expression=exp.Ln(this=exp.Greatest(
            this=col("_sg_rspread"), expressions=[number(SPREAD_FLOOR)]))))
    ratio_cte = exp.select(exp.Star(), alias(log_ratio, "_sg_r")).from_(rated.subquery("_sg_w1"))

    other = exp.and_(exp.NullSafeEQ(this=col("_unit", "a"), expression=col("_unit", "b")),
                     exp.Not(this=exp.NullSafeEQ(this=col("_indicator", "a"), expression=col("_indicator", "b"))),
                     exp.Not(this=exp.Is(this=col("_sg_r", "b"), expression=exp.Null())))
    shown = exp.Concat(expressions=[exp.cast(col("_indicator", "b"), "VARCHAR"), exp.Literal.string(": "),
                                    text(exp.Round(this=exp.Exp(this=col("_sg_r", "b")),
                                                   decimals=exp.Literal.number(4)))])
    ordered = exp.Order(this=shown, expressions=[exp.Ordered(this=col("_indicator", "b"))])
    own = exp.select(col("_unit", "a"), col("_indicator", "a"),
                     alias(exp.Median(this=col("_sg_r", "b")), "_sg_ub"),
                     alias(exp.Count(this=col("_sg_r", "b")), "_sg_uk"),
                     alias(exp.GroupConcat(this=ordered, separator=exp.Literal.string(", ")), "_sg_ulist"),
                     ).from_(ref("_sg_ratio", "a")).join(ref("_sg_ratio", "b"), join_type="left",
                                                           on=other).group_by(col("_unit", "a"), col("_indicator", "a"))
    enough = exp.GTE(this=col("_sg_uk", "o"), expression=exp.Literal.number(p.min_series))
    judged = exp.Case().when(enough, exp.Sub(this=col("_sg_r", "t"), expression=col("_sg_ub", "o")))
    expected = exp.Mul(this=exp.Greatest(this=col("_sg_rspread", "t"), expressions=[number(SPREAD_FLOOR)]),
                       expression=exp.Exp(this=col("_sg_ub", "o")))
    keep = [c for c in ("_unit", "_indicator", "_peer", "_sg_n", "_sg_spread", "_sg_gm", "_sg_pinned", "_sg_rates",
                        "_sg_pinned_at") + (("_sg_diffs", "_sg_prates") if p.relative_to == "peers" else ())
            + ("_sg_rspread", "_sg_rn", "_sg_r")]
    out = exp.select(*[col(c, "t") for c in keep], alias(judged, "_sg_x"),
                     alias(exp.Coalesce(this=col("_sg_uk", "o"), expressions=[exp.Literal.number(0)]), "_sg_uk"),
                     col("_sg_ub", "o"), col("_sg_ulist", "o"),
                     alias(exp.Case().when(enough.copy(), expected), "_sg_rexp"),
                     ).from_(ref("_sg_ratio", "t")).join(own.subquery("o"), join_type="left",
                                                          on=same("t", "o", *SERIES))
    return out, [("_sg_ratio", ratio_cte)]


def _ratio_bound(p: SmoothnessParams) -> exp.Expression:
    """The share of the peers' median spread a series of _sg_n rates must stay below: max_ratio, or the
    alpha quantile of sqrt(chi2(n - 1) / (n - 1)) when smaller (Wilson-Hilferty approximation)."""
    from statistics import NormalDist
    z_alpha = NormalDist().inv_cdf(p.alpha)
    c = exp.Div(this=number(2.0), expression=exp.paren(exp.Mul(this=number(9.0), expression=exp.Nullif(
        this=exp.Sub(this=col("_sg_n"), expression=exp.Literal.number(1)), expression=exp.Literal.number(0)))))
    base = exp.Add(this=exp.Sub(this=exp.Literal.number(1), expression=c), expression=exp.Mul(
        this=number(z_alpha), expression=exp.Sqrt(this=c.copy())))
    cube = exp.Pow(this=exp.Greatest(this=base, expressions=[exp.Literal.number(0)]), expression=exp.Literal.number(3))
    return exp.Least(this=number(p.max_ratio), expressions=[exp.Sqrt(this=cube)])


def _pinned(p: SmoothnessParams, series: exp.Select, growth: str) -> exp.Select:
    enough = exp.GTE(this=col("_sg_n"), expression=exp.Literal.number(p.min_growths))
    fails = exp.GTE(this=col("_sg_pinned"), expression=exp.Literal.number(p.min_months))
    status = (exp.Case().when(exp.Not(this=enough), exp.Literal.string("na"))
              .when(fails, exp.Literal.string("fail")).else_(exp.Literal.string("pass")))
    detail = (exp.Case().when(exp.Not(this=enough.copy()), exp.Literal.string("detail.smoothness.few_growths"))
              .when(fails.copy(), exp.Literal.string(f"detail.smoothness.pinned.{growth}")))
    observed = exp.Case().when(enough.copy(), col("_sg_pinned"))
    final = exp.select(
        alias(status, STATUS), *_common_values(p, growth),
        alias(col("_sg_gm"), VAL + "median_growth"),
        alias(number(p.band), VAL + "band"),
        alias(col("_sg_pinned_at"), VAL + "pinned_periods"),
        alias(col("_sg_rates"), VAL + "rates"),
        alias(observed, OBSERVED),
        alias(exp.Literal.number(p.min_months), EXPECTED),
        alias(exp.Sub(this=observed.copy(), expression=exp.Literal.number(p.min_months)), IMBALANCE),
        alias(detail, DETAIL),
    ).from_(series.subquery("_sg_s0"))
    return final


def _common_values(p: SmoothnessParams, growth: str) -> list[exp.Expression]:
    return [alias(col("_unit"), UNIT), alias(col("_indicator"), "_sg_key"), alias(col("_peer"), VAL + "peer_group"),
            alias(exp.Literal.string(growth), VAL + "growth"), alias(col("_sg_n"), VAL + "growths"),
            alias(exp.Literal.number(p.min_growths), VAL + "min_growths")]


def _with_identity(query: exp.Select, long: Long) -> exp.Select:
    """The series key under the indicator column's name (key:<indicator>), or none without one."""
    for projection in query.expressions:
        if isinstance(projection, exp.Alias) and projection.alias == "_sg_key":
            if long.indicator:
                projection.set("alias", exp.to_identifier(KEY + long.indicator, quoted=True))
            else:
                projection.pop()
            break
    return query


def _four_digits(x: exp.Expression) -> exp.Expression:
    """`x` to four decimals, or to eight below 0.001: an invented series 10,000 times smoother than
    its peers has a ratio of 0.0001, not 0 ("仅为 … 的 0" said nothing)."""
    small = exp.LT(this=exp.Abs(this=x.copy()), expression=number(0.001))
    return exp.If(this=small, true=exp.Round(this=x.copy(), decimals=exp.Literal.number(8)),
                  false=exp.Round(this=x, decimals=exp.Literal.number(4)))
