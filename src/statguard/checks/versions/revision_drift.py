"""Per unit, whether its resubmissions move towards the flattering side far more often than its peers' do.

The source holds revisions in the canonical layout, one row per submitted
version of a figure: unit, indicator, month, version, value, submitted (each
column can be named). A revision step is one version to the next of the same
unit, indicator and month, in the order of `version` (numbers, or text that
sorts in arrival order; text holding numbers is ordered as numbers, so 1, 3,
4 and 10 follow each other) or, with `order: submitted`, of the `submitted`
time. A step moves up when the value increases, down when it decreases;
unchanged steps, and steps smaller than `min_relative_step` of the earlier
value (rounding noise), are not counted (`val:unchanged` says how many).

Per unit the rule counts its steps n and those towards the flattering side k
(`flattering: up`, the default, for output and investment; `down` for costs
or unemployment). Honest revisions lean that way too (late reports complete a
figure), so the unit is compared with its peers, not with one half: p0 is the
pooled share of flattering steps of all OTHER units of its peer group (leave
one out), and the unit fails when the exact one-sided binomial tail
P(X >= k | n, p0) is below `alpha` (optionally also only when its share k/n
reaches `min_share`). The tail is summed in the query over j = k..n from the
binomial coefficients as cumulative sums of logarithms. With p0 = 1 nothing is
unusual (p = 1); with p0 = 0 any flattering step is (p = 0 when k > 0). The
test treats steps as independent; steps of one series often are not, which
is why `alpha` defaults to the strict 0.01 and a minimum of steps applies.

A drifter that also revises honestly in both directions dilutes its share
(18 of 25 up against peers' 55% is p = 0.07) while its number of flattering
steps stands far above its peers' ("resubmitted five times and every time
different", domain case 2). The count test compares k with the flattering
counts of the units of its peer group that have counted steps (the unit
among them: median and MAD are robust, and with the default minimum of peers
one unit moves them little): robust z = (k - median) / spread, where spread
is the scaled MAD (MAD * 1.4826, Iglewicz and Hoaglin's modified z-score),
but at least 1 step and at least sqrt(median), the spread of a Poisson count
with that mean; a MAD of 0 (most peers with the same count) would otherwise
make one extra step infinitely unusual. The unit fails when z exceeds
`count_z` (3.5, Iglewicz and Hoaglin's cut-off) AND its share k/n is above
p0, so a unit revising a lot in both directions is not drifting. On the
fabrication benchmark (hard setting, 9 data sets of 300 units) the largest z
of an honest unit is 2.7 (12 upward steps against a median of 4 and spread
2.97); 3.5 needs 15. The count test judges a unit only when its group has
at least `min_peer_units` (5) other units with counted steps. `test` chooses
which test fails a unit: `share`, `count` (then a unit with too few peers is
not evaluable) or `either` (default); `min_share` applies to both.

Peer groups: a `peer_group` column of the source, or `peers:` naming another
source with one group per unit (e.g. the screen's `counties`), else all units
are peers. Not evaluable: a unit with fewer than `min_steps` counted steps
(default 5: below that even 5 of 5 upward is p = 0.55^5 = 0.05 against
typical peers, no evidence); a unit without a single peer group (missing
from the peer table, or given several); a unit whose peers have no counted
step, or fewer than `min_peer_steps` together (their share would be noise).

NULL semantics: records without a unit are left out. A NULL (or non-numeric)
value is not a version's value: steps join successive non-NULL values. Two
records of the same version with different values make that version NULL (it
is unknown which was submitted); identical duplicates count once. Months are
compared as written. The relative step is |new - old| / |old|; a step from 0
has none and is left out of `val:median_relative_step` (it is still counted,
as every change from 0 passes `min_relative_step`).

One violation per failing unit: `_observed` its share of flattering steps,
`_expected` the peers' share p0, `_imbalance` their difference; `val:` steps,
ups, downs, unchanged, p_value, median_relative_step, peer_group (NULL when
all units are peers), peer_units, peer_steps, peer_ups (peer_downs with
`flattering: down`), and indicators and months: those with most flattering
steps, up to five each, as "name (flattering/steps)"; z (NULL when the count
test does not judge the unit), peer_median, peer_mad (scaled), peer_spread
(the spread used) and test: which test failed it ("share", "count" or
"share, count").

Passing example (the screen's revisions, peer groups from the county table):

    - id: REV-DRIFT
      kind: revision_drift
      source: revisions
      peers: {source: counties}
      alpha: 0.01
      min_steps: 5
      test: either
      count_z: 3.5

Failing data for it: 开发区 resubmitted 8 figures, each once, every one
higher (8 of 8 up), while the other units of its peer group revised 20 of 36
steps upward (p0 = 0.556): P(X >= 8 | 8, 0.556) = 0.0090 < 0.01. Or: 城关镇
revised 16 of 26 steps upward (share 0.62, p = 0.16 against peers at 0.5)
while the upward counts of its group have median 4 and spread 2.97: z = 4.05
> 3.5, failed by the count test.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    IMBALANCE,
    OBSERVED,
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
from statguard.checks.plausibility.common import Long, LongParams, robust_stats
from statguard.checks.registry import rule_kind
from statguard.errors import PackError
from statguard.i18n import register, say
from statguard.pack.model import Rule

U, IND, M, O1, O2, V, G = "_u", "_ind", "_m", "_o1", "_o2", "_v", "_g"  # a version row
PREV, STEP, DIR, REL = "_prev", "_step", "_dir", "_rel"  # a step: its direction 1 / -1 / 0 (not counted)
J, LOGC = "_j", "_logc"  # the binomial tail's terms
TOP = 5  # indicators and months listed per unit
STEPS, RATED = "_sg_steps", "_sg_rated"  # the WITH tables: every version with its step; the units rated
DETAIL_KEY = "detail.revision_drift."

DIRECTION = {"up": ("upward", "上调", "ups"), "down": ("downward", "下调", "downs")}
PEERS = {"": ("the other units of peer group {peer_group}", "同组（{peer_group}）其他单位"),
         "_all": ("the other units", "其他单位")}
GROUP = {"": ("the units of peer group {peer_group}", "同组（{peer_group}）单位"), "_all": ("all units", "全部单位")}
# the count test's sentence; its tail says whether the share test fired too
COUNT_TAIL = {"count_": ("the share alone is not significant", "仅凭比例不显著"),
              "both_": ("the share is significant too", "比例检验同样显著")}


def _failing_texts() -> dict[str, dict[str, str]]:
    """detail.revision_drift.[count_|both_]<up|down>[_all][_bare]: count_ when the count test fired, both_
    when both did, neither when only the share test did; _all without peer groups, _bare without indicators
    or months."""
    out = {}
    for side, (en, zh, count) in DIRECTION.items():
        for peers, (pe, pz) in PEERS.items():
            ge, gz = GROUP[peers]
            head_en = (f"{{{count}}} of {{steps}} revision steps {en} (share {{observed}}); {pe} revised "
                       f"{{peer_{count}}} of {{peer_steps}} {en} (share {{expected}}): p = {{p_value}}")
            head_zh = (f"{{steps}} 次修订中 {{{count}}} 次{zh}（比例 {{observed}}）；{pz} {{peer_steps}} 次修订中 "
                       f"{{peer_{count}}} 次{zh}（比例 {{expected}}）：p = {{p_value}}")
            heads = {"": (head_en, head_zh)}
            for test, (tail_en, tail_zh) in COUNT_TAIL.items():
                heads[test] = (
                    f"{{{count}}} of {{steps}} revision steps {en}, robust z = {{z}} against {ge} (median "
                    f"{{peer_median}} {en} steps, scaled MAD {{peer_mad}}, spread used {{peer_spread}}); its share "
                    f"{{observed}} is above the {{expected}} of {pe} (binomial p = {{p_value}}: {tail_en})",
                    f"{{steps}} 次修订中 {{{count}}} 次{zh}，相对{gz}（{zh}次数中位数 {{peer_median}}，"
                    f"标准化 MAD {{peer_mad}}，所用离散度 {{peer_spread}}）的稳健 z = {{z}}；比例 {{observed}} "
                    f"高于{pz}的 {{expected}}（二项检验 p = {{p_value}}，{tail_zh}）")
            for test, (h_en, h_zh) in heads.items():
                out[f"{DETAIL_KEY}{test}{side}{peers}"] = {
                    "en": f"{h_en}. Most {en}: indicators {{indicators}}; months {{months}}",
                    "zh": f"{h_zh}。{zh}最多的指标：{{indicators}}；月份：{{months}}"}
                out[f"{DETAIL_KEY}{test}{side}{peers}_bare"] = {"en": h_en, "zh": h_zh}
    return out


register(_failing_texts())
register({
    "problem.revision_drift.peers_twice": {
        "en": "give the peer group either as a column ('peer_group') or as another source ('peers'), not both",
        "zh": "同类组可以用列（'peer_group'）或另一个数据源（'peers'）给出，二者只能选其一"},
    DETAIL_KEY + "few_steps": {
        "en": "only {steps} counted revision steps: too few to judge",
        "zh": "计入的修订仅 {steps} 次，不足以判断"},
    DETAIL_KEY + "no_group": {
        "en": "the unit has no single peer group", "zh": "该单位没有唯一的同类分组"},
    DETAIL_KEY + "no_peers": {
        "en": "no other unit of its peer group has counted revision steps",
        "zh": "同组没有其他单位有计入的修订"},
    DETAIL_KEY + "few_peer_steps": {
        "en": "the other units of its peer group have only {peer_steps} revision steps together: too few for a share",
        "zh": "同组其他单位合计仅 {peer_steps} 次修订，不足以估计比例"},
    DETAIL_KEY + "few_peer_units": {
        "en": "only {peer_units} other units of its peer group have counted revision steps: too few for the count test",
        "zh": "同组仅 {peer_units} 个其他单位有计入的修订，不足以做次数检验"},
    DETAIL_KEY + "pass_count": {
        "en": ("{steps} revision steps, {ups} up and {downs} down; peers' share {expected}: p = {p_value}; "
               "robust z = {z} against the peers' median {peer_median}"),
        "zh": "修订 {steps} 次，上调 {ups} 次、下调 {downs} 次；同组比例 {expected}：p = {p_value}；相对同组中位数 "
              "{peer_median} 的稳健 z = {z}"},
    DETAIL_KEY + "pass": {
        "en": "{steps} revision steps, {ups} up and {downs} down; peers' share {expected}: p = {p_value}",
        "zh": "修订 {steps} 次，上调 {ups} 次、下调 {downs} 次；同组比例 {expected}：p = {p_value}"},
})


class Peers(BaseModel):
    """Another source giving each unit its peer group."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = Field(description="Source with one peer group per unit (e.g. the county table).")
    group: str = Field("peer_group", description="Its column naming the peer group.")
    unit: str | None = Field(None, description="Its column naming the unit (default: its declared unit, else `unit`).")


class RevisionDriftParams(LongParams):
    source: str = Field(description=(
        "Source of revisions: one row per unit, indicator, period and version (unit, indicator, month, version, "
        "value, submitted)."))
    version: str = Field("version", description="Column holding the version (numbers, or text sorting in order).")
    submitted: str = Field("submitted", description="Column holding the submission time (used with order: submitted).")
    order: Literal["version", "submitted"] = Field("version", description=(
        "What orders the versions of a figure: version (default) or submitted (then version breaks ties)."))
    peers: Peers | None = Field(None, description=(
        "{source, group, unit}: another source giving each unit its peer group (instead of a `peer_group` column)."))
    flattering: Literal["up", "down"] = Field("up", description="Which direction of revision flatters the unit.")
    alpha: float = Field(0.01, gt=0, lt=1, description=(
        "Fail when the one-sided binomial p-value of the unit's flattering steps against its peers' share is below."))
    min_steps: int = Field(5, ge=1, description="Counted revision steps a unit needs to be judged.")
    min_peer_steps: int = Field(10, ge=1, description=(
        "Counted revision steps the unit's peers need together for their share to be a yardstick."))
    min_share: float | None = Field(None, ge=0, le=1, description=(
        "Also require the unit's share of flattering steps to reach this (0.8 = 80%) before failing."))
    min_relative_step: float = Field(0.0, ge=0, description=(
        "Steps smaller than this fraction of the earlier value are not counted (rounding noise; 0.001 = 0.1%)."))
    test: Literal["share", "count", "either"] = Field("either", description=(
        "Which test fails a unit: share (binomial test of its share of flattering steps), count (robust z of "
        "its number of flattering steps among its peers'), or either (default)."))
    count_z: float = Field(3.5, gt=0, description=(
        "The count test fails a unit whose robust z (its flattering steps minus the peers' median, over the "
        "scaled MAD) exceeds this, when its share of flattering steps is also above its peers'."))
    min_peer_units: int = Field(5, ge=1, description=(
        "Other units with counted steps the peer group needs for the count test (with fewer, only the share "
        "test judges; with test: count the unit is not evaluable)."))

    def source_names(self) -> list[str]:
        return [self.source] + ([self.peers.source] if self.peers else [])


@rule_kind("revision_drift", RevisionDriftParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: RevisionDriftParams = rule.params
    cols = Long(ctx, p)
    if p.peers is not None and p.peer_group:
        raise PackError(ctx.problem(say("problem.revision_drift.peers_twice"), "peers"))
    ctx.require_column(p.source, p.version, "version")
    if p.order == "submitted":
        ctx.require_column(p.source, p.submitted, "submitted")
    group = cols.peer_group if p.peers is None else None
    steps = _steps(ctx, p, cols, group)
    units = _per_unit(p, group is not None)
    if p.peers is not None:
        units = _with_peer_source(ctx, p.peers, units)
    rated = _against_peers(p, units)
    query = _result(p, has_indicator=cols.indicator is not None, has_month=cols.period is not None,
                    grouped=group is not None or p.peers is not None)
    query = query.with_(STEPS, as_=steps).with_(RATED, as_=rated)
    return Plan(query=query, order_by=[f'"{VAL}p_value" ASC NULLS LAST', f'"{UNIT}"'])


def _steps(ctx: Context, p: RevisionDriftParams, cols: Long, group: str | None) -> exp.Select:
    """One row per version of a figure: _u, _ind, _m, _g, _v, the previous non-NULL value _prev, and
    _step (both values known), _dir (1 up, -1 down, 0 unchanged or too small), _rel (relative size)."""
    versions = _versions(ctx, p, cols, group)
    order = exp.Order(expressions=[exp.Ordered(this=col(O1)), exp.Ordered(this=col(O2))])
    lag = exp.Window(this=exp.IgnoreNulls(this=exp.Lag(this=col(V))),
                     partition_by=[col(U), col(IND), col(M)], order=order)
    lagged = exp.select(col(U), col(IND), col(M), col(G), col(V), alias(lag, PREV)).from_(versions.subquery("_sg_ver"))
    v, prev = col(V), col(PREV)
    step = exp.and_(exp.Not(this=exp.Is(this=v.copy(), expression=exp.Null())),
                    exp.Not(this=exp.Is(this=prev.copy(), expression=exp.Null())))
    rel = exp.Div(this=exp.Abs(this=exp.Sub(this=v.copy(), expression=prev.copy())),
                  expression=exp.Nullif(this=exp.Abs(this=prev.copy()), expression=lit(0)))
    counted = exp.and_(step.copy(), exp.NEQ(this=v.copy(), expression=prev.copy()))
    if p.min_relative_step > 0:
        big = exp.or_(exp.Is(this=rel.copy(), expression=exp.Null()),
                      exp.GTE(this=rel.copy(), expression=number(p.min_relative_step)))
        counted = exp.and_(counted, exp.paren(big))
    direction = (exp.Case().when(exp.and_(counted.copy(), exp.GT(this=v.copy(), expression=prev.copy())), lit(1))
                 .when(counted.copy(), lit(-1)).else_(lit(0)))
    return exp.select(exp.Star(), alias(step, STEP), alias(direction, DIR), alias(rel, REL)) \
        .from_(lagged.subquery("_sg_lag"))


def _versions(ctx: Context, p: RevisionDriftParams, cols: Long, group: str | None) -> exp.Select:
    """One row per unit, indicator, month and version; conflicting values of one version make it NULL."""
    family = ctx.types(p.source).get(p.version)
    version = col(p.version)
    by_number = version.copy() if family in ("number", "date") else \
        exp.TryCast(this=version.copy(), to=exp.DataType.build("DOUBLE"))
    first, second = (col(p.submitted), version) if p.order == "submitted" else (by_number, version)
    rows = exp.select(
        alias(col(cols.unit or ""), U),
        alias(col(cols.indicator) if cols.indicator else lit(""), IND),
        alias(col(cols.period) if cols.period else lit(""), M),
        alias(first, O1), alias(second.copy(), O2),
        alias(exp.TryCast(this=col(p.value), to=exp.DataType.build("DOUBLE")), V),
        alias(col(group) if group else lit(""), G),
    ).from_(ctx.table(p.source)).where(exp.Not(this=exp.Is(this=col(cols.unit or ""), expression=exp.Null())))
    if cols.scope is not None:
        rows = rows.where(cols.scope.copy())
    same = exp.EQ(this=exp.Min(this=col(V)), expression=exp.Max(this=col(V)))
    keys = [col(c) for c in (U, IND, M, O1, O2)]
    return exp.select(*keys, alias(exp.Case().when(same, exp.Min(this=col(V))), V), alias(exp.Max(this=col(G)), G)) \
        .from_(rows.subquery("_sg_rows")).group_by(*[k.copy() for k in keys])


def _per_unit(p: RevisionDriftParams, grouped: bool) -> exp.Select:
    """Per unit: steps, ups, downs, unchanged, flattering steps (_k), median relative step, peer group _g."""
    direction = col(DIR)
    counted = exp.NEQ(this=direction.copy(), expression=lit(0))
    flat = 1 if p.flattering == "up" else -1
    single = exp.EQ(this=exp.Count(this=exp.Distinct(expressions=[col(G)])), expression=lit(1))
    peer_group = exp.Case().when(single, exp.Min(this=col(G))) if grouped else exp.Min(this=col(G))
    return exp.select(
        col(U),
        alias(exp.cast(count_if(counted), "BIGINT"), "steps"),
        alias(exp.cast(count_if(exp.EQ(this=direction.copy(), expression=lit(1))), "BIGINT"), "ups"),
        alias(exp.cast(count_if(exp.EQ(this=direction.copy(), expression=lit(-1))), "BIGINT"), "downs"),
        alias(exp.cast(count_if(exp.and_(col(STEP), exp.EQ(this=direction.copy(), expression=lit(0)))), "BIGINT"),
              "unchanged"),
        alias(exp.cast(count_if(exp.EQ(this=direction.copy(), expression=lit(flat))), "BIGINT"), "_k"),
        alias(exp.Median(this=exp.Case().when(counted.copy(), col(REL))), "median_relative_step"),
        alias(peer_group, G),
    ).from_(ref(STEPS)).group_by(col(U))


def _with_peer_source(ctx: Context, peers: Peers, units: exp.Select) -> exp.Select:
    """The units with _g taken from the peer source (NULL when absent there or given several groups)."""
    ctx.source(peers.source, "peers")
    unit = peers.unit or ctx.source(peers.source).unit or "unit"
    ctx.require_column(peers.source, unit, "peers")
    ctx.require_column(peers.source, peers.group, "peers")
    single = exp.EQ(this=exp.Count(this=exp.Distinct(expressions=[col(peers.group)])), expression=lit(1))
    group = exp.Case().when(single, exp.Min(this=col(peers.group)))
    groups = exp.select(alias(col(unit), "_pu"), alias(group, "_pg")) \
        .from_(ctx.table(peers.source)).where(exp.Not(this=exp.Is(this=col(unit), expression=exp.Null()))) \
        .group_by(col(unit))
    own = [col(c, "u") for c in (U, "steps", "ups", "downs", "unchanged", "_k", "median_relative_step")]
    return exp.select(*own, alias(exp.cast(col("_pg", "pg"), "VARCHAR"), G)) \
        .from_(units.subquery("u")) \
        .join(groups.subquery("pg"), on=exp.EQ(this=exp.cast(col(U, "u"), "VARCHAR"),
                                             expression=exp.cast(col("_pu", "pg"), "VARCHAR")), join_type="left")


def _against_peers(p: RevisionDriftParams, units: exp.Select) -> exp.Select:
    """The units with their peers' steps, flattering steps and units (leave one out), p0, the count test's
    median, scale and robust z (_c_med, _c_scale, _z) and _na (why not evaluable: a detail key suffix, NULL
    when evaluable)."""
    def others(value: exp.Expression) -> exp.Expression:
        total = exp.Window(this=exp.Sum(this=value.copy()), partition_by=[col(G)])
        return exp.Case().when(exp.Not(this=exp.Is(this=col(G), expression=exp.Null())),
                               exp.cast(exp.Sub(this=total, expression=value.copy()), "BIGINT"))

    has_steps = exp.GT(this=col("steps"), expression=lit(0))
    active = exp.Case().when(has_steps, lit(1)).else_(lit(0))
    peered = exp.select(exp.Star(), alias(others(col("steps")), "peer_steps"),
                        alias(others(col("_k")), "peer_flattering"), alias(others(active), "peer_units"),
                        alias(exp.Case().when(has_steps.copy(), col("_k")), "_kc")) \
        .from_(units.subquery("_sg_units"))
    counted = robust_stats(peered, "_kc", [G], prefix="_c_")
    # the spread of the peers' counts: the scaled MAD, but at least one step and at least sqrt(median), the
    # spread of a Poisson count with that mean (a MAD of 0 when most peers share one count says little)
    scale = exp.Greatest(this=col("_c_mad"), expressions=[number(1.0), exp.Sqrt(this=col("_c_med"))])
    z = exp.Div(this=exp.paren(exp.Sub(this=col("_k"), expression=col("_c_med"))), expression=scale.copy())
    p0 = exp.Div(this=exp.cast(col("peer_flattering"), "DOUBLE"),
                 expression=exp.Nullif(this=col("peer_steps"), expression=lit(0)))
    na = (exp.Case().when(exp.Is(this=col(G), expression=exp.Null()), lit("no_group"))
          .when(exp.LT(this=col("steps"), expression=lit(p.min_steps)), lit("few_steps"))
          .when(exp.EQ(this=col("peer_units"), expression=lit(0)), lit("no_peers"))
          .when(exp.LT(this=col("peer_steps"), expression=lit(p.min_peer_steps)), lit("few_peer_steps")))
    if p.test == "count":
        na = na.when(exp.LT(this=col("peer_units"), expression=lit(p.min_peer_units)), lit("few_peer_units"))
    return exp.select(exp.Star(), alias(p0, "_p0"), alias(scale, "_c_scale"), alias(z, "_z"), alias(na, "_na")) \
        .from_(counted.subquery("_sg_peered"))


def _tail() -> exp.Select:
    """Per evaluable unit with 0 < p0 < 1: _tail = P(X >= k | n, p0), summed over j = k..n. The binomial
    coefficients come from a running sum of ln(n - j + 1) - ln(j), so no gamma function is needed."""
    n, k, p0, j = col("steps"), col("_k"), col("_p0"), col(J)
    inside = exp.and_(exp.Is(this=col("_na"), expression=exp.Null()), exp.GT(this=p0.copy(), expression=lit(0)),
                      exp.LT(this=p0.copy(), expression=lit(1)))
    series = exp.Explode(this=exp.GenerateSeries(start=lit(0), end=n.copy()))
    terms = exp.select(col(U), n.copy(), k.copy(), p0.copy(), alias(series, J)).from_(ref(RATED)) \
        .where(inside)
    log_ratio = exp.Case().when(exp.EQ(this=j.copy(), expression=lit(0)), lit(0)).else_(exp.Sub(
        this=exp.Ln(this=exp.Add(this=exp.Sub(this=n.copy(), expression=j.copy()), expression=lit(1))),
        expression=exp.Ln(this=j.copy())))
    running = exp.Window(this=exp.Sum(this=log_ratio), partition_by=[col(U)],
                         order=exp.Order(expressions=[exp.Ordered(this=j.copy())]),
                         spec=exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING",
                                             end="CURRENT ROW"))
    coefficients = exp.select(exp.Star(), alias(running, LOGC)).from_(terms.subquery("_sg_terms"))
    ups = exp.Mul(this=j.copy(), expression=exp.Ln(this=p0.copy()))
    downs = exp.Mul(this=exp.paren(exp.Sub(this=n.copy(), expression=j.copy())),
                    expression=exp.Ln(this=exp.Sub(this=lit(1), expression=p0.copy())))
    log_term = exp.Add(this=exp.Add(this=col(LOGC), expression=ups), expression=downs)
    term = exp.Case().when(exp.GTE(this=j.copy(), expression=k.copy()), exp.Exp(this=log_term)).else_(lit(0))
    return exp.select(alias(col(U), "_tu"), alias(exp.Sum(this=term), "_tail")) \
        .from_(coefficients.subquery("_sg_coef")).group_by(col(U))


def _verdict(p: RevisionDriftParams, r: str, grouped: bool, lists: bool) -> tuple[exp.Expression, ...]:
    """(_status, _detail key, p-value, share of flattering steps, robust z, tests fired) of a unit of the
    rated table `r`."""
    k, n, p0, na = col("_k", r), col("steps", r), col("_p0", r), col("_na", r)
    not_evaluable = exp.Not(this=exp.Is(this=na.copy(), expression=exp.Null()))
    p_value = (exp.Case().when(not_evaluable.copy(), exp.Null())
               .when(exp.EQ(this=p0.copy(), expression=lit(0)),
                     exp.Case().when(exp.GT(this=k.copy(), expression=lit(0)), lit(0)).else_(lit(1)))
               .when(exp.EQ(this=p0.copy(), expression=lit(1)), lit(1))
               .else_(exp.Least(this=col("_tail", "_sg_tail"), expressions=[number(1.0)])))
    share = exp.Div(this=exp.cast(k.copy(), "DOUBLE"), expression=exp.Nullif(this=n.copy(), expression=lit(0)))
    # the count test is judged when the unit is evaluable and has enough peers with counted steps
    counts = exp.and_(exp.Is(this=na.copy(), expression=exp.Null()),
                      exp.GTE(this=col("peer_units", r), expression=lit(p.min_peer_units)))
    z = exp.Case().when(counts.copy(), col("_z", r))
    by_share = exp.LT(this=p_value.copy(), expression=number(p.alpha))
    by_count = exp.and_(counts.copy(), exp.GT(this=col("_z", r), expression=number(p.count_z)),
                        exp.GT(this=share.copy(), expression=p0.copy()))
    if p.min_share is not None:
        enough = exp.GTE(this=share.copy(), expression=number(p.min_share))
        by_share, by_count = exp.and_(by_share, enough), exp.and_(by_count, enough.copy())
    if p.test == "share":
        by_count = exp.false()
    elif p.test == "count":
        by_share = exp.false()
    fail = exp.or_(exp.paren(by_share.copy()), exp.paren(by_count.copy()))
    status = exp.Case().when(not_evaluable.copy(), lit("na")).when(fail.copy(), lit("fail")).else_(lit("pass"))
    suffix = p.flattering + ("" if grouped else "_all") + ("" if lists else "_bare")
    both = exp.and_(exp.paren(by_share.copy()), exp.paren(by_count.copy()))
    detail = (exp.Case().when(not_evaluable.copy(), exp.Concat(expressions=[lit(DETAIL_KEY), na.copy()]))
              .when(both.copy(), lit(DETAIL_KEY + "both_" + suffix))
              .when(by_count.copy(), lit(DETAIL_KEY + "count_" + suffix))
              .when(by_share.copy(), lit(DETAIL_KEY + suffix))
              .when(counts.copy(), lit(DETAIL_KEY + "pass_count"))
              .else_(lit(DETAIL_KEY + "pass")))
    fired = (exp.Case().when(both, lit("share, count")).when(by_count, lit("count"))
             .when(by_share, lit("share")))
    return status, detail, p_value, share, z, fired


def _top(column: str, flat: int) -> exp.Select:
    """Per unit, up to TOP values of `column` (indicator or month) with most flattering steps, as
    'value (flattering/steps)' text: _tu, _list."""
    per = exp.select(col(U), alias(col(column), "_x"),
                     alias(exp.cast(count_if(exp.EQ(this=col(DIR), expression=lit(flat))), "BIGINT"), "_f"),
                     alias(exp.cast(count_if(exp.NEQ(this=col(DIR), expression=lit(0))), "BIGINT"), "_c")) \
        .from_(ref(STEPS)).group_by(col(U), col(column))
    most_first = exp.Order(expressions=[exp.Ordered(this=col("_f"), desc=True), exp.Ordered(this=col("_x"))])
    rank = exp.Window(this=exp.RowNumber(), partition_by=[col(U)], order=most_first)
    ranked = exp.select(exp.Star(), alias(rank, "_r")).from_(per.subquery("_sg_per")) \
        .where(exp.GT(this=col("_f"), expression=lit(0)))
    item = exp.Concat(expressions=[exp.cast(col("_x"), "VARCHAR"), lit(" ("), exp.cast(col("_f"), "VARCHAR"), lit("/"),
                                   exp.cast(col("_c"), "VARCHAR"), lit(")")])
    listing = exp.GroupConcat(this=exp.Order(this=item, expressions=[exp.Ordered(this=col("_r"))]),
                              separator=lit(", "))
    return exp.select(alias(col(U), "_tu"), alias(listing, "_list")).from_(ranked.subquery("_sg_ranked")) \
        .where(exp.LTE(this=col("_r"), expression=lit(TOP))).group_by(col(U))


def _result(p: RevisionDriftParams, *, has_indicator: bool,
            has_month: bool, grouped: bool) -> exp.Select:
    """The items: one per unit, with status, figures, evidence and detail key."""
    r = RATED
    query = exp.select().from_(ref(RATED)).join(
        _tail().subquery("_sg_tail"), on=exp.EQ(this=col(U, r), expression=col("_tu", "_sg_tail")),
        join_type="left")
    flat = 1 if p.flattering == "up" else -1
    lists = []
    for name, column, present in (("indicators", IND, has_indicator), ("months", M, has_month)):
        if present:
            t = "_sg_" + name
            query = query.join(_top(column, flat).subquery(t), on=exp.EQ(
                this=col(U, r), expression=col("_tu", t)), join_type="left")
            lists.append(alias(col("_list", t), VAL + name))
        else:
            lists.append(alias(exp.cast(exp.Null(), "VARCHAR"), VAL + name))
    status, detail, p_value, share, z, fired = _verdict(p, r, grouped, has_indicator or has_month)
    p0 = col("_p0", r)
    figures = [alias(col(c, r), VAL + c) for c in ("steps", "ups", "downs", "unchanged")]
    group = col(G, r) if grouped else exp.cast(exp.Null(), "VARCHAR")
    peers = [alias(group, VAL + "peer_group"), alias(col("peer_units", r), VAL + "peer_units"),
             alias(col("peer_steps", r), VAL + "peer_steps"),
             alias(col("peer_flattering", r), VAL + ("peer_ups" if p.flattering == "up" else "peer_downs"))]
    return query.select(
        alias(status, STATUS), alias(col(U, r), UNIT), *figures, alias(p_value, VAL + "p_value"),
        alias(z, VAL + "z"), *[alias(exp.Case().when(exp.Not(this=exp.Is(this=z.copy(), expression=exp.Null())),
                                                    col(c, r)), VAL + name)
                               for c, name in (("_c_med", "peer_median"), ("_c_mad", "peer_mad"),
                                               ("_c_scale", "peer_spread"))],
        alias(fired, VAL + "test"),
        alias(col("median_relative_step", r), VAL + "median_relative_step"), *peers, *lists,
        alias(share, OBSERVED), alias(p0.copy(), EXPECTED), alias(exp.Sub(this=share.copy(), expression=p0.copy()),
                                                                  IMBALANCE),
        alias(detail, DETAIL))
