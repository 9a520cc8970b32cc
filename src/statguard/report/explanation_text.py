"""Lines about explanations for the terminal summary, in Chinese or English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statguard.report.model import Report

_KINDS = {"stale": "过期", "refused": "被拒", "empty": "空白", "insufficient": "不合要求", "duplicate": "重复",
          "unknown_rule": "规则不存在", "malformed": "格式错误"}


def summary_lines(report: Report) -> list[str]:
    """One line on how many soft violations are explained, and the explanation problems; none if none given."""
    facts = report.meta.get("explanations")
    if not facts:
        return []
    lang = "zh" if report.meta.get("lang") == "zh" else "en"
    done, left, problems = facts.get("explained", 0), facts.get("unexplained_soft", 0), facts.get("problems") or {}
    n = sum(problems.values())
    if lang == "zh":
        line = f"说明：已说明 {done} 条，未说明的核实性问题 {left} 条"
        if n:
            kinds = "，".join(f"{_KINDS.get(k, k)} {c}" for k, c in problems.items())
            line += f"；说明本身有问题 {n} 条（{kinds}）"
        return [line]
    line = f"Explanations: {done} violation(s) explained, {left} soft violation(s) unexplained"
    if n:
        line += f"; {n} explanation problem(s) (" + ", ".join(f"{k} {c}" for k, c in problems.items()) + ")"
    return [line]


def mark(row: dict[str, Any], lang: str) -> str:
    """' (explained)' after a violation an explanation answers."""
    if row.get("explained") is True:
        return "（已说明）" if lang == "zh" else " (explained)"
    return ""
