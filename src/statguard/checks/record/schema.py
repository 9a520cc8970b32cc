"""A source's declared columns hold: presence, types, missing values, codes, ranges, patterns, keys.

The checks come from the source's `columns:` declaration and run in the engine
over the source as read (its raw view), so a source of any size is checked in
the engine's memory: one scan finds every failing cell, one GROUP BY the
duplicated keys. One
violation per failing cell: the record's keys, the column, the value found and
what was expected. Values left over from a reporting template ("xxx", "XX",
"**", "—", "待填", ...) are reported as placeholders rather than as type errors;
in a workbook, a formula whose result the file does not hold (written by a program,
never opened in Excel) is reported as that formula, to be opened and saved in Excel or
WPS, rather than as a missing value (docs/spreadsheets.md).
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
    Items,
    Plan,
    lang_of,
)
from statguard.checks.record import schema_checks
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError, SourceError
from statguard.i18n import register, say, t
from statguard.pack.model import DEFAULT_PLACEHOLDERS, Rule

register({
    "problem.schema.no_columns": {"en": "source '{source}' declares no columns to check",
                                  "zh": "数据源「{source}」没有声明可检查的列"},
    "problem.schema.undeclared": {"en": "column '{column}' is not declared in source '{source}'",
                                  "zh": "列「{column}」未在数据源「{source}」中声明"},
    "problem.schema.codelist_ref": {"en": "codelist '{ref}' must name SOURCE.COLUMN of a declared source",
                                    "zh": "codelist '{ref}' 须写成 数据源.列 的形式，且数据源已声明"},
    "problem.schema.codelist_unread": {"en": "code list source '{source}' could not be read",
                                       "zh": "无法读取代码表数据源「{source}」"},
})

if TYPE_CHECKING:
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
        raise PackError(ctx.problem(say("problem.schema.no_columns", source=p.source), "source"))
    for name in p.columns or []:
        if name not in spec.columns:
            raise PackError(ctx.problem(say("problem.schema.undeclared", column=name, source=p.source), "columns"))
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
        raise PackError(ctx.problem(say("problem.schema.codelist_ref", ref=ref), "source"))
    return source, column


def _run(engine: Any, ctx: Context, p: SchemaParams, spec: Source) -> tuple[dict[str, int], Items]:
    """Every failing cell, found in DuckDB (statguard.checks.record.schema_checks): one scan for
    the cells, one GROUP BY per key set; only the failing records reach Python (as plain rows,
    no pandas)."""
    present = engine.raw_columns(spec.name)
    wanted = [c for c in spec.columns.values() if p.columns is None or c.name in p.columns]
    missing = [c.name for c in wanted if c.required and c.name not in present]
    checked = [c for c in wanted if c.name in present]
    identity = [n for n in dict.fromkeys([*spec.keys, spec.unit, spec.period]) if n and n in present]
    raw = "raw:" + spec.name
    lang = ctx.options.get("lang")
    sheet = spec.name in engine.sheet_rows  # read from a workbook's sheet: a formula may lack its result
    checks = [schema_checks.cell_checks_sql(c, present[c.name], p.placeholders, _codes(engine, ctx, c.codelist)
                                            if c.codelist else None, lang, sheet) for c in checked]
    n, cells = engine.text_rows(schema_checks.cell_query(raw, identity, [c.name for c in checked], checks))[1][0]
    found: list[tuple[int, int, int, dict[str, Any]]] = []  # (column, check, record number, row)
    for record in cells or []:
        for j, column in enumerate(checked):
            for m, (check, expected, _) in enumerate(checks[j]):
                if record[f"f{j}_{m}"]:
                    found.append((j + 1, m + 1, record["rn"], _cell(record, spec, identity, column.name,
                                                                    record[f"v{j}"], check, expected)))
    keys = [k for k in spec.keys if k in present] if p.unique_keys else []
    sets = [(0, keys, False)] if keys and len(keys) == len(spec.keys) else []
    sets += [(j + 1, [c.name], True) for j, c in enumerate(checked) if c.unique]
    for j, names, single in sets:
        expected = schema_checks.expected("unique_values" if single else "unique_key", lang)
        for record in _records(engine, schema_checks.duplicates_query(raw, identity, names, single)):
            for part in range(len(names)):  # a key's each present part, as pandera reported them
                if record[f"v{part}"] is not None:
                    found.append((j, part, record["rn"], _cell(record, spec, identity, ", ".join(names),
                                                               record[f"v{part}"], "unique", expected)))
    found.sort(key=lambda f: f[:3])
    rows = [_missing_column(name, lang) for name in missing] + [row for *_, row in found]
    n_items = int(n or 0) * len(checked) + len(missing)
    return {"pass": n_items - len(rows), "fail": len(rows)}, Items.from_rows(rows)


def _records(engine: Any, sql: str) -> list[dict[str, Any]]:
    names, rows = engine.text_rows(sql)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _codes(engine: Any, ctx: Context, ref: str) -> str:
    """The query of a code list's codes (its source's typed view), run inside the cell scan."""
    source, column = _codelist_ref(ctx, ref)
    if source not in engine.bound:
        raise SourceError(t("problem.schema.codelist_unread", lang_of(ctx), source=source), source=source)
    return schema_checks.codes_query(source, column)


def _missing_column(name: str, lang: str | None) -> dict[str, Any]:
    return {STATUS: "fail", KEY + "column": name, OBSERVED: None,
            EXPECTED: schema_checks.expected("column_present", lang),
            DETAIL: t("detail.schema.missing_column", lang, name=name)}


def _cell(record: dict[str, Any], spec: Source, identity: list[str], column: str, value: Any, check: str,
          expected: str) -> dict[str, Any]:
    """A failing cell as a row of the kind's items: the record's identity (its raw values, i<k>
    in `record`), the column, the value found and what was expected."""
    row: dict[str, Any] = {STATUS: "fail"}
    named = {name: record[f"i{k}"] for k, name in enumerate(identity)}
    if spec.unit in named:
        row[UNIT] = named[spec.unit]
    if spec.period in named:
        row[PERIOD] = named[spec.period]
    for k in spec.keys:
        if k in named:
            row[KEY + k] = named[k]
    if not spec.keys:
        row[KEY + "row"] = int(record["rn"])
    row[KEY + "column"] = column
    row[VAL + column] = value
    row[OBSERVED] = value
    row[EXPECTED] = expected
    row[DETAIL] = schema_checks.detail_key(check)
    return row
