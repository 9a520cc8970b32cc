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

from statguard.checks.plan import DETAIL, OBSERVED, PERIOD, STATUS, UNIT, VAL, Context, Plan, alias
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
from statguard.errors import EngineError, PackError
from statguard.expr import quote_column
from statguard.pack.model import Rule
from statguard.periods import Period, between, try_parse

FREQ_CODES = {"year": "A", "quarter": "Q", "month": "M", "day": "D"}


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
        raise PackError(ctx.problem(f"source '{p.source}' declares no unit; give 'by:'", "by"))
    series = series_columns(ctx, p.source, by, period)
    start, end = _bound(ctx, p.from_, "from"), _bound(ctx, p.to, "to")
    freq = FREQ_CODES[p.frequency] if p.frequency else None
    for bound, name in ((start, "from"), (end, "to")):
        if bound is not None and freq is not None and bound.freq != freq:
            raise PackError(ctx.problem(f"{name} {bound} is not a {p.frequency}", name))
    if start is not None and end is not None and (start.freq, start.ytd) != (end.freq, end.ytd):
        raise PackError(ctx.problem(f"bounds {start} and {end} have different frequencies", "to"))
    scope = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    expected = f"_sg_expected:{rule.id}"
    query = _query(ctx, p, period, series, scope, expected)

    def prepare(engine: Any) -> None:
        _bind_expected(engine, p.source, period, expected, freq, start, end)

    return period_plan(query, p.source, period, order_by=[*(f'"{UNIT}"',) * bool(spec.unit), f'"{PERIOD}"'],
                       prepare=prepare)


def _bind_expected(engine: Any, source: str, column: str, name: str, freq: str | None,
                   start: Period | None, end: Period | None) -> None:
    """Register the table of expected periods (label, ord, freq) for this rule."""
    import pandas as pd

    table = exp.Table(this=exp.to_identifier(mapping_table(source, column), quoted=True))
    query = exp.select("freq", "ytd", "ord").distinct().from_(table).where(
        exp.Not(this=exp.Is(this=exp.column("label"), expression=exp.Null())))
    mapping = engine.con.execute(query.sql("duckdb")).fetchall()
    kinds = {(f, bool(y)) for f, y, _ in mapping if freq is None or f == freq}
    if start is not None:
        kinds = {(start.freq, start.ytd)}
    if len(kinds) > 1:
        found = ", ".join(sorted(f"{f}{' year-to-date' if y else ''}" for f, y in kinds))
        raise EngineError(f"periods of several frequencies ({found}); give 'frequency:' or 'from:'")
    rows: list[dict[str, Any]] = []
    if kinds:
        f, ytd = kinds.pop()
        ords = [o for g, y, o in mapping if g == f and bool(y) == ytd]
        first = start or (Period.from_ordinal(f, min(ords), ytd) if ords else None)
        last = end or (Period.from_ordinal(f, max(ords), ytd) if ords else None)
        if first is not None and last is not None:
            rows = [{"label": q.label, "ord": q.ordinal, "freq": q.freq} for q in between(first, last)]
    frame = pd.DataFrame(rows, columns=["label", "ord", "freq"]).astype({"label": "string", "freq": "string"})
    frame["ord"] = frame["ord"].astype("Int64")
    engine.register(name, frame)


def _table(name: str, alias_name: str | None = None) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True),
                     alias=exp.TableAlias(this=exp.to_identifier(alias_name, quoted=True)) if alias_name else None)


def _query(ctx: Context, p: SequenceParams, period: str, series: list[str], scope: exp.Expression | None,
           expected: str) -> exp.Select:
    cols = [quote_column(c) for c in series]
    units = exp.select(*[c.copy() for c in cols]).distinct().from_("_sg_cur")
    present = exp.select(*[c.copy() for c in cols], quote_column(MAPPED["ord"])).distinct().from_("_sg_cur").where(
        exp.Not(this=exp.Is(this=quote_column(MAPPED["label"]), expression=exp.Null())))
    on_present = exp.and_(*(x for x in [same_series("pr", "u", series)] if x is not None),
                          exp.EQ(this=quote_column(MAPPED["ord"], "pr"), expression=quote_column("ord", "e")))
    missing = (exp.select(*[quote_column(c, "u") for c in series], quote_column("ord", "e"), quote_column("label", "e"))
               .from_(_table("_sg_units", "u")).join(_table(expected, "e"), join_type="cross")
               .join(_table("_sg_present", "pr"), on=on_present, join_type="left")
               .where(exp.Is(this=quote_column(MAPPED["ord"], "pr"), expression=exp.Null())))
    run = exp.Sub(this=quote_column("ord"), expression=exp.Window(
        this=exp.RowNumber(), partition_by=[c.copy() for c in cols],
        order=exp.Order(expressions=[exp.Ordered(this=quote_column("ord"))])))
    gaps = (exp.select(*[c.copy() for c in cols], alias(exp.Min(this=quote_column("label")), "first"),
                       alias(exp.Max(this=quote_column("label")), "last"), alias(exp.Count(this=exp.Star()), "n"))
            .from_(exp.paren(exp.select(exp.Star(), alias(run, "_sg_run")).from_("_sg_missing")).as_("_sg_m"))
            .group_by(*[c.copy() for c in cols], quote_column("_sg_run")))
    query = exp.union(_failing(ctx, p, series), _passing(ctx, p, series), distinct=False)
    query = exp.union(query, _unreadable(ctx, p, series, period), distinct=False)
    for name, cte in (("_sg_cur", with_periods(ctx, p.source, period, scope)), ("_sg_units", units),
                      ("_sg_present", present), ("_sg_missing", missing), ("_sg_gaps", gaps)):
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
    first, last, n = quote_column("first", "g"), quote_column("last", "g"), quote_column("n", "g")
    span = exp.If(this=exp.EQ(this=first.copy(), expression=last.copy()), true=first.copy(),
                  false=string_of(first.copy(), "..", last.copy()))
    return exp.select(alias(exp.Literal.string("fail"), STATUS), *_identity(ctx, p, series, "g"),
                      alias(span, PERIOD), alias(first.copy(), VAL + "first_missing"),
                      alias(last.copy(), VAL + "last_missing"), alias(exp.cast(n.copy(), "BIGINT"), OBSERVED),
                      alias(string_of("missing ", span.copy(), " (", n.copy(), " periods)"), DETAIL)
                      ).from_(_table("_sg_gaps", "g"))


def _passing(ctx: Context, p: SequenceParams, series: list[str]) -> exp.Select:
    has_gap = exp.Exists(this=exp.select(exp.Literal.number(1)).from_(_table("_sg_gaps", "g2")).where(
        same_series("g2", "u", series)))
    return exp.select(alias(exp.Literal.string("pass"), STATUS), *_identity(ctx, p, series, "u"),
                      alias(exp.Null(), PERIOD), alias(exp.Null(), VAL + "first_missing"),
                      alias(exp.Null(), VAL + "last_missing"),
                      alias(exp.cast(exp.Literal.number(0), "BIGINT"), OBSERVED), alias(exp.Null(), DETAIL)
                      ).from_(_table("_sg_units", "u")).where(exp.Not(this=has_gap))


def _unreadable(ctx: Context, p: SequenceParams, series: list[str], period: str) -> exp.Select:
    perr = quote_column(MAPPED["error"], "c")
    return exp.select(alias(exp.Literal.string("na"), STATUS), *_identity(ctx, p, series, "c"),
                      alias(exp.cast(quote_column(period, "c"), "VARCHAR"), PERIOD),
                      alias(exp.Null(), VAL + "first_missing"), alias(exp.Null(), VAL + "last_missing"),
                      alias(exp.Null(), OBSERVED), alias(perr.copy(), DETAIL)).from_(_table("_sg_cur", "c")).where(
        exp.Not(this=exp.Is(this=perr, expression=exp.Null())))
