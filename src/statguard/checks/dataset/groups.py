"""Groups of records and the statistics computed over them, shared by the `aggregate` kind
and by `row` rules that compare a record with a statistic of its group.

A group is given by `by:`, a list of columns or of expressions of a record's own values
(`substr(period, 1, 4)`, `year(date)`); no `by` means all records of the source (in scope).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from statguard.checks.plan import Context
from statguard.errors import ExpressionError, PackError
from statguard.expr import Compiled, quote_column
from statguard.expr.aggregates import filtered, over, statistics_in
from statguard.i18n import register, say

register({"problem.groups.no_statistics": {
    "en": "'by' groups the statistics of {field} (such as median(x)), and it has none",
    "zh": "'by' 用于对 {field} 中的统计量（如 median(x)）分组，但 {field} 中没有统计量"}})

BY_DOC = ("Columns or expressions of a record's values (such as substr(period, 1, 4)) whose values form the "
          "groups; the statistics in expr (median(x), mean(x), ...) are computed per group. Default: one group "
          "of all records in scope.")


def group_expressions(ctx: Context, source: str, by: list[str] | None,
                      field_name: str = "by") -> list[tuple[str, exp.Expression]]:
    """(name shown in the report, expression) of each group column or expression of `by`."""
    columns = ctx.columns(source)
    out: list[tuple[str, exp.Expression]] = []
    for text in by or []:
        if columns is not None and text in columns:
            out.append((text, quote_column(text)))
            continue
        compiled = ctx.compile(text, field_name, {None: source}, condition=False)
        tree = compiled.tree
        name = tree.name if isinstance(tree, exp.Column) else " ".join(text.split())
        out.append((name, tree))
    return out


def compile_with_groups(ctx: Context, text: str, field_name: str, source: str, by: list[str] | None,
                        where: str | None = None, lookups: Mapping[str, str] | None = None) -> Compiled:
    """A row rule's expression, where each statistic (median(x) ...) is that of the record's
    group (`by`), over the group's records in scope (`where`): a window. `lookups` (alias ->
    source) are the row rule's looked-up references, whose columns (`cap.limit`) the expression,
    its statistics and `where` may read."""
    scopes: dict[str | None, str] = {None: source, **(lookups or {})}
    compiled = ctx.compile(text, field_name, scopes, statistics=True)
    if not statistics_in(compiled.tree):
        if by:
            raise PackError(ctx.problem(say("problem.groups.no_statistics", field=field_name), "by"))
        return compiled
    try:
        scope = ctx.compile(where, "where", scopes).tree if where else None
    except ExpressionError:
        scope = None  # the rule reports its `where` itself
    partition = [tree for _, tree in group_expressions(ctx, source, by)]
    compiled.tree = over(filtered(compiled.tree, scope), partition)
    return compiled
