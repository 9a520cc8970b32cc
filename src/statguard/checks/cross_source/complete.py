"""Every expected unit, per period where given, has submitted records.

The expected units come from a code-list source (`codes`, column
`code_column`, optionally filtered by `codes_where`) or an inline list
(`expected`). With `period`, each unit is expected for every period: the
inline `periods`, or else every period that occurs in the source (so a month
in which nobody submitted is not noticed: list `periods` to catch it). Each
missing (unit, period) is a violation: a unit that never sent its records is
itself a finding. With `unexpected: fail`, units (or periods) that submitted
records but are not expected are violations too ("not in the code list").

NULL semantics: NULL codes in the code list are ignored; records with a NULL
unit or period submit nothing (find them with a `row` rule). Units and periods
are compared as text, so 110101 in a code list matches "110101" in the data.
Duplicate codes or records count once.

With several `unit` columns the expected keys are combinations, from a
code list with as many columns (`code_column` in the same order): e.g.
(region, period) pairs. With `by` (columns or expressions such as
`substr(period, 1, 4)`) the source is split into groups and every expected
key is expected in each group found: R validate's `contains_at_least(keys,
by = measure)`; with `unexpected: fail`, `contains_exactly`. Items are per
missing (or unexpected) key and group, where validate marks every record of
a failing group.

Passing example (every district of the code list sent contribution records
for each month):

    - id: RE-03
      kind: complete
      source: 社保缴费
      unit: 区县
      codes: 区县代码表
      code_column: 区县
      period: 缴费月份

Failing data for it: 北区 is in the code list but 社保缴费 holds no record
with 区县 = 北区.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator
from sqlglot import exp

from statguard.checks.plan import DETAIL, KEY, PERIOD, STATUS, UNIT, Context, Plan, alias
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError
from statguard.i18n import register, say, t
from statguard.pack.model import Rule

EXPECTED_UNITS, EXPECTED_PERIODS, WANTED, GOT = "_sg_units", "_sg_periods", "_sg_wanted", "_sg_got"
GROUPS = "_sg_groups"
Code = str | int | float | date

register({
    "detail.complete.missing": {"en": "no records in '{source}'", "zh": "「{source}」中没有记录"},
    "detail.complete.not_in_codes": {"en": "not in the code list", "zh": "不在代码表中"},
    "detail.complete.unexpected": {"en": "not expected", "zh": "不应出现"},
    "problem.complete.no_unit": {"en": "complete needs 'unit' (source '{source}' declares no unit)",
                                 "zh": "complete 需要 'unit'（数据源「{source}」未声明单位列）"},
    "problem.complete.code_columns": {"en": "code_column names {n} column(s) for {units} unit column(s)",
                                      "zh": "code_column 列出了 {n} 个列，但单位列有 {units} 个"},
})


register({  # the parameters together (the validator's messages, said in the pack's language)
    "problem.complete.one_list": {
        "en": "give the expected units either as 'codes' (a code-list source) or as 'expected'",
        "zh": "应报单位须用 'codes'（代码表数据源）或 'expected' 二者之一给出"},
    "problem.complete.empty_list": {"en": "an inline list of expected units or periods, or of by, must not be empty",
                                    "zh": "直接写出的应报单位、期别或 by 列表不能为空"},
    "problem.complete.periods_need_period": {"en": "'periods' needs 'period', the period column of the source",
                                             "zh": "'periods' 需要 'period'（数据源的期别列）"},
    "problem.complete.units_from_codes": {
        "en": "several unit columns need their combinations from 'codes', not 'expected'",
        "zh": "多个单位列的组合须由 'codes' 给出，不能用 'expected'"},
})

class CompleteParams(Params):
    source: str = Field(description="Source holding the submitted records.")
    unit: str | list[str] | None = Field(None, description="Column of `source` naming the submitting unit "
                                         "(default: the source's unit), or several columns: the expected keys "
                                         "are then combinations, from a code list with as many columns.")
    codes: str | None = Field(None, description="Code-list source holding every expected unit (or key combination).")
    code_column: str | list[str] | None = Field(None, description="Column(s) of `codes` holding the unit codes, in "
                                                "the order of `unit` (default: named like `unit`).")
    codes_where: str | None = Field(None, description="Only codes for which this is true are expected.")
    expected: list[Code] | None = Field(None, description="Inline list of expected units (instead of `codes`).")
    period: str | None = Field(None, description="Column of `source` holding the period; units are then expected "
                               "for every period.")
    periods: list[Code] | None = Field(None, description="Expected periods (default: those found in the source).")
    by: list[str] | None = Field(None, description=(
        "Columns or expressions of `source` (e.g. measure, substr(period, 1, 4)) splitting it into groups: every "
        "expected unit (and period) is expected in each group found in the source."))
    where: str | None = Field(None, description="Only records of `source` for which this is true count.")
    unexpected: Literal["ignore", "fail"] = Field("ignore", description="Whether units or periods that are not "
                                                  "expected but submitted records are violations.")

    @model_validator(mode="after")
    def _one_list(self) -> CompleteParams:
        if (self.codes is None) == (self.expected is None):
            raise ValueError(say("problem.complete.one_list"))
        if self.expected == [] or self.periods == [] or self.by == []:
            raise ValueError(say("problem.complete.empty_list"))
        if self.periods is not None and self.period is None:
            raise ValueError(say("problem.complete.periods_need_period"))
        if isinstance(self.unit, list) and self.expected is not None:
            raise ValueError(say("problem.complete.units_from_codes"))
        return self


@rule_kind("complete", CompleteParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: CompleteParams = rule.params
    spec = ctx.source(p.source)
    units = _names(p.unit) or ([spec.unit] if spec.unit else [])
    if not units:
        raise PackError(ctx.problem(say("problem.complete.no_unit", source=p.source), "unit"))
    unit_cols = [_text(ctx.require_column(p.source, u, "unit")) for u in units]
    period_col = _text(ctx.require_column(p.source, p.period, "period")) if p.period else None
    groups = [_value(ctx, p.source, b) for b in p.by or []]
    got = exp.select(*(exp.alias_(c, f"u{i}") for i, c in enumerate(unit_cols)),
                     *(exp.alias_(g, f"b{j}") for j, g in enumerate(groups))).distinct().from_(ctx.table(p.source))
    for c in unit_cols:
        got = got.where(exp.Not(this=exp.Is(this=c.copy(), expression=exp.Null())))
    if period_col is not None:
        got = got.select(exp.alias_(period_col, "p")).where(
            exp.Not(this=exp.Is(this=period_col.copy(), expression=exp.Null())))
    if p.where:
        got = got.where(exp.paren(ctx.compile(p.where, "where", {None: p.source}).tree))
    unit_names = [f"u{i}" for i in range(len(units))]
    wanted = exp.select(*(exp.column(u, EXPECTED_UNITS) for u in unit_names)).from_(EXPECTED_UNITS)
    query = exp.select().with_(EXPECTED_UNITS, as_=_expected_units(ctx, p, units)).with_(GOT, as_=got)
    on = [exp.EQ(this=exp.column(u, WANTED), expression=exp.column(u, GOT)) for u in unit_names]
    if period_col is not None:
        periods = _values(p.periods, "p") if p.periods else exp.select("p").distinct().from_(GOT)
        query = query.with_(EXPECTED_PERIODS, as_=periods)
        wanted = wanted.select(exp.column("p", EXPECTED_PERIODS)).join(EXPECTED_PERIODS, join_type="CROSS")
        on.append(exp.EQ(this=exp.column("p", WANTED), expression=exp.column("p", GOT)))
    if groups:
        names = [f"b{j}" for j in range(len(groups))]
        query = query.with_(GROUPS, as_=exp.select(*names).distinct().from_(GOT))
        wanted = wanted.select(*(exp.column(b, GROUPS) for b in names)).join(GROUPS, join_type="CROSS")
        on += [exp.NullSafeEQ(this=exp.column(b, WANTED), expression=exp.column(b, GOT)) for b in names]
    query = query.with_(WANTED, as_=wanted).from_(WANTED).join(GOT, on=exp.and_(*on), join_type="FULL")
    shown = {"unit": units, "by": [b.strip() for b in p.by or []]}
    return _judged(p, query, shown, period_col is not None, ctx.options.get("lang"))


def _value(ctx: Context, source: str, text: str) -> exp.Expression:
    """A `by` entry compiled as a value of the record (a column or an expression such as
    substr(period, 1, 4)), not as a condition."""
    return exp.paren(ctx.compile(text, "by", {None: source}, condition=False).tree)


def _names(unit: str | list[str] | None) -> list[str]:
    return [unit] if isinstance(unit, str) else list(unit or [])


def _judged(p: CompleteParams, query: exp.Select, shown: dict[str, list[str]], by_period: bool,
            lang: str | None = None) -> Plan:
    missing = exp.Is(this=exp.column("u0", GOT), expression=exp.Null())
    extra = exp.Is(this=exp.column("u0", WANTED), expression=exp.Null())
    status = (exp.Case().when(missing, exp.Literal.string("fail"))
              .when(extra.copy(), exp.Literal.string("fail" if p.unexpected == "fail" else "pass"))
              .else_(exp.Literal.string("pass")))
    detail = (exp.Case().when(missing.copy(), exp.Literal.string(t("detail.complete.missing", lang, source=p.source)))
              .when(extra.copy(), exp.Literal.string(t("detail.complete.not_in_codes" if p.codes
                                                       else "detail.complete.unexpected", lang))))

    def either(name: str) -> exp.Expression:
        return exp.Coalesce(this=exp.column(name, WANTED), expressions=[exp.column(name, GOT)])

    query = query.select(alias(status, STATUS))
    if len(shown["unit"]) == 1:  # several columns: a key combination, not a unit
        query = query.select(alias(either("u0"), UNIT))
    order = []
    for i, name in enumerate(shown["unit"]):
        query = query.select(alias(either(f"u{i}"), KEY + name))
        order.append(f'"{KEY}{name}"')
    if by_period:
        name = p.period or "period"
        query = query.select(alias(either("p"), PERIOD), alias(either("p"), KEY + name))
        order.append(f'"{KEY}{name}"')
    for j, name in enumerate(shown["by"]):
        query = query.select(alias(either(f"b{j}"), KEY + name))
        order.append(f'"{KEY}{name}"')
    query = query.select(alias(detail, DETAIL))
    if p.unexpected == "ignore":
        query = query.where(exp.Not(this=extra))
    return Plan(query=query, order_by=order)


def _expected_units(ctx: Context, p: CompleteParams, units: list[str]) -> exp.Expression:
    if p.expected is not None:
        return _values(p.expected, "u0")
    assert p.codes is not None
    ctx.source(p.codes, "codes")
    columns = _names(p.code_column) or units
    if len(columns) != len(units):
        raise PackError(ctx.problem(say("problem.complete.code_columns", n=len(columns), units=len(units)),
                                    "code_column"))
    field = "code_column" if p.code_column else "unit"
    codes = [_text(ctx.require_column(p.codes, c, field)) for c in columns]
    select = exp.select(*(exp.alias_(c, f"u{i}") for i, c in enumerate(codes))).distinct().from_(ctx.table(p.codes))
    for c in codes:
        select = select.where(exp.Not(this=exp.Is(this=c.copy(), expression=exp.Null())))
    if p.codes_where:
        select = select.where(exp.paren(ctx.compile(p.codes_where, "codes_where", {None: p.codes}).tree))
    return select


def _values(items: list[Code], column: str) -> exp.Select:
    """SELECT DISTINCT column FROM (VALUES ...), values as text."""
    rows = [exp.Tuple(expressions=[exp.Literal.string(_plain_text(v))]) for v in items]
    table = exp.Values(expressions=rows, alias=exp.TableAlias(this=exp.to_identifier("_sg_v"),
                                                               columns=[exp.to_identifier(column)]))
    return exp.select(exp.column(column)).distinct().from_(table)


def _plain_text(value: Code) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _text(column: exp.Expression) -> exp.Expression:
    return exp.Cast(this=column, to=exp.DataType.build("VARCHAR"))
