"""The items a rule could not evaluate, as records (R validate's `lacking()`).

The records are built where the engine's items are turned into records
(statguard.engine.violations.lacking_of); this module holds their shape and words.
An item is not evaluable when a figure it needs is missing (its status is 'na', see
statguard.checks.plan): it neither passes nor fails. A run counts them per rule; asked to
(`statguard check --lacking`, options={"lacking": True}), it also lists them, one record per
item in the shape of a violation: rule, unit, period, keys, the values involved, and which of
them were missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from statguard.i18n import figure_label, register, t

if TYPE_CHECKING:
    from statguard.report.model import Report

register({
    "lacking.message": {"en": "not evaluable: {missing} missing", "zh": "无法判断：缺少 {missing}"},
    "lacking.message_bare": {"en": "not evaluable", "zh": "无法判断"},
    "lacking.sep": {"en": ", ", "zh": "、"},
})

LACKING_COLUMNS = ["rule_id", "kind", "severity", "source", "unit", "period", "keys", "values", "missing",
                   "observed", "expected", "detail", "message"]


def message(missing: list[str], detail: Any, lang: str | None, kind: str | None = None) -> str:
    """"not evaluable: " and the kind's detail when it gives one (it says why: "T g3: ...; NULL: B"),
    else the values that are missing ("not evaluable: a, b missing"), else "not evaluable"."""
    if detail not in (None, ""):
        return t("lacking.message_bare", lang) + t("msg.colon", lang) + str(detail)
    if missing:
        return t("lacking.message", lang, missing=missing_text(missing, lang, kind))
    return t("lacking.message_bare", lang)


def missing_text(missing: list[str] | None, lang: str | None, kind: str | None = None) -> str:
    """The names of an item's missing figures (of a rule of `kind`) as a reader sees them
    (statguard.i18n.figure_label)."""
    return t("lacking.sep", lang).join(figure_label(m, lang, kind) for m in missing or [])


def empty() -> dict[str, list[Any]]:
    return {c: [] for c in LACKING_COLUMNS}


register({
    "h.lacking": {"en": "Not evaluable", "zh": "无法判断的项"},
    "lacking.first": {"en": "Items not evaluable (of {n}):", "zh": "无法判断的项（共 {n} 项）："},
    "lacking.more": {"en": "... {n} more not shown here; all of them: -o report.html, -o report.xlsx, "
                           "-o report.csv or -o report.json",
                     "zh": "……另有 {n} 项未在此列出；查看全部：-o report.html、-o report.xlsx、-o report.csv 或 "
                           "-o report.json"},
    "lacking.hint": {"en": "{n} item(s) of {rules} rule(s) could not be evaluated (a figure they need is missing); "
                           "list them with --lacking",
                     "zh": "{rules} 条规则共有 {n} 项无法判断（所需数值缺失）；用 --lacking 列出"},
    "lacking.unlisted": {"en": "not listed for {rules}: these rules work outside the engine's queries",
                         "zh": "未能列出 {rules} 的无法判断项：这些规则不在引擎查询中执行"},
    "lacking.none": {"en": "No item was left not evaluable.", "zh": "没有无法判断的项。"},
    "col.missing": {"en": "missing", "zh": "缺失的数值"},
})


def where(record: Mapping[str, Any]) -> str:
    """Unit, period and the other keys of an item, as a line of a listing shows them."""
    from statguard.report.views import display
    parts = [display(record.get(name), grouping=False) for name in ("unit", "period")]
    keys = record.get("keys") if isinstance(record.get("keys"), Mapping) else {}
    parts += [display(v, grouping=False) for v in keys.values()]
    return " ".join(dict.fromkeys(p for p in parts if p))


def hint(report: Report, lang: str | None) -> str | None:
    """For a run that did not list its not-evaluable items, the sentence saying how many there are
    and how to list them; None when there are none, or they are listed."""
    if report.lacking_listed:
        return None
    # the explanations' summary row (statguard.explain.match.PSEUDO_RULE) is no rule: --lacking lists nothing of it
    counts = [int(r.get("not_evaluable") or 0) for r in report.rules() if r.get("kind") != "explanations"]
    if not any(counts):
        return None
    from statguard.numbers import count
    return t("lacking.hint", lang, n=count(sum(counts)), rules=count(sum(1 for c in counts if c)))


def unlisted(report: Report, lang: str | None) -> str | None:
    """The note naming rules whose not-evaluable items could not be listed, if any."""
    rules = report.meta.get("lacking_unlisted") or []
    return t("lacking.unlisted", lang, rules=", ".join(map(str, rules))) if rules else None
