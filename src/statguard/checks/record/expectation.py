"""A named great-expectations (1.x) expectation, run on a source; what it finds unexpected is a violation.

For teams whose checks are already written as GX expectations: `expectation` is
the snake_case name of a GX expectation, `kwargs` its keyword arguments, as in
GX. The name and the arguments are checked against GX's expectation classes
when the pack is linted (great_expectations is imported only then, and only for
packs that use this kind).

What becomes a violation:
- column map expectations (values between, in a set, matching a regex, not
  NULL, unique, column pairs, several columns): one violation per unexpected
  record, with the source's unit, period and keys, the value(s) found and the
  expectation as expected. Items are the records; records GX leaves out are
  not evaluable: for most map expectations a NULL (GX ignores NULLs, except in
  expect_column_values_to_be_null / _not_be_null), for pair and multicolumn
  ones the rows `ignore_row_if` skips. With `mostly` below 1, an expectation
  that holds has no violations (its unexpected records are tolerated).
- table and column aggregate expectations (row count, mean, distinct values,
  columns ...): one item, its observed value against the expectation. An
  aggregate with nothing to aggregate (an empty source, a column of NULLs:
  GX observes no value) is not evaluable.
An empty source gives map expectations no items.

GX runs on a pandas DataFrame of just the columns the expectation reads,
fetched from DuckDB through Arrow; the keys of unexpected records are taken
from the same fetch by GX's `unexpected_index_list`. GX's own `row_condition`
(a pandas query string) is refused: `where:` (statguard's expression language)
selects the records instead. Expectations that need SQL or another table
(unexpected_rows_expectation, expect_query_results_to_match_comparison,
expect_table_row_count_to_equal_other_table) are refused.

Passing example:

    sources:
      retailers: {columns: {turnover: number, size: string}}
    rules:
      - id: E1
        kind: expectation
        source: retailers
        expectation: expect_column_values_to_be_between
        kwargs: {column: turnover, min_value: 0}

Failing data for it: a record with turnover -5 (one violation: observed -5,
imbalance -5); a record with no turnover is not evaluable.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field
from sqlglot import exp

from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    IMBALANCE,
    KEY,
    OBSERVED,
    PERIOD,
    STATUS,
    UNIT,
    VAL,
    Context,
    Plan,
    alias,
    col,
    lang_of,
)
from statguard.checks.registry import Params, rule_kind
from statguard.errors import EngineError, PackError, Problem
from statguard.i18n import CATALOGUE, did_you_mean, register, say, t
from statguard.pack.model import Rule
from statguard.pack.pydantic_words import said

if TYPE_CHECKING:
    import pyarrow as pa

    from statguard.checks.plan import Items

register({
    "msg.expectation.value": {"en": "{column} = {observed} does not meet {expected}",
                              "zh": "「{column}」= {observed}，不符合 {expected}"},
    "msg.expectation.row": {"en": "{detail} does not meet {expected}", "zh": "{detail}，不符合 {expected}"},
    "msg.expectation.aggregate": {"en": "observed {observed}, expected {expected}",
                                  "zh": "实际为 {observed}，应满足 {expected}"},
    "problem.expectation.condition": {"en": "'{name}' is not taken here: give the rule a 'where:' instead",
                                      "zh": "此处不接受 '{name}'：请改为给规则写 'where:'"},
    "problem.expectation.housekeeping": {"en": "'{name}' is not taken here: statguard sets it",
                                         "zh": "此处不接受 '{name}'：由 statguard 设定"},
    "problem.expectation.refused": {"en": "expectation '{name}' is not supported: {why}",
                                    "zh": "不支持 expectation '{name}'：{why}"},
    "problem.expectation.runs_sql": {"en": "it runs SQL text", "zh": "它会执行 SQL 文本"},
    "problem.expectation.other_table": {"en": "it reads another table", "zh": "它会读取另一张表"},
    "problem.expectation.unknown": {"en": "unknown great-expectations expectation '{name}'{hint}",
                                    "zh": "great-expectations 中没有 expectation '{name}'{hint}"},
    "problem.expectation.unknown_argument": {"en": "unknown argument '{field}' of {name} (its arguments: {own}){hint}",
                                             "zh": "{name} 没有参数 '{field}'（其参数为：{own}）{hint}"},
    "problem.expectation.needs": {"en": "{name} needs the argument '{field}'", "zh": "{name} 需要参数 '{field}'"},
    "problem.expectation.argument": {"en": "argument '{field}' of {name}: {error}",
                                     "zh": "{name} 的参数 '{field}'：{error}"},
    "problem.expectation.could_not_run": {"en": "great_expectations could not run {name}: {error}",
                                          "zh": "great_expectations 无法运行 {name}：{error}"},
})

MAP, AGGREGATE, TABLE = "map", "aggregate", "table"
FAMILIES = {"ColumnMapExpectation": MAP, "ColumnPairMapExpectation": MAP, "MulticolumnMapExpectation": MAP,
            "ColumnAggregateExpectation": AGGREGATE, "BatchExpectation": TABLE}
COLUMN_ARGS = ("column", "column_A", "column_B", "column_list")
REFUSED = {"unexpected_rows_expectation": "problem.expectation.runs_sql",  # name -> why, a catalogue key
           "expect_query_results_to_match_comparison": "problem.expectation.runs_sql",
           "expect_table_row_count_to_equal_other_table": "problem.expectation.other_table"}
# arguments of every GX expectation that are not the check's own: statguard sets or refuses them
HOUSEKEEPING = {"id", "meta", "notes", "result_format", "description", "catch_exceptions", "rendered_content",
                "severity", "windows", "batch_id"}
CONDITIONS = {"row_condition", "condition_parser"}
IDENTITY = "_sg_i"
_LOCK = threading.Lock()  # GX's context and batch definition are shared; one validation at a time
_GX: dict[str, Any] = {}


class ExpectationParams(Params):
    source: str = Field(description="Source the expectation runs on.")
    expectation: str = Field(description=(
        "Name of a great-expectations 1.x expectation, e.g. expect_column_values_to_be_between."))
    kwargs: dict[str, Any] = Field(default_factory=dict, description=(
        "The expectation's keyword arguments, as in GX (e.g. {column: turnover, min_value: 0})."))
    where: str | None = Field(None, description="Only records for which this is true are handed to GX.")


@dataclass(frozen=True)
class _Spec:
    """What planning found out about the rule's expectation."""

    name: str
    family: str
    kwargs: dict[str, Any]
    columns: list[str]  # the source columns it reads (empty for table expectations: all of them)
    per_value: bool  # a column map expectation: each unexpected record has one value


@rule_kind("expectation", ExpectationParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: ExpectationParams = rule.params
    ctx.source(p.source)
    spec = _spec(ctx, p)
    where = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    if ctx.linting:
        return Plan()
    key = "msg.expectation." + (("value" if spec.per_value else "row") if spec.family == MAP else "aggregate")
    return Plan(run=lambda engine: _run(engine, ctx, p.source, spec, where), meta={"message": dict(CATALOGUE[key])})


# -- planning: the expectation's name and arguments, as GX defines them -------------------------
def _spec(ctx: Context, p: ExpectationParams) -> _Spec:
    cls = _expectation_class(ctx, p.expectation)
    kwargs = _plain(p.kwargs)
    for name in kwargs:
        if name in CONDITIONS:
            raise PackError(_problem(ctx, say("problem.expectation.condition", name=name), name, True))
        if name in HOUSEKEEPING:
            raise PackError(_problem(ctx, say("problem.expectation.housekeeping", name=name), name, True))
    try:
        cls(**kwargs)
    except Exception as e:  # pydantic's ValidationError (v1 inside GX) or GX's own checks
        raise PackError(_kwarg_problems(ctx, p.expectation, cls, e)) from None
    base = next((b.__name__ for b in cls.__mro__[1:] if b.__name__ in FAMILIES), "BatchExpectation")
    family = FAMILIES[base]
    columns = _columns(ctx, p.source, kwargs) if family != TABLE else []
    return _Spec(p.expectation, family, kwargs, columns, base == "ColumnMapExpectation")


def _expectation_class(ctx: Context, name: str) -> type:
    registered = _gx()["registered"]
    if name in REFUSED:
        why = say(REFUSED[name])
        raise PackError(ctx.problem(say("problem.expectation.refused", name=name, why=why), "expectation"))
    if name not in registered:
        hint = did_you_mean(name, registered)
        raise PackError(ctx.problem(say("problem.expectation.unknown", name=name, hint=hint), "expectation"))
    return registered[name]


def _kwarg_problems(ctx: Context, name: str, cls: type, error: Exception) -> list[Problem]:
    own = [f for f in getattr(cls, "__fields__", {}) if f not in HOUSEKEEPING | CONDITIONS]
    errors = error.errors() if hasattr(error, "errors") else [{"loc": ("__root__",), "msg": str(error)}]
    if any(e.get("loc") and e["loc"][0] != "__root__" for e in errors):
        # a check of the arguments together (min_value or max_value given) only follows from these
        errors = [e for e in errors if e.get("loc") and e["loc"][0] != "__root__"]
    problems: list[Problem] = []
    seen: set[str] = set()
    for err in errors:
        field = str(err["loc"][0]) if err.get("loc") else "__root__"
        if field in seen:  # a field of several accepted types fails once per type: keep the first
            continue
        seen.add(field)
        if err.get("type") == "value_error.extra":
            hint = did_you_mean(field, own, n=1)
            msg = say("problem.expectation.unknown_argument", field=field, name=name, own=", ".join(own), hint=hint)
        elif err.get("type") == "value_error.missing":
            msg, field = say("problem.expectation.needs", name=name, field=field), "__root__"
        elif field == "__root__":
            msg = f"{name}: {err['msg']}"
        else:
            msg = say("problem.expectation.argument", field=field, name=name, error=said(err))
        extra = err.get("type") == "value_error.extra"  # the name is wrong, not the value
        problems.append(_problem(ctx, msg, None if field == "__root__" else field, extra))
    return problems


def _columns(ctx: Context, source: str, kwargs: dict[str, Any]) -> list[str]:
    """The source's columns the expectation reads, each one known to the source."""
    names: list[str] = []
    for arg in COLUMN_ARGS:
        value = kwargs.get(arg)
        for name in (value if isinstance(value, list) else [value] if value is not None else []):
            try:
                ctx.require_column(source, str(name), "kwargs")
            except PackError as e:
                raise PackError(_problem(ctx, e.problems[0].message, arg)) from None
            names.append(str(name))
    return list(dict.fromkeys(names))


def _problem(ctx: Context, message: str, arg: str | None, at_name: bool = False) -> Problem:
    """A problem located at argument `arg` of kwargs when written there (its value, or its name
    with `at_name`), else at kwargs."""
    written = ctx.rule.raw.get("kwargs") if isinstance(ctx.rule.raw, dict) else None
    if arg and hasattr(written, "where") and arg in written:
        loc = written.key_locs.get(arg) if at_name else None
        return (loc or written.where(arg)).problem(message, f"kwargs.{arg}")
    return ctx.problem(message, "kwargs")


def _plain(value: Any) -> Any:
    """YAML's located mappings and lists as plain ones, as GX's models expect."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _gx() -> dict[str, Any]:
    """great_expectations, imported on first use, with one in-memory context and a pandas batch
    definition for every run (no project files, no analytics, no progress bars)."""
    with _LOCK:
        if not _GX:
            import warnings
            with warnings.catch_warnings():  # GX imports pyspark when installed, which warns about pandas
                warnings.simplefilter("ignore")
                import great_expectations as gx
                from great_expectations.data_context.types.base import (
                    DataContextConfig,
                    InMemoryStoreBackendDefaults,
                    ProgressBarsConfig,
                )
                from great_expectations.expectations.registry import _registered_expectations, get_expectation_impl
            registered = {name: get_expectation_impl(name) for name in sorted(_registered_expectations)}
            config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                                       analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False))
            _GX["registered"], _GX["config"], _GX["gx"] = registered, config, gx
        return _GX


def _batches() -> Any:
    """The batch definition every run hands its DataFrame to (made once, under _LOCK)."""
    if "batches" not in _GX:
        context = _GX["gx"].get_context(project_config=_GX["config"], mode="ephemeral")
        asset = context.data_sources.add_pandas("statguard").add_dataframe_asset("source")
        _GX["batches"] = asset.add_batch_definition_whole_dataframe("all records")
    return _GX["batches"]


# -- running -----------------------------------------------------------------------------------
def _run(engine: Any, ctx: Context, source: str, spec: _Spec, where: exp.Expression | None) -> tuple[
        dict[str, int], Items]:
    table, identity = _fetch(engine, ctx, source, spec, where)
    columns = spec.columns or [c for c in table.column_names if not c.startswith(IDENTITY)]
    result = _validate(spec, table.select(columns).to_pandas(), lang_of(ctx))
    if spec.family == MAP:
        return _map_items(ctx, source, spec, table, identity, result)
    return _aggregate_item(spec, result)


def _fetch(engine: Any, ctx: Context, source: str, spec: _Spec,
           where: exp.Expression | None) -> tuple[pa.Table, dict[str, str]]:
    """The records handed to GX, through Arrow: the columns the expectation reads (every column
    of the source as read, for table expectations) and, for map expectations, the identity of
    each record (unit, period, keys) as _sg_i<k>; returns the table and identity name -> column."""
    s = ctx.source(source)
    present = engine.raw_columns(source)
    identity: dict[str, str] = {}
    if spec.family == MAP:
        for name in dict.fromkeys([s.unit, s.period, *s.keys]):
            if name and name in present:
                identity[name] = f"{IDENTITY}{len(identity)}"
    columns = spec.columns or [c for c in (ctx.columns(source) or present) if c in present]
    projections = [alias(col(name), as_) for name, as_ in identity.items()] + [col(c) for c in columns]
    query = exp.select(*projections).from_(ctx.table(source))
    if where is not None:
        query = query.where(where.copy())
    return engine.arrow(query), identity


def _validate(spec: _Spec, frame: Any, lang: str | None = None) -> dict[str, Any]:
    """GX's result of the expectation on `frame` (COMPLETE: every unexpected record's index)."""
    import warnings
    gx = _gx()
    expectation = gx["registered"][spec.name](**spec.kwargs)
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = _batches().get_batch(batch_parameters={"dataframe": frame})
        outcome = batch.validate(expectation, result_format="COMPLETE")
    failed = _exception(outcome.exception_info)
    if failed:
        raise EngineError(t("problem.expectation.could_not_run", lang, name=spec.name, error=failed))
    return {"success": bool(outcome.success), **dict(outcome.result or {})}


def _exception(info: Any) -> str | None:
    """The message of an exception GX caught (given once, or per metric it could not compute)."""
    if not isinstance(info, dict):
        return None
    if "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    messages = [v.get("exception_message") for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    return next((m for m in messages if m), None)


def _map_items(ctx: Context, source: str, spec: _Spec, table: pa.Table, identity: dict[str, str],
               result: dict[str, Any]) -> tuple[dict[str, int], Items]:
    """One failing item per unexpected record, unless the expectation holds (`mostly`)."""
    from statguard.checks.plan import Items
    n, skipped = int(result.get("element_count") or 0), int(result.get("missing_count") or 0)
    rows = [] if result["success"] else list(result.get("unexpected_index_list") or [])
    counts = {"pass": n - skipped - len(rows), "fail": len(rows), "na": skipped}
    counts = {k: v for k, v in counts.items() if v}
    if not rows:
        return counts, Items({}, 0)
    import pyarrow as pa
    picked = table.take(pa.array(rows, type=pa.int64()))
    s = ctx.source(source)
    out: dict[str, list[Any]] = {STATUS: ["fail"] * len(rows)}
    for name, column in identity.items():
        values = picked.column(column).to_pylist()
        if name == s.unit:
            out[UNIT] = values
        if name == s.period:
            out[PERIOD] = values
        if name in s.keys:
            out[KEY + name] = values
    if not s.keys and not s.unit:
        out[KEY + "row"] = [int(i) + 1 for i in rows]
    out[KEY + "column"] = [", ".join(spec.columns)] * len(rows)
    values = {c: picked.column(c).to_pylist() for c in spec.columns}
    out.update({VAL + c: v for c, v in values.items()})
    shown = {k: v for k, v in spec.kwargs.items() if not spec.per_value or k not in COLUMN_ARGS}
    out[EXPECTED] = [_described(spec.name, shown)] * len(rows)
    if spec.per_value:
        out[OBSERVED] = values[spec.columns[0]]
        out[IMBALANCE] = [_imbalance(v, spec.kwargs) for v in out[OBSERVED]]
    else:
        out[DETAIL] = [", ".join(f"{c} = {_text(values[c][i])}" for c in spec.columns) for i in range(len(rows))]
    return counts, Items(out, len(rows))


def _aggregate_item(spec: _Spec, result: dict[str, Any]) -> tuple[dict[str, int], Items]:
    """The one item of a table or column aggregate expectation: its observed value."""
    from statguard.checks.plan import Items
    if result["success"]:
        return {"pass": 1}, Items({}, 0)
    observed = _scalar(result.get("observed_value"))
    if observed is None:  # GX gives the values outside the set instead, for distinct values
        observed = _scalar(result.get("unexpected_list") or result.get("partial_unexpected_list"))
    if observed is None and spec.family == AGGREGATE:
        return {"na": 1}, Items({}, 0)  # nothing to aggregate: no value observed
    out: dict[str, list[Any]] = {STATUS: ["fail"], OBSERVED: [observed],
                                 EXPECTED: [_described(spec.name, spec.kwargs)],
                                 IMBALANCE: [_imbalance(observed, spec.kwargs)]}
    if spec.columns:
        out[KEY + "column"] = [", ".join(spec.columns)]
    return {"fail": 1}, Items(out, 1)


def _scalar(value: Any) -> Any:
    """A report-ready figure: numbers and text as they are, lists and mappings as JSON text."""
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        value = value.item()  # a numpy scalar
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str) if value else None
    return value


def _imbalance(value: Any, kwargs: dict[str, Any]) -> float | None:
    """How far a number lies outside [min_value, max_value] (negative below, positive above)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if isinstance(low, (int, float)) and not isinstance(low, bool) and value < low:
        return value - low
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
        return value - high
    return None


def _described(name: str, kwargs: dict[str, Any]) -> str:
    """The expectation as written: name(argument=value, ...)."""
    return f"{name}({', '.join(f'{k}={_text(v)}' for k, v in kwargs.items())})"


def _text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, float):
        return f"{value:.15g}"
    return "NULL" if value is None else str(value)
