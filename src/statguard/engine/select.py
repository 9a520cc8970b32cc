"""Choosing the engine of a run: DuckDB (embedded, the default) or Apache Spark."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statguard.engine import messages  # noqa: F401  (registers the texts of engine.*)
from statguard.errors import StatguardError
from statguard.i18n import say

ENGINES = ("duckdb", "spark")


def open_engine(name: str | None, options: Mapping[str, Any] | None = None) -> Any:
    """A new engine: "duckdb" with options threads and memory_limit, or "spark" with option
    spark_master (local[2] by default; spark://..., yarn, k8s://..., sc://... for Spark Connect).
    Use it as a context manager. An unknown name, or Spark where pyspark or Java is missing, is a
    StatguardError saying what to install."""
    options = options or {}
    name = (name or "duckdb").lower()
    if name == "duckdb":
        from statguard.engine.duckdb import DuckDBEngine
        return DuckDBEngine(threads=options.get("threads"), memory_limit=options.get("memory_limit"))
    if name == "spark":
        from statguard.engine.spark import SparkEngine, available
        missing = available()
        if missing is not None:
            raise StatguardError(say("engine.spark_cannot_run", why=missing))
        return SparkEngine(master=options.get("spark_master"))
    raise StatguardError(say("engine.unknown", name=name, engines=", ".join(ENGINES)))
