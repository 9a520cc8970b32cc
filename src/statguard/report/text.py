"""The terminal summary: verdict, per-rule table, worst units, first violations.

Fits an 80-column terminal; Chinese characters count as two columns.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from statguard.report.model import Report


def width_of(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    if width_of(text) <= width:
        return text + " " * (width - width_of(text))
    out, used = [], 0
    for ch in text:
        w = width_of(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def render_text(report: Report, width: int = 80, limit: int = 20, color: bool = False) -> str:
    counts = report.counts_by_severity()
    errored = report.errored
    lines = [f"statguard: pack '{report.pack}'"]
    verdict = "FAIL" if counts["error"] or errored else ("WARN" if counts["warning"] else "PASS")
    lines.append(f"{verdict}: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
                 + (f", {len(errored)} rule(s) could not run" if errored else ""))
    lines.append("")
    name_w = max(12, width - 52)
    lines.append(f"{clip('rule', name_w)} {'sev':<7} {'items':>8} {'pass':>8} {'fail':>8} {'n/a':>7}  status")
    for r in report.summary.to_dict("records"):
        status = "ERROR" if r["errored"] else ("fail" if r["fails"] else "ok")
        lines.append(f"{clip(str(r['rule_id']), name_w)} {r['severity']:<7} {_n(r['items'])} "
                     f"{_n(r['passes'])} {_n(r['fails'])} {_n(r['not_evaluable'], 7)}  {status}")
    for r in report.summary.to_dict("records"):
        if r["errored"]:
            lines.append(clip(f"  ! {r['rule_id']}: {r['error']}", width).rstrip())
    v = report.violations
    if len(v) and v["unit"].notna().any():
        worst = v[v["unit"].notna()].groupby("unit").size().sort_values(ascending=False).head(5)
        lines.append("")
        lines.append("Units with most violations: " + ", ".join(f"{u} ({n})" for u, n in worst.items()))
    if len(v):
        lines.append("")
        lines.append(f"First violations (of {len(v)}):")
        order = v.assign(_r=v["severity"].map({"error": 0, "warning": 1, "info": 2})).sort_values("_r", kind="stable")
        for row in order.head(limit).to_dict("records"):
            where = " ".join(str(x) for x in (row["unit"], row["period"]) if x is not None and x == x)
            head = f"  [{row['severity'][0].upper()}] {row['rule_id']}" + (f" {where}" if where else "")
            lines.append(clip(head + ": " + str(row["message"]), width).rstrip())
    return "\n".join(lines) + "\n"


def _n(value: object, w: int = 8) -> str:
    return f"{'' if value is None else value!s:>{w}}"
