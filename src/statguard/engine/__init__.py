"""Executing compiled rules: DuckDB now, Spark later; source readers."""
