"""The rule expression language: a whitelisted subset of SQL expressions.

`parse` turns text into a checked sqlglot AST; `resolve` binds column names to a
source; `to_sql` renders the AST for an engine dialect.
"""

from statguard.expr.compile import Compiled, compile_expression, quote_column, resolve, to_sql
from statguard.expr.parse import parse

__all__ = ["Compiled", "compile_expression", "parse", "quote_column", "resolve", "to_sql"]
