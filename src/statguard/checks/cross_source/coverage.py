"""Per unit, the share of a source's records backed by another source, against a threshold or a claimed rate.

Each record of `source` (A) is tested as in `exists` (keys `match`, optional
`window`, optional `other_where` on B). Records are grouped `by` a column list
(default: the source's unit) and for each group the verified rate is
100 * matched / evaluable records, in percent. A group fails when the verified
rate is below `min_rate`, and/or when the rate the unit claims (column `rate`
of the `claimed` source, joined on the group columns) exceeds the verified rate
by more than `tolerance` percentage points (with `two_sided`, a gap in either
direction fails). One item per unit and test, with claimed rate, verified
rate, matched and total counts and the gap; violations are ranked by gap,
largest first. With both `min_rate` and `claimed` each unit is two items,
`key:test` min_rate (observed the verified rate, expected min_rate) and
claimed (observed the claimed rate, expected the verified rate), so a unit
failing both shows both reasons.

NULL semantics: records of A with a NULL key or window date are not
evaluable: they count in neither matched nor total (`val:not_evaluable` says
how many); so are records whose window date is text that is not a month or a
day (months as text, '2024-03', work in windows as in `exists`). Records whose
group columns are NULL form a group of their own that is not evaluable (it
cannot be attributed to a unit). A unit with no evaluable records (zero
claims, or present only in the claimed source) is not evaluable: there is
nothing to verify. A unit missing from the claimed source,
or with several different claimed rates, is not evaluable on its claim (its
`min_rate` item is still judged). Duplicate records in B count once.

Passing example (each district's re-employment rate is backed by contribution
records within 5 points):

    - id: RE-02
      kind: coverage
      source: 再就业人员
      other: 社保缴费
      match: [身份证号]
      window: {date: 就业月份, other_date: 缴费月份, end: 3}
      by: [区县]
      claimed: {source: 区县汇总, rate: 再就业率}
      tolerance: 5

Failing data for it: a district reporting 再就业率 = 100 while 7 of its 10
claimed workers have a contribution record (verified 70%, gap 30 points).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlglot import exp

from statguard.checks.cross_source._match import (
    KEY_DOC,
    WINDOW_DOC,
    A,
    B,
    KeyMap,
    Window,
    any_null,
    evaluable_columns,
    key_pairs,
    match_condition,
    relation,
    scope_filter,
    with_mappings,
)
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
)
from statguard.checks.registry import Params, rule_kind
from statguard.expr import quote_column
from statguard.i18n import register, say, t
from statguard.pack.model import Rule

TOTALS, HITS, AGG, CLAIMS = "_sg_totals", "_sg_hits", "_sg_agg", "_sg_claimed"
EPS = 1e-9

register({
    "detail.coverage.no_unit": {"en": "records without a unit", "zh": "没有所属单位的记录"},
    "detail.coverage.none_evaluable": {"en": "no evaluable records", "zh": "没有可判断的记录"},
    "detail.coverage.below": {"en": "verified rate below {rate}%", "zh": "核实率低于 {rate}%"},
    "detail.coverage.gap": {"en": "claimed rate differs from the verified rate by more than {points} points",
                            "zh": "上报比率与核实比率相差超过 {points} 个百分点"},
    "detail.coverage.no_claim": {"en": "no single claimed rate", "zh": "没有唯一的上报比率"},
    "problem.coverage.no_unit": {"en": "coverage needs 'by' (source '{source}' declares no unit)",
                                 "zh": "coverage 需要 'by'（数据源「{source}」未声明单位列）"},
    "problem.coverage.claimed_match": {"en": "claimed.match must map exactly the group columns {by}",
                                       "zh": "claimed.match 必须恰好对应分组列 {by}"},
})


register({"problem.coverage.no_standard": {"en": "coverage needs min_rate, claimed, or both",
                                           "zh": "coverage 需要 min_rate、claimed 或二者同时给出"}})

class Claimed(BaseModel):
    """Where each unit's own reported rate is held."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = Field(description="Source holding one claimed rate per unit (e.g. the district summary).")
    rate: str = Field(description="Column of that source holding the claimed rate.")
    match: KeyMap | None = Field(None, description="Group columns of `source` to columns of the claimed source "
                                 "(a list of common names or a mapping); default: the `by` columns.")
    scale: Literal["percent", "fraction"] = Field("percent", description="Whether the claimed rate is in "
                                                  "percent (100 = all) or a fraction (1 = all).")


class CoverageParams(Params):
    source: str = Field(description="Source A: the records that must be backed (e.g. claims).")
    other: str = Field(description="Source B: the records that back them (e.g. contribution records).")
    match: KeyMap = Field(description=KEY_DOC)
    window: Window | None = Field(None, description=WINDOW_DOC)
    where: str | None = Field(None, description="Only records of `source` for which this is true are counted.")
    other_where: str | None = Field(None, description="Only records of `other` for which this is true can match.")
    by: list[str] | None = Field(None, description="Columns of `source` grouping records into units "
                                 "(default: the source's unit column).")
    min_rate: float | None = Field(None, ge=0, le=100, description="Lowest acceptable verified rate, in percent.")
    claimed: Claimed | None = Field(None, description=(
        "The rate each unit claims: {source, rate, match, scale}: the source holding one rate per unit, its rate "
        "column, the group columns mapped to its columns (default: same names) and percent or fraction."))
    tolerance: float = Field(0, ge=0, description="Allowed gap between claimed and verified rate, in "
                             "percentage points.")
    two_sided: bool = Field(False, description="Also fail units whose verified rate exceeds the claimed rate "
                            "by more than the tolerance (default: only over-claiming fails).")

    @model_validator(mode="after")
    def _has_standard(self) -> CoverageParams:
        if self.min_rate is None and self.claimed is None:
            raise ValueError(say("problem.coverage.no_standard"))
        return self

    def source_names(self) -> list[str]:
        names = [self.source, self.other]
        if self.claimed is not None:
            names.append(self.claimed.source)
        return names


@rule_kind("coverage", CoverageParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: CoverageParams = rule.params
    spec = ctx.source(p.source)
    ctx.source(p.other, "other")
    by = p.by or ([spec.unit] if spec.unit else [])
    if not by:
        from statguard.errors import PackError
        raise PackError(ctx.problem(say("problem.coverage.no_unit", source=p.source), "by"))
    for col in by:
        ctx.require_column(p.source, col, "by")
    query = _aggregated(ctx, p, by)
    gcols = [quote_column(g, AGG) for g in by]
    if p.claimed is not None:
        query, gcols = _with_claims(ctx, p, by, query)
    query = _judged(p, by, gcols, query, spec.unit, spec.period, ctx.options.get("lang"))
    order_by = [f'"{VAL}gap" DESC NULLS LAST', *(f'"{KEY}{g}"' for g in by)]
    return with_mappings(ctx, Plan(query=query, order_by=order_by), p.source, p.other, p.window)


def _aggregated(ctx: Context, p: CoverageParams, by: list[str]) -> exp.Select:
    """WITH totals (evaluable records per group), hits (matched records per group, by a semi
    join: B's duplicates never multiply A's records), agg (both side by side).

    Builders get fresh nodes, or copies for every use but the last (groups, evaluable,
    n_evaluable, scope), and extend their receiver in place: copy=False throughout."""
    cond = match_condition(ctx, p.source, p.other, p.match, p.window, p.other_where)
    missing = any_null(evaluable_columns(ctx, p.source, p.match, p.window))
    evaluable = exp.Not(this=exp.paren(missing, copy=False)) if missing is not None else exp.true()
    scope = scope_filter(ctx, p.source, p.where)
    groups = [quote_column(g, A) for g in by]
    n_evaluable = exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=evaluable.copy()))
    na = exp.Sub(this=exp.Count(this=exp.Star()), expression=n_evaluable.copy())
    totals = exp.select(*(exp.alias_(g.copy(), f"_sg_g{i}", copy=False) for i, g in enumerate(groups)),
                        exp.alias_(n_evaluable, "_sg_total", copy=False), exp.alias_(na, "_sg_na", copy=False))
    anchor = p.window.date if p.window else None
    totals = totals.from_(relation(ctx, p.source, anchor, A), copy=False)
    totals = totals.group_by(*(g.copy() for g in groups), copy=False)
    hits = exp.select(*(exp.alias_(g.copy(), f"_sg_g{i}", copy=False) for i, g in enumerate(groups)),
                      exp.alias_(exp.Count(this=exp.Star()), "_sg_matched", copy=False))
    hits = hits.from_(relation(ctx, p.source, anchor, A), copy=False)
    # Join nodes and tables rather than join_type= and names, which sqlglot parses from SQL text
    backing = relation(ctx, p.other, p.window.other_date if p.window else None, B)
    hits = hits.join(exp.Join(this=backing, kind="SEMI"), on=cond, copy=False)
    hits = hits.where(evaluable, copy=False).group_by(*(g.copy() for g in groups), copy=False)
    if scope is not None:
        totals, hits = totals.where(scope.copy(), copy=False), hits.where(scope, copy=False)
    same_group = exp.and_(*(exp.NullSafeEQ(this=exp.column(f"_sg_g{i}", TOTALS),
                                           expression=exp.column(f"_sg_g{i}", HITS)) for i in range(len(by))),
                          copy=False)
    matched = exp.Coalesce(this=exp.column("_sg_matched", HITS), expressions=[exp.Literal.number(0)])
    matched = exp.Cast(this=matched, to=exp.DataType.build(exp.DataType.Type.BIGINT))
    agg = exp.select(*(exp.alias_(exp.column(f"_sg_g{i}", TOTALS), g, quoted=True, copy=False)
                       for i, g in enumerate(by)),
                     exp.alias_(matched, "_sg_matched", copy=False),
                     exp.column("_sg_total", TOTALS), exp.column("_sg_na", TOTALS))
    agg = agg.from_(exp.table_(TOTALS), copy=False)
    agg = agg.join(exp.Join(this=exp.table_(HITS), side="LEFT"), on=same_group, copy=False)
    query = exp.select().from_(exp.table_(AGG), copy=False)
    for name, cte in ((TOTALS, totals), (HITS, hits), (AGG, agg)):
        query = query.with_(exp.TableAlias(this=exp.to_identifier(name)), as_=cte, copy=False)
    return query


def _with_claims(ctx: Context, p: CoverageParams, by: list[str],
                 query: exp.Select) -> tuple[exp.Select, list[exp.Expression]]:
    """FULL JOIN the claimed rate (one per unit; conflicting rates become NULL) onto the groups."""
    c = p.claimed
    assert c is not None
    ctx.source(c.source, "claimed")
    pairs = key_pairs(c.match) if c.match is not None else [(g, g) for g in by]
    if sorted(a for a, _ in pairs) != sorted(by):
        from statguard.errors import PackError
        raise PackError(ctx.problem(say("problem.coverage.claimed_match", by=by), "claimed"))
    for _, col in pairs:
        ctx.require_column(c.source, col, "claimed")
    rate = quote_column(ctx.require_column(c.source, c.rate, "claimed").name)
    if c.scale == "fraction":
        rate = exp.Mul(this=rate, expression=exp.Literal.number(100))
    one_rate = exp.If(this=exp.EQ(this=exp.Count(this=exp.Distinct(expressions=[rate.copy()])),
                                  expression=exp.Literal.number(1)),
                      true=exp.Max(this=rate.copy()), false=exp.Null())
    # fresh nodes all: adopted by the builders, which extend `query` (the caller's to give) in place
    claims = exp.select(*(exp.alias_(quote_column(cc), f"_sg_c{i}", copy=False) for i, (_, cc) in enumerate(pairs)),
                        exp.alias_(one_rate, "_sg_rate", copy=False)).from_(ctx.table(c.source), copy=False)
    claims = claims.group_by(*(quote_column(cc) for _, cc in pairs), copy=False)
    order = {a: i for i, (a, _) in enumerate(pairs)}
    on = exp.and_(*(exp.EQ(this=quote_column(g, AGG), expression=exp.column(f"_sg_c{order[g]}", CLAIMS))
                    for g in by), copy=False)
    query = query.with_(exp.TableAlias(this=exp.to_identifier(CLAIMS)), as_=claims, copy=False)
    query = query.join(exp.Join(this=exp.table_(CLAIMS), side="FULL"), on=on, copy=False)
    gcols = [exp.Coalesce(this=quote_column(g, AGG), expressions=[exp.column(f"_sg_c{order[g]}", CLAIMS)])
             for g in by]
    return query, gcols


def _judged(p: CoverageParams, by: list[str], gcols: list[exp.Expression], query: exp.Select,
            unit: str | None, period: str | None, lang: str | None = None) -> exp.Select:
    """One item per unit and test: the threshold (`min_rate`) and the claim (`claimed`) are judged
    apart, each with its own observed, expected, gap and detail; with both, `key:test` says which."""
    total, matched = exp.column("_sg_total", AGG), exp.column("_sg_matched", AGG)
    verified = exp.Div(this=exp.Mul(this=exp.Literal.number(100.0), expression=matched),
                       expression=exp.Nullif(this=total.copy(), expression=exp.Literal.number(0)))
    verified = exp.Cast(this=verified, to=exp.DataType.build(exp.DataType.Type.DOUBLE))
    claimed = (exp.Cast(this=exp.column("_sg_rate", CLAIMS), to=exp.DataType.build(exp.DataType.Type.DOUBLE))
               if p.claimed else exp.cast(exp.Null(), "DOUBLE"))
    fresh = [(verified, "verified"), (matched.copy(), "matched"), (total.copy(), "total"),
             (exp.column("_sg_na", AGG), "na"), (claimed, "claimed")]
    # all fresh nodes: adopted, not deep-copied (copying these trees was a third of planning time)
    inner = query.select(*(exp.alias_(g.copy(), f"_sg_g{i}", copy=False) for i, g in enumerate(gcols)),
                         *(exp.alias_(node, f"_sg_{name}", copy=False) for node, name in fresh), copy=False)
    tests = ([("min_rate", _threshold(p, lang))] if p.min_rate is not None else []) + (
        [("claimed", _claim(p, lang))] if p.claimed is not None else [])
    selects = [_item(p, by, unit, period, test if len(tests) > 1 else None, judged, lang)
               for test, judged in tests]
    if len(selects) == 1:
        return selects[0].with_("_sg_units", as_=inner)
    both = exp.union(*selects, distinct=False)
    return exp.select(exp.Star()).from_(both.subquery("_sg_items")).with_("_sg_units", as_=inner)


Judged = tuple[exp.Expression, exp.Expression, exp.Expression, list[tuple[exp.Expression, str, str | None]]]


def _c(name: str) -> exp.Column:
    return exp.column(f"_sg_{name}", "_sg_u")


def _threshold(p: CoverageParams, lang: str | None) -> Judged:
    """(observed, expected, gap, failing conditions) of the threshold test: verified rate >= min_rate."""
    assert p.min_rate is not None
    below = exp.LT(this=exp.paren(exp.Add(this=_c("verified"), expression=exp.Literal.number(EPS)), copy=False),
                   expression=exp.Literal.number(p.min_rate))
    gap = exp.Sub(this=exp.Literal.number(p.min_rate), expression=_c("verified"))
    return _c("verified"), exp.Literal.number(p.min_rate), gap, [
        (below, "fail", t("detail.coverage.below", lang, rate=f"{p.min_rate:g}"))]


def _claim(p: CoverageParams, lang: str | None) -> Judged:
    """(observed, expected, gap, conditions) of the claim test: claimed rate within tolerance of the verified."""
    diff = exp.Sub(this=_c("claimed"), expression=_c("verified"))
    over = exp.Abs(this=diff) if p.two_sided else diff
    return _c("claimed"), _c("verified"), diff.copy(), [
        (exp.Is(this=_c("claimed"), expression=exp.Null()), "na", t("detail.coverage.no_claim", lang)),
        (exp.GT(this=over, expression=exp.Literal.number(p.tolerance + EPS)), "fail",
         t("detail.coverage.gap", lang, points=f"{p.tolerance:g}"))]


def _item(p: CoverageParams, by: list[str], unit: str | None, period: str | None, test: str | None,
          judged: Judged, lang: str | None) -> exp.Select:
    observed, expected, gap, conditions = judged
    null_group = any_null([_c(f"g{i}") for i in range(len(by))])
    assert null_group is not None
    rules: list[tuple[exp.Expression, str, str | None]] = [
        (null_group, "na", t("detail.coverage.no_unit", lang)),
        (exp.func("coalesce", _c("total"), exp.Literal.number(0), copy=False).eq(0), "na",
         t("detail.coverage.none_evaluable", lang)), *conditions]
    # each condition (fresh) goes into both CASEs: a copy into the first, itself into the second;
    # copy=False: the CASEs grow in place instead of being deep-copied at every branch
    status_case, detail_case = exp.Case(), exp.Case()
    for cond, verdict, detail in rules:
        status_case = status_case.when(cond.copy(), exp.Literal.string(verdict), copy=False)
        detail_case = detail_case.when(cond, exp.Literal.string(detail) if detail else exp.Null(), copy=False)
    status_case = status_case.else_(exp.Literal.string("pass"), copy=False)
    out: list[exp.Expression] = [alias(status_case, STATUS)]
    for i, g in enumerate(by):
        if g == unit:
            out.append(alias(_c(f"g{i}"), UNIT))
        if g == period:
            out.append(alias(_c(f"g{i}"), PERIOD))
        out.append(alias(_c(f"g{i}"), KEY + g))
    if test is not None:
        out.append(alias(exp.Literal.string(test), KEY + "test"))
    shown = {"claimed": "claimed_rate", "verified": "verified_rate", "matched": "matched", "total": "total",
             "na": "not_evaluable"}
    out += [alias(_c(col), VAL + name) for col, name in shown.items()]
    out += [alias(gap, VAL + "gap"), alias(observed, OBSERVED), alias(expected, EXPECTED),
            alias(exp.Sub(this=observed.copy(), expression=expected.copy()), IMBALANCE), alias(detail_case, DETAIL)]
    return exp.select(*out).from_(exp.to_table("_sg_units").as_("_sg_u"))
