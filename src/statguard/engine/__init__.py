"""Executing compiled rules (DuckDB, embedded; Apache Spark) and reading sources.

Kinds that run Python over an engine fetch results through `rows` and `arrow` (or the engines'
own `scalar` and `frame`), never through DuckDB's connection, so they run on either engine.
"""

from __future__ import annotations

from typing import Any


def rows(engine: Any, tree: Any) -> list[tuple[Any, ...]]:
    """The rows of a query (a sqlglot tree) as tuples of the client's Python values."""
    if hasattr(engine, "rows"):
        return engine.rows(tree)
    return engine.con.execute(engine.sql(tree)).fetchall()


def arrow(engine: Any, tree: Any) -> Any:
    """The result of a query (a sqlglot tree) as a pyarrow Table."""
    if hasattr(engine, "arrow"):
        return engine.arrow(tree)
    return engine.con.sql(engine.sql(tree)).to_arrow_table()


def duckdb_rows(engine: Any, text: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of a query written as DuckDB SQL text (the schema kind's checks): run
    as it is on DuckDB, parsed by sqlglot and rendered in their dialect on other engines."""
    con = getattr(engine, "con", None)
    if con is not None and hasattr(con, "execute"):
        cursor = con.execute(text)
        return [d[0] for d in cursor.description], cursor.fetchall()
    import sqlglot
    tree = sqlglot.parse_one(text, read="duckdb")
    return engine.columns_and_rows(tree)
