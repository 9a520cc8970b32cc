"""The embedded DuckDB engine: binds sources as views and runs plans set-wise.

Each source gets two views: "raw:<name>" exactly as read, and "<name>" where
declared column types are applied with TRY_CAST (a value that does not fit its
type, NaN and infinity too, becomes NULL there, and the schema kind reports it from the raw view).
The user's data is only ever read.
"""

from __future__ import annotations

import contextlib
import copy
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.checks.plan import ITEMS, NOT_EVALUABLE, STATUS, Items, Plan, lacking_query
from statguard.engine import messages  # noqa: F401  (registers the texts of source.*)
from statguard.engine.readers import (
    FORMATS,
    Layout,
    detect_format,
    expand,
    literal,
    register_file,
    register_frame,
    sheet_of,
    sheet_rows_of,
    split_sheet,
)
from statguard.errors import EngineError, SourceAbsent, SourceError
from statguard.expr import quote_column
from statguard.i18n import say

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Column, Source

DUCK_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
              "date": "DATE", "datetime": "TIMESTAMP"}
# An integer division (//) or remainder (%) by zero is NULL, the missing figure it is, as on Spark: DuckDB's
# default is an error that loses the whole rule (x / 0: statguard.expr.parse makes the division safe; DuckDB's
# ieee_floating_point_ops would do it too, but also turns sqrt(-1) and ln(0) into errors).
# Not reading extensions off the network: statguard runs offline and installs nothing behind the user's back.
CONNECTION_CONFIG = {"error_on_division_by_zero": False, "autoinstall_known_extensions": False}
ITEM_ALIAS = "_sg_item"
STATUSES = ("pass", "fail", "na")


class DuckDBEngine:
    dialect = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        import duckdb
        self._duckdb = duckdb
        self._tmp = tempfile.TemporaryDirectory(prefix="statguard-")
        self._session = False
        self.con = duckdb.connect(":memory:", config=CONNECTION_CONFIG)
        try:
            self.threads = self._configure(threads, memory_limit)
        except EngineError:
            self._close()
            raise
        self.bound: dict[str, dict[str, str]] = {}
        self.described: dict[str, dict[str, Any]] = {}
        self.registered: dict[str, object] = {}  # DataFrames read in place (connection-local in DuckDB)
        # source -> how many threads a scan of it can use, where known (Parquet: its row groups)
        self.scan_widths: dict[str, int | None] = {}
        self.row_counts: dict[str, int] = {}  # source -> rows, where known without reading it
        # source -> the sheet row (as Excel numbers rows) of each record, for a workbook's sheet:
        # the records' numbers in reports (checks.plan.on_sheet)
        self.sheet_rows: dict[str, list[int]] = {}
        self._frames: set[str] = set()  # on a session: the DataFrames registered on its connection

    def _configure(self, threads: int | None, memory_limit: str | None) -> int:
        """Settings of the database: no progress bar (DuckDB draws one on stdout for a statement
        over 2 s, in the middle of a report written there); what does not fit in memory spills
        into the engine's own temporary folder, removed on close (an in-memory database spills
        to ".tmp" in the current directory, the user's); the threads and memory limit asked for.
        Returns the number of threads, read before the memory limit is set (a limit too small
        for anything would fail the read itself)."""
        settings: dict[str, exp.Expression] = {
            "enable_progress_bar": exp.false(),
            "temp_directory": exp.Literal.string(str(Path(self._tmp.name) / "spill")),
        }
        if threads:
            settings["threads"] = exp.Literal.number(int(threads))
        if memory_limit:
            settings["memory_limit"] = exp.Literal.string(memory_limit)
        count = None
        for name, value in settings.items():
            if name == "memory_limit":
                count = self._current_threads()
            try:
                self.con.execute(exp.Set(expressions=[exp.EQ(this=exp.column(name), expression=value)]).sql("duckdb"))
            except self._duckdb.Error as e:
                raise EngineError(f"{name} {value.sql('duckdb')}: {_bare_duckdb(_first_line(e))}") from None
        return count if count is not None else self._current_threads()

    def _current_threads(self) -> int:
        return int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])

    def close(self, wait: bool = True) -> None:
        """Close the connection; the engine that opened the database also closes the database.
        That frees all of DuckDB's memory, which takes a while (10-15 ms at scale factor 1 of
        the shared benchmark): with wait=False it happens on a thread of its own while the
        caller goes on (the interpreter waits for the thread at exit). Where no thread can be
        started (an address-space limit, RLIMIT_AS, that DuckDB's allocator has used up), it
        closes here: the run's results are already made and must not be lost to it."""
        if wait or self._session:
            self._close()
            return
        try:
            threading.Thread(target=self._close_quietly, name="statguard-close").start()
        except RuntimeError:  # "can't start new thread"
            self._close()

    def _close_quietly(self) -> None:
        with contextlib.suppress(Exception):  # nobody is left to tell, and no result depends on it
            self._close()

    def _close(self) -> None:
        try:
            self.con.close()
        finally:
            if not self._session:
                self._tmp.cleanup()

    def register(self, name: str, frame: object) -> None:
        """Expose a DataFrame as `name` (read in place), also to sessions opened later."""
        register_frame(self.con, name, frame)
        self.registered[name] = frame

    def session(self) -> DuckDBEngine:
        """An engine on its own connection to the same database, for running plans on another
        thread: it sees every source bound so far (views are shared; DataFrames, which DuckDB
        registers per connection, are registered again). It leaves the order setting alone
        (see `_order_free`): whoever opens sessions sets it for all. Close it when done."""
        clone = copy.copy(self)
        clone.con = self.con.cursor()
        clone._session = True
        clone._frames = set()
        clone.sync_frames()
        return clone

    def sync_frames(self) -> None:
        """Register on a session the DataFrames bound since it was opened (call it between
        statements: a connection runs one thing at a time)."""
        if not self._session:
            return
        for name, frame in list(self.registered.items()):  # the dict is shared with the engine
            if name not in self._frames:
                register_frame(self.con, name, frame)
                self._frames.add(name)

    def schedule(self, runner: Any) -> Any:
        """How a run's independent plans run on this engine (statguard.runner's Schedule): side
        by side on sessions where DuckDB's own threads cannot fill the cores
        (statguard.engine.duckdb_schedule), else in pack order on this connection."""
        from statguard.engine.duckdb_schedule import Staged
        return Staged(self, runner)

    def preserve_order(self, on: bool) -> None:
        """DuckDB's preserve_insertion_order, a setting of the whole database (all sessions)."""
        self.con.execute(f"SET preserve_insertion_order = {'true' if on else 'false'}")

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(wait=False)  # nothing reads the database after the block

    # -- sources -----------------------------------------------------------
    def bind(self, source: Source, data: pd.DataFrame | str | Path | None) -> None:
        """Make `source` readable under its name; `data` overrides its declared path. Anything
        wrong with the data file is a SourceError naming the source and the file."""
        self.sheet_rows.pop(source.name, None)
        if data is None and source.database is not None:  # a table or query of a SQL database
            from statguard.engine.databases import bind_database
            bind_database(self, source)
            return
        if data is None:
            if source.path is None:
                if source.optional:
                    raise SourceAbsent(say("source.absent"), source=source.name)
                raise SourceError(say("source.no_data"), source=source.name)
            data = source.path
        if not isinstance(data, (str, Path)):
            try:
                self.register("raw:" + source.name, data)
                self._typed_view(source, "raw:" + source.name)
            except self._duckdb.Error as e:  # a column of a type DuckDB cannot read (complex numbers)
                raise SourceError(say("source.cannot_read", why=_bare_duckdb(_first_line(e))),
                                  source=source.name) from None
            self.described[source.name] = {"location": f"<{type(data).__name__}>"}
            if hasattr(data, "__len__"):
                self.row_counts[source.name] = len(data)
            return
        path, sheet = split_sheet(data)
        try:
            self._bind_file(source, path, sheet, given=str(data) != str(source.path))
        except SourceError as e:
            raise SourceError(_bare(e), source=source.name, path=e.path or str(data)) from None
        except (self._duckdb.Error, OSError) as e:
            raise SourceError(say("source.cannot_read", why=_first_line(e)), source=source.name,
                              path=str(data)) from None

    def _bind_file(self, source: Source, path: Path, sheet: str | None = None, given: bool = False) -> None:
        """Bind the file at `path`; `sheet` (from 'book.xlsx#表1') overrides the pack's sheet. A file
        `given` in place of the declared one (--source) is read as its own name says: a county's CSV
        in place of the office's workbook takes neither the workbook's format nor its header: and
        skip:."""
        raw = "raw:" + source.name
        glob = bool(getattr(source, "glob", False))  # the pack's `glob: true`; paths are literal otherwise
        # declared columns are read as text and typed by the view with TRY_CAST, so one
        # stray "xxx" in a number column is a finding, not a failed read
        text = [c.name for c in source.columns.values() if c.type]
        # a workbook's cells have types of their own: only codes (string) and dates are read as declared
        # a given file's name decides its format (one that says nothing, data.txt: the declared one)
        fmt = FORMATS.get(path.suffix.lower(), source.format) if given else source.format
        kept = not given or fmt == "excel"  # a given workbook keeps the declared one's header: and skip:
        layout = Layout(header=getattr(source, "header", None) if kept else None,
                        skip=getattr(source, "skip", None) if kept else None,
                        text=tuple(c.name for c in source.columns.values() if c.type == "string"),
                        dates=tuple(c.name for c in source.columns.values() if c.type in ("date", "datetime")))
        frame = register_file(self.con, raw, path, fmt, sheet if sheet is not None else source.sheet,
                              source.encoding, Path(self._tmp.name), text, glob=glob, layout=layout)
        if frame is not None:
            self.registered[raw] = frame
            rows = sheet_rows_of(frame)
            if rows is not None:
                self.sheet_rows[source.name] = rows
        self._typed_view(source, raw, str(path), sheet_of(frame))
        self.described[source.name] = {"location": str(path)}
        if detect_format(path, fmt) == "parquet":
            groups, rows = self._parquet_shape(expand(path, glob))
            self.scan_widths[source.name] = groups
            if rows is not None:
                self.row_counts[source.name] = rows

    def _parquet_shape(self, files: list[Path]) -> tuple[int | None, int | None]:
        """How many row groups (DuckDB scans one row group per thread) and rows Parquet files
        have, from the files' footers."""
        # one row per file; parquet_metadata, a row per column chunk, is 5x slower
        paths = exp.Array(expressions=[exp.Literal.string(literal(f)) for f in files])
        query = exp.select(exp.Sum(this=exp.column("num_row_groups")), exp.Sum(this=exp.column("num_rows"))).from_(
            exp.Anonymous(this="parquet_file_metadata", expressions=[paths]))
        try:
            groups, rows = self.con.execute(query.sql("duckdb")).fetchall()[0]
        except self._duckdb.Error:
            return None, None
        return (int(groups) if groups is not None else None), (int(rows) if rows is not None else None)

    def read_file(self, path: str | Path) -> pd.DataFrame:
        """The whole file at `path` as a DataFrame, read the way sources are (encoding detection,
        Excel, Parquet; columns as the file types them), e.g. a version to compare."""
        view = "_sg_read"
        register_file(self.con, view, Path(path), None, None, None, Path(self._tmp.name))
        return self.frame(exp.select("*").from_(exp.Table(this=exp.to_identifier(view, quoted=True))))

    def release_memory(self) -> None:
        """Give the memory that finished statements freed back to the system. DuckDB's allocator
        keeps freed pages for reuse, per thread: after statements that ran side by side, a join
        that follows them would otherwise add its hash table to what they kept (measured at scale
        factor 1 of the shared benchmark: peak 248 -> 234 MiB). DuckDB flushes its allocator when
        its worker threads are relaunched, which setting their number does (about 5 ms); the
        number is put back at once. Call it while nothing runs."""
        if self.threads > 1:
            self.con.execute("SET threads = 1")
            self.con.execute(f"SET threads = {int(self.threads)}")

    def bind_view(self, name: str, query: exp.Select, location: str) -> None:
        """Make a computed source (e.g. a derived one) readable under `name` (and "raw:<name>")."""
        for view in (name, "raw:" + name):
            create = exp.Create(this=exp.Table(this=exp.to_identifier(view, quoted=True)), kind="VIEW",
                                expression=query.copy(), replace=True)
            try:
                self.con.execute(create.sql("duckdb"))
            except self._duckdb.Error as e:
                raise SourceError(_first_line(e), source=name) from None
        self.bound[name] = self._describe(name)
        self.described[name] = {"location": location}

    def _typed_view(self, source: Source, raw: str, path: str | None = None, sheet: str | None = None) -> None:
        """The view rules read: declared types applied leniently, dates outside what a report can
        show (years 1-9999) and numbers that are not finite as NULL (`typed_column`). A declared
        column the file at `where` lacks is there too, as an error naming the file at `path`,
        raised only by a rule that reads it (the schema kind reads the raw view and reports the
        column missing); none of them there is an error now."""
        raw_types = self._describe(raw)
        in_sheet = say("source.the_sheet", sheet=sheet) if sheet else say("source.the_file")
        if path is not None:
            self._check_declared(source, raw_types, in_sheet)
        projections: list[exp.Expression] = []
        types: dict[str, str] = {}  # the view's: a TRY_CAST's target, else the raw column's
        for name, duck_type in raw_types.items():
            value, types[name] = typed_column(name, duck_type, source.columns.get(name))
            projections.append(value if isinstance(value, exp.Column) else exp.alias_(value, name, quoted=True))
        if path is not None:
            for name, col in source.columns.items():
                if name not in raw_types:
                    missing = str(SourceError(say("source.missing_column", where=in_sheet, name=name,
                                                  columns=", ".join(raw_types)), source.name, str(path)))
                    target = DUCK_TYPES.get(col.type or "") or "VARCHAR"
                    projections.append(exp.alias_(exp.cast(exp.Anonymous(this="error", expressions=[
                        exp.Literal.string(missing)]), target), name, quoted=True))
                    types[name] = target
        select = exp.select(*projections).from_(exp.Table(this=exp.to_identifier(raw, quoted=True)))
        create = exp.Create(this=exp.Table(this=exp.to_identifier(source.name, quoted=True)), kind="VIEW",
                            expression=select, replace=True)
        self.con.execute(create.sql("duckdb"))
        self.bound[source.name] = types

    @staticmethod
    def _check_declared(source: Source, raw_types: dict[str, str], where: str) -> None:
        """A file holding none of the columns its source declares is the wrong file or sheet."""
        declared = [name for name, col in source.columns.items() if col.required]
        if declared and not any(name in raw_types for name in declared):
            found = ", ".join(raw_types) or say("source.none")
            raise SourceError(say("source.none_declared", where=where, declared=", ".join(declared), found=found))

    def _describe(self, view: str) -> dict[str, str]:
        rel = self.con.table(exp.to_identifier(view, quoted=True).sql("duckdb"))
        return {str(c): str(t) for c, t in zip(rel.columns, rel.types, strict=True)}

    def raw_columns(self, source: str) -> dict[str, str]:
        return self._describe("raw:" + source)

    def row_count(self, source: str) -> int:
        return int(self.scalar(exp.select(exp.Count(this=exp.Star())).from_(
            exp.Table(this=exp.to_identifier(source, quoted=True)))))

    # -- running -----------------------------------------------------------
    def sql(self, tree: exp.Expression) -> str:
        return tree.sql(dialect=self.dialect)

    def scalar(self, tree: exp.Expression) -> Any:
        rows = self.con.execute(self.sql(tree)).fetchall()  # all of it: a result left open blocks the next statement
        return rows[0][0] if rows else None

    def frame(self, tree: exp.Expression) -> pd.DataFrame:
        return self.con.execute(self.sql(tree)).df()

    def rows(self, tree: exp.Expression) -> list[tuple[Any, ...]]:
        """The rows of a query as tuples of Python values."""
        return self.con.execute(self.sql(tree)).fetchall()

    def columns_and_rows(self, tree: exp.Expression) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self.text_rows(self.sql(tree))

    def text_rows(self, text: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a query written as DuckDB SQL text (the schema kind's checks)."""
        cursor = self.con.execute(text)
        return [d[0] for d in cursor.description], cursor.fetchall()

    def arrow(self, tree: exp.Expression) -> Any:
        """The result of a query as a pyarrow Table."""
        return self.con.sql(self.sql(tree)).to_arrow_table()

    def _run_query(self, plan: Plan) -> tuple[dict[str, int], Items]:
        """One pass over the items: status counts plus the failing items, gathered in one
        aggregate, so no item is materialised unless it fails and the plan's query (often
        a join) runs once."""
        assert plan.query is not None
        item = exp.to_identifier(ITEM_ALIAS)
        # copy=False: the wrappers are new trees (a builder's default copy would deep-copy the
        # plan's query at every step); the plan's query is copied once, into the subquery
        query = plan.query.copy()
        flag: exp.Expression | None = None
        if isinstance(query, exp.Select):  # the status computed as a flag where it is made
            for projection in query.expressions:
                if isinstance(projection, exp.Alias) and projection.alias == STATUS:
                    projection.set("this", _flag(projection.this))
                    flag = exp.column(STATUS, quoted=True)
        if flag is None:  # e.g. a UNION of item kinds: mapped from its text
            flag = _flag(exp.column(STATUS, quoted=True))
        summary = exp.select(*_gathered(flag, exp.column(item))).from_(
            exp.Subquery(this=query, alias=exp.TableAlias(this=item)), copy=False)
        return self._unnested(exp.Subquery(this=summary, alias=exp.TableAlias(this=exp.to_identifier("_sg_summary"))),
                              plan)

    def _unnested(self, summary: exp.Expression, plan: Plan, suffix: str = "") -> tuple[dict[str, int], Items]:
        """The counts and failing items of one summary row (n_<status><suffix>, fails<suffix>)
        in one statement: the counts repeated on every failing item; with no failing item, one
        row of NULLs (unnest of [NULL]) still carries the counts and the item columns."""
        listed = exp.Coalesce(this=exp.column("fails" + suffix), expressions=[exp.Array(expressions=[exp.Null()])])
        unnest = exp.Unnest(expressions=[listed, exp.PropertyEQ(this=exp.var("recursive"), expression=exp.true())])
        # BIGINT: count_if gives HUGEINT, which the Python client converts ten times slower
        counts = (exp.alias_(exp.cast(exp.column(f"n_{s}{suffix}"), "BIGINT"), f"n_{s}") for s in STATUSES)
        flat = exp.select(*counts, unnest).from_(summary, copy=False)
        query = exp.select("*").from_(exp.Subquery(this=flat, alias=exp.TableAlias(this=exp.to_identifier("_sg_f"))),
                                      copy=False)
        query = query.order_by(*_order(plan), copy=False)
        cursor = self.con.execute(query.sql(dialect=self.dialect, copy=False))  # a throwaway tree: no copy
        columns = _plain_columns(cursor)
        first = {s: columns.pop(f"n_{s}") for s in STATUSES}
        n = len(first["pass"])
        # count_if over no items at all is NULL
        counted = {s: int(v[0]) for s, v in first.items() if n and v[0]}
        columns.pop(STATUS, None)  # FALSE on every failing item
        if not counted.get("fail"):  # the one row of NULLs
            return counted, Items({name: [] for name in columns}, 0)
        return counted, Items(columns, n)

    def _run_failing(self, plan: Plan) -> tuple[dict[str, int], Items]:
        """A plan's tally and its failing items (Plan.failing) in one statement: the tally
        repeated on every failing item, or once with NULL items when none fails."""
        assert plan.failing is not None and plan.tally is not None
        def named(query: exp.Select, name: str) -> exp.Subquery:
            return exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier(name)))
        marked = exp.select("*", exp.alias_(exp.true(), "_sg_failing")).from_(named(plan.failing, "_sg_f"), copy=False)
        tally = [exp.alias_(exp.cast(exp.column(c, "_sg_t", quoted=True), "BIGINT"), f"_sg_{c}")
                 for c in (ITEMS, NOT_EVALUABLE)]
        query = exp.select(*tally, exp.Column(this=exp.Star(), table=exp.to_identifier("_sg_m")))
        query = query.from_(named(plan.tally, "_sg_t"), copy=False).join(
            exp.Subquery(this=marked, alias=exp.TableAlias(this=exp.to_identifier("_sg_m"))),
            on=exp.true(), join_type="LEFT", copy=False)
        query = query.order_by(*_order(plan), copy=False)
        columns = _plain_columns(self.con.execute(query.sql(dialect=self.dialect, copy=False)))
        items, na, marks = (columns.pop(c) for c in (f"_sg_{ITEMS}", f"_sg_{NOT_EVALUABLE}", "_sg_failing"))
        total, na_count = (int(items[0] or 0), int(na[0] or 0)) if items else (0, 0)
        failed = sum(1 for m in marks if m)
        counted = {s: n for s, n in (("pass", total - na_count - failed), ("fail", failed), ("na", na_count)) if n}
        if not failed:
            return counted, Items({name: [] for name in columns}, 0)
        return counted, Items(columns, failed)

    def run_fused(self, plans: list[Plan]) -> list[tuple[dict[str, int], Items, float]]:
        """Run fusable plans over the same table (Plan.fusable) in one scan: each plan's
        projections side by side, its WHERE folded into its status (out of scope: NULL, not
        counted), counts and failing items gathered per plan in one aggregate (the items sorted
        as `run` sorts them), fetched as one row and split per plan in Python. A plan whose items
        hold a type the client converts otherwise inside a list than in a column (nested types,
        time zones, ...) then runs alone.

        Returns per plan (counts, failing items, seconds): the seconds are the plan's share
        of the common scan (split evenly) plus its own splitting. Raises EngineError when the
        fused statement fails; the caller then runs the plans one by one."""
        import time
        t0 = time.perf_counter()
        table = _fused_table(plans)
        inner: list[exp.Expression] = []
        outer: list[exp.Expression] = []
        for i, plan in enumerate(plans):
            assert plan.query is not None
            where = plan.query.args.get("where")
            scope = None
            if where is not None:  # records outside it are not items: a flag, apart from the status
                inner.append(_named(exp.Coalesce(this=exp.paren(where.this.copy()), expressions=[exp.false()]),
                                    f"_sg{i}:in"))
                scope = exp.column(f"_sg{i}:in", quoted=True)
            fields = []
            for projection in plan.query.expressions:
                name = projection.alias_or_name
                value = (projection.this if isinstance(projection, exp.Alias) else projection).copy()
                inner.append(_named(_flag(value) if name == STATUS else value, f"_sg{i}:{name}"))
                if name != STATUS:
                    fields.append(exp.PropertyEQ(this=exp.Literal.string(name),
                                                 expression=exp.column(f"_sg{i}:{name}", quoted=True)))
            outer += _gathered(exp.column(f"_sg{i}:{STATUS}", quoted=True), exp.Struct(expressions=fields), f"_{i}",
                               scope, sort=True)
        scan = exp.select(*inner).from_(table.copy(), copy=False)
        records = exp.Subquery(this=scan, alias=exp.TableAlias(this=exp.to_identifier("_sg_r")))
        summary = exp.select(*outer).from_(records, copy=False)
        try:
            with self._order_free():  # fusable plans have no window (Plan.fusable): no need to look
                cursor = self.con.execute(summary.sql(dialect=self.dialect, copy=False))
                types = {d[0]: d[1] for d in cursor.description}
                row = dict(zip(types, cursor.fetchone() or [None] * len(types), strict=True))
        except self._duckdb.Error as e:
            raise EngineError(_first_line(e)) from None
        shared = (time.perf_counter() - t0) / len(plans)
        out = []
        for i, plan in enumerate(plans):
            t1 = time.perf_counter()
            fields = _item_fields(types[f"fails_{i}"])
            # such items are converted as a column of their own: as `run` does it
            counted, fails = _split(row, f"_{i}", fields) if fields is not None else self.run(plan)
            out.append((counted, fails, shared + time.perf_counter() - t1))
        return out

    def run(self, plan: Plan) -> tuple[dict[str, int], pd.DataFrame | Items]:
        """Execute a plan: counts per status and the failing items."""
        try:
            if plan.run is not None:
                return plan.run(self)
            if plan.failing is not None and plan.tally is not None:
                with self._order_free(plan.failing, plan.tally):
                    return self._run_failing(plan)
            assert plan.query is not None
            with self._order_free(plan.query):
                return self._run_query(plan)
        except self._duckdb.Error as e:
            raise EngineError(_first_line(e)) from None

    def lacking(self, plan: Plan) -> Items | None:
        """The items of `plan` that could not be evaluated (status 'na'), in the plan's order, with
        the columns of its failing items; None when the plan has no query to ask (work done in
        Python alone). Asked only for plans that counted such items (R validate's lacking())."""
        query = lacking_query(plan)
        if query is None:
            return None
        try:
            with self._order_free(query):
                cursor = self.con.execute(query.order_by(*_order(plan), copy=False).sql(dialect=self.dialect))
                columns = _plain_columns(cursor)
        except self._duckdb.Error as e:
            raise EngineError(_first_line(e)) from None
        columns.pop(STATUS, None)
        return Items(columns, len(next(iter(columns.values()), [])))

    @contextlib.contextmanager
    def _order_free(self, *queries: exp.Expression) -> Iterator[None]:
        """Let DuckDB reorder rows inside the statement (preserve_insertion_order = false, as the
        hand-written SQL does: less work in parallel joins and aggregates) unless a query has a
        window function, whose numbering without ORDER BY (record numbers) follows the input
        order. Results are ordered explicitly, and kinds' list aggregates sort, so nothing else
        depends on it."""
        if self._session or any(q.find(exp.Window) is not None for q in queries):
            yield  # a session runs order-free plans while the setting is off for the whole database
            return
        self.preserve_order(False)
        try:
            yield
        finally:
            self.preserve_order(True)


def _gathered(flag: exp.Expression, item: exp.Expression, suffix: str = "",
              scope: exp.Expression | None = None, sort: bool = False) -> list[exp.Expression]:
    """n_pass, n_fail, n_na and the list of failing items (fails), as aggregates over the
    items' status flags (`_flag`; count_if: about half the cost of count(*) FILTER (WHERE
    ...) in DuckDB), counting only rows where `scope` holds when given. With `sort`, the items
    (structs) are sorted by all their fields, left to right, as `_unnested`'s ORDER BY ALL sorts
    them: list_sort orders structs field by field with NULLs and NaN last, as ORDER BY does
    (list_sort after the aggregate costs less than an ordered aggregate: 300 fused row rules,
    0.3 s and 10-30 MB less)."""
    verdicts = {"pass": flag.copy(), "fail": exp.Not(this=flag.copy()),
                "na": exp.Is(this=flag.copy(), expression=exp.Null())}
    if scope is not None:
        verdicts = {s: exp.and_(scope.copy(), v) for s, v in verdicts.items()}
    counts = [exp.alias_(exp.CountIf(this=verdicts[s]), f"n_{s}{suffix}") for s in STATUSES]
    fails: exp.Expression = exp.Filter(this=exp.ArrayAgg(this=item), expression=exp.Where(this=verdicts["fail"].copy()))
    if sort:
        fails = exp.Anonymous(this="list_sort", expressions=[fails])
    return [*counts, exp.alias_(fails, "fails" + suffix)]


def _named(value: exp.Expression, name: str) -> exp.Alias:
    """`value AS "name"`, built directly (exp.alias_ parses and copies: a tenth of a fused scan's
    Python time)."""
    return exp.Alias(this=value, alias=exp.to_identifier(name, quoted=True))


def _item_fields(list_type: Any) -> dict[str, str] | None:
    """The fields of a fused plan's failing items (a LIST of STRUCT) with their types, when the
    client converts every one of them inside a list exactly as in a column of its own (the plain
    scalar types below), else None."""
    child = getattr(list_type, "child", None)
    if child is None or getattr(child, "id", None) != "struct":
        return None
    fields = {str(name): str(duck_type).upper() for name, duck_type in child.children}
    if not all(t in _SPLITTABLE or t.startswith("DECIMAL(") for t in fields.values()):
        return None
    return fields


def _split(row: dict[str, Any], suffix: str, fields: dict[str, str]) -> tuple[dict[str, int], Items]:
    """One plan's counts and failing items from the fetched summary row (n_<status><suffix>,
    fails<suffix>, items already in order), converted as `_unnested` converts them."""
    counted = {s: int(row[f"n_{s}{suffix}"]) for s in STATUSES if row[f"n_{s}{suffix}"]}
    items = row[f"fails{suffix}"] or []
    if not counted.get("fail") or not items:
        return counted, Items({name: [] for name in fields}, 0)
    columns = {name: _converted(duck_type, [item[name] for item in items]) for name, duck_type in fields.items()}
    return counted, Items(columns, len(items))


_VERDICTS = {"pass": exp.true, "fail": exp.false, "na": exp.null}


def _flag(status: exp.Expression) -> exp.Expression:
    """A plan's `_status` ('pass' | 'fail' | 'na') as a boolean: TRUE, FALSE or NULL. Counting
    booleans is cheaper than comparing strings on every item (fused row rules at SF 1 of the
    shared benchmark: 0.057 -> 0.038 s). The status() helper's CASE WHEN (c) IS NULL THEN 'na'
    WHEN c THEN 'pass' ELSE 'fail' END is c itself; other CASEs of status literals keep their
    conditions with boolean results; anything else is mapped by value."""
    def verdict(node: exp.Expression | None) -> str | None:
        return node.name if isinstance(node, exp.Literal) and node.is_string and node.name in _VERDICTS else None

    if verdict(status):
        return _VERDICTS[verdict(status)]()  # type: ignore[index]
    if isinstance(status, exp.Case) and status.this is None:
        ifs, default = status.args.get("ifs") or [], status.args.get("default")
        results = [verdict(branch.args.get("true")) for branch in ifs] + [verdict(default) if default else "na"]
        if all(results):
            first = ifs[0].this if ifs else None
            if (results == ["na", "pass", "fail"] and isinstance(first, exp.Is)
                    and isinstance(first.expression, exp.Null) and isinstance(first.this, exp.Paren)
                    and first.this.this == ifs[1].this):
                # cast as WHEN does implicitly: a 0/1 column or 'true'/'false' text is a condition too
                return exp.cast(exp.paren(ifs[1].this.copy()), exp.DataType.Type.BOOLEAN)
            flagged = exp.Case(ifs=[exp.If(this=branch.this.copy(), true=_VERDICTS[r]())
                                    for branch, r in zip(ifs, results, strict=False)])
            return flagged.else_(_VERDICTS[results[-1]](), copy=False) if default is not None else flagged
    mapped = exp.Case(this=status.copy())
    return mapped.when(exp.Literal.string("pass"), exp.true(), copy=False).when(
        exp.Literal.string("fail"), exp.false(), copy=False)


def _fused_table(plans: list[Plan]) -> exp.Expression:
    tables = {plan.query.args["from_"].this.sql("duckdb") for plan in plans if plan.query is not None}
    if len(tables) != 1 or not all(plan.fusable and plan.run is None for plan in plans):
        raise ValueError("run_fused needs fusable plans over one table")
    first = plans[0].query
    assert first is not None
    return first.args["from_"].this


_DATE_TYPES = {"DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"}


def typed_column(name: str, raw_type: str, col: Column | None) -> tuple[exp.Expression, str]:
    """A raw column as the typed view (both engines') reads it, and its type there: a declared
    type applied leniently, dates outside years 1-9999 as NULL, and a number that is not finite
    (NaN, infinity: from 'NaN' or 'inf' in a file, a float column of a DataFrame or Parquet) as
    NULL, a missing figure, as the schema kind reports it (not a number) and as pandas already
    hands a DataFrame's NaN over, so that an item needing it is not evaluable, whatever the input."""
    target = DUCK_TYPES.get(col.type) if col is not None and col.type else None
    value: exp.Expression = quote_column(name)
    if target and not raw_type.upper().startswith(target):
        value, raw_type = _lenient_cast(value, raw_type, target), target
    if raw_type.upper() in _DATE_TYPES:
        return _in_date_range(value), raw_type
    if raw_type.upper() in _FLOAT_TYPES:
        finite = exp.Anonymous(this="isfinite", expressions=[value.copy()])  # Spark: engine/spark.py
        return exp.Case(ifs=[exp.If(this=finite, true=value)]), raw_type
    return value, raw_type


_FLOAT_TYPES = {"DOUBLE", "FLOAT", "REAL"}


def _in_date_range(value: exp.Expression) -> exp.Expression:
    """A date or timestamp, NULL (not evaluable) outside years 1-9999: DuckDB reads 0000-01-01
    as 1 BC, which no report (nor Python) can show."""
    year = exp.Anonymous(this="year", expressions=[value.copy()])
    inside = exp.Between(this=year, low=exp.Literal.number(1), high=exp.Literal.number(9999))
    return exp.Case(ifs=[exp.If(this=inside, true=value)])


def _lenient_cast(column: exp.Column, duck_type: str, target: str) -> exp.Expression:
    """TRY_CAST of a raw column to its declared type; text is trimmed (and thousands
    separators dropped for numbers) first. Casting trim(x) rather than x also keeps
    DuckDB from pushing the cast into the CSV scan, where it becomes a strict cast."""
    value: exp.Expression = column
    if duck_type.upper() == "VARCHAR":
        value = exp.Trim(this=value)
        if target in ("BIGINT", "DOUBLE"):
            value = exp.Anonymous(this="replace", expressions=[value, exp.Literal.string(","), exp.Literal.string("")])
        if target == "DATE":  # a month written 'YYYY-MM' is its first day, as period windows count months
            month = exp.TryCast(this=exp.Anonymous(this="try_strptime", expressions=[
                value.copy(), exp.Literal.string("%Y-%m")]), to=exp.DataType.build("DATE"))
            return exp.Coalesce(this=exp.TryCast(this=value, to=exp.DataType.build(target)), expressions=[month])
    return exp.TryCast(this=value, to=exp.DataType.build(target))


def _order(plan: Plan) -> list[Any]:
    """The order of a plan's failing items: the plan's own, then every column (DuckDB's
    COLUMNS(*)), so that items tied on the plan's order come out the same in every run (rows
    inside a statement have no order of their own with preserve_insertion_order off)."""
    if not plan.order_by:
        return [exp.Ordered(this=exp.var("ALL"))]
    return [*plan.order_by, exp.Anonymous(this="COLUMNS", expressions=[exp.Star()])]


def _plain_columns(cursor: Any) -> dict[str, list[Any]]:
    """A result as plain Python columns (name -> values), converted column-wise as
    statguard.report.model._plain converts a value: dates as ISO text, NaN and infinities
    as None, decimals as floats; nested and unusual types value by value."""
    names = [d[0] for d in cursor.description]
    types = [str(d[1]).upper() for d in cursor.description]
    if any(t.startswith("TIMESTAMP WITH TIME ZONE") for t in types):
        # the client converts these to Python only with pytz; pandas does it without
        import warnings

        from statguard.report.violations import _plain_column
        with warnings.catch_warnings():  # DuckDB's own use of a deprecated pandas keyword
            warnings.filterwarnings("ignore", message="The inplace keyword")
            frame = cursor.df()
        return {name: _plain_column(frame[name]) for name in frame.columns}
    rows = cursor.fetchall()
    values: list[list[Any]] = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in names]
    return {name: _converted(duck_type, column) for name, duck_type, column in zip(names, types, values, strict=True)}


def _converted(duck_type: str, column: list[Any]) -> list[Any]:
    """A column of the client's Python values, as statguard.report.model._plain makes them."""
    if duck_type in _AS_IS:
        return column
    if duck_type in ("DOUBLE", "FLOAT", "REAL"):
        return [None if v is None or v != v or v in _INFINITE else v for v in column]
    if duck_type == "DATE":
        return [None if v is None else v.isoformat() for v in column]
    from statguard.report.model import _plain
    return [_plain(v) for v in column]


_AS_IS = {"VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER",
          "USMALLINT", "UTINYINT", "BOOLEAN"}
_INFINITE = (float("inf"), float("-inf"))
# field types a fused plan's items are split in Python with (`_item_fields`)
_SPLITTABLE = _AS_IS | {"DOUBLE", "FLOAT", "REAL", "DATE", "TIMESTAMP"}


def _bare(e: SourceError) -> str:
    """A SourceError's message without its "source 'x' path: " prefix."""
    prefix = " ".join(p for p in (f"source '{e.source}'" if e.source else "", e.path or "") if p)
    text = str(e)
    return text[len(prefix) + 2:] if prefix and text.startswith(prefix + ": ") else text


def _bare_duckdb(text: str) -> str:
    """A DuckDB message without its class ("Invalid Input Error: ...")."""
    head, sep, rest = text.partition(" Error: ")
    return rest if sep and head.replace(" ", "").isalpha() and len(head) < 40 else text


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("LINE")]
    return lines[0] if lines else text
