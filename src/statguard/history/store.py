"""The submission history store: every version a unit submitted, in one SQLite file.

Why SQLite (standard library, no server): a write is one transaction, and SQLite
guarantees that a transaction is all or nothing even when the process is killed
mid-write (the write-ahead log is only trusted up to its last commit record, so
a torn write is discarded when the file is next opened). `BEGIN IMMEDIATE` takes
the file's write lock before the next version number is read, so two processes
recording at once queue up (each waits up to `timeout` seconds) instead of
handing out the same version twice. WAL mode lets readers work while a writer
commits; `synchronous=FULL` makes a reported commit survive a power cut too.
The store is the file at `path`; while it is open SQLite keeps `-wal` and
`-shm` companions next to it (copy them along, or copy it only when closed).
WAL needs a local file system (not a network share).

Layout (format 1): `submissions` (one row per version: source, unit, period,
version, received, content hash, row count, reason, columns, keys) and
`submission_rows` (the rows themselves as canonical JSON, see canonical.py).
The file carries SQLite's application_id 'SGH1' and its format number in
user_version, both set in the transaction that creates the tables; a file
without them, or with a format this statguard does not know, is refused with
a message instead of being misread.

Versions are numbered 1, 2, ... in arrival order per (source, unit, period).
Recording content identical to the latest version of that sequence is not a new
version (the existing one is returned with new=False); content identical to an
older version is a new version (a figure going back is a revision too), and
`same_as` names the older one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.errors import HistoryError
from statguard.history.canonical import canonical_row, content_hash
from statguard.i18n import register, say

register({
    "history.missing": {"en": "no history store at {path} (record a submission first: statguard history record ...)",
                        "zh": "{path} 处没有历史库（请先记录一次报送：statguard history record ...）"},
    "history.open": {"en": "{path}: cannot open history store: {why}", "zh": "{path}：无法打开历史库：{why}"},
    "history.empty": {"en": "{path} is an empty database, not a statguard history store",
                      "zh": "{path} 是空数据库，不是 statguard 历史库"},
    "history.foreign": {"en": "{path} is an SQLite database but not a statguard history store (application_id "
                              "{app_id}); refusing to use it",
                        "zh": "{path} 是 SQLite 数据库，但不是 statguard 历史库（application_id {app_id}）；拒绝使用"},
    "history.write": {"en": "{path}: could not write to the history store: {why}",
                      "zh": "{path}：无法写入历史库：{why}"},
    "history.lock": {"en": "{path}: could not lock the history store for writing: {why}",
                     "zh": "{path}：无法锁定历史库以写入：{why}"},
    "history.no_submission": {"en": "no submission #{id} in {path}", "zh": "{path} 中没有报送 #{id}"},
    "history.no_version": {"en": "no version {version} of {source} / {unit} / {period} in {path}",
                           "zh": "{path} 中没有 {source} / {unit} / {period} 的版本 {version}"},
    "history.not_file": {"en": "{path} is not a file; give the path of a history store file",
                         "zh": "{path} 不是文件；请给出历史库文件的路径"},
    "history.not_sqlite": {"en": "{path} is not a statguard history store (not an SQLite database); refusing to touch "
                                 "it",
                           "zh": "{path} 不是 statguard 历史库（不是 SQLite 数据库）；拒绝改动"},
})

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack

FORMAT = 1
APPLICATION_ID = 0x53474831  # "SGH1"
ENV_VAR = "STATGUARD_HISTORY"
DEFAULT_PATH = Path(".statguard") / "history.db"
SQLITE_MAGIC = b"SQLite format 3\x00"
PERSONAL = "pii:"  # meta keys: a source's personal columns, as the pack that recorded it declared them
LANG = "lang"  # meta key: the language of the pack that last recorded into the store
LOCK_STEP_MS = 100  # how long SQLite waits for the write lock between two looks at Ctrl-C
SUBMISSION_FIELDS = ("id", "source", "unit", "period", "version", "received", "content_hash",
                     "row_count", "reason", "columns", "keys")

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL, unit TEXT NOT NULL, period TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        received TEXT NOT NULL, content_hash TEXT NOT NULL, row_count INTEGER NOT NULL,
        reason TEXT, columns TEXT NOT NULL, keys TEXT NOT NULL,
        UNIQUE (source, unit, period, version))""",
    """CREATE TABLE submission_rows (
        submission INTEGER NOT NULL REFERENCES submissions(id), n INTEGER NOT NULL,
        data TEXT NOT NULL, PRIMARY KEY (submission, n)) WITHOUT ROWID""",
)


def default_path(explicit: str | Path | None = None) -> Path:
    """The store to use: `explicit`, else $STATGUARD_HISTORY, else .statguard/history.db."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_PATH


@dataclass(frozen=True)
class Submission:
    """One recorded version of what a unit submitted for a source and period."""

    id: int
    source: str
    unit: str
    period: str
    version: int
    received: str
    content_hash: str
    row_count: int
    reason: str | None
    columns: list[str]
    keys: list[str]

    def label(self) -> str:
        parts = [self.source, self.unit or "-", self.period or "-", f"v{self.version}"]
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SUBMISSION_FIELDS}


@dataclass(frozen=True)
class Recorded:
    """The outcome of recording one submission."""

    submission: Submission
    new: bool  # False: identical to the latest version, nothing was written
    same_as: int | None = None  # an earlier version with identical content


@dataclass
class Pending:
    """A submission about to be recorded (rows already canonical)."""

    source: str
    unit: str
    period: str
    columns: list[str]
    lines: list[str]
    keys: list[str] = field(default_factory=list)
    reason: str | None = None
    aliases: list[str] = field(default_factory=list)  # hashes of the same content in earlier canonical forms

    @property
    def hash(self) -> str:
        return content_hash(self.columns, self.lines)


def pending(source: str, rows: Sequence[Mapping[str, Any]], *, unit: str = "", period: str = "",
            columns: Sequence[str] | None = None, keys: Sequence[str] = (), reason: str | None = None) -> Pending:
    """Canonicalise `rows` (dicts of column -> value) into a submission ready to record."""
    cols = list(columns) if columns is not None else _columns_of(rows)
    lines = [canonical_row({c: row.get(c) for c in cols}) for row in rows]
    return Pending(source, str(unit or ""), str(period or ""), cols, lines, list(keys), reason or None)


def _columns_of(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(str(k) for k in row))
    return list(seen)


class HistoryStore:
    """An open history store. Use as a context manager, or call close()."""

    def __init__(self, path: str | Path | None = None, *, create: bool = True, timeout: float = 60.0):
        self.path = default_path(path)
        self.timeout = timeout
        if not self.path.exists() and not create:
            raise HistoryError(say("history.missing", path=self.path))
        _refuse_foreign_file(self.path)
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=FULL")
            self._con.execute("PRAGMA foreign_keys=ON")
            self._open_or_init(create)
        except sqlite3.DatabaseError as e:
            self.close()
            raise HistoryError(say("history.open", path=self.path, why=e)) from None
        except HistoryError:
            self.close()
            raise

    # -- opening -------------------------------------------------------------
    def _open_or_init(self, create: bool) -> None:
        if self._format_of() is None:
            if not create:
                raise HistoryError(say("history.empty", path=self.path))
            with self._write() as con:
                if self._format_of() is None:  # nobody initialised it while we waited for the lock
                    for statement in _SCHEMA:
                        con.execute(statement)
                    from statguard.version import __version__
                    con.executemany("INSERT INTO meta VALUES (?, ?)",
                                    [("format", str(FORMAT)), ("created_by", f"statguard {__version__}"),
                                     ("created", _now())])
                    con.execute(f"PRAGMA application_id={APPLICATION_ID}")
                    con.execute(f"PRAGMA user_version={FORMAT}")
        fmt = self._format_of()
        if fmt != FORMAT:
            raise HistoryError(_format_message(self.path, fmt, self._meta_value("created_by")))

    def _format_of(self) -> int | None:
        """The store format, None for a new empty database; refuses foreign databases."""
        app_id = self._con.execute("PRAGMA application_id").fetchone()[0]
        version = self._con.execute("PRAGMA user_version").fetchone()[0]
        tables = self._con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id == 0 and version == 0 and tables == 0:
            return None
        if app_id != APPLICATION_ID:
            raise HistoryError(say("history.foreign", path=self.path, app_id=f"{app_id:#x}"))
        return int(version)

    def _meta_value(self, key: str) -> str | None:
        try:
            row = self._con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def close(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()
            self._con = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction holding the store's write lock from its first statement."""
        self._lock()
        try:
            yield self._con
            self._con.execute("COMMIT")
        except BaseException as e:  # Ctrl-C included: the transaction leaves nothing behind
            if self._con.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
                self._con.execute("ROLLBACK")
            if isinstance(e, sqlite3.DatabaseError):
                raise HistoryError(say("history.write", path=self.path, why=e)) from None
            raise

    def _lock(self) -> None:
        """BEGIN IMMEDIATE, waiting up to `timeout` seconds for another writer. SQLite waits in
        C, where Ctrl-C is only seen once the wait ends, so it waits in short steps."""
        deadline = time.monotonic() + self.timeout
        self._con.execute(f"PRAGMA busy_timeout = {LOCK_STEP_MS}")
        try:
            while True:
                try:
                    self._con.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as e:
                    if ("locked" not in str(e) and "busy" not in str(e)) or time.monotonic() >= deadline:
                        raise HistoryError(say("history.lock", path=self.path, why=e)) from None
        finally:
            self._con.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    # -- personal columns ----------------------------------------------------
    def remember_personal(self, source: str, columns: Mapping[str, str], unit_how: str | None) -> None:
        """Keep which columns of `source` the recording pack declared personal (`pii:`, column ->
        how to mask) and how its unit is masked, so that showing its versions later masks them
        without the pack at hand."""
        value = json.dumps({"columns": dict(columns), "unit": unit_how}, ensure_ascii=False, sort_keys=True)
        with self._write() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (PERSONAL + source, value))

    def personal(self) -> dict[str, tuple[dict[str, str], str | None]]:
        """source -> (personal columns, how its unit is masked), as remember_personal kept them."""
        rows = self._con.execute("SELECT key, value FROM meta WHERE key LIKE ?", (PERSONAL + "%",)).fetchall()
        out = {}
        for key, value in rows:
            kept = json.loads(value)
            out[key[len(PERSONAL):]] = (dict(kept.get("columns") or {}), kept.get("unit"))
        return out

    # -- the recording pack's language ----------------------------------------
    def remember_lang(self, lang: str) -> None:
        """Keep the language the recording pack declares (`pack: lang:`), so that listing and
        comparing its versions later speaks it without the pack at hand, as recording did."""
        with self._write() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (LANG, lang))

    def lang(self) -> str | None:
        """The language remember_lang kept; None when no recording pack declared one."""
        return self._meta_value(LANG)

    # -- writing -------------------------------------------------------------
    def record(self, source: str, rows: Sequence[Mapping[str, Any]], **options: Any) -> Recorded:
        """Record one submission (see `pending` for the options); identical content is not a new version."""
        return self.record_all([pending(source, rows, **options)])[0]

    def record_all(self, batch: Sequence[Pending], received: str | None = None) -> list[Recorded]:
        """Record several submissions in one transaction: all of them land, or none."""
        hashes = [p.hash for p in batch]
        when = received or _now()
        out = []
        with self._write() as con:
            for item, digest in zip(batch, hashes, strict=True):
                out.append(self._record_one(con, item, digest, when))
        return out

    def _record_one(self, con: sqlite3.Connection, item: Pending, digest: str, when: str) -> Recorded:
        ident = (item.source, item.unit, item.period)
        latest = con.execute("SELECT id, version, content_hash FROM submissions WHERE source = ? AND unit = ? "
                             "AND period = ? ORDER BY version DESC LIMIT 1", ident).fetchone()
        known = [digest, *item.aliases]
        if latest is not None and latest[2] in known:
            return Recorded(self.submission(latest[0]), new=False, same_as=latest[1])
        same = con.execute("SELECT min(version) FROM submissions WHERE source = ? AND unit = ? AND period = ? "
                           f"AND content_hash IN ({', '.join('?' * len(known))})", (*ident, *known)).fetchone()[0]
        version = (latest[1] if latest else 0) + 1
        cursor = con.execute(
            "INSERT INTO submissions (source, unit, period, version, received, content_hash, row_count, "
            "reason, columns, keys) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*ident, version, when, digest, len(item.lines), item.reason,
             json.dumps(item.columns, ensure_ascii=False), json.dumps(item.keys, ensure_ascii=False)))
        sub_id = int(cursor.lastrowid or 0)
        self._insert_rows(con, sub_id, item.lines)
        return Recorded(self.submission(sub_id), new=True, same_as=same)

    def _insert_rows(self, con: sqlite3.Connection, sub_id: int, lines: Sequence[str]) -> None:
        con.executemany("INSERT INTO submission_rows VALUES (?, ?, ?)",
                        ((sub_id, n, line) for n, line in enumerate(lines)))

    # -- reading -------------------------------------------------------------
    def submissions(self, source: str | None = None, unit: str | None = None,
                    period: str | None = None) -> list[Submission]:
        """Recorded versions, ordered by source, unit, period and version."""
        where, args = [], []
        for name, value in (("source", source), ("unit", unit), ("period", period)):
            if value is not None:
                where.append(f"{name} = ?")
                args.append(value)
        sql = f"SELECT {', '.join(SUBMISSION_FIELDS)} FROM submissions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._con.execute(sql + " ORDER BY source, unit, period, version", args).fetchall()
        return [_submission(r) for r in rows]

    def submission(self, sub_id: int) -> Submission:
        row = self._con.execute(f"SELECT {', '.join(SUBMISSION_FIELDS)} FROM submissions WHERE id = ?",
                                (sub_id,)).fetchone()
        if row is None:
            raise HistoryError(say("history.no_submission", id=sub_id, path=self.path))
        return _submission(row)

    def find(self, source: str, unit: str, period: str, version: int) -> Submission:
        found = self._con.execute("SELECT id FROM submissions WHERE source = ? AND unit = ? AND period = ? "
                                  "AND version = ?", (source, unit, period, version)).fetchone()
        if found is None:
            raise HistoryError(say("history.no_version", version=version, source=source, unit=unit or "-",
                                   period=period or "-", path=self.path))
        return self.submission(found[0])

    def rows(self, sub_id: int) -> list[dict[str, Any]]:
        """The rows of a submission, in the order they were submitted."""
        cursor = self._con.execute("SELECT data FROM submission_rows WHERE submission = ? ORDER BY n", (sub_id,))
        return [json.loads(line) for (line,) in cursor]

    def sources(self) -> list[str]:
        return [r[0] for r in self._con.execute("SELECT DISTINCT source FROM submissions ORDER BY 1")]

    def frame(self, source: str) -> pd.DataFrame:
        """Every recorded row of `source` with its submission's identity in `_sg_*` columns."""
        import pandas as pd
        cursor = self._con.execute(
            "SELECT s.id, s.unit, s.period, s.version, s.received, s.reason, r.data FROM submissions s "
            "JOIN submission_rows r ON r.submission = s.id WHERE s.source = ? ORDER BY s.id, r.n", (source,))
        records = []
        for sub_id, unit, period, version, received, reason, data in cursor:
            row = json.loads(data)
            row.update(_sg_submission=sub_id, _sg_unit=unit, _sg_period=period, _sg_version=version,
                       _sg_received=received, _sg_reason=reason)
            records.append(row)
        return pd.DataFrame.from_records(records)

    def verify(self) -> list[str]:
        """Problems found: SQLite's integrity check, and row counts and hashes of every version."""
        problems = [r[0] for r in self._con.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for sub in self.submissions():
            lines = [r[0] for r in self._con.execute(
                "SELECT data FROM submission_rows WHERE submission = ? ORDER BY n", (sub.id,))]
            if len(lines) != sub.row_count:
                problems.append(f"{sub.label()}: {len(lines)} rows stored, {sub.row_count} recorded")
            elif content_hash(sub.columns, lines) != sub.content_hash:
                problems.append(f"{sub.label()}: content does not match its hash")
        return problems


def _submission(row: Sequence[Any]) -> Submission:
    values = dict(zip(SUBMISSION_FIELDS, row, strict=True))
    values["columns"] = json.loads(values["columns"])
    values["keys"] = json.loads(values["keys"])
    return Submission(**values)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _refuse_foreign_file(path: Path) -> None:
    if not path.is_file():
        if path.exists():
            raise HistoryError(say("history.not_file", path=path))
        return
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head and head != SQLITE_MAGIC:
        raise HistoryError(say("history.not_sqlite", path=path))


def _format_message(path: Path, fmt: int | None, created_by: str | None) -> str:
    by = f", written by {created_by}" if created_by else ""
    if fmt is not None and fmt > FORMAT:
        return (f"{path} is a history store of format {fmt}{by}; this statguard reads format {FORMAT} "
                f"only. Upgrade statguard to read it (it was not changed).")
    return (f"{path} is a history store of unknown format {fmt}{by}; this statguard reads format "
            f"{FORMAT} only and will not guess (the file was not changed).")


def latest_submissions(pack: Pack, store: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """Per pack source recorded in the history store: the latest version of every unit and period.

    Together these rows are the data as it stands after all resubmissions, so one
    run over them scores every period at once.
    """
    out: dict[str, pd.DataFrame] = {}
    with HistoryStore(store, create=False) as hs:
        recorded = set(hs.sources())
        for name, src in pack.sources.items():
            if name not in recorded:
                continue
            frame = hs.frame(name)
            if not len(frame):
                continue
            latest = frame.groupby(["_sg_unit", "_sg_period"])["_sg_version"].transform("max")
            frame = frame[frame["_sg_version"] == latest]
            for role, col in (("_sg_unit", src.unit), ("_sg_period", src.period)):
                if col and col not in frame.columns:
                    frame = frame.assign(**{col: frame[role].replace("", None)})
            out[name] = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_sg_")])
    return out
