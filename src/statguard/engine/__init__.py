"""Executing compiled rules (DuckDB, embedded; Apache Spark) and reading sources.

Kinds that run Python over an engine fetch results through the engine's own methods (`rows`,
`columns_and_rows`, `text_rows`, `arrow`, `scalar`, `frame`: both engines have them), never
through DuckDB's connection, so they run on either engine.
"""
