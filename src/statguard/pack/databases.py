"""The database keys of a source: `url:` with `table:` or `query:`, and `password_env:`.

    sources:
      claims:
        url: postgresql://stats@127.0.0.1:5432/stats   # or sqlite:///claims.db, duckdb:///claims.duckdb
        password_env: PGPASSWORD_STATS                  # the password, from this environment variable
        table: public.claims                            # or query: SELECT ... (one read-only statement)
      contributions:
        table: stats.contributions                      # no url: a table of Spark's catalog (--engine spark)

A url may hold ${VAR} placeholders, expanded from the environment when the source is read; a
password written in the url itself is refused, so that a pack never holds a credential. A
file url (sqlite, duckdb) with three slashes is relative to the declaring file, with four it is
absolute, as SQLAlchemy reads them. Reading is statguard.engine.databases'.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from statguard.errors import Problem
from statguard.i18n import say
from statguard.pack import messages  # noqa: F401  (registers pack.db.*)
from statguard.pack.model import Database
from statguard.pack.yamlio import LocDict

DATABASE_KEYS = ("url", "table", "query", "password_env")
SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "sqlite": "sqlite", "duckdb": "duckdb"}
FILE_KEYS = ("path", "format", "sheet", "encoding", "glob", "header", "skip")  # what a database source has not
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_database(name: str, spec: LocDict, file: Path, problems: list[Problem]) -> Database | None:
    """The source's database, None when it has no `url:` (problems for anything malformed)."""
    if "url" not in spec:
        if "table" in spec and "query" not in spec and "path" not in spec:
            return _catalog_table(name, spec, problems)
        for key in DATABASE_KEYS[1:]:
            if key in spec:
                problems.append(_problem(spec, key, say("pack.db.needs_url", key=key, name=name)))
        return None
    locs = {key: spec.where(key) for key in DATABASE_KEYS if key in spec}
    url = spec.get("url")
    why = say("pack.db.url_value") if not isinstance(url, str) or not url.strip() else url_problem(url)
    if why:
        problems.append(_problem(spec, "url", say("pack.db.url", name=name, why=why)))
        return None
    for key in FILE_KEYS:
        if key in spec:
            problems.append(_problem(spec, key, say("pack.db.file_key", name=name, key=key)))
    db = Database(url=url.strip(), base=file.parent, locs=locs)
    given = [key for key in ("table", "query") if key in spec]
    if len(given) != 1:
        problems.append(_problem(spec, given[1] if given else "url",
                                 say("pack.db.both" if given else "pack.db.neither", name=name)))
    for key in given:
        value = spec.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(_problem(spec, key, say(f"pack.db.{key}_value", name=name)))
        else:
            setattr(db, key, value.strip())
    env = spec.get("password_env")
    if "password_env" in spec:
        if SCHEMES[urlsplit(db.url).scheme.lower()] != "postgresql":
            problems.append(_problem(spec, "password_env", say("pack.db.no_password", name=name)))
        elif isinstance(env, str) and _ENV_NAME.fullmatch(env):
            db.password_env = env
        else:
            shown = repr(str(env)[:60])
            problems.append(_problem(spec, "password_env", say("pack.db.env_name", name=name, value=shown)))
    return db


def _catalog_table(name: str, spec: LocDict, problems: list[Problem]) -> Database | None:
    """`table:` without `url:`: a table of the engine's own catalog (Spark: db.table or
    catalog.db.table, as spark.table reads it); the DuckDB engine refuses it when it reads it."""
    table = spec.get("table")
    if not isinstance(table, str) or not _CATALOG_NAME.fullmatch(table.strip()):
        problems.append(_problem(spec, "table", say("pack.catalog_table_name", name=name, table=str(table)[:60])))
        return None
    for key in ("password_env", *FILE_KEYS):
        if key in spec:
            problems.append(_problem(spec, key, say("pack.catalog_table_key", name=name, key=key)))
    return Database(url=None, table=table.strip(), locs={"table": spec.where("table")})


_CATALOG_NAME = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]+`)(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]+`)){0,2}")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be used, or None. Never repeats a password written in it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return say("pack.db.not_url")
    scheme = SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        return say("pack.db.scheme", scheme=parts.scheme) if parts.scheme else say("pack.db.no_scheme")
    try:
        password = parts.password
    except ValueError:
        password = None
    if password is not None and not _PLACEHOLDER.fullmatch(password):
        return say("pack.db.password")
    if scheme != "postgresql" and (parts.netloc or not parts.path.startswith("/") or parts.path == "/"):
        return say("pack.db.file", scheme=parts.scheme)
    return None


def _problem(spec: LocDict, key: str, message: str) -> Problem:
    """A problem of the source (the loader keeps it to the rules reading the source)."""
    loc = spec.where(key) if spec.get(key) is not None else spec.key_locs.get(key, spec.loc)
    return loc.problem(message, key)
