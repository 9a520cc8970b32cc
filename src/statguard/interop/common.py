"""What the exports and imports share: the sources and rules a pack hands over, a row rule's
condition as the engine evaluates it, what could not be carried over, and the pack YAML an
import writes.

A row rule is exported as the condition the `row` kind itself builds (statguard.checks.record.row):
tolerance widened, `if:` as NOT premise OR condition, `missing:` folded in; so another tool
finds the same failing records. What cannot be carried over is never dropped silently: it is
an `Unmapped` entry, listed at the top of what is written and in the command's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statguard.errors import PackError, Problem
from statguard.i18n import register, t

if TYPE_CHECKING:
    from sqlglot import exp

    from statguard.pack.model import Pack, Rule, Source

register({
    "interop.unmapped.kind": {"en": "kind '{kind}' has no {tool} equivalent",
                              "zh": "规则类型「{kind}」在 {tool} 中没有对应的检查"},
    "interop.unmapped.sources": {"en": "reads several sources ({sources})", "zh": "读取多个数据源（{sources}）"},
    "interop.unmapped.problem": {"en": "the rule has problems in the pack: {problem}",
                                 "zh": "该规则在规则包中有问题：{problem}"},
    "interop.unmapped.codelist": {"en": "code list {codelist} is read from another source at run time",
                                  "zh": "代码表 {codelist} 在运行时从另一数据源读取"},
    "interop.unmapped.param": {"en": "'{param}' cannot be expressed", "zh": "无法表达「{param}」"},
    "interop.unmapped.node": {"en": "'{node}' in the expression cannot be translated",
                              "zh": "表达式中的「{node}」无法转换"},
    "interop.unmapped.shape": {"en": "the condition has no {tool} expectation of this shape: {expr}",
                               "zh": "{tool} 没有与此条件形式对应的期望：{expr}"},
    "interop.unmapped.expectation": {"en": "expectation type '{type}' has no statguard equivalent",
                                     "zh": "期望类型「{type}」在 statguard 中没有对应规则"},
    "interop.unmapped.check": {"en": "check '{check}' has no statguard equivalent",
                               "zh": "检查「{check}」在 statguard 中没有对应规则"},
    "interop.unmapped.option": {"en": "option {option} has no statguard equivalent",
                                "zh": "选项 {option} 在 statguard 中没有对应设置"},
    "interop.unmapped.heading": {"en": "Not carried over ({n}):", "zh": "未能转换的内容（{n} 项）："},
    "interop.unmapped.none": {"en": "Everything was carried over.", "zh": "全部内容均已转换。"},
    "interop.unmapped.line": {"en": "source {source}, {what}: {why}", "zh": "数据源 {source}，{what}：{why}"},
    "interop.what.rule": {"en": "rule {rule}", "zh": "规则 {rule}"},
    "interop.what.column": {"en": "column {column}", "zh": "字段 {column}"},
    "interop.what.source": {"en": "the source", "zh": "数据源本身"},
    "interop.error.unknown_source": {"en": "unknown source '{source}' (sources: {known})",
                                     "zh": "未知数据源「{source}」（已声明：{known}）"},
    "interop.written": {"en": "{path}: written ({n} sources)", "zh": "{path}：已写入（{n} 个数据源）"},
})


@dataclass
class Unmapped:
    """One thing of a pack (or of a foreign schema) the other side cannot express, and why."""

    source: str
    what: str  # 'rule', 'column' or 'source'
    name: str
    why: str  # a catalogue key under interop.unmapped
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        what = t(f"interop.what.{self.what}", lang, rule=self.name, column=self.name)
        return t("interop.unmapped.line", lang, source=self.source, what=what,
                 why=t(f"interop.unmapped.{self.why}", lang, **self.values))


class CannotMap(Exception):
    """Raised inside a translation: the Unmapped reason (catalogue key and values)."""

    def __init__(self, why: str, **values: Any):
        super().__init__(why)
        self.why, self.values = why, values


def unmapped_lines(unmapped: list[Unmapped], lang: str | None = None) -> list[str]:
    if not unmapped:
        return [t("interop.unmapped.none", lang)]
    return [t("interop.unmapped.heading", lang, n=len(unmapped)), *("  - " + u.text(lang) for u in unmapped)]


def chosen_sources(pack: Pack, names: list[str] | None) -> list[Source]:
    """The pack's sources named (all of them, in pack order, when none are); an unknown name is an error."""
    for name in names or []:
        if name not in pack.sources:
            known = ", ".join(pack.sources) or "-"
            raise PackError(Problem(t("interop.error.unknown_source", None, source=name, known=known),
                                    str(pack.path) if pack.path else None, field="--source"))
    return [s for s in pack.sources.values() if not names or s.name in names]


def rules_of(pack: Pack, source: str) -> list[Rule]:
    """Rules whose first source is `source` (a rule of several sources is listed under its first)."""
    return [r for r in pack.rules if r.params is not None and r.sources and r.sources[0] == source]


def schema_rule(pack: Pack, source: str) -> Rule | None:
    return next((r for r in rules_of(pack, source) if r.kind == "schema" and not r.problems), None)


def placeholders(pack: Pack, source: str) -> list[str]:
    from statguard.pack.model import DEFAULT_PLACEHOLDERS
    rule = schema_rule(pack, source)
    return list(rule.params.placeholders) if rule is not None else list(DEFAULT_PLACEHOLDERS)


def unique_keys(pack: Pack, source: Source) -> list[str]:
    """The source's keys when its schema rule checks them."""
    rule = schema_rule(pack, source.name)
    return list(source.keys) if rule is not None and rule.params.unique_keys else []


def common_unmapped(rule: Rule, source: Source, tool: str) -> Unmapped | None:
    """Why `rule` cannot be exported whatever its condition: a broken rule, several sources, a kind
    other than schema, row and unique (None: it may be)."""
    if rule.problems:
        return Unmapped(source.name, "rule", rule.id, "problem", {"problem": rule.problems[0].message})
    if len(set(rule.sources)) > 1:
        return Unmapped(source.name, "rule", rule.id, "sources", {"sources": ", ".join(rule.sources)})
    if rule.kind not in ("schema", "row", "unique"):
        return Unmapped(source.name, "rule", rule.id, "kind", {"kind": rule.kind, "tool": tool})
    return None


def column_families(source: Source) -> dict[str, str]:
    """Column -> type family, as the engine sees declared columns (statguard.checks.plan)."""
    from statguard.checks.plan import _declared_family
    return {c.name: _declared_family(c.type) for c in source.columns.values()}


def row_condition(rule: Rule, source: Source) -> tuple[exp.Expression, exp.Expression | None]:
    """The row rule's condition as the `row` kind evaluates it (a record fails where it is false,
    is not evaluable where it is NULL), and its scope (`where:`, or None)."""
    from sqlglot import exp

    from statguard.checks.record import row
    from statguard.expr import compile_expression

    p = rule.params
    if p.tolerance == "reported":
        raise CannotMap("param", param="tolerance: reported")
    scope = {None: source.declared}
    families = column_families(source)
    cond = compile_expression(p.expr, scope).tree
    if p.missing == "zero":
        cond = row._zero_missing(cond, families)
    cond = row.apply_tolerance(cond, float(p.tolerance), families)
    if p.if_:
        premise = compile_expression(p.if_, scope).tree
        cond = exp.or_(exp.Not(this=exp.paren(premise, copy=False)), exp.paren(cond, copy=False), copy=False)
    if p.missing in ("pass", "fail"):
        cond = exp.Coalesce(this=exp.paren(cond, copy=False), expressions=[exp.Boolean(this=p.missing == "pass")])
    where = compile_expression(p.where, scope).tree if p.where else None
    return cond, where


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def column_ref(name: str) -> str:
    """A column as written in a statguard expression: quoted unless a plain ASCII name."""
    return name if _PLAIN.fullmatch(name) else '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A value as written in a statguard expression."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def pack_yaml(name: str, sources: dict[str, dict[str, Any]], rules: list[dict[str, Any]],
              unmapped: list[Unmapped], lang: str | None = None) -> str:
    """The pack an import writes: comment lines naming what was not carried over, then YAML."""
    import yaml
    doc = {"pack": {"name": name}, "sources": sources, "rules": rules}
    notes = "".join(f"# {line}\n" for line in unmapped_lines(unmapped, lang))
    return notes + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
