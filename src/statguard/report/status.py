"""A rule's status in one word, and as a reader sees it, the same in every format.

A rule that passed only the items it could evaluate has not plainly passed: its status says how
many it could not ("passed, 3 not evaluable"); a rule that evaluated none of its items, or had
none at all, says so. Only violations gate a run: these statuses change no exit code.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from statguard.i18n import register, t

register({
    "status.lacking": {"en": "passed, {n} not evaluable", "zh": "通过，{n} 项无法判断"},
    "status.unevaluable": {"en": "none evaluable ({n} items)", "zh": "均无法判断（共 {n} 项）"},
    "status.fail_lacking": {"en": "fail, {n} not evaluable", "zh": "不通过，另有 {n} 项无法判断"},
    # the terminal's rule table, where the count stands in the n/a column beside it
    "status.lacking.short": {"en": "passed, some n/a", "zh": "通过，部分无法判断"},
    "status.unevaluable.short": {"en": "all n/a", "zh": "均无法判断"},
})

# error: could not run; skipped: an optional source was not given; fail: has failing items;
# empty: evaluated 0 items (nothing checked); unevaluable: items, none of them evaluable;
# lacking: passed the items it could evaluate, some it could not; ok: passed every item
STATUSES = ("error", "skipped", "fail", "empty", "unevaluable", "lacking", "ok")


def rule_status(row: Mapping[str, Any]) -> str:
    """The status of one summary row (see STATUSES)."""
    if _true(row.get("errored")):
        return "error"
    if row.get("skipped") is True:
        return "skipped"
    if _number(row.get("fails")) > 0:
        return "fail"
    items, na = _number(row.get("items")), _number(row.get("not_evaluable"))
    if not items:
        return "empty"
    if na >= items:
        return "unevaluable"
    return "lacking" if na else "ok"


def status_text(row: Mapping[str, Any], lang: str | None, status: str | None = None, short: bool = False) -> str:
    """The status as a reader sees it, with the count of not-evaluable items where it matters
    (a failing rule's too); `short`: without the count, for a table that shows it beside."""
    from statguard.numbers import count
    status = status or rule_status(row)
    if short:
        return t(f"status.{status}.short" if status in ("lacking", "unevaluable") else f"status.{status}", lang)
    na = _number(row.get("not_evaluable"))
    if status == "fail" and na:
        return t("status.fail_lacking", lang, n=count(na))
    if status in ("lacking", "unevaluable"):
        return t(f"status.{status}", lang, n=count(na))
    return t(f"status.{status}", lang)


def _number(value: Any) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    return int(value)


def _true(value: Any) -> bool:
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def unevaluable_line(report: Any, lang: str | None) -> str | None:
    """"3 item(s) not evaluable in 2 rule(s)" for a headline, or None when every item was evaluable:
    a run whose only findings are items it could not judge does not read as a plain pass."""
    from statguard.numbers import count
    counts = [_number(r.get("not_evaluable")) for r in report.rules() if not _true(r.get("errored"))]
    n, rules = sum(counts), sum(1 for c in counts if c)
    return t("unevaluable_line", lang, n=count(n), rules=count(rules)) if n else None
