"""What `statguard lint` checks of a rule beyond its parameter model: what a run would trip on.

- parameters: every pydantic error of the rule, an unknown parameter (or kind) with the
  closest allowed name ("did you mean 'tolerance'?");
- `message:`: a lone brace (pointed at, and the rest of the template still checked), a
  placeholder that is not a plain name, a format wider or more precise than MAX_WIDTH or
  that no value takes, and, for kinds whose plan is one query, a placeholder naming no
  value of the rule's violations;
- regular expressions: a column's `pattern:`, a parameter described as a regular
  expression, and the literal pattern of `regexp_matches(x, '...')` in the rule's SQL,
  must be accepted by Python's `re` and by the engine (DuckDB's RE2).

Messages come from the catalogue in the language `statguard.i18n.speaking(lang)` sets (lint's
--lang, the pack's lang; English otherwise), so the loader needs no language argument threaded
through it.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from sqlglot import exp

from statguard.errors import Problem
from statguard.i18n import LANGS, did_you_mean, register, say, speaking  # noqa: F401  (speaking: kept for callers)
from statguard.pack.pydantic_words import said
from statguard.pack.yamlio import Loc, LocDict
from statguard.templates import MAX_WIDTH, _sane, _valid_spec

register({
    "lint.unknown_kind": {"en": "unknown rule kind '{kind}' (known kinds: {known}){hint}",
                          "zh": "未知的规则类型「{kind}」（已有类型：{known}）{hint}"},
    "lint.unknown_param": {"en": "unknown parameter '{param}' for kind '{kind}' (allowed: {allowed}){hint}",
                           "zh": "规则类型「{kind}」没有参数「{param}」（可用参数：{allowed}）{hint}"},
    "lint.unknown_nested": {"en": "unknown key '{param}' in '{path}' of kind '{kind}'{hint}",
                            "zh": "规则类型「{kind}」的「{path}」中没有「{param}」{hint}"},
    "lint.missing_param": {"en": "kind '{kind}' needs parameter '{param}'",
                           "zh": "规则类型「{kind}」缺少参数「{param}」"},
    "lint.kind_says": {"en": "kind '{kind}': {why}", "zh": "规则类型「{kind}」：{why}"},
    "lint.param_says": {"en": "parameter '{param}': {why}", "zh": "参数「{param}」：{why}"},
    "lint.message_form": {"en": "message must be text or a mapping of language to text",
                          "zh": "message 须为文字，或按语言给出的文字（zh: …，en: …）"},
    "lint.message_lang": {"en": "message language '{language}' is not one statguard speaks (give {langs})",
                          "zh": "message 的语言「{language}」不受支持（可用：{langs}）"},
    "lint.message_text": {"en": "{field} must be text, not {value}", "zh": "{field} 须为文字，而不是 {value}"},
    "lint.description_form": {"en": "description must be text or a mapping of language to text",
                              "zh": "description 须为文字，或按语言给出的文字（zh: …，en: …）"},
    "lint.description_lang": {"en": "description language '{language}' is not one statguard speaks (give {langs})",
                              "zh": "description 的语言「{language}」不受支持（可用：{langs}）"},
    "lint.lone_brace": {"en": "message template: unmatched brace: a lone '{brace}' at character {at}; write {{ or "
                              "}} for a literal brace",
                        "zh": "消息模板：花括号不成对：第 {at} 个字符处有单独的「{brace}」；"
                              "字面的花括号请写作 {{ 或 }}"},
    "lint.not_plain": {"en": "message template: placeholder '{{name}}' is not a plain name",
                       "zh": "消息模板：占位符「{{name}}」不是简单的名称"},
    "lint.nested_spec": {"en": "message template: the format of '{{name}}' may not contain placeholders",
                         "zh": "消息模板：「{{name}}」的格式中不能再有占位符"},
    "lint.wide_spec": {"en": "message template: the format of '{{name}}' ('{spec}') asks for a width or "
                             "precision above {max}",
                       "zh": "消息模板：「{{name}}」的格式（'{spec}'）要求的宽度或精度超过 {max}"},
    "lint.bad_spec": {"en": "message template: the format of '{{name}}' ('{spec}') is neither a format of "
                            "numbers or text (such as .2f, >10 or ,d) nor of dates (such as %Y-%m-%d)",
                      "zh": "消息模板：「{{name}}」的格式（'{spec}'）既不是数字或文字的格式（如 .2f、>10、,d），"
                            "也不是日期的格式（如 %Y-%m-%d）"},
    "lint.unknown_placeholder": {"en": "message template: {shown} names no value of this rule's violations "
                                       "(it can name: {names})",
                                 "zh": "消息模板：{shown} 不是本规则问题记录中的值（可用：{names}）"},
    "lint.regex_text": {"en": "{what} must be text (a regular expression), not {value}",
                        "zh": "{what} 须为文字（正则表达式），而不是 {value}"},
    "lint.regex_python": {"en": "{what} is not a valid regular expression: {why}",
                          "zh": "{what} 不是有效的正则表达式：{why}"},
    "lint.regex_re2": {"en": "{what} is not a regular expression the engine (RE2) accepts: {why}",
                       "zh": "{what} 不是执行引擎（RE2）接受的正则表达式：{why}"},
    "lint.pattern_of": {"en": "pattern of column '{column}'", "zh": "列「{column}」的 pattern"},
    "lint.param_regex": {"en": "parameter '{param}'", "zh": "参数「{param}」"},
    "lint.expr_regex": {"en": "the pattern '{pattern}' of regexp_matches", "zh": "regexp_matches 的模式 '{pattern}'"},
})


def kind_problem(kind: str, known: list[str], loc: Loc) -> Problem:
    return loc.problem(say("lint.unknown_kind", kind=kind, hint=did_you_mean(kind, known), known=", ".join(known)),
                       "kind")


# -- parameters --------------------------------------------------------------------------------
def parameter_problems(e: ValidationError, item: LocDict, kind: Any, common: set[str]) -> list[Problem]:
    """Every error pydantic found in the rule's parameters, located; `common`: the keys every rule takes."""
    out = []
    fields = set(kind.params.model_fields) | {f.alias for f in kind.params.model_fields.values() if f.alias}
    for err in e.errors():
        path = [str(p) for p in err["loc"]]
        key = path[0] if path else None
        where = item.where(key) if key else item.loc
        if err["type"] == "extra_forbidden" and len(path) > 1:  # inside a nested mapping such as window:
            nested = _nested_fields(kind.params, path[:-1])
            msg = say("lint.unknown_nested", param=path[-1], path=".".join(path[:-1]), kind=kind.name,
                      hint=did_you_mean(path[-1], nested))
            where = _nested_where(item, path) or where
        elif err["type"] == "extra_forbidden":
            allowed = ", ".join(sorted(fields | common))
            msg = say("lint.unknown_param", param=key, kind=kind.name, allowed=allowed,
                      hint=did_you_mean(key, fields - {n for n in fields if n.endswith("_")}))
            where = item.key_locs.get(key, where)
        elif err["type"] == "missing":
            msg = say("lint.missing_param", kind=kind.name, param=".".join(path))
            where = item.loc
        elif not path:  # the parameters together (a kind's own validator): its sentence says which
            msg = say("lint.kind_says", kind=kind.name, why=said(err))
        else:
            msg = say("lint.param_says", param=".".join(path), why=said(err))
        out.append(where.problem(msg, ".".join(path) or None))
    return out


def without_unknown(model: Any, params: dict[str, Any], e: ValidationError) -> Any:
    """The parameters without the unknown ones, when those are all that is wrong (so that the
    rule's other problems can still be found by planning it); else None."""
    unknown = {str(err["loc"][0]) for err in e.errors() if err["type"] == "extra_forbidden" and len(err["loc"]) == 1}
    if not unknown or len(unknown) != len(e.errors()):
        return None
    try:
        return model.model_validate({k: v for k, v in params.items() if k not in unknown})
    except ValidationError:
        return None


def _nested_fields(model: Any, path: list[str]) -> set[str]:
    """The field names of the pydantic model at `path` inside `model`, as far as it can be followed."""
    for key in path:
        fields = getattr(model, "model_fields", {})
        field = fields.get(key) or next((f for f in fields.values() if f.alias == key), None)
        if field is None:
            return set()
        model = _model_in(field.annotation)
    return set(getattr(model, "model_fields", {})) if model is not None else set()


def _model_in(annotation: Any) -> Any:
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _nested_where(item: LocDict, path: list[str]) -> Loc | None:
    """Where the key at `path` is written, as deep into the located YAML as it goes."""
    node: Any = item
    loc = None
    for key in path:
        if not isinstance(node, LocDict) or key not in node:
            break
        loc = node.key_locs.get(key) or node.where(key)
        node = node[key]
    return loc


# -- messages ----------------------------------------------------------------------------------
_FORMATTER = string.Formatter()
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def template_parts(text: str) -> list[tuple[int, str | None, str | None]]:
    """(position, name, spec) of each placeholder of `text`; name None for a lone brace. Read as
    Python reads it when it can; else leniently, so a lone brace is reported where it is and the
    rest of the template is still read."""
    try:
        return [(-1, name, spec) for _, name, spec, conv in _FORMATTER.parse(text) if name is not None
                for name in [name + ("!" + conv if conv else "")]]
    except ValueError:
        pass
    out: list[tuple[int, str | None, str | None]] = []
    for m in _TOKEN.finditer(text):
        if m.group(0) not in ("{{", "}}"):
            inner = m.group(1)
            out.append((m.start(), *inner.partition(":")[::2]) if inner is not None else (m.start(), None, None))
    return out


def message_problems(item: LocDict) -> list[Problem]:
    """`message:` must be a template (statguard.templates) or one per language."""
    message = item.get("message")
    if message is None:
        return []
    if not isinstance(message, str) and not (isinstance(message, LocDict) and message):
        return [item.where("message").problem(say("lint.message_form"), "message")]
    out = [message.key_locs[lang].problem(say("lint.message_lang", language=lang, langs=", ".join(LANGS)),
                                          f"message.{lang}")
           for lang in (message if isinstance(message, LocDict) else ()) if lang not in LANGS]
    for text, where, field in message_texts(item):
        if not isinstance(text, str):
            out.append(where.problem(say("lint.message_text", field=field, value=repr(text)[:100]), field))
            continue
        out.extend(_template_problems(text, where, field))
    return out


def description_problems(item: LocDict) -> list[Problem]:
    """`description:` must be text or one text per language, like `message:` (without placeholders)."""
    described = item.get("description")
    if described is None or isinstance(described, str):
        return []
    if not (isinstance(described, LocDict) and described):
        return [item.where("description").problem(say("lint.description_form"), "description")]
    out = []
    for lang, text in described.items():
        field = f"description.{lang}"
        if lang not in LANGS:
            out.append(described.key_locs[lang].problem(
                say("lint.description_lang", language=lang, langs=", ".join(LANGS)), field))
        elif not isinstance(text, str):
            out.append(described.where(lang).problem(say("lint.message_text", field=field, value=repr(text)[:100]),
                                                     field))
    return out


def _template_problems(text: str, where: Loc, field: str) -> list[Problem]:
    out = []
    for at, name, spec in template_parts(text):
        if name is None:
            out.append(where.problem(say("lint.lone_brace", brace=text[at], at=at + 1), field))
        elif not name or any(ch in name for ch in ".[]()!"):
            out.append(where.problem(say("lint.not_plain", name=name), field))
        elif spec and ("{" in spec or "}" in spec):
            out.append(where.problem(say("lint.nested_spec", name=name), field))
        elif spec and not _sane(spec):
            out.append(where.problem(say("lint.wide_spec", name=name, spec=spec, max=MAX_WIDTH), field))
        elif spec and not _valid_spec(spec):
            out.append(where.problem(say("lint.bad_spec", name=name, spec=spec), field))
    return out


def message_texts(item: Any) -> list[tuple[Any, Loc, str]]:
    """The rule's message templates as written: (text, where, field), one per language."""
    if not isinstance(item, LocDict):
        return []
    message = item.get("message")
    if isinstance(message, str):
        return [(message, item.where("message"), "message")]
    if isinstance(message, LocDict):
        return [(text, message.where(lang), f"message.{lang}") for lang, text in message.items()]
    return []


def placeholder_names(text: str) -> list[str]:
    """The plain names a template uses, each once (lone braces skipped)."""
    names: list[str] = []
    for _, name, _spec in template_parts(text):
        if name and name not in names and not any(ch in name for ch in ".[]()!"):
            names.append(name)
    return names


# What every violation's message may name besides its plan's key: and val: columns
# (statguard.engine.violations._template_columns)
MESSAGE_NAMES = {"id", "rule", "description", "unit", "period", "observed", "expected", "imbalance", "detail"}


def placeholder_problems(rule: Any, plan: Any) -> list[Problem]:
    """Placeholders of the rule's message that name no value of its violations: known for a
    kind whose plan is one query (its key: and val: columns); a kind working in Python may add more."""
    query = getattr(plan, "query", None)
    if query is None or getattr(plan, "run", None) is not None:
        return []
    selected = [str(n) for n in getattr(query, "named_selects", [])]
    if "*" in selected or not selected:
        return []
    names = MESSAGE_NAMES | {n.split(":", 1)[1] for n in selected if n.startswith(("key:", "val:"))}
    out = []
    for text, where, field in message_texts(rule.raw):
        unknown = [n for n in placeholder_names(text) if n not in names] if isinstance(text, str) else []
        if unknown:
            shown = ", ".join("{" + n + "}" for n in unknown)
            out.append(where.problem(say("lint.unknown_placeholder", shown=shown, names=", ".join(sorted(names))),
                                     field))
    return out


# -- regular expressions -----------------------------------------------------------------------
def pattern_problem(pattern: Any, column: str) -> str | None:
    """Why a column's `pattern:` is not a regular expression both Python's `re` and the engine's
    (DuckDB's RE2: no look-arounds, no back-references) accept, or None."""
    return regex_problem(pattern, say("lint.pattern_of", column=column))


def regex_problem(pattern: Any, what: str) -> str | None:
    if not isinstance(pattern, str):
        return say("lint.regex_text", what=what, value=repr(pattern)[:100])
    try:
        re.compile(pattern)
    except re.error as e:
        at = f" (position {e.pos})" if e.pos is not None else ""
        return say("lint.regex_python", what=what, why=f"{e.msg}{at}")
    why = _re2_problem(pattern)
    return say("lint.regex_re2", what=what, why=why) if why else None


@lru_cache(maxsize=256)
def _re2_problem(pattern: str) -> str | None:
    import duckdb
    cursor = _re2_database().cursor()  # a connection of its own (threads may lint at once), to a shared database
    try:
        cursor.execute("SELECT regexp_full_match('', ?)", [pattern])
    except duckdb.Error as e:
        return str(e).removeprefix("Invalid Input Error: ")
    finally:
        cursor.close()
    return None


@lru_cache(maxsize=1)
def _re2_database() -> Any:
    """One in-memory database for every pattern a process asks about (opening one costs more
    than the question), on a single thread; it holds no data."""
    import duckdb
    return duckdb.connect(":memory:", config={"threads": 1})


def regex_problems(rule: Any, plan: Any) -> list[Problem]:
    """Regular expressions of the rule: parameters described as one, and the literal patterns
    of regexp_matches in its query (located at the parameter whose text holds them)."""
    out = []
    raw = rule.raw if isinstance(rule.raw, LocDict) else None
    for key, field in type(rule.params).model_fields.items():
        value = getattr(rule.params, key, None)
        if value is not None and "regular expression" in (field.description or "").lower():
            why = regex_problem(value, say("lint.param_regex", param=field.alias or key))
            if why:
                out.append(_where(raw, rule, field.alias or key).problem(why, field.alias or key))
    query = getattr(plan, "query", None)
    for node in (query.find_all(exp.RegexpLike) if query is not None else ()):
        literal = node.expression
        if isinstance(literal, exp.Literal) and literal.is_string:
            why = regex_problem(literal.this, say("lint.expr_regex", pattern=literal.this))
            if why:
                key = _holding(raw, literal.this)
                out.append(_where(raw, rule, key).problem(why, key))
    return list({str(p): p for p in out}.values())


def _holding(raw: LocDict | None, text: str) -> str | None:
    """The parameter whose text holds `text` (where a pattern was written)."""
    for key, value in (raw or {}).items():
        if isinstance(value, str) and text in value:
            return key
    return None


def _where(raw: LocDict | None, rule: Any, key: str | None) -> Loc:
    if raw is not None and key:
        return raw.where(key)
    return rule.loc
