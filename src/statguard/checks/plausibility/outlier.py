"""A figure far from its peers': robust z-score, or Hidiroglou-Berthelot on period-to-period ratios.

Peers are the units of the same peer group reporting the same indicator for the
same period. One item per record (unit, indicator, period); an invented figure
shows as a value, or a change over the previous period, that no peer comes near.

`method: robust_z` (default) scores each value against its peers' median and
MAD (median absolute deviation, scaled by 1.4826 so that it estimates a normal
standard deviation): z = (value - median) / MAD, Iglewicz and Hoaglin's
modified z-score; |z| > `z` fails (default 3.5, their recommended cut-off).
With `log: true` logarithms are compared instead, for heavy-tailed sizes such
as investment or turnover (a unit ten times its peers' size is then one step
of ln 10 = 2.3, not a thousand MADs); values <= 0 are not evaluable and not
peers then. Peer groups are formed by the period as written (periods written in
several forms make several groups).

`method: hb` is the Hidiroglou-Berthelot (1986) edit for periodic business
surveys: per unit the ratio r = x(t) / x(t-1) of its value to its value in the
comparison period (`compare: previous`, default, or `year_ago`), centred on the
peers' median ratio r_med: s = 1 - r_med / r below it, r / r_med - 1 above, and
weighted by size: E = s * max(x(t), x(t-1))^U. Bounds are
E_med - C * d_Q1 and E_med + C * d_Q3, with d_Q1 = max(E_med - E_Q1, |A * E_med|)
and d_Q3 = max(E_Q3 - E_med, |A * E_med|); quartiles are interpolated linearly
(R's default quantile type 7). Defaults U = 0.5, A = 0.05, C = 4 are those of
R univOutl::HBmethod (after Hidiroglou and Berthelot); C = 7 is also common, and
Statistics Norway's Kostra uses 20. Screening many periods at once wants a
larger C, since every period is a new chance for an honest unit to cross it.
Seasonality common to the peers (February lows, December peaks) moves r_med,
not the scores. Periods are read as statguard.periods reads them.

`side: high` or `low` only fails values (or scores) beyond the upper or lower
bound. Not evaluable (never a violation): a missing value; with `log`, a value
<= 0; for hb, a value <= 0 in either period, no record (or several) for the
unit in either period, or a period that cannot be read; fewer than `min_peers`
evaluable values (or ratios) in the peer group, so a unit alone in its group
is not evaluable; a spread of 0 on the item's side, i.e. more than half the
peers report the same value (MAD 0) or the same ratio (E quartile equal to its
median): the distance cannot be scaled then, and when most peers report the
very same figure the odd one out is as likely the honest one (identical
figures are `perfect`'s business). `where` limits the records used, as items,
as peers and as comparison values alike.

Passing example (investment per county, peers within their peer group):

    - id: OUT-01
      kind: outlier
      source: figures
      log: true
      side: high

Failing data for it: five counties of one peer group reporting 120, 95, 150,
110 and 1500 for 2024-06: median of the logs ln 120 = 4.7875, scaled MAD of the
logs 0.3308, z of 1500 = (ln 1500 - ln 120) / 0.3308 = 7.63 > 3.5; at most
exp(4.7875 + 3.5 * 0.3308) = 382.0 expected.
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
    PERIOD,
    STATUS,
    UNIT,
    VAL,
    Context,
    Plan,
    alias,
    col,
    number,
)
from statguard.checks.plausibility.common import Long, LongParams, robust_stats
from statguard.checks.registry import rule_kind
from statguard.checks.time.common import MAPPED, period_plan, with_periods
from statguard.errors import PackError
from statguard.i18n import register, say
from statguard.pack.model import Rule

NA, PASS, FAIL = (exp.Literal.string(s) for s in ("na", "pass", "fail"))
GROUP = ["_indicator", "_peer", "_period"]  # robust_z peers: indicator x peer group x period as written
HB_GROUP = ["_indicator", "_peer", MAPPED["label"]]  # hb peers: the period as read
HB_ONLY = ("compare", "U", "A", "C")

register({
    "problem.outlier.other_method": {"en": "'{name}' is a parameter of 'method: {owner}'; this rule uses {method}",
                                     "zh": "'{name}' 是 'method: {owner}' 的参数；本规则用的是 {method}"},
    "detail.outlier.high": {
        "en": "{observed} is {z} MADs above the peers' median {median} (MAD {mad}, {peers} peers); "
              "at most {upper} expected",
        "zh": "{observed} 高于同组中位数 {median} 达 {z} 个 MAD（MAD {mad}，同组 {peers} 个），应不高于 {upper}"},
    "detail.outlier.low": {
        "en": "{observed} is {z} MADs below the peers' median {median} (MAD {mad}, {peers} peers); "
              "at least {lower} expected",
        "zh": "{observed} 低于同组中位数 {median} 达 {z} 个 MAD（MAD {mad}，同组 {peers} 个），应不低于 {lower}"},
    "detail.outlier.log_high": {
        "en": "{observed} is {z} MADs of the logarithm above the peers' median {median} (MAD of the logarithms "
              "{mad}, {peers} peers); at most {upper} expected",
        "zh": "{observed} 的对数高于同组中位数 {median} 的对数达 {z} 个 MAD（对数 MAD {mad}，同组 {peers} 个），"
              "应不高于 {upper}"},
    "detail.outlier.log_low": {
        "en": "{observed} is {z} MADs of the logarithm below the peers' median {median} (MAD of the logarithms "
              "{mad}, {peers} peers); at least {lower} expected",
        "zh": "{observed} 的对数低于同组中位数 {median} 的对数达 {z} 个 MAD（对数 MAD {mad}，同组 {peers} 个），"
              "应不低于 {lower}"},
    # why an item is not evaluable, instead of a judgement with no score in it
    "detail.outlier.not_positive": {"en": "{observed} is not positive: it has no logarithm",
                                    "zh": "{observed} 不是正数，没有对数"},
    "detail.outlier.few_peers": {"en": "only {peers} peers, fewer than the rule's min_peers of {min_peers}",
                                 "zh": "同组仅 {peers} 个，少于本规则要求的 {min_peers} 个（min_peers）"},
    "detail.outlier.no_spread": {"en": "at least half of the peers report the same value (MAD 0): no spread to judge "
                                       "{observed} by",
                                 "zh": "同组至少一半单位的数值相同（MAD 为 0），没有离散程度可据以判断 {observed}"},
    "detail.outlier.no_value": {"en": "no value to judge", "zh": "没有可判断的数值"},
    "detail.outlier.hb_no_ratio": {
        "en": "no ratio to score: the value of this period or of {comparison_period} is missing, not positive or "
              "not a single record",
        "zh": "无法计算比值：本期或 {comparison_period} 的数值缺失、不是正数或不止一条记录"},
    "detail.outlier.hb_no_spread": {"en": "the peers' scores are all alike on this side of their median: no spread "
                                          "to judge the score by",
                                    "zh": "同组得分在中位数这一侧全部相同，无法据此判断"},
    "detail.outlier.hb_high": {
        "en": "{value} after {comparison_value} in {comparison_period}: ratio {ratio} against the peers' median "
              "ratio {median_ratio}; HB score {observed} above the upper bound {upper} ({peers} peers)",
        "zh": "{comparison_period} 为 {comparison_value}，本期 {value}：比值 {ratio}，同组比值中位数 {median_ratio}；"
              "HB 得分 {observed} 高于上限 {upper}（同组 {peers} 个）"},
    "detail.outlier.hb_low": {
        "en": "{value} after {comparison_value} in {comparison_period}: ratio {ratio} against the peers' median "
              "ratio {median_ratio}; HB score {observed} below the lower bound {lower} ({peers} peers)",
        "zh": "{comparison_period} 为 {comparison_value}，本期 {value}：比值 {ratio}，同组比值中位数 {median_ratio}；"
              "HB 得分 {observed} 低于下限 {lower}（同组 {peers} 个）"},
})


class OutlierParams(LongParams):
    method: Literal["robust_z", "hb"] = Field("robust_z", description=(
        "robust_z (default): the value against the peers' median and MAD; hb: Hidiroglou-Berthelot on the "
        "ratio of the value to the unit's value in the comparison period."))
    z: float = Field(3.5, gt=0, description=(
        "robust_z: largest allowed |z| = |value - median| / (1.4826 * MAD) (3.5, Iglewicz and Hoaglin)."))
    log: bool = Field(False, description=(
        "robust_z: compare logarithms (for heavy-tailed sizes); values <= 0 are then not evaluable."))
    side: Literal["both", "high", "low"] = Field("both", description=(
        "Which deviations fail: both (default), high (only above the upper bound) or low (only below the lower)."))
    min_peers: int = Field(5, ge=3, description=(
        "Fewest evaluable values (hb: ratios) in a peer group for its items to be evaluable."))
    compare: Literal["previous", "year_ago"] = Field("previous", description=(
        "hb: comparison period: previous (the period before, default) or year_ago (same period last year)."))
    U: float = Field(0.5, ge=0, le=1, description=(
        "hb: weight of size in the score, E = s * max(x(t), x(t-1))^U (0.5; 0.3 and 0.4 are also used)."))
    A: float = Field(0.05, ge=0, description=(
        "hb: least spread of the scores, as a share of their median (0.05, Hidiroglou and Berthelot)."))
    C: float = Field(4.0, gt=0, description=(
        "hb: width of the bounds in quartile distances (4, as R univOutl; 7 is also common, larger screens less)."))


@rule_kind("outlier", OutlierParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: OutlierParams = rule.params
    other = sorted((set(HB_ONLY) if p.method == "robust_z" else {"z", "log"}) & p.model_fields_set)
    if other:  # a parameter the chosen method ignores is a misunderstanding, not a no-op
        owner = "hb" if p.method == "robust_z" else "robust_z"
        raise PackError(ctx.problem(say("problem.outlier.other_method", name=other[0], owner=owner, method=p.method),
                                    other[0]))
    if p.method == "robust_z":
        long = Long(ctx, p)
        return Plan(query=_robust_z(ctx, p, long), meta={"message": _message(rule, long)})
    long = Long(ctx, p, need_period=True)
    assert long.period is not None
    plan = period_plan(_hb(ctx, p, long), p.source, long.period)
    plan.meta["message"] = _message(rule, long)
    return plan


def _message(rule: Rule, long: Long) -> dict[str, str]:
    """The default message: the rule, the indicator (one source holds many) and the detail sentence."""
    from statguard.i18n import LANGS, t
    named = long.indicator and not any(ch in long.indicator for ch in "{}.[]():!")
    parts = (["{" + long.indicator + "}"] if named else []) + ["{detail}"]
    return {lang: (rule.described(lang) or rule.id).replace("{", "{{").replace("}", "}}") + t("msg.colon", lang)
            + t("msg.colon", lang).join(parts) for lang in LANGS}


def _over(fn: exp.Expression, partition: list[str]) -> exp.Window:
    return exp.Window(this=fn, partition_by=[col(c) for c in partition])


def _from(select: exp.Select, name: str) -> exp.Subquery:
    return select.subquery(name)


def _identity(long: Long) -> list[exp.Expression]:
    out: list[exp.Expression] = [alias(col("_unit"), UNIT)]
    if long.period:
        out.append(alias(col("_period"), PERIOD))
    for role, column in (("_indicator", long.indicator), ("_peer", long.peer_group)):
        if column:
            out.append(alias(col(role), KEY + column))
    return out


def _verdict(p: OutlierParams, score: exp.Expression, lower: exp.Expression, upper: exp.Expression,
             not_evaluable: list[exp.Expression]) -> exp.Case:
    """_status: 'na' under any of `not_evaluable`, else fails beyond the bounds that `side` checks."""
    status = exp.Case()
    for cond in not_evaluable:
        status = status.when(cond, NA.copy())
    if p.side != "low":
        status = status.when(exp.GT(this=score.copy(), expression=upper.copy()), FAIL.copy())
    if p.side != "high":
        status = status.when(exp.LT(this=score.copy(), expression=lower.copy()), FAIL.copy())
    return status.else_(PASS.copy())


def _side(p: OutlierParams, score: exp.Expression, centre: exp.Expression,
          high: exp.Expression, low: exp.Expression) -> exp.Expression:
    """`high` for an item judged against the upper bound, else `low` (the bound, or the detail key)."""
    if p.side != "both":
        return (high if p.side == "high" else low).copy()
    return exp.If(this=exp.GTE(this=score.copy(), expression=centre.copy()), true=high.copy(), false=low.copy())


def _is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=e.copy(), expression=exp.Null())


def _below(e: exp.Expression, limit: int) -> exp.Expression:
    return exp.LT(this=e.copy(), expression=exp.Literal.number(limit))


def _robust_z(ctx: Context, p: OutlierParams, long: Long) -> exp.Select:
    value = col("_value")
    compared: exp.Expression = value.copy()
    if p.log:
        positive = exp.GT(this=value.copy(), expression=exp.Literal.number(0))
        compared = exp.If(this=positive, true=exp.Ln(this=value.copy()))
    rows = long.rows(ctx).select(alias(compared, "_sg_x"))
    stats = robust_stats(_from(rows, "_sg_rows"), "_sg_x", GROUP)
    med, mad, n, x = col("_sg_med"), col("_sg_mad"), col("_sg_n"), col("_sg_x")
    z = exp.Div(this=exp.paren(exp.Sub(this=x.copy(), expression=med.copy())),
                expression=exp.Nullif(this=mad.copy(), expression=exp.Literal.number(0)))
    width = exp.Mul(this=number(p.z), expression=mad.copy())
    lower = exp.paren(exp.Sub(this=med.copy(), expression=width))
    upper = exp.paren(exp.Add(this=med.copy(), expression=width.copy()))
    flat = exp.EQ(this=mad.copy(), expression=exp.Literal.number(0))
    status = _verdict(p, x, lower, upper, [_is_null(x), _below(n, p.min_peers), flat])

    def scale(e: exp.Expression) -> exp.Expression:  # back to the value's units
        return exp.Exp(this=e.copy()) if p.log else e.copy()

    expected = scale(_side(p, x, med, upper, lower))
    keys = ("detail.outlier.log_high", "detail.outlier.log_low") if p.log else (
        "detail.outlier.high", "detail.outlier.low")
    return exp.select(
        alias(status, STATUS), *_identity(long),
        alias(exp.Abs(this=z), VAL + "z"), alias(scale(med), VAL + "median"), alias(mad.copy(), VAL + "mad"),
        alias(scale(lower), VAL + "lower"), alias(scale(upper), VAL + "upper"),
        alias(n.copy(), VAL + "peers"), alias(exp.Literal.number(p.min_peers), VAL + "min_peers"),
        alias(value.copy(), OBSERVED), alias(expected, EXPECTED),
        alias(exp.Sub(this=value.copy(), expression=expected.copy()), IMBALANCE),
        alias(exp.Case()  # why an item is not evaluable, else the judgement
              .when(_is_null(x), exp.If(this=_is_null(value), true=exp.Literal.string("detail.outlier.no_value"),
                                        false=exp.Literal.string("detail.outlier.not_positive")))
              .when(_below(n, p.min_peers), exp.Literal.string("detail.outlier.few_peers"))
              .when(flat.copy(), exp.Literal.string("detail.outlier.no_spread"))
              .else_(_side(p, x, med, *(exp.Literal.string(k) for k in keys))), DETAIL),
    ).from_(stats.subquery("_sg_z"))


def _hb_rows(ctx: Context, p: OutlierParams, long: Long) -> exp.Select:
    """Every record in scope with its value x2, the unit's value x1 in the comparison period and the
    ratio r = x2 / x1 where both are single, positive records of a readable period (else NULL)."""
    assert long.period is not None
    roles = {"_unit": long.unit, "_indicator": long.indicator, "_peer": long.peer_group, "_period": long.period}
    # a unit's records of one period, counted over the source's own columns (Spark refers to no
    # alias of the same SELECT inside a window)
    dup = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[
        col(c) for c in (long.unit, long.indicator, MAPPED["label"]) if c])
    cur = exp.select(*[alias(col(c) if c else exp.Literal.string(""), name) for name, c in roles.items()],
                     alias(exp.cast(col(long.value), "DOUBLE"), "_value"),
                     *[col(MAPPED[m]) for m in ("label", "prev", "year_ago", "error")],
                     alias(dup, "_sg_dup"),
                     ).from_(_from(with_periods(ctx, p.source, long.period), "_sg_p"))
    if long.scope is not None:
        cur = cur.where(long.scope.copy())
    label = col(MAPPED["label"])
    base = exp.select(col("_unit"), col("_indicator"), label.copy(),
                      alias(exp.Min(this=col("_value")), "_sg_x1"), alias(exp.Count(this=exp.Star()), "_sg_bn"),
                      ).from_("_sg_cur").where(exp.Not(this=_is_null(label))).group_by(
        col("_unit"), col("_indicator"), label.copy())
    target = col(MAPPED["prev" if p.compare == "previous" else "year_ago"], "c")
    on = exp.and_(exp.EQ(this=col(MAPPED["label"], "b"), expression=target.copy()),
                  exp.EQ(this=col("_unit", "b"), expression=col("_unit", "c")),
                  exp.EQ(this=col("_indicator", "b"), expression=col("_indicator", "c")))
    x1, x2 = col("_sg_x1", "b"), col("_value", "c")
    zero = exp.Literal.number(0)
    single = [exp.EQ(this=col(c, t), expression=exp.Literal.number(1)) for c, t in (("_sg_dup", "c"), ("_sg_bn", "b"))]
    usable = exp.and_(_is_null(col(MAPPED["error"], "c")), *single,
                      exp.GT(this=x1.copy(), expression=zero), exp.GT(this=x2.copy(), expression=zero.copy()))
    ratio = exp.If(this=usable, true=exp.Div(this=x2.copy(), expression=x1.copy()))
    return exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("c", quoted=True)),
                      alias(target.copy(), "_sg_cmp"), alias(x1.copy(), "_sg_x1"), alias(ratio, "_sg_r")).from_(
        _table("_sg_cur", "c")).join(_table("_sg_base", "b"), on=on, join_type="left").with_(
        "_sg_cur", as_=cur).with_("_sg_base", as_=base)


def _table(name: str, alias_: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True),
                     alias=exp.TableAlias(this=exp.to_identifier(alias_, quoted=True)))


def _hb(ctx: Context, p: OutlierParams, long: Long) -> exp.Select:
    r, x1, x2 = col("_sg_r"), col("_sg_x1"), col("_value")
    rmed, n = col("_sg_rmed"), col("_sg_n")
    ranked = exp.select(exp.Star(), alias(_over(exp.Median(this=r.copy()), HB_GROUP), "_sg_rmed"),
                        alias(_over(exp.Count(this=r.copy()), HB_GROUP), "_sg_n")).from_(
        _from(_hb_rows(ctx, p, long), "_sg_hb0"))
    one = exp.Literal.number(1)
    centred = exp.Case().when(exp.LT(this=r.copy(), expression=rmed.copy()),
                              exp.Sub(this=one, expression=exp.Div(this=rmed.copy(), expression=r.copy()))).else_(
        exp.Sub(this=exp.Div(this=r.copy(), expression=rmed.copy()), expression=one.copy()))
    size = exp.Pow(this=exp.Greatest(this=x1.copy(), expressions=[x2.copy()]), expression=number(p.U))
    scored = exp.select(exp.Star(), alias(exp.Mul(this=exp.paren(centred), expression=size), "_sg_e")).from_(
        _from(ranked, "_sg_hb1"))
    e = col("_sg_e")
    quartiles = [alias(_over(exp.PercentileCont(this=e.copy(), expression=number(q)), HB_GROUP), name)
                 for q, name in ((0.25, "_sg_q1"), (0.5, "_sg_qm"), (0.75, "_sg_q3"))]
    framed = exp.select(exp.Star(), *quartiles).from_(_from(scored, "_sg_hb2"))
    q1, qm, q3 = col("_sg_q1"), col("_sg_qm"), col("_sg_q3")
    least = exp.Abs(this=exp.Mul(this=number(p.A), expression=qm.copy()))
    d1 = exp.Greatest(this=exp.Sub(this=qm.copy(), expression=q1.copy()), expressions=[least])
    d3 = exp.Greatest(this=exp.Sub(this=q3.copy(), expression=qm.copy()), expressions=[least.copy()])
    spread = exp.select(exp.Star(), alias(d1, "_sg_d1"), alias(d3, "_sg_d3")).from_(_from(framed, "_sg_hb3"))
    d1, d3 = col("_sg_d1"), col("_sg_d3")
    lower = exp.paren(exp.Sub(this=qm.copy(), expression=exp.Mul(this=number(p.C), expression=d1.copy())))
    upper = exp.paren(exp.Add(this=qm.copy(), expression=exp.Mul(this=number(p.C), expression=d3.copy())))
    # no spread on a checked side of the median score (scores tied with it): distances cannot be scaled
    zero = exp.Literal.number(0)
    flat = [exp.and_(exp.GT(this=e.copy(), expression=qm.copy()), exp.EQ(this=d3.copy(), expression=zero.copy()))
            ] if p.side != "low" else []
    if p.side != "high":
        flat.append(exp.and_(exp.LT(this=e.copy(), expression=qm.copy()), exp.EQ(this=d1.copy(), expression=zero)))
    status = _verdict(p, e, lower, upper, [_is_null(e), _below(n, p.min_peers), *flat])
    expected = _side(p, e, qm, upper, lower)
    keys = (exp.Literal.string("detail.outlier.hb_high"), exp.Literal.string("detail.outlier.hb_low"))
    detail = (exp.Case().when(_is_null(e), exp.Literal.string("detail.outlier.hb_no_ratio"))  # why not evaluable
              .when(_below(n, p.min_peers), exp.Literal.string("detail.outlier.few_peers"))
              .when(exp.or_(*flat) if flat else exp.false(), exp.Literal.string("detail.outlier.hb_no_spread"))
              .else_(_side(p, e, qm, *keys)))
    return exp.select(
        alias(status, STATUS), *_identity(long),
        alias(x2.copy(), VAL + "value"), alias(col("_sg_cmp"), VAL + "comparison_period"),
        alias(x1.copy(), VAL + "comparison_value"), alias(r.copy(), VAL + "ratio"),
        alias(rmed.copy(), VAL + "median_ratio"), alias(qm.copy(), VAL + "score_median"),
        alias(q1.copy(), VAL + "score_q1"), alias(q3.copy(), VAL + "score_q3"),
        alias(lower.copy(), VAL + "lower"), alias(upper.copy(), VAL + "upper"),
        alias(n.copy(), VAL + "peers"), alias(exp.Literal.number(p.min_peers), VAL + "min_peers"),
        alias(e.copy(), OBSERVED), alias(expected, EXPECTED),
        alias(exp.Sub(this=e.copy(), expression=expected.copy()), IMBALANCE),
        alias(detail, DETAIL),
    ).from_(_from(spread, "_sg_hb4"))
