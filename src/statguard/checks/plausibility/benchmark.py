"""A figure outside its benchmark band, or ratios of one scope implying very different denominators.

`check: band` (default) compares each figure with the plausibility band of a
benchmark table (columns indicator, low, high, and optionally scope, peer_group
and citation; names configurable under `benchmarks`). The figure is a record's
value of its indicator, or with `ratio` a per-capita or per-unit figure
computed per unit, period and scope as numerator / denominator * `scale` from
two indicators of the long-format source (e.g. commercial floor space over
resident population, scale 1: m2 per resident), looked up in the table under
`ratio.name`. A benchmark row without a scope (or peer group) applies to every
scope (or peer group); the most specific row applies: scope and peer group,
then scope alone, then peer group alone, then neither. `low` or `high` may be
empty for a one-sided band. One violation per figure below `low` or above
`high`, with the band, its citation, the bound crossed (expected), the distance
(imbalance) and the distance in percent of the bound (`val:outside_pct`).

`check: implied_denominator` takes `pairs` of a figure and its ratio per `per`
(hospital beds and beds per 1,000 people, per 1000): each pair implies a
denominator figure / ratio * per (a population). Per unit, period and scope,
the item fails when the largest implied denominator exceeds the smallest by
more than `max_ratio` times (default 1.25: a city's resident and registered
populations, the two usual denominators, commonly differ by up to a fifth, so
a larger gap means one of the figures, or its scope, is not what it says).
One violation per scope, with every pair's implied denominator and which pairs
imply the lowest and the highest.

Not evaluable (never a violation): a missing value; no benchmark for the
indicator and scope, several benchmark rows equally specific for it (the band
is ambiguous), or a row with neither bound; for a ratio or a pair, a missing
numerator or denominator (or figure or ratio), several records for one of
them in the same unit, period and scope, or a denominator (ratio) of 0; a
pair implying a denominator <= 0 is left out; fewer than two usable pairs in a
scope. Figures without a scope column are all of one scope per unit and
period, and only benchmarks without a scope apply to them.

Passing example (commercial floor space per resident within the band for
small and medium cities; the benchmark table holds 人均商业面积, 全市,
0.8, 1.2, 中小城市控制标准):

    - id: BM-01
      kind: benchmark
      source: figures
      ratio: {numerator: 商业面积, denominator: 常住人口, name: 人均商业面积}
      benchmarks: {source: benchmarks}

Failing data for it: 商业面积 4260500 m2 and 常住人口 1231358 for 全市 in
2024: 3.46 m2 per resident, 2.26 above the upper bound 1.2 (188.3% of it).
With `check: implied_denominator` and pairs (商业面积, 人均商业面积, per 1)
and (床位数, 每千人床位数, per 1000), 4260500 / 3.46 = 1231358 people
against 14585 / 4.58 * 1000 = 3184498 people: 2.59 times, more than 1.25.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
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
from statguard.checks.plausibility.common import Long, LongParams, column_or_default
from statguard.checks.registry import rule_kind
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, say
from statguard.pack.model import Rule

EPS = 1e-9
LEVELS = ("_sg_l3", "_sg_l2", "_sg_l1", "_sg_l0")  # benchmark rows by specificity, most specific first

register({
    "problem.benchmark.no_indicator": {"en": "source '{source}' has no indicator column; give 'indicator:'",
                                       "zh": "数据源「{source}」没有指标列；请给出 'indicator:'"},
    "detail.benchmark.above": {
        "en": "{value} is above the benchmark band {low} to {high} ({citation}) by {imbalance}, "
              "{outside_pct}% of the bound",
        "zh": "{value} 高于参考区间 {low}～{high}（{citation}）{imbalance}，超出上限的 {outside_pct}%"},
    "detail.benchmark.below": {
        "en": "{value} is below the benchmark band {low} to {high} ({citation}) by {imbalance}, "
              "{outside_pct}% of the bound",
        "zh": "{value} 低于参考区间 {low}～{high}（{citation}）{imbalance}，低于下限的 {outside_pct}%"},
    "detail.benchmark.no_benchmark": {
        "en": "no benchmark for this indicator and scope", "zh": "该指标和口径没有参考区间"},
    "detail.benchmark.ambiguous": {
        "en": "several benchmarks apply equally to this indicator and scope",
        "zh": "该指标和口径有多条同等适用的参考区间"},
    "detail.benchmark.missing": {
        "en": "a figure the comparison needs is missing", "zh": "缺少比较所需的数值"},
    "detail.benchmark.several": {
        "en": "several records for one indicator of this unit, period and scope",
        "zh": "同一单位、期别和口径的某个指标有多条记录"},
    "detail.benchmark.zero_denominator": {
        "en": "the denominator is 0", "zh": "分母为 0"},
    "detail.benchmark.implied": {
        "en": "{highest_from} implies a denominator of {highest}, {lowest_from} one of {lowest}: "
              "{spread} times as much (at most {expected} expected)",
        "zh": "{highest_from} 推算的分母为 {highest}，{lowest_from} 推算的为 {lowest}，"
              "相差 {spread} 倍（应不超过 {expected} 倍）"},
    "detail.benchmark.few_pairs": {
        "en": "fewer than two figures with their ratio in this scope",
        "zh": "该口径下能推算分母的数值与比率不足两对"},
})


register({  # the parameters together (a validator's messages, said in the pack's language)
    "problem.benchmark.band_needs_table": {"en": "check: band needs 'benchmarks' (the table of bands)",
                                           "zh": "check: band 需要 'benchmarks'（参考区间表）"},
    "problem.benchmark.pairs_not_band": {"en": "'pairs' belong to check: implied_denominator",
                                         "zh": "'pairs' 只适用于 check: implied_denominator"},
    "problem.benchmark.two_pairs": {"en": "check: implied_denominator needs at least two 'pairs'",
                                    "zh": "check: implied_denominator 至少需要两组 'pairs'"},
    "problem.benchmark.pair_figures": {"en": "each pair needs its own figure indicator",
                                       "zh": "每组 pair 须有各自的数值指标（figure）"},
    "problem.benchmark.band_only": {"en": "'benchmarks' and 'ratio' belong to check: band",
                                    "zh": "'benchmarks' 和 'ratio' 只适用于 check: band"},
})

class Benchmarks(BaseModel):
    """Where the benchmark bands are, and the names of their columns."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = Field(description="Source holding one benchmark band per row.")
    indicator: str = Field("indicator", description="Column naming the indicator (or ratio) a band is for.")
    low: str = Field("low", description="Column with the band's lower bound (empty: no lower bound).")
    high: str = Field("high", description="Column with the band's upper bound (empty: no upper bound).")
    scope: str | None = Field(None, description=(
        "Column naming the scope a band is for (default: `scope` when the source has it); an empty scope "
        "applies to every scope."))
    peer_group: str | None = Field(None, description=(
        "Column naming the peer group a band is for (default: `peer_group` when the source has it); an empty "
        "peer group applies to every unit."))
    citation: str | None = Field(None, description=(
        "Column citing where the band comes from (default: `citation` when the source has it)."))


class Ratio(BaseModel):
    """A figure computed from two indicators of the same unit, period and scope."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    numerator: str = Field(description="Indicator divided (e.g. commercial floor space).")
    denominator: str = Field(description="Indicator dividing (e.g. resident population).")
    scale: float = Field(1, gt=0, description="Factor applied to the quotient (1000 for a figure per 1,000).")
    name: str | None = Field(None, description=(
        "Indicator name of the ratio in the benchmark table (default: numerator/denominator)."))

    @property
    def label(self) -> str:
        return self.name or f"{self.numerator}/{self.denominator}"


class Pair(BaseModel):
    """A figure and its ratio to a common denominator (beds and beds per 1,000 people)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    figure: str = Field(description="Indicator of the absolute figure (e.g. hospital beds).")
    ratio: str = Field(description="Indicator of the same figure per `per` of the denominator (beds per 1,000).")
    per: float = Field(1, gt=0, description="How many of the denominator the ratio is per (1000 for per 1,000).")


class BenchmarkParams(LongParams):
    check: Literal["band", "implied_denominator"] = Field("band", description=(
        "band: figures against the bands of a benchmark table; implied_denominator: the denominators that "
        "pairs of a figure and its ratio imply must agree within one scope."))
    scope: str | None = Field(None, description=(
        "Column naming a figure's scope, e.g. 全市 or 市区 (default: `scope` when the source has it; without "
        "one the figures of a unit and period are one scope)."))
    benchmarks: Benchmarks | None = Field(None, description=(
        "For band: {source, indicator, low, high, scope, peer_group, citation}: the benchmark table and its "
        "column names (defaults as named)."))
    ratio: Ratio | None = Field(None, description=(
        "For band: {numerator, denominator, scale, name}: compare numerator / denominator * scale instead of "
        "each record's value, looked up in the benchmark table as `name`."))
    pairs: list[Pair] | None = Field(None, description=(
        "For implied_denominator: [{figure, ratio, per}, ...], at least two: each implies figure / ratio * per."))
    max_ratio: float = Field(1.25, gt=1, description=(
        "For implied_denominator: largest allowed quotient of the largest and the smallest implied "
        "denominator of a scope (default 1.25)."))

    @model_validator(mode="after")
    def _fits_check(self) -> BenchmarkParams:
        if self.check == "band":
            if self.benchmarks is None:
                raise ValueError(say("problem.benchmark.band_needs_table"))
            if self.pairs:
                raise ValueError(say("problem.benchmark.pairs_not_band"))
        else:
            if not self.pairs or len(self.pairs) < 2:
                raise ValueError(say("problem.benchmark.two_pairs"))
            if len({p.figure for p in self.pairs}) < len(self.pairs):
                raise ValueError(say("problem.benchmark.pair_figures"))
            if self.benchmarks is not None or self.ratio is not None:
                raise ValueError(say("problem.benchmark.band_only"))
        return self

    def source_names(self) -> list[str]:
        return [self.source] + ([self.benchmarks.source] if self.benchmarks else [])


@rule_kind("benchmark", BenchmarkParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: BenchmarkParams = rule.params
    long = Long(ctx, p)
    if long.needed(ctx, "indicator", "indicator") is None:
        raise PackError(ctx.problem(say("problem.benchmark.no_indicator", source=p.source), "indicator"))
    scope = column_or_default(ctx, p.source, p.scope, "scope", "scope")
    rows = long.rows(ctx).select(alias(quote_column(scope) if scope else exp.Null(), "_scope"))
    if p.check == "implied_denominator":
        return Plan(query=_implied(p, rows, scope))
    figures = _ratio(p, rows) if p.ratio is not None else _records(rows)
    return Plan(query=_band(ctx, p, figures, scope), order_by=[f'"{VAL}outside_pct" DESC NULLS LAST'])


def _is(indicator: str) -> exp.Expression:
    """The record's indicator is `indicator`."""
    return exp.EQ(this=exp.cast(col("_indicator"), "VARCHAR"), expression=exp.Literal.string(indicator))


def _pivot(indicator: str, what: str) -> exp.Expression:
    """Per group: the value of `indicator` (what='v') or how many records it has (what='n')."""
    picked = exp.Case().when(_is(indicator), col("_value"))
    return exp.Max(this=picked) if what == "v" else exp.Count(this=picked)


def _one_value(indicator: str) -> exp.Expression:
    """The group's single value of `indicator` (NULL when it has none or several)."""
    return exp.Case().when(exp.EQ(this=_pivot(indicator, "n"), expression=exp.Literal.number(1)),
                           _pivot(indicator, "v"))


def _records(rows: exp.Select) -> exp.Select:
    """One figure per record: its indicator's value."""
    return exp.select(exp.Star(), alias(exp.Null(), "_sg_why")).from_(rows.subquery("_sg_rows"))


def _ratio(p: BenchmarkParams, rows: exp.Select) -> exp.Select:
    """One figure per unit, period and scope: numerator / denominator * scale, with why it is missing."""
    r = p.ratio
    assert r is not None
    group = [col(c) for c in ("_unit", "_period", "_peer", "_scope")]
    used = exp.In(this=exp.cast(col("_indicator"), "VARCHAR"),
                  expressions=[exp.Literal.string(r.numerator), exp.Literal.string(r.denominator)])
    inner = exp.select(*[c.copy() for c in group],
                       alias(_pivot(r.numerator, "v"), "_sg_num"), alias(_pivot(r.numerator, "n"), "_sg_nn"),
                       alias(_pivot(r.denominator, "v"), "_sg_den"), alias(_pivot(r.denominator, "n"), "_sg_nd"))
    inner = inner.from_(rows.subquery("_sg_rows")).where(used).group_by(*group)
    num, den, nn, nd = (col(c) for c in ("_sg_num", "_sg_den", "_sg_nn", "_sg_nd"))
    one = exp.Literal.number(1)
    missing = exp.or_(exp.EQ(this=nn.copy(), expression=exp.Literal.number(0)),
                      exp.EQ(this=nd.copy(), expression=exp.Literal.number(0)),
                      exp.Is(this=num.copy(), expression=exp.Null()), exp.Is(this=den.copy(), expression=exp.Null()))
    why = (exp.Case()
           .when(exp.or_(exp.GT(this=nn.copy(), expression=one.copy()), exp.GT(this=nd.copy(), expression=one.copy())),
                 exp.Literal.string("detail.benchmark.several"))
           .when(missing, exp.Literal.string("detail.benchmark.missing"))
           .when(exp.EQ(this=den.copy(), expression=exp.Literal.number(0)),
                 exp.Literal.string("detail.benchmark.zero_denominator")))
    value = exp.Case().when(exp.Is(this=why.copy(), expression=exp.Null()), exp.Mul(
        this=exp.Div(this=num.copy(), expression=den.copy()), expression=number(r.scale)))
    return exp.select(exp.Star(), alias(exp.Literal.string(r.label), "_indicator"), alias(value, "_value"),
                      alias(why, "_sg_why")).from_(inner.subquery("_sg_piv"))


def _bands(ctx: Context, b: Benchmarks) -> exp.Select:
    """The benchmark table by indicator, scope and peer group (empty ones NULL): rows, band, citation."""
    ctx.source(b.source, "benchmarks")
    for column in (b.indicator, b.low, b.high):
        ctx.require_column(b.source, column, "benchmarks")
    scope = column_or_default(ctx, b.source, b.scope, "scope", "benchmarks")
    peer = column_or_default(ctx, b.source, b.peer_group, "peer_group", "benchmarks")
    citation = column_or_default(ctx, b.source, b.citation, "citation", "benchmarks")

    def text(column: str | None) -> exp.Expression:
        if column is None:
            return exp.Null()
        return exp.Nullif(this=exp.Trim(this=exp.cast(col(column), "VARCHAR")), expression=exp.Literal.string(""))

    rows = exp.select(alias(exp.cast(col(b.indicator), "VARCHAR"), "_b_ind"), alias(text(scope), "_b_scope"),
                      alias(text(peer), "_b_peer"), alias(exp.cast(col(b.low), "DOUBLE"), "_b_low"),
                      alias(exp.cast(col(b.high), "DOUBLE"), "_b_high"), alias(text(citation), "_b_cite"))
    rows = rows.from_(ctx.table(b.source))
    keys = [col(c) for c in ("_b_ind", "_b_scope", "_b_peer")]
    return exp.select(*[k.copy() for k in keys], alias(exp.Count(this=exp.Star()), "_b_n"),
                      alias(exp.Min(this=col("_b_low")), "_b_low"), alias(exp.Max(this=col("_b_high")), "_b_high"),
                      alias(exp.Min(this=col("_b_cite")), "_b_cite")).from_(rows.subquery("_sg_b")).group_by(*keys)


def _band(ctx: Context, p: BenchmarkParams, figures: exp.Select, scope: str | None) -> exp.Select:
    assert p.benchmarks is not None
    bands = _bands(ctx, p.benchmarks)
    f_scope, f_peer = col("_scope", "f"), exp.Nullif(this=exp.cast(col("_peer", "f"), "VARCHAR"),
                                                      expression=exp.Literal.string(""))
    f_scope_text = exp.cast(f_scope, "VARCHAR")
    query = exp.select().from_(figures.subquery("f"))
    for level, (by_scope, by_peer) in zip(LEVELS, ((True, True), (True, False), (False, True), (False, False)),
                                          strict=True):
        on = [exp.EQ(this=col("_b_ind", level), expression=exp.cast(col("_indicator", "f"), "VARCHAR"))]
        on.append(exp.EQ(this=col("_b_scope", level), expression=f_scope_text.copy()) if by_scope
                  else exp.Is(this=col("_b_scope", level), expression=exp.Null()))
        on.append(exp.EQ(this=col("_b_peer", level), expression=f_peer.copy()) if by_peer
                  else exp.Is(this=col("_b_peer", level), expression=exp.Null()))
        query = query.join(exp.Join(this=bands.subquery(level), side="LEFT", on=exp.and_(*on)))

    def chosen(column: str) -> exp.Expression:
        case = exp.Case()
        for level in LEVELS:
            case = case.when(exp.Not(this=exp.Is(this=col("_b_n", level), expression=exp.Null())),
                             col(column, level))
        return case

    value, low, high, n = col("_value", "f"), chosen("_b_low"), chosen("_b_high"), chosen("_b_n")
    below = exp.LT(this=value.copy(), expression=exp.Sub(this=low.copy(), expression=number(EPS)))
    above = exp.GT(this=value.copy(), expression=exp.Add(this=high.copy(), expression=number(EPS)))
    why = col("_sg_why", "f")
    na_rules = [
        (exp.Not(this=exp.Is(this=why.copy(), expression=exp.Null())), why.copy()),
        (exp.Is(this=value.copy(), expression=exp.Null()), exp.Literal.string("detail.benchmark.missing")),
        (exp.or_(exp.Is(this=n.copy(), expression=exp.Null()),
                 exp.and_(exp.Is(this=low.copy(), expression=exp.Null()),
                          exp.Is(this=high.copy(), expression=exp.Null()))),
         exp.Literal.string("detail.benchmark.no_benchmark")),
        (exp.GT(this=n.copy(), expression=exp.Literal.number(1)), exp.Literal.string("detail.benchmark.ambiguous"))]
    status, detail = exp.Case(), exp.Case()
    for cond, text in na_rules:
        status = status.when(cond.copy(), exp.Literal.string("na"))
        detail = detail.when(cond, text)
    status = (status.when(below.copy(), exp.Literal.string("fail")).when(above.copy(), exp.Literal.string("fail"))
              .else_(exp.Literal.string("pass")))
    detail = (detail.when(below.copy(), exp.Literal.string("detail.benchmark.below"))
              .when(above.copy(), exp.Literal.string("detail.benchmark.above")))
    bound = exp.Case().when(below, low.copy()).when(above, high.copy())
    gap = exp.Sub(this=value.copy(), expression=bound.copy())
    outside = exp.Round(this=exp.Mul(this=exp.Div(this=exp.Abs(this=gap.copy()), expression=exp.Nullif(
        this=exp.Abs(this=bound.copy()), expression=exp.Literal.number(0))), expression=exp.Literal.number(100)),
        decimals=exp.Literal.number(2))
    projections = [alias(status, STATUS), alias(col("_unit", "f"), UNIT)]
    projections.append(alias(col("_period", "f"), PERIOD))
    projections.append(alias(col("_indicator", "f"), KEY + "indicator"))
    if scope:
        projections.append(alias(f_scope.copy(), KEY + scope))
    projections += [alias(value.copy(), VAL + "value")]
    if p.ratio is not None:
        projections += [alias(col("_sg_num", "f"), VAL + "numerator"),
                        alias(col("_sg_den", "f"), VAL + "denominator")]
    projections += [alias(low.copy(), VAL + "low"), alias(high.copy(), VAL + "high"),
                    alias(chosen("_b_cite"), VAL + "citation"), alias(chosen("_b_scope"), VAL + "benchmark_scope"),
                    alias(chosen("_b_peer"), VAL + "benchmark_peer_group"), alias(outside, VAL + "outside_pct"),
                    alias(value.copy(), OBSERVED), alias(bound, EXPECTED), alias(gap, IMBALANCE),
                    alias(detail, DETAIL)]
    return query.select(*projections)


def _implied(p: BenchmarkParams, rows: exp.Select, scope: str | None) -> exp.Select:
    """Per unit, period and scope: each pair's implied denominator, and the spread of the usable ones."""
    pairs = p.pairs or []
    group = [col(c) for c in ("_unit", "_period", "_scope")]
    names = [name for pair in pairs for name in (pair.figure, pair.ratio)]
    used = exp.In(this=exp.cast(col("_indicator"), "VARCHAR"),
                  expressions=[exp.Literal.string(n) for n in dict.fromkeys(names)])
    inner = exp.select(*[c.copy() for c in group])
    for i, pair in enumerate(pairs):
        figure, ratio = _one_value(pair.figure), _one_value(pair.ratio)
        implied = exp.Mul(this=exp.Div(this=figure.copy(), expression=exp.Nullif(
            this=ratio.copy(), expression=exp.Literal.number(0))), expression=number(pair.per))
        usable = exp.Case().when(exp.GT(this=implied.copy(), expression=exp.Literal.number(0)), implied)
        inner = inner.select(alias(figure, f"_sg_f{i}"), alias(ratio, f"_sg_r{i}"), alias(usable, f"_sg_d{i}"))
    inner = inner.from_(rows.subquery("_sg_rows")).where(used).group_by(*group)
    implied_cols = [col(f"_sg_d{i}") for i in range(len(pairs))]
    # each column, or in its place another non-NULL one: LEAST and GREATEST over non-NULL values alone
    # (sqlglot renders them NULL when any argument is NULL, as some engines do)
    filled = [exp.Coalesce(this=c.copy(), expressions=[o.copy() for o in implied_cols if o is not c])
              for c in implied_cols]
    lowest = exp.Least(this=filled[0].copy(), expressions=[c.copy() for c in filled[1:]])
    highest = exp.Greatest(this=filled[0], expressions=filled[1:])
    n_used: exp.Expression = exp.Literal.number(0)
    for c in implied_cols:
        n_used = exp.Add(this=n_used, expression=exp.Case().when(
            exp.Is(this=c.copy(), expression=exp.Null()), exp.Literal.number(0)).else_(exp.Literal.number(1)))
    stats = exp.select(exp.Star(), alias(lowest, "_sg_lo"), alias(highest, "_sg_hi"), alias(n_used, "_sg_used"))
    stats = stats.from_(inner.subquery("_sg_piv"))

    def source_of(bound: str) -> exp.Expression:
        case = exp.Case()
        for i, pair in enumerate(pairs):
            case = case.when(exp.EQ(this=col(f"_sg_d{i}"), expression=col(bound)), exp.Literal.string(pair.figure))
        return case

    spread = exp.Round(this=exp.Div(this=col("_sg_hi"), expression=col("_sg_lo")), decimals=exp.Literal.number(4))
    few = exp.LT(this=col("_sg_used"), expression=exp.Literal.number(2))
    too_far = exp.GT(this=exp.Div(this=col("_sg_hi"), expression=col("_sg_lo")), expression=number(p.max_ratio + EPS))
    status = (exp.Case().when(few.copy(), exp.Literal.string("na")).when(too_far.copy(), exp.Literal.string("fail"))
              .else_(exp.Literal.string("pass")))
    detail = (exp.Case().when(few.copy(), exp.Literal.string("detail.benchmark.few_pairs"))
              .when(too_far, exp.Literal.string("detail.benchmark.implied")))
    observed = exp.Case().when(exp.Not(this=few), spread)
    projections = [alias(status, STATUS), alias(col("_unit"), UNIT), alias(col("_period"), PERIOD)]
    if scope:
        projections.append(alias(col("_scope"), KEY + scope))
    for i, pair in enumerate(pairs):
        projections += [alias(col(f"_sg_f{i}"), VAL + pair.figure), alias(col(f"_sg_r{i}"), VAL + pair.ratio),
                        alias(exp.Round(this=col(f"_sg_d{i}"), decimals=exp.Literal.number(2)),
                              VAL + f"implied_by_{pair.figure}")]
    projections += [alias(exp.Round(this=col("_sg_lo"), decimals=exp.Literal.number(2)), VAL + "lowest"),
                    alias(source_of("_sg_lo"), VAL + "lowest_from"),
                    alias(exp.Round(this=col("_sg_hi"), decimals=exp.Literal.number(2)), VAL + "highest"),
                    alias(source_of("_sg_hi"), VAL + "highest_from"), alias(observed.copy(), VAL + "spread"),
                    alias(observed.copy(), OBSERVED), alias(number(p.max_ratio), EXPECTED),
                    alias(exp.Sub(this=observed, expression=number(p.max_ratio)), IMBALANCE),
                    alias(detail, DETAIL)]
    return exp.select(*projections).from_(stats.subquery("_sg_st"))
