"""Attaching explanations to the violations of a report.

Each explanation is looked up by rule id, unit, period and record keys (keys
that name the unit or period column are implied by those). A found violation
of a soft rule becomes explained when the explanation meets the rule's
requirements. Anything else about an explanation is itself reported, as a
violation of the built-in pseudo-rule `explanations` (severity warning, hard:
it cannot be explained away), so that explanations never pile up unseen:

    stale         it matches no violation (the figure was corrected, or the keys are wrong)
    refused       it answers a hard rule, whose violations must be corrected
    empty         it has no text
    insufficient  it lacks what the rule's `explanation:` requires
    duplicate     the violation was already explained by an earlier entry
    unknown_rule  it names a rule the pack does not have
    malformed     the entry cannot be read (no rule id, keys not "k=v; k2=v2")

Explanations of rules that did not run (left out by --rule/--tag, or errored)
are neither used nor reported as stale: they count as not evaluable.

A problem's violation says its kind in the run's language as its detail
(statguard.report.explanation_text.kind_label); the report's meta counts the kinds
themselves, and `kind_of` reads a detail back into its kind.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statguard.explain import model as m
from statguard.explain.model import Explanation, norm, spellings
from statguard.explain.spec import DEFAULT_SPEC
from statguard.i18n import register, t
from statguard.report.explanation_text import kind_label

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack, Rule
    from statguard.report.model import Report

PSEUDO_RULE = "explanations"
register({
    f"explanations.problem.{m.STALE}": {"en": "explanation matches no violation of {rule}{hint}",
                                        "zh": "说明没有对应的问题（规则 {rule}）{hint}"},
    f"explanations.problem.{m.REFUSED}": {
        "en": "rule {rule} is hard: its violations must be corrected, an explanation cannot clear them",
        "zh": "规则 {rule} 为强制性审核：问题必须更正，不能以说明代替"},
    f"explanations.problem.{m.EMPTY}": {"en": "explanation of {rule} has no text", "zh": "规则 {rule} 的说明内容为空"},
    f"explanations.problem.{m.INSUFFICIENT}": {
        "en": "explanation of {rule} does not meet the rule's requirement: {why}",
        "zh": "规则 {rule} 的说明不符合要求：{why}"},
    f"explanations.problem.{m.DUPLICATE}": {
        "en": "violation of {rule} is already explained ({why}); this explanation is ignored",
        "zh": "规则 {rule} 的该问题已有说明（{why}），本条不予采用"},
    f"explanations.problem.{m.UNKNOWN_RULE}": {"en": "no rule '{rule}' in the pack",
                                               "zh": "规则包中没有规则「{rule}」"},
    f"explanations.problem.{m.MALFORMED}": {"en": "unusable explanation: {why}", "zh": "说明无法使用：{why}"},
    "explanations.head": {"en": "explanations given with the submission", "zh": "随报送提交的说明"},
    "explanations.hint.no_violations": {"en": ": the rule has no violations in this run", "zh": "：本次该规则没有问题"},
    "explanations.hint.none_there": {"en": ": no violation for {where}", "zh": "：{where} 没有该规则的问题"},
    "explanations.hint.keys": {"en": ": keys '{given}' not found; violations there have keys: {seen}",
                               "zh": "：记录 '{given}' 不存在；该处问题的记录为：{seen}"},
    "explanations.why_sep": {"en": "; ", "zh": "；"},
})


@dataclass
class _Run:
    """State of one attachment: the violations frame being marked, and what went wrong."""

    pack: Pack
    violations: pd.DataFrame
    ran: set[str]
    lang: str
    index: dict[tuple[str, str, str, frozenset], list[int]] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # the kind of each problem (stale, refused, ...)
    used: int = 0
    skipped: int = 0


def attach(report: Report, pack: Pack, explanations: list[Explanation], files: list[str] | None = None,
           lang: str | None = None) -> Report:
    """Mark the violations `explanations` answer, and report the explanations that answer nothing."""
    import pandas as pd

    from statguard.report.model import VIOLATION_COLUMNS, Report
    v = report.violations.copy().reset_index(drop=True)
    for col in VIOLATION_COLUMNS:
        if col not in v.columns:
            v[col] = None
    v["explained"] = v["explained"].astype(object).where(v["explained"].notna(), False)
    for col in ("explanation", "explained_by", "explained_at", "explanation_fields"):
        v[col] = v[col].astype(object).where(v[col].notna(), None)
    ran = set(report.summary.loc[~report.summary["errored"].astype(bool), "rule_id"]) if len(report.summary) else set()
    run = _Run(pack, v, ran, lang if lang in ("zh", "en") else "en")
    _index(run)
    for expl in explanations:
        _apply(run, expl)
    summary, meta = report.summary, dict(report.meta)
    if explanations or run.problems:
        rows = pd.DataFrame(run.problems, columns=VIOLATION_COLUMNS)
        v = pd.concat([run.violations, rows], ignore_index=True) if len(rows) else run.violations
        summary = pd.concat([summary, pd.DataFrame([_summary_row(run, explanations, files)])], ignore_index=True)
    meta["explanations"] = _meta(run, explanations, files)
    return Report(report.pack, v, summary, meta, lacking=report.lacking_columns())


def _roles(pack: Pack, rule_id: str) -> set[str]:
    """Column names that hold the unit or the period in the sources of a rule."""
    try:
        rule = pack.rule(rule_id)
    except KeyError:
        return set()
    out = set()
    for s in rule.sources:
        src = pack.sources.get(s)
        if src is not None:
            out |= {c for c in (src.unit, src.period) if c}
    return out


def _key(pack_roles: set[str], keys: dict[str, Any] | None) -> frozenset:
    return frozenset((str(k), norm(v)) for k, v in (keys or {}).items() if k not in pack_roles)


def _index(run: _Run) -> None:
    roles: dict[str, set[str]] = {}
    for i, row in enumerate(run.violations[["rule_id", "unit", "period", "keys"]].itertuples(index=False)):
        rid = str(row.rule_id)
        if rid not in roles:
            roles[rid] = _roles(run.pack, rid)
        k = (rid, norm(row.unit), norm(row.period), _key(roles[rid], row.keys if isinstance(row.keys, dict) else {}))
        run.index.setdefault(k, []).append(i)


def _lookup(run: _Run, rule_id: str, expl: Explanation) -> list[int]:
    keys = _key(_roles(run.pack, rule_id), expl.keys)
    for unit in spellings(expl.unit):
        for period in spellings(expl.period):
            rows = run.index.get((rule_id, unit, period, keys))
            if rows:
                return rows
    return []


def _apply(run: _Run, expl: Explanation) -> None:
    if expl.error:
        _problem(run, expl, m.MALFORMED, expl.rule_id or "?", why=t(expl.error, run.lang, **expl.error_values))
        return
    matched = answered = used = False
    for rule_id in expl.rule_ids:
        rule = _rule(run.pack, rule_id)
        if rule is None:
            _problem(run, expl, m.UNKNOWN_RULE, rule_id)
            answered = True
        elif rule_id not in run.ran:
            run.skipped += 1
            answered = True
        elif rule.is_hard:
            _problem(run, expl, m.REFUSED, rule_id)
            answered = True
        elif rows := _lookup(run, rule_id, expl):
            matched = True
            used = _explain(run, expl, rule, rows) or used
    if not matched and not answered:
        _problem(run, expl, m.STALE, expl.rule_id, hint=_hint(run, expl))
    run.used += used


def _explain(run: _Run, expl: Explanation, rule: Rule, rows: list[int]) -> bool:
    """Mark `rows` explained if `expl` is good enough for `rule`; report why not otherwise."""
    if not expl.text.strip():
        _problem(run, expl, m.EMPTY, rule.id)
        return False
    spec = rule.explanation or DEFAULT_SPEC
    short = spec.shortfalls(expl, run.lang)
    if short:
        _problem(run, expl, m.INSUFFICIENT, rule.id, why=t("explanations.why_sep", run.lang).join(short))
        return False
    v = run.violations
    fresh = [i for i in rows if not v.at[i, "explained"]]
    if not fresh:
        _problem(run, expl, m.DUPLICATE, rule.id, why=str(v.at[rows[0], "explanation"])[:40])
        return False
    for i in fresh:
        v.at[i, "explained"] = True
        v.at[i, "explanation"] = expl.text.strip()
        v.at[i, "explained_by"] = expl.author
        v.at[i, "explained_at"] = expl.date
        v.at[i, "explanation_fields"] = {k: m.plain(val) for k, val in expl.fields.items()} or None
    return True


def _rule(pack: Pack, rule_id: str) -> Rule | None:
    try:
        return pack.rule(rule_id)
    except KeyError:
        return None


def _hint(run: _Run, expl: Explanation) -> str:
    """Why nothing matched, as far as can be told: the nearest violations of the same rule."""
    v = run.violations
    rid = expl.rule_ids[0]
    same = v[v["rule_id"] == rid]
    if not len(same):
        return t("explanations.hint.no_violations", run.lang)
    units, periods = spellings(expl.unit), spellings(expl.period)
    here = same[same["unit"].map(norm).isin(units) & same["period"].map(norm).isin(periods)]
    if not len(here):
        where = " ".join(x for x in (norm(expl.unit), norm(expl.period)) if x) or "-"
        return t("explanations.hint.none_there", run.lang, where=where)
    roles = _roles(run.pack, rid)
    seen = sorted({"; ".join(f"{k}={norm(x)}" for k, x in (ks or {}).items() if k not in roles)
                   for ks in here["keys"]})
    given = "; ".join(f"{k}={norm(x)}" for k, x in expl.keys.items() if k not in roles) or "-"
    return t("explanations.hint.keys", run.lang, given=given, seen=", ".join(seen[:3]))


def _problem(run: _Run, expl: Explanation, kind: str, rule_id: str, **extra: str) -> None:
    text = t(f"explanations.problem.{kind}", run.lang, rule=rule_id, why=extra.get("why", ""),
             hint=extra.get("hint", ""))
    run.kinds.append(kind)
    run.problems.append({
        "rule_id": PSEUDO_RULE, "kind": PSEUDO_RULE, "severity": "warning", "source": expl.origin,
        "unit": m.plain(expl.unit), "period": m.plain(expl.period),
        "keys": {k: m.plain(x) for k, x in expl.keys.items()},
        "values": {"rule_id": rule_id, "text": expl.text, "author": expl.author},
        "detail": kind_label(kind, run.lang), "message": f"{text} [{expl.origin}]", "hard": True, "explained": False})


def _summary_row(run: _Run, explanations: list[Explanation], files: list[str] | None) -> dict[str, Any]:
    return {"rule_id": PSEUDO_RULE, "kind": PSEUDO_RULE, "severity": "warning",
            "description": t("explanations.head", run.lang),
            "sources": ", ".join(files or []) or None, "items": len(explanations), "passes": run.used,
            "fails": len(run.problems), "not_evaluable": run.skipped, "errored": False, "error": None,
            "seconds": None, "hard": True}


def _meta(run: _Run, explanations: list[Explanation], files: list[str] | None) -> dict[str, Any]:
    from statguard.report.model import _flags
    v = run.violations
    real = v[(v["rule_id"] != PSEUDO_RULE) & (v["severity"] != "info")]
    soft = real[~_flags(real, "hard", real["severity"] == "error")]
    explained = int(soft["explained"].astype(bool).sum())
    return {"files": list(files or []), "given": len(explanations), "used": run.used,
            "explained": explained, "unexplained_soft": len(soft) - explained,
            "problems": dict(Counter(run.kinds)), "not_evaluable": run.skipped}
