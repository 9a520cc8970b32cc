"""How each figure moved across the versions submitted for it: resubmissions that disagree.

One item is a unit, period and indicator (plus any other key columns of the
source); its versions are every submission of it, in order. Versions come from
the history store (the default: everything recorded for the source with
`statguard history record` or `check --record`, with the reasons given there)
or, with `version:`, from a column of the source itself (one row per version;
the column must sort in arrival order: numbers, dates or ISO timestamps).
Reading the store, the item keys must be columns of the recorded rows.

For every item the rule counts versions and distinct values, finds the
largest change between successive versions (absolute and relative to the
earlier value), the direction of the changes, and the changes made without
explanation. An item fails when a threshold is exceeded, when every one of
at least `min_revisions` changes moved towards the flattering side (`flattering:
up` for output and investment, `down` for costs or unemployment), or when a
value changed without explanation. Periods written differently ("2024-09",
"2024年9月") are the same period; a violation names it as the records write it
(the first spelling, in text order, where versions differ).

A change is explained when a reason was stated for its version (`--reason` in
the store, or the `reason:` column; with `version:` and no `reason:` this is
not evaluated), or, reading the store, when an explanation recorded there
(`check --record --explanations FILE`, the view "history:_explanations")
covers it. A recorded explanation covers the change a version made to a figure
when all of these hold:

  - it was accepted when recorded (status "explained"; stale, refused, empty or
    insufficient ones never count);
  - it is for this rule or another rule of the pack reading the same source;
  - same unit and same period (periods compared by their canonical label);
  - it names the figure: every item key with the same value, and the indicator
    (`keys: {indicator: <value column>}`, as the violations of this rule are
    keyed); an explanation without the indicator (one of another rule) counts
    only when the rule follows a single value column;
  - it was recorded with that version: it names that version of the source as
    the one it answered (`check --record` stores the data versions recorded in
    the same run, column answers:<source> of the view), so an explanation
    answers the submission it came with, not earlier or later changes. One
    recorded without naming a version (by older statguard versions) counts
    when received at or after the version and before the figure's next one.

NULL semantics: a NULL value (or one that is not a number) is listed among the
versions as NULL but is not a value: changes are measured between successive
non-NULL values. An item without any value is not evaluable; an item with one
version only passes. `_observed` is the latest value, `_expected` the first,
`_imbalance` their difference; `val:values` lists the value of every version in
order and `_detail` spells them out with the version labels and the reasons for
failing.

Passing example (the same figure submitted twice, identical):

    - id: REV-01
      kind: revisions
      source: zone_stats
      version: 版本
      reason: 说明
      values: [地区生产总值, 固定资产投资]
      flattering: up
      max_distinct_values: 2

Failing data for it: 开发区's 地区生产总值 for 2024Q3 submitted five times as
100, 104, 109, 113, 120 without a reason: 5 distinct values (max 2), all 4
revisions upward, 4 changes without a stated reason.

Reading the store (no `version:`), an explanation recorded with the second
version clears that change; one for 高新区, or for 2024Q2, does not:

    explanations:
      - rule_id: REV-01
        unit: 开发区
        period: 2024Q3
        keys: {indicator: 地区生产总值}
        text: 补录两个新投产项目
"""

from __future__ import annotations

from collections.abc import Callable
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
    number,
    pieces,
)
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, spoken, t
from statguard.pack.model import Rule

HISTORY_PREFIX = "history:"  # the engine view of a source's recorded versions (statguard.history.capture)
EXPLANATIONS_VIEW = "history:_explanations"  # recorded explanations (statguard.history.explanations)
U, P, IND, V, VER, LBL, WHY, PREV = "_u", "_p", "_ind", "_v", "_ver", "_lbl", "_why", "_prev"
AS_WRITTEN = "_pw"  # the period as the records write it (2024年三季度); P is its canonical label (2024Q3)
RCV, NEXT, XPL = "_rcv", "_next", "_xpl"  # received time of a version, of the item's next one; explained
VNO = "_vno"  # the recorded version number (history:<source>._sg_version), which explanations name
ANSWERS = "answers:"  # history:_explanations.answers:<source>: the version of <source> it answered
ROW_ALIAS, EXPL_ALIAS = "_sg_lagged", "_sg_e"
VALUE_COLUMNS = {"versions": "n_versions", "distinct_values": "distinct_values", "values": "value_list",
                 "changes": "changes", "largest_change": "largest_change",
                 "largest_relative_change": "largest_relative_change", "unexplained_changes": "unexplained_changes"}


class RevisionsParams(Params):
    source: str = Field(description="Source whose figures are followed across versions.")
    values: list[str] = Field(min_length=1, description="Numeric columns holding the figures; each is an indicator.")
    version: str | None = Field(None, description=(
        "Column holding the version (sorting in arrival order). Without it the versions recorded in "
        "the history store for the source are read."))
    reason: str | None = Field(None, description=(
        "Column holding the stated reason of a version (with `version:`; the history store keeps its own, "
        "and explanations recorded with a version count as reasons too)."))
    keys: list[str] | None = Field(None, description=(
        "Columns identifying an item besides unit and period (default: the source's keys without the "
        "version, unit and period columns)."))
    flattering: Literal["up", "down"] = Field("up", description="Which direction of change flatters the unit.")
    max_versions: int | None = Field(None, ge=1, description="Fail when an item has more versions than this.")
    max_distinct_values: int | None = Field(None, ge=1, description=(
        "Fail when an item took more distinct values than this."))
    max_change: float | None = Field(None, ge=0, description=(
        "Fail when a change between successive versions exceeds this (absolute)."))
    max_relative_change: float | None = Field(None, ge=0, description=(
        "Fail when a change exceeds this fraction of the earlier value (0.05 = 5%)."))
    flag_monotone_flattering: bool = Field(True, description=(
        "Fail when every change moved towards the flattering side (needs min_revisions changes)."))
    min_revisions: int = Field(2, ge=1, description="Changes needed before a one-way direction counts.")
    flag_unexplained_change: bool = Field(True, description=(
        "Fail when a value changed in a version without a stated reason or (reading the store) an "
        "explanation recorded with that version (when reasons are known)."))
    tolerance: float = Field(0.0, ge=0, description="Differences up to this are not changes.")
    where: str | None = Field(None, description="Only records for which this is true are followed.")

    def source_names(self) -> list[str]:
        return [self.source] if self.version else [HISTORY_PREFIX + self.source]


def indicator_key(keys: list[str]) -> str:
    """Name of the key holding the value column: 'indicator', unless the source has such a key."""
    return "value_column" if "indicator" in keys else "indicator"


def col(name: str) -> exp.Column:
    return quote_column(name)


@rule_kind("revisions", RevisionsParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: RevisionsParams = rule.params
    spec = ctx.source(p.source)
    history = p.version is None
    view = HISTORY_PREFIX + p.source if history and not ctx.linting else p.source
    for name in p.values:
        ctx.require_column(view, name, "values")
    version = col("_sg_submission") if history else ctx.require_column(view, p.version or "", "version")
    numeric_version = not history and ctx.types(view).get(p.version or "") == "number"
    label = _concat("v", _text(col("_sg_version"))) if history else \
        _concat("v", _text(version)) if numeric_version else exp.cast(version.copy(), "VARCHAR")
    reason = col("_sg_reason") if history else (ctx.require_column(view, p.reason, "reason") if p.reason else None)
    unit = spec.unit or ("_sg_unit" if history else None)
    period = spec.period or ("_sg_period" if history else None)
    skip = {p.version, p.reason, spec.unit, spec.period, *p.values}
    keys = list(p.keys) if p.keys is not None else [k for k in spec.keys if k not in skip]
    for k in keys:
        ctx.require_column(view, k, "keys")
    scope = ctx.compile(p.where, "where", {None: view}).tree if p.where else None
    recorded = (col("_sg_received"), col("_sg_version")) if history else (None, None)
    base = _base(ctx, view, p, keys, unit, period, (version, label, *recorded), reason, scope)
    explained = _explained(ctx, rule, view, keys, unit) if history else None
    query = _summary(base, p, keys, unit is not None, period is not None, reason is not None, explained)
    order = [f'"{c}"' for c, present in ((UNIT, unit), (PERIOD, period)) if present]
    order += [f'"{KEY}{k}"' for k in keys] + [f'"{KEY}{indicator_key(keys)}"']
    if period is not None:
        from statguard.checks.time.common import period_plan
        return period_plan(query, view, period, order_by=order)
    return Plan(query=query, order_by=order)


def _base(ctx: Context, view: str, p: RevisionsParams, keys: list[str], unit: str | None, period: str | None,
          version: tuple[exp.Expression, exp.Expression, exp.Expression | None, exp.Expression | None],
          reason: exp.Expression | None, scope: exp.Expression | None) -> exp.Select:
    """One row per record and indicator: _u, _p, _k<i>, _ind, _v, _ver (order), _lbl (its label), _why,
    and reading the store _rcv (received) and _vno (version number)."""
    if period is not None:
        from statguard.checks.time.common import with_periods
        relation: exp.Expression = with_periods(ctx, view, period, scope).subquery("_sg_src")
        period_value: exp.Expression = exp.Coalesce(this=col("_sg_label"),
                                                    expressions=[exp.cast(col(period), "VARCHAR")])
        written: exp.Expression = exp.cast(col(period), "VARCHAR")
    else:
        relation = exp.select("*").from_(ctx.table(view)).where(scope).subquery("_sg_src") if scope is not None \
            else ctx.table(view)
        period_value = written = exp.Null()
    branches = []
    for name in p.values:
        branch = exp.select(
            alias(col(unit) if unit else exp.Null(), U), alias(period_value.copy(), P),
            alias(written.copy(), AS_WRITTEN),
            *[alias(col(k), f"_k{i}") for i, k in enumerate(keys)],
            alias(exp.Literal.string(name), IND),
            alias(exp.TryCast(this=col(name), to=exp.DataType.build("DOUBLE")), V),
            alias(version[0].copy(), VER), alias(version[1].copy(), LBL),
            alias(reason.copy() if reason is not None else exp.Null(), WHY),
            alias(version[2].copy() if version[2] is not None else exp.Null(), RCV),
            alias(version[3].copy() if version[3] is not None else exp.Null(), VNO),
        ).from_(relation.copy())
        branches.append(branch)
    union: exp.Select | exp.Union = branches[0]
    for branch in branches[1:]:
        union = exp.union(union, branch, distinct=False)
    return union  # type: ignore[return-value]


def _summary(base: exp.Expression, p: RevisionsParams, keys: list[str], has_unit: bool, has_period: bool,
             reasons_known: bool, explained: exp.Expression | None) -> exp.Select:
    group = [col(c) for c in (U, P, *[f"_k{i}" for i in range(len(keys))], IND)]

    def over(fn: exp.Expression) -> exp.Window:
        return exp.Window(this=fn, partition_by=[g.copy() for g in group],
                          order=exp.Order(expressions=[exp.Ordered(this=col(VER))]), over="OVER")

    seq = exp.select("*", alias(over(exp.IgnoreNulls(this=exp.Lag(this=col(V)))), PREV),
                     alias(over(exp.Lead(this=col(RCV))), NEXT)).from_(base.subquery("_sg_base"))
    seq = exp.select("*", alias(explained if explained is not None else exp.false(), XPL)) \
        .from_(seq.subquery(ROW_ALIAS))
    # a period written two ways (2024-09, 2024年9月) is one: shown as the records write it, the first of them
    agg = (_aggregate(p, group).select(alias(exp.Min(this=col(AS_WRITTEN)), AS_WRITTEN))
           .from_(seq.subquery("_sg_seq")).group_by(*group))
    conditions = _conditions(p, reasons_known, explained is not None)
    failing = exp.or_(*[exp.Coalesce(this=c, expressions=[exp.false()]) for c, _ in conditions]) \
        if conditions else exp.false()
    verdict = (exp.Case().when(exp.EQ(this=col("n_values"), expression=exp.Literal.number(0)), exp.Literal.string("na"))
               .when(failing, exp.Literal.string("fail")).else_(exp.Literal.string("pass")))
    sep = t("detail.revisions.sep", spoken())
    reasons = [exp.Case().when(exp.Coalesce(this=c, expressions=[exp.false()]), _concat(sep, text))
               .else_(exp.Literal.string("")) for c, text in conditions]
    out = [alias(verdict, STATUS)]
    if has_unit:
        out.append(alias(col(U), UNIT))
    if has_period:
        out.append(alias(col(AS_WRITTEN), PERIOD))
    out += [alias(col(f"_k{i}"), KEY + k) for i, k in enumerate(keys)]
    out.append(alias(col(IND), KEY + indicator_key(keys)))
    out += [alias(col(column), VAL + name) for name, column in VALUE_COLUMNS.items()]
    out += [alias(col("last_value"), OBSERVED), alias(col("first_value"), EXPECTED),
            alias(exp.Sub(this=col("last_value"), expression=col("first_value")), IMBALANCE),
            alias(_concat(col("listing"), *reasons), DETAIL)]
    return exp.select(*out).from_(agg.subquery("_sg_agg"))


def _explained(ctx: Context, rule: Rule, view: str, keys: list[str], unit: str | None) -> exp.Expression | None:
    """Whether a recorded explanation covers the version of the row (None: no explanations to read).

    Correlated on the row's _u, _p, _k<i>, _ind, _vno, _rcv and _next (see the module docstring for the matching).
    """
    if ctx.linting:
        return None
    try:
        known = set(ctx.columns(EXPLANATIONS_VIEW) or [])
    except PackError:  # the view is not bound: nothing recorded can be read
        return None
    p: RevisionsParams = rule.params
    types = ctx.types(view)

    def e(name: str) -> exp.Expression:
        return exp.cast(quote_column(name, EXPL_ALIAS), "VARCHAR")

    def row(name: str) -> exp.Column:
        return quote_column(name, ROW_ALIAS)

    ids = [rule.id] + [r.id for r in ctx.pack.rules
                       if r.id != rule.id and {p.source, HISTORY_PREFIX + p.source} & set(r.sources)]
    single = exp.true() if len(p.values) == 1 else exp.false()
    indicator = KEY + indicator_key(keys)
    conds: list[exp.Expression] = [
        exp.EQ(this=e("status"), expression=exp.Literal.string("explained")),
        exp.In(this=e("rule_id"), expressions=[exp.Literal.string(i) for i in ids]),
        exp.EQ(this=e("_sg_unit"), expression=_key_text(row(U), types.get(unit or ""))),
        exp.EQ(this=e("_sg_period"), expression=_key_text(row(P), "string")),
        _with_version(e, row, ANSWERS + p.source if ANSWERS + p.source in known else None),
    ]
    for i, k in enumerate(keys):
        conds.append(exp.EQ(this=e(KEY + k), expression=_key_text(row(f"_k{i}"), types.get(k)))
                     if KEY + k in known else exp.false())
    if indicator in known:
        conds.append(exp.paren(exp.or_(exp.EQ(this=e(indicator), expression=row(IND)),
                                       exp.and_(exp.Is(this=e(indicator), expression=exp.Null()), single))))
    else:
        conds.append(single)
    found = exp.select(exp.Literal.number(1)).from_(ctx.table(EXPLANATIONS_VIEW, alias=EXPL_ALIAS)) \
        .where(exp.and_(*conds))
    return exp.Exists(this=found)


def _with_version(e: Callable[[str], exp.Expression], row: Callable[[str], exp.Column],
                  answers: str | None) -> exp.Expression:
    """The explanation came with the row's version: it names that version as the one it answered, or,
    recorded without naming one (before `answers` existed), it was received at or after the version
    and before the figure's next one."""
    received = exp.and_(
        exp.GTE(this=e("_sg_received"), expression=exp.cast(row(RCV), "VARCHAR")),
        exp.paren(exp.or_(exp.Is(this=row(NEXT), expression=exp.Null()),
                          exp.LT(this=e("_sg_received"), expression=exp.cast(row(NEXT), "VARCHAR")))))
    if answers is None:
        return received
    answered = exp.TryCast(this=e(answers), to=exp.DataType.build("BIGINT"))
    named = exp.and_(exp.Not(this=exp.Is(this=answered.copy(), expression=exp.Null())),
                     exp.EQ(this=answered.copy(), expression=exp.cast(row(VNO), "BIGINT")))
    return exp.paren(exp.or_(named, exp.and_(exp.Is(this=answered.copy(), expression=exp.Null()), received)))


def _key_text(value: exp.Expression, family: str | None) -> exp.Expression:
    """A key value as explanations store it (statguard.explain.model.norm): 7.0 as '7', NULL as ''."""
    if family == "number":
        integral = exp.and_(
            exp.EQ(this=value.copy(), expression=exp.Anonymous(this="TRUNC", expressions=[value.copy()])),
            exp.LT(this=exp.Abs(this=value.copy()), expression=exp.Literal.number("1e15")))
        text: exp.Expression = exp.Case().when(integral, exp.cast(exp.cast(value.copy(), "BIGINT"), "VARCHAR")) \
            .else_(exp.cast(value.copy(), "VARCHAR"))
    else:
        text = exp.Trim(this=exp.cast(value.copy(), "VARCHAR"))
    return exp.Coalesce(this=text, expressions=[exp.Literal.string("")])


def _aggregate(p: RevisionsParams, group: list[exp.Column]) -> exp.Select:
    v, prev = col(V), col(PREV)
    change = exp.and_(exp.Not(this=exp.Is(this=v.copy(), expression=exp.Null())),
                      exp.Not(this=exp.Is(this=prev.copy(), expression=exp.Null())),
                      exp.GT(this=exp.Abs(this=exp.Sub(this=v.copy(), expression=prev.copy())),
                             expression=number(p.tolerance)))
    delta = exp.Abs(this=exp.Sub(this=v.copy(), expression=prev.copy()))

    def count_if(cond: exp.Expression) -> exp.Expression:
        return exp.cast(exp.Sum(this=exp.Case().when(cond, exp.Literal.number(1)).else_(exp.Literal.number(0))),
                        "BIGINT")

    def when_changed(value: exp.Expression) -> exp.Expression:
        return exp.Case().when(change.copy(), value)

    blank = exp.and_(exp.paren(exp.or_(exp.Is(this=col(WHY), expression=exp.Null()), exp.EQ(
        this=exp.Trim(this=exp.cast(col(WHY), "VARCHAR")), expression=exp.Literal.string("")))),
        exp.Not(this=col(XPL)))
    item = _concat(col(LBL), "=", _text(v.copy()))
    by_version = exp.Order(expressions=[exp.Ordered(this=col(VER))])
    known_version = exp.Case().when(exp.Not(this=exp.Is(this=v.copy(), expression=exp.Null())), col(VER))
    return exp.select(
        *group,
        alias(exp.Count(this=exp.Distinct(expressions=[col(VER)])), "n_versions"),
        alias(exp.Count(this=v.copy()), "n_values"),
        alias(exp.Count(this=exp.Distinct(expressions=[v.copy()])), "distinct_values"),
        alias(exp.ArrayAgg(this=exp.Order(this=v.copy(), expressions=by_version.copy().expressions)), "value_list"),
        alias(count_if(change.copy()), "changes"),
        alias(count_if(exp.and_(change.copy(), exp.GT(this=v.copy(), expression=prev.copy()))), "ups"),
        alias(count_if(exp.and_(change.copy(), exp.LT(this=v.copy(), expression=prev.copy()))), "downs"),
        alias(exp.Max(this=when_changed(delta.copy())), "largest_change"),
        alias(exp.Max(this=when_changed(exp.Div(this=delta.copy(), expression=exp.Nullif(
            this=exp.Abs(this=prev.copy()), expression=exp.Literal.number(0))))), "largest_relative_change"),
        alias(count_if(exp.and_(change.copy(), exp.paren(blank))), "unexplained_changes"),
        alias(exp.Anonymous(this="ARG_MIN", expressions=[v.copy(), known_version.copy()]), "first_value"),
        alias(exp.Anonymous(this="ARG_MAX", expressions=[v.copy(), known_version.copy()]), "last_value"),
        alias(exp.GroupConcat(this=exp.Order(this=item, expressions=by_version.copy().expressions),
                              separator=exp.Literal.string(", ")), "listing"),
    )


register({
    "detail.revisions.sep": {"en": "; ", "zh": "；"},
    "detail.revisions.versions": {"en": "{n} versions (max {max})", "zh": "报送 {n} 个版本（上限 {max}）"},
    "detail.revisions.distinct": {"en": "{n} distinct values (max {max})", "zh": "{n} 个不同数值（上限 {max}）"},
    "detail.revisions.largest": {"en": "largest change {change} (max {max})", "zh": "最大改动 {change}（上限 {max}）"},
    "detail.revisions.largest_relative": {"en": "largest change {change}% of the earlier value (max {max}%)",
                                          "zh": "最大改动为原值的 {change}%（上限 {max}%）"},
    "detail.revisions.all_up": {"en": "all {n} revisions upward (the flattering side)",
                                "zh": "{n} 次修订全部上调（对本单位有利的方向）"},
    "detail.revisions.all_down": {"en": "all {n} revisions downward (the flattering side)",
                                  "zh": "{n} 次修订全部下调（对本单位有利的方向）"},
    "detail.revisions.unexplained": {"en": "{n} of {changes} changes without a stated reason",
                                     "zh": "{changes} 次改动中有 {n} 次未说明原因"},
    "detail.revisions.unexplained_recorded": {
        "en": "{n} of {changes} changes without a stated reason or recorded explanation",
        "zh": "{changes} 次改动中有 {n} 次既未说明原因，也没有记录在案的情况说明"},
})


def _conditions(p: RevisionsParams, reasons_known: bool,
                explanations: bool = False) -> list[tuple[exp.Expression, exp.Expression]]:
    """(failing condition over the aggregate, text saying so) for each threshold the rule sets,
    in the language spoken while the rule is planned (statguard.runner.plan_rule)."""
    out: list[tuple[exp.Expression, exp.Expression]] = []
    lang = spoken()

    def over(column: str, limit: float, key: str) -> None:
        text = _concat(*pieces(key, lang, n=_text(col(column)), max=_plain_number(limit)))
        out.append((exp.GT(this=col(column), expression=number(limit)), text))

    if p.max_versions is not None:
        over("n_versions", p.max_versions, "detail.revisions.versions")
    if p.max_distinct_values is not None:
        over("distinct_values", p.max_distinct_values, "detail.revisions.distinct")
    if p.max_change is not None:
        out.append((exp.GT(this=col("largest_change"), expression=number(p.max_change)),
                    _concat(*pieces("detail.revisions.largest", lang, change=_text(col("largest_change")),
                                    max=_plain_number(p.max_change)))))
    if p.max_relative_change is not None:
        pct = exp.Round(this=exp.Mul(this=col("largest_relative_change"), expression=number(100.0)),
                        decimals=exp.Literal.number(2))
        out.append((exp.GT(this=col("largest_relative_change"), expression=number(p.max_relative_change)),
                    _concat(*pieces("detail.revisions.largest_relative", lang, change=_text(pct),
                                    max=_plain_number(p.max_relative_change * 100)))))
    if p.flag_monotone_flattering:
        side = "ups" if p.flattering == "up" else "downs"
        cond = exp.and_(exp.GTE(this=col("changes"), expression=exp.Literal.number(p.min_revisions)),
                        exp.EQ(this=col(side), expression=col("changes")))
        key = "detail.revisions.all_up" if p.flattering == "up" else "detail.revisions.all_down"
        out.append((cond, _concat(*pieces(key, lang, n=_text(col("changes"))))))
    if p.flag_unexplained_change and reasons_known:
        out.append((exp.GT(this=col("unexplained_changes"), expression=exp.Literal.number(0)),
                    _concat(*pieces("detail.revisions.unexplained_recorded" if explanations
                                    else "detail.revisions.unexplained", lang,
                                    n=_text(col("unexplained_changes")), changes=_text(col("changes"))))))
    return out


def _text(value: exp.Expression) -> exp.Expression:
    """A number as short text: integral values without '.0', NULL as 'NULL'."""
    integral = exp.and_(exp.EQ(this=value.copy(), expression=exp.Anonymous(this="TRUNC", expressions=[value.copy()])),
                        exp.LT(this=exp.Abs(this=value.copy()), expression=exp.Literal.number("1e15")))
    return (exp.Case().when(exp.Is(this=value.copy(), expression=exp.Null()), exp.Literal.string("NULL"))
            .when(integral, exp.cast(exp.cast(value.copy(), "BIGINT"), "VARCHAR"))
            .else_(exp.cast(value.copy(), "VARCHAR")))


def _concat(*parts: exp.Expression | str) -> exp.Expression:
    return exp.Concat(expressions=[exp.Literal.string(x) if isinstance(x, str) else x for x in parts])


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
