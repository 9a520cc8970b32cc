"""What a rule kind hands to the engine, and what it may ask of it.

A kind's planning function returns a `Plan`: a sqlglot SELECT producing one row
per evaluated item (record or group) with the result columns below. The engine
renders it in its dialect, runs it set-wise, counts statuses and keeps the
failing rows as violations. A kind never writes SQL text itself.

Result columns of a plan's query:
    _status     'pass' | 'fail' | 'na' (not evaluable)
    _unit       reporting unit, when the source has one
    _period     period, when the source has one
    key:<name>  identifying values of the item (record keys or group keys)
    val:<name>  the figures involved, as observed
    _observed   the compared value (left side), _expected the bound or right side
    _imbalance  _observed - _expected where numeric
    _detail     optional free text (e.g. "only in source B")
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.errors import ExpressionError, PackError, Problem
from statguard.expr import Compiled, compile_expression, parse, quote_column
from statguard.i18n import did_you_mean, register, say, spoken, t

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack, Rule, Source

register({
    "plan.undeclared": {
        "en": "column '{column}' is not declared in source '{source}'{hint}: it is taken as a column of the data, "
              "which the run checks",
        "zh": "列“{column}”未在数据源“{source}”中声明{hint}：按数据中的列处理，运行时检查数据是否有此列"},
    "plan.unknown_source": {"en": "unknown source '{name}' (sources: {known})",
                            "zh": "数据源「{name}」不存在（已有数据源：{known}）"},
    "plan.none_declared": {"en": "none declared", "zh": "没有声明任何数据源"},
    "plan.unknown_column": {"en": "unknown column '{column}' in source '{source}'{hint}",
                            "zh": "数据源「{source}」中没有列「{column}」{hint}"},
    "plan.not_in_data.unit": {"en": "unit column '{name}' of source '{source}' is not in its data; its columns: "
                                    "{columns}",
                              "zh": "数据源「{source}」的单位列「{name}」不在其数据中；其列为：{columns}"},
    "plan.not_in_data.period": {"en": "period column '{name}' of source '{source}' is not in its data; its columns: "
                                      "{columns}",
                                "zh": "数据源「{source}」的期别列「{name}」不在其数据中；其列为：{columns}"},
    "plan.not_in_data.key": {"en": "key column '{name}' of source '{source}' is not in its data; its columns: "
                                   "{columns}",
                             "zh": "数据源「{source}」的主键列「{name}」不在其数据中；其列为：{columns}"},
    "plan.no_columns": {"en": "none", "zh": "无"},
})

STATUS, UNIT, PERIOD = "_status", "_unit", "_period"
ITEMS, NOT_EVALUABLE = "_items", "_na"  # the columns of a Plan's tally
OBSERVED, EXPECTED, IMBALANCE, DETAIL = "_observed", "_expected", "_imbalance", "_detail"
KEY, VAL = "key:", "val:"
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                 "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")


@dataclass
class Items:
    """Items of a plan's result as plain Python columns (result column name -> n values; None
    where missing), as the engine hands failing items over without going through pandas."""

    columns: dict[str, list[Any]]
    n: int

    def __len__(self) -> int:
        return self.n

    @classmethod
    def from_rows(cls, rows: list[dict[str, Any]]) -> Items:
        """Items from one dict per item, its columns in the order they first appear (as a
        DataFrame of the same dicts would have them), None where an item lacks one."""
        names = dict.fromkeys(name for row in rows for name in row)
        return cls({name: [row.get(name) for row in rows] for name in names}, len(rows))


def on_sheet(items: Items, rows: list[int] | None) -> Items:
    """`items` with their record numbers (key 'row', see identity_columns: the n-th record of
    the source) as the rows the records stand in on their sheet (`rows`: the sheet row of each
    record, as Excel numbers rows; engine.sheet_rows), so that a clerk finds the record where
    Excel shows it; unchanged for a source read from no sheet (`rows` None)."""
    numbers = items.columns.get(KEY + "row")
    if rows is None or numbers is None:
        return items
    return Items({**items.columns, KEY + "row": [sheet_row(rows, n) for n in numbers]}, items.n)


def sheet_row(rows: list[int] | None, n: Any) -> Any:
    """Record number `n` (from 1) as its sheet row (see on_sheet); as it is where none is known."""
    if rows is None or isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 0 < n <= len(rows):
        return n
    return rows[int(n) - 1]


@dataclass
class Plan:
    """The work of one rule: a query (preferred) or a Python function over the engine."""

    query: exp.Select | None = None
    # For work that cannot be one query: engine -> ({status: count}, failing items)
    run: Callable[[Any], tuple[dict[str, int], pd.DataFrame | Items]] | None = None
    order_by: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    after: Callable[[Any, pd.DataFrame | Items], dict[str, Any]] | None = None  # extra outputs
    # Set by a kind whose query is a plain per-record `SELECT <expressions> FROM <one table>
    # [WHERE <condition>]`: no aggregate, window, join, DISTINCT, ORDER BY or LIMIT, every
    # projection a function of the record alone. The engine may then evaluate it together with
    # other fusable plans over the same table in one scan (results identical to running it alone).
    fusable: bool = False
    # A cheaper way to the same counts and failing items, for kinds where most items pass and
    # deciding that one fails is a join the passing ones need not go through: `failing` selects
    # the failing items alone (the columns of `query`, without _status), `tally` one row with
    # _items (items in scope) and _na (not evaluable among them). The engine then runs these
    # instead of `query`; `query` stays the definition (every item with its status, as
    # `statguard compare` needs them), and the tests hold the two to the same results.
    failing: exp.Select | None = None
    tally: exp.Select | None = None


def lacking_query(plan: Plan) -> exp.Select | None:
    """The items of `plan` that are not evaluable: its query (or, for a plan run in Python over a
    query, the query it names in meta["query"]) filtered to status 'na' (anything but 'pass' or
    'fail', as the engines count it); None when it has no query. Unordered: the engine orders it
    as it orders failing items."""
    query = plan.query if plan.query is not None else plan.meta.get("query")
    if not isinstance(query, exp.Query):  # a SELECT, or a UNION of item kinds
        return None
    status = exp.column(STATUS, quoted=True)
    decided = exp.In(this=status, expressions=[exp.Literal.string("pass"), exp.Literal.string("fail")])
    evaluable = exp.Coalesce(this=decided, expressions=[exp.false()])
    item = exp.Subquery(this=query.copy(), alias=exp.TableAlias(this=exp.to_identifier("_sg_item")))
    return exp.select("*").from_(item, copy=False).where(exp.Not(this=evaluable), copy=False)


class Context:
    """What a planning function may know: the pack, the rule, the bound sources."""

    def __init__(self, pack: Pack, rule: Rule, bound: Mapping[str, Mapping[str, str]] | None = None,
                 dialect: str = "duckdb", options: Mapping[str, Any] | None = None):
        self.pack, self.rule, self.dialect = pack, rule, dialect
        self._bound = bound  # source name -> {column: duckdb type}; None when linting
        self.options = dict(options or {})
        # names taken as columns of the data although their source does not declare them (only
        # without data): for lint to show as notes, never as problems (see `partial`)
        self.undeclared: list[Problem] = []

    @property
    def linting(self) -> bool:
        return self._bound is None

    def source(self, name: str, field_name: str = "source") -> Source:
        if name not in self.pack.sources:
            known = ", ".join(sorted(self.pack.sources)) or say("plan.none_declared")
            raise PackError(self.problem(say("plan.unknown_source", name=name, known=known), field_name))
        return self.pack.sources[name]

    def columns(self, source: str) -> list[str] | None:
        """The columns of `source`: the data's when bound; without data the declared ones, which
        may be only some of the file's (see `partial`), or None when it declares none."""
        if self._bound is not None and source in self._bound:
            return list(self._bound[source])
        return self.source(source).declared

    def partial(self, source: str) -> bool:
        """Whether `columns(source)` may lack columns the data has. Without data it may: a pack
        declares the columns it types or constrains, and undeclared ones keep the type detected
        from the data, so a name it does not declare is left to the run, which checks it against
        the file's header (a located error there if the file lacks it)."""
        return not (self._bound is not None and source in self._bound)

    def types(self, source: str) -> dict[str, str]:
        """Column -> type family ('number', 'string', 'date', ...), as far as known."""
        if self._bound is not None and source in self._bound:
            return {c: _family(t) for c, t in self._bound[source].items()}
        return {c.name: _declared_family(c.type) for c in self.source(source).columns.values()}

    def table(self, source: str, raw: bool = False, alias: str | None = None) -> exp.Table:
        name = ("raw:" if raw else "") + source
        return exp.Table(this=exp.to_identifier(name, quoted=True),
                         alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)) if alias else None)

    def problem(self, message: str, field_name: str | None = None) -> Problem:
        loc = self.rule.raw.where(field_name) if field_name and hasattr(self.rule.raw, "where") else self.rule.loc
        if loc is None:
            return Problem(message, field=field_name)
        quote = 1 if loc.style in ("'", '"') else 0
        line = loc.line + (1 if loc.style in ("|", ">") else 0)
        column = loc.column + quote if loc.style not in ("|", ">") else None
        return Problem(message, loc.file, line, column, field_name)

    def require_column(self, source: str, column: str, field_name: str) -> exp.Column:
        cols = self.columns(source)
        if cols is not None and column not in cols:
            if self.partial(source) and not _looks_like_typo(column, cols):
                self._undeclared(source, column, cols, field_name)
            else:
                raise PackError(self.problem(say("plan.unknown_column", column=column, source=source,
                                                 hint=did_you_mean(column, cols)), field_name))
        return quote_column(column)

    def _undeclared(self, source: str, column: str, declared: list[str], field_name: str) -> None:
        lang = self.options.get("lang") or spoken() or getattr(self.pack, "lang", None)
        hint = did_you_mean(column, declared, aside=True, lang=lang)
        self.undeclared.append(self.problem(t("plan.undeclared", lang, column=column, source=source, hint=hint),
                                            field_name))

    def compile(self, text: str, field_name: str, scopes: Mapping[str | None, str], *,
                condition: bool = True, statistics: bool = False) -> Compiled:
        """Compile an expression of parameter `field_name`; scopes map alias -> source name.
        A condition (`expr`, `where`, `if`) by default; condition=False for a value (`by:
        substr(period, 1, 4)`); `statistics` allows statistics over records (median(x)).
        Without data, names a source does not declare are taken as its columns (`partial`)."""
        columns = {alias: self.columns(src) for alias, src in scopes.items()}
        where = self.problem("", field_name)
        try:
            return compile_expression(text, columns, where, condition=condition, statistics=statistics)
        except ExpressionError as e:
            loose = [a for a, src in scopes.items() if columns[a] is not None and self.partial(src)]
            if not loose:
                raise
            refused = e
        widened = _with_undeclared(text, columns, loose, statistics)
        added = {a: (widened[a] or [])[len(cols or []):] for a, cols in columns.items()}
        if any(_looks_like_typo(name, columns[a] or []) for a, names in added.items() for name in names):
            raise refused  # 'verfied' beside a declared 'verified': the author's typo, not another column
        compiled = compile_expression(text, widened, where, condition=condition, statistics=statistics)
        for alias_name, names in added.items():
            for name in names:
                self._undeclared(scopes[alias_name], name, columns[alias_name] or [], field_name)
        return compiled


def lang_of(ctx: Context) -> str | None:
    """The language a kind writes its texts in: the run's (options["lang"]), else the one spoken around."""
    return ctx.options.get("lang") or spoken()


def _looks_like_typo(name: str, declared: list[str]) -> bool:
    """A name the source does not declare but nearly does ('verfied' beside 'verified',
    '营业收人' beside '营业收入'): without data it is refused as the typo it almost always is,
    with the declared name suggested; a name unlike any declared one is left to the data's
    header (see Context.partial). A file that really has both columns declares the second."""
    import difflib
    return bool(difflib.get_close_matches(name, declared, n=1, cutoff=0.75))



def _with_undeclared(text: str, columns: dict[str | None, list[str] | None], loose: list[str | None],
                     statistics: bool) -> dict[str | None, list[str] | None]:
    """`columns` with the names `text` reads that the `loose` scopes (partial lists) lack added to
    them: `alias.name` to that alias, a bare name no scope has to the main source (None), as the
    expression would resolve once the data's columns are known."""
    try:
        tree = parse(text, statistics=statistics)
    except ExpressionError:
        return columns  # compile_expression reports it
    out = {a: (list(cols) if cols is not None else None) for a, cols in columns.items()}
    for node in tree.find_all(exp.Column):
        parts = [part.name for part in node.parts]
        dotted = ".".join(parts)
        if any(dotted in (cols or []) for cols in out.values()):
            continue
        target = parts[0] if len(parts) == 2 and parts[0] in out else None
        name = parts[1] if target is not None else dotted
        cols = out.get(target)
        if target in loose and cols is not None and name not in cols:
            cols.append(name)
    return out


def _family(duck_type: str) -> str:
    t = duck_type.upper()
    if t.startswith(NUMERIC_TYPES):
        return "number"
    if t.startswith(("DATE", "TIMESTAMP")):
        return "date"
    if t == "BOOLEAN":
        return "boolean"
    return "string"


def _declared_family(declared: str | None) -> str:
    return {"integer": "number", "number": "number", "date": "date", "datetime": "date",
            "boolean": "boolean", "string": "string"}.get(declared or "", "unknown")


def status(condition: exp.Expression) -> exp.Case:
    """'na' when the condition is NULL, else 'pass' or 'fail' (`condition` itself is left alone)."""
    # one copy of the condition per branch; the builders adopt these fresh nodes (copy=False)
    # instead of deep-copying the growing CASE and its arguments once more at every step
    is_null = exp.Is(this=exp.paren(condition.copy(), copy=False), expression=exp.Null())
    return (exp.Case()
            .when(is_null, exp.Literal.string("na"), copy=False)
            .when(condition.copy(), exp.Literal.string("pass"), copy=False)
            .else_(exp.Literal.string("fail"), copy=False))


def number(value: float) -> exp.Literal:
    """A numeric literal of a parameter value (repr keeps every digit of a float)."""
    return exp.Literal.number(repr(value))


def alias(expression: exp.Expression, name: str) -> exp.Alias:
    # a node not yet in any tree is adopted; one already in a tree is copied (the deep copies of
    # alias_'s default copy=True were a third of planning time)
    return exp.alias_(expression, name, quoted=True, copy=expression.parent is not None)


def identity_columns(ctx: Context, source: str, table: str | None = None,
                     keys: Iterable[str] | None = None) -> list[exp.Expression]:
    """_unit, _period and key:<k> projections for the records of `source`."""
    spec = ctx.source(source)
    out: list[exp.Expression] = []
    for role, name in ((UNIT, spec.unit), (PERIOD, spec.period)):
        if name and _identifying(ctx, source, name, role.strip("_"), keys is not None):
            out.append(alias(quote_column(name, table), role))
    key_names = list(keys if keys is not None else spec.keys)
    for k in key_names:
        if _identifying(ctx, source, k, "key", keys is not None):
            out.append(alias(quote_column(k, table), KEY + k))
    if not key_names and not spec.unit:
        out.append(alias(exp.Window(this=exp.RowNumber()), KEY + "row"))
    return out


ROW_NUMBER = "_sg_rn"  # a record's number among all the source's records (numbered_first)


def numbered_first(select: exp.Select) -> exp.Select:
    """`select` with its record numbers (identity_columns' row_number(), key 'row') counted over every
    record of the table it reads, before its WHERE keeps some and its joins add others: the numbering
    moves into a subquery over that table, which keeps the table's name or alias. Unchanged when
    `select` numbers no records."""
    numbering = next((e for e in select.expressions if isinstance(e, exp.Alias) and e.alias == KEY + "row"
                      and isinstance(e.this, exp.Window) and isinstance(e.this.this, exp.RowNumber)), None)
    source = select.args.get("from_")
    if numbering is None or source is None or not isinstance(source.this, exp.Table):
        return select
    table = source.this
    name = table.alias_or_name
    bare = table.copy()
    bare.set("alias", None)
    inner = exp.select(exp.Star(), alias(exp.Window(this=exp.RowNumber()), ROW_NUMBER)).from_(bare, copy=False)
    source.set("this", exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True))))
    numbering.set("this", quote_column(ROW_NUMBER, name))
    return select


def _identifying(ctx: Context, source: str, name: str, role: str, rule_keys: bool) -> bool:
    """Whether the unit, period or key column `name` is there to be shown; a source's own
    declaration naming a column its data lacks is an error located at that declaration (a rule's
    `keys:` are checked by the kind itself)."""
    cols = ctx.columns(source)
    if cols is None or name in cols or ctx.partial(source):
        return True
    if rule_keys and role == "key":
        return False
    spec = ctx.source(source)
    loc = spec.locs.get(f"key:{name}" if role == "key" else role) or spec.loc
    message = say(f"plan.not_in_data.{role}", name=name, source=source,
                  columns=", ".join(cols) or say("plan.no_columns"))
    raise PackError(Problem(message, loc.file if loc else None, loc.line if loc else None,
                            loc.column if loc else None, "keys" if role == "key" else role))


# -- small builders the kinds share ------------------------------------------------------------
def col(name: str, table: str | None = None) -> exp.Column:
    """A quoted column, optionally of a table alias."""
    return quote_column(name, table)


def lit(value: str | int | float) -> exp.Literal:
    """A string or numeric literal."""
    return exp.Literal.string(value) if isinstance(value, str) else number(value)


def ref(name: str, as_: str | None = None) -> exp.Table:
    """A quoted table name (e.g. a WITH table of the query), optionally aliased."""
    return exp.Table(this=exp.to_identifier(name, quoted=True),
                     alias=exp.TableAlias(this=exp.to_identifier(as_, quoted=True)) if as_ else None)


def pieces(key: str, lang: str | None, /, **parts: exp.Expression | str) -> list[exp.Expression | str]:
    """The catalogue's sentence `key` in `lang` cut at its `{name}` placeholders: its words as
    strings, the placeholders as the expressions given (for a kind's detail built in SQL, joined
    with `||` or CONCAT by the caller)."""
    import re
    out: list[exp.Expression | str] = []
    for i, piece in enumerate(re.split(r"\{(\w+)\}", t(key, lang))):
        if i % 2:
            part = parts[piece]
            out.append(part if isinstance(part, str) else part.copy())
        elif piece:
            out.append(piece)
    return out


def count_if(condition: exp.Expression) -> exp.Expression:
    """How many rows of a group satisfy `condition` (0, never NULL, for an empty group)."""
    return exp.Sum(this=exp.Case().when(condition, exp.Literal.number(1)).else_(exp.Literal.number(0)))
