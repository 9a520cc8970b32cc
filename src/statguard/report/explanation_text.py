"""Lines about explanations for the terminal summary, in Chinese or English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from statguard.i18n import CATALOGUE, register, t

if TYPE_CHECKING:
    from statguard.report.model import Report

# the kinds of explanation problems (statguard.explain.model), as a reader sees them: the detail of
# their violations and the counts of the summary line; the report keeps the kind in meta only
register({
    "explanations.kind.stale": {"en": "stale", "zh": "过期"},
    "explanations.kind.refused": {"en": "refused", "zh": "被拒"},
    "explanations.kind.empty": {"en": "empty", "zh": "空白"},
    "explanations.kind.insufficient": {"en": "insufficient", "zh": "不合要求"},
    "explanations.kind.duplicate": {"en": "duplicate", "zh": "重复"},
    "explanations.kind.unknown_rule": {"en": "unknown rule", "zh": "规则不存在"},
    "explanations.kind.malformed": {"en": "malformed", "zh": "格式错误"},
    "explanations.line": {"en": "Explanations: {done} violation(s) explained, {left} soft violation(s) unexplained",
                          "zh": "说明：已说明 {done} 条，未说明的核实性问题 {left} 条"},
    "explanations.line_problems": {"en": "; {n} explanation problem(s) ({kinds})",
                                   "zh": "；说明本身有问题 {n} 条（{kinds}）"},
    "explanations.explained": {"en": " (explained)", "zh": "（已说明）"},
})


def kind_label(kind: str, lang: str | None) -> str:
    """An explanation problem's kind (stale, refused, ...) in `lang`; an unknown one as it is."""
    key = f"explanations.kind.{kind}"
    return t(key, lang) if key in CATALOGUE else kind


def kind_of(label: Any) -> Any:
    """The kind a detail `kind_label` wrote names, in either language (the label itself if none)."""
    return _KIND_OF.get(label, label) if isinstance(label, str) else label


_KIND_OF = {t(key, lang): key.removeprefix("explanations.kind.") for key in list(CATALOGUE)
            if key.startswith("explanations.kind.") for lang in ("en", "zh")}


def summary_lines(report: Report) -> list[str]:
    """One line on how many soft violations are explained, and the explanation problems; none if none given."""
    facts = report.meta.get("explanations")
    if not facts:
        return []
    lang = report.meta.get("lang")
    done, left, problems = facts.get("explained", 0), facts.get("unexplained_soft", 0), facts.get("problems") or {}
    n = sum(problems.values())
    line = t("explanations.line", lang, done=done, left=left)
    if n:
        kinds = t("msg.sep", lang).join(f"{kind_label(k, lang)} {c}" for k, c in problems.items())
        line += t("explanations.line_problems", lang, n=n, kinds=kinds)
    return [line]


def mark(row: dict[str, Any], lang: str) -> str:
    """' (explained)' after a violation an explanation answers."""
    return t("explanations.explained", lang) if row.get("explained") is True else ""
