"""Shared pieces of the cross-source kinds: key pairs, time windows, the match test.

A record of source A "has a match" in source B when some record of B agrees on
every key pair, falls in the time window (when one is given) and satisfies the
extra condition on B. The test is an EXISTS subquery, so any number of
duplicate B records counts as one match and never multiplies A's records.
NULL never equals anything: a record of A with a NULL key or a NULL window date
is not evaluable, and B records with NULL keys never match.

Window dates may be dates or periods written as text (or numbers): '2024-03',
'2024年3月', '202403', '2024-03-15' and every other form statguard.periods
reads. A text period is read through the period mapping table (bound in the
engine before the query runs) as a date: a month stands for its first day, a
day for itself, so a window of months over months compares whole months. A
value that is not a month or a day (a year, a quarter, a year-to-date period,
or no period at all) is not evaluable on A's side and never matches on B's.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlglot import exp

from statguard.checks.plan import Context, Plan, lang_of
from statguard.checks.time.common import mapping_table, qualify
from statguard.expr import quote_column
from statguard.i18n import register, say
from statguard.periods import bind_mapping, raw_text

A, B = "a", "b"
WHEN = "_sg_when"  # a text window column read as a date (see the module docstring)
KeyMap = list[str] | dict[str, str]
KEY_DOC = ("Key columns matching records of `source` with records of `other`: a list of names "
           "common to both, or a mapping {column of source: column of other} when names differ.")
WINDOW_DOC = ("Optional time window {date, other_date, start, end, unit}: B's `other_date` must fall in "
              "[A's `date` + start, A's `date` + end), start and end in units of day, month (default) or year. "
              "Dates, or periods as text such as '2024-03' or '2024年3月' (a month stands for its first day).")


register({"problem.window.order": {"en": "window end must be after its start (start {start}, end {end})",
                                   "zh": "时间窗口的终点须在起点之后（起点 {start}，终点 {end}）"}})

class Window(BaseModel):
    """A half-open time window of B's date relative to A's date: [date + start, date + end)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    date: str = Field(description="Date column of `source` the window is anchored on (e.g. start_month).")
    other_date: str = Field(description="Date column of `other` that must fall in the window (e.g. contrib_month).")
    start: int = Field(0, description="Window start, in `unit`s after `date` (inclusive; may be negative).")
    end: int = Field(description="Window end, in `unit`s after `date` (exclusive).")
    unit: Literal["day", "month", "year"] = Field("month", description="Unit of start and end.")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end <= self.start:
            raise ValueError(say("problem.window.order", start=self.start, end=self.end))
        return self


def key_pairs(on: KeyMap) -> list[tuple[str, str]]:
    """(column of A, column of B) for each key."""
    if isinstance(on, dict):
        return [(str(a), str(b)) for a, b in on.items()]
    return [(str(k), str(k)) for k in on]


def shift(date: exp.Expression, amount: int, unit: str) -> exp.Expression:
    """`date` moved by `amount` units (calendar arithmetic, so windows cross year ends)."""
    if amount == 0:
        return date
    interval = exp.Interval(this=exp.Literal.string(str(abs(amount))), unit=exp.Var(this=unit.upper()))
    return (exp.Add if amount > 0 else exp.Sub)(this=date, expression=interval)


def any_null(columns: list[exp.Expression]) -> exp.Expression | None:
    """A condition true when one of `columns` is NULL (None when there are none)."""
    tests = [exp.Is(this=c.copy(), expression=exp.Null()) for c in columns]
    return exp.or_(*tests, copy=False) if tests else None


Patterns = Literal["glob", "like"]
PATTERNS_DOC = ("Whether the key columns of `other` hold patterns the keys of `source` are matched against: "
                "glob ('S*', 'FG?', '[AB]1') or like ('S%', 'FG_'); default: none, keys must be equal. "
                "Matching is on the keys as text.")


def match_exists(ctx: Context, source: str, other: str, on: KeyMap, window: Window | None,
                 other_where: str | None, field: str = "match", patterns: Patterns | None = None) -> exp.Exists:
    """EXISTS (a record of `other` matching the current record of `source`, aliased a)."""
    return exp.Exists(this=_matching(ctx, source, other, on, window, other_where, field, patterns,
                                     exp.Literal.number(1)))


def match_count(ctx: Context, source: str, other: str, on: KeyMap, window: Window | None,
                other_where: str | None, field: str = "match", patterns: Patterns | None = None) -> exp.Expression:
    """How many records of `other` match the current record of `source` (aliased a)."""
    return exp.Subquery(this=_matching(ctx, source, other, on, window, other_where, field, patterns,
                                       exp.Count(this=exp.Star())))


def _matching(ctx: Context, source: str, other: str, on: KeyMap, window: Window | None, other_where: str | None,
              field: str, patterns: Patterns | None, projection: exp.Expression) -> exp.Select:
    cond = match_condition(ctx, source, other, on, window, other_where, field, patterns)
    table = relation(ctx, other, window.other_date if window else None, B)
    return exp.select(projection).from_(table, copy=False).where(cond, copy=False)


def match_condition(ctx: Context, source: str, other: str, on: KeyMap, window: Window | None,
                    other_where: str | None, field: str = "match", patterns: Patterns | None = None
                    ) -> exp.Expression:
    """The condition pairing a record of `source` (alias a) with a record of `other` (alias b);
    with `patterns`, b's key columns hold glob or LIKE patterns a's keys must match."""
    conds: list[exp.Expression] = []
    for a_col, b_col in key_pairs(on):
        ctx.require_column(source, a_col, field)
        ctx.require_column(other, b_col, field)
        a_key, b_key = quote_column(a_col, A), quote_column(b_col, B)
        if patterns is None:
            conds.append(exp.EQ(this=b_key, expression=a_key))
        else:
            test = exp.Glob if patterns == "glob" else exp.Like
            conds.append(test(this=exp.cast(a_key, "VARCHAR"), expression=exp.cast(b_key, "VARCHAR")))
    if window is not None:
        ctx.require_column(source, window.date, "window")
        ctx.require_column(other, window.other_date, "window")
        anchor = when(ctx, source, window.date, A)
        other_date = when(ctx, other, window.other_date, B)
        conds.append(exp.GTE(this=other_date, expression=shift(anchor.copy(), window.start, window.unit)))
        conds.append(exp.LT(this=other_date.copy(), expression=shift(anchor.copy(), window.end, window.unit)))
    if other_where:
        tree = ctx.compile(other_where, "other_where", {None: other}).tree
        conds.append(exp.paren(qualify(tree, B), copy=False))
    return exp.and_(*conds, copy=False)  # all fresh nodes: adopted, not deep-copied


def evaluable_columns(ctx: Context, source: str, on: KeyMap, window: Window | None) -> list[exp.Expression]:
    """The columns of A that must be non-NULL for the match test to mean anything."""
    cols: list[exp.Expression] = [quote_column(a, A) for a, _ in key_pairs(on)]
    if window is not None:
        cols.append(when(ctx, source, window.date, A))
    return cols


def textual(ctx: Context, source: str, column: str) -> bool:
    """Whether a window column holds periods as text (or numbers) rather than dates."""
    return ctx.types(source).get(column) != "date"


def when(ctx: Context, source: str, column: str, table: str) -> exp.Column:
    """A window column of `source` (aliased `table`) as a date: itself, or WHEN of `relation`."""
    return quote_column(WHEN if textual(ctx, source, column) else column, table)


def relation(ctx: Context, source: str, window_column: str | None, table: str) -> exp.Expression:
    """`source` aliased `table`; when its window column holds text, with that column read as a date
    (WHEN: a month as its first day, a day as itself, else NULL) through its period mapping."""
    if window_column is None or not textual(ctx, source, window_column):
        return ctx.table(source, alias=table)
    m = "_sg_m"
    label, freq = quote_column("label", m), quote_column("freq", m)
    is_month = exp.and_(exp.EQ(this=freq.copy(), expression=exp.Literal.string("M")),
                        exp.Not(this=quote_column("ytd", m)), copy=False)
    first_day = exp.Concat(expressions=[label.copy(), exp.Literal.string("-01")])
    date = (exp.Case()
            .when(is_month, exp.TryCast(this=first_day, to=exp.DataType.build("DATE")), copy=False)
            .when(exp.EQ(this=freq, expression=exp.Literal.string("D")),
                  exp.TryCast(this=label, to=exp.DataType.build("DATE")), copy=False))
    mapping = exp.Table(this=exp.to_identifier(mapping_table(source, window_column), quoted=True),
                        alias=exp.TableAlias(this=exp.to_identifier(m, quoted=True)))
    on = exp.EQ(this=quote_column("raw", m), expression=raw_text(quote_column(window_column, "_sg_t")))
    select = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("_sg_t", quoted=True)),
                        exp.alias_(date, WHEN, quoted=True, copy=False))
    select = select.from_(ctx.table(source, alias="_sg_t"), copy=False)
    select = select.join(exp.Join(this=mapping, side="LEFT", on=on), copy=False)
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(table, quoted=True)))


def not_a_period(ctx: Context, source: str, window: Window | None) -> exp.Expression | None:
    """True for a record of A (alias a) whose text window date is given but is not a month or a day."""
    if window is None or not textual(ctx, source, window.date):
        return None
    return exp.and_(exp.Not(this=exp.Is(this=quote_column(window.date, A), expression=exp.Null())),
                    exp.Is(this=quote_column(WHEN, A), expression=exp.Null()), copy=False)


def with_mappings(ctx: Context, plan: Plan, source: str, other: str, window: Window | None) -> Plan:
    """`plan`, or when a window column holds text, a plan binding its period mappings first
    (meta["query"] and meta["prepare"] as statguard.checks.time.common.period_plan gives them)."""
    if window is None or plan.query is None:
        return plan
    mapped = [(s, c) for s, c in ((source, window.date), (other, window.other_date)) if textual(ctx, s, c)]
    if not mapped:
        return plan
    query, order_by = plan.query, list(plan.order_by)
    lang = lang_of(ctx)

    def prepare(engine: object) -> None:
        for name, column in mapped:
            bind_mapping(engine, name, column, lang)

    def run(engine: object) -> object:
        prepare(engine)
        return engine.run(Plan(query=query, order_by=order_by))  # type: ignore[attr-defined]

    return Plan(run=run, order_by=order_by, meta={"query": query, "prepare": prepare})


def scope_filter(ctx: Context, source: str, where: str | None, field: str = "where") -> exp.Expression | None:
    """The compiled `where` of `source`, qualified with alias a."""
    if not where:
        return None
    return exp.paren(qualify(ctx.compile(where, field, {None: source}).tree, A), copy=False)
