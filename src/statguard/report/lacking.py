"""The items a rule could not evaluate, as records (R validate's `lacking()`).

An item is not evaluable when a figure it needs is missing (its status is 'na', see
statguard.checks.plan): it neither passes nor fails. A run counts them per rule; asked to
(`statguard check --lacking`, options={"lacking": True}), it also lists them, one record per
item in the shape of a violation: rule, unit, period, keys, the values involved, and which of
them were missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.checks.plan import DETAIL, EXPECTED, KEY, OBSERVED, PERIOD, UNIT, VAL, Items
from statguard.i18n import register, t

if TYPE_CHECKING:
    from statguard.pack.model import Rule

register({
    "lacking.message": {"en": "not evaluable: {missing} missing", "zh": "无法判断：缺少 {missing}"},
    "lacking.message_bare": {"en": "not evaluable", "zh": "无法判断"},
    "lacking.sep": {"en": ", ", "zh": "、"},
})

LACKING_COLUMNS = ["rule_id", "kind", "severity", "source", "unit", "period", "keys", "values", "missing",
                   "observed", "expected", "detail", "message"]


def lacking_of(rule: Rule, items: Items, lang: str | None = None) -> dict[str, list[Any]]:
    """One record per not-evaluable item of `rule`, as columns (LACKING_COLUMNS -> values).
    `missing` names the values of the item that are absent (its figures that were not reported)."""
    from statguard.report.violations import _dicts, _translated_details
    n = len(items)
    plain = items.columns
    none: list[Any] = [None] * n
    data: dict[str, list[Any]] = {
        "rule_id": [rule.id] * n, "kind": [rule.kind] * n, "severity": [rule.severity] * n,
        "source": [", ".join(rule.sources)] * n,
        "keys": _dicts(plain, [c for c in plain if c.startswith(KEY)], KEY, n),
        "values": _dicts(plain, [c for c in plain if c.startswith(VAL)], VAL, n)}
    for name, column in (("unit", UNIT), ("period", PERIOD), ("observed", OBSERVED), ("expected", EXPECTED),
                         ("detail", DETAIL)):
        data[name] = plain.get(column, none)
    data["detail"] = _translated_details({**data, "imbalance": none}, lang) if n else []
    data["missing"] = [[name for name, value in values.items() if value is None] for values in data["values"]]
    data["message"] = [message(missing, detail, lang) for missing, detail in zip(data["missing"], data["detail"],
                                                                                  strict=True)]
    return {c: data[c] for c in LACKING_COLUMNS}


def message(missing: list[str], detail: Any, lang: str | None) -> str:
    """"not evaluable: a, b missing", or with nothing named missing "not evaluable" (and the kind's
    detail, when it gives one)."""
    text = (t("lacking.message", lang, missing=t("lacking.sep", lang).join(missing)) if missing
            else t("lacking.message_bare", lang))
    return text + (t("msg.colon", lang) + str(detail) if detail not in (None, "") and not missing else "")


def empty() -> dict[str, list[Any]]:
    return {c: [] for c in LACKING_COLUMNS}
