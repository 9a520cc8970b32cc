"""One rule explained to its author: `statguard explain PACK RULE`.

What the rule says in a plain sentence (a template per kind in the message catalogue,
`explain.kind.<kind>`, filled from the rule's parameters; for a kind without one, its summary
and the descriptions of the parameters given), its parameters, the SQL its plan compiles to
in each engine's dialect (the plan's sqlglot tree rendered with .sql(dialect)), a made-up
example on which it passes and one on which it fails (statguard.authoring.examples: each
verified by running the rule on it), and, with data, its violations for one unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from statguard.errors import StatguardError
from statguard.i18n import register, t
from statguard.pack.model import Pack, Rule

DIALECTS = ("duckdb", "spark")

register({
    "explain.kind.row": {"en": "Every record of {source} must satisfy {expr}.",
                         "zh": "{source} 的每条记录都须满足 {expr}。"},
    "explain.kind.unique": {"en": "Records of {source} must not share {keys}.",
                            "zh": "{source} 中不能有 {keys} 相同的记录。"},
    "explain.kind.sequence": {"en": "Each series of {source} must have every period, without gaps.",
                              "zh": "{source} 的每个序列都须期期齐全，不能缺期。"},
    "explain.kind.cumulative": {"en": "The year-to-date figure {value} of {source} must not decrease within a "
                                      "year.",
                                "zh": "{source} 的累计数 {value} 在一年内不能减少。"},
    "explain.kind.part_whole": {"en": "In each record of {source}, the parts {parts} must add up to {whole}.",
                                "zh": "{source} 的每条记录中，{parts} 之和须等于 {whole}。"},
    "explain.kind.growth": {"en": "The reported growth rate {rate} of {source} must match the one computed "
                                  "from {value}.",
                            "zh": "{source} 上报的增速 {rate} 须与由 {value} 算出的增速一致。"},
    "explain.kind.hierarchy": {"en": "In {source}, the values {value} of child codes of {code} must add up to "
                                     "their parent's.",
                               "zh": "{source} 中，{code} 的下级代码的 {value} 之和须等于上级的值。"},
    "explain.kind.exists": {"en": "Each record of {source} must have a matching record in {other} (on {match}).",
                            "zh": "{source} 的每条记录在 {other} 中都须有对应记录（按 {match} 匹配）。"},
    "explain.kind.reconcile": {"en": "Per {match}, the total in {source} must equal the total in {other}.",
                               "zh": "按 {match} 汇总，{source} 的合计须等于 {other} 的合计。"},
    "explain.kind.schema": {"en": "The records of {source} must match the columns it declares (presence, types, "
                                  "missing values, codes, ranges, patterns, keys).",
                            "zh": "{source} 的记录须符合其声明的列（是否存在、类型、缺失、代码、范围、格式、主键）。"},
    "explain.generic": {"en": "Kind '{kind}': {summary}", "zh": "规则类型「{kind}」：{summary}"},
    "explain.where": {"en": " Only records where {where} are checked.", "zh": "只检查满足 {where} 的记录。"},
    "explain.if": {"en": " It applies where {if} holds; other records pass.",
                   "zh": "仅在 {if} 成立时适用，其余记录视为通过。"},
    "explain.tolerance": {"en": " Differences up to {tolerance} are accepted.",
                          "zh": "差额在 {tolerance} 以内视为相等。"},
    "explain.h.rule": {"en": "Rule {id} ({kind}, {severity})", "zh": "规则 {id}（{kind}，{severity}）"},
    "explain.h.says": {"en": "What it checks", "zh": "检查内容"},
    "explain.h.params": {"en": "Parameters", "zh": "参数"},
    "explain.h.sql": {"en": "SQL ({dialect})", "zh": "SQL（{dialect}）"},
    "explain.h.pass": {"en": "Example that passes", "zh": "通过的例子"},
    "explain.h.fail": {"en": "Example that fails", "zh": "不通过的例子"},
    "explain.h.violations": {"en": "Violations for unit {unit} ({n} of {total})",
                             "zh": "单位 {unit} 的问题（{n} 条，共 {total} 条）"},
    "explain.no_example": {"en": "no example", "zh": "无例子"},
    "explain.no_sql": {"en": "(no single query: this kind computes in Python over the engine)",
                       "zh": "（无单一查询：该类型在引擎之上用 Python 计算）"},
    "explain.sql_error": {"en": "(cannot be planned: {error})", "zh": "（无法生成：{error}）"},
    "explain.no_violations": {"en": "No violations.", "zh": "没有发现问题。"},
    "explain.no_unit": {"en": "unit {unit} has no violations of this rule (units with violations: {units})",
                        "zh": "单位 {unit} 没有违反本规则（有问题的单位：{units}）"},
    "explain.unknown_unit": {"en": "unit {unit} is not in the data of rule {id} (units: {units}){hint}",
                             "zh": "规则「{id}」的数据中没有单位 {unit}（已有单位：{units}）{hint}"},
    "explain.not_run": {"en": "the rule could not run on the data: {error}", "zh": "规则未能在数据上运行：{error}"},
    "explain.message": {"en": "message", "zh": "问题说明"},
    "explain.unknown_rule": {"en": "no rule '{id}' in the pack (rules: {known})",
                             "zh": "规则包中没有规则「{id}」（已有规则：{known}）"},
    "explain.broken": {"en": "rule '{id}' has problems (see statguard lint):",
                       "zh": "规则「{id}」有问题（见 statguard lint）："},
})


@dataclass
class RuleExplanation:
    rule: Rule
    sentence: str
    parameters: list[tuple[str, Any]]
    sql: dict[str, str]
    passing: Any = None  # statguard.authoring.examples.Example
    failing: Any = None
    unit: str | None = None
    violations: list[dict[str, Any]] = field(default_factory=list)
    units_failing: list[str] = field(default_factory=list)
    total_violations: int = 0
    error: str | None = None
    checked: bool = False  # run on data
    examples: bool = False  # examples were looked for


def find_rule(pack: Pack, rule_id: str, lang: str | None) -> Rule:
    rule = next((r for r in pack.rules if r.id == rule_id), None)
    if rule is None:
        raise StatguardError(t("explain.unknown_rule", lang, id=rule_id, known=", ".join(r.id for r in pack.rules)))
    if rule.problems or rule.params is None:
        raise StatguardError("\n".join([t("explain.broken", lang, id=rule_id), *map(str, rule.problems)]))
    return rule


def explain_rule(pack: Pack, rule_id: str, lang: str | None = None, data: dict[str, Any] | None = None,
                 unit: str | None = None, examples: bool = True) -> RuleExplanation:
    """Everything `statguard explain` shows about rule `rule_id` of `pack`."""
    from statguard.authoring.examples import find_examples
    rule = find_rule(pack, rule_id, lang)
    out = RuleExplanation(rule, sentence(rule, lang), parameters(rule), compiled_sql(pack, rule))
    if examples:
        out.examples = True
        out.passing, out.failing = find_examples(pack, rule, lang)
    if data is not None:
        _violations(pack, rule, data, unit, lang, out)
    return out


def sentence(rule: Rule, lang: str | None) -> str:
    """The rule in a plain sentence, from its kind's template, else from its parameters' descriptions."""
    from statguard.checks import registry
    from statguard.checks.texts import kind_summary, param_text
    from statguard.i18n import CATALOGUE
    values = {k: _shown(v) for k, v in rule.params.model_dump(by_alias=True).items() if k not in ("key", "lang")}
    key = f"explain.kind.{rule.kind}"
    groups = getattr(rule.params, "groups", None) if rule.kind == "part_whole" else None
    if groups:  # several part-whole groups of one record: one sentence each
        text = "\n".join(t(key, lang, **{**values, "parts": _shown(g.parts), "whole": g.whole}) for g in groups)
    elif key in CATALOGUE:
        text = t(key, lang, **values)
    else:
        kind = registry.get(rule.kind)
        fields = kind.params.model_fields if kind else {}
        given = [f"{f.alias or n}: {values.get(f.alias or n)} ({param_text(kind, f.alias or n, lang).rstrip('.。')})"
                 for n, f in fields.items() if n in rule.params.model_fields_set]
        text = t("explain.generic", lang, kind=rule.kind, summary=kind_summary(kind, lang) if kind else "") + \
            "".join(f"\n  - {g}" for g in given)
    for name in ("where", "if"):
        if values.get(name) not in (None, "None"):
            text += t(f"explain.{name}", lang, **{name: values[name]})
    tolerance = getattr(rule.params, "tolerance", None)
    if "tolerance" in rule.params.model_fields_set and tolerance:
        text += t("explain.tolerance", lang, tolerance=tolerance)
    return text


def _shown(value: Any) -> str:
    """A parameter as an author wrote it: lists as a, b; settings as key: value (unset ones left out)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(_shown, value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items() if v is not None) + "}"
    return str(value)


def parameters(rule: Rule) -> list[tuple[str, Any]]:
    """The parameters as given in the pack (defaults left out)."""
    dumped = rule.params.model_dump(by_alias=True, exclude_unset=True)
    return list(dumped.items())


def compiled_sql(pack: Pack, rule: Rule) -> dict[str, str]:
    """The rule's query in each engine dialect (a kind computing in Python has none)."""
    from statguard.checks import registry
    from statguard.checks.plan import Context
    kind = registry.get(rule.kind)
    out = {}
    for dialect in DIALECTS:
        try:
            plan = kind.plan(rule, Context(pack, rule, dialect=dialect)) if kind else None
        except StatguardError as e:
            out[dialect] = f"!{e}"
            continue
        query = getattr(plan, "query", None)
        out[dialect] = query.sql(dialect=dialect, pretty=True) if query is not None else ""
    return out


def _violations(pack: Pack, rule: Rule, data: dict[str, Any], unit: str | None, lang: str | None,
                out: RuleExplanation) -> None:
    out.checked = True
    report = pack.validate(data, rules=[rule.id])
    row = report.rules()[0]
    if row.get("errored"):
        out.error = str(row.get("error"))
        return
    _check_unit(unit, report, rule, lang)
    frame = report.violations
    units = [str(u) for u in frame["unit"].tolist()]
    counts: dict[str, int] = {}
    for u in units:
        counts[u] = counts.get(u, 0) + 1
    out.units_failing = sorted(counts, key=lambda u: (-counts[u], u))
    out.total_violations = len(units)
    out.unit = unit if unit is not None else (out.units_failing[0] if out.units_failing else None)
    out.violations = [frame.iloc[i].to_dict() for i, u in enumerate(units) if u == out.unit]


def _check_unit(unit: str | None, report: Any, rule: Rule, lang: str | None) -> None:
    """A unit asked for that the data does not hold is a mistake (a typo, the wrong file), not a
    unit without violations. The units are those the run recorded of its sources (none recorded:
    no unit column, or too many to list; nothing to check against)."""
    recorded = (report.meta.get("units") or {}).get("sources") or {}
    known = sorted({str(u) for units in recorded.values() for u in units})
    if unit is None or not known or unit in known:
        return
    from statguard.i18n import did_you_mean
    shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
    raise StatguardError(t("explain.unknown_unit", lang, unit=unit, id=rule.id, units=shown,
                           hint=did_you_mean(unit, known, lang=lang)))


def render(ex: RuleExplanation, lang: str | None) -> str:
    """The explanation as text for a terminal."""
    from statguard.i18n import severity
    rule = ex.rule
    lines = [t("explain.h.rule", lang, id=rule.id, kind=rule.kind, severity=severity(rule.severity, lang)),
             "", t("explain.h.says", lang), *_indent(ex.sentence), "", t("explain.h.params", lang)]
    lines += [f"  {name}: {_param(value)}" for name, value in ex.parameters]
    for dialect, sql in ex.sql.items():
        shown = (t("explain.sql_error", lang, error=sql[1:]) if sql.startswith("!")
                 else sql or t("explain.no_sql", lang))
        lines += ["", t("explain.h.sql", lang, dialect=dialect), *_indent(shown)]
    if ex.examples:  # asked for: shown, "no example" included; not asked for (--no-examples): no headings
        for title, example in (("explain.h.pass", ex.passing), ("explain.h.fail", ex.failing)):
            lines += ["", t(title, lang), *_example(example, lang)]
    if ex.error is not None:
        lines += ["", t("explain.not_run", lang, error=ex.error)]
    elif ex.checked:
        lines += ["", *_violation_lines(ex, lang)]
    return "\n".join(lines) + "\n"


def _indent(text: str) -> list[str]:
    return ["  " + line for line in text.splitlines()]


def _param(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _example(example: Any, lang: str | None) -> list[str]:
    if example is None:
        return ["  " + t("explain.no_example", lang)]
    lines = []
    for source, records in example.data.items():
        for record in records:
            lines.append(f"  {source}: " + ", ".join(f"{k}={_cell(v)}" for k, v in record.items()))
    lines += [f"  -> {m}" for m in example.messages[:3]]
    return lines


def _cell(value: Any) -> str:
    return "NA" if value is None else str(value)


def _violation_lines(ex: RuleExplanation, lang: str | None) -> list[str]:
    if ex.unit is not None and not ex.violations:
        return [t("explain.no_unit", lang, unit=ex.unit, units=", ".join(ex.units_failing[:10]) or "-")]
    if not ex.violations:
        return [t("explain.no_violations", lang)]
    lines = [t("explain.h.violations", lang, unit=ex.unit, n=len(ex.violations), total=ex.total_violations)]
    from statguard.report.views import display, record_keys
    for v in ex.violations:  # as the text report places a violation: period, then the keys a reader needs
        where = " ".join(w for w in (display(v.get("period"), grouping=False), record_keys(v, lang or "en")) if w)
        lines.append("  " + (where + t("msg.colon", lang) if where else "") + str(v.get("message")))
    return lines
