"""Exceptions for failures of statguard's inputs or of statguard itself.

Violations found in the data are never exceptions: they are rows of a Report.

    StatguardError
     ├── PackError        a rule pack cannot be loaded (carries one or more Problems)
     │    └── ExpressionError   a rule expression is malformed or not allowed
     ├── SourceError      a data source cannot be read or bound
     │    └── SourceAbsent      an optional source was given no data (its rules are skipped)
     ├── RuleSkipped      a rule reads an absent optional source
     ├── EngineError      a compiled rule failed while running
     ├── ReportError      a saved JSON report cannot be read, or a report cannot be written
     └── HistoryError     the submission history store cannot be opened, read or written
"""

from __future__ import annotations

from dataclasses import dataclass

from statguard.i18n import register, say

# the prefix of a SourceError naming its source (the other source.* texts: statguard.engine.messages)
register({"source.prefix": {"en": "source '{source}'", "zh": "数据源「{source}」"}})

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack, located as precisely as known."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    fatal: bool = False  # the pack cannot run at all (as opposed to one broken rule)

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        field = f" [{self.field}]" if self.field else ""
        return f"{where}:{field} {self.message}" if where else f"{field.strip()} {self.message}".strip()


class StatguardError(Exception):
    """Base class of every error statguard raises on purpose."""


class PackError(StatguardError):
    """A rule pack has one or more problems; `problems` lists them all."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ExpressionError(PackError):
    """An expression is malformed, refers to unknown columns or uses a refused construct."""


class SourceError(StatguardError):
    """A data source is missing, empty, undecodable or does not match its declaration."""

    def __init__(self, message: str, source: str | None = None, path: str | None = None):
        self.source = source
        self.path = path
        prefix = " ".join(p for p in (say("source.prefix", source=source) if source else "", path or "") if p)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SourceAbsent(SourceError):
    """An optional source was given no data: the rules reading it are skipped, not errored."""


class AbsentNote(str):
    """The bind error text of an absent optional source (tells a skip from a failure)."""


class RuleSkipped(StatguardError):
    """A rule reads optional sources that are absent; its summary says so."""

    def __init__(self, sources: list[str]):
        self.sources = sources
        super().__init__(", ".join(sources))


class EngineError(StatguardError):
    """A compiled rule could not be executed."""


class ReportError(StatguardError):
    """A saved JSON report is missing, not JSON or not a report; or a report cannot be written."""


class HistoryError(StatguardError):
    """The submission history store is missing, of an unknown format, or cannot be written."""
