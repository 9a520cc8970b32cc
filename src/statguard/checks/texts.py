"""Rule kinds' summaries and parameter descriptions in the user's language.

English is written once, where it belongs: a kind's summary is the first line of
its module docstring, a parameter's meaning is its pydantic Field description
(nested models such as a window: their docstring and Field descriptions). The
Chinese lives beside the kinds, one `texts_zh.py` per scope, which registers it
at import (the registry's discovery imports it with the kinds):

    register_kinds({"row": {"summary": "...", "expr": "...", ...}})
    register_models({Window: {"": "model description", "date": "..."}})

Both end up in the message catalogue, with the English taken from the model:
`kind.<kind>.summary`, `param.<kind>.<name>` (name as written in YAML, e.g.
`if`, `from`) and `model.<Model>` / `model.<Model>.<name>`. A text several kinds
share word for word is translated once, as a `param.common.*` entry below; it
applies wherever a description equals its English, so a changed English stops
matching and shows up as untranslated instead of silently keeping an old
translation. `missing_zh()` lists what has no Chinese (a test keeps it empty).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from statguard.checks import registry
from statguard.i18n import CATALOGUE, register, t

_SUMMARY = "summary"


def _yaml_names(params: type[BaseModel]) -> dict[str, str]:
    """YAML name -> English description of each field (`if_` is written `if`)."""
    return {(info.alias or name): info.description or "" for name, info in params.model_fields.items()}


def _common_zh(english: str) -> str | None:
    _shared()
    for key, entry in CATALOGUE.items():
        if key.startswith("param.common.") and entry["en"] == english:
            return entry["zh"]
    return None


_SHARED: list[bool] = []


def _shared() -> None:
    """Register the texts several kinds share (statguard.checks.texts_zh) once, before they are read.
    texts_zh holds only data, so it does not import this module back."""
    if not _SHARED:
        _SHARED.append(True)
        from statguard.checks.texts_zh import MODELS  # its import registers the common texts
        register_models(MODELS)


def register_kinds(texts: Mapping[str, Mapping[str, str]]) -> None:
    """Chinese summary and parameter texts per kind; parameters left out take a matching common text.

    The kinds' modules must be imported first (so their English is known)."""
    for name, zh in texts.items():
        kind = registry._KINDS.get(name)
        if kind is None:
            raise RuntimeError(f"texts for unknown rule kind '{name}': import its module first")
        unknown = set(zh) - set(_yaml_names(kind.params)) - {_SUMMARY}
        if unknown:
            raise RuntimeError(f"texts for parameters kind '{name}' does not have: {sorted(unknown)}")
        entries = {f"kind.{name}.summary": {"en": kind.summary, "zh": zh[_SUMMARY]}} if _SUMMARY in zh else {}
        for field, english in _yaml_names(kind.params).items():
            chinese = zh.get(field) or _common_zh(english)
            if chinese:
                entries[f"param.{name}.{field}"] = {"en": english, "zh": chinese}
        register(entries)


def register_models(texts: Mapping[type[BaseModel], Mapping[str, str]]) -> None:
    """Chinese texts of nested parameter models, keyed "" for the model's own description."""
    for model, zh in texts.items():
        title = model.__name__
        english = _yaml_names(model)
        unknown = set(zh) - set(english) - {""}
        if unknown:
            raise RuntimeError(f"texts for fields model '{title}' does not have: {sorted(unknown)}")
        entries = {}
        if "" in zh:
            entries[f"model.{title}"] = {"en": inspect.cleandoc(model.__doc__ or ""), "zh": zh[""]}
        for field, en in english.items():
            chinese = zh.get(field) or _common_zh(en)
            if chinese:
                entries[f"model.{title}.{field}"] = {"en": en, "zh": chinese}
        register(entries)


def register_common(texts: Mapping[str, Mapping[str, str]]) -> None:
    """Texts several kinds share word for word, keyed `param.common.<name>`, each with its English."""
    register({f"param.common.{name}": entry for name, entry in texts.items()})


def _text(key: str, english: str, lang: str | None) -> str:
    """The catalogue's text when it translates this very English; else the English itself."""
    _shared()
    registry.kinds()  # every scope's Chinese texts registered (a kind loaded by name comes alone)
    entry = CATALOGUE.get(key)
    return t(key, lang) if entry is not None and entry["en"] == english else english


def kind_summary(kind: registry.Kind, lang: str | None) -> str:
    return _text(f"kind.{kind.name}.summary", kind.summary, lang)


def param_text(kind: registry.Kind, name: str, lang: str | None) -> str:
    """The meaning of parameter `name` (as written in YAML) of `kind`."""
    return _text(f"param.{kind.name}.{name}", _yaml_names(kind.params).get(name, ""), lang)


def model_text(title: str, name: str | None, english: str, lang: str | None) -> str:
    """A nested model's description (name None) or its field's, given the English schema text."""
    return _text(f"model.{title}" + (f".{name}" if name else ""), english, lang)


def translate_model_schema(schema: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """A pydantic model's JSON Schema with its and its $defs' descriptions in `lang` (a new dict)."""
    out = _translate_one(schema, schema.get("title", ""), lang)
    if "$defs" in schema:
        out["$defs"] = {name: _translate_one(d, name, lang) for name, d in schema["$defs"].items()}
    return out


def _translate_one(schema: dict[str, Any], title: str, lang: str | None) -> dict[str, Any]:
    out = dict(schema)
    if "description" in out:
        out["description"] = model_text(title, None, out["description"], lang)
    if "properties" in out:
        out["properties"] = {name: _described(info, model_text(title, name, info["description"], lang))
                             if "description" in info else info for name, info in out["properties"].items()}
    return out


def _described(info: dict[str, Any], text: str) -> dict[str, Any]:
    return {**info, "description": text}


def missing_zh() -> list[str]:
    """Every kind summary, parameter and nested-model text without a Chinese translation."""
    _shared()
    missing = []
    models: dict[str, dict[str, Any]] = {}
    for name, kind in registry.kinds().items():
        keys = [f"kind.{name}.summary"] + [f"param.{name}.{field}" for field in _yaml_names(kind.params)]
        missing += [key for key in keys if key not in CATALOGUE]
        models.update(kind.params.model_json_schema(by_alias=True).get("$defs", {}))
    for title, schema in sorted(models.items()):
        keys = [f"model.{title}"] if schema.get("description") else []
        keys += [f"model.{title}.{field}" for field, info in schema.get("properties", {}).items()
                 if info.get("description")]
        missing += [key for key in keys if key not in CATALOGUE]
    return missing
