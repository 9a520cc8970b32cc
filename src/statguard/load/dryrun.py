"""Type-checking rules without data.

Every rule's plan is bound by DuckDB against empty tables that have the
declared column types of its sources, so a rule that can never be evaluated
(text added to a number, a date compared with a number, a function given the
wrong types) is a located pack problem found by `statguard lint`
(load_pack(..., check_types=True)). Text constants the binder casts to a column's
type (`a + 'abc'` with `a` an integer binds, as a + CAST('abc' AS BIGINT), and fails
on every record) are cast once here, so they are found too. A run does not repeat
the check up front: its typed views have the declared types, so such a rule fails
there, and only then is `type_problem` asked for the located explanation. Rules
reading sources without declared columns, or tables that only exist at run
time (history, period mappings), are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.errors import Problem
from statguard.i18n import say
from statguard.pack import messages  # noqa: F401  (registers the texts of pack.*)

if TYPE_CHECKING:
    from statguard.pack.model import Pack, Rule

_SKIP = ("Catalog Error", "does not exist")  # tables known only at run time


def type_problems(pack: Pack, plans: Mapping[int, Any] | None = None) -> list[Problem]:
    """Problems of rules whose SQL cannot be bound to their sources' declared types;
    each is also added to its rule's problems, so the rule is reported errored if run.
    `plans` (by id(rule)) are the loader's lint-time plans, reused instead of planning again."""
    found = []
    for rule, problem in _unbound(pack, pack.rules, plans):
        rule.problems.append(problem)
        found.append(problem)
    return found


def type_problem(pack: Pack, rule: Rule) -> Problem | None:
    """The located type problem of one rule, if its declared types explain why it cannot run
    (asked when a run fails to bind the rule; the pack is not changed)."""
    return next((problem for _, problem in _unbound(pack, [rule])), None)


def _unbound(pack: Pack, candidates: list[Rule], plans: Mapping[int, Any] | None = None) -> list[tuple[Rule, Problem]]:
    from statguard.pack.model import COLUMN_TYPES
    typed = {name: src for name, src in pack.sources.items()  # an unknown type is the loader's problem to report
             if src.columns and all(c.type in COLUMN_TYPES for c in src.columns.values())
             and getattr(src, "derive", None) is None}
    rules = [r for r in candidates if not r.problems and r.params is not None and set(r.sources) <= set(typed)]
    if not rules:
        return []
    import duckdb

    from statguard.engine.duckdb import CONNECTION_CONFIG, DUCK_TYPES
    con = duckdb.connect(":memory:", config=CONNECTION_CONFIG)
    try:
        for name in sorted({s for r in rules for s in r.sources}):
            for view, text in ((name, False), ("raw:" + name, True)):
                columns = [exp.ColumnDef(this=exp.to_identifier(c.name, quoted=True),
                                         kind=exp.DataType.build("VARCHAR" if text else DUCK_TYPES[c.type]))
                           for c in typed[name].columns.values()]
                table = exp.Schema(this=exp.Table(this=exp.to_identifier(view, quoted=True)), expressions=columns)
                con.execute(exp.Create(this=table, kind="TABLE").sql("duckdb"))
        found = []
        for rule in rules:
            problem = _bind(con, pack, rule, (plans or {}).get(id(rule)))
            if problem is not None:
                found.append((rule, problem))
        return found
    finally:
        con.close()


def _bind(con: object, pack: Pack, rule: Rule, plan: Any = None) -> Problem | None:
    from statguard.checks import registry
    from statguard.checks.plan import Context
    kind = registry.get(rule.kind)
    ctx = Context(pack, rule)
    try:
        plan = plan or (kind.plan(rule, ctx) if kind else None)
    except Exception:  # planning problems are reported by the loader already
        return None
    if plan is None or plan.query is None:
        return None
    field = next((f for f in ("expr", "where", "if") if f in rule.raw), None)
    try:
        # copy=False: the plan is not used after this (rendering copies the whole tree by default)
        sql = plan.query.sql("duckdb", copy=False)  # type: ignore[attr-defined]
        why = _failing_constant(con, _explain_with(con, sql, _undeclared_ok(pack, rule)))
    except _Undecided:
        return None
    except Exception as e:
        text = " ".join(str(e).split())
        for tail in (" Candidate functions:", " LINE 1:"):  # DuckDB's long hints; the first sentence says it
            text = text.split(tail)[0]
        if any(s in text for s in _SKIP):
            return None
        from statguard.engine.type_errors import readable
        why = readable(re.sub(r"^[A-Z][A-Za-z]* Error: ", "", text), declared=True)
        return ctx.problem(say("pack.not_on_types", id=rule.id, why=why), field)
    if why:
        return ctx.problem(say("pack.not_on_types", id=rule.id, why=why), field)
    return None


class _Undecided(Exception):
    """The rule's types cannot be told without data (its undeclared columns collide in a join)."""


# DuckDB's words for a column a table lacks: unqualified, and as alias.column
_NOT_FOUND = (re.compile(r'Referenced column "((?:[^"]|"")+)" not found'),
              re.compile(r'Table "(?:[^"]|"")+" does not have a column named "((?:[^"]|"")+)"'))
_OVERLAY = "_sg_lint"  # the schema of a rule's tables with its undeclared columns added


def _undeclared_ok(pack: Pack, rule: Rule) -> list[str]:
    """The sources of `rule` whose undeclared columns are left to the run: all of them, as
    without data a source's declared columns are only those the pack types or constrains."""
    return [name for name in dict.fromkeys(rule.sources) if pack.sources[name].columns]


def _explain_with(con: Any, sql: str, sources: list[str]) -> str:
    """`_explain` of `sql`, where a column the declared tables of `sources` lack is added to them
    as an untyped NULL (which binds as any type): the file's header decides at run time whether
    it is there, and the declared columns are still type-checked."""
    import duckdb
    added: list[str] = []
    try:
        while True:
            try:
                return _explain(con, sql)
            except duckdb.BinderException as e:
                name = next((m.group(1).replace('""', '"') for m in (r.search(str(e)) for r in _NOT_FOUND) if m),
                            None)
                if name is None or name in added or not sources or len(added) >= 100:
                    if added and "Ambiguous reference" in str(e):
                        raise _Undecided from None
                    raise
                added.append(name)
                _overlay(con, sources, added)
    finally:
        if added:
            con.execute("RESET search_path")
            con.execute(f"DROP SCHEMA IF EXISTS {_OVERLAY} CASCADE")


def _overlay(con: Any, sources: list[str], names: list[str]) -> None:
    """Views over the declared tables of `sources` with the columns `names` added (as NULL),
    found before the declared tables by unqualified names (search_path)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_OVERLAY}")
    for source in sources:
        for view in (source, "raw:" + source):
            table = exp.Table(this=exp.to_identifier(view, quoted=True), db=exp.to_identifier("main"))
            have = {row[0] for row in con.execute(f"DESCRIBE {table.sql('duckdb')}").fetchall()}
            extra = [exp.alias_(exp.Null(), n, quoted=True) for n in names if n not in have]
            select = exp.select(exp.Star(), *extra).from_(table)
            target = exp.Table(this=exp.to_identifier(view, quoted=True), db=exp.to_identifier(_OVERLAY))
            con.execute(exp.Create(this=target, kind="VIEW", expression=select, replace=True).sql("duckdb"))
    con.execute(f"SET search_path = '{_OVERLAY},main'")


def _explain(con: Any, sql: str) -> str:
    """The bound plan of `sql` as JSON text (as plain text where DuckDB has no JSON plans)."""
    import duckdb
    try:
        rows = con.execute("EXPLAIN (FORMAT JSON) " + sql).fetchall()
    except duckdb.ParserException:
        rows = con.execute("EXPLAIN " + sql).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


# A constant the binder casts to a column's type (`a + 'abc'` with `a` an integer: CAST('abc' AS BIGINT)).
# DuckDB folds the casts that succeed into their values, so one left in a plan may fail on every record.
_CAST = re.compile(r"CAST\('((?:[^']|'')*)' AS ([A-Z][A-Z0-9_]*(?:\(\d+(?:, ?\d+)?\))?)\)")


def _failing_constant(con: Any, plan: str) -> str | None:
    """Why a text constant in the bound plan cannot be the type it is used as, or None."""
    try:
        found = json.loads(plan)
        texts = list(_strings(found))
    except ValueError:
        texts = [plan]
    for text in texts:
        for literal, target in dict.fromkeys(_CAST.findall(text)):
            value = literal.replace("''", "'")
            try:
                con.execute(f"SELECT CAST(? AS {target})", [value])
            except Exception as e:
                said = " ".join(str(e).split()).split(" LINE 1:")[0]
                return f"the text '{value}' cannot be read as {target} ({said})"
    return None


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
