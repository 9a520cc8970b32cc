"""Binding expressions to a source's columns and rendering them as SQL.

Column references are resolved against the columns a source really has (or
declares, when linting without data). A dotted name such as `other.rev` means
the column called "other.rev" when the source has one; otherwise `x.y` means
column y of the source aliased x, in rules that see several sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlglot import exp

from statguard.errors import ExpressionError, Problem
from statguard.expr.messages import say
from statguard.expr.parse import condition_problem, parse
from statguard.i18n import did_you_mean


@dataclass
class Compiled:
    """A resolved expression: its AST and the columns it reads, by alias."""

    tree: exp.Expression
    columns: list[tuple[str | None, str]] = field(default_factory=list)

    @property
    def column_names(self) -> list[str]:
        seen: list[str] = []
        for _, name in self.columns:
            if name not in seen:
                seen.append(name)
        return seen


def quote_column(name: str, table: str | None = None) -> exp.Column:
    """A column reference with quoted identifiers, safe for any name."""
    return exp.Column(this=exp.to_identifier(name, quoted=True),
                      table=exp.to_identifier(table, quoted=True) if table else None)


def resolve(tree: exp.Expression, scopes: Mapping[str | None, Iterable[str] | None], *,
            where: Problem | None = None, text: str = "", copy: bool = True) -> Compiled:
    """Bind every column of `tree` to one of `scopes` (alias -> column names).

    The scope keyed None is the rule's main source. A scope whose columns are
    None is unknown (no declaration and no data yet) and accepts any name.
    Returns a new tree and leaves `tree` alone, unless copy=False: then `tree`
    itself is rewritten (for a tree nobody else holds).
    """
    known = {alias: (list(cols) if cols is not None else None) for alias, cols in scopes.items()}
    used: list[tuple[str | None, str]] = []

    def bind(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Column):
            return node
        alias, name = _bind_one(node, known, where, text)
        used.append((alias, name))
        return quote_column(name, alias)

    tree = tree.transform(bind, copy=copy)
    return Compiled(tree, used)


def _bind_one(node: exp.Column, known: Mapping[str | None, list[str] | None],
              where: Problem | None, text: str) -> tuple[str | None, str]:
    parts = [p.name for p in node.parts]
    dotted = ".".join(parts)
    main = known.get(None, [])
    aliased = len(parts) == 2 and parts[0] in known
    # 1. a column of the rule's main source, dotted names included ("other.rev")
    if dotted in (main or []) or (main is None and not aliased):
        return None, dotted
    # 2. alias.column of another source in scope
    if aliased:
        cols = known[parts[0]]
        if cols is None or parts[1] in cols:
            return parts[0], parts[1]
        raise _unknown(parts[1], cols, node, where, text, parts[0])
    # 3. a bare name that only another source in scope has
    if len(parts) == 1 and main is not None:
        for alias, cols in known.items():
            if alias is not None and cols is not None and dotted in cols:
                return alias, dotted
    raise _unknown(dotted, main or [], node, where, text, None)


def _unknown(name: str, cols: list[str], node: exp.Column, where: Problem | None, text: str,
             source: str | None) -> ExpressionError:
    hint = did_you_mean(name, cols)
    message = (say("expr.unknown_column_of", name=name, source=source, hint=hint) if source
               else say("expr.unknown_column", name=name, hint=hint))
    offset = node.parts[0].meta.get("start", text.find(name)) if node.parts else 0
    offset = max(int(offset), 0)
    if where is None:
        return ExpressionError(message)
    before = text[:offset]
    nl = before.count("\n")
    col = offset - (before.rfind("\n") + 1)
    line = (where.line or 1) + nl
    column = col + 1 if nl else (where.column or 1) + col
    return ExpressionError(Problem(message, where.file,
                                   line if where.line else None,
                                   column if where.column else None, where.field))


def compile_expression(text: str, scopes: Mapping[str | None, Iterable[str] | None],
                       where: Problem | None = None, *, condition: bool = True,
                       statistics: bool = False) -> Compiled:
    """Parse, whitelist-check and resolve `text` in one step. A rule's expressions (`expr`,
    `where`, `if` ...) are conditions: with condition=True one that is plainly a value
    (`a + b`) is refused. With `statistics`, statistics over records (`median(x)`) are allowed
    (statguard.expr.aggregates)."""
    loc = where or Problem("")
    tree = parse(text, file=loc.file, line=loc.line, column=loc.column, field=loc.field, statistics=statistics,
                 names=_names(scopes))
    why = condition_problem(tree, text) if condition else None
    if why:
        raise ExpressionError(Problem(why, loc.file, loc.line, loc.column, loc.field))
    # the tree parse just made is ours alone: resolve it in place rather than deep-copying it
    return resolve(tree, scopes, where=where, text=text, copy=False)


def _names(scopes: Mapping[str | None, Iterable[str] | None]) -> set[str] | None:
    """Every column name the expression may be written with (alias.column too), None if some are not known."""
    if any(cols is None for cols in scopes.values()):
        return None
    return {f"{alias}.{c}" if alias else c for alias, cols in scopes.items() for c in cols or ()} | {
        c for cols in scopes.values() for c in cols or ()}



def to_sql(tree: exp.Expression, dialect: str = "duckdb") -> str:
    return tree.sql(dialect=dialect)
