"""Columns of one record that are parts add up to the column that is their whole.

For every record, the sum of the `parts` columns is compared with the `whole`
column (awaiting + idle = total housing; 122 rectified + 93 in progress = 215
audit findings). Several part-whole groups of the same record (units and m2,
say) are given as `groups`, each checked as its own item. A violation carries
the whole (observed), the parts' sum (expected), the imbalance and which cells
were missing. With `relation: at_most` the parts may also add up to less than
the whole (manufacturing + services <= total investment).

`tolerance: reported` allows the rounding of the reported figures: half a
unit of the last digit of the whole plus that of every part, with the decimals
taken from the text as submitted (statguard.checks.rounding) or from
`decimals:` (one number, column -> decimals, or a table of decimals looked up
by column name, `{source: indicators, code: indicator, decimals: decimals}`);
`val:tolerance` carries it. 1.01 million m2 = 0.58 + 0.43 holds
within 0.005 + 0.005 + 0.005.

Missing cells follow the modes of VTL 2.1 `check_hierarchy`, a blank cell being
an absent item: the default `always_null` evaluates every record and counts a
record with a blank part or whole as not evaluable (like the `row` kind);
`always_zero` and `partial_zero` count blank cells as 0; `non_null` skips
records with any blank cell, `non_zero` records whose cells are all blank or 0,
`partial_null` / `partial_zero` records whose cells are all blank.

For long data (one record per part and one for the whole, told apart by a code
column) use the `hierarchy` kind with an inline `mapping` of the whole's code to
the parts' codes: that is R validate's `part_whole_relation`.

Passing example:

    - id: HOUSING-01
      kind: part_whole
      source: housing
      groups:
        - {name: units, whole: 房源套数, parts: [待安置套数, 安置后闲置套数]}
        - {name: area, whole: 房源面积, parts: [待安置面积, 安置后闲置面积]}
      tolerance: 0.01

Failing data for it: 房源套数 10218 while 5801 + 4407 = 10208 (observed 10218,
expected 10208, imbalance 10).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp

from statguard.checks import rounding
from statguard.checks.hierarchy.modes import MODE_HELP, Mode, cat, fn, labelled, num, verdict, zero_filled
from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    IMBALANCE,
    KEY,
    OBSERVED,
    STATUS,
    VAL,
    Context,
    Plan,
    alias,
    identity_columns,
    lang_of,
    numbered_first,
)
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError
from statguard.expr import quote_column
from statguard.i18n import register, say, t
from statguard.pack.model import Rule


class PartGroup(BaseModel):
    """One whole and its parts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str | None = Field(None, description="Name of the group in the report (default: the whole's column).")
    whole: str = Field(description="Column holding the whole.")
    parts: list[str] = Field(min_length=1, description="Columns holding the parts.")


class PartWholeParams(Params):
    source: str = Field(description="Name of the source whose records are checked.")
    whole: str | None = Field(None, description="Column holding the whole (or give `groups`).")
    parts: list[str] | None = Field(None, min_length=1, description="Columns holding the parts of `whole`.")
    groups: list[PartGroup] | None = Field(None, min_length=1, description=(
        "Several part-whole groups of the same record, each {name, whole, parts}; each is its own item."))
    relation: Literal["equal", "at_most"] = Field("equal", description=(
        "equal: parts add up to the whole; at_most: parts add up to no more than the whole."))
    mode: Mode = Field("always_null", description=MODE_HELP + " A blank cell is an absent item.")
    tolerance: rounding.Tolerance = Field(1e-8, description=(
        "Absolute tolerance of whole - sum of parts, or 'reported': half a unit of the last reported digit of the "
        "whole plus that of every part."))
    decimals: rounding.Decimals = rounding.decimals_field()
    relative_tolerance: float = Field(0, ge=0, description=(
        "Relative tolerance: the imbalance may also be up to this share of the whole (0.01 = 1%)."))
    where: str | None = Field(None, description="Only records for which this is true are checked.")
    keys: list[str] | None = Field(None, description="Columns identifying a record in the report "
                                   "(default: the source's keys).")

    def source_names(self) -> list[str]:
        return [self.source, *rounding.decimals_sources(self.decimals, self.tolerance)]


@rule_kind("part_whole", PartWholeParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: PartWholeParams = rule.params
    ctx.source(p.source)
    groups = _groups(p, ctx)
    where = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    columns = list(dict.fromkeys(c for g in groups for c in (*g.parts, g.whole)))
    table: exp.Expression = ctx.table(p.source)
    if p.tolerance == rounding.REPORTED:
        column = p.decimals.column if isinstance(p.decimals, rounding.DecimalsTable) else None
        rounding.check_decimals(ctx, p.decimals, dict.fromkeys(columns), "columns (not a whole or a part)",
                                p.source, column)
        table = rounding.records(ctx, p.source, columns, p.decimals, code=column)
    selects = [_group_select(p, ctx, g, columns, named=p.groups is not None, where=where, table=table)
               for g in groups]
    query = selects[0]
    for other in selects[1:]:
        query = exp.union(query, other, distinct=False)
    if len(selects) > 1:
        query = exp.select("*").from_(query.subquery("items"))
    return Plan(query=query, order_by=['ABS("_imbalance") DESC NULLS LAST'])


register({
    "problem.part_whole.both": {"en": "give either 'whole' and 'parts' or 'groups', not both",
                                "zh": "'whole' 加 'parts' 与 'groups' 只能给出其一"},
    "problem.part_whole.neither": {"en": "part_whole needs 'whole' and 'parts' (or 'groups')",
                                   "zh": "part_whole 需要 'whole' 和 'parts'（或 'groups'）"},
    "problem.part_whole.whole_is_part": {"en": "column '{column}' is both the whole and a part",
                                         "zh": "列「{column}」既是总数又是分项"},
    "problem.part_whole.same_names": {"en": "group names must differ", "zh": "各组的名称不能相同"},
    "detail.part_whole.formula": {"en": "{label}: {whole} vs {parts}", "zh": "{label}：{whole} 对 {parts}"},
})


def _groups(p: PartWholeParams, ctx: Context) -> list[PartGroup]:
    if p.groups is not None and (p.whole is not None or p.parts is not None):
        raise PackError(ctx.problem(say("problem.part_whole.both"), "groups"))
    if p.groups is None:
        if p.whole is None or p.parts is None:
            raise PackError(ctx.problem(say("problem.part_whole.neither"), "whole"))
        groups = [PartGroup(whole=p.whole, parts=p.parts)]
    else:
        groups = list(p.groups)
    for g in groups:
        field_name = "groups" if p.groups is not None else None
        ctx.require_column(p.source, g.whole, field_name or "whole")
        for part in g.parts:
            ctx.require_column(p.source, part, field_name or "parts")
        if g.whole in g.parts:
            raise PackError(ctx.problem(say("problem.part_whole.whole_is_part", column=g.whole), field_name or "parts"))
    names = [g.name or g.whole for g in groups]
    if len(set(names)) != len(names):
        raise PackError(ctx.problem(say("problem.part_whole.same_names"), "groups"))
    return groups


def _number(column: str) -> exp.Expression:
    return exp.TryCast(this=quote_column(column), to=exp.DataType.build("DOUBLE"))


def _sides(mode: str, g: PartGroup) -> tuple[exp.Expression, exp.Expression]:
    zero = zero_filled(mode)

    def cell(column: str) -> exp.Expression:
        value = _number(column)
        return exp.Coalesce(this=value, expressions=[num(0)]) if zero else value

    expected = cell(g.parts[0])
    for part in g.parts[1:]:
        expected = exp.Add(this=expected, expression=cell(part))
    return cell(g.whole), expected


def _produced(mode: str, g: PartGroup) -> exp.Expression | None:
    cells = [_number(c) for c in (g.whole, *g.parts)]
    if mode == "non_null":
        return exp.and_(*[c.is_(exp.null()).not_() for c in cells])
    if mode == "non_zero":
        return exp.or_(*[exp.Coalesce(this=exp.NEQ(this=c, expression=num(0)), expressions=[exp.false()])
                         for c in cells])
    if mode.startswith("partial"):
        return exp.or_(*[c.is_(exp.null()).not_() for c in cells])
    return None


def _missing(g: PartGroup) -> exp.Expression:
    names = [exp.If(this=_number(c).is_(exp.null()), true=exp.Literal.string(c), false=exp.null())
             for c in (g.whole, *g.parts)]
    return exp.Nullif(this=fn("concat_ws", exp.Literal.string(", "), *names), expression=exp.Literal.string(""))


def _reported(mode: str, g: PartGroup) -> exp.Expression:
    """Half a unit of the last reported digit of the whole plus those of the parts (blank cells
    counted as 0 are exact)."""
    terms: list[exp.Expression] = []
    for column in (g.whole, *g.parts):
        hw: exp.Expression = rounding.hw_column(column)
        terms.append(exp.Coalesce(this=hw, expressions=[num(0)]) if zero_filled(mode) else hw)
    out = terms[0]
    for term in terms[1:]:
        out = exp.Add(this=out, expression=term)
    return out


def _group_select(p: PartWholeParams, ctx: Context, g: PartGroup, columns: list[str], named: bool,
                  where: exp.Expression | None, table: exp.Expression) -> exp.Select:
    observed, expected = _sides(p.mode, g)
    imbalance = exp.Sub(this=exp.paren(observed.copy()), expression=exp.paren(expected.copy()))
    compared = expected
    if p.relation == "at_most":  # only an excess of the parts over the whole is a violation
        compared = exp.Greatest(this=observed.copy(), expressions=[expected.copy()])
    reported = p.tolerance == rounding.REPORTED
    tolerance = _reported(p.mode, g) if reported else None
    if tolerance is not None:
        status = rounding.verdict(observed, compared, tolerance, p.relative_tolerance)
    else:
        status = verdict(observed, compared, float(p.tolerance), p.relative_tolerance)
    label = g.name or g.whole
    lang = lang_of(ctx)
    formula = t("detail.part_whole.formula", lang, label=label, whole=g.whole, parts=" + ".join(g.parts))
    detail = fn("concat_ws", exp.Literal.string(t("detail.parts.sep", lang)),
                cat(formula), labelled(t("detail.parts.missing", lang), _missing(g)))
    select = exp.select(alias(status, STATUS), *identity_columns(ctx, p.source, keys=p.keys))
    if named:
        select = select.select(alias(exp.Literal.string(label), KEY + "group"))
    select = select.select(*[alias(quote_column(c), VAL + c) for c in columns],
                           alias(observed, OBSERVED), alias(expected, EXPECTED), alias(imbalance, IMBALANCE),
                           alias(detail, DETAIL))
    if tolerance is not None:
        select = select.select(alias(rounding.shown(tolerance), VAL + "tolerance"))
    select = select.from_(table.copy())
    conditions = [c for c in (_produced(p.mode, g), exp.paren(where) if where is not None else None) if c is not None]
    if conditions:
        select = select.where(exp.and_(*conditions))
    return numbered_first(select)
