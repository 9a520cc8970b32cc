"""The embedded DuckDB engine: binds sources as views and runs plans set-wise.

Each source gets two views: "raw:<name>" exactly as read, and "<name>" where
declared column types are applied with TRY_CAST (a value that does not fit its
type becomes NULL there, and the schema kind reports it from the raw view).
The user's data is only ever read.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.checks.plan import STATUS, Plan
from statguard.engine.readers import register_file, register_frame
from statguard.errors import EngineError, SourceError
from statguard.expr import quote_column

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Source

DUCK_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
              "date": "DATE", "datetime": "TIMESTAMP"}
ITEM_ALIAS = "_sg_item"
STATUSES = ("pass", "fail", "na")


class DuckDBEngine:
    dialect = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None):
        import duckdb
        self._duckdb = duckdb
        self.con = duckdb.connect(":memory:")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(exp.Set(expressions=[exp.EQ(this=exp.column("memory_limit"),
                                                         expression=exp.Literal.string(memory_limit))]).sql("duckdb"))
        self._tmp = tempfile.TemporaryDirectory(prefix="statguard-")
        self.bound: dict[str, dict[str, str]] = {}
        self.described: dict[str, dict[str, Any]] = {}

    def close(self) -> None:
        self.con.close()
        self._tmp.cleanup()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources -----------------------------------------------------------
    def bind(self, source: Source, data: pd.DataFrame | str | Path | None) -> None:
        """Make `source` readable under its name; `data` overrides its declared path."""
        raw = "raw:" + source.name
        where: str
        if data is None:
            if source.path is None:
                raise SourceError("no data given and the pack declares no path for it", source=source.name)
            data = source.path
        if isinstance(data, (str, Path)):
            where = str(data)
            try:
                # declared columns are read as text and typed by the view with TRY_CAST, so one
                # stray "xxx" in a number column is a finding, not a failed read
                text = [c.name for c in source.columns.values() if c.type]
                register_file(self.con, raw, Path(data), source.format, source.sheet, source.encoding,
                              Path(self._tmp.name), text)
            except SourceError as e:
                raise SourceError(str(e).split(": ", 1)[-1], source=source.name, path=where) from None
        else:
            where = f"<{type(data).__name__}>"
            register_frame(self.con, raw, data)
        self._typed_view(source, raw)
        self.described[source.name] = {"location": where}

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

    def _typed_view(self, source: Source, raw: str) -> None:
        raw_types = self._describe(raw)
        projections: list[exp.Expression] = []
        for name, duck_type in raw_types.items():
            col = source.columns.get(name)
            target = DUCK_TYPES.get(col.type) if col is not None and col.type else None
            if target and not duck_type.upper().startswith(target):
                projections.append(exp.alias_(_lenient_cast(quote_column(name), duck_type, target), name, quoted=True))
            else:
                projections.append(quote_column(name))
        select = exp.select(*projections).from_(exp.Table(this=exp.to_identifier(raw, quoted=True)))
        create = exp.Create(this=exp.Table(this=exp.to_identifier(source.name, quoted=True)), kind="VIEW",
                            expression=select, replace=True)
        self.con.execute(create.sql("duckdb"))
        self.bound[source.name] = self._describe(source.name)

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
        row = self.con.execute(self.sql(tree)).fetchone()
        return row[0] if row else None

    def frame(self, tree: exp.Expression) -> pd.DataFrame:
        return self.con.execute(self.sql(tree)).df()

    def _run_query(self, plan: Plan) -> tuple[dict[str, int], pd.DataFrame]:
        """One pass over the items: status counts plus the failing items, gathered in one
        aggregate, so no item is materialised unless it fails and the plan's query (often
        a join) runs once."""
        assert plan.query is not None
        item = exp.to_identifier(ITEM_ALIAS)
        status_col = exp.column(STATUS, quoted=True)

        def when(value: str) -> exp.Where:
            return exp.Where(this=exp.EQ(this=status_col.copy(), expression=exp.Literal.string(value)))

        counts = [exp.alias_(exp.Filter(this=exp.Count(this=exp.Star()), expression=when(s)), "n_" + s)
                  for s in STATUSES]
        gathered = exp.alias_(exp.Filter(this=exp.ArrayAgg(this=exp.column(item)), expression=when("fail")), "fails")
        summary = exp.select(*counts, gathered).from_(exp.Subquery(this=plan.query, alias=exp.TableAlias(this=item)))
        # one statement: the counts repeated on every failing item; with no failing item, one row of
        # NULLs (unnest of [NULL]) still carries the counts and the item columns
        listed = exp.Coalesce(this=exp.column("fails"), expressions=[exp.Array(expressions=[exp.Null()])])
        unnest = exp.Unnest(expressions=[listed, exp.PropertyEQ(this=exp.var("recursive"), expression=exp.true())])
        flat = exp.select(*(f"n_{s}" for s in STATUSES), unnest).from_(
            exp.Subquery(this=summary, alias=exp.TableAlias(this=exp.to_identifier("_sg_summary"))))
        query = exp.select("*").from_(exp.Subquery(this=flat, alias=exp.TableAlias(this=exp.to_identifier("_sg_f"))))
        query = query.order_by(*plan.order_by) if plan.order_by else query.order_by(exp.Ordered(this=exp.var("ALL")))
        frame = self.frame(query)
        first = frame.iloc[0] if len(frame) else None
        counted = {s: int(first[f"n_{s}"]) for s in STATUSES if first is not None and first[f"n_{s}"]}
        frame = frame.drop(columns=[f"n_{s}" for s in STATUSES])
        fails = frame[frame[STATUS] == "fail"].reset_index(drop=True) if counted.get("fail") else frame.iloc[0:0]
        return counted, fails

    def run(self, plan: Plan) -> tuple[dict[str, int], pd.DataFrame]:
        """Execute a plan: counts per status and the failing items."""
        try:
            if plan.run is not None:
                return plan.run(self)
            assert plan.query is not None
            return self._run_query(plan)
        except self._duckdb.Error as e:
            raise EngineError(_first_line(e)) from None


def _lenient_cast(column: exp.Column, duck_type: str, target: str) -> exp.Expression:
    """TRY_CAST of a raw column to its declared type; text is trimmed (and thousands
    separators dropped for numbers) first. Casting trim(x) rather than x also keeps
    DuckDB from pushing the cast into the CSV scan, where it becomes a strict cast."""
    value: exp.Expression = column
    if duck_type.upper() == "VARCHAR":
        value = exp.Trim(this=value)
        if target in ("BIGINT", "DOUBLE"):
            value = exp.Anonymous(this="replace", expressions=[value, exp.Literal.string(","), exp.Literal.string("")])
    return exp.TryCast(this=value, to=exp.DataType.build(target))


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("LINE")]
    return lines[0] if lines else text
