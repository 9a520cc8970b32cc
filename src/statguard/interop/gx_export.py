"""A pack's sources as great-expectations 1.x ExpectationSuites (`statguard export gx`).

One suite per source, named by it: its declared columns (existence, not-null, placeholders,
type, range, allowed values, pattern, uniqueness), the keys its `schema` rule checks
(compound uniqueness), and its `row` and `unique` rules when GX has expectations of their
shape: comparisons of a column with a value or with another column, IN lists, IS NOT NULL,
BETWEEN, several of these joined by AND; `where:` and `if:` as the expectation's pandas
`row_condition`. Each expectation's `meta.statguard` says what it came from, so that
`statguard import gx` restores the rule as written.

Types are value-level in statguard (a value that can be read as a number ...): they become
regular expressions a value or a placeholder matches (placeholders are reported once, as
placeholders). GX ignores missing values, as statguard counts a missing operand not evaluable.
The suite is written as JSON without importing great_expectations (fast); GX reads it with
`gx.ExpectationSuite(**json.load(f))`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any

from statguard.interop import common
from statguard.interop.common import CannotMap, Unmapped
from statguard.interop.pandera_export import Export, rule_spec

if TYPE_CHECKING:
    from sqlglot import exp

    from statguard.pack.model import Column, Pack, Rule, Source

TOOL = "great-expectations"
_NUMBER = r"[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][-+]?\d+)?|[-+]?(inf|infinity)"
_INTEGER = r"[-+]?(\d{1,3}(,\d{3})+|\d+)(\.0*)?"
_DATE = (r"\d{4}([-/.]?(0?[1-9]|1[0-2])([-/.]?(0?[1-9]|[12]\d|3[01]))?)?([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
         r"|(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/\d{4}")
_BOOLEAN = r"(?i:true|false|1|0|1\.0|0\.0|yes|no|y|n|t|f|是|否|真|假)"
# groups made non-capturing: pandas warns of capturing groups in str.contains
_WRITTEN = {"number": _NUMBER, "integer": _INTEGER, "date": _DATE, "datetime": _DATE, "boolean": _BOOLEAN}
TYPE_PATTERNS = {k: re.sub(r"\((?!\?)", "(?:", v) for k, v in _WRITTEN.items()}


def export(pack: Pack, sources: list[str] | None = None, lang: str | None = None) -> Export:
    """The JSON of one suite (one source) or a list of suites (several)."""
    unmapped: list[Unmapped] = []
    suites = [suite(pack, s, unmapped, lang) for s in common.chosen_sources(pack, sources)]
    doc: Any = suites[0] if len(suites) == 1 else suites
    return Export(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", unmapped)


def suite(pack: Pack, source: Source, unmapped: list[Unmapped], lang: str | None = None) -> dict[str, Any]:
    held = common.placeholders(pack, source.name)
    expectations: list[dict[str, Any]] = []
    for col in source.columns.values():
        expectations += column_expectations(col, held)
        if col.codelist:
            unmapped.append(Unmapped(source.name, "column", col.name, "codelist", {"codelist": col.codelist}))
    keys = common.unique_keys(pack, source)
    if keys:
        expectations.append(_unique(keys, {"check": "keys"}))
    mine = len(unmapped)
    for rule in common.rules_of(pack, source.name):
        why = common.common_unmapped(rule, source, TOOL)
        if why is None and rule.kind != "schema":
            try:
                expectations += rule_expectations(rule, source)
            except CannotMap as e:
                why = Unmapped(source.name, "rule", rule.id, e.why, e.values)
        if why is not None:
            unmapped.append(why)
    meta = {"pack": pack.name, "source": source.name, "keys": list(source.keys), "placeholders": held,
            "not_mapped": [u.text(lang) for u in unmapped[mine:]]}
    return {"name": source.name, "expectations": expectations, "meta": {"statguard": meta}}


def _e(kind: str, meta: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {"statguard": meta}}


def _unique(columns: list[str], meta: dict[str, Any]) -> dict[str, Any]:
    if len(columns) == 1:
        return _e("expect_column_values_to_be_unique", meta, column=columns[0])
    return _e("expect_compound_columns_to_be_unique", meta, column_list=list(columns),
              ignore_row_if="all_values_are_missing")


def column_expectations(col: Column, placeholders: list[str]) -> list[dict[str, Any]]:
    name = col.name
    out = []
    if col.required:
        out.append(_e("expect_column_to_exist", {"column": name, "check": "required"}, column=name))
    if not col.nullable:
        out.append(_e("expect_column_values_to_not_be_null", {"column": name, "check": "not_null"}, column=name))
    if placeholders:
        out.append(_e("expect_column_values_to_not_be_in_set", {"column": name, "check": "placeholder"},
                      column=name, value_set=list(placeholders)))
    if col.type in TYPE_PATTERNS:
        held = "|".join(re.escape(p.strip()) for p in placeholders)
        either = TYPE_PATTERNS[col.type] + (f"|{held}" if held else "")
        out.append(_e("expect_column_values_to_match_regex", {"column": name, "check": "type", "value": col.type},
                      column=name, regex=rf"^\s*(?:{either})\s*$"))
    bounds = {k: _bound(getattr(col, k)) for k in ("min", "max") if getattr(col, k) is not None}
    if bounds:
        out.append(_e("expect_column_values_to_be_between", {"column": name, "check": "range"}, column=name,
                      min_value=bounds.get("min"), max_value=bounds.get("max")))
    if col.allowed is not None:
        out.append(_e("expect_column_values_to_be_in_set", {"column": name, "check": "allowed"}, column=name,
                      value_set=list(col.allowed)))
    if col.pattern:
        out.append(_e("expect_column_values_to_match_regex", {"column": name, "check": "pattern"}, column=name,
                      regex=f"^(?:{col.pattern})$"))
    if col.unique:
        out.append(_unique([name], {"column": name, "check": "unique"}))
    return out


def _bound(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    try:
        return float(value) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return str(value)


# -- rules -------------------------------------------------------------------------------------------
def rule_expectations(rule: Rule, source: Source) -> list[dict[str, Any]]:
    """A row or unique rule as expectations; CannotMap when GX has none of its shape."""
    meta = {"rule": rule_spec(rule)}
    p = rule.params
    if rule.kind == "unique":
        for param in ("values", "where"):
            if getattr(p, param):
                raise CannotMap("param", param=param)
        return [_unique(list(p.keys if p.keys is not None else source.keys), meta)]
    from statguard.expr import compile_expression
    if p.tolerance == "reported":
        raise CannotMap("param", param="tolerance: reported")
    if p.missing in ("zero", "fail"):
        raise CannotMap("param", param=f"missing: {p.missing}")
    scope = {None: source.declared}
    families = common.column_families(source)
    tree = compile_expression(p.expr, scope).tree
    extra: dict[str, Any] = {}
    conditions = [compile_expression(text, scope).tree for text in (p.where, p.if_) if text]
    if conditions:
        extra = {"row_condition": " and ".join(f"({pandas_query(c)})" for c in conditions),
                 "condition_parser": "pandas"}
    shape = _Shape(families, float(p.tolerance), p.expr)
    return [dict(e, kwargs={**e["kwargs"], **extra}, meta={"statguard": meta}) for e in shape.all(tree)]


class _Shape:
    """Conditions of the shapes GX has expectations for."""

    def __init__(self, families: dict[str, str], tolerance: float, text: str):
        self.families, self.tolerance, self.text = families, tolerance, text

    def all(self, node: exp.Expression) -> list[dict[str, Any]]:
        from sqlglot import exp
        node = _bare(node)
        if isinstance(node, exp.And):
            return self.all(node.this) + self.all(node.expression)
        return [self.one(node)]

    def fail(self) -> CannotMap:
        return CannotMap("shape", tool=TOOL, expr=" ".join(self.text.split())[:80])

    def one(self, node: exp.Expression) -> dict[str, Any]:
        from sqlglot import exp
        if isinstance(node, exp.Not) and isinstance(_bare(node.this), exp.Is) \
                and isinstance(_bare(node.this).expression, exp.Null):
            return {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": self.column(node.this.this)}}
        if isinstance(node, (exp.In, exp.Not)):
            negated = isinstance(node, exp.Not)
            inner = _bare(node.this) if negated else node
            if isinstance(inner, exp.In) and all(isinstance(v, exp.Literal) for v in inner.expressions):
                kind = "expect_column_values_to_not_be_in_set" if negated else "expect_column_values_to_be_in_set"
                return {"type": kind, "kwargs": {"column": self.column(inner.this),
                                                 "value_set": [_value(v) for v in inner.expressions]}}
        if isinstance(node, exp.Between):
            low, high = node.args["low"], node.args["high"]
            if isinstance(low, exp.Literal) and isinstance(high, exp.Literal):
                return self.between(self.column(node.this), _value(low), _value(high))
        if isinstance(node, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)):
            return self.comparison(node)
        raise self.fail()

    def column(self, node: exp.Expression) -> str:
        from sqlglot import exp
        node = _bare(node)
        if not isinstance(node, exp.Column) or node.table:
            raise self.fail()
        return node.name

    def between(self, column: str, low: Any, high: Any, strict_min: bool = False,
                strict_max: bool = False) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"column": column, "min_value": low, "max_value": high}
        if strict_min:
            kwargs["strict_min"] = True
        if strict_max:
            kwargs["strict_max"] = True
        return {"type": "expect_column_values_to_be_between", "kwargs": kwargs}

    def comparison(self, node: exp.Expression) -> dict[str, Any]:
        from sqlglot import exp
        left, right = _bare(node.this), _bare(node.expression)
        op = {exp.EQ: "==", exp.NEQ: "!=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}[type(node)]
        if isinstance(left, exp.Literal) and isinstance(right, exp.Column):
            left, right = right, left
            op = {">": "<", ">=": "<=", "<": ">", "<=": ">="}.get(op, op)
        if isinstance(left, exp.Column) and isinstance(right, exp.Column):
            return self.pair(self.column(left), op, self.column(right))
        if not (isinstance(left, exp.Column) and isinstance(right, exp.Literal)):
            raise self.fail()
        column, value = self.column(left), _value(right)
        tol = self.tolerance if self.families.get(column) == "number" and not right.is_string else 0.0
        if op in ("==", "!=") and (right.is_string or tol == 0):
            kind = "expect_column_values_to_be_in_set" if op == "==" else "expect_column_values_to_not_be_in_set"
            return {"type": kind, "kwargs": {"column": column, "value_set": [value]}}
        if op == "!=":
            raise self.fail()
        if op == "==":
            return self.between(column, value - tol, value + tol)
        low = {">": value, ">=": value - tol if tol else value}.get(op)
        high = {"<": value, "<=": value + tol if tol else value}.get(op)
        return self.between(column, low, high, strict_min=op == ">", strict_max=op == "<")

    def pair(self, a: str, op: str, b: str) -> dict[str, Any]:
        numeric = self.families.get(a) == "number" and self.families.get(b) == "number"
        if numeric and self.tolerance > 1e-6 and op != "<" and op != ">":
            raise self.fail()  # GX compares pairs exactly
        if op == "==":
            return {"type": "expect_column_pair_values_to_be_equal",
                    "kwargs": {"column_A": a, "column_B": b, "ignore_row_if": "either_value_is_missing"}}
        if op == "!=":
            raise self.fail()
        greater, smaller = (a, b) if op in (">", ">=") else (b, a)
        return {"type": "expect_column_pair_values_a_to_be_greater_than_b",
                "kwargs": {"column_A": greater, "column_B": smaller, "or_equal": op in (">=", "<="),
                           "ignore_row_if": "either_value_is_missing"}}


def _bare(node: exp.Expression) -> exp.Expression:
    from sqlglot import exp
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _value(node: exp.Literal) -> Any:
    if node.is_string:
        return node.this
    number = float(node.this)
    return int(number) if number.is_integer() and "." not in node.this else number


def pandas_query(node: exp.Expression) -> str:
    """A condition as the text of a pandas `DataFrame.query` (GX's row_condition): comparisons of
    columns and values joined by AND / OR (a missing value makes a comparison false there, as a
    NULL condition leaves a record out of scope in statguard)."""
    from sqlglot import exp
    node = _bare(node)
    ops = {exp.EQ: "==", exp.NEQ: "!=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}
    if isinstance(node, (exp.And, exp.Or)):
        word = "and" if isinstance(node, exp.And) else "or"
        return f"({pandas_query(node.this)}) {word} ({pandas_query(node.expression)})"
    if type(node) in ops:
        return f"{_operand(node.this)} {ops[type(node)]} {_operand(node.expression)}"
    if isinstance(node, exp.In) and all(isinstance(v, exp.Literal) for v in node.expressions):
        return f"{_operand(node.this)} in [{', '.join(_operand(v) for v in node.expressions)}]"
    raise CannotMap("node", node=node.sql("duckdb")[:60])


def _operand(node: exp.Expression) -> str:
    from sqlglot import exp
    node = _bare(node)
    if isinstance(node, exp.Column) and not node.table and "`" not in node.name:
        return f"`{node.name}`"
    if isinstance(node, exp.Literal):
        return repr(_value(node))
    raise CannotMap("node", node=node.sql("duckdb")[:60])
