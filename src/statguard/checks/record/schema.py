"""A source's declared columns hold: presence, types, missing values, codes, ranges, patterns, keys.

The checks come from the source's `columns:` declaration and run through
pandera (lazy validation, so every failing cell is found in one pass). One
violation per failing cell: the record's keys, the column, the value found and
what was expected. Values left over from a reporting template ("xxx", "XX",
"**", "—", "待填", ...) are reported as placeholders rather than as type errors.
A required column missing from the data is one violation for that column.

Items are cells (records x checked columns); a NULL in a nullable column passes.

Passing example:

    sources:
      investment:
        keys: [单位]
        columns:
          单位: {type: string, nullable: false, pattern: '^[0-9]{6}$'}
          总投资: {type: number, min: 0}
          类别: {type: string, allowed: [制造业, 服务业]}
    rules:
      - {id: SCHEMA, kind: schema, source: investment}

Failing data for it: 总投资 = "xxx" (placeholder), 类别 = "农业" (not allowed),
单位 = "3201" (does not match the pattern), two records with 单位 = "320102" (duplicate key).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field
from sqlglot import exp

from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    KEY,
    OBSERVED,
    PERIOD,
    STATUS,
    UNIT,
    VAL,
    Context,
    Plan,
)
from statguard.checks.record import schema_checks
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError, SourceError
from statguard.expr import quote_column
from statguard.pack.model import DEFAULT_PLACEHOLDERS, Rule

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Source


class SchemaParams(Params):
    source: str = Field(description="Source whose declared columns are checked.")
    columns: list[str] | None = Field(None, description="Check only these declared columns (default: all).")
    placeholders: list[str] = Field(list(DEFAULT_PLACEHOLDERS), description=(
        "Values left from a reporting template that count as not filled in."))
    unique_keys: bool = Field(True, description="The source's key columns must identify records uniquely.")

    def source_names(self) -> list[str]:
        return [self.source]


@rule_kind("schema", SchemaParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: SchemaParams = rule.params
    spec = ctx.source(p.source)
    if not spec.columns:
        raise PackError(ctx.problem(f"source '{p.source}' declares no columns to check", "source"))
    for name in p.columns or []:
        if name not in spec.columns:
            raise PackError(ctx.problem(f"column '{name}' is not declared in source '{p.source}'", "columns"))
    for column in spec.columns.values():
        if column.codelist:
            _codelist_ref(ctx, column.codelist)
    if ctx.linting:
        return Plan()
    message = {"en": "column {column}: found {observed}, expected {expected}",
               "zh": "字段「{column}」：填报值 {observed}，应为 {expected}"}
    return Plan(run=lambda engine: _run(engine, ctx, p, spec), meta={"message": message})


def _codelist_ref(ctx: Context, ref: str) -> tuple[str, str]:
    source, _, column = ref.rpartition(".")
    if not source or source not in ctx.pack.sources:
        raise PackError(ctx.problem(f"codelist '{ref}' must name SOURCE.COLUMN of a declared source", "source"))
    return source, column


def _run(engine: Any, ctx: Context, p: SchemaParams, spec: Source) -> tuple[dict[str, int], pd.DataFrame]:
    import pandas as pd

    present = engine.raw_columns(spec.name)
    wanted = [c for c in spec.columns.values() if p.columns is None or c.name in p.columns]
    missing = [c.name for c in wanted if c.required and c.name not in present]
    checked = [c for c in wanted if c.name in present]
    identity = [n for n in dict.fromkeys([*spec.keys, spec.unit, spec.period]) if n and n in present]
    fetch = list(dict.fromkeys([*identity, *(c.name for c in checked)]))
    raw = exp.Table(this=exp.to_identifier("raw:" + spec.name, quoted=True))
    data = engine.frame(exp.select(*[quote_column(c) for c in fetch]).from_(raw)) if fetch else pd.DataFrame()
    codes = {c.name: _codes(engine, ctx, c.codelist) for c in checked if c.codelist}
    keys = [k for k in spec.keys if k in present] if p.unique_keys else []
    failures = schema_checks.validate(data, checked, keys, p.placeholders, codes)
    rows = [_missing_column(name) for name in missing]
    rows += [_cell(data, f, spec, identity) for f in failures]
    fails = pd.DataFrame(rows)
    n_items = len(data) * len(checked) + len(missing)
    return {"pass": n_items - len(fails), "fail": len(fails)}, fails


def _codes(engine: Any, ctx: Context, ref: str) -> list[Any]:
    source, column = _codelist_ref(ctx, ref)
    if source not in engine.bound:
        raise SourceError(f"code list source '{source}' could not be read", source=source)
    table = exp.Table(this=exp.to_identifier(source, quoted=True))
    frame = engine.frame(exp.select(quote_column(column)).distinct().from_(table))
    return [v for v in frame.iloc[:, 0].tolist() if v is not None]


def _missing_column(name: str) -> dict[str, Any]:
    return {STATUS: "fail", KEY + "column": name, OBSERVED: None, EXPECTED: "column present",
            DETAIL: f"required column '{name}' is missing"}


def _cell(data: pd.DataFrame, failure: schema_checks.Failure, spec: Source, identity: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {STATUS: "fail"}
    if failure.index is not None and failure.index in data.index:
        record = data.loc[failure.index]
        if spec.unit in identity:
            row[UNIT] = record[spec.unit]
        if spec.period in identity:
            row[PERIOD] = record[spec.period]
        for k in spec.keys:
            if k in identity:
                row[KEY + k] = record[k]
        if not spec.keys:
            row[KEY + "row"] = int(failure.index) + 1
    row[KEY + "column"] = failure.column
    row[VAL + failure.column] = failure.value
    row[OBSERVED] = failure.value
    row[EXPECTED] = failure.expected
    row[DETAIL] = failure.check
    return row
