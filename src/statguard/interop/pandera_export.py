"""A pack's sources as pandera schemas: a Python module to run (`statguard export pandera`), or
schema objects (`source_schema`).

Each source becomes a `pandera.pandas.DataFrameSchema`: its declared columns with their
nullability, presence (`required`), uniqueness and checks (placeholders, type, min, max,
allowed values, pattern), the keys its `schema` rule checks as the schema's `unique`, and its
`row` and `unique` rules as dataframe-level checks named by the rule id. The checks are the
functions of statguard.interop.pandera_checks, whose text the module carries, so the module
needs pandas and pandera but not statguard. Each check carries `statistics={"statguard": ...}`
with what it came from, so that `statguard import pandera` reads the module back.

Types are checked value by value (a value that can be read as a number, a date ...), not as
pandas dtypes: submitted files hold text, and statguard reads them so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.i18n import register, t
from statguard.interop import common
from statguard.interop.common import CannotMap, Unmapped

if TYPE_CHECKING:
    import pandera.pandas as pa

    from statguard.pack.model import Column, Pack, Rule, Source

TOOL = "pandera"

register({
    "interop.pandera.title": {"en": "pandera schemas of the sources of pack '{pack}', written by statguard {version}.",
                              "zh": "规则包「{pack}」各数据源的 pandera 模式，由 statguard {version} 生成。"},
    "interop.pandera.usage": {"en": "Use: SCHEMAS['<source>'].validate(df, lazy=True)",
                              "zh": "用法：SCHEMAS['<数据源>'].validate(df, lazy=True)"},
    "interop.pandera.runtime": {"en": "statguard's checks (statguard.interop.pandera_checks)",
                                "zh": "statguard 的检查函数（statguard.interop.pandera_checks）"},
})


@dataclass
class Export:
    """What an export wrote: the text, and what it could not express."""

    text: str
    unmapped: list[Unmapped]


# -- the column checks, as (function of pandera_checks, its arguments, check name) -------------------
def column_check_specs(col: Column, placeholders: list[str]) -> list[tuple[str, tuple[Any, ...], str]]:
    specs: list[tuple[str, tuple[Any, ...], str]] = []
    if placeholders:
        specs.append(("placeholder_free", (list(placeholders),), "placeholder"))
    if col.type and col.type != "string":
        specs.append(("conforms", (col.type, list(placeholders)), f"type:{col.type}"))
    for bound, upper in (("min", False), ("max", True)):
        limit = getattr(col, bound)
        if limit is not None:
            limit = limit.isoformat() if isinstance(limit, (dt.date, dt.datetime)) else limit
            specs.append(("within", (limit, col.type, upper), bound))
    if col.allowed is not None:
        specs.append(("one_of", (list(col.allowed),), "allowed"))
    if col.pattern:
        specs.append(("matches", (col.pattern,), "pattern"))
    return specs


def _statistics(name: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """What a column check came from, for `statguard import pandera`."""
    value = {"placeholder": args[0], "min": args[0], "max": args[0], "allowed": args[0],
             "pattern": args[0]}.get(name, name.partition(":")[2] or None)
    return {"statguard": {"check": name.partition(":")[0], "value": value}}


def source_schema(source: Source, placeholders: list[str] | None = None, keys: list[str] | None = None
                  ) -> pa.DataFrameSchema:
    """The pandera schema of a source's column declarations (its rules are not included: see
    `export`), checking cells as the `schema` kind does."""
    import pandera.pandas as pa

    from statguard.interop import pandera_checks
    from statguard.pack.model import DEFAULT_PLACEHOLDERS
    held = list(DEFAULT_PLACEHOLDERS if placeholders is None else placeholders)
    columns = {}
    for col in source.columns.values():
        checks = [pa.Check(getattr(pandera_checks, fn)(*args), name=name, statistics=_statistics(name, args))
                  for fn, args, name in column_check_specs(col, held)]
        columns[col.name] = pa.Column(nullable=col.nullable, unique=col.unique, required=col.required,
                                      checks=checks, coerce=False)
    unique = source.keys if keys is None else keys
    return pa.DataFrameSchema(columns, unique=unique or None, report_duplicates="all", strict=False,
                              name=source.name)


# -- the module --------------------------------------------------------------------------------------
def export(pack: Pack, sources: list[str] | None = None, lang: str | None = None) -> Export:
    """The text of a Python module defining one DataFrameSchema per source (SCHEMAS by name)."""
    from statguard.version import __version__
    chosen = common.chosen_sources(pack, sources)
    unmapped: list[Unmapped] = []
    blocks, names = [], {}
    for i, source in enumerate(chosen):
        var = source.name if source.name.isidentifier() and not _reserved(source.name) else f"schema_{i + 1}"
        names[source.name] = var
        blocks.append(_schema_code(pack, source, var, unmapped))
    header = [t("interop.pandera.title", lang, pack=pack.name, version=__version__), "",
              t("interop.pandera.usage", lang), "", *common.unmapped_lines(unmapped, lang)]
    doc = '"""' + "\n".join(header).replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '\n"""\n'
    runtime = Path(__file__).with_name("pandera_checks.py").read_text(encoding="utf-8")
    runtime = runtime[runtime.index("\nimport re"):]  # its own docstring is this module's header
    listing = "SCHEMAS = {\n" + "".join(f"    {n!r}: {v},\n" for n, v in names.items()) + "}\n"
    text = (doc + "\nimport pandera.pandas as pa\n\n# " + "-" * 20 + " " + t("interop.pandera.runtime", lang)
            + runtime + "\n\n# " + "-" * 20 + "\n" + "\n\n".join(blocks) + "\n\n" + listing)
    return Export(text, unmapped)


def _reserved(name: str) -> bool:
    import keyword
    return keyword.iskeyword(name) or name in {"pa", "pd", "np", "re", "SCHEMAS", "df"}


def _schema_code(pack: Pack, source: Source, var: str, unmapped: list[Unmapped]) -> str:
    held = common.placeholders(pack, source.name)
    columns = []
    for col in source.columns.values():
        if col.codelist:
            unmapped.append(Unmapped(source.name, "column", col.name, "codelist", {"codelist": col.codelist}))
        checks = "".join(f"            pa.Check({fn}({', '.join(map(repr, args))}), name={name!r}, "
                         f"statistics={_statistics(name, args)!r}),\n"
                         for fn, args, name in column_check_specs(col, held))
        columns.append(f"        {col.name!r}: pa.Column(nullable={col.nullable}, unique={col.unique}, "
                       f"required={col.required}, coerce=False, checks=[\n{checks}        ]),\n")
    frame_checks = []
    for rule in common.rules_of(pack, source.name):
        why = common.common_unmapped(rule, source, TOOL)
        if why is None and rule.kind != "schema":
            try:
                frame_checks.append(_rule_check(rule, source))
            except CannotMap as e:
                why = Unmapped(source.name, "rule", rule.id, e.why, e.values)
        if why is not None:
            unmapped.append(why)
    keys = common.unique_keys(pack, source)
    return (f"{var} = pa.DataFrameSchema(\n    {{\n{''.join(columns)}    }},\n    checks=[\n{''.join(frame_checks)}"
            f"    ],\n    unique={keys or None!r},\n    report_duplicates='all',\n    strict=False,\n"
            f"    name={source.name!r},\n)")


def _rule_check(rule: Rule, source: Source) -> str:
    """A row or unique rule as a dataframe-level pa.Check named by the rule id."""
    from statguard.interop.pandas_expr import to_pandas
    p = rule.params
    if rule.kind == "unique":
        for param in ("values", "where"):
            if getattr(p, param):
                raise CannotMap("param", param=param)
        keys = p.keys if p.keys is not None else source.keys
        fn = f"unique_records({list(keys)!r})"
    else:
        cond, where = common.row_condition(rule, source)
        families = common.column_families(source)
        scope = f", scope={to_pandas(where, families)}" if where is not None else ""
        fn = f"lambda df: holds(df, {to_pandas(cond, families)}{scope})"
    stats = {"statguard": {"rule": rule_spec(rule)}}
    about = f", description={rule.described(None)!r}" if rule.description else ""  # per language: the English
    return f"        pa.Check({fn}, name={rule.id!r}{about}, statistics={stats!r}),\n"


def rule_spec(rule: Rule) -> dict[str, Any]:
    """The rule as written in its pack (for an import to restore it)."""
    keep = {"id", "kind", "description", "severity", "source", "expr", "where", "if", "tolerance", "missing", "keys",
            "values", "per"}
    return {k: _plain(v) for k, v in dict(rule.raw).items() if k in keep}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if value is None or isinstance(value, (bool, int, float)) else str(value)
