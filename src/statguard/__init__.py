"""statguard: check whether submitted statistics can be believed.

    >>> import statguard
    >>> pack = statguard.load_pack("rules/investment")
    >>> report = pack.validate({"investment": "data.xlsx"})
    >>> report.violations, report.summary

Importing statguard is cheap: pandas, DuckDB and sqlglot load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.errors import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_VIOLATIONS,
    EngineError,
    ExpressionError,
    PackError,
    Problem,
    ReportError,
    SourceError,
    StatguardError,
)
from statguard.version import __version__

__all__ = [
    "EXIT_ERROR", "EXIT_OK", "EXIT_VIOLATIONS", "EngineError", "ExpressionError", "Pack",
    "PackError", "Problem", "Report", "ReportError", "SourceError", "StatguardError", "__version__", "load_pack",
    "validate",
]

if TYPE_CHECKING:
    from statguard.api import validate
    from statguard.load import load_pack
    from statguard.pack import Pack
    from statguard.report.model import Report

_LAZY = {"load_pack": "statguard.load", "Pack": "statguard.pack", "Report": "statguard.report.model",
         "validate": "statguard.api"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'statguard' has no attribute {name!r}")
