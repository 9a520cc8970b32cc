"""Sources read from SQL databases: PostgreSQL, SQLite and DuckDB database files.

A source with `url:` and `table:` or `query:` (statguard.pack.databases) is read into the
engine as its raw view, and typed like a file's (DuckDBEngine._typed_view), so every rule
kind reads it unchanged. How each is read (chosen by measurement, docs/sources.md):

- PostgreSQL: the ADBC driver (COPY in binary into Arrow), in read-only transactions; the
  Arrow table is registered and scanned in place.
- SQLite: the ADBC driver on the file opened read-only. It types a column by its first rows;
  a column mixing storage classes (a stray 'xxx' among numbers) is read again as text.
- DuckDB file: a table is ATTACHed read-only and viewed in place (nothing is copied); a query
  runs on a read-only connection of its own without file access, its result as Arrow.
- `table:` without `url:` names a table of the engine's catalog: the Spark engine reads it with
  spark.table (statguard.engine.spark); DuckDB has no such catalog and says so.

Credentials come from the environment: ${VAR} in the url, or `password_env: VAR`. They are
never shown: locations show the url as written in the pack, and every message is redacted.
Each failure is a SourceError located at the pack's line and field (url, table, query,
password_env); the api turns it into errors of the rules reading the source.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from sqlglot import exp

from statguard.engine import messages  # noqa: F401  (registers the texts of source.*)
from statguard.errors import SourceError
from statguard.i18n import say
from statguard.pack.databases import SCHEMES

if TYPE_CHECKING:
    import pyarrow as pa

    from statguard.pack.model import Database, Source

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_READ_ONLY = "-c default_transaction_read_only=on"
CONNECT_TIMEOUT = 30  # seconds libpq waits for a server (its default: forever) unless the url or PGCONNECT_TIMEOUT say
_DRIVERS = {"postgresql": "adbc_driver_postgresql", "sqlite": "adbc_driver_sqlite"}


@dataclass
class Target:
    """A source's database, resolved: what to connect to, and what never to show."""

    source: str
    db: Database
    scheme: str
    uri: str = ""  # PostgreSQL: the connection string, credentials included (never shown)
    file: Path | None = None  # SQLite, DuckDB
    secrets: list[str] = field(default_factory=list)

    @property
    def shown(self) -> str:
        what = say("source.db.table", table=self.db.table) if self.db.table else say("source.db.query")
        return f"{self.db.url} ({what})"

    def error(self, key: str, reason: str) -> SourceError:
        """A SourceError at the pack's line of `key:`, with every secret blanked out."""
        loc = self.db.where(key)
        for secret in sorted(self.secrets, key=len, reverse=True):
            reason = reason.replace(secret, "***")
        where = f"{loc.file}:{loc.line}" if loc is not None else None
        return SourceError(f"[{key}] {reason}", source=self.source, path=where)


def bind_database(engine: Any, source: Source) -> None:  # a DuckDBEngine, which imports this module
    """Read `source` from its database into the engine as "raw:<name>" and its typed view."""
    assert source.database is not None
    if source.database.url is None:  # table: without url: a table of Spark's catalog
        raise catalog_error(source, say("source.db.catalog_on_duckdb", table=source.database.table))
    target = resolve(source.name, source.database)
    raw = "raw:" + source.name
    if target.scheme == "duckdb" and target.db.table:
        _attach_table(engine, target, raw)
    else:
        table = _read_arrow(target)
        if table.num_columns == 0:
            raise target.error("table" if target.db.table else "query", say("source.db.no_rows"))
        engine.register(raw, table)
        engine.row_counts[source.name] = table.num_rows
    columns = engine.raw_columns(source.name)
    declared = [name for name, col in source.columns.items() if col.required]
    if declared and not any(name in columns for name in declared):
        key = "table" if target.db.table else "query"
        raise target.error(key, say("source.db.no_declared", shown=target.shown, declared=", ".join(declared),
                                    found=", ".join(columns) or say("source.none")))
    engine._typed_view(source, raw)
    engine.described[source.name] = {"location": target.shown}


def catalog_error(source: Source, reason: str) -> SourceError:
    """A SourceError about a catalog table (`table:` without `url:`), at the pack's line of `table:`."""
    assert source.database is not None
    key = "table"
    loc = source.database.where(key)
    return SourceError(f"[{key}] {reason}", source=source.name, path=f"{loc.file}:{loc.line}" if loc else None)


def resolve(source: str, db: Database) -> Target:
    """The database `db` names, with its ${VAR}s and password_env filled in from the environment."""
    written = urlsplit(db.url)
    target = Target(source=source, db=db, scheme=SCHEMES[written.scheme.lower()])
    secret_vars = set(_PLACEHOLDER.findall(written.password or ""))
    url = _expand(target, db.url, secret_vars)
    if target.scheme != "postgresql":
        path = Path(urlsplit(url).path[1:])  # sqlite:///rel.db -> rel.db; sqlite:////abs.db -> /abs.db
        target.file = path if path.is_absolute() or db.base is None else db.base / path
        return target
    if db.password_env:
        password = os.environ.get(db.password_env)
        if password is None:
            raise target.error("password_env", say("source.db.password_unset", name=db.password_env))
        target.secrets += [password, quote(password, safe="")]
        url = _with_password(url, password)
    target.uri = _read_only(url)
    return target


def _expand(target: Target, url: str, secret_vars: set[str]) -> str:
    """`url` with each ${VAR} replaced by the variable's value (percent-encoded in a PostgreSQL url)."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        text = os.environ.get(name)
        if text is None:
            raise target.error("url", say("source.db.var_unset", name=name))
        encoded = quote(text, safe="") if target.scheme == "postgresql" else text
        if name in secret_vars:
            target.secrets += [text, encoded]
        return encoded
    return _PLACEHOLDER.sub(value, url)


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}"))


def _read_only(url: str) -> str:
    """The url with every transaction read-only (libpq's `options`), whatever the query says, and
    a connect timeout: a firewall that drops packets or a server that accepts and never answers
    would otherwise hold a nightly job until CI kills it, with no located error."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    options = [v for k, v in params if k == "options"]
    params = [(k, v) for k, v in params if k != "options"] + [("options", " ".join([*options, _READ_ONLY]))]
    if not any(k == "connect_timeout" for k, _ in params) and not os.environ.get("PGCONNECT_TIMEOUT"):
        params.append(("connect_timeout", str(CONNECT_TIMEOUT)))
    return urlunsplit(parts._replace(query=urlencode(params, quote_via=quote)))


# -- reading -----------------------------------------------------------------
def _statement(target: Target, dialect: str) -> str:
    """The SELECT to run: the table's rows, or the pack's query as written."""
    if target.db.query:
        return target.db.query
    return exp.select(exp.Star()).from_(_table(target)).sql(dialect)


def _table(target: Target, catalog: str | None = None) -> exp.Table:
    """`table:` as a quoted name: "schema"."table", or "table" (names are taken as written)."""
    names = (target.db.table or "").split(".")
    if len(names) > 2 or not all(n.strip() for n in names):
        raise target.error("table", say("source.db.not_table", table=target.db.table))
    ident = [exp.to_identifier(n.strip(), quoted=True) for n in names]
    schema = ident[0] if len(ident) == 2 else (exp.to_identifier("main", quoted=True) if catalog else None)
    return exp.Table(this=ident[-1], db=schema, catalog=exp.to_identifier(catalog, quoted=True) if catalog else None)


def _read_arrow(target: Target) -> pa.Table:
    if target.scheme != "postgresql" and target.db.query and not _one_select(target.db.query, target.scheme):
        # one SELECT: SQLite ran the first of several statements, DuckDB the last; ATTACH creates a file
        # (PostgreSQL's queries run in a read-only transaction, which says why itself)
        raise target.error("query", say("source.db.no_rows"))
    if target.scheme == "duckdb":
        return _duckdb_query(target)
    try:
        dbapi = __import__(_DRIVERS[target.scheme] + ".dbapi", fromlist=["dbapi"])
    except ImportError:
        raise target.error("url", say("source.db.driver", scheme=target.scheme,
                                      package=_DRIVERS[target.scheme].replace("_", "-"))) from None
    if target.scheme == "sqlite":
        return _sqlite(target, dbapi)
    return _postgresql(target, dbapi)


def _postgresql(target: Target, dbapi: Any) -> pa.Table:
    try:
        conn = dbapi.connect(target.uri)
    except Exception as e:  # adbc_driver_manager.Error, but keep the import lazy
        reason = _reason(e)
        key = "password_env" if target.db.password_env and "password authentication" in reason else "url"
        raise target.error(key, say("source.db.connect", url=target.db.url, why=reason)) from None
    with conn:
        table = _fetch(target, conn, _statement(target, "postgres"))
    return _numerics(table)


def _sqlite(target: Target, dbapi: Any) -> pa.Table:
    assert target.file is not None
    if not target.file.is_file():
        raise target.error("url", say("source.db.no_file", file=target.file))
    uri = "file:" + quote(str(target.file.resolve())) + "?mode=ro"  # read-only: the file is never written
    try:
        conn = dbapi.connect(uri)
    except Exception as e:
        raise target.error("url", say("source.db.open", file=target.file, why=_reason(e))) from None
    with conn:
        statement = _statement(target, "sqlite")
        try:
            return _fetch(target, conn, statement)
        except _Mismatch:  # a column of mixed storage classes: each column as its classes allow
            return _fetch(target, conn, _sqlite_typed(target, conn, statement))


def _one_select(query: str, dialect: str) -> bool:
    """Whether `query` is a single SELECT (WITH, UNION, VALUES included), as sqlglot reads it."""
    import sqlglot
    try:
        trees = sqlglot.parse(query, read=dialect)
    except Exception:  # syntax sqlglot does not read: the database itself says what is wrong
        return True
    trees = [t for t in trees if t is not None]
    return len(trees) == 1 and isinstance(trees[0], exp.Query | exp.Values)


class _Mismatch(Exception):
    """SQLite's ADBC driver met a value of another type than the column's first rows had."""


def _fetch(target: Target, conn: Any, statement: str) -> pa.Table:
    key = "table" if target.db.table else "query"
    with conn.cursor() as cur:
        try:
            cur.execute(statement)
            return cur.fetch_arrow_table()
        except Exception as e:
            reason = _reason(e)
            if "Type mismatch" in reason:
                raise _Mismatch from None
            if "file is not a database" in reason:
                raise target.error("url", say("source.db.not_sqlite", file=target.file)) from None
            raise target.error(key, say("source.db.read", shown=target.shown, why=reason)) from None


_SQLITE_CLASSES = {"integer": "INTEGER", "real": "REAL", "text": "TEXT", "blob": "BLOB"}


def _sqlite_typed(target: Target, conn: Any, statement: str) -> str:
    """`statement` with each column cast to the one storage class its values have, REAL for
    integers mixed with reals, else TEXT (TRY_CAST in the typed view then judges each value)."""
    inner = f" FROM ({statement.rstrip().rstrip(';')}) AS _sg_q"  # the pack's query, as written
    with conn.cursor() as cur:
        cur.execute("SELECT *" + inner + " LIMIT 0")
        names = [d[0] for d in cur.description]
        cur.fetch_arrow_table()
        probes = [exp.Anonymous(this="group_concat", expressions=[exp.Distinct(expressions=[
            exp.Anonymous(this="typeof", expressions=[exp.column(n, quoted=True)])])]) for n in names]
        cur.execute(", ".join(p.sql("sqlite") for p in probes).join(("SELECT ", inner)))
        found = cur.fetchone() or [None] * len(names)
    casts = []
    for name, classes in zip(names, found, strict=True):
        kinds = set((classes or "").split(",")) - {"null", ""}
        to = _SQLITE_CLASSES.get(kinds.pop()) if len(kinds) == 1 else "REAL" if kinds == {"integer", "real"} else \
            "TEXT" if kinds else None
        col = exp.column(name, quoted=True)
        casts.append(exp.alias_(exp.cast(col, to), name, quoted=True) if to else col)
    return ", ".join(c.sql("sqlite") for c in casts).join(("SELECT ", inner))


def _duckdb_query(target: Target) -> pa.Table:
    """A query of a DuckDB file, on a read-only connection without file access (the query can
    neither write the database nor read or write any other file)."""
    import duckdb
    con = _duckdb_open(target, lambda f: duckdb.connect(str(f), read_only=True,
                                                       config={"enable_external_access": False}))
    try:
        relation = con.sql(target.db.query or "")
        if relation is None:
            raise target.error("query", say("source.db.no_rows"))
        return relation.to_arrow_table()
    except duckdb.Error as e:
        raise target.error("query", say("source.db.read", shown=target.shown, why=_reason(e))) from None
    finally:
        con.close()


def _duckdb_open(target: Target, opener: Any) -> Any:
    if target.file is None or not target.file.is_file():
        raise target.error("url", say("source.db.no_file", file=target.file))
    with open(target.file, "rb") as head:
        if head.read(16) == b"SQLite format 3\x00":  # DuckDB would look for its sqlite extension instead
            raise target.error("url", say("source.db.is_sqlite", file=target.file))
    try:
        return opener(target.file)
    except Exception as e:  # duckdb.Error
        raise target.error("url", say("source.db.open_duckdb", file=target.file, why=_reason(e))) from None


def _attach_table(engine: Any, target: Target, raw: str) -> None:
    """View a table of a DuckDB file in place: the file ATTACHed read-only once per engine."""
    con = engine.con
    _duckdb_open(target, lambda f: None)  # only checks that the file is there
    assert target.file is not None
    file = str(target.file.resolve())
    rows = con.execute("SELECT database_name FROM duckdb_databases() WHERE path = ?", [file]).fetchall()
    alias = str(rows[0][0]) if rows else f"_sg_db{len(con.execute('FROM duckdb_databases()').fetchall())}"
    if not rows:
        attach = (f"ATTACH {exp.Literal.string(file).sql('duckdb')} AS "
                  f"{exp.to_identifier(alias, quoted=True).sql('duckdb')} (READ_ONLY)")
        _duckdb_open(target, lambda _f: con.execute(attach))
    view = exp.Create(this=exp.Table(this=exp.to_identifier(raw, quoted=True)), kind="VIEW", replace=True,
                      expression=exp.select(exp.Star()).from_(_table(target, alias)))
    try:
        con.execute(view.sql("duckdb"))
    except engine._duckdb.Error as e:
        raise target.error("table", say("source.db.read", shown=target.shown, why=_reason(e))) from None


# -- values ----------------------------------------------------------------
def _numerics(table: pa.Table) -> pa.Table:
    """PostgreSQL numeric columns (text to Arrow: an exact decimal of any size) as DECIMAL(p,s)
    where the column declares a precision up to 38, else DOUBLE; left as text if a value fits
    neither (NaN in a numeric(p,s))."""
    import pyarrow as pa
    for i, fld in enumerate(table.schema):
        if getattr(fld.type, "type_name", None) != "numeric":
            continue
        storage = table.column(i)
        storage = pa.chunked_array([c.storage for c in storage.chunks], type=fld.type.storage_type)
        typmod = int((fld.metadata or {}).get(b"POSTGRESQL:typmod", b"-1"))
        precision, scale = ((typmod - 4) >> 16, (typmod - 4) & 0xFFFF) if typmod >= 4 else (0, 0)
        value = storage
        for to in ([pa.decimal128(precision, scale)] if 0 < precision <= 38 else []) + [pa.float64()]:
            try:
                value = storage.cast(to)
                break
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
        table = table.set_column(i, pa.field(fld.name, value.type), value)
    return table


_PREFIXES = re.compile(r"^(?:[A-Z_]+: )?(?:\[(?:libpq|SQLite)\] )?(?:Failed to (?:connect|prepare query|"
                       r"execute query '.*?'|step query): )?(?:(?:ERROR|FATAL): +)?(?:[A-Za-z ]+ Error: )?")


def _reason(e: Exception) -> str:
    """A driver's message, first line, without its status code, driver tag and error class."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    first = lines[0] if lines else type(e).__name__
    text = _PREFIXES.sub("", first).rstrip(".") or first
    return _SERVER.sub("", text) or text  # the server's address is in the url shown next to it


_SERVER = re.compile(r'^connection to server (?:at|on) .*? failed: (?:FATAL: +)?')
