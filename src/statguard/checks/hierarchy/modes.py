"""Missing-item modes of VTL 2.1 `check_hierarchy`, shared by the hierarchy and part_whole kinds.

A comparison "whole = sum of parts" involves items (data points) that may be
absent or hold NULL. The mode says which comparisons are produced at all and
what an absent item counts as:

    mode          produced when                                  absent item
    non_null      every item is present and not NULL             NULL
    non_zero      at least one item is present and not 0         0
    partial_null  at least one item is present                   NULL
    partial_zero  at least one item is present                   0
    always_null   always                                         NULL
    always_zero   always                                         0

A comparison that is not produced is not an item of the rule (it is neither
counted nor reported). Each kind chooses its default: hierarchy partial_zero (R
validate's hierarchy(): on a code list most parents lack some children, and
non_null would compare none of them), part_whole always_null (every record is an
item, as in the row kind). A produced comparison whose sides are NULL is counted as
not evaluable. A present item holding NULL stays NULL in every mode.
"""

from __future__ import annotations

from typing import Literal

from sqlglot import exp

from statguard.checks.plan import number
from statguard.i18n import register

register({  # the parts of the details both kinds write (statguard.checks.plan.pieces)
    "detail.parts.sep": {"en": "; ", "zh": "；"},
    "detail.parts.missing": {"en": "missing: ", "zh": "缺失："},
    "detail.parts.null": {"en": "NULL: ", "zh": "空值："},
})

Mode = Literal["non_null", "non_zero", "partial_null", "partial_zero", "always_null", "always_zero"]
MODE_HELP = (
    "Missing items, as in VTL 2.1 check_hierarchy: non_null (compare only when every item is present "
    "and not NULL), non_zero (when at least one item is present and not 0; absent items count as 0), "
    "partial_null / partial_zero (when at least one item is present; absent items count as NULL / 0), "
    "always_null / always_zero (always; absent items count as NULL / 0).")


def zero_filled(mode: str) -> bool:
    """Whether absent items count as 0 (rather than NULL) in `mode`."""
    return mode.endswith("_zero")


def num(value: float) -> exp.Expression:
    """A float literal (integers too, so tolerances compare as DOUBLE)."""
    return number(float(value))


def within(observed: exp.Expression, expected: exp.Expression, tolerance: float,
           relative: float) -> exp.Expression:
    """|observed - expected| within the absolute tolerance or `relative` times |observed|."""
    diff = exp.Abs(this=exp.Sub(this=exp.paren(observed.copy()), expression=exp.paren(expected.copy())))
    bound: exp.Expression = num(tolerance)
    if relative > 0:
        scaled = exp.Mul(this=num(relative), expression=exp.Abs(this=exp.paren(observed.copy())))
        bound = exp.Greatest(this=bound, expressions=[scaled])
    return exp.LTE(this=diff, expression=bound)


def verdict(observed: exp.Expression, expected: exp.Expression, tolerance: float, relative: float,
            broken: exp.Expression | None = None) -> exp.Case:
    """'fail' when `broken`, 'na' when a side is NULL, else 'pass' or 'fail' by the tolerance."""
    case = exp.Case()
    if broken is not None:
        case = case.when(broken, exp.Literal.string("fail"))
    either_null = exp.or_(exp.Is(this=exp.paren(observed.copy()), expression=exp.Null()),
                          exp.Is(this=exp.paren(expected.copy()), expression=exp.Null()))
    return (case.when(either_null, exp.Literal.string("na"))
            .when(within(observed, expected, tolerance, relative), exp.Literal.string("pass"))
            .else_(exp.Literal.string("fail")))


def fn(name: str, *args: exp.Expression) -> exp.Anonymous:
    """A DuckDB function call rendered as written (no dialect rewriting)."""
    return exp.Anonymous(this=name, expressions=list(args))


def labelled(label: str, text: exp.Expression) -> exp.Expression:
    """'label' || text (the label with its colon, in the report's language), NULL when text is NULL
    (so concat_ws skips it)."""
    return exp.DPipe(this=exp.Literal.string(label), expression=text, safe=True)


def cat(*parts: exp.Expression | str) -> exp.Expression:
    """Text concatenation with ||; plain strings become literals."""
    nodes = [exp.Literal.string(x) if isinstance(x, str) else x for x in parts]
    out = nodes[0]
    for node in nodes[1:]:
        out = exp.DPipe(this=out, expression=node, safe=True)
    return out
