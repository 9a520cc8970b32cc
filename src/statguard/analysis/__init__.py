"""Analysis of a pack's record rules with a MILP solver: contradictions, redundancy, fixed
columns (validatetools' semantics), and error localisation (errorlocate's).

`analyze_pack(pack)` looks at the row and part_whole rules of each source that are linear
(in)equalities, categorical tests or conditions built of them (statguard.analysis.linear) and
returns Findings: `error` for rules no record can satisfy together, `warning` for a rule implied
by others or whose `if` condition the other rules rule out, `info` for a column the rules fix
to one value. Every rule is named with its file:line.
scipy (HiGHS) is imported only when an analysis runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statguard.i18n import register, t

if TYPE_CHECKING:
    from statguard.analysis.contradictions import Result
    from statguard.analysis.linear import LinRule
    from statguard.pack.model import Pack

register({
    "analysis.contradiction": {
        "en": "no record of source '{source}' can satisfy these rules together: {rules}",
        "zh": "数据源「{source}」的任何记录都不可能同时满足这些规则：{rules}"},
    "analysis.redundant": {
        "en": "rule {rule} is implied by {rules}: it never fails on its own and can be removed",
        "zh": "规则 {rule}可由{rules}推出：它不会单独不通过，可以删除"},
    "analysis.dead_condition": {
        "en": "the condition of rule {rule} can never hold for a record that passes the rules: "
              "whenever it holds, {rules} contradict each other",
        "zh": "规则 {rule}的条件对通过核查的记录永远不成立：条件一旦成立，{rules}就相互矛盾"},
    "analysis.fixed": {
        "en": "the rules of source '{source}' fix {column} to {value}: {rules}",
        "zh": "数据源「{source}」的规则使 {column} 只能取 {value}：{rules}"},
    "analysis.rule_at": {"en": "{rule} ({where})", "zh": "{rule}（{where}）"},
    "analysis.list_sep": {"en": ", ", "zh": "、"},
})

SEVERITY = {"contradiction": "error", "dead_condition": "warning", "redundant": "warning", "fixed": "info"}


@dataclass
class Finding:
    """One thing the analysis found: `rules` are rule ids (a declared column bound is named
    source.column.min / .max), `text` says it with every rule's file:line."""

    severity: str
    kind: str
    source: str
    rules: list[str]
    text: str
    loc: Any = None  # where the first rule named is written
    column: str | None = None
    value: float | None = None
    locations: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text


def analyze_pack(pack: Pack, lang: str | None = None) -> list[Finding]:
    """Contradictions, redundant rules and fixed columns of each source's record rules."""
    from statguard.analysis.contradictions import analyse
    from statguard.analysis.linear import extract

    lang = lang or pack.lang
    findings: list[Finding] = []
    sources = [s for s in pack.sources if any(_reads(r, s) for r in pack.rules)]
    for source in sources:
        system = extract(pack, source)
        if not any(r.label == r.id for r in system.rules):
            continue
        findings += [_finding(result, source, lang) for result in analyse(system)]
    return findings


def _reads(rule: Any, source: str) -> bool:
    return rule.kind in ("row", "part_whole") and getattr(rule.params, "source", None) == source


def where(rule: LinRule) -> str:
    loc = rule.loc
    return f"{loc.file}:{loc.line}" if loc is not None else "?"


def _named(rules: list[LinRule], lang: str | None) -> str:
    parts = [t("analysis.rule_at", lang, rule=r.label if r.label != r.id else r.id, where=where(r)) for r in rules]
    return t("analysis.list_sep", lang).join(parts)


def _finding(result: Result, source: str, lang: str | None) -> Finding:
    named = _named(result.rules, lang)
    if result.kind == "contradiction":
        text = t("analysis.contradiction", lang, source=source, rules=named)
    elif result.kind in ("redundant", "dead_condition"):
        assert result.implied is not None
        text = t(f"analysis.{result.kind}", lang, rule=_named([result.implied], lang), rules=named)
    else:
        value = result.value
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        text = t("analysis.fixed", lang, source=source, column=result.column, value=shown, rules=named)
    first = result.implied or (result.rules[0] if result.rules else None)
    ids = list(dict.fromkeys(([result.implied.id] if result.implied else []) + [r.id for r in result.rules]))
    return Finding(SEVERITY[result.kind], result.kind, source, ids, text,
                   loc=first.loc if first is not None else None, column=result.column, value=result.value,
                   locations=[where(r) for r in dict.fromkeys([*([result.implied] if result.implied else []),
                                                               *result.rules])])
