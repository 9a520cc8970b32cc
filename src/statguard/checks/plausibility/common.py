"""What the plausibility kinds share: the long format of submitted figures and robust peer statistics.

The canonical long format (the credibility screen's `figures` source) has one row
per unit, period, indicator and value, and optionally the unit's peer group:

    unit, peer_group, month ('YYYY-MM'), indicator, value

A kind names these columns in its parameters (`LongParams`); each defaults to the
source's declared `unit:` / `period:` or to the canonical name when the source has
such a column. Peer statistics are robust: the median and the median absolute
deviation (MAD, scaled by 1.4826 so that it estimates a normal standard deviation)
across the peer group, never the mean and standard deviation, which one invented
figure can drag along.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from statguard.checks.plan import Context, alias, lit
from statguard.checks.registry import Params
from statguard.expr import quote_column
from statguard.i18n import register, say

register({
    "problem.long.no_unit": {"en": "source '{source}' declares no unit column; give 'unit:'",
                             "zh": "数据源「{source}」未声明单位列；请给出 'unit:'"},
    "problem.long.no_period": {"en": "source '{source}' declares no period column; give 'period:'",
                               "zh": "数据源「{source}」未声明期别列；请给出 'period:'"},
    "problem.long.no_indicator": {"en": "source '{source}' has no indicator column to look up in '{table}'; "
                                        "give 'indicator:'",
                                  "zh": "数据源「{source}」没有可在「{table}」中查找的指标列；请给出 'indicator:'"},
})

MAD_SCALE = 1.4826  # MAD * 1.4826 estimates sigma for normal data


class LongParams(Params):
    """Columns of a long-format source of figures (unit, period, indicator, value, peer group)."""

    source: str = Field(description="Source of long-format figures: one row per unit, period, indicator and value.")
    value: str = Field("value", description="Column holding the figure.")
    unit: str | None = Field(None, description="Column naming the reporting unit (default: the source's unit).")
    period: str | None = Field(None, description="Column naming the period (default: the source's period).")
    indicator: str | None = Field(None, description=(
        "Column naming the indicator (default: `indicator` when the source has it; without one the whole "
        "source is one indicator)."))
    peer_group: str | None = Field(None, description=(
        "Column naming the unit's peer group (default: `peer_group` when the source has it; without one all "
        "units are peers)."))
    where: str | None = Field(None, description="Only records for which this is true are used.")


def verdict(rules: list[tuple[exp.Expression, str, str | None]]) -> tuple[exp.Case, exp.Case]:
    """(_status, _detail) CASEs: the first matching (condition, status, detail key) decides, else pass."""
    status, detail = exp.Case(), exp.Case()
    for cond, result, key in rules:
        status = status.when(cond.copy(), lit(result), copy=False)
        detail = detail.when(cond.copy(), lit(key) if key else exp.Null(), copy=False)
    return status.else_(lit("pass"), copy=False), detail


def column_or_default(ctx: Context, source: str, given: str | None, canonical: str, field_name: str,
                      declared: str | None = None) -> str | None:
    """The column a rule names (it must exist), else the source's declared one, else the canonical
    name when the source has such a column; None when there is none."""
    if given:
        ctx.require_column(source, given, field_name)
        return given
    cols = ctx.columns(source)
    if declared and (cols is None or declared in cols):
        return declared
    return canonical if cols is not None and canonical in cols else None


class Long:
    """The resolved column names of a LongParams rule (None where the source has no such column)."""

    def __init__(self, ctx: Context, p: LongParams, *, need_period: bool = False):
        spec = ctx.source(p.source)
        self.source = p.source
        self.value = p.value
        ctx.require_column(p.source, p.value, "value")
        self.unit = column_or_default(ctx, p.source, p.unit, "unit", "unit", declared=spec.unit)
        self.period = column_or_default(ctx, p.source, p.period, "month", "period", declared=spec.period)
        self.indicator = column_or_default(ctx, p.source, p.indicator, "indicator", "indicator")
        self.peer_group = column_or_default(ctx, p.source, p.peer_group, "peer_group", "peer_group")
        if self.unit is None:
            from statguard.errors import PackError
            raise PackError(ctx.problem(say("problem.long.no_unit", source=p.source), "unit"))
        if need_period and self.period is None:
            from statguard.errors import PackError
            raise PackError(ctx.problem(say("problem.long.no_period", source=p.source), "period"))
        self.scope = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None

    def needed(self, ctx: Context, role: str, field_name: str) -> str | None:
        """The column of `role` (indicator, peer_group) for a rule that cannot do without it: the
        resolved one, else the canonical name while the data may still have it (no data bound yet:
        the run checks it against the file's header; a pack that declares other columns gets the
        note on undeclared columns); None once the data's columns are known to lack it."""
        column = getattr(self, role)
        if column is None and ctx.partial(self.source):
            column = role
            ctx.require_column(self.source, column, field_name)
            setattr(self, role, column)
        return column

    def columns(self, *roles: str) -> list[str]:
        """The resolved columns for `roles` (unit, period, indicator, peer_group), skipping absent ones."""
        return [c for c in (getattr(self, r) for r in roles) if c]

    def rows(self, ctx: Context) -> exp.Select:
        """SELECT the used columns under their role names (_unit, _period, _indicator, _peer, _value)
        from the source, in scope; a missing peer group or indicator becomes one constant group."""
        roles = {"_unit": self.unit, "_period": self.period, "_indicator": self.indicator, "_peer": self.peer_group}
        projections = [alias(quote_column(col) if col else exp.Literal.string(""), name)
                       for name, col in roles.items()]
        projections.append(alias(exp.cast(quote_column(self.value), "DOUBLE"), "_value"))
        select = exp.select(*projections).from_(ctx.table(self.source))
        return select.where(self.scope.copy()) if self.scope is not None else select


def robust_stats(rows: exp.Expression, value: str, partition: list[str], prefix: str = "_sg_") -> exp.Select:
    """Every row of `rows` with the median, the scaled MAD and the count of `value` over `partition`:
    columns <prefix>med, <prefix>mad, <prefix>n (NULL values are left out of all three)."""
    part = [quote_column(c) for c in partition]
    med = exp.Window(this=exp.Median(this=quote_column(value)), partition_by=[c.copy() for c in part])
    count = exp.Window(this=exp.Count(this=quote_column(value)), partition_by=[c.copy() for c in part])
    first = exp.select(exp.Star(), alias(med, prefix + "med"), alias(count, prefix + "n")).from_(
        exp.paren(rows.copy()).as_("_sg_rs0") if not isinstance(rows, exp.Subquery) else rows.copy())
    deviation = exp.Abs(this=exp.Sub(this=quote_column(value), expression=quote_column(prefix + "med")))
    mad = exp.Mul(this=exp.Window(this=exp.Median(this=deviation), partition_by=[c.copy() for c in part]),
                  expression=exp.Literal.number(MAD_SCALE))
    return exp.select(exp.Star(), alias(mad, prefix + "mad")).from_(first.subquery("_sg_rs1"))


class IndicatorTable(BaseModel):
    """Where the kind of each indicator (flow, stock, rate, part) is declared."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = Field(description="Source with one row per indicator (the canonical `indicators` table).")
    indicator: str = Field("indicator", description="Its column naming the indicator.")
    kind: str = Field("kind", description="Its column holding the kind: flow, stock, rate or part.")


INDICATORS_DOC = ("Source declaring each indicator's kind (flow | stock | rate | part), by name (columns indicator "
                  "and kind) or as {source, indicator, kind}: series of the exempt kinds are left out.")


def without_exempt(ctx: Context, rows: exp.Select, long: Long, indicators: str | IndicatorTable | None,
                   exempt_kinds: list[str]) -> exp.Select:
    """`rows` (from Long.rows) without the records of indicators whose declared kind is exempt
    (e.g. stocks, which honestly stay flat and repeat their digits month after month)."""
    exempt = [k.strip().lower() for k in exempt_kinds]
    if indicators is None or not exempt:
        return rows
    spec = IndicatorTable(source=indicators) if isinstance(indicators, str) else indicators
    ctx.source(spec.source, "indicators")
    name = ctx.require_column(spec.source, spec.indicator, "indicators")
    kind = ctx.require_column(spec.source, spec.kind, "indicators")
    if long.needed(ctx, "indicator", "indicators") is None:
        from statguard.errors import PackError
        raise PackError(ctx.problem(say("problem.long.no_indicator", source=long.source, table=spec.source),
                                    "indicators"))

    def text(value: exp.Expression) -> exp.Expression:
        return exp.cast(value, "VARCHAR")
    exempted = exp.select(text(name)).from_(ctx.table(spec.source)).where(exp.In(
        this=exp.Lower(this=exp.Trim(this=text(kind))), expressions=[exp.Literal.string(k) for k in exempt]))
    indicator = quote_column("_indicator")
    kept = exp.Not(this=exp.In(this=text(indicator), query=exempted.subquery()))
    inner = exp.select(exp.Star()).from_(rows.subquery("_sg_r0"))
    return inner.where(exp.or_(exp.Is(this=indicator.copy(), expression=exp.Null()), kept))


def indicator_sources(indicators: str | IndicatorTable | None) -> list[str]:
    if indicators is None:
        return []
    return [indicators if isinstance(indicators, str) else indicators.source]
