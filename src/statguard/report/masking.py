"""Masking personal data: values of columns declared `pii:` are shown masked, unless asked.

Rules check the real values (an ID number compared across sources still matches); only
what is shown is masked: violations (keys, unit, values, figures, message, detail), every
report format, the spot-check samples, explanation templates. A mask keeps the length of
the value and replaces characters by `*`:

- id: an identity number keeps its first 4 and last 4 characters (3201**********1234);
- phone: a mobile number keeps its first 3 and last 4 digits (138****5678); other numbers
  keep their last 4 (a landline 025-****5678 keeps its area code as written up to the dash);
- name: the surname is kept, the given name masked (张*, 王**, 欧阳**; compound surnames
  from a list of the common ones); a Latin name keeps its first letter;
- text: all but the last 4 characters masked, and at least half of a short value.

`pii: true` chooses by content: 15 or 18 characters of an identity number -> id, a mobile or
a number of 7 to 12 digits -> phone, 2 to 4 Chinese characters -> name, anything else -> text.
A value that already holds a `*` is taken as masked (masking twice changes nothing, so a key
copied from a masked template still finds its violation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from statguard.pack.model import Pack
    from statguard.report.model import Report

STAR = "*"
_ID = re.compile(r"\d{17}[\dXx]|\d{15}")
_MOBILE = re.compile(r"(?:\+?86[- ]?)?1[3-9]\d{9}")
_DIGITS = re.compile(r"[\d ()+-]{7,20}")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff·]{2,16}")
# in free text (messages, errors): identity and mobile numbers standing on their own
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
    "司徒", "司空", "夏侯", "轩辕", "端木", "西门", "南宫", "独孤", "申屠", "万俟", "闻人", "澹台",
    "公冶", "太史", "呼延", "赫连", "完颜", "钟离", "宗政", "濮阳", "淳于", "单于", "仲孙", "百里",
    "东郭", "拓跋", "左丘"})
KINDS = ("auto", "id", "phone", "name", "text")


def mask(value: Any, how: str = "auto") -> Any:
    """`value` as shown: masked by `how` (see the module docstring); None stays None."""
    if value is None or (isinstance(value, float) and value != value):
        return value
    text = _text(value)
    if not text or STAR in text:
        return text
    if how == "auto":
        how = guess(text)
    return {"id": _mask_id, "phone": _mask_phone, "name": _mask_name}.get(how, _mask_text)(text)


def guess(text: str) -> str:
    """The mask a value of a `pii: true` column gets, by what it looks like."""
    text = text.strip()
    if _ID.fullmatch(text):
        return "id"
    if _MOBILE.fullmatch(text) or (_DIGITS.fullmatch(text) and sum(c.isdigit() for c in text) >= 7):
        return "phone"
    if _HAN_NAME.fullmatch(text) and (len(text) <= 4 or "·" in text):
        return "name"
    return "text"


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone read as a number: 13812345678, not 13812345678.0
    return str(value)


def _keep(text: str, first: int, last: int) -> str:
    if len(text) <= first + last:
        return _mask_text(text)
    return text[:first] + STAR * (len(text) - first - last) + text[len(text) - last:]


def _mask_id(text: str) -> str:
    return _keep(text, 4, 4) if len(text) >= 12 else _mask_text(text)


def _mask_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 11 and _MOBILE.fullmatch(text):
        return _keep(text, len(text) - 8, 4)  # +86 138****5678: the prefix and 3 digits kept
    head = text.split("-")[0] + "-" if "-" in text[:-4] else ""
    tail = text[len(head):]
    return head + (STAR * (len(tail) - 4) + tail[-4:] if len(tail) > 6 else _mask_text(tail))


def _mask_name(text: str) -> str:
    if text.isascii():
        return "".join(c if i == 0 or c == " " else STAR for i, c in enumerate(text))
    keep = 2 if text[:2] in COMPOUND_SURNAMES and len(text) >= 3 else 1
    return text[:keep] + "".join(c if c == "·" else STAR for c in text[keep:])


def _mask_text(text: str) -> str:
    keep = min(4, len(text) // 2)
    return STAR * (len(text) - keep) + text[len(text) - keep:]


def mask_free_text(text: Any, reals: Mapping[str, str] | None = None) -> Any:
    """A sentence with the personal values it quotes masked: the given real -> masked texts,
    then any identity or mobile number standing in it."""
    if not isinstance(text, str) or not text:
        return text
    for real, shown in sorted((reals or {}).items(), key=lambda kv: -len(kv[0])):
        if real and real in text:
            text = text.replace(real, shown)
    text = _ID_IN_TEXT.sub(lambda m: _mask_id(m.group()), text)
    return _MOBILE_IN_TEXT.sub(lambda m: _mask_phone(m.group()), text)


class Masker:
    """The pack's personal columns (name -> how to mask) and the sources whose unit is one."""

    def __init__(self, columns: Mapping[str, str], unit_sources: Mapping[str, str]):
        self.columns = dict(columns)
        self.unit_sources = dict(unit_sources)

    @classmethod
    def of(cls, pack: Pack, options: Mapping[str, Any] | None = None) -> Masker | None:
        """The masker of a run, or None when nothing is masked (no pii column, or `show_pii`)."""
        if (options or {}).get("show_pii"):
            return None
        columns = pii_columns(pack)
        if not columns:
            return None
        units = {name: columns[src.unit] for name, src in pack.sources.items()
                 if src.unit and src.unit in columns and src.columns.get(src.unit) and src.columns[src.unit].pii}
        return cls(columns, units)

    def shown(self, name: str, values: list[Any]) -> list[Any]:
        """A column of values as shown: masked when `name` is a personal column."""
        how = self.columns.get(name)
        return values if how is None else [mask(v, how) for v in values]

    def unit_how(self, sources: Iterable[str]) -> str | None:
        """How a rule reading `sources` shows its units: masked when the first (the one whose
        records it checks, and whose unit column names them) has a personal unit column."""
        for name in sources:
            return self.unit_sources.get(name.removeprefix("history:"))
        return None

    def record(self, values: Mapping[str, Any], reals: dict[str, str]) -> dict[str, Any]:
        """A {column: value} record as shown, noting each masked real text in `reals`."""
        out = {}
        for name, value in values.items():
            how = self.columns.get(name)
            out[name] = value if how is None else mask(value, how)
            if how is not None and value is not None and out[name] != value:
                reals[_text(value)] = out[name]
        return out

    def rows(self, columns: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Rows of values (`columns` names them) with their personal columns masked (e.g. a
        spot-check sample)."""
        hows = [self.columns.get(str(name)) for name in columns]
        if not any(hows):
            return rows
        return [tuple(v if how is None or v is None else mask(v, how) for v, how in zip(row, hows, strict=True))
                for row in rows]


def pii_columns(pack: Pack) -> dict[str, str]:
    """Every column any source declares personal: name -> how to mask it."""
    return {name: col.pii for src in pack.sources.values() for name, col in src.columns.items() if col.pii}


def mask_report(report: Report, pack: Pack, options: Mapping[str, Any] | None = None) -> Report:
    """The report as shown: personal values masked unless `options["show_pii"]`; its meta says
    which (meta["pii"] = {"masked": bool, "columns": [...]}) whenever the pack declares any."""
    columns = pii_columns(pack)
    if not columns:
        return report
    masker = Masker.of(pack, options)
    report.meta["pii"] = {"masked": masker is not None, "columns": sorted(columns)}
    if masker is None:
        return report
    from statguard.report.model import Report
    names = report.violation_columns()
    data = {c: report.column(c) or [] for c in names}
    _mask_violations(data, masker, pack)
    rules = [{**row, "error": mask_free_text(row.get("error"))} for row in report.rules()]
    meta = {**report.meta, "units": _mask_units(report.meta.get("units"), masker)}
    lacking = report.lacking_columns()
    if lacking is not None:  # the not-evaluable items show the same units, keys and values
        _mask_violations(lacking, masker, pack)
    return Report(report.pack, data, rules, meta, lacking=lacking)


def _mask_violations(data: dict[str, list[Any]], masker: Masker, pack: Pack) -> None:
    units: dict[str, str | None] = {}
    for i, rule_id in enumerate(data["rule_id"]):
        if rule_id not in units:
            try:
                units[rule_id] = masker.unit_how(pack.rule(rule_id).sources)
            except KeyError:
                units[rule_id] = None
        reals: dict[str, str] = {}
        for name in ("keys", "values"):
            if isinstance(data[name][i], Mapping):
                data[name][i] = masker.record(data[name][i], reals)
        how, unit = units[rule_id], data["unit"][i]
        if how and unit is not None:
            data["unit"][i] = mask(unit, how)
            reals[_text(unit)] = data["unit"][i]
        for name in ("observed", "expected", "message", "detail", "explanation"):
            if name not in data:  # not-evaluable items have no explanation
                continue
            value = data[name][i]
            if isinstance(value, str):
                data[name][i] = reals.get(value) or mask_free_text(value, reals)


def _mask_units(facts: Any, masker: Masker) -> Any:
    """The run's unit facts (statguard.engine.units) with the units of personal unit columns masked."""
    if not isinstance(facts, dict) or not masker.unit_sources:
        return facts
    hidden: dict[str, str] = {}
    sources = dict(facts.get("sources") or {})
    for name, units in sources.items():
        how = masker.unit_sources.get(name)
        if how:
            hidden.update({str(u): mask(u, how) for u in units})
            sources[name] = [mask(u, how) for u in units]
    out = {**facts, "sources": sources}
    for key in ("periods", "peer_groups"):
        if isinstance(facts.get(key), dict):
            out[key] = {hidden.get(str(u), u): v for u, v in facts[key].items()}
    return out


def mask_explanations(explanations: list[Any], pack: Pack, options: Mapping[str, Any] | None = None) -> list[Any]:
    """Explanations keyed as the masked violations they answer (a key written in full, or copied
    from a masked template, finds the same violation)."""
    masker = Masker.of(pack, options)
    if masker is None or not explanations:
        return explanations
    from dataclasses import replace
    out = []
    for expl in explanations:
        keys = masker.record(expl.keys or {}, {})
        how = masker.unit_how(_sources(pack, expl.rule_ids))
        unit = mask(expl.unit, how) if how and expl.unit is not None else expl.unit
        out.append(replace(expl, keys=keys, unit=unit))
    return out


def _sources(pack: Pack, rule_ids: Iterable[str]) -> list[str]:
    out: list[str] = []
    for rule_id in rule_ids:
        try:
            out += pack.rule(rule_id).sources
        except KeyError:
            continue
    return out
