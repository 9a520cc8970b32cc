"""Choosing the engine of a run: DuckDB (embedded, the default) or Apache Spark."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from statguard.engine import messages  # noqa: F401  (registers the texts of engine.*)
from statguard.errors import EngineError, StatguardError
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
        from statguard.engine.spark import DEFAULT_MASTER, SparkEngine, available
        missing = available()
        if missing is not None:
            raise StatguardError(say("engine.spark_cannot_run", why=missing))
        master = options.get("spark_master")
        try:
            return SparkEngine(master=master)
        except Exception as e:  # pyspark's and py4j's errors: a bad master URL, a master not reachable
            raise EngineError(say("engine.spark_no_session", master=master or DEFAULT_MASTER, why=_cause(e))) from None
    raise StatguardError(say("engine.unknown", name=name, engines=", ".join(ENGINES)))


_JAVA_CAUSE = re.compile(r"^:?\s*(?:[A-Za-z_$][\w$]*\.)+[\w$]*(?:Exception|Error): *(.+)$", re.MULTILINE)


def _cause(e: Exception) -> str:
    """The Java exception's message inside a py4j error ("Could not parse Master URL: 'local[x]'"),
    else the error's first line."""
    text = str(e)
    found = _JAVA_CAUSE.search(text)
    if found:
        return found.group(1).strip()
    return next((line.strip() for line in text.splitlines() if line.strip()), type(e).__name__)
