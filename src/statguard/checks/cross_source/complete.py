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
from statguard.i18n import register, t
from statguard.pack.model import Rule

EXPECTED_UNITS, EXPECTED_PERIODS, WANTED, GOT = "_sg_units", "_sg_periods", "_sg_wanted", "_sg_got"
Code = str | int | float | date

register({
    "detail.complete.missing": {"en": "no records in '{source}'", "zh": "「{source}」中没有记录"},
    "detail.complete.not_in_codes": {"en": "not in the code list", "zh": "不在代码表中"},
    "detail.complete.unexpected": {"en": "not expected", "zh": "不应出现"},
})


class CompleteParams(Params):
    source: str = Field(description="Source holding the submitted records.")
    unit: str | None = Field(None, description="Column of `source` naming the submitting unit "
                             "(default: the source's unit).")
    codes: str | None = Field(None, description="Code-list source holding every expected unit.")
    code_column: str | None = Field(None, description="Column of `codes` holding the unit codes (default: `unit`).")
    codes_where: str | None = Field(None, description="Only codes for which this is true are expected.")
    expected: list[Code] | None = Field(None, description="Inline list of expected units (instead of `codes`).")
    period: str | None = Field(None, description="Column of `source` holding the period; units are then expected "
                               "for every period.")
    periods: list[Code] | None = Field(None, description="Expected periods (default: those found in the source).")
    where: str | None = Field(None, description="Only records of `source` for which this is true count.")
    unexpected: Literal["ignore", "fail"] = Field("ignore", description="Whether units or periods that are not "
                                                  "expected but submitted records are violations.")

    @model_validator(mode="after")
    def _one_list(self) -> CompleteParams:
        if (self.codes is None) == (self.expected is None):
            raise ValueError("give the expected units either as 'codes' (a code-list source) or as 'expected'")
        if self.expected == [] or self.periods == []:
            raise ValueError("an inline list of expected units or periods must not be empty")
        if self.periods is not None and self.period is None:
            raise ValueError("'periods' needs 'period', the period column of the source")
        return self


@rule_kind("complete", CompleteParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: CompleteParams = rule.params
    spec = ctx.source(p.source)
    unit = p.unit or spec.unit
    if unit is None:
        raise PackError(ctx.problem(f"complete needs 'unit' (source '{p.source}' declares no unit)", "unit"))
    unit_col = _text(ctx.require_column(p.source, unit, "unit"))
    period_col = _text(ctx.require_column(p.source, p.period, "period")) if p.period else None
    got = exp.select(exp.alias_(unit_col, "u")).distinct().from_(ctx.table(p.source))
    got = got.where(exp.Not(this=exp.Is(this=unit_col.copy(), expression=exp.Null())))
    if period_col is not None:
        got = got.select(exp.alias_(period_col, "p")).where(
            exp.Not(this=exp.Is(this=period_col.copy(), expression=exp.Null())))
    if p.where:
        got = got.where(exp.paren(ctx.compile(p.where, "where", {None: p.source}).tree))
    wanted = exp.select(exp.column("u", EXPECTED_UNITS)).from_(EXPECTED_UNITS)
    query = exp.select().with_(EXPECTED_UNITS, as_=_expected_units(ctx, p, unit))
    on = [exp.EQ(this=exp.column("u", WANTED), expression=exp.column("u", GOT))]
    if period_col is not None:
        periods = _values(p.periods, "p") if p.periods else exp.select("p").distinct().from_(GOT)
        query = query.with_(GOT, as_=got).with_(EXPECTED_PERIODS, as_=periods)
        wanted = wanted.select(exp.column("p", EXPECTED_PERIODS)).join(EXPECTED_PERIODS, join_type="CROSS")
        on.append(exp.EQ(this=exp.column("p", WANTED), expression=exp.column("p", GOT)))
    else:
        query = query.with_(GOT, as_=got)
    query = query.with_(WANTED, as_=wanted).from_(WANTED).join(GOT, on=exp.and_(*on), join_type="FULL")
    return _judged(p, query, unit, period_col is not None, ctx.options.get("lang"))


def _judged(p: CompleteParams, query: exp.Select, unit: str, by_period: bool, lang: str | None = None) -> Plan:
    missing = exp.Is(this=exp.column("u", GOT), expression=exp.Null())
    extra = exp.Is(this=exp.column("u", WANTED), expression=exp.Null())
    status = (exp.Case().when(missing, exp.Literal.string("fail"))
              .when(extra.copy(), exp.Literal.string("fail" if p.unexpected == "fail" else "pass"))
              .else_(exp.Literal.string("pass")))
    detail = (exp.Case().when(missing.copy(), exp.Literal.string(t("detail.complete.missing", lang, source=p.source)))
              .when(extra.copy(), exp.Literal.string(t("detail.complete.not_in_codes" if p.codes
                                                       else "detail.complete.unexpected", lang))))
    u = exp.Coalesce(this=exp.column("u", WANTED), expressions=[exp.column("u", GOT)])
    query = query.select(alias(status, STATUS), alias(u, UNIT), alias(u.copy(), KEY + unit))
    order = [f'"{KEY}{unit}"']
    if by_period:
        per = exp.Coalesce(this=exp.column("p", WANTED), expressions=[exp.column("p", GOT)])
        name = p.period or "period"
        query = query.select(alias(per, PERIOD), alias(per.copy(), KEY + name))
        order.append(f'"{KEY}{name}"')
    query = query.select(alias(detail, DETAIL))
    if p.unexpected == "ignore":
        query = query.where(exp.Not(this=extra))
    return Plan(query=query, order_by=order)


def _expected_units(ctx: Context, p: CompleteParams, unit: str) -> exp.Expression:
    if p.expected is not None:
        return _values(p.expected, "u")
    assert p.codes is not None
    ctx.source(p.codes, "codes")
    code = _text(ctx.require_column(p.codes, p.code_column or unit, "code_column" if p.code_column else "unit"))
    codes = exp.select(exp.alias_(code, "u")).distinct().from_(ctx.table(p.codes))
    codes = codes.where(exp.Not(this=exp.Is(this=code.copy(), expression=exp.Null())))
    if p.codes_where:
        codes = codes.where(exp.paren(ctx.compile(p.codes_where, "codes_where", {None: p.codes}).tree))
    return codes


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
