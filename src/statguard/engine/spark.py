"""The Apache Spark engine: the same plans as DuckDB's, rendered as Spark SQL.

Sources are bound as Spark temporary views, as on DuckDB: "raw:<name>" as read, and "<name>"
with the declared types applied leniently (TRY_CAST of the trimmed text, the same sqlglot
trees as DuckDB's typed view, rendered for Spark). Spark's view names cannot hold ':' or
CJK characters, so every view gets a private name (sg<engine>_<n>) and the tables of a
query are renamed as it is rendered; the query still refers to them as the pack does.

Parquet is read by Spark itself (a path or a glob, local or on a cluster's file system);
CSV (UTF-8 or GBK), workbooks, JSON, SQL databases and pandas DataFrames are read on the
driver by the DuckDB readers, exactly as the DuckDB engine reads them, and handed to Spark
as Arrow; a Spark DataFrame, and a table of the session's catalog (`table:` without `url:`),
are taken as they are. Plans run one at a time (Spark spreads one
statement over the cluster itself); plans that run Python over the engine use `scalar` and
`frame`, as on DuckDB.

ANSI mode is off: as in DuckDB, a division by zero or a cast that does not fit is NULL (not
evaluable), not an error that stops the rule.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp

from statguard.checks.plan import ITEMS, NOT_EVALUABLE, STATUS, Items, Plan, lacking_query
from statguard.engine import messages  # noqa: F401  (registers the texts of source.* and engine.*)
from statguard.engine.duckdb import DUCK_TYPES, _fused_table, typed_column
from statguard.errors import EngineError, SourceAbsent, SourceError
from statguard.i18n import say

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Source

STATUSES = ("pass", "fail", "na")
_DEBUG: dict[Any, Any] = {}  # tests may fill it to keep Spark's own exception as the cause
DEFAULT_MASTER = "local[2]"
_SESSION_LOCK = threading.Lock()
_ENGINES = itertools.count(1)
# Spark's type names (DataType.simpleString) as DuckDB names them: kinds read column types as DuckDB's
_TYPES = {"string": "VARCHAR", "bigint": "BIGINT", "int": "INTEGER", "smallint": "SMALLINT", "tinyint": "TINYINT",
          "double": "DOUBLE", "float": "FLOAT", "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
          "timestamp_ntz": "TIMESTAMP", "binary": "BLOB", "void": "VARCHAR"}


def available() -> str | None:
    """None when the Spark engine can run here, else why not (to tell the user)."""
    import importlib.util
    import shutil
    try:
        found = importlib.util.find_spec("pyspark") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return say("engine.no_pyspark")
    import os
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        return say("engine.no_java")
    return None


def spark_session(master: str | None = None) -> Any:
    """The process's SparkSession (one per process: starting one takes seconds), created on first
    use with `master` (local[2] by default; spark://host:7077, yarn, k8s://..., or sc://host for
    Spark Connect). Settings statguard relies on: UTC session time zone, ANSI mode off."""
    import warnings
    # pyspark's warning about the pandas version (at import, and again at each conversion from
    # Arrow): not the user's concern, and noise in a job's log
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from pyspark.sql import SparkSession
    _quiet_query_errors()
    with _SESSION_LOCK:
        if master and master.startswith("sc://"):
            builder = SparkSession.builder.remote(master)
        else:
            builder = SparkSession.builder.master(master or DEFAULT_MASTER).appName("statguard")
            builder = builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
        from pyspark import SparkContext
        ours = SparkContext._active_spark_context is None  # a session of the user's program keeps its settings
        session = builder.getOrCreate()
        if ours and not _is_connect(session):
            _local_partitions(session)
        for key, value in (("spark.sql.session.timeZone", "UTC"), ("spark.sql.ansi.enabled", "false"),
                           ("spark.sql.execution.arrow.pyspark.enabled", "true")):
            session.conf.set(key, value)
        if not _is_connect(session):  # a rule's failed query is reported with the rule, not logged
            session.sparkContext.setLogLevel("FATAL")
        return session


def _quiet_query_errors() -> None:
    """pyspark logs every failed statement with its query context and a Java stack trace (about a
    hundred lines on stderr); statguard reports the failure with its rule instead, so those two
    loggers of pyspark's are silenced."""
    try:
        from pyspark.logger import PySparkLogger
    except ImportError:  # a pyspark without them
        return
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True


def _local_partitions(session: Any) -> None:
    """On local[N], as many shuffle partitions as cores (Spark's default 200 makes tiny tasks on one
    machine), unless the user set them (--conf in PYSPARK_SUBMIT_ARGS, spark-defaults.conf). On a
    cluster Spark's own default stands: a fixed count set here would override the cluster's."""
    import os
    key = "spark.sql.shuffle.partitions"
    conf = session.sparkContext.getConf()
    local = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", conf.get("spark.master", ""))
    if local is None or conf.contains(key):
        return
    cores = local.group(1) or "1"  # local: one thread
    session.conf.set(key, str(os.cpu_count() or 2) if cores == "*" else cores)


def _is_connect(session: Any) -> bool:
    return type(session).__module__.startswith("pyspark.sql.connect")


class SparkEngine:
    """The engine interface of DuckDBEngine over a SparkSession."""

    dialect = "spark"

    def __init__(self, master: str | None = None, spark: Any = None):
        self.spark = spark if spark is not None else spark_session(master)
        self._prefix = f"sg{next(_ENGINES)}_"
        self._views: dict[str, str] = {}  # our name ("raw:x", "x") -> Spark's temporary view
        self._reader: Any = None  # a private DuckDB engine reading files and DataFrames on the driver
        self.bound: dict[str, dict[str, str]] = {}
        self.described: dict[str, dict[str, Any]] = {}
        self.registered: dict[str, object] = {}
        self.scan_widths: dict[str, int | None] = {}
        self.row_counts: dict[str, int] = {}
        self.sheet_rows: dict[str, list[int]] = {}  # as DuckDBEngine.sheet_rows (workbooks are read by it)
        self._local_parquet: dict[str, list[Path]] = {}  # source -> the local Parquet files Spark reads

    # -- the interface the runner uses ------------------------------------------
    def close(self, wait: bool = True) -> None:
        for view in self._views.values():
            with contextlib.suppress(Exception):  # the session may be gone already; the views go with it
                self.spark.catalog.dropTempView(view)
        self._views.clear()
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources -------------------------------------------------------------------
    def bind(self, source: Source, data: Any) -> None:
        """Make `source` readable under its name; `data` overrides its declared path."""
        self.sheet_rows.pop(source.name, None)
        if _is_spark_frame(data):
            self._expose("raw:" + source.name, data)
            self._typed_view(source, "raw:" + source.name)
            self.described[source.name] = {"location": "<Spark DataFrame>"}
            return
        if data is None and source.database is not None and source.database.url is None:
            self._bind_catalog(source)
            return
        if data is None and source.database is None and source.path is None:
            if source.optional:
                raise SourceAbsent(say("source.absent"), source=source.name)
            raise SourceError(say("source.no_data"), source=source.name)
        location = data if isinstance(data, (str, Path)) else source.path if data is None else None
        if location is not None and _is_parquet(source, location):
            self._bind_parquet(source, str(location))
            return
        reader = self._duck()
        reader.bind(source, data)  # the DuckDB readers' checks and located errors, as on DuckDB
        raw = "raw:" + source.name
        table = reader.con.table(exp.to_identifier(raw, quoted=True).sql("duckdb")).to_arrow_table()
        self._expose(raw, self.spark.createDataFrame(table) if table.num_columns else self.spark.range(0).select())
        self._typed_view(source, raw, location if data is None or isinstance(data, (str, Path)) else None)
        self.described[source.name] = dict(reader.described.get(source.name, {}))
        self.row_counts[source.name] = table.num_rows
        if source.name in reader.sheet_rows:
            self.sheet_rows[source.name] = reader.sheet_rows[source.name]

    def _bind_catalog(self, source: Source) -> None:
        """A table of the session's catalog (`table:` without `url:`), read in place by Spark."""
        from statguard.engine.databases import catalog_error
        from statguard.i18n import say
        assert source.database is not None and source.database.table is not None
        shown = say("source.db.catalog", table=source.database.table)
        try:
            frame = self.spark.table(source.database.table)
        except Exception as e:
            raise catalog_error(source, say("source.db.read", shown=shown, why=_first_line(e))) from None
        raw = "raw:" + source.name
        self._expose(raw, frame)
        columns = self._describe(raw)
        declared = [name for name, col in source.columns.items() if col.required]
        if declared and not any(name in columns for name in declared):
            raise catalog_error(source, say("source.db.no_declared", shown=shown, declared=", ".join(declared),
                                            found=", ".join(columns) or say("source.none")))
        self._typed_view(source, raw)
        self.described[source.name] = {"location": shown}

    def _bind_parquet(self, source: Source, path: str) -> None:
        """Parquet read by Spark itself. A path is literal unless the source says `glob: true`, as
        on DuckDB: a local one is expanded (or found missing) by the DuckDB readers' rules, and
        handed to Spark as those files with Hadoop's glob characters escaped; one Spark reads
        elsewhere (hdfs://, s3a://, ...) is escaped unless it is a pattern."""
        from statguard.engine.readers import expand
        local = None if _remote(path) else expand(Path(path.removeprefix("file://")), source.glob)
        if local is None:
            files = [path if source.glob else _hadoop_literal(path)]
        else:
            files = [_hadoop_literal(str(f)) for f in local]
        try:
            frame = self.spark.read.parquet(*files)
        except Exception as e:
            raise SourceError(say("source.cannot_read", why=_first_line(e)), source=source.name, path=path) from None
        self._expose("raw:" + source.name, frame)
        self._typed_view(source, "raw:" + source.name, path)
        self.described[source.name] = {"location": path}
        if local is not None:
            self._local_parquet[source.name] = local

    def _duck(self) -> Any:
        if self._reader is None:
            from statguard.engine.duckdb import DuckDBEngine
            self._reader = DuckDBEngine(threads=2)
        return self._reader

    def register(self, name: str, frame: object) -> None:
        """Expose a DataFrame (pandas, Arrow or Spark) as `name`."""
        if not _is_spark_frame(frame):
            reader = self._duck()
            reader.register("_sg_frame", frame)
            table = reader.con.table('"_sg_frame"').to_arrow_table()
            frame = self.spark.createDataFrame(table)
        self._expose(name, frame)
        self.registered[name] = frame

    def _expose(self, name: str, frame: Any) -> None:
        voids = [f.name for f in frame.schema.fields if f.dataType.simpleString() == "void"]
        if voids:  # a column of nothing but NULLs: text, as DuckDB reads it
            frame = frame.withColumns({c: frame[c].cast("string") for c in voids})
        view = self._views.setdefault(name, f"{self._prefix}{len(self._views)}")
        frame.createOrReplaceTempView(view)

    def bind_view(self, name: str, query: exp.Select, location: str) -> None:
        """Make a computed source (e.g. a derived one) readable under `name` (and "raw:<name>")."""
        for view in (name, "raw:" + name):
            try:
                self._expose(view, self.spark.sql(self.sql(query)))
            except Exception as e:
                raise SourceError(_first_line(e), source=name) from None
        self.bound[name] = self._describe(name)
        self.described[name] = {"location": location}

    def _typed_view(self, source: Source, raw: str, path: Any = None) -> None:
        """As DuckDBEngine._typed_view (statguard.engine.duckdb.typed_column): declared types applied
        leniently, dates outside years 1-9999 and numbers that are not finite as NULL, a declared
        column the file lacks an error raised only when read."""
        raw_types = self._describe(raw)
        if path is not None:
            from statguard.engine.duckdb import DuckDBEngine
            DuckDBEngine._check_declared(source, raw_types, "the file")
        projections: list[exp.Expression] = []
        types: dict[str, str] = {}
        for name, duck_type in raw_types.items():
            value, types[name] = typed_column(name, duck_type, source.columns.get(name))
            projections.append(value if isinstance(value, exp.Column) else exp.alias_(value, name, quoted=True))
        if path is not None:
            for name, col in source.columns.items():
                if name not in raw_types:
                    missing = str(SourceError(say("source.missing_column", where=say("source.the_file"), name=name,
                                                  columns=", ".join(raw_types)), source.name, str(path)))
                    target = DUCK_TYPES.get(col.type or "") or "VARCHAR"
                    projections.append(exp.alias_(exp.cast(exp.Anonymous(this="error", expressions=[
                        exp.Literal.string(missing)]), target), name, quoted=True))
                    types[name] = target
        select = exp.select(*projections).from_(exp.Table(this=exp.to_identifier(raw, quoted=True)))
        self._expose(source.name, self.spark.sql(self.sql(select)))
        self.bound[source.name] = types

    def _describe(self, view: str) -> dict[str, str]:
        schema = self.spark.table(self._views[view]).schema
        return {f.name: _duck_type(f.dataType.simpleString()) for f in schema.fields}

    def raw_columns(self, source: str) -> dict[str, str]:
        return self._describe("raw:" + source)

    def row_count(self, source: str) -> int:
        if source in self.row_counts:  # read on the driver: counted there
            return self.row_counts[source]
        counted = self._footer_rows(source)
        if counted is not None:
            self.row_counts[source] = counted
            return counted
        return int(self.scalar(exp.select(exp.Count(this=exp.Star())).from_(
            exp.Table(this=exp.to_identifier(source, quoted=True)))))

    def _footer_rows(self, source: str) -> int | None:
        """The rows of a source read from Parquet files on this machine, summed from the footers of
        the files bound for Spark to read (its typed view keeps every row): no Spark job. None for
        files elsewhere (hdfs://, s3a://: Spark counts them) or when a footer cannot be read."""
        paths = self._local_parquet.get(source)
        if paths is None:
            return None
        try:
            import pyarrow.parquet as pq
            return sum(pq.read_metadata(path).num_rows for path in paths)
        except Exception:  # Spark's count says what is wrong, if anything
            return None

    # -- running ---------------------------------------------------------------------
    def sql(self, tree: exp.Expression) -> str:
        """`tree` as Spark SQL: the pack's table names as the engine's views, DuckDB's functions
        as Spark's (see `_spark_functions`)."""
        tree = tree.copy()
        ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
        for table in list(tree.find_all(exp.Table)):
            view = self._views.get(table.name) if not table.args.get("db") else None
            if view is not None and table.name in ctes and not _inside_cte(table, table.name):
                continue  # the query's own CTE of that name (inside its definition: the source)
            if view is not None:
                alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name, quoted=True))
                table.set("this", exp.to_identifier(view))
                table.set("alias", alias)
        tree = tree.transform(_spark_functions, copy=False)
        return tree.sql(dialect="spark")

    def _collect(self, tree: exp.Expression) -> tuple[list[str], list[tuple[Any, ...]]]:
        try:
            frame = self.spark.sql(self.sql(tree))
            rows = frame.collect()
        except EngineError:
            raise
        except Exception as e:
            raise EngineError(_first_line(e)) from _DEBUG.get(e)
        return list(frame.columns), [tuple(row) for row in rows]

    def rows(self, tree: exp.Expression) -> list[tuple[Any, ...]]:
        """The rows of a query as tuples of Python values (dates as dates, structs as dicts)."""
        return [tuple(_value(v) for v in row) for row in self._collect(tree)[1]]

    def columns_and_rows(self, tree: exp.Expression) -> tuple[list[str], list[tuple[Any, ...]]]:
        names, rows = self._collect(tree)
        return names, [tuple(_value(v) for v in row) for row in rows]

    def text_rows(self, text: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of a query written as DuckDB SQL text (the schema kind's checks),
        read by sqlglot and rendered in Spark's dialect."""
        import sqlglot
        return self.columns_and_rows(sqlglot.parse_one(text, read="duckdb"))

    def arrow(self, tree: exp.Expression) -> Any:
        """The result of a query as a pyarrow Table."""
        try:
            return self.spark.sql(self.sql(tree)).toArrow()
        except Exception as e:
            raise EngineError(_first_line(e)) from _DEBUG.get(e)

    def scalar(self, tree: exp.Expression) -> Any:
        _, rows = self._collect(tree)
        return rows[0][0] if rows else None

    def frame(self, tree: exp.Expression) -> pd.DataFrame:
        """The result of a query as pandas, as DuckDB's client converts it (through Arrow)."""
        frame = self.arrow(tree).to_pandas()
        return frame

    def run(self, plan: Plan) -> tuple[dict[str, int], pd.DataFrame | Items]:
        """Execute a plan: counts per status and the failing items, as DuckDBEngine.run gives them."""
        if plan.run is not None:
            return plan.run(self)
        if plan.failing is not None and plan.tally is not None:
            return self._run_failing(plan)
        assert plan.query is not None
        return self._run_query(plan)

    def _run_query(self, plan: Plan) -> tuple[dict[str, int], Items]:
        """The counts of every status and the failing items in one statement that reads the
        plan's query once, as DuckDBEngine._run_query does: one aggregate (count_if per status,
        the failing items collected as structs), its list unnested (one row of NULL items when
        none fails) and sorted in the plan's order. A CTE read by both the counts and the items
        would be read twice: Spark inlines a CTE into each reader (the shared benchmark's row
        rules scanned claims twice each, and the coverage rule ran its join twice)."""
        assert plan.query is not None
        item_names = self._columns(plan.query)
        status = exp.column(STATUS, quoted=True)
        summary = exp.select(*_gathered(_status_flags(status), item_names)).from_(_named(plan.query, "_sg_q"))
        names = [f"_sg_n_{s}" for s in STATUSES]
        unnested = exp.select(*(exp.column(n) for n in names),
                              exp.Anonymous(this="inline_outer", expressions=[exp.column("_sg_fails")]))
        query = exp.select("*").from_(_named(unnested.from_(_named(summary, "_sg_a")), "_sg_f"))
        names_, rows = self._collect(query.order_by(*_order(plan, item_names)))
        columns = {name: [_python(row[i]) for row in rows] for i, name in enumerate(names_)}
        counted = {s: n for s, n in zip(STATUSES, (int(columns.pop(c)[0] or 0) for c in names), strict=True) if n}
        columns.pop(STATUS, None)
        if not counted.get("fail"):
            return counted, Items({name: [] for name in columns}, 0)
        return counted, Items(columns, counted["fail"])

    def run_fused(self, plans: list[Plan]) -> list[tuple[dict[str, int], Items, float]]:
        """Fusable plans over the same table (Plan.fusable: per-record rules) in one scan, as
        DuckDBEngine.run_fused runs them: each plan's projections side by side, its WHERE folded
        into its status, its counts and failing items gathered in one aggregate, fetched as one
        row. The items are sorted here, every field ascending with NULLs (and NaN) last, as
        ORDER BY sorts them in `_run_query` (fusable plans have no order of their own); a plan
        whose items hold other than plain values then runs alone. Returns per plan (counts,
        failing items, seconds: an even share of the scan plus its own sorting). Raises
        EngineError when the fused statement fails; the caller then runs the plans one by one."""
        import time
        t0 = time.perf_counter()
        if any(plan.order_by for plan in plans):
            raise EngineError(say("engine.spark_one_by_one"))
        table = _fused_table(plans)
        inner: list[exp.Expression] = []
        outer: list[exp.Expression] = []
        for i, plan in enumerate(plans):
            assert plan.query is not None
            where = plan.query.args.get("where")
            inside = exp.true()
            if where is not None:  # records outside it are not items
                inner.append(exp.alias_(exp.Coalesce(this=exp.paren(where.this.copy()), expressions=[exp.false()]),
                                        f"_sg{i}_in", quoted=True))
                inside = exp.column(f"_sg{i}_in", quoted=True)
            names = []
            for projection in plan.query.expressions:
                name = projection.alias_or_name
                value = projection.this if isinstance(projection, exp.Alias) else projection
                inner.append(exp.alias_(value.copy(), f"_sg{i}_{len(names)}", quoted=True))
                names.append(name)
            status = exp.column(f"_sg{i}_{names.index(STATUS)}", quoted=True)
            columns = [f"_sg{i}_{k}" for k in range(len(names))]
            outer += _gathered(_status_flags(status, inside), names, f"_{i}", columns)
        scan = exp.select(*inner).from_(table.copy())
        names_, rows = self._collect(exp.select(*outer).from_(_named(scan, "_sg_r")))
        row = dict(zip(names_, rows[0], strict=True))
        shared = (time.perf_counter() - t0) / len(plans)
        out = []
        for i, plan in enumerate(plans):
            t1 = time.perf_counter()
            counted = {s: int(row[f"_sg_n_{s}_{i}"] or 0) for s in STATUSES if row[f"_sg_n_{s}_{i}"]}
            items = [item.asDict() for item in row[f"_sg_fails_{i}"] or []]
            if items and not all(_plain_value(v) for item in items for v in item.values()):
                counted, fails = self.run(plan)
            else:
                items.sort(key=lambda item: tuple(_last_key(v) for v in item.values()))
                names = [n for n in (items[0] if items else {}) if n != STATUS]
                fails = Items({n: [_python(item[n]) for item in items] for n in names}, len(items))
            out.append((counted, fails, shared + time.perf_counter() - t1))
        return out

    def _run_failing(self, plan: Plan) -> tuple[dict[str, int], Items]:
        """A plan's tally and its failing items (two statements: each may hold CTEs of the same names)."""
        assert plan.failing is not None and plan.tally is not None
        tally = exp.select(*(exp.alias_(exp.cast(exp.column(c, quoted=True), "BIGINT"), f"_sg_{c}")
                             for c in (ITEMS, NOT_EVALUABLE))).from_(_named(plan.tally, "_sg_t"))
        counted = self._collect(tally)[1]
        total, na = (int(counted[0][0] or 0), int(counted[0][1] or 0)) if counted else (0, 0)
        # the failing items collected into one list and sorted after it: a global ORDER BY over the
        # plan's query would first sample it (range partitioning), running its join a second time
        item_names = self._columns(plan.failing)
        collected = exp.select(exp.alias_(exp.Anonymous(this="collect_list", expressions=[_item(item_names)]),
                                          "_sg_fails")).from_(_named(plan.failing, "_sg_f"))
        unnested = exp.select(exp.Anonymous(this="inline", expressions=[exp.column("_sg_fails")])).from_(
            _named(collected, "_sg_a"))
        names, rows = self._collect(exp.select("*").from_(_named(unnested, "_sg_g")).order_by(
            *_order(plan, item_names)))
        failed = len(rows)
        counts = {s: n for s, n in (("pass", total - na - failed), ("fail", failed), ("na", na)) if n}
        if not failed:
            return counts, Items({name: [] for name in names}, 0)
        return counts, Items({name: [_python(row[i]) for row in rows] for i, name in enumerate(names)}, failed)

    def lacking(self, plan: Plan) -> Items | None:
        """The items of `plan` that could not be evaluated, as DuckDBEngine.lacking gives them."""
        query = lacking_query(plan)
        if query is None:
            return None
        names, rows = self._collect(query.order_by(*_order(plan, self._columns(query)), copy=False))
        columns = {name: [_python(row[i]) for row in rows] for i, name in enumerate(names)}
        columns.pop(STATUS, None)
        return Items(columns, len(rows))

    def _columns(self, query: exp.Expression) -> list[str]:
        """The output columns of a query: read from the tree when every projection is named (most
        plans), else from Spark's analysis of it (a statement planned in the JVM: 0.1-1 s)."""
        named = _named_outputs(query)
        if named is not None:
            return named
        try:
            return list(self.spark.sql(self.sql(query)).columns)
        except Exception as e:
            raise EngineError(_first_line(e)) from None


def _named_outputs(query: exp.Expression) -> list[str] | None:
    """The names of a SELECT's (or a set operation's first SELECT's) projections, or None when one
    is a star or has no name of its own."""
    while isinstance(query, exp.SetOperation):
        query = query.this
    if not isinstance(query, exp.Select):
        return None
    names = []
    for projection in query.expressions:
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and projection.is_star):
            return None
        name = projection.alias_or_name
        if not name or not isinstance(projection, (exp.Alias, exp.Column)):
            return None
        names.append(name)
    return names


def _inside_cte(node: exp.Expression, name: str) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, exp.CTE) and parent.alias == name:
            return True
        parent = parent.parent
    return False


def _status_flags(status: exp.Expression, inside: exp.Expression | None = None) -> dict[str, exp.Expression]:
    """Per status, the flag count_if counts: 'pass', 'fail', and 'na' for anything else (NULL
    too); with `inside` (a plan's WHERE folded into a flag), records outside it count as none."""
    def within(flag: exp.Expression) -> exp.Expression:
        return flag if inside is None else exp.and_(inside.copy(), flag)
    flags = {s: within(exp.EQ(this=status.copy(), expression=exp.Literal.string(s))) for s in ("pass", "fail")}
    flags["na"] = within(exp.not_(exp.Coalesce(this=exp.or_(flags["pass"].copy(), flags["fail"].copy()),
                                               expressions=[exp.false()])))
    return flags


def _gathered(flags: dict[str, exp.Expression], names: list[str], suffix: str = "",
              columns: list[str] | None = None) -> list[exp.Expression]:
    """_sg_n_<status><suffix> (count_if of each status's flag) and _sg_fails<suffix>: the failing
    items, as structs of the columns `names` (read from `columns`, the same by default)."""
    item = _item(names, columns)
    counts = [exp.alias_(exp.CountIf(this=flags[s].copy()), f"_sg_n_{s}{suffix}") for s in STATUSES]
    fails = exp.Filter(this=exp.Anonymous(this="collect_list", expressions=[item]),
                       expression=exp.Where(this=flags["fail"].copy()))
    return [*counts, exp.alias_(fails, f"_sg_fails{suffix}")]


def _item(names: list[str], columns: list[str] | None = None) -> exp.Expression:
    """An item as a struct of the columns `names` (read from `columns`, the same by default)."""
    fields: list[exp.Expression] = []
    for name, column in zip(names, columns or names, strict=True):
        fields += [exp.Literal.string(name), exp.column(column, quoted=True)]
    return exp.Anonymous(this="named_struct", expressions=fields)


def _plain_value(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, Decimal, date))


def _last_key(value: Any) -> tuple[bool, bool, Any]:
    """A sort key of a plain value: ascending, NULLs then NaN last (as Spark's ORDER BY x NULLS LAST)."""
    if value is None:
        return (True, False, 0)
    if isinstance(value, float) and value != value:
        return (False, True, 0.0)
    return (False, False, value)


def _named(query: exp.Expression, name: str) -> exp.Subquery:
    return exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier(name)))


def _order(plan: Plan, columns: list[str]) -> list[exp.Expression]:
    """The plan's order (written in DuckDB's SQL, whose NULLs sort last), then every item column
    ascending with NULLs last, as DuckDB's ORDER BY ALL / COLUMNS(*) sorts them."""
    out: list[exp.Expression] = []
    for text in plan.order_by:
        ordered = sqlglot.parse_one(f"SELECT 1 ORDER BY {text}", read="duckdb").args["order"].expressions
        out += ordered
    return [*out, *(exp.Ordered(this=exp.column(c, quoted=True), nulls_first=False) for c in columns)]


# DuckDB functions the kinds use that sqlglot renders under their DuckDB names: Spark's own
_RENAMED = {"error": "raise_error", "list_sort": "array_sort", "arg_min": "min_by", "arg_max": "max_by"}


def _spark_functions(node: exp.Expression) -> exp.Expression:
    """DuckDB's functions and habits in a tree, as Spark has them. sqlglot's transform does not
    descend into a replacement, so a replacement's own children are transformed here."""
    new = _rewritten(node)
    return new if new is node else new.transform(_spark_functions, copy=False)


def _rewritten(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Window) and isinstance(node.this, (exp.RowNumber, exp.Lag, exp.Lead)) \
            and not node.args.get("order"):
        # numbering in input order (DuckDB's row_number() OVER ()): Spark needs an order; the
        # increasing ids of a scan follow the input's order, partition after partition
        window = node.copy()
        window.set("order", exp.Order(expressions=[exp.Ordered(this=exp.Anonymous(
            this="monotonically_increasing_id"))]))
        return window
    if isinstance(node, exp.If) and isinstance(node.parent, exp.Case) and _bare_column(node.this):
        # a 0/1 column or 'true'/'false' text as a condition: DuckDB casts it implicitly, Spark does not
        return exp.If(this=exp.cast(node.this, "BOOLEAN"), true=node.args.get("true"))
    if isinstance(node, exp.If) and not isinstance(node.parent, exp.Case) and node.args.get("false") is None:
        return exp.If(this=node.this, true=node.args.get("true"), false=exp.null())  # DuckDB's if(c, x)
    if isinstance(node, exp.Glob):  # GLOB as a regular expression matched in full
        return exp.RegexpLike(this=node.this, expression=_glob_regex(node.expression))
    if (isinstance(node, exp.Trunc) and not node.args.get("decimals")) or (
            isinstance(node, exp.Anonymous) and node.name.lower() == "trunc" and len(node.expressions) == 1):
        value = node.this if isinstance(node, exp.Trunc) else node.expressions[0]  # DuckDB's trunc(x): toward zero
        return exp.If(this=exp.GTE(this=value.copy(), expression=exp.Literal.number(0)),
                      true=exp.Floor(this=value.copy()), false=exp.Ceil(this=value.copy()))
    if isinstance(node, exp.Filter) and _ordered(node.this):  # string_agg(... ORDER BY k) FILTER (WHERE c)
        return _ordered_concat(node.this, node.expression)
    if _ordered(node):
        return _ordered_concat(node)
    if isinstance(node, exp.GroupConcat) and not isinstance(node.this, exp.Order) and not isinstance(
            node.parent, exp.Filter):  # string_agg(x, sep): NULL, as in DuckDB, when every x is NULL
        return _joined(exp.Anonymous(this="collect_list", expressions=[node.this.copy()]), node)
    if isinstance(node, exp.Filter) and _listed(node.this):  # array_agg(x) FILTER (WHERE c)
        return _list(node.this, node.expression)
    if _listed(node):
        return _list(node)
    if isinstance(node, exp.Cast) and node.to.is_type(*exp.DataType.TEXT_TYPES) and _is_list(node.this):
        return _list_text(node.this)
    if isinstance(node, exp.PercentileCont) and node.args.get("expression") is not None:
        # DuckDB's quantile_cont(x, p): Spark's exact percentile(x, p) interpolates as it does, also in a
        # window (Spark's percentile_cont takes p alone, with WITHIN GROUP)
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, (exp.Greatest, exp.Least)) and not node.args.get("ignore_nulls"):
        # a tree's GREATEST/LEAST is NULL when any argument is (sqlglot writes that for DuckDB with a
        # CASE); Spark's skips NULLs, so the same CASE is written here
        args = [node.this, *node.expressions]
        plain = type(node)(this=node.this.copy(), expressions=[e.copy() for e in node.expressions], ignore_nulls=True)
        return exp.Case().when(exp.or_(*(exp.Is(this=a.copy(), expression=exp.Null()) for a in args)),
                               exp.null()).else_(plain)
    if isinstance(node, (exp.ArgMin, exp.ArgMax)):  # DuckDB's arg_min/arg_max: Spark's min_by/max_by
        return exp.Anonymous(this="min_by" if isinstance(node, exp.ArgMin) else "max_by",
                             expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name in _RENAMED:
            return exp.Anonymous(this=_RENAMED[name], expressions=node.expressions)
        if name == "try_strptime":  # strptime's formats as Spark's datetime patterns, the first that reads
            value, formats = node.expressions
            parsed = [exp.Anonymous(this="try_to_timestamp", expressions=[value.copy(), exp.Literal.string(
                _pattern(f.name))]) for f in (formats.expressions if isinstance(formats, exp.Array) else [formats])]
            return parsed[0] if len(parsed) == 1 else exp.Coalesce(this=parsed[0], expressions=parsed[1:])
        if name == "typeof":  # the type's name as DuckDB gives it (Spark: 'string', DuckDB: 'VARCHAR')
            spark_name = exp.Typeof(this=node.expressions[0])
            case = exp.Case(this=spark_name)
            for spark_type, duck_type in _TYPES.items():
                case = case.when(exp.Literal.string(spark_type), exp.Literal.string(duck_type))
            return case.else_(exp.Upper(this=spark_name.copy()))
        if name == "isfinite":  # dates and numbers: NULL for NULL, false for NaN and infinities
            arg = node.expressions[0]
            if _temporal(arg):  # Spark has no infinite dates, and casts none to a number
                return exp.case().when(exp.Not(this=exp.Is(this=arg, expression=exp.Null())), exp.true())
            value = exp.Abs(this=exp.cast(arg, "DOUBLE"))
            return exp.LT(this=value, expression=exp.cast(exp.Literal.string("Infinity"), "DOUBLE"))
    if isinstance(node, exp.RegexpFullMatch) and isinstance(node.expression, exp.Literal):
        return exp.RegexpLike(this=node.this, expression=exp.Literal.string(f"^(?:{node.expression.name})$"))
    return node


def _temporal(node: exp.Expression) -> bool:
    """Whether `node` is a date or timestamp by its form: a cast to one, Spark's parse of one, or
    the first of several such (the schema kind's reading of a date column)."""
    if isinstance(node, exp.Cast):  # TryCast too
        return node.to.is_type(*exp.DataType.TEMPORAL_TYPES)
    if isinstance(node, exp.Coalesce):
        return all(_temporal(e) for e in (node.this, *node.expressions))
    if isinstance(node, exp.Paren):
        return _temporal(node.this)
    return isinstance(node, exp.Anonymous) and node.name.lower() in ("try_to_timestamp", "to_timestamp", "to_date")


def _ordered(node: exp.Expression) -> bool:
    return isinstance(node, exp.GroupConcat) and isinstance(node.this, exp.Order) and all(
        not o.args.get("desc") for o in node.this.expressions)


def _listed(node: exp.Expression) -> bool:
    """array_agg(x), array_agg(DISTINCT x) or array_agg(x ORDER BY k) (ascending keys)."""
    return isinstance(node, exp.ArrayAgg) and not (isinstance(node.this, exp.Order) and any(
        o.args.get("desc") for o in node.this.expressions))


def _collected(value: exp.Expression, order: list[exp.Ordered], where: exp.Expression | None = None,
               distinct: bool = False) -> exp.Expression:
    """The values of a group as an array, NULLs kept as DuckDB's list() keeps them, sorted by the
    `order` keys (a NULL key after the others unless NULLS FIRST): Spark's collect_list drops NULLs
    and ignores an ORDER BY, so structs of the sort keys and the value (never NULL themselves) are
    collected, sorted, and the values taken out. A FILTER (`where`) goes on the collecting aggregate."""
    fields: list[exp.Expression] = []
    for i, ordered in enumerate(order):
        key = ordered.this
        flag = exp.Is(this=key.copy(), expression=exp.Null())
        fields += [exp.alias_(exp.not_(flag) if ordered.args.get("nulls_first") else flag, f"n{i}"),
                   exp.alias_(key.copy(), f"k{i}")]
    fields.append(exp.alias_(value.copy(), "v"))
    collected: exp.Expression = exp.Anonymous(this="collect_set" if distinct else "collect_list", expressions=[
        exp.Anonymous(this="struct", expressions=fields)])
    if where is not None:
        collected = exp.Filter(this=collected, expression=where.copy())
    if order:
        collected = exp.Anonymous(this="array_sort", expressions=[collected])
    return exp.Anonymous(this="transform", expressions=[collected, exp.Lambda(
        this=exp.Dot(this=exp.column("x"), expression=exp.to_identifier("v")), expressions=[exp.to_identifier("x")])])


def _list(node: exp.ArrayAgg, where: exp.Expression | None = None) -> exp.Expression:
    inner = node.this
    if isinstance(inner, exp.Order):
        return _collected(inner.this, list(inner.expressions), where)
    if isinstance(inner, exp.Distinct):
        return _collected(inner.expressions[0], [], where, distinct=True)
    return _collected(inner, [], where)


def _is_list(node: exp.Expression) -> bool:
    return isinstance(node, (exp.ArrayAgg, exp.Array)) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in ("list_sort", "array_sort"))


def _list_text(listed: exp.Expression) -> exp.Expression:
    """A list cast to text as DuckDB writes it: [a, NULL, 'c,d'], a value quoted (with \\ and \\' escaped)
    when it is empty, is 'null' in any case, begins or ends with a space, or holds one of "'(),:=[]\\{}
    (Spark's cast would write [a, null, c,d])."""
    text = exp.cast(exp.column("_sg_e"), "STRING")
    special = exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(r"""["'(),:=\[\]\\{}]|^\s|\s$"""))
    quoted = exp.or_(exp.EQ(this=text.copy(), expression=exp.Literal.string("")), special,
                     exp.EQ(this=exp.Lower(this=text.copy()), expression=exp.Literal.string("null")))
    escaped = exp.Anonymous(this="replace", expressions=[exp.Anonymous(this="replace", expressions=[
        text.copy(), exp.Literal.string("\\"), exp.Literal.string("\\\\")]), exp.Literal.string("'"),
        exp.Literal.string("\\'")])
    shown = exp.Case().when(exp.Is(this=exp.column("_sg_e"), expression=exp.Null()), exp.Literal.string("NULL")) \
        .when(quoted, exp.Concat(expressions=[exp.Literal.string("'"), escaped, exp.Literal.string("'")])).else_(text)
    values = exp.Anonymous(this="transform", expressions=[listed.copy(), exp.Lambda(
        this=shown, expressions=[exp.to_identifier("_sg_e")])])
    quoting = exp.Concat(expressions=[exp.Literal.string("["), exp.Anonymous(this="array_join", expressions=[
        values, exp.Literal.string(", ")]), exp.Literal.string("]")])
    # numbers, booleans and dates never need quoting: the list cast to text as a whole, NULLs as NULL,
    # the same text without a lambda per element (its evaluation and code cost a run seconds of CPU:
    # bench/README.md); Spark folds typeof() while planning, so one branch is left
    plain = exp.Concat(expressions=[exp.Literal.string("["), exp.Anonymous(this="array_join", expressions=[
        exp.cast(listed.copy(), "ARRAY<STRING>"), exp.Literal.string(", "), exp.Literal.string("NULL")]),
        exp.Literal.string("]")])
    kind = exp.Typeof(this=listed.copy())
    unquoted = exp.or_(exp.In(this=kind, expressions=[exp.Literal.string(f"array<{t}>") for t in _UNQUOTED]),
                       exp.Like(this=kind.copy(), expression=exp.Literal.string("array<decimal(%")))
    return exp.If(this=unquoted, true=plain, false=quoting)


# element types whose text (Spark's cast to string) never holds what DuckDB quotes in a list's text
_UNQUOTED = ("tinyint", "smallint", "int", "bigint", "float", "double", "boolean", "date")


def _ordered_concat(node: exp.GroupConcat, where: exp.Expression | None = None) -> exp.Expression:
    """string_agg(x, sep ORDER BY k NULLS LAST): Spark's LISTAGG ... WITHIN GROUP fails in its
    analyser inside larger queries (4.x), so the values are collected in order (`_collected`),
    NULLs left out as string_agg leaves them, and joined."""
    order = node.this
    return _joined(_collected(order.this, list(order.expressions), where), node)


def _joined(values: exp.Expression, node: exp.GroupConcat) -> exp.Expression:
    """The array `values` joined with string_agg `node`'s separator, NULLs skipped; NULL when no value
    but NULLs is there, as DuckDB's string_agg over no rows or only NULLs (array_join gives '')."""
    separator = node.args.get("separator") or exp.Literal.string(",")
    joined = exp.Anonymous(this="array_join", expressions=[values, separator.copy()])
    present = exp.Anonymous(this="array_compact", expressions=[values.copy()])
    empty = exp.EQ(this=exp.Anonymous(this="size", expressions=[present]), expression=exp.Literal.number(0))
    return exp.If(this=empty, true=exp.null(), false=joined)


def _bare_column(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Column)


def _pattern(strptime: str) -> str:
    """A strptime format (%Y-%m-%d) as a Spark datetime pattern (yyyy-MM-dd)."""
    out = strptime
    for code, spark in (("%Y", "yyyy"), ("%m", "MM"), ("%d", "dd"), ("%H", "HH"), ("%M", "mm"), ("%S", "ss")):
        out = out.replace(code, spark)
    return out


def _glob_regex(pattern: exp.Expression) -> exp.Expression:
    """A GLOB pattern (* ? [..] [!..]) as an anchored regular expression: a literal translated here,
    patterns read from a table translated by the query (`_glob_regex_sql`)."""
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        return _glob_regex_sql(pattern)
    import re
    out = []
    for part in re.split(r"(\*|\?|\[[^\]]*\])", pattern.name):
        if part == "*":
            out.append(".*")
        elif part == "?":
            out.append(".")
        elif part.startswith("[") and part.endswith("]") and len(part) > 2:
            out.append("[^" + part[2:] if part[1] == "!" else part)
        else:
            out.append(re.escape(part))
    return exp.Literal.string("^" + "".join(out) + "$")


def _glob_regex_sql(pattern: exp.Expression) -> exp.Expression:
    """As `_glob_regex`, for patterns known only when the query runs: the regular expression's own
    characters escaped, [! as [^, then * and ? outside brackets as .* and . (the lookahead: no ']'
    before the next '[')."""
    outside = r"(?![^\[]*\])"
    steps = ((r"([.^$+(){}|\\])", r"\\$1"), (r"\[!", "[^"), (r"\*" + outside, ".*"), (r"\?" + outside, "."))
    out = pattern.copy()
    for find, replace in steps:
        out = exp.Anonymous(this="regexp_replace", expressions=[out, exp.Literal.string(find),
                                                                exp.Literal.string(replace)])
    return exp.Concat(expressions=[exp.Literal.string("^"), out, exp.Literal.string("$")])


def _duck_type(spark_type: str) -> str:
    if spark_type.startswith("decimal"):
        return spark_type.upper()
    return _TYPES.get(spark_type, spark_type.upper())


def _value(value: Any) -> Any:
    """A value of a Spark Row as DuckDB's client gives it: structs as dicts, arrays as lists."""
    if hasattr(value, "asDict"):
        return {k: _value(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def _python(value: Any) -> Any:
    """A value of a Spark Row as DuckDB's client hands it over (structs as dicts, lists as lists),
    made plain as statguard.report.model._plain makes it."""
    if value is None or type(value) in (str, int, bool):
        return value
    if hasattr(value, "asDict"):
        return {k: _python(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [_python(v) for v in value]
    from datetime import date, datetime
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    from statguard.report.model import _plain
    return _plain(value)


def _is_spark_frame(data: Any) -> bool:
    return type(data).__module__.startswith("pyspark.sql") and hasattr(data, "createOrReplaceTempView")


def _remote(path: str) -> bool:
    """Whether Spark reads `path` from elsewhere than this machine's files (a scheme other than file:)."""
    scheme, sep, _ = path.partition("://")
    return bool(sep) and scheme.lower() != "file" and scheme.isalnum()


_HADOOP_GLOB = re.compile(r"([\\*?\[\]{}])")


def _hadoop_literal(path: str) -> str:
    """`path` as Hadoop's glob reads it literally: its glob characters escaped with a backslash."""
    return _HADOOP_GLOB.sub(r"\\\1", path)


def _is_parquet(source: Source, location: Any) -> bool:
    text = str(location)
    fmt = getattr(source, "format", None)
    return fmt == "parquet" or (fmt is None and text.lower().endswith((".parquet", ".pq")))


def _first_line(e: Exception) -> str:
    java = getattr(e, "java_exception", None)  # py4j's error says only which call failed
    text = str(java if java is not None else e).strip()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("JVM stacktrace")]
    return lines[0] if lines else text
