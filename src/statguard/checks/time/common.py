"""What the rules across time share: the period column, series keys, and period-aware plans.

A time rule's query joins its source with the period mapping table of
statguard.periods (registered by the plan's `run` just before the query runs),
so each record carries its normalized period:

    _sg_label  canonical period text (NULL when the value is not a period)
    _sg_freq, _sg_year, _sg_idx, _sg_ord, _sg_prev, _sg_year_ago
    _sg_perr   why the value is not a period (NULL when it is)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from statguard.checks.plan import Context, Plan
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, say, spoken
from statguard.periods import bind_mapping, raw_text

register({"problem.time.no_period": {"en": "source '{source}' declares no period column; give 'period:'",
                                    "zh": "数据源「{source}」未声明期别列；请给出 'period:'"}})
MAPPED = {"label": "_sg_label", "freq": "_sg_freq", "year": "_sg_year", "idx": "_sg_idx", "ord": "_sg_ord",
          "prev": "_sg_prev", "year_ago": "_sg_year_ago", "error": "_sg_perr"}


def period_column(ctx: Context, source: str, given: str | None, field_name: str = "period") -> str:
    """The period column: the rule's `period`, else the source's declared period."""
    name = given or ctx.source(source).period
    if not name:
        raise PackError(ctx.problem(say("problem.time.no_period", source=source), field_name))
    ctx.require_column(source, name, field_name if given else "source")
    return name


def series_columns(ctx: Context, source: str, by: list[str] | None, period: str | None) -> list[str]:
    """Columns identifying one series: `by`, else the source's keys without the period, else its unit."""
    spec = ctx.source(source)
    names = list(by) if by is not None else [k for k in spec.keys if k != period]
    if not names and spec.unit:
        names = [spec.unit]
    for name in names:
        ctx.require_column(source, name, "by")
    return names


def mapping_table(source: str, column: str) -> str:
    return f"_sg_periods:{source}:{column}"


def with_periods(ctx: Context, source: str, column: str, scope: exp.Expression | None = None,
                 extra: dict[str, str] | None = None) -> exp.Select:
    """SELECT t.*, <mapped period columns> FROM source t LEFT JOIN its period mapping.

    `scope` (a compiled `where` of the source) is read on the source's columns alone, so a
    user column named like a column of the mapping (freq, label, year, raw, ...) is not
    ambiguous. `extra` adds mapping columns beyond MAPPED (mapping column -> result name).
    """
    mapping = exp.Table(this=exp.to_identifier(mapping_table(source, column), quoted=True),
                        alias=exp.TableAlias(this=exp.to_identifier("m", quoted=True)))
    select = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("t", quoted=True)))
    for col, name in {**MAPPED, **(extra or {})}.items():
        select = select.select(exp.alias_(quote_column(col, "m"), name, quoted=True))
    on = exp.EQ(this=quote_column("raw", "m"), expression=raw_text(quote_column(column, "t")))
    select = select.from_(ctx.table(source, alias="t")).join(mapping, on=on, join_type="left")
    return select.where(qualify(scope, "t")) if scope is not None else select


def qualify(tree: exp.Expression, table: str) -> exp.Expression:
    """Attach every unqualified column of a compiled expression to `table`."""
    def attach(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table:
            return quote_column(node.name, table)
        return node
    return tree.transform(attach)


def period_plan(query: exp.Select, source: str, column: str, order_by: list[str] | None = None,
                prepare: Callable[[Any], None] | None = None) -> Plan:
    """A plan whose query needs the period mapping of `source`.`column` in the engine first.

    meta["query"] and meta["prepare"] let callers that need every item (version
    comparison) run the same query themselves. The mapping's reasons why a value is not a
    period are in the language spoken while planning (the run's: statguard.runner plans in
    it), as the plan may run on an engine thread where none is spoken.
    """
    lang = spoken()

    def ready(engine: Any) -> None:
        bind_mapping(engine, source, column, lang)
        if prepare is not None:
            prepare(engine)

    def run(engine: Any) -> Any:
        ready(engine)
        return engine.run(Plan(query=query, order_by=list(order_by or [])))

    return Plan(run=run, order_by=list(order_by or []), meta={"query": query, "prepare": ready})


def same_series(left: str, right: str, columns: list[str]) -> exp.Expression | None:
    """left.c IS NOT DISTINCT FROM right.c for every series column."""
    parts = [exp.NullSafeEQ(this=quote_column(c, left), expression=quote_column(c, right)) for c in columns]
    return exp.and_(*parts) if parts else None


def string_of(*parts: exp.Expression | str) -> exp.Expression:
    """Concatenation of literals and expressions (NULL parts become empty)."""
    items = [exp.Literal.string(p) if isinstance(p, str) else exp.Coalesce(
        this=exp.cast(p, "VARCHAR"), expressions=[exp.Literal.string("")]) for p in parts]
    return exp.Concat(expressions=items)
