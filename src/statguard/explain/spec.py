"""What a rule asks of an explanation: the `explanation:` key common to every rule.

    explanation:
      min_length: 10                  # characters of text, after trimming
      required_fields: [document_no]  # fields that must be filled (author and date count too)
      from_data: 说明                  # or {text: 说明, author: 填写人, document_no: 文号}

`from_data` names columns of the rule's source that carry explanations record by
record, for units that write them into the submission itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statguard.errors import Problem
from statguard.i18n import register, say, t

register({
    "explain.short.length": {"en": "text has {n} characters, the rule asks for at least {min}",
                             "zh": "说明仅 {n} 字，本规则要求至少 {min} 字"},
    "explain.short.field": {"en": "required field '{name}' is empty", "zh": "未填写「{name}」"},
    "explain.spec.mapping": {"en": "'explanation' must be a mapping with keys {keys}",
                             "zh": "'explanation' 须为映射，键为 {keys}"},
    "explain.spec.unknown_key": {"en": "unknown key '{key}' in explanation (expected: {keys})",
                                 "zh": "explanation 中有未知的键「{key}」（可用：{keys}）"},
    "explain.spec.min_length": {"en": "explanation.min_length must be a whole number >= 0, not {value}",
                                "zh": "explanation.min_length 须为不小于 0 的整数，而不是 {value}"},
    "explain.spec.names": {"en": "explanation.{key} must be a list of field names",
                           "zh": "explanation.{key} 须为字段名列表"},
    "explain.spec.from_data": {"en": "explanation.from_data must be a column name, or a mapping of fields to columns "
                                     "that includes 'text' (e.g. {text: 说明, author: 填写人})",
                               "zh": "explanation.from_data 须为列名，或包含 'text' 的字段到列的映射（如 {text: "
                                     "说明, author: 填写人}）"},
})

if TYPE_CHECKING:
    from statguard.explain.model import Explanation
    from statguard.pack.yamlio import Loc

SPEC_KEYS = ("min_length", "required_fields", "from_data")
BASE_FIELDS = ("text", "author", "date")


@dataclass(frozen=True)
class ExplanationSpec:
    """Requirements an explanation of one rule must meet, and where data carries them."""

    min_length: int = 1
    required_fields: tuple[str, ...] = ()
    from_data: Mapping[str, str] = field(default_factory=dict)  # field -> column of the source

    def shortfalls(self, expl: Explanation, lang: str = "en") -> list[str]:
        """What `expl` lacks for this rule (empty list: it is sufficient)."""
        out = []
        text = expl.text.strip()
        if text and len(text) < self.min_length:
            out.append(t("explain.short.length", lang, n=len(text), min=self.min_length))
        for name in self.required_fields:
            if not _filled(expl.value_of(name)):
                out.append(t("explain.short.field", lang, name=name))
        return out


DEFAULT_SPEC = ExplanationSpec()


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() not in ("", "nan", "None")


def parse_spec(value: Any, where: Callable[[str | None], Loc]) -> tuple[ExplanationSpec | None, list[Problem]]:
    """Validate the `explanation:` value of a rule; `where(key)` locates a sub-key (None: the value)."""
    if value is None:
        return None, []
    if not isinstance(value, Mapping):
        return None, [where(None).problem(say("explain.spec.mapping", keys=", ".join(SPEC_KEYS)), "explanation")]
    problems = [where(k).problem(say("explain.spec.unknown_key", key=k, keys=", ".join(SPEC_KEYS)),
                                 f"explanation.{k}") for k in value if k not in SPEC_KEYS]
    min_length = value.get("min_length", 1)
    if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 0:
        problems.append(where("min_length").problem(
            say("explain.spec.min_length", value=repr(min_length)), "explanation.min_length"))
        min_length = 1
    required = _names(value.get("required_fields", []), "required_fields", where, problems)
    from_data = _from_data(value.get("from_data"), where, problems)
    return ExplanationSpec(max(min_length, 1), tuple(required), from_data), problems


def _names(value: Any, key: str, where: Callable[[str | None], Loc], problems: list[Problem]) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        problems.append(where(key).problem(say("explain.spec.names", key=key), f"explanation.{key}"))
        return []
    return [v.strip() for v in items]


def _from_data(value: Any, where: Callable[[str | None], Loc], problems: list[Problem]) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str) and value.strip():
        return {"text": value.strip()}
    if (isinstance(value, Mapping) and all(isinstance(v, str) and v.strip() for v in value.values())
            and "text" in value):
        return {str(k): str(v).strip() for k, v in value.items()}
    problems.append(where("from_data").problem(
        say("explain.spec.from_data"), "explanation.from_data"))
    return {}
