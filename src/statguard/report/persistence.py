"""`min_failures` / `of_last`: one violation per unit for a habit, none for one honest slip.

Any rule may say

    min_failures: 3      # a unit is reported when at least 3 of its periods fail ...
    of_last: 6           # ... among the last 6 periods it submitted (optional)

Then the rule's per-period violations are gathered per unit: a unit whose
failing periods reach `min_failures` gets one violation (the latest failing
item's keys, figures and message, plus `failures`, `failing_periods` and
`window` among its values); a unit below it gets none, and its failing items
count as tolerated (passes) in the summary. The periods a unit submitted come
from the run's unit facts (report.meta["units"]["periods"]); without them only
the failing periods themselves are known, so `of_last` counts the last n of
those. Violations without a unit cannot be gathered and are kept as they are;
several violations of one unit and period count as one failing period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from statguard.i18n import register, t


@dataclass(frozen=True)
class Persistence:
    min_failures: int
    of_last: int | None = None


register({
    "detail.persist": {
        "en": "failed in {failures} of the last {window} periods ({failing_periods}); at least {min_failures} flag it",
        "zh": "最近 {window} 期中有 {failures} 期不通过（{failing_periods}），达到 {min_failures} 期即列为问题"},
    "persist.message": {"en": "{failures} of {window} periods fail", "zh": "{window} 期中 {failures} 期不通过"},
})


def period_key(text: Any) -> tuple[Any, ...]:
    """Time order for period labels: parsed periods by ordinal, other texts with digit runs as numbers."""
    from statguard.periods import natural_key, try_parse
    period, _ = try_parse(text)
    if period is not None:
        return (0, period.freq, period.ordinal, "")
    return (1, "", 0, natural_key(text))


def gather(records: dict[str, list[Any]], rule: Any, persist: Persistence,
           periods: Mapping[str, list[str]] | None, lang: str | None) -> tuple[dict[str, list[Any]], int, int]:
    """(records gathered per unit, failing items that count, failing items tolerated)."""
    n = len(records.get("rule_id", ()))
    by_unit: dict[Any, list[int]] = {}
    kept_alone: list[int] = []
    for i in range(n):
        unit = records["unit"][i]
        (kept_alone if unit is None else by_unit.setdefault(unit, [])).append(i)
    chosen: list[tuple[int, dict[str, Any]]] = [(i, {}) for i in kept_alone]
    counted = len(kept_alone)
    for unit, rows in by_unit.items():
        failing = sorted({str(records["period"][i]) for i in rows if records["period"][i] is not None},
                         key=period_key)
        submitted = sorted({str(p) for p in (periods or {}).get(str(unit), [])} | set(failing), key=period_key)
        window = submitted[-persist.of_last:] if persist.of_last else submitted
        in_window = [p for p in failing if p in set(window)]
        undated = [i for i in rows if records["period"][i] is None]
        failures = len(in_window) + (1 if undated and not failing else 0)
        if failures < persist.min_failures:
            continue
        latest = max(rows, key=lambda i: period_key(records["period"][i]) if records["period"][i] is not None
                     else (-1,))
        counted += sum(1 for i in rows if records["period"][i] is None or str(records["period"][i]) in in_window)
        chosen.append((latest, {"failures": failures, "window": len(window) or failures,
                                "failing_periods": in_window, "min_failures": persist.min_failures}))
    out: dict[str, list[Any]] = {c: [] for c in records}
    for i, extra in sorted(chosen, key=lambda pair: pair[0]):
        for column, values in records.items():
            out[column].append(values[i])
        if extra:
            _habit(out, extra, lang)
    return out, counted, n - counted


def _habit(out: dict[str, list[Any]], extra: dict[str, Any], lang: str | None) -> None:
    """Turn the record just appended into the unit's one violation for the habit."""
    shown = {**extra, "failing_periods": "、".join(extra["failing_periods"]) if lang == "zh"
             else ", ".join(extra["failing_periods"])}
    values = dict(out["values"][-1] or {})
    values.update(extra)
    out["values"][-1] = values
    out["detail"][-1] = t("detail.persist", lang, **shown)
    head = t("persist.message", lang, **shown)
    message = out["message"][-1]
    out["message"][-1] = f"{head}{t('msg.colon', lang)}{message}" if message else head
