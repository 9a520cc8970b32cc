"""Sources read from SQL databases: a real PostgreSQL server started here on loopback, and
real SQLite and DuckDB files (statguard.engine.databases, statguard.pack.databases)."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

import statguard
from statguard.errors import PackError

PASSWORD = "Sg-秘密-pw-7f3a9c"  # what no output may show
ROOT = Path(__file__).resolve().parents[1]


# -- a PostgreSQL server of our own ------------------------------------------------
def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL cluster in a temporary directory, on a free loopback port, with user `sg`
    (password PASSWORD) and database `stats`; stopped and removed at the end of the session.
    PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed (.ci/install-postgres.sh installs them)")
    pytest.importorskip("adbc_driver_postgresql", reason="the db extra (adbc-driver-postgresql) is not installed")
    as_user: list[str] = []
    directory = Path(tempfile.mkdtemp(prefix="statguard-pg-"))
    if os.geteuid() == 0:
        import pwd
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(directory)
            pytest.skip("running as root and there is no 'postgres' user to run the server as")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, pwfile = directory / "data", directory / "pw"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if as_user:
        os.chown(pwfile, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    run = lambda *args: subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)  # noqa: E731
    made = run(initdb, "-D", str(data), "-U", "sg", "-A", "scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
               "--locale=C.UTF-8")
    assert made.returncode == 0, made.stderr
    started = run(pg_ctl, "-D", str(data), "-l", str(directory / "log"), "-w", "-t", "60", "-o",
                  f"-p {port} -k {directory} -c listen_addresses=127.0.0.1", "start")
    assert started.returncode == 0, started.stderr + (directory / "log").read_text(errors="replace")
    try:
        _setup_database(port)
        yield {"port": port, "url": f"postgresql://sg@127.0.0.1:{port}/stats"}
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(directory, ignore_errors=True)


def _setup_database(port: int) -> None:
    import adbc_driver_postgresql.dbapi as pg
    admin = f"postgresql://sg:{PASSWORD}@127.0.0.1:{port}/postgres"
    with pg.connect(admin, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE stats")
    with pg.connect(admin.replace("/postgres", "/stats"), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute('CREATE TABLE "企业" (unit text, "营业收入" numeric(12,2), "利润" numeric, period date, '
                    "staff integer)")
        cur.execute("""INSERT INTO "企业" VALUES ('A', 100.50, 10, '2024-01-01', 5), ('B', -3, 1, '2024-01-01', 7),
                       ('C', NULL, 2.5, '2024-02-01', NULL), ('D', 12.25, -4, '2024-02-01', 3)""")
        cur.execute("CREATE SCHEMA report")
        cur.execute("CREATE TABLE report.totals AS SELECT 'A' AS unit, 100.5::float8 AS total")


@pytest.fixture()
def pg_env(pg_server, monkeypatch):
    monkeypatch.setenv("SG_TEST_PGPW", PASSWORD)
    return pg_server


def _pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _summary(report) -> dict[str, tuple[int, int, int]]:
    return {r["rule_id"]: (r["passes"], r["fails"], r["not_evaluable"]) for r in report.rules()}


def _errors(report) -> dict[str, str]:
    return {r["rule_id"]: r["error"] for r in report.rules() if r["error"]}


def _violations(report) -> list[dict]:
    columns = {c: report.column(c) for c in ("rule_id", "unit", "observed", "message")}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


# -- PostgreSQL -------------------------------------------------------------------
PG_PACK = """\
pack: {{name: db}}
sources:
  企业:
    url: {url}
    password_env: SG_TEST_PGPW
    table: 企业
    unit: unit
    columns: {{unit: {{type: string}}, 营业收入: {{type: number}}, staff: {{type: integer}}}}
  totals:
    url: postgresql://sg:${{SG_TEST_PGPW}}@127.0.0.1:{port}/stats
    table: report.totals
    unit: unit
  profits:
    url: {url}
    password_env: SG_TEST_PGPW
    query: SELECT unit, "利润" AS profit FROM "企业" WHERE period >= DATE '2024-02-01'
    unit: unit
rules:
  - {{id: revenue, kind: row, source: 企业, expr: 营业收入 >= 0}}
  - {{id: staff, kind: row, source: 企业, expr: staff >= 4}}
  - {{id: profit, kind: row, source: profits, expr: profit > 0}}
  - {{id: total, kind: row, source: totals, expr: total == 100.5}}
"""


def test_postgresql_table_query_and_schema_as_a_user_writes_them(pg_env, tmp_path):
    pack = statguard.load_pack(_pack(tmp_path, PG_PACK.format(**pg_env)))
    report = pack.validate()
    assert _errors(report) == {}
    # by hand: revenue 100.5 pass, -3 fail, NULL n/a, 12.25 pass; staff 5 7 pass, NULL n/a, 3 fail;
    # profits of February: C 2.5 pass, D -4 fail; the one total equals 100.5
    assert _summary(report) == {"revenue": (2, 1, 1), "staff": (2, 1, 1), "profit": (1, 1, 0), "total": (1, 0, 0)}
    failing = {(v["rule_id"], v["unit"], v["observed"]) for v in _violations(report)}
    assert failing == {("revenue", "B", -3), ("staff", "D", 3), ("profit", "D", -4)}


def test_postgresql_numeric_columns_keep_their_values(pg_env, tmp_path):
    """numeric(12,2) reaches the engine as a decimal, an unconstrained numeric as a number."""
    from statguard.engine.duckdb import DuckDBEngine
    pack = statguard.load_pack(_pack(tmp_path, PG_PACK.format(**pg_env)))
    with DuckDBEngine(threads=1) as engine:
        engine.bind(pack.sources["企业"], None)
        engine.bind(pack.sources["profits"], None)
        raw = engine.raw_columns("企业")
        assert raw["营业收入"] == "DECIMAL(12,2)" and raw["period"] == "DATE"
        assert engine.raw_columns("profits")["profit"] == "DOUBLE"
        rows = engine.con.execute('SELECT unit, "营业收入", staff FROM "企业" ORDER BY unit').fetchall()
    assert [(u, None if r is None else float(r), s) for u, r, s in rows] == [
        ("A", 100.5, 5), ("B", -3.0, 7), ("C", None, None), ("D", 12.25, 3)]


def test_queries_run_read_only(pg_env, tmp_path):
    """A query that would change the database is refused by the server; the table is unchanged."""
    pack = _pack(tmp_path, f"""\
sources:
  gone:
    url: {pg_env['url']}
    password_env: SG_TEST_PGPW
    query: DELETE FROM "企业" RETURNING *
rules:
  - {{id: r, kind: row, source: gone, expr: unit != ''}}
""")
    report = statguard.load_pack(pack).validate()
    assert "read-only transaction" in _errors(report)["r"]
    check = statguard.load_pack(_pack(tmp_path, PG_PACK.format(**pg_env))).validate()
    assert _summary(check)["revenue"] == (2, 1, 1)  # all four rows still there


def _broken_pack(tmp_path: Path, port: int, url: str) -> Path:
    """One good source and four broken ones; the line of each broken key is known."""
    return _pack(tmp_path, f"""\
pack: {{name: broken}}
sources:
  good:
    url: {url}
    password_env: SG_TEST_PGPW
    table: 企业
    unit: unit
  missing:
    url: {url}
    password_env: SG_TEST_PGPW
    table: 没有这张表
  refused:
    url: postgresql://sg@127.0.0.1:{_free_port()}/stats
    password_env: SG_TEST_PGPW
    table: 企业
  wrong_password:
    url: {url}
    password_env: SG_TEST_WRONG_PW
    table: 企业
  bad_query:
    url: {url}
    password_env: SG_TEST_PGPW
    query: SELEC unit FROM 企业
rules:
  - {{id: ok, kind: row, source: good, expr: staff >= 4}}
  - {{id: r_missing, kind: row, source: missing, expr: x > 0}}
  - {{id: r_refused, kind: row, source: refused, expr: x > 0}}
  - {{id: r_password, kind: row, source: wrong_password, expr: x > 0}}
  - {{id: r_query, kind: row, source: bad_query, expr: x > 0}}
""")


def test_broken_database_sources_are_located_and_the_others_run(pg_env, tmp_path, monkeypatch):
    monkeypatch.setenv("SG_TEST_WRONG_PW", "not-" + PASSWORD)
    path = _broken_pack(tmp_path, pg_env["port"], pg_env["url"])
    report = statguard.load_pack(path).validate()
    assert _summary(report)["ok"] == (2, 1, 1)  # the good source's rule ran: staff 5, 7 pass, 3 fails, NULL n/a
    errors = _errors(report)
    assert set(errors) == {"r_missing", "r_refused", "r_password", "r_query"}
    assert f"source 'missing' {path}:11: [table]" in errors["r_missing"] and "没有这张表" in errors["r_missing"]
    assert f"source 'refused' {path}:13: [url] cannot connect" in errors["r_refused"]
    assert f"source 'wrong_password' {path}:18: [password_env]" in errors["r_password"]
    assert "password authentication failed" in errors["r_password"]
    assert f"source 'bad_query' {path}:23: [query]" in errors["r_query"] and "syntax error" in errors["r_query"]


def test_a_server_that_never_answers_is_an_error_at_url_not_a_hang(tmp_path, monkeypatch):
    """A listener that accepts and never answers (a hung server, a proxy, a firewall's half-open
    port): libpq would wait forever, holding a nightly job until CI kills it. statguard gives libpq
    a connect timeout (databases.CONNECT_TIMEOUT, here 1 s so the test is quick) unless the url or
    PGCONNECT_TIMEOUT gives one. Without it the listener closes its connections after 30 s and the
    error says so instead of "timeout expired"."""
    import threading
    pytest.importorskip("adbc_driver_postgresql", reason="the db extra (adbc-driver-postgresql) is not installed")
    from statguard.engine import databases
    monkeypatch.setattr(databases, "CONNECT_TIMEOUT", 1)
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    monkeypatch.setenv("SG_TEST_PGPW", PASSWORD)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    done = threading.Event()

    def hold() -> None:  # accept, never answer; close everything after 30 s or when told
        held, deadline = [], time.monotonic() + 30
        with listener:
            listener.settimeout(0.2)
            while not done.is_set() and time.monotonic() < deadline:
                try:
                    held.append(listener.accept()[0])
                except TimeoutError:
                    continue
            for conn in held:
                conn.close()
    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    path = _pack(tmp_path, f"""pack: {{name: silent}}
sources:
  silent:
    url: postgresql://sg@127.0.0.1:{port}/stats
    password_env: SG_TEST_PGPW
    table: t
  chosen:
    url: postgresql://sg@127.0.0.1:{port}/stats?connect_timeout=7
    password_env: SG_TEST_PGPW
    table: t
rules:
  - {{id: r_silent, kind: row, source: silent, expr: 1 == 1}}
""")
    try:
        errors = _errors(statguard.load_pack(path).validate())
    finally:
        done.set()
        holder.join()
    assert f"source 'silent' {path}:4: [url] cannot connect" in errors["r_silent"]
    assert "timeout expired" in errors["r_silent"] and PASSWORD not in errors["r_silent"]
    chosen = statguard.load_pack(path).sources["chosen"].database
    assert "connect_timeout=7" in databases.resolve("chosen", chosen).uri  # the url's own is kept, not doubled
    assert databases.resolve("chosen", chosen).uri.count("connect_timeout") == 1


def test_an_unset_variable_is_named_not_guessed(pg_server, tmp_path, monkeypatch):
    monkeypatch.delenv("SG_TEST_PGPW", raising=False)
    report = statguard.load_pack(_pack(tmp_path, PG_PACK.format(**pg_server))).validate()
    errors = _errors(report)
    assert "[password_env] the environment variable SG_TEST_PGPW is not set" in errors["revenue"]
    assert "[url] the environment variable SG_TEST_PGPW (written ${SG_TEST_PGPW} in the url)" in errors["total"]


def test_the_password_is_in_no_output_nor_on_stderr(pg_env, tmp_path, monkeypatch):
    """Every report format and stderr, for a run that reads with the password and for one where
    the server refuses it (whose messages are the likeliest to echo it)."""
    monkeypatch.setenv("SG_TEST_WRONG_PW", PASSWORD + "-wrong")
    (tmp_path / "b").mkdir()
    broken = _broken_pack(tmp_path / "b", pg_env["port"], pg_env["url"])
    for pack in (_pack(tmp_path, PG_PACK.format(**pg_env)), broken):
        outputs = []
        for fmt in ("text", "json", "html", "xlsx", "junit", "markdown", "csv"):
            out = tmp_path / f"report.{fmt}"
            run = subprocess.run([sys.executable, "-m", "statguard", "check", str(pack), "-f", fmt, "-o", str(out),
                                  "--output-dir", str(tmp_path / "extra")], capture_output=True, env={**os.environ},
                                 cwd=tmp_path, timeout=300)
            assert run.returncode in (1, 2), run.stderr.decode()
            outputs += [run.stdout, run.stderr, *_contents(out)]
        assert b"cannot connect" in b"".join(outputs) or pack != broken
        for secret in (PASSWORD, PASSWORD + "-wrong"):
            for encoded in {secret.encode(), secret.encode("unicode_escape"), _pct(secret).encode()}:
                assert all(encoded not in o for o in outputs), f"{pack.name}: the password was shown"


def _contents(path: Path) -> list[bytes]:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return [book.read(name) for name in book.namelist()]
    return [path.read_bytes()]


def _pct(text: str) -> str:
    from urllib.parse import quote
    return quote(text, safe="")


def test_exit_code_2_from_the_cli_when_a_database_cannot_be_read(pg_env, tmp_path, monkeypatch):
    monkeypatch.setenv("SG_TEST_WRONG_PW", "nope")
    path = _broken_pack(tmp_path, pg_env["port"], pg_env["url"])
    run = subprocess.run([sys.executable, "-m", "statguard", "check", str(path), "--lang", "en", "-f", "json"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr
    errors = {r["rule_id"]: r["error"] for r in json.loads(run.stdout)["summary"] if r["error"]}
    assert sorted(errors) == ["r_missing", "r_password", "r_query", "r_refused"]
    assert f"{path}:11: [table]" in errors["r_missing"]


# -- SQLite -----------------------------------------------------------------------
def _sqlite_file(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute('CREATE TABLE "企业" (unit TEXT, "营业收入", period TEXT)')
    rows = [(f"U{i:03d}", i * 1.5, "2024-01") for i in range(3000)] + [("X1", "xxx", "2024-01"), ("X2", -2, "2024-02")]
    con.executemany('INSERT INTO "企业" VALUES (?, ?, ?)', rows)
    con.commit()
    con.close()
    return path


SQLITE_PACK = """\
sources:
  企业:
    url: sqlite:///data/s.db
    table: 企业
    unit: unit
    columns: {营业收入: {type: number}, period: {type: date}}
  february:
    url: sqlite:///data/s.db
    query: SELECT unit, "营业收入" AS v FROM "企业" WHERE period = '2024-02';
    unit: unit
rules:
  - {id: positive, kind: row, source: 企业, expr: 营业收入 >= 0}
  - {id: typed, kind: schema, source: 企业}
  - {id: feb, kind: row, source: february, expr: v >= 0}
"""


def test_sqlite_with_a_stray_text_among_numbers(tmp_path):
    """The 3001st value is 'xxx': the column is read again as text, typed by the view, and the
    schema kind finds the value; the file is not changed."""
    pytest.importorskip("adbc_driver_sqlite", reason="the db extra (adbc-driver-sqlite) is not installed")
    (tmp_path / "data").mkdir()
    db = _sqlite_file(tmp_path / "data" / "s.db")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    report = statguard.load_pack(_pack(tmp_path, SQLITE_PACK)).validate()
    assert _errors(report) == {}
    summary = _summary(report)
    assert summary["positive"] == (3000, 1, 1)  # 0 .. 4498.5 pass, -2 fails, 'xxx' is not evaluable
    assert summary["feb"] == (0, 1, 0)
    typed = [v for v in _violations(report) if v["rule_id"] == "typed"]
    assert any("xxx" in str(v["observed"]) + str(v["message"]) for v in typed), typed
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["s.db"]  # no journal or WAL left either


def test_sqlite_errors_are_located(tmp_path):
    pytest.importorskip("adbc_driver_sqlite", reason="the db extra (adbc-driver-sqlite) is not installed")
    (tmp_path / "data").mkdir()
    _sqlite_file(tmp_path / "data" / "s.db")
    (tmp_path / "data" / "text.db").write_text("not a database\n" * 100, encoding="utf-8")
    path = _pack(tmp_path, """\
sources:
  absent: {url: "sqlite:///data/none.db", table: t}
  notdb: {url: "sqlite:///data/text.db", table: t}
  notable: {url: "sqlite:///data/s.db", table: 没有}
  good: {url: "sqlite:///data/s.db", table: 企业}
rules:
  - {id: a, kind: row, source: absent, expr: x > 0}
  - {id: b, kind: row, source: notdb, expr: x > 0}
  - {id: c, kind: row, source: notable, expr: x > 0}
  - {id: d, kind: row, source: good, expr: unit != ''}
""")
    report = statguard.load_pack(path).validate()
    errors = _errors(report)
    assert f"{path}:2: [url] no database file at {tmp_path / 'data' / 'none.db'}" in errors["a"]
    assert f"{path}:3: [url]" in errors["b"] and "not a SQLite database" in errors["b"]
    assert f"{path}:4: [table]" in errors["c"] and "no such table" in errors["c"]
    assert _summary(report)["d"] == (3002, 0, 0)
    assert not (tmp_path / "data" / "none.db").exists()  # reading never creates a database


def test_a_sqlite_query_must_be_one_select_and_creates_no_file(tmp_path):
    pytest.importorskip("adbc_driver_sqlite", reason="the db extra (adbc-driver-sqlite) is not installed")
    (tmp_path / "data").mkdir()
    _sqlite_file(tmp_path / "data" / "s.db")
    path = _pack(tmp_path, """\
sources:
  attach: {url: "sqlite:///data/s.db", query: "ATTACH DATABASE 'created.db' AS x"}
  two: {url: "sqlite:///data/s.db", query: "SELECT 1 AS a; SELECT 2 AS a"}
  duck_two: {url: "duckdb:///data/d.duckdb", query: "SELECT 1 AS a; SET threads = 1"}
  good: {url: "sqlite:///data/s.db", query: 'WITH t AS (SELECT unit FROM "企业") SELECT * FROM t'}
rules:
  - {id: a, kind: row, source: attach, expr: x > 0}
  - {id: b, kind: row, source: two, expr: a > 0}
  - {id: c, kind: row, source: good, expr: unit != ''}
  - {id: e, kind: row, source: duck_two, expr: a > 0}
""")
    with duckdb.connect(str(tmp_path / "data" / "d.duckdb")) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS a")
    report = statguard.load_pack(path).validate()
    errors = _errors(report)
    assert f"{path}:4: [query]" in errors["e"] and "give one SELECT" in errors["e"]
    assert f"{path}:2: [query]" in errors["a"] and "give one SELECT" in errors["a"]
    assert f"{path}:3: [query]" in errors["b"] and "give one SELECT" in errors["b"]
    assert _summary(report)["c"] == (3002, 0, 0)
    assert not list(tmp_path.rglob("created.db"))


# -- DuckDB files -----------------------------------------------------------------
def test_a_sqlite_file_under_duckdb_url_is_named_as_such_and_nothing_is_downloaded(tmp_path):
    (tmp_path / "data").mkdir()
    _sqlite_file(tmp_path / "data" / "s.db")
    home = tmp_path / "home"  # DuckDB would install its sqlite extension under ~/.duckdb
    path = _pack(tmp_path, """\
sources:
  s: {url: "duckdb:///data/s.db", table: 企业}
rules:
  - {id: a, kind: row, source: s, expr: unit != ''}
""")
    out = tmp_path / "r.json"
    run = subprocess.run([sys.executable, "-m", "statguard", "check", str(path), "-o", str(out)], capture_output=True,
                         text=True, env={**os.environ, "HOME": str(home)}, timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    error = json.loads(out.read_text(encoding="utf-8"))["summary"][0]["error"]
    assert f"{path}:2: [url]" in error
    assert "is a SQLite database, not a DuckDB one: write its url as sqlite:///" in error
    assert not home.exists()


def test_duckdb_file_tables_attached_read_only_and_queries_without_file_access(tmp_path):
    db = tmp_path / "stats.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute('CREATE TABLE "企业" AS SELECT * FROM (VALUES (\'A\', 1.5), (\'B\', -2.0), (\'C\', NULL)) '
                    't(unit, "营业收入")')
        con.execute("CREATE SCHEMA s")
        con.execute("CREATE TABLE s.other AS SELECT 'A' AS unit, 3 AS n")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    leak = tmp_path / "leak.csv"
    path = _pack(tmp_path, f"""\
sources:
  企业: {{url: "duckdb:///stats.duckdb", table: 企业, unit: unit}}
  other: {{url: "duckdb:///stats.duckdb", table: s.other, unit: unit}}
  doubled: {{url: "duckdb:///stats.duckdb", query: 'SELECT unit, "营业收入" * 2 AS v FROM "企业"', unit: unit}}
  copier: {{url: "duckdb:///stats.duckdb", query: "COPY (SELECT 1) TO '{leak}'"}}
  missing: {{url: "duckdb:///stats.duckdb", table: nope}}
rules:
  - {{id: a, kind: row, source: 企业, expr: 营业收入 > 0}}
  - {{id: b, kind: row, source: other, expr: n == 3}}
  - {{id: c, kind: row, source: doubled, expr: v > 0}}
  - {{id: d, kind: row, source: copier, expr: x > 0}}
  - {{id: e, kind: row, source: missing, expr: x > 0}}
""")
    report = statguard.load_pack(path).validate()
    assert {k: v for k, v in _summary(report).items() if k in "abc"} == {
        "a": (1, 1, 1), "b": (1, 0, 0), "c": (1, 1, 1)}
    errors = _errors(report)
    assert set(errors) == {"d", "e"}
    assert f"{path}:5: [query]" in errors["d"] and not leak.exists()
    assert f"{path}:6: [table]" in errors["e"] and "nope" in errors["e"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


# -- the pack's declarations ------------------------------------------------------
@pytest.mark.parametrize(("source", "key", "at", "words"), [  # at: where the faulty value begins
    ('{url: "postgresql://u:hunter2@h/db", table: t}', "url", '"postgresql', "holds a password"),
    ('{url: "mysql://h/db", table: t}', "url", '"mysql', "scheme 'mysql'"),
    ('{url: "sqlite:///x.db", table: t, query: SELECT 1}', "query", "SELECT", "both table: and query:"),
    ('{url: "sqlite:///x.db"}', "url", '"sqlite', "no table: or query:"),
    ('{url: "sqlite:///x.db", table: t, path: x.csv}', "path", "x.csv", "'path' is for files"),
    ("{query: SELECT 1}", "query", "SELECT", "needs 'url:'"),
    ("{table: t, path: x.csv}", "table", "t,", "needs 'url:'"),
    ('{table: "a b"}', "table", '"a b"', "table of the Spark catalog"),  # table: alone: Spark's catalog
    ("{table: db.t, format: csv}", "format", "csv}", "'format' does not apply"),
    ('{url: "sqlite://x.db", table: t}', "url", '"sqlite', "three slashes"),
    ('{url: "postgresql://u@h/db", table: t, password_env: "a b"}', "password_env", '"a b"', "environment variable"),
    ('{url: "sqlite:///x.db", table: t, password_env: PW}', "password_env", "PW}", "has no password"),
])
def test_malformed_database_declarations_are_located(tmp_path, source, key, at, words):
    line = f"    {source}"
    path = _pack(tmp_path, f"sources:\n  s:\n{line}\nrules: []\n")
    # a problem of the source, not of the pack: the rules reading s cannot run, the others can
    text = "\n".join(map(str, statguard.load_pack(path).problems))
    assert f"{path}:3:{line.index(at) + 1}: [{key}] " in text and words in text
    assert "hunter2" not in text
    with pytest.raises(PackError):
        statguard.load_pack(path, strict=True)


def test_a_bad_database_url_stops_only_the_rules_reading_it(tmp_path):
    """A misspelled scheme is the source's problem, located, in the pack's language: the rules
    reading the other sources still run, and the run ends with exit 2 (trial 8)."""
    (tmp_path / "a.csv").write_text("a\n1\n-1\n", encoding="utf-8")
    path = _pack(tmp_path, "pack:\n  name: t\n  lang: zh\nsources:\n  a: {path: a.csv, columns: {a: integer}}\n"
                           "  d:\n    url: postgress://u@127.0.0.1:5432/x\n    table: t\nrules:\n"
                           "  - {id: A, kind: row, source: a, expr: a >= 0}\n"
                           "  - {id: D, kind: row, source: d, expr: x >= 0}\n")
    done = subprocess.run([sys.executable, "-m", "statguard", "check", str(path), "-f", "json"],
                          capture_output=True, text=True, encoding="utf-8", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    rows = {r["rule_id"]: r for r in json.loads(done.stdout)["summary"]}
    assert rows["A"]["fails"] == 1 and not rows["A"]["errored"]
    assert rows["D"]["errored"]
    assert rows["D"]["error"].startswith(f"{path}:7:10: [url] 数据源「d」的 url 的协议「postgress」statguard 无法读取")


def test_ci_installs_postgresql():
    script = ROOT / ".ci" / "install-postgres.sh"
    assert script.is_file() and "apt-get" in script.read_text(encoding="utf-8")
    assert "install-postgres.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
