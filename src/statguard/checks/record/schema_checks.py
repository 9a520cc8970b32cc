"""The checks behind the `schema` kind, as SQL over a source's raw view; and its pandera schema.

The kind runs in DuckDB, so its memory is bounded by the engine's, not by the size of the
source (pandas held a 0.84 GiB CSV in 4.8 GB): one scan finds every failing cell
(`cell_query`: the source's row count and the failing records, in input order), and one
GROUP BY per key set finds the duplicated records (`duplicates_query`). A value is of its
declared type when the conversions below read it (the same as pandas read it before:
numbers with thousands separators, dates as ISO text, YYYY/MM/DD, YYYYMMDD or YYYY-MM).

The equivalent pandera schema of a declared source, for data engineers, is
statguard.interop.pandera_export.source_schema (a layer up: the kinds do not import interop).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.expr import quote_column
from statguard.i18n import CATALOGUE, register, t

if TYPE_CHECKING:
    from statguard.pack.model import Column

_TRUE = {"true", "1", "yes", "y", "t", "是", "真"}
_FALSE = {"false", "0", "no", "n", "f", "否", "假"}


register({
    "expect.not_null": {"en": "a value (column is not nullable)", "zh": "有值（该字段不可为空）"},
    "expect.placeholder": {"en": "a reported value, not a template placeholder",
                           "zh": "实际填报的数值，而非模板占位符"},
    "expect.formula": {"en": "the formula's result (the file holds none: open it in Excel or WPS and save it)",
                       "zh": "公式的计算结果（文件中没有保存：请在 Excel/WPS 中打开后保存）"},
    "expect.type": {"en": "a value of type {type}", "zh": "{type} 类型的值"},
    "expect.allowed": {"en": "one of {values}", "zh": "以下之一：{values}"},
    "expect.codelist": {"en": "a code of {codelist}", "zh": "代码表 {codelist} 中的代码"},
    "expect.pattern": {"en": "matches {pattern}", "zh": "符合格式 {pattern}"},
    "expect.unique_values": {"en": "unique values", "zh": "不重复的值"},
    "expect.unique_key": {"en": "unique key", "zh": "不重复的主键"},
    "expect.column_present": {"en": "column present", "zh": "字段存在"},
    "type.string": {"en": "string", "zh": "文本"},
    "type.number": {"en": "number", "zh": "数值"},
    "type.integer": {"en": "integer", "zh": "整数"},
    "type.date": {"en": "date", "zh": "日期"},
    "type.datetime": {"en": "datetime", "zh": "日期时间"},
    "type.boolean": {"en": "boolean", "zh": "是/否"},
    "detail.schema.missing_column": {"en": "required column '{name}' is missing", "zh": "缺少必需字段「{name}」"},
    # what a failing cell fails, as its violation's detail (`detail_key`: the check's name in the catalogue)
    "detail.schema.not_null": {"en": "missing value", "zh": "值缺失"},
    "detail.schema.placeholder": {"en": "template placeholder", "zh": "模板占位符"},
    "detail.schema.formula": {"en": "formula without a saved result", "zh": "公式没有保存计算结果"},
    "detail.schema.type.number": {"en": "not a number", "zh": "不是数值"},
    "detail.schema.type.integer": {"en": "not an integer", "zh": "不是整数"},
    "detail.schema.type.date": {"en": "not a date", "zh": "不是日期"},
    "detail.schema.type.datetime": {"en": "not a date and time", "zh": "不是日期时间"},
    "detail.schema.type.boolean": {"en": "not a yes/no value", "zh": "不是是/否值"},
    "detail.schema.min": {"en": "below the minimum", "zh": "低于下限"},
    "detail.schema.max": {"en": "above the maximum", "zh": "高于上限"},
    "detail.schema.allowed": {"en": "not an allowed value", "zh": "不是允许的取值"},
    "detail.schema.codelist": {"en": "not in the code list", "zh": "不在代码表中"},
    "detail.schema.pattern": {"en": "does not match the pattern", "zh": "不符合格式"},
    "detail.schema.unique": {"en": "duplicate", "zh": "重复"},
})


def detail_key(check: str) -> str:
    """The catalogue key of a check's name (`type:date` -> detail.schema.type.date): a violation's
    detail, which the report gives in its language (statguard.report.violations)."""
    return "detail.schema." + check.replace(":", ".")


def expected(what: str, lang: str | None = None, **values: object) -> str:
    """What a failing cell should have held, in the report's language (statguard.i18n)."""
    return t("expect." + what, lang, **values)


def _type_name(declared: str, lang: str | None) -> str:
    key = f"type.{declared}"
    return t(key, lang) if key in CATALOGUE else declared


# -- the checks as SQL --------------------------------------------------------------------------
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL")
_TEMPORAL = ("DATE", "TIMESTAMP")
# besides what DuckDB casts to TIMESTAMP (ISO dates and timestamps)
_DATE_FORMATS = ("%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m", "%Y/%m", "%m/%d/%Y", "%Y/%m/%d %H:%M:%S")


@lru_cache(maxsize=4096)
def _q(name: str) -> str:
    return quote_column(name).sql("duckdb")


def _lit(value: Any) -> str:
    return _string(str(value))


@lru_cache(maxsize=4096)
def _string(text: str) -> str:  # rendered once each: placeholders recur in every column's checks
    return exp.Literal.string(text).sql("duckdb")


def _in_list(values: list[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _text_sql(c: str) -> str:
    return f"trim(CAST({c} AS VARCHAR))"


def _number_sql(c: str, raw_type: str) -> str:
    """The value as a DOUBLE, NULL where it is none (NaN and infinity too: not numbers, no bound
    holds them, and the typed view has them as NULL: statguard.engine.duckdb.typed_column)."""
    if raw_type.upper().startswith(_NUMERIC):
        value = f"CAST({c} AS DOUBLE)"
    else:
        value = f"TRY_CAST(replace({_text_sql(c)}, ',', '') AS DOUBLE)"
    return f"(CASE WHEN isfinite({value}) THEN {value} END)"


def _date_sql(c: str, raw_type: str) -> str:
    """The value as a TIMESTAMP, NULL where it is none ('infinity' too)."""
    if raw_type.upper().startswith(_TEMPORAL):
        value = f"TRY_CAST({c} AS TIMESTAMP)"
    else:
        text = _text_sql(c)
        formats = "[" + ", ".join(_lit(f) for f in _DATE_FORMATS) + "]"
        value = f"coalesce(TRY_CAST({text} AS TIMESTAMP), try_strptime({text}, {formats}))"
    return f"(CASE WHEN isfinite({value}) THEN {value} END)"


def _conforms_sql(c: str, declared: str, raw_type: str) -> str | None:
    """Whether a present value can be read as `declared` (None: anything can)."""
    if declared in ("number", "integer"):
        num = _number_sql(c, raw_type)
        return f"({num} IS NOT NULL)" if declared == "number" else f"(isfinite({num}) AND {num} = floor({num}))"
    if declared in ("date", "datetime"):
        return f"({_date_sql(c, raw_type)} IS NOT NULL)"
    if declared == "boolean":
        if raw_type.upper() == "BOOLEAN":
            return None
        return f"(lower({_text_sql(c)}) IN {_in_list(sorted(_TRUE | _FALSE))})"
    return None


def _bound_sql(c: str, col: Column, raw_type: str, limit: Any, upper: bool) -> str:
    op = ">" if upper else "<"
    if col.type in ("date", "datetime"):
        return f"({_date_sql(c, raw_type)} {op} CAST({_lit(limit)} AS TIMESTAMP))"
    return f"({_number_sql(c, raw_type)} {op} {float(limit)!r})"


def cell_checks_sql(col: Column, raw_type: str, placeholders: list[str],
                    codes: str | None, lang: str | None = None, sheet: bool = False) -> list[tuple[str, str, str]]:
    """(check name, what was expected, SQL true where a cell fails it) for one declared column, in
    the order they are reported: a missing value, a formula without a saved result (of a
    workbook's `sheet`: its text, see statguard.engine.spreadsheets), a placeholder, the type
    (not for a formula or a placeholder: each is reported once, as what it is), bounds, allowed
    values, the code list (`codes`: a query of the allowed codes), the pattern. A missing value
    fails only `nullable: false`."""
    c = _q(col.name)
    text = _text_sql(c)
    present = f"{c} IS NOT NULL"
    out: list[tuple[str, str, str]] = []
    if not col.nullable:
        out.append(("not_null", expected("not_null", lang), f"{c} IS NULL"))
    if sheet:  # a formula's text stands for the value the file lacks: no other check reads it
        formula = f"({present} AND starts_with(CAST({c} AS VARCHAR), '='))"
        out.append(("formula", expected("formula", lang), formula))
        present = f"{present} AND NOT {formula}"
    held = sorted({p.strip() for p in placeholders})
    placeholder = f"({present} AND {text} IN {_in_list(held)})" if held else "false"
    if held:
        out.append(("placeholder", expected("placeholder", lang), placeholder))
    conforms = _conforms_sql(c, col.type, raw_type) if col.type and col.type != "string" else None
    if conforms is not None:
        out.append((f"type:{col.type}", expected("type", lang, type=_type_name(col.type, lang)),
                    f"({present} AND NOT coalesce({conforms}, false) AND NOT {placeholder})"))
    if col.min is not None:
        out.append(("min", f">= {col.min}", _bound_sql(c, col, raw_type, col.min, upper=False)))
    if col.max is not None:
        out.append(("max", f"<= {col.max}", _bound_sql(c, col, raw_type, col.max, upper=True)))
    if col.allowed is not None:
        allowed = sorted({str(v).strip() for v in col.allowed})
        listed = f"{text} IN {_in_list(allowed)}" if allowed else "false"
        out.append(("allowed", expected("allowed", lang, values=", ".join(map(str, col.allowed[:10]))),
                    f"({present} AND NOT {listed})"))
    if codes is not None:
        out.append(("codelist", expected("codelist", lang, codelist=col.codelist),
                    f"({present} AND {text} NOT IN ({codes}))"))
    if col.pattern:
        out.append(("pattern", expected("pattern", lang, pattern=col.pattern),
                    f"({present} AND NOT regexp_full_match({text}, {_lit(col.pattern)}))"))
    return [(name, expected, f"coalesce({sql}, false)") for name, expected, sql in out]


def codes_query(table: str, column: str) -> str:
    """The codes of a code list (SOURCE.COLUMN, the typed view) as text, for `cell_checks_sql`."""
    c = _q(column)
    return f"SELECT {_text_sql(c)} FROM {_q(table)} WHERE {c} IS NOT NULL"


def cell_query(raw: str, identity: list[str], columns: list[str],
               checks: list[list[tuple[str, str, str]]]) -> str:
    """One scan of the raw view `raw`: its row count (`n`) and the records failing a check
    (`fails`, in input order), each as {rn: record number, i<k>: identity, v<j>: value of
    columns[j], f<j>_<m>: whether it fails checks[j][m]}. Only failing records are kept."""
    inner = ["row_number() OVER () AS rn"]
    inner += [f"{_q(name)} AS i{k}" for k, name in enumerate(identity)]
    inner += [f"{_q(name)} AS v{j}" for j, name in enumerate(columns)]
    flags = [f"f{j}_{m}" for j, column in enumerate(checks) for m in range(len(column))]
    inner += [f"{sql} AS f{j}_{m}" for j, column in enumerate(checks) for m, (_, _, sql) in enumerate(column)]
    fields = ["rn", *(f"i{k}" for k in range(len(identity))), *(f"v{j}" for j in range(len(columns))), *flags]
    record = "{" + ", ".join(f"'{f}': {f}" for f in fields) + "}"
    failing = " OR ".join(flags) or "false"
    return (f"SELECT count(*) AS n, list({record} ORDER BY rn) FILTER (WHERE {failing}) AS fails "
            f"FROM (SELECT {', '.join(inner)} FROM {_q(raw)})")


def duplicates_query(raw: str, identity: list[str], columns: list[str], single: bool) -> str:
    """The records whose values of `columns` are repeated (rn, identity i<k>, the values v<j>), in
    input order. A single unique column: its present values; a key: records whose key is not
    wholly missing (missing parts compare equal)."""
    cols = [_q(c) for c in columns]
    present = " AND ".join(f"{c} IS NOT NULL" for c in cols) if single else \
        " OR ".join(f"{c} IS NOT NULL" for c in cols)
    matched = " AND ".join(f"r.{c} IS NOT DISTINCT FROM d.{c}" for c in cols)
    ident = "".join(f", r.{_q(name)} AS i{k}" for k, name in enumerate(identity))
    values = ", ".join(f"r.{c} AS v{j}" for j, c in enumerate(cols))
    numbered = f"SELECT row_number() OVER () AS _sg_rn, * FROM {_q(raw)}"
    repeated = f"SELECT {', '.join(cols)} FROM {_q(raw)} WHERE {present} GROUP BY ALL HAVING count(*) > 1"
    return (f"SELECT r._sg_rn AS rn{ident}, {values} FROM ({numbered}) r SEMI JOIN ({repeated}) d "
            f"ON {matched} ORDER BY r._sg_rn")
