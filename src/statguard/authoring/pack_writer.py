"""The YAML text of an inferred pack: sources with their columns, then the rules, each suggested
rule under a comment saying what it found, on how many records it holds and which records
break it. Written by hand, values through yaml.safe_dump (Chinese kept readable), so that the
comments stand where a reader needs them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from statguard.authoring.profile import widened_max, widened_min
from statguard.i18n import register, t

if TYPE_CHECKING:
    from statguard.authoring.infer_rules import Suggestion
    from statguard.authoring.profile import ColumnProfile, SourceProfile

MAX_NAMED = 20

register({
    "init.header": {"en": "Inferred by statguard init from {files}. Review every rule before use: they are "
                          "suggestions that hold on at least {support} of the records of this data.",
                    "zh": "由 statguard init 根据 {files} 推断生成。使用前请逐条审阅：这些规则是建议，"
                          "在本数据中至少 {support} 的记录成立。"},
    "init.exceptions_note": {"en": "A rule broken by some records names them as exceptions and is a warning: "
                                   "`statguard check` reports exactly those records; fix or explain them.",
                             "zh": "被部分记录违反的规则列出这些例外记录，并设为警告级："
                                   "`statguard check` 恰好报告这些记录，请更正或说明。"},
    "init.pack_name": {"en": "Inferred from {files}", "zh": "根据 {files} 推断的规则包"},
    "init.source": {"en": "{rows} records; keys: {keys}; unit: {unit}; period: {period}",
                    "zh": "{rows} 条记录；主键：{keys}；单位字段：{unit}；时期字段：{period}"},
    "init.none": {"en": "none found", "zh": "未发现"},
    "init.near_key": {"en": "no column set identifies every record; {keys} all but {dups} (see the unique rule)",
                      "zh": "没有能唯一标识每条记录的字段组合；{keys} 仅有 {dups} 条重复（见 unique 规则）"},
    "init.suggested": {"en": "suggested: {what}", "zh": "建议规则：{what}"},
    "init.support": {"en": "holds on {passes} of {items} records it can judge ({share})",
                     "zh": "在 {items} 条可判断的记录中 {passes} 条成立（{share}）"},
    "init.exceptions": {"en": "exceptions ({n}): {rows}", "zh": "例外（{n} 条）：{rows}"},
    "init.more": {"en": "and {n} more", "zh": "另有 {n} 条"},
    "init.description": {"en": "{kind}: {what}", "zh": "{kind}：{what}"},
    "init.schema": {"en": "types, missing values, ranges, codes and patterns as found in the data",
                    "zh": "字段类型、缺失值、取值范围、代码表与格式，均依据数据推断"},
    "init.kind.part_whole": {"en": "parts add up to the whole", "zh": "分项之和等于总量"},
    "init.kind.row": {"en": "share or rate from its counts", "zh": "占比或比率与其分子分母一致"},
    "init.kind.le": {"en": "a part is at most its whole", "zh": "分项不超过总量"},
    "init.kind.hierarchy": {"en": "child codes add up to their parent", "zh": "下级代码之和等于上级"},
    "init.kind.cumulative": {"en": "year-to-date figure never falls within a year", "zh": "累计数年内不回落"},
    "init.kind.unique.fd": {"en": "one value per code", "zh": "同一代码只对应一个取值"},
    "init.kind.unique": {"en": "records identified by their key", "zh": "每个主键只有一条记录"},
})


def dump(value: Any) -> str:
    """One YAML value on one line (flow style), Chinese as it is."""
    text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1 << 30, sort_keys=False)
    return text.strip()[1:-1]


def column_spec(col: ColumnProfile) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": col.type}
    if col.nulls == 0 and col.present > 0:
        spec["nullable"] = False
    if col.numeric and col.min is not None and col.max is not None and not col.is_period:
        spec["min"] = _number(widened_min(col.min))
        upper = widened_max(col.max, col.name, col.decimals)
        if upper is not None:
            spec["max"] = _number(upper)
    if col.pattern:
        spec["pattern"] = col.pattern
    if col.codes:
        spec["allowed"] = col.codes
    if col.pii:
        spec["pii"] = True if col.pii == "true" else col.pii
    return spec


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def render(sources: list[SourceProfile], rules: list[tuple[str, Suggestion]], out_dir: Path,
           lang: str, min_support: float) -> str:
    """The pack's text; `rules` are (id, suggestion) in order."""
    files = ", ".join(dict.fromkeys(s.path.name for s in sources))
    lines = [f"# {t('init.header', lang, files=files, support=f'{min_support:.0%}')}",
             f"# {t('init.exceptions_note', lang)}",
             "pack:",
             f"  name: {dump(t('init.pack_name', lang, files=files))}",
             f"  lang: {lang}",
             "", "sources:"]
    for src in sources:
        lines += _source(src, out_dir, lang)
    lines += ["", "rules:"]
    for rule_id, suggestion in rules:
        lines += _rule(rule_id, suggestion, lang)
    return "\n".join(lines) + "\n"


def _source(src: SourceProfile, out_dir: Path, lang: str) -> list[str]:
    none = t("init.none", lang)
    keys = ", ".join(src.keys) if src.keys else none
    roles = t("init.source", lang, rows=src.rows, keys=keys, unit=src.unit or none, period=src.period or none)
    out = ["", f"  # {roles}"]
    if src.near_key:
        out.append(f"  # {t('init.near_key', lang, keys=', '.join(src.near_key[0]), dups=src.near_key[1])}")
    path = Path(os.path.relpath(src.path.resolve(), out_dir.resolve())).as_posix()
    out += [f"  {dump(src.name)}:", f"    path: {dump(path)}"]
    out += [f"    {key}: {dump(getattr(src, key))}" for key in ("sheet", "header", "skip") if getattr(src, key)]
    if src.keys:
        out.append(f"    keys: {dump(src.keys)}")
    for role in ("unit", "period"):
        if getattr(src, role):
            out.append(f"    {role}: {dump(getattr(src, role))}")
    out.append("    columns:")
    out += [f"      {dump(c.name)}: {dump(column_spec(c))}" for c in src.columns.values()]
    return out


def share(passes: int, items: int) -> str:
    """passes / items in percent, with as many decimals as keep 199,900 of 200,000 from reading 100.0%."""
    for digits in range(1, 5):
        text = f"{passes / items:.{digits}%}" if items else "100.0%"
        if passes == items or not text.startswith("100."):
            return text
    return text


def _rule(rule_id: str, s: Suggestion, lang: str) -> list[str]:
    out = [""]
    if s.kind == "schema":
        description = t("init.schema", lang)
    else:
        key = "init.kind.unique.fd" if s.kind == "unique" and "values" in s.params else \
            "init.kind.le" if s.tag == "LE" else f"init.kind.{s.kind}"
        description = t("init.description", lang, kind=t(key, lang), what=s.what)
        out.append(f"  # {t('init.suggested', lang, what=s.what)}")
    body: dict[str, Any] = {"id": rule_id, "kind": s.kind, "source": s.source, "description": description,
                            **s.params}
    if s.items:
        passes = round(s.support * s.items)
        out.append(f"  # {t('init.support', lang, passes=passes, items=s.items, share=share(passes, s.items))}")
    if s.exceptions:
        named = "; ".join(s.exceptions[:MAX_NAMED])
        if len(s.exceptions) > MAX_NAMED:
            named += "; " + t("init.more", lang, n=len(s.exceptions) - MAX_NAMED)
        out.append(f"  # {t('init.exceptions', lang, n=len(s.exceptions), rows=named)}")
        body["severity"] = "warning"
    for i, (k, v) in enumerate(body.items()):
        out.append(f"  {'- ' if i == 0 else '  '}{k}: {dump(v)}")
    return out
