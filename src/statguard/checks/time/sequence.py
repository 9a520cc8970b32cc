"""Every expected period is present for each unit: gapless years, quarters or months between bounds.

For each series (by default the source's unit) the periods between `from` and
`to` must all have a record. Bounds default to the first and last period found
in the source; `frequency` defaults to the one frequency the periods have (give
it when the source mixes frequencies: records of other frequencies are then
ignored). Periods may be written in any form statguard.periods reads.

Items: one violation per series and gap, a gap being a run of consecutive
missing periods (`2024-03..2024-05`, 3 periods, shown as the period and in the
detail); a series without gaps is one passing item. A record whose period
cannot be read is one not-evaluable item with the reason as detail. A series
with no record at all is not known to this rule (use a coverage rule against a
list of units for that).

Passing example:

    - id: SEQ-01
      kind: sequence
      source: monthly
      frequency: month
      from: 2024-01
      to: 2024年12月

Failing data for it: unit 东区 has records for 2024-01, 2024-02 and 2024-06 to
2024-12: one violation, period "2024-03..2024-05", 3 missing periods.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlglot import exp

from statguard.checks.plan import DETAIL, OBSERVED, PERIOD, STATUS, UNIT, VAL, Context, Plan, alias, lang_of, pieces
from statguard.checks.registry import Params, rule_kind
from statguard.checks.time.common import (
    MAPPED,
    mapping_table,
    period_column,
    period_plan,
    same_series,
    series_columns,
    string_of,
    with_periods,
)
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, say, t
from statguard.pack.model import Rule
from statguard.periods import Period, between, try_parse

FREQ_CODES = {"year": "A", "quarter": "Q", "month": "M", "day": "D"}
register({
    "problem.sequence.no_unit": {"en": "source '{source}' declares no unit; give 'by:'",
                                 "zh": "数据源「{source}」未声明单位列；请给出 'by:'"},
    "problem.sequence.not_of_frequency": {"en": "{name} {bound} is not a {frequency}",
                                          "zh": "{name} {bound} 不是{frequency}期别"},
    "problem.sequence.bounds_differ": {"en": "bounds {start} and {end} have different frequencies",
                                       "zh": "起止期别 {start} 和 {end} 的频度不同"},
    "freq.year": {"en": "year", "zh": "年度"},
    "freq.quarter": {"en": "quarter", "zh": "季度"},
    "freq.month": {"en": "month", "zh": "月度"},
    "freq.day": {"en": "day", "zh": "日"},
    "freq.ytd": {"en": " year-to-date", "zh": "累计"},
    "detail.sequence.missing": {"en": "missing {span} ({n} periods)", "zh": "缺少 {span}（共 {n} 期）"},
    "detail.sequence.mixed": {"en": "periods of several frequencies ({found}); give 'frequency:' or 'from:'",
                              "zh": "期别混有多种频度（{found}）；请给出 'frequency:' 或 'from:'"},
})
# internal names, _sg_ prefixed so that no series column collides with them
LABEL, ORD, FREQ, YTD = MAPPED["label"], MAPPED["ord"], MAPPED["freq"], "_sg_ytd"
FIRST, LAST, COUNT, RUN = "_sg_first", "_sg_last", "_sg_n", "_sg_run"
CUR, KINDS, SERIES_KINDS, UNITS = "_sg_cur", "_sg_kinds", "_sg_series_kinds", "_sg_units"
PRESENT, MISSING, GAPS = "_sg_present", "_sg_missing", "_sg_gaps"


class SequenceParams(Params):
    source: str = Field(description="Source whose periods are checked.")
    period: str | None = Field(None, description="Period column (default: the source's period).")
    by: list[str] | None = Field(None, description="Columns identifying a series (default: the source's unit).")
    frequency: Literal["year", "quarter", "month", "day"] | None = Field(None, description=(
        "Expected frequency (default: the single frequency found in the data)."))
    from_: str | None = Field(None, alias="from", description="First expected period (default: the earliest found).")
    to: str | None = Field(None, description="Last expected period (default: the latest found).")
    where: str | None = Field(None, description="Only records for which this is true count as present.")


def _bound(ctx: Context, text: str | None, field_name: str) -> Period | None:
    if text is None:
        return None
    period, error = try_parse(text)
    if period is None:
        raise PackError(ctx.problem(str(error), field_name))
    return period


@rule_kind("sequence", SequenceParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: SequenceParams = rule.params
    spec = ctx.source(p.source)
    period = period_column(ctx, p.source, p.period)
    by = p.by if p.by is not None else ([spec.unit] if spec.unit else None)
    if not by:
        raise PackError(ctx.problem(say("problem.sequence.no_unit", source=p.source), "by"))
    series = series_columns(ctx, p.source, by, period)
    start, end = _bound(ctx, p.from_, "from"), _bound(ctx, p.to, "to")
    freq = FREQ_CODES[p.frequency] if p.frequency else None
    for bound, name in ((start, "from"), (end, "to")):
        if bound is not None and freq is not None and bound.freq != freq:
            raise PackError(ctx.problem(say("problem.sequence.not_of_frequency", name=name, bound=bound,
                                            frequency=say(f"freq.{p.frequency}")), name))
    if start is not None and end is not None and (start.freq, start.ytd) != (end.freq, end.ytd):
        raise PackError(ctx.problem(say("problem.sequence.bounds_differ", start=start, end=end), "to"))
    scope = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    expected = f"_sg_expected:{rule.id}"
    query = _query(ctx, p, period, series, scope, expected)

    def prepare(engine: Any) -> None:
        _bind_expected(engine, p.source, period, expected, freq, start, end)

    return period_plan(query, p.source, period, order_by=[*(f'"{UNIT}"',) * bool(spec.unit), f'"{PERIOD}"'],
                       prepare=prepare)


def _bind_expected(engine: Any, source: str, column: str, name: str, freq: str | None,
                   start: Period | None, end: Period | None) -> None:
    """Register the table of expected periods (_sg_label, _sg_ord, _sg_freq, _sg_ytd) for this rule:
    for each kind of period (frequency, year-to-date or not) the rule accepts, every period between
    the bounds (by default the first and last period of that kind in the source)."""
    import pandas as pd

    table = exp.Table(this=exp.to_identifier(mapping_table(source, column), quoted=True))
    query = exp.select("freq", "ytd", "ord").distinct().from_(table).where(
        exp.Not(this=exp.Is(this=exp.column("label"), expression=exp.Null())))
    mapping = engine.rows(query)
    kinds = {(f, bool(y)) for f, y, _ in mapping if freq is None or f == freq}
    if start is not None:
        kinds = {(start.freq, start.ytd)}
    rows: list[dict[str, Any]] = []
    for f, ytd in sorted(kinds):
        ords = [o for g, y, o in mapping if g == f and bool(y) == ytd]
        first = start or (Period.from_ordinal(f, min(ords), ytd) if ords else None)
        last = end or (Period.from_ordinal(f, max(ords), ytd) if ords else None)
        if first is not None and last is not None:
            rows += [{LABEL: q.label, ORD: q.ordinal, FREQ: q.freq, YTD: ytd} for q in between(first, last)]
    frame = pd.DataFrame(rows, columns=[LABEL, ORD, FREQ, YTD]).astype({LABEL: "string", FREQ: "string"})
    frame[ORD] = frame[ORD].astype("Int64")
    frame[YTD] = frame[YTD].astype("boolean")
    engine.register(name, frame)


def _table(name: str, alias_name: str | None = None) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True),
                     alias=exp.TableAlias(this=exp.to_identifier(alias_name, quoted=True)) if alias_name else None)


def _not_null(column: exp.Expression) -> exp.Expression:
    return exp.Not(this=exp.Is(this=column, expression=exp.Null()))


def _same_kind(left: str, right: str) -> exp.Expression:
    return exp.and_(exp.EQ(this=quote_column(FREQ, left), expression=quote_column(FREQ, right)),
                    exp.EQ(this=quote_column(YTD, left), expression=quote_column(YTD, right)))


def _query(ctx: Context, p: SequenceParams, period: str, series: list[str], scope: exp.Expression | None,
           expected: str) -> exp.Select:
    """Internal columns are all _sg_ prefixed, so user columns of any other name never collide."""
    def cols(table: str | None = None) -> list[exp.Column]:
        return [quote_column(c, table) for c in series]

    kinds = exp.select(quote_column(FREQ), quote_column(YTD)).distinct().from_(_table(expected))
    # the kinds of period each series has, among those the rule accepts
    accepted = exp.Exists(this=exp.select(exp.Literal.number(1)).from_(_table(KINDS, "k")).where(_same_kind("k", "c")))
    series_kinds = (exp.select(*cols("c"), quote_column(FREQ, "c"), quote_column(YTD, "c")).distinct()
                    .from_(_table(CUR, "c")).where(exp.and_(_not_null(quote_column(LABEL, "c")), accepted)))
    one_kind = (exp.select(*cols(), alias(exp.Min(this=quote_column(FREQ)), FREQ),
                           alias(exp.func("bool_or", quote_column(YTD)), YTD))
                .from_(SERIES_KINDS).group_by(*cols()).having(
                    exp.EQ(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))))
    # a series without any readable period takes the rule's one kind, when there is one
    unread = exp.Not(this=exp.Exists(this=exp.select(exp.Literal.number(1)).from_(_table(CUR, "r")).where(
        exp.and_(*(x for x in [same_series("r", "c", series)] if x is not None),
                 _not_null(quote_column(LABEL, "r"))))))
    single = exp.EQ(this=exp.select(exp.Count(this=exp.Star())).from_(KINDS).subquery(),
                    expression=exp.Literal.number(1))
    unplaced = (exp.select(*cols("c"), quote_column(FREQ, "k"), quote_column(YTD, "k")).distinct()
                .from_(_table(CUR, "c")).join(_table(KINDS, "k"), join_type="cross").where(exp.and_(unread, single)))
    units = exp.union(one_kind, unplaced, distinct=False)
    present = exp.select(*cols(), quote_column(ORD), quote_column(FREQ), quote_column(YTD)).distinct().from_(
        CUR).where(_not_null(quote_column(LABEL)))
    on_present = exp.and_(*(x for x in [same_series("pr", "u", series)] if x is not None),
                          exp.EQ(this=quote_column(ORD, "pr"), expression=quote_column(ORD, "e")),
                          _same_kind("pr", "e"))
    missing = (exp.select(*cols("u"), quote_column(ORD, "e"), quote_column(LABEL, "e"))
               .from_(_table(UNITS, "u")).join(_table(expected, "e"), on=_same_kind("e", "u"), join_type="inner")
               .join(_table(PRESENT, "pr"), on=on_present, join_type="left")
               .where(exp.Is(this=quote_column(ORD, "pr"), expression=exp.Null())))
    run = exp.Sub(this=quote_column(ORD), expression=exp.Window(
        this=exp.RowNumber(), partition_by=cols(),
        order=exp.Order(expressions=[exp.Ordered(this=quote_column(ORD))])))
    gaps = (exp.select(*cols(), alias(exp.Min(this=quote_column(LABEL)), FIRST),
                       alias(exp.Max(this=quote_column(LABEL)), LAST), alias(exp.Count(this=exp.Star()), COUNT))
            .from_(exp.paren(exp.select(exp.Star(), alias(run, RUN)).from_(MISSING)).as_("_sg_m"))
            .group_by(*cols(), quote_column(RUN)))
    query = exp.union(_failing(ctx, p, series), _passing(ctx, p, series), distinct=False)
    query = exp.union(query, _unreadable(ctx, p, series, period), distinct=False)
    query = exp.union(query, _mixed(ctx, p, series), distinct=False)
    for name, cte in ((CUR, with_periods(ctx, p.source, period, scope, {"ytd": YTD})), (KINDS, kinds),
                      (SERIES_KINDS, series_kinds), (UNITS, units), (PRESENT, present), (MISSING, missing),
                      (GAPS, gaps)):
        query = query.with_(name, as_=cte)
    return query


def _identity(ctx: Context, p: SequenceParams, series: list[str], table: str) -> list[exp.Expression]:
    spec = ctx.source(p.source)
    out: list[exp.Expression] = []
    if spec.unit:
        unit = quote_column(spec.unit, table) if spec.unit in series else exp.Null()
        out.append(alias(unit, UNIT))
    return out + [alias(quote_column(c, table), "key:" + c) for c in series]


def _failing(ctx: Context, p: SequenceParams, series: list[str]) -> exp.Select:
    first, last, n = quote_column(FIRST, "g"), quote_column(LAST, "g"), quote_column(COUNT, "g")
    span = exp.If(this=exp.EQ(this=first.copy(), expression=last.copy()), true=first.copy(),
                  false=string_of(first.copy(), "..", last.copy()))
    return exp.select(alias(exp.Literal.string("fail"), STATUS), *_identity(ctx, p, series, "g"),
                      alias(span, PERIOD), alias(first.copy(), VAL + "first_missing"),
                      alias(last.copy(), VAL + "last_missing"), alias(exp.cast(n.copy(), "BIGINT"), OBSERVED),
                      alias(string_of(*pieces("detail.sequence.missing", lang_of(ctx), span=span.copy(),
                                              n=n.copy())), DETAIL)
                      ).from_(_table(GAPS, "g"))


def _passing(ctx: Context, p: SequenceParams, series: list[str]) -> exp.Select:
    has_gap = exp.Exists(this=exp.select(exp.Literal.number(1)).from_(_table(GAPS, "g2")).where(
        same_series("g2", "u", series)))
    return exp.select(alias(exp.Literal.string("pass"), STATUS), *_identity(ctx, p, series, "u"),
                      *_nothing_missing(), alias(exp.cast(exp.Literal.number(0), "BIGINT"), OBSERVED),
                      alias(exp.Null(), DETAIL)).from_(_table(UNITS, "u")).where(exp.Not(this=has_gap))


def _nothing_missing() -> list[exp.Expression]:
    return [alias(exp.Null(), PERIOD), alias(exp.Null(), VAL + "first_missing"),
            alias(exp.Null(), VAL + "last_missing")]


def _unreadable(ctx: Context, p: SequenceParams, series: list[str], period: str) -> exp.Select:
    perr = quote_column(MAPPED["error"], "c")
    return exp.select(alias(exp.Literal.string("na"), STATUS), *_identity(ctx, p, series, "c"),
                      alias(exp.cast(quote_column(period, "c"), "VARCHAR"), PERIOD),
                      alias(exp.Null(), VAL + "first_missing"), alias(exp.Null(), VAL + "last_missing"),
                      alias(exp.Null(), OBSERVED), alias(perr.copy(), DETAIL)).from_(_table(CUR, "c")).where(
        _not_null(perr))


def _mixed(ctx: Context, p: SequenceParams, series: list[str]) -> exp.Select:
    """One item, not evaluable, per series with periods of several accepted kinds (without `frequency`
    or `from`, monthly and quarterly records of one unit): which of them to expect is not known."""
    lang = lang_of(ctx)
    word = exp.Case()
    for name, code in FREQ_CODES.items():
        word = word.when(exp.EQ(this=quote_column(FREQ, "s"), expression=exp.Literal.string(code)),
                         exp.Literal.string(t(f"freq.{name}", lang)))
    kind = exp.Concat(expressions=[word, exp.If(
        this=quote_column(YTD, "s"), true=exp.Literal.string(t("freq.ytd", lang)), false=exp.Literal.string(""))])
    # in the order of their names, so that every engine names them alike (the detail of a listed item)
    found = exp.GroupConcat(this=exp.Order(this=kind, expressions=[exp.Ordered(this=kind.copy())]),
                            separator=exp.Literal.string(", "))
    detail = string_of(*pieces("detail.sequence.mixed", lang, found=found))
    return (exp.select(alias(exp.Literal.string("na"), STATUS), *_identity(ctx, p, series, "s"), *_nothing_missing(),
                       alias(exp.Null(), OBSERVED), alias(detail, DETAIL))
            .from_(_table(SERIES_KINDS, "s")).group_by(*[quote_column(c, "s") for c in series])
            .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))))
