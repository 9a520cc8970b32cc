"""Digit patterns of invented figures: Benford's law for leading digits, last-digit uniformity, round-number heaping.

People who invent figures choose digits unlike the digits of measured ones:
too few leading 1s, favourite last digits, too many round numbers. One rule
runs one `test` on groups of values pooled `by` unit (default), indicator,
peer group or unit and indicator; an item is one group.

Tests and their expected distributions:
- first: first significant digit 1-9, Benford P(d) = log10(1 + 1/d);
- second: second significant digit 0-9, Benford's second-digit law;
- first_two: first two significant digits 10-99, P(dd) = log10(1 + 1/dd);
- last: units digit 0-9 of values of at least 100, uniform;
- round: share of values of at least 100 whose integer part ends in 0 or 5
  (expected 0.2), shown split into whole values with at most two significant
  digits (1200, 35000; expected share 10^(2 - number of digits) each, if
  trailing digits were uniform), other values ending in 0 or 5, and the rest.

Digits are read from the value as a number (the typed source, so `where`
works on it): the sign is dropped (negative values count by their absolute
value), zeros, NULLs and text that is not a number are left out, and so are
values without the digit a test needs (second and first_two need two
significant digits: 12, 0.12 and 20 count, 2 and 0.2 do not; last and round
need an integer part of at least three digits, where the units digit is
close to uniform). Last and round look at the integer part because reported
decimals do not survive a number column (766.40 arrives as 766.4), so the
last reported digit cannot be read alike from CSV, Excel and Parquet.

A group is judged on two measures (Nigrini 2012, as benford_py and the R
package benford.analysis implement them): the mean absolute deviation (MAD)
of observed from expected proportions against a conformity level (first
digit close / acceptable / marginal 0.006 / 0.012 / 0.015; second digit
0.008 / 0.010 / 0.012; first two digits 0.0012 / 0.0018 / 0.0022; a group
fails above the chosen level, default marginal), and Pearson's chi-square
test at `alpha` (critical value from the chi-square distribution, df = digits
- 1; for round df = 1 on the 0-or-5 share). The last-digit test has no
published MAD levels: its default `max_mad` 0.02 (an average miss of two
points per digit) is statguard's; round compares the share with
`max_round_share` (default 0.3). By default a group fails when both measures
say so (`fail_when: both`): chi-square alone condemns large groups for trivia
and MAD alone is noise in small ones (its chance level at n values is about
0.8 * mean(sqrt(p(1 - p))) / sqrt(n): 0.011 for the first digit at n = 480,
a unit's 20 series over 2 years; `excess_mad` subtracts it, after Barney and
Schulzke 2016).

Not evaluable: a group with fewer than `min_n` values carrying the digit
(default first 60, second 100, first_two 300, last 60, round 30), or whose
group column is NULL; a group whose values are all the same (a constant says
nothing about digits: `perfect` with `check: constant` finds it); and, for
first and first_two, a group whose values span too few orders of magnitude
for Benford's law to be expected: the middle 90% (5th to 95th percentile of
the absolute values) must span `min_orders` (default 1.2, a ratio of about
16). Honest figures of similar size, such as one indicator of 30 counties of
a size, have first digits far from Benford's (lognormal figures whose middle
90% span 1 order of magnitude miss it by a MAD of about 0.023, beyond the
marginal 0.015; at 1.2 orders by about 0.011); the second digit depends far
less on the spread and has no such bound by default. Per-unit groups have little power; pooling `by:
indicator` or `by: peer_group` finds an invented series mix that per-unit
Benford misses.

Passing example (figures of units pooled per peer group):

    - id: DG-01
      kind: digits
      source: figures
      test: first
      by: peer_group

Failing data for it: a peer group of 300 figures whose first digits are
spread evenly over 1-9 (about 33 each), as invented figures often are: MAD
0.0657 against 0.015 and chi-square 167 against a critical 20.09.
"""

from __future__ import annotations

import math
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
    number,
)
from statguard.checks.plausibility.common import (
    INDICATORS_DOC,
    IndicatorTable,
    Long,
    LongParams,
    indicator_sources,
    verdict,
    without_exempt,
)
from statguard.checks.registry import rule_kind
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, say
from statguard.pack.model import Rule

Test = Literal["first", "second", "first_two", "last", "round"]
NIGRINI = {  # MAD conformity levels, Nigrini (2012) table 7.1 (benford_py's mad_dict)
    "first": {"close": 0.006, "acceptable": 0.012, "marginal": 0.015},
    "second": {"close": 0.008, "acceptable": 0.010, "marginal": 0.012},
    "first_two": {"close": 0.0012, "acceptable": 0.0018, "marginal": 0.0022},
}
MIN_N = {"first": 60, "second": 100, "first_two": 300, "last": 60, "round": 30}
LAST_MAX_MAD = 0.02
MIN_ORDERS = {"first": 1.2, "first_two": 1.2}  # orders of magnitude the middle 90% of values must span
SPREAD = (0.05, 0.95)  # the percentiles whose ratio is the spread
ROUND_LABELS = ["<=2 sig", "0/5", "other"]  # whole with <= 2 significant digits, ends in 0 or 5, rest
ROUND_SHARE = 0.2  # integer parts ending in 0 or 5, if their units digit is uniform
ROUND_FROM = 100  # last and round: values with an integer part of at least three digits
TOO_BIG = 1e15  # beyond this a double's integer part is no longer exact

register({
    "problem.digits.conformity": {"en": "'conformity' applies to first, second and first_two; test '{test}' uses "
                                        "{instead}",
                                  "zh": "'conformity' 只适用于 first、second 和 first_two；"
                                        "检验 '{test}' 请用 {instead}"},
    "problem.digits.both": {"en": "give 'conformity' or 'max_mad', not both",
                            "zh": "'conformity' 和 'max_mad' 只能给出其一"},
    "problem.digits.round": {"en": "test 'round' compares a share: use 'max_round_share'",
                             "zh": "检验 'round' 比较的是占比：请用 'max_round_share'"},
    "problem.digits.by": {"en": "by: {by} needs a {field} column: source '{source}' has no '{field}'; give '{field}:'",
                          "zh": "by: {by} 需要 {field} 列：数据源「{source}」没有 '{field}' 列；请给出 '{field}:'"},
    "detail.digits.too_few": {
        "en": "only {n} values carry the tested digit; at least {min_n} are needed to judge",
        "zh": "只有 {n} 个数值含有所检验的数字，至少需要 {min_n} 个才能判断"},
    "detail.digits.constant": {
        "en": "all {n} values are the same: a constant says nothing about digits (the perfect kind's check "
              "constant finds it)",
        "zh": "{n} 个数值全部相同：常数不能说明数字分布（perfect 的 constant 检查可以发现它）"},
    "detail.digits.narrow": {
        "en": "the middle 90% of the {n} values span {orders} orders of magnitude ({p5} to {p95}); Benford's law "
              "is expected only of figures spread over at least {min_orders}",
        "zh": "{n} 个数值中间 90% 只跨 {orders} 个数量级（{p5} 至 {p95}）；本福特定律只适用于至少跨 {min_orders} "
              "个数量级的数值"},
    "detail.digits.no_group": {"en": "no group: the group column is empty", "zh": "无分组：分组列为空"},
    "detail.digits.first": {
        "en": "first digits of {n} values depart from Benford's law: MAD {mad} (limit {mad_limit}), "
              "chi-square {chi2} (critical {chi2_critical})",
        "zh": "{n} 个数值的首位数字分布偏离本福特定律：MAD {mad}（上限 {mad_limit}），"
              "卡方 {chi2}（临界值 {chi2_critical}）"},
    "detail.digits.second": {
        "en": "second digits of {n} values depart from Benford's law: MAD {mad} (limit {mad_limit}), "
              "chi-square {chi2} (critical {chi2_critical})",
        "zh": "{n} 个数值的第二位数字分布偏离本福特定律：MAD {mad}（上限 {mad_limit}），"
              "卡方 {chi2}（临界值 {chi2_critical}）"},
    "detail.digits.first_two": {
        "en": "first two digits of {n} values depart from Benford's law: MAD {mad} (limit {mad_limit}), "
              "chi-square {chi2} (critical {chi2_critical})",
        "zh": "{n} 个数值的前两位数字分布偏离本福特定律：MAD {mad}（上限 {mad_limit}），"
              "卡方 {chi2}（临界值 {chi2_critical}）"},
    "detail.digits.last": {
        "en": "units digits of {n} values are not evenly spread: MAD {mad} (limit {mad_limit}), "
              "chi-square {chi2} (critical {chi2_critical})",
        "zh": "{n} 个数值的个位数字分布不均匀：MAD {mad}（上限 {mad_limit}），卡方 {chi2}（临界值 {chi2_critical}）"},
    "detail.digits.round": {
        "en": "{round_share} of the {n} values end in 0 or 5 (limit {max_round_share}, about 20% expected), "
              "{two_digit_share} have at most two significant digits; chi-square {chi2} (critical {chi2_critical})",
        "zh": "{n} 个数值中个位为 0 或 5 的占 {round_share}（上限 {max_round_share}，正常约 20%），"
              "只有一两位有效数字的占 {two_digit_share}；卡方 {chi2}（临界值 {chi2_critical}）"},
})


class DigitsParams(LongParams):
    test: Test = Field("first", description=(
        "Which digits are tested: first (Benford, digits 1-9), second (Benford, 0-9), first_two (Benford, 10-99), "
        "last (units digit of values >= 100, uniform) or round (share of values >= 100 ending in 0 or 5)."))
    by: Literal["unit", "indicator", "peer_group", "unit_indicator"] = Field("unit", description=(
        "How values are pooled into the groups judged: per unit (default), per indicator across units, per peer "
        "group, or per unit and indicator."))
    min_n: int | None = Field(None, ge=1, description=(
        "Fewest values carrying the tested digit for a group to be judged; fewer makes it not evaluable "
        "(default: first 60, second 100, first_two 300, last 60, round 30)."))
    min_orders: float | None = Field(None, ge=0, description=(
        "Fewest orders of magnitude the middle 90% of a group's values (5th to 95th percentile of the absolute "
        "values) must span for Benford's law to be expected; a narrower group is not evaluable (default: first "
        "and first_two 1.2, other tests 0)."))
    conformity: Literal["close", "acceptable", "marginal"] | None = Field(None, description=(
        "Nigrini's MAD conformity level a group must reach (first, second and first_two only): close, acceptable "
        "or marginal (default)."))
    max_mad: float | None = Field(None, gt=0, description=(
        "Largest acceptable MAD, instead of a conformity level (default for last: 0.02)."))
    excess_mad: bool = Field(False, description=(
        "Compare the MAD less the MAD expected by chance at the group's size (excess MAD) with the limit."))
    max_round_share: float = Field(0.3, gt=0, lt=1, description=(
        "round: largest acceptable share of values ending in 0 or 5 (0.2 expected)."))
    alpha: float = Field(0.01, gt=0, lt=1, description="Significance level of the chi-square test.")
    fail_when: Literal["both", "either", "mad", "chi2"] = Field("both", description=(
        "Which measures must fail for a group to fail: both (default), either, mad (for round: the share) or chi2."))
    indicators: str | IndicatorTable | None = Field(None, description=INDICATORS_DOC)
    exempt_kinds: list[str] = Field(["stock"], description=(
        "With indicators: the indicator kinds left out (default [stock]: a balance that stays flat for months "
        "repeats its digits, which says nothing about invention)."))

    def source_names(self) -> list[str]:
        return [self.source, *indicator_sources(self.indicators)]


def expected(test: str) -> tuple[list[str], list[float]]:
    """Digit labels and their expected proportions (round: the constant part, see `_round_stats`)."""
    if test == "first":
        return [str(d) for d in range(1, 10)], [math.log10(1 + 1 / d) for d in range(1, 10)]
    if test == "second":
        return ([str(d) for d in range(10)],
                [sum(math.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)])
    if test == "first_two":
        return [str(d) for d in range(10, 100)], [math.log10(1 + 1 / d) for d in range(10, 100)]
    if test == "last":
        return [str(d) for d in range(10)], [0.1] * 10
    return list(ROUND_LABELS), [0.0, ROUND_SHARE, 1 - ROUND_SHARE]


def chance_mad(probs: list[float]) -> float:
    """C such that C / sqrt(n) is the MAD expected by chance at n values: mean of E|p_hat - p| under a
    normal approximation, sqrt(2 p (1 - p) / pi / n)."""
    return sum(math.sqrt(2 * p * (1 - p) / math.pi) for p in probs) / len(probs)


def _limits(ctx: Context, p: DigitsParams) -> tuple[float, int, float]:
    """(MAD or share limit, min_n, chi-square critical value), checking the parameters fit the test."""
    from scipy.stats import chi2
    if p.conformity and p.test not in NIGRINI:
        raise PackError(ctx.problem(say("problem.digits.conformity", test=p.test,
                                        instead="max_round_share" if p.test == "round" else "max_mad"), "conformity"))
    if p.conformity and p.max_mad is not None:
        raise PackError(ctx.problem(say("problem.digits.both"), "max_mad"))
    if p.test == "round" and (p.max_mad is not None or p.excess_mad):
        raise PackError(ctx.problem(say("problem.digits.round"),
                                    "max_mad" if p.max_mad is not None else "excess_mad"))
    if p.test == "round":
        limit = p.max_round_share
    elif p.max_mad is not None:
        limit = p.max_mad
    else:
        limit = NIGRINI[p.test][p.conformity or "marginal"] if p.test in NIGRINI else LAST_MAX_MAD
    df = 1 if p.test == "round" else len(expected(p.test)[0]) - 1
    return limit, p.min_n or MIN_N[p.test], float(chi2.ppf(1 - p.alpha, df))


def _group_roles(ctx: Context, p: DigitsParams, long: Long) -> list[str]:
    roles = {"unit": ["_unit"], "indicator": ["_indicator"], "peer_group": ["_peer"],
             "unit_indicator": ["_unit", "_indicator"]}[p.by]
    for role, field_name in (("_indicator", "indicator"), ("_peer", "peer_group")):
        if role in roles and long.needed(ctx, field_name, "by") is None:
            raise PackError(ctx.problem(say("problem.digits.by", by=p.by, field=field_name, source=p.source), "by"))
    return roles


@rule_kind("digits", DigitsParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: DigitsParams = rule.params
    long = Long(ctx, p)
    limit, min_n, critical = _limits(ctx, p)
    roles = _group_roles(ctx, p, long)
    labels, probs = expected(p.test)
    rows = without_exempt(ctx, long.rows(ctx), long, p.indicators, p.exempt_kinds)
    rows = rows.select(alias(_digit(p.test, quote_column("_value")), "_sg_k"))
    if p.test == "round":
        rows = rows.select(alias(_two_digit_chance(quote_column("_value")), "_sg_p2"))
    grouped = _counts(rows, roles, labels, p.test)
    stats = _round_stats(grouped) if p.test == "round" else _benford_stats(grouped, labels, probs, p.excess_mad)
    names = {"_unit": long.unit, "_indicator": long.indicator, "_peer": long.peer_group}
    min_orders = p.min_orders if p.min_orders is not None else MIN_ORDERS.get(p.test, 0.0)
    return Plan(query=_judged(p, stats, roles, names, limit, min_n, critical, min_orders),
                order_by=[f'"{OBSERVED}" DESC NULLS LAST'])


def _digit(test: str, value: exp.Expression) -> exp.Expression:
    """The tested digit(s) of a value as text, NULL when it has none."""
    magnitude = exp.Abs(this=value)
    if test in ("last", "round"):
        return _integer_digit(test, magnitude)
    text = exp.cast(magnitude, "VARCHAR")
    text = exp.RegexpReplace(this=text, expression=exp.Literal.string("[eE].*$"), replacement=exp.Literal.string(""))
    text = exp.RegexpReplace(this=text, expression=exp.Literal.string("\\.0$"), replacement=exp.Literal.string(""))
    digits = exp.RegexpReplace(this=text, expression=exp.Literal.string("[^0-9]"), replacement=exp.Literal.string(""),
                               modifiers=exp.Literal.string("g"))
    significant = exp.Trim(this=digits, expression=exp.Literal.string("0"), position="LEADING")
    need, start, length = {"first": (1, 1, 1), "second": (2, 2, 1), "first_two": (2, 1, 2)}[test]
    enough = exp.GTE(this=exp.Length(this=significant), expression=exp.Literal.number(need))
    piece = exp.Substring(this=significant.copy(), start=exp.Literal.number(start), length=exp.Literal.number(length))
    return exp.Case().when(enough, piece)


def _in_integer_range(magnitude: exp.Expression) -> exp.Expression:
    return exp.and_(exp.GTE(this=magnitude.copy(), expression=number(ROUND_FROM)),
                    exp.LT(this=magnitude.copy(), expression=number(TOO_BIG)))


def _integer_part(magnitude: exp.Expression) -> exp.Expression:
    return exp.cast(exp.Floor(this=magnitude.copy()), "BIGINT")


def _integer_digit(test: str, magnitude: exp.Expression) -> exp.Expression:
    units = exp.Mod(this=_integer_part(magnitude), expression=exp.Literal.number(10))
    if test == "last":
        return exp.Case().when(_in_integer_range(magnitude), exp.cast(units, "VARCHAR"))
    whole = exp.EQ(this=magnitude.copy(), expression=exp.Floor(this=magnitude.copy()))
    text = exp.cast(_integer_part(magnitude), "VARCHAR")
    significant = exp.Length(this=exp.Trim(this=text, expression=exp.Literal.string("0"), position="TRAILING"))
    two = exp.and_(whole, exp.LTE(this=significant, expression=exp.Literal.number(2)))
    ends = exp.In(this=exp.Mod(this=_integer_part(magnitude), expression=exp.Literal.number(5)),
                  expressions=[exp.Literal.number(0)])
    return (exp.Case().when(exp.Not(this=exp.paren(_in_integer_range(magnitude))), exp.Null())
            .when(two, exp.Literal.string(ROUND_LABELS[0])).when(ends, exp.Literal.string(ROUND_LABELS[1]))
            .else_(exp.Literal.string(ROUND_LABELS[2])))


def _two_digit_chance(value: exp.Expression) -> exp.Expression:
    """The chance that a value with this many integer digits has at most two significant ones if its
    trailing digits were uniform: 10^(2 - digits)."""
    magnitude = exp.Abs(this=value)
    digits = exp.Length(this=exp.cast(_integer_part(magnitude), "VARCHAR"))
    chance = exp.Pow(this=exp.Literal.number(10), expression=exp.Sub(this=exp.Literal.number(2), expression=digits))
    return exp.Case().when(_in_integer_range(magnitude), chance)


def _counts(rows: exp.Select, roles: list[str], labels: list[str], test: str) -> exp.Select:
    """One row per group: _sg_n (values with the digit), _sg_c<i> (values with digit labels[i]),
    _sg_units (units pooled) and, for round, _sg_s2 (sum of the two-digit chances)."""
    k = quote_column("_sg_k")
    counts = [alias(exp.Sum(this=exp.Case().when(exp.EQ(this=k.copy(), expression=exp.Literal.string(label)),
                                                  exp.Literal.number(1)).else_(exp.Literal.number(0))), f"_sg_c{i}")
              for i, label in enumerate(labels)]
    extra = [alias(exp.Sum(this=exp.If(this=exp.Not(this=exp.Is(this=k.copy(), expression=exp.Null())),
                                       true=quote_column("_sg_p2"), false=exp.Literal.number(0))), "_sg_s2")
             ] if test == "round" else []
    units = exp.Count(this=exp.Distinct(expressions=[quote_column("_unit")]))
    magnitude = exp.Case().when(exp.Not(this=exp.Is(this=k.copy(), expression=exp.Null())),
                                exp.Abs(this=quote_column("_value")))
    spread = [alias(exp.PercentileCont(this=magnitude.copy(), expression=number(q)), name)
              for q, name in zip(SPREAD, ("_sg_lo", "_sg_hi"), strict=True)]
    spread += [alias(exp.Min(this=magnitude.copy()), "_sg_min"), alias(exp.Max(this=magnitude.copy()), "_sg_max")]
    return (exp.select(*(quote_column(r) for r in roles), alias(exp.Count(this=k.copy()), "_sg_n"),
                       alias(units, "_sg_units"), *counts, *extra, *spread)
            .from_(rows.subquery("_sg_rows")).group_by(*(quote_column(r) for r in roles)))


def _count_list(k: int) -> exp.Array:
    return exp.Array(expressions=[exp.cast(quote_column(f"_sg_c{i}"), "BIGINT") for i in range(k)])


def _share(count: exp.Expression) -> exp.Expression:
    n = exp.Nullif(this=quote_column("_sg_n"), expression=exp.Literal.number(0))
    return exp.Div(this=exp.cast(count, "DOUBLE"), expression=n)


def _rounded(value: exp.Expression, places: int) -> exp.Expression:
    return exp.Round(this=value, decimals=exp.Literal.number(places))


def _benford_stats(grouped: exp.Select, labels: list[str], probs: list[float], excess: bool) -> exp.Select:
    """Per group: MAD, chi-square and the distributions, columns _sg_mad, _sg_stat (what is compared with
    the limit), _sg_chi2, _sg_obs, _sg_exp, _sg_counts."""
    n = exp.cast(quote_column("_sg_n"), "DOUBLE")
    shares = [_share(quote_column(f"_sg_c{i}")) for i in range(len(labels))]
    misses = [exp.Abs(this=exp.Sub(this=s, expression=number(q))) for s, q in zip(shares, probs, strict=True)]
    mad = exp.Div(this=_total(misses), expression=exp.Literal.number(len(labels)))
    chi2 = _total([_pearson(quote_column(f"_sg_c{i}"), n, q) for i, q in enumerate(probs)])
    stat = quote_column("_sg_mad")
    if excess:
        chance = exp.Div(this=number(chance_mad(probs)), expression=exp.Sqrt(this=exp.Nullif(
            this=n.copy(), expression=exp.Literal.number(0))))
        stat = exp.Sub(this=stat, expression=chance)
    inner = grouped.subquery("_sg_counts")
    with_mad = exp.select(exp.Star(), alias(mad, "_sg_mad"), alias(chi2, "_sg_chi2"),
                          alias(exp.Array(expressions=[_rounded(s.copy(), 4) for s in shares]), "_sg_obs"),
                          alias(exp.Array(expressions=[number(round(q, 4)) for q in probs]), "_sg_exp"),
                          alias(_count_list(len(labels)), "_sg_counts")).from_(inner)
    return exp.select(exp.Star(), alias(stat, "_sg_stat")).from_(with_mad.subquery("_sg_mads"))


def _round_stats(grouped: exp.Select) -> exp.Select:
    """Per group: the 0-or-5 share (_sg_stat), its chi-square on one degree of freedom, the two-digit share
    and the distributions of the three categories (expected two-digit share: mean of the chances)."""
    n = exp.cast(quote_column("_sg_n"), "DOUBLE")
    rounded = exp.Add(this=quote_column("_sg_c0"), expression=quote_column("_sg_c1"))
    share = _share(rounded.copy())
    two_chance = _share(quote_column("_sg_s2"))
    gap = exp.Sub(this=exp.cast(rounded, "DOUBLE"), expression=exp.Mul(this=n.copy(), expression=number(ROUND_SHARE)))
    chi2 = exp.Div(this=exp.Pow(this=exp.paren(gap), expression=exp.Literal.number(2)),
                   expression=exp.paren(exp.Mul(this=exp.Nullif(this=n.copy(), expression=exp.Literal.number(0)),
                                                expression=number(ROUND_SHARE * (1 - ROUND_SHARE)))))
    observed = [_rounded(_share(quote_column(f"_sg_c{i}")), 4) for i in range(3)]
    expected_shares = [_rounded(two_chance, 4),
                       _rounded(exp.Sub(this=number(ROUND_SHARE), expression=two_chance.copy()), 4),
                       number(1 - ROUND_SHARE)]
    return exp.select(exp.Star(), alias(share, "_sg_stat"), alias(exp.Null(), "_sg_mad"), alias(chi2, "_sg_chi2"),
                      alias(_share(quote_column("_sg_c0")), "_sg_two"),
                      alias(exp.Array(expressions=observed), "_sg_obs"),
                      alias(exp.Array(expressions=expected_shares), "_sg_exp"),
                      alias(_count_list(3), "_sg_counts")
                      ).from_(grouped.subquery("_sg_counts"))


def _pearson(count: exp.Expression, n: exp.Expression, q: float) -> exp.Expression:
    """(count - n q)^2 / (n q): a cell's term of Pearson's chi-square."""
    due = exp.Mul(this=n.copy(), expression=number(q))
    gap = exp.Sub(this=exp.cast(count, "DOUBLE"), expression=due.copy())
    return exp.Div(this=exp.Pow(this=exp.paren(gap), expression=exp.Literal.number(2)),
                   expression=exp.paren(exp.Nullif(this=due, expression=exp.Literal.number(0))))


def _total(terms: list[exp.Expression]) -> exp.Expression:
    total = terms[0]
    for term in terms[1:]:
        total = exp.Add(this=total, expression=term)
    return exp.paren(total)


def _judged(p: DigitsParams, stats: exp.Select, roles: list[str], names: dict[str, str | None],
            limit: float, min_n: int, critical: float, min_orders: float) -> exp.Select:
    stat, chi2 = quote_column("_sg_stat"), quote_column("_sg_chi2")
    over = exp.GT(this=stat.copy(), expression=number(limit))
    significant = exp.GT(this=chi2.copy(), expression=number(critical))
    failing = {"both": exp.and_(over, significant), "either": exp.or_(over, significant), "mad": over,
               "chi2": significant}[p.fail_when]
    missing = exp.or_(*(exp.Is(this=quote_column(r), expression=exp.Null()) for r in roles))
    too_few = exp.LT(this=quote_column("_sg_n"), expression=exp.Literal.number(min_n))
    constant = exp.EQ(this=quote_column("_sg_min"), expression=quote_column("_sg_max"))
    orders = exp.Log(this=exp.Literal.number(10), expression=exp.Div(this=quote_column("_sg_hi"), expression=exp.Nullif(
        this=quote_column("_sg_lo"), expression=exp.Literal.number(0))))
    narrow = exp.LT(this=orders.copy(), expression=number(min_orders)) if min_orders > 0 else exp.false()
    status, detail = verdict([*((condition, "na", f"detail.digits.{why}") for condition, why in (
        (missing, "no_group"), (too_few, "too_few"), (constant, "constant"), (narrow, "narrow"))),
        (failing, "fail", f"detail.digits.{p.test}")])
    identity = []
    for role in roles:
        if role == "_unit":
            identity.append(alias(quote_column(role), UNIT))
        else:
            identity.append(alias(quote_column(role), KEY + str(names[role])))
    observed = _rounded(stat.copy(), 6)
    labels = expected(p.test)[0]
    values = [("n", quote_column("_sg_n")), ("units", quote_column("_sg_units")),
              ("mad", _rounded(quote_column("_sg_mad"), 6)),
              ("mad_limit", number(limit)), ("chi2", _rounded(chi2.copy(), 4)),
              ("chi2_critical", number(round(critical, 4))),
              ("digits", exp.Array(expressions=[exp.Literal.string(d) for d in labels])),
              ("observed_distribution", quote_column("_sg_obs")), ("expected_distribution", quote_column("_sg_exp")),
              ("counts", quote_column("_sg_counts")), ("min_n", exp.Literal.number(min_n)),
              ("orders", _rounded(orders, 2)), ("p5", _rounded(quote_column("_sg_lo"), 4)),
              ("p95", _rounded(quote_column("_sg_hi"), 4)), ("min_orders", number(min_orders))]
    if p.test == "round":
        values[2:4] = [("round_share", observed.copy()), ("max_round_share", number(limit)),
                       ("two_digit_share", _rounded(quote_column("_sg_two"), 4))]
    if p.excess_mad:
        values.append(("excess_mad", observed.copy()))
    return exp.select(alias(status, STATUS), *identity, *(alias(v, VAL + name) for name, v in values),
                      alias(observed, OBSERVED), alias(number(limit), EXPECTED),
                      alias(_rounded(exp.Sub(this=stat.copy(), expression=number(limit)), 6), IMBALANCE),
                      alias(detail, DETAIL)).from_(stats.subquery("_sg_stats"))
