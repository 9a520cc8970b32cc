"""Rounding-aware tolerance (`tolerance: reported`), shared by the row, part_whole, hierarchy and growth kinds.

A figure reported as 46 may stand for anything in [45.5, 46.5), one reported
as 766.41 for [766.405, 766.415): its half-width is half a unit of its last
reported digit, 0.5 * 10^-d for d reported decimals. A comparison of two sides
holds when |lhs - rhs| <= hw(lhs) + hw(rhs) (plus a tiny epsilon for binary
floating point), the half-widths propagated through the arithmetic to first
order (interval arithmetic):

    hw(a + b) = hw(a - b) = hw(a) + hw(b)
    hw(a * b) = |a| hw(b) + |b| hw(a) + hw(a) hw(b)
    hw(a / b) = (|a| hw(b) + |b| hw(a)) / (|b| (|b| - hw(b)))   when |b| > hw(b)
    constants are exact (hw 0); -a, |a| and (a) keep hw(a)

A divisor that is not surely away from 0 (|b| <= hw(b)) makes the comparison
not evaluable.

The decimals d of a figure come from the text as submitted, i.e. the source's
"raw:<name>" view: for text (CSV read as text, Excel cells as text) the number
of digits after the decimal point, after trimming and dropping thousands
separators and a percent sign ("1,661.44" has 2, "46%" and "1200" have 0:
an integer written with trailing zeros is taken to be reported to units); for
a number (Parquet, DataFrames, CSV columns DuckDB read as numbers) its shortest
decimal representation (46.0 has 0, 51.5 has 1). A CSV column whose type is not
declared is read as a number by DuckDB, so trailing zeros after the point
("51.50") are lost and the tolerance is wider than the text says: declare the
column's type to keep its text. `decimals:` overrides the text with a fixed
number of decimals per column (or per code, for hierarchy), or one for all.

`decimals:` may instead name a table of decimals per code, `{source: indicators,
code: indicator, decimals: decimals}` (the canonical indicators table), for
figures that arrive as doubles without their text (Parquet, DataFrames in long
format). A figure is looked up by the code its record holds in `column` (by
default: hierarchy its `code`, growth the column named like the table's code
column) or, in row and part_whole without `column`, by its own column name.
A figure whose code the table lacks, or gives no whole number >= 0 for, keeps
the decimals of its text; a code given several times takes the fewest decimals
(the wider tolerance). The table is one of the sources the rule reads: when it
is optional and not given, the rule is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlglot import exp

from statguard.checks.plan import Context
from statguard.expr import quote_column
from statguard.i18n import did_you_mean, register, say

REPORTED = "reported"
HW_PREFIX = "_sg_hw:"  # per-record half-width column of a figure, next to the figure itself
EPSILON, RELATIVE_EPSILON = 1e-9, 1e-12  # binary floating point, not rounding


def _tolerance(value: Any) -> Any:
    """A number, or the word 'reported' (a located, readable error for anything else)."""
    if isinstance(value, str):
        word = value.strip()
        if word.lower() == REPORTED:
            return REPORTED
        try:
            value = float(word)
        except ValueError:
            hint = did_you_mean(word, [REPORTED])
            raise ValueError(say("problem.rounding.tolerance_word", word=word, hint=hint)) from None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        raise ValueError(say("problem.rounding.tolerance_negative", value=value))
    return value


Tolerance = Annotated[float | Literal["reported"], BeforeValidator(_tolerance)]
TOLERANCE_HELP = ("Absolute tolerance, or 'reported': half a unit of the last digit each figure was reported with, "
                  "propagated through the arithmetic (see docs/fabrication/rounding.md).")


register({  # the messages of the parameters' validators, said in the pack's language
    "problem.rounding.tolerance_word": {
        "en": "tolerance is a number or 'reported' (half a unit of the last reported digit), not '{word}'{hint}",
        "zh": "tolerance 须为数值或 'reported'（最后一位填报数字的半个单位），而不是 '{word}'{hint}"},
    "problem.rounding.tolerance_negative": {"en": "tolerance must be 0 or more, not {value}",
                                            "zh": "tolerance 须不小于 0，而不是 {value}"},
    "problem.rounding.table_key": {"en": "a decimals table is {{keys}}: unknown key '{key}'{hint}",
                                   "zh": "小数位表的键为 {{keys}}：没有键 '{key}'{hint}"},
    "problem.rounding.table_value": {"en": "decimals table: '{key}' names a source or column, not {given}",
                                     "zh": "小数位表：'{key}' 应为数据源名或列名，而不是 {given}"},
})

class DecimalsTable(BaseModel):
    """Where the decimals of each code (indicator) are declared: a table such as `indicators`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = Field(description="Source with one row per code (e.g. the canonical `indicators` table).")
    code: str = Field("indicator", description="Its column holding the code (indicator).")
    decimals: str = Field("decimals", description="Its column holding the number of decimals of that code's figures.")
    column: str | None = Field(None, description=(
        "Column of the rule's source holding each record's code (default: hierarchy its `code`, growth the column "
        "named like `code`; row and part_whole look each figure up by its column name)."))


def _decimals(value: Any) -> Any:
    """A mapping with a `source` is a decimals table (readable errors for its keys); others pass on."""
    if not (isinstance(value, dict) and isinstance(value.get("source"), str)):
        return value
    keys = list(DecimalsTable.model_fields)
    for key, given in value.items():
        if key not in keys:
            hint = did_you_mean(key, keys, n=1)
            raise ValueError(say("problem.rounding.table_key", keys=", ".join(keys), key=key, hint=hint))
        if not isinstance(given, str) and not (key == "column" and given is None):
            raise ValueError(say("problem.rounding.table_value", key=key, given=repr(given)))
    return DecimalsTable(**value)


Decimals = Annotated[int | dict[str, int] | DecimalsTable | None, BeforeValidator(_decimals)]


def decimals_field(what: str = "column") -> Any:
    return Field(None, description=(
        f"With tolerance: reported, the decimals of the figures when not taken from the text: one number for all, "
        f"{what} -> number of decimals (others keep their text's), or a table of decimals per code, "
        f"{{source: indicators, code: indicator, decimals: decimals}} (codes it lacks keep their text's)."))


def fixed_decimals(decimals: Decimals, name: str) -> int | None:
    """The decimals `decimals:` fixes for figure `name` (a column, or a code), if any."""
    if isinstance(decimals, int):
        return decimals
    return decimals.get(name) if isinstance(decimals, dict) else None


def decimals_sources(decimals: Decimals, tolerance: Any) -> list[str]:
    """The decimals table a rule reads with tolerance: reported, if any (for source_names)."""
    return [decimals.source] if tolerance == REPORTED and isinstance(decimals, DecimalsTable) else []


LOOKUP = "_sg_dec"  # the decimals table in its correlated lookup


def looked_up_decimals(ctx: Context, table: DecimalsTable, code: exp.Expression) -> exp.Expression:
    """SQL: the decimals `table` gives for `code` (its fewest, if several), NULL when none usable."""
    places = exp.TryCast(this=quote_column(table.decimals, LOOKUP), to=exp.DataType.build("BIGINT"))
    key = exp.cast(quote_column(table.code, LOOKUP), "VARCHAR")
    select = (exp.select(exp.Min(this=places)).from_(ctx.table(table.source, alias=LOOKUP))
              .where(exp.and_(exp.EQ(this=key, expression=exp.cast(code, "VARCHAR")),
                              exp.GTE(this=places.copy(), expression=exp.Literal.number(0)))))
    return exp.Subquery(this=select)


# -- decimals and half-widths of figures --------------------------------------------------
def _fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _text(s: str) -> exp.Literal:
    return exp.Literal.string(s)


def decimals_of(raw: exp.Expression) -> exp.Expression:
    """SQL: the decimals a raw value was reported with (NULL when it is NULL)."""
    text: exp.Expression = exp.Trim(this=exp.cast(raw.copy(), "VARCHAR"))
    for drop in (",", "%", " "):
        text = _fn("replace", text, _text(drop), _text(""))
    mantissa = _fn("regexp_replace", text, _text("[eE].*$"), _text(""))
    # a number's text (46.0, 51.50 of a DECIMAL) loses its trailing zeros: its shortest form
    trimmed = _fn("regexp_replace", mantissa.copy(), _text(r"(\.[0-9]*?)0+$"), _text(r"\1"))
    is_text = exp.EQ(this=_fn("typeof", raw.copy()), expression=_text("VARCHAR"))
    digits = exp.If(this=is_text, true=mantissa, false=trimmed)
    after_point = exp.Length(this=_fn("regexp_extract", digits, _text(r"\.([0-9]*)"), exp.Literal.number(1)))
    exponent = exp.Coalesce(this=exp.TryCast(this=exp.Nullif(
        this=_fn("regexp_extract", text.copy(), _text("[eE]([+-]?[0-9]+)$"), exp.Literal.number(1)),
        expression=_text("")), to=exp.DataType.build("INTEGER")), expressions=[exp.Literal.number(0)])
    decimals = _fn("greatest", exp.Sub(this=after_point, expression=exponent), exp.Literal.number(0))
    return exp.If(this=exp.Is(this=raw.copy(), expression=exp.Null()), true=exp.Null(), false=decimals)


def half_width(decimals: exp.Expression | int) -> exp.Expression:
    """0.5 * 10^-decimals."""
    if isinstance(decimals, int):
        return exp.Literal.number(repr(0.5 * 10.0 ** -decimals))
    return exp.Div(this=exp.Literal.number("0.5"),
                   expression=exp.Pow(this=exp.Literal.number("10.0"), expression=decimals))


def figure_half_width(raw: exp.Expression, fixed: int | None = None,
                      looked_up: exp.Expression | None = None) -> exp.Expression:
    """SQL: half the unit of the last reported digit of a raw value (or of `fixed` decimals, or of
    the `looked_up` decimals when they are not NULL)."""
    if fixed is None and looked_up is None:
        return half_width(decimals_of(raw))
    hw = half_width(decimals_of(raw)) if fixed is None else half_width(fixed)
    if looked_up is not None:
        hw = exp.Coalesce(this=half_width(looked_up), expressions=[hw])
    return exp.If(this=exp.Is(this=raw.copy(), expression=exp.Null()), true=exp.Null(), false=hw)


# -- the source's records with their half-widths --------------------------------------------
_TARGETS = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
            "date": "DATE", "datetime": "TIMESTAMP"}  # statguard.engine.duckdb.DUCK_TYPES


def typed(ctx: Context, source: str, column: str, table: str | None = None) -> exp.Expression:
    """A column of the typed view, computed from the raw view (see engine.duckdb._typed_view),
    whatever the raw column's type: its value as is, trimmed text (without thousands separators
    for numbers) when that fails."""
    spec = ctx.source(source).columns.get(column)
    target = _TARGETS.get(spec.type) if spec is not None and spec.type else None
    raw = quote_column(column, table)
    if target is None:
        return raw
    cleaned: exp.Expression = exp.Trim(this=exp.cast(raw.copy(), "VARCHAR"))
    if target in ("BIGINT", "DOUBLE"):
        cleaned = _fn("replace", cleaned, _text(","), _text(""))
    as_is = exp.TryCast(this=raw.copy(), to=exp.DataType.build(target))
    return exp.Coalesce(this=as_is, expressions=[exp.TryCast(this=cleaned, to=exp.DataType.build(target))])


RAW = "_sg_raw"  # the source's raw view in `records`


def records(ctx: Context, source: str, figures: list[str], decimals: Decimals = None,
            alias: str | None = None, code: str | None = None,
            looked_up: list[str] | None = None) -> exp.Subquery:
    """The records of `source` as its typed view has them, plus `_sg_hw:<figure>` per figure column,
    read from the raw view in one scan (so each figure meets its own text). With a decimals table,
    the figures `looked_up` (default: all) take the decimals of the record's `code` column, or of
    their own column name when there is no `code`."""
    columns = ctx.columns(source) or list(dict.fromkeys([*ctx.source(source).columns, *figures]))
    projections = [exp.alias_(typed(ctx, source, c), c, quoted=True) for c in columns]
    for f in dict.fromkeys(figures):
        found = None
        if isinstance(decimals, DecimalsTable) and (looked_up is None or f in looked_up):
            key = typed(ctx, source, code, RAW) if code else exp.Literal.string(f)
            found = looked_up_decimals(ctx, decimals, key)
        hw = figure_half_width(quote_column(f), fixed_decimals(decimals, f), found)
        projections.append(exp.alias_(hw, HW_PREFIX + f, quoted=True))
    select = exp.select(*projections).from_(ctx.table(source, raw=True, alias=RAW))
    return select.subquery(alias or source, copy=False)


def hw_column(column: str, table: str | None = None) -> exp.Column:
    return quote_column(HW_PREFIX + column, table)


# -- propagation ---------------------------------------------------------------------------
class NotPropagated(ValueError):
    """An operation whose rounding cannot be propagated (the message names it)."""


def _abs(node: exp.Expression) -> exp.Expression:
    return exp.Abs(this=exp.paren(node.copy(), copy=False))


def _zero(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and float(node.name) == 0


def _sum(*terms: exp.Expression) -> exp.Expression:
    kept = [t for t in terms if not _zero(t)]
    if not kept:
        return exp.Literal.number(0)
    out = kept[0]
    for term in kept[1:]:
        out = exp.Add(this=out, expression=term)
    return exp.paren(out, copy=False) if len(kept) > 1 else out


def _mul(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    if _zero(a) or _zero(b):
        return exp.Literal.number(0)
    wrap = (exp.Binary, exp.If, exp.Case)
    return exp.Mul(this=exp.paren(a, copy=False) if isinstance(a, wrap) else a,
                   expression=exp.paren(b, copy=False) if isinstance(b, wrap) else b)


def propagate(node: exp.Expression, leaf: Callable[[exp.Column], exp.Expression]) -> exp.Expression:
    """The half-width of expression `node`, first order; `leaf` gives a column's."""
    if isinstance(node, exp.Column):
        return leaf(node)
    if isinstance(node, (exp.Literal, exp.Null, exp.Boolean)):
        return exp.Literal.number(0)
    if isinstance(node, (exp.Paren, exp.Neg, exp.Abs)):
        return propagate(node.this, leaf)
    if isinstance(node, (exp.Add, exp.Sub)):
        return _sum(propagate(node.this, leaf), propagate(node.expression, leaf))
    if isinstance(node, exp.Mul):
        a, b = node.this, node.expression
        ha, hb = propagate(a, leaf), propagate(b, leaf)
        return _sum(_mul(_abs(a), hb), _mul(_abs(b), ha), _mul(ha.copy(), hb.copy()))
    if isinstance(node, exp.Div):
        return divided(node.this, node.expression, propagate(node.this, leaf), propagate(node.expression, leaf))
    if isinstance(node, exp.Round):
        digits = node.args.get("decimals")
        places = int(digits.name) if isinstance(digits, exp.Literal) and not digits.is_string else 0
        return _sum(propagate(node.this, leaf), half_width(places))
    if isinstance(node, (exp.Coalesce, exp.Greatest, exp.Least)):
        parts = [propagate(a, leaf) for a in (node.this, *node.expressions)]
        if isinstance(node, exp.Coalesce):  # a figure's half-width is NULL exactly when it is
            return exp.Coalesce(this=parts[0], expressions=parts[1:])
        return _fn("greatest", *parts) if len(parts) > 1 else parts[0]
    raise NotPropagated(node.sql("duckdb"))


def divided(a: exp.Expression, b: exp.Expression, ha: exp.Expression, hb: exp.Expression) -> exp.Expression:
    """hw(a / b); NULL (not evaluable) when |b| <= hw(b): the divisor may be 0."""
    bound = exp.Div(this=_sum(_mul(_abs(a), hb), _mul(_abs(b), ha)),
                    expression=exp.paren(_mul(_abs(b), exp.paren(exp.Sub(this=_abs(b), expression=hb.copy())))))
    return exp.If(this=exp.GT(this=_abs(b), expression=hb.copy()), true=bound, false=exp.Null())


def rate_half_width(value: exp.Expression, base: exp.Expression, hv: exp.Expression,
                    hb: exp.Expression) -> exp.Expression:
    """hw((value - base) / |base| * 100)."""
    change = exp.paren(exp.Sub(this=value.copy(), expression=base.copy()))
    return _mul(exp.Literal.number(100), divided(change, _abs(base), _sum(hv, hb), hb.copy()))


def slack(left: exp.Expression, right: exp.Expression) -> exp.Expression:
    """The floating-point epsilon added to a derived tolerance."""
    scale = exp.Add(this=_abs(left), expression=_abs(right))
    return exp.paren(exp.Add(this=exp.Literal.number(repr(EPSILON)),
                             expression=_mul(exp.Literal.number(repr(RELATIVE_EPSILON)), scale)), copy=False)


def within(observed: exp.Expression, expected: exp.Expression, tolerance: exp.Expression,
           relative: float = 0) -> exp.Expression:
    """|observed - expected| <= tolerance + epsilon (or `relative` times |observed|, if larger)."""
    diff = exp.Abs(this=exp.Sub(this=exp.paren(observed.copy()), expression=exp.paren(expected.copy())))
    bound: exp.Expression = exp.Add(this=exp.paren(tolerance.copy()), expression=slack(observed, expected))
    if relative > 0:
        scaled = _mul(exp.Literal.number(repr(float(relative))), _abs(observed))
        bound = exp.Greatest(this=bound, expressions=[scaled])
    return exp.LTE(this=diff, expression=bound)


def verdict(observed: exp.Expression, expected: exp.Expression, tolerance: exp.Expression, relative: float = 0,
            broken: exp.Expression | None = None) -> exp.Case:
    """As hierarchy.modes.verdict, with a derived tolerance: 'na' also when it cannot be derived."""
    case = exp.Case()
    if broken is not None:
        case = case.when(broken, _text("fail"))
    unknown = exp.or_(*[exp.Is(this=exp.paren(e.copy()), expression=exp.Null())
                        for e in (observed, expected, tolerance)])
    return (case.when(unknown, _text("na"))
            .when(within(observed, expected, tolerance, relative), _text("pass"))
            .else_(_text("fail")))


def shown(tolerance: exp.Expression) -> exp.Expression:
    """A derived tolerance as a person reads it (10 significant decimals are plenty)."""
    return exp.Round(this=tolerance.copy(), decimals=exp.Literal.number(10))


register({
    "problem.decimals.negative": {"en": "decimals must be 0 or more", "zh": "decimals 须为 0 或更大"},
    "problem.decimals.unknown": {"en": "decimals names unknown {what} {names}",
                                 "zh": "decimals 中有未知的{what} {names}"},
    "decimals.codes": {"en": "codes", "zh": "代码"},
    "decimals.columns": {"en": "columns", "zh": "列"},
    "decimals.not_parts": {"en": "columns (not a whole or a part)", "zh": "列（不是总数或分项）"},
    "decimals.not_growth": {"en": "columns (not the value, rate or base)", "zh": "列（不是数值、增速或对比值）"},
})
# what the kinds call the names a `decimals:` mapping may hold -> its catalogue key
_WHAT = {"codes": "decimals.codes", "columns": "decimals.columns",
         "columns (not a whole or a part)": "decimals.not_parts",
         "columns (not the value, rate or base)": "decimals.not_growth"}


def check_decimals(ctx: Context, decimals: Decimals, known: Mapping[str, Any] | None, what: str,
                   source: str | None = None, code: str | None = None) -> None:
    """`decimals:` values are whole numbers >= 0 and name known columns (or codes); a decimals
    table and its columns exist, and so does the column of `source` its codes are read from (`code`)."""
    from statguard.errors import PackError
    if isinstance(decimals, DecimalsTable):
        ctx.source(decimals.source, "decimals")
        for column in (decimals.code, decimals.decimals):
            ctx.require_column(decimals.source, column, "decimals")
        if source is not None and code is not None:
            ctx.require_column(source, code, "decimals")
        return
    values = [decimals] if isinstance(decimals, int) else list((decimals or {}).values())
    if any(v < 0 for v in values):
        raise PackError(ctx.problem(say("problem.decimals.negative"), "decimals"))
    if known is not None and isinstance(decimals, dict):
        unknown = [k for k in decimals if k not in known]
        if unknown:
            named = say(_WHAT[what]) if what in _WHAT else what
            raise PackError(ctx.problem(say("problem.decimals.unknown", what=named,
                                            names=", ".join(map(repr, unknown))), "decimals"))
