"""The loaded pack: sources, columns and rules, independent of YAML."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.errors import Problem, StatguardError
from statguard.i18n import say
from statguard.pack.yamlio import Loc

if TYPE_CHECKING:
    import pandas as pd

SEVERITIES = ("error", "warning", "info")
RANK = {"error": 3, "warning": 2, "info": 1}  # severities compared (report.model, suspicion, scorecard)
COLUMN_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")
DEFAULT_PLACEHOLDERS = ("xxx", "XXX", "XX", "xx", "**", "*", "—", "-", "--", "待填", "不详", "N/A", "#N/A")


@dataclass
class Column:
    name: str
    type: str | None = None
    required: bool = True
    nullable: bool = True
    allowed: list[Any] | None = None
    codelist: str | None = None  # "source.column" holding the allowed codes
    min: float | str | None = None
    max: float | str | None = None
    pattern: str | None = None
    unique: bool = False
    description: str | None = None
    loc: Loc | None = None
    codelist_loc: Loc | None = None  # where `codelist:` is written
    pii: str | None = None  # personal data, masked when shown: "auto" (`pii: true`), "id", "phone", "name", "text"


@dataclass
class Derivation:
    """How a derived source is computed from another source (statguard.checks.time.derive).

    increments_of: the base source holding a year-to-date series; value: its
    year-to-date column; name: the column holding the increment; by / period:
    series and period columns (default: the base's keys without the period, and
    its period).
    """

    increments_of: str
    value: str
    name: str = "increment"
    by: list[str] | None = None
    period: str | None = None
    loc: Loc | None = None
    field_locs: dict[str, Loc] = field(default_factory=dict)  # where each key of `derive:` is written

    def where(self, key: str) -> Loc | None:
        return self.field_locs.get(key, self.loc)


@dataclass
class Database:
    """Where a source is read from a SQL database (statguard.engine.databases): `url:` with
    `table:` or `query:`. The url is kept as written: its ${VAR} placeholders are expanded only
    when the source is read, so the pack never holds a credential and messages can show it.
    Without a url, `table:` names a table of the engine's own catalog (Spark's; the DuckDB
    engine has none and says so)."""

    url: str | None
    table: str | None = None
    query: str | None = None
    password_env: str | None = None  # the environment variable holding the password
    base: Path | None = None  # the declaring file's directory: a relative SQLite/DuckDB file is read from there
    locs: dict[str, Loc] = field(default_factory=dict)  # where each key (url, table, query, password_env) is written

    def where(self, key: str) -> Loc | None:
        return self.locs.get(key, self.locs.get("url", self.locs.get("table")))


@dataclass
class Source:
    """A named dataset the rules read: its declaration and default location."""

    name: str
    path: Path | None = None
    format: str | None = None
    sheet: str | int | None = None
    header: int | list[int] | None = None  # a workbook's header row (1 is the first), or rows; default 1
    skip: int | None = None  # rows right below a workbook's header that are not data (units, column numbers)
    encoding: str | None = None
    columns: dict[str, Column] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    unit: str | None = None
    period: str | None = None
    scope: str | None = None
    description: str | None = None
    loc: Loc | None = None
    derive: Derivation | None = None  # computed from another source instead of read
    optional: bool = False  # without data, the rules reading it are skipped with a note, not errored
    glob: bool = False  # the path is a pattern (*, ?, [..]) matching several files; else taken literally
    database: Database | None = None  # read from a SQL database (`url:`) instead of a file
    # where `unit:`, `period:` and each of `keys:` are written ("key:<name>"), for errors about them
    locs: dict[str, Loc] = field(default_factory=dict)
    # why the source cannot be read (a database url that cannot work): the rules reading it cannot
    # run, the others can
    problems: list[Problem] = field(default_factory=list)

    @property
    def declared(self) -> list[str] | None:
        """Declared column names, or None when the source declares none."""
        return list(self.columns) if self.columns else None


@dataclass
class Rule:
    id: str
    kind: str
    params: Any
    description: str | dict[str, str] = ""  # one text, or one per language: see described()
    severity: str = "error"
    message: str | None = None
    tags: list[str] = field(default_factory=list)
    hard: bool | None = None
    loc: Loc | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # why this rule cannot run
    explanation: Any = None  # statguard.explain.ExplanationSpec: what an explanation must give
    persist: Any = None  # statguard.report.persistence.Persistence: `min_failures` / `of_last`

    def described(self, lang: str | None) -> str:
        """The description in `lang` when it is given per language ({zh: ..., en: ...}), else in
        English, else in the language it has."""
        if isinstance(self.description, str):
            return self.description
        given = self.description
        return given.get(lang or "en") or given.get("en") or next(iter(given.values()), "")

    @property
    def is_hard(self) -> bool:
        """Whether a violation fails the run whatever is written (`hard:`, else severity error).

        Soft rules can be explained; info rules are never hard.
        """
        if self.severity == "info":
            return False
        return bool(self.hard) if self.hard is not None else self.severity == "error"

    @property
    def sources(self) -> list[str]:
        """Names of the sources this rule reads, from its parameters (a kind's Params, see
        statguard.checks.registry, names them; a rule whose parameters did not load reads none)."""
        names = getattr(self.params, "source_names", None)
        return names() if callable(names) else []


@dataclass
class Pack:
    name: str
    path: Path | None
    sources: dict[str, Source] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    lang: str | None = None
    description: str | None = None
    files: list[Path] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # what could not be checked without data, not wrong (names a source does not declare, left
    # to the data's header): lint shows them as notes
    notes: list[Problem] = field(default_factory=list)
    # how `validate` runs the pack: statguard.api.validate, given by statguard.load_pack (the model
    # sits below the engine and the runner, so it is handed the runner instead of importing it)
    validator: Callable[..., Any] | None = field(default=None, repr=False, compare=False)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def validate(self, sources: dict[str, pd.DataFrame | str | Path] | None = None, *,
                 rules: list[str] | None = None, tags: list[str] | None = None,
                 explanations: Any = None, engine: str = "duckdb", lang: str | None = None,
                 options: dict[str, Any] | None = None) -> Any:
        """Run the pack's rules on `sources` (name -> DataFrame or path) and return a Report.

        Sources not given are read from the location the pack declares for them.
        `explanations`: files (YAML, CSV, XLSX), DataFrames or dicts answering soft violations.
        `engine`: "duckdb" (default) or "spark" (options={"spark_master": ...}); `options` as for
        statguard.api.validate (e.g. {"fields_to_fix": True, "show_pii": True, "threads": 2}).
        Returns a statguard.report.model.Report. A pack built by hand, not by statguard.load_pack,
        runs with statguard.validate(pack, sources).
        """
        if self.validator is None:
            raise StatguardError(say("pack.not_loaded"))
        given = sources if sources is not None else {}  # not `or`: a DataFrame has no truth value
        return self.validator(self, given, rules=rules, tags=tags, explanations=explanations, engine=engine,
                              lang=lang, options=options)
