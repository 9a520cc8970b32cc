"""Comparing versions of a dataset: rule outcomes per version and cell changes between versions.

Modelled on R validate's `compare()` and `cells()` (van der Loo and de Jonge,
Statistical Data Cleaning with Applications in R, 2018), for a series of
versions of one dataset: the input, then the data after each processing step,
or successive submissions of one unit.

`compare_versions(pack, versions)` runs the pack's rules on every version and
splits each rule's items by status, relative to a reference version (the first
one, or the previous one with how="sequential"):

    validations   items checked
    verifiable    satisfied + violated;  unverifiable  items not evaluable
    still_X       items with status X here and in the reference
    new_X         items with status X here but not in the reference (or not there)
    changed       items whose status differs from the previous version

Items are matched across versions by their identity (unit, period and keys;
records without keys by position). One row per rule and version, plus rule
"(all)" summing them.

`cells(versions, key=...)` counts, per column and version, relative to the
reference: cells, available, still_available, unadapted, adapted (value
changed), imputed (missing -> value), missing, still_missing, removed (value ->
missing), and with a key also added / deleted (cells of rows or columns that
only this version or only the reference has). Without a key rows are matched
by position, as in R validate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from statguard.errors import StatguardError
from statguard.i18n import register, say

register({
    "compare.no_versions": {"en": "no versions to compare", "zh": "没有可比较的版本"},
    "compare.unknown_source": {"en": "unknown source '{source}' (sources: {sources})",
                               "zh": "数据源「{source}」不存在（已有数据源：{sources}）"},
    "compare.which_source": {"en": "the pack has {n} sources; say which one the versions are of",
                             "zh": "规则包有 {n} 个数据源；请说明这些版本属于哪一个"},
    "compare.rule_problems": {"en": "rule has problems", "zh": "规则有问题"},
    "compare.version_type": {"en": "a version must be a DataFrame or a path, not {type}",
                             "zh": "版本须为 DataFrame 或路径，而不是 {type}"},
    "compare.keys_missing": {"en": "key column(s) {keys} not in a version (columns: {columns})",
                             "zh": "某个版本中没有主键列 {keys}（其列为：{columns}）"},
    "compare.keys_not_unique": {"en": "key {keys} is not unique within a version",
                                "zh": "主键 {keys} 在某个版本中不唯一"},
})


if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack

Data = Any  # a pandas DataFrame or a path
How = Literal["to_first", "sequential"]
RULE_COUNTS = ["validations", "verifiable", "unverifiable", "still_unverifiable", "new_unverifiable",
               "satisfied", "still_satisfied", "new_satisfied", "violated", "still_violated", "new_violated",
               "changed"]
CELL_COUNTS = ["cells", "available", "still_available", "unadapted", "adapted", "imputed", "missing",
               "still_missing", "removed", "added", "deleted"]
ALL = "(all)"
_STATUS_NAMES = {"pass": "satisfied", "fail": "violated", "na": "unverifiable"}


def _named(versions: Mapping[str, Data] | Sequence[Data]) -> list[tuple[str, Data]]:
    items = list(versions.items()) if isinstance(versions, Mapping) else [
        (f"V{i + 1}", v) for i, v in enumerate(versions)]
    if not items:
        raise StatguardError(say("compare.no_versions"))
    return [(str(k), v) for k, v in items]


def _reference(i: int, how: How) -> int | None:
    if i == 0:
        return None
    return 0 if how == "to_first" else i - 1


# -- rules ----------------------------------------------------------------------
def compare_versions(pack: Pack, versions: Mapping[str, Data] | Sequence[Data], *, source: str | None = None,
                     how: How = "to_first", rules: Sequence[str] | None = None) -> pd.DataFrame:
    """Per rule and version: how many items were satisfied, violated, not evaluable, still or newly so."""
    import pandas as pd

    from statguard.api import select_rules
    named = _named(versions)
    source = _the_source(pack, source)
    chosen = select_rules(pack, rules, None)
    statuses = [_statuses(pack, chosen, source, data) for _, data in named]
    rows = []
    for rule in chosen:
        for i, (name, _) in enumerate(named):
            ref = _reference(i, how)
            prev = statuses[i - 1].get(rule.id) if i else None
            counts = _rule_counts(statuses[i].get(rule.id), statuses[ref].get(rule.id) if ref is not None else None,
                                  prev)
            rows.append({"rule_id": rule.id, "version": name, **counts})
    frame = pd.DataFrame(rows, columns=["rule_id", "version", *RULE_COUNTS])
    if len(frame):
        total = frame.groupby("version", sort=False)[RULE_COUNTS].sum(min_count=1).reset_index()
        total.insert(0, "rule_id", ALL)
        frame = pd.concat([frame, total], ignore_index=True)
    return frame.astype({c: "Int64" for c in RULE_COUNTS})


def _the_source(pack: Pack, source: str | None) -> str:
    if source is not None:
        if source not in pack.sources:
            raise StatguardError(say("compare.unknown_source", source=source, sources=", ".join(sorted(pack.sources))))
        return source
    if len(pack.sources) != 1:
        raise StatguardError(say("compare.which_source", n=len(pack.sources)))
    return next(iter(pack.sources))


def _statuses(pack: Pack, rules: list[Any], source: str, data: Data) -> dict[str, pd.Series | None]:
    """rule id -> Series of statuses indexed by item identity (None when the rule could not run)."""
    from statguard.checks import registry
    from statguard.checks.plan import Context
    from statguard.engine.duckdb import DuckDBEngine

    out: dict[str, Any] = {}
    with DuckDBEngine() as engine:
        from statguard.api import bind_source
        from statguard.checks.time.derive import bases_first
        for name in bases_first(pack, sorted({s for r in rules for s in r.sources} | {source})):
            if name in pack.sources:  # derived sources after their base, computed from this version
                try:
                    bind_source(engine, pack, name, data if name == source else None)
                except StatguardError:
                    if name == source:
                        raise
        for rule in rules:
            try:
                if rule.problems:
                    raise StatguardError(say("compare.rule_problems"))
                kind = registry.get(rule.kind)
                assert kind is not None
                plan = kind.plan(rule, Context(pack, rule, engine.bound, engine.dialect))
                out[rule.id] = _items(engine, plan)
            except StatguardError:
                out[rule.id] = None
    return out


def _items(engine: Any, plan: Any) -> pd.Series | None:
    from statguard.checks.plan import KEY, PERIOD, STATUS, UNIT
    query = plan.query
    if query is None and "query" in plan.meta:
        if plan.meta.get("prepare") is not None:
            plan.meta["prepare"](engine)
        query = plan.meta["query"]
    if query is None:
        return None
    frame = engine.frame(query)
    ident = [c for c in frame.columns if c in (UNIT, PERIOD) or c.startswith(KEY)]
    keys = frame[ident].astype("string").fillna("\x00").agg("\x1f".join, axis=1) if ident else frame.index.astype(str)
    seen = keys.groupby(keys).cumcount().astype(str)  # repeated identities stay distinct, in order
    return frame[STATUS].set_axis(keys + "\x1e" + seen)


def _rule_counts(new: pd.Series | None, ref: pd.Series | None, prev: pd.Series | None) -> dict[str, Any]:
    if new is None:
        return dict.fromkeys(RULE_COUNTS)
    counts: dict[str, Any] = {"validations": len(new)}
    old = ref.reindex(new.index) if ref is not None else new
    for status, word in _STATUS_NAMES.items():
        here = new == status
        counts[word] = int(here.sum())
        counts["still_" + word] = int((here & (old == status)).sum())
        counts["new_" + word] = counts[word] - counts["still_" + word]
    counts["verifiable"] = counts["satisfied"] + counts["violated"]
    counts["changed"] = int((new != prev.reindex(new.index)).sum()) if prev is not None else 0
    return counts


# -- cells ----------------------------------------------------------------------
def cells(versions: Mapping[str, Data] | Sequence[Data], *, key: str | Sequence[str] | None = None,
          how: How = "to_first") -> pd.DataFrame:
    """Per column and version: cells available, unadapted, adapted, imputed, missing, removed, added, deleted."""
    import pandas as pd

    named = _named(versions)
    keys = [key] if isinstance(key, str) else list(key or [])
    frames = [_frame(data, keys) for _, data in named]
    rows = []
    for i, (name, _) in enumerate(named):
        ref = _reference(i, how)
        for column, counts in _cell_counts(frames[i], frames[ref] if ref is not None else None).items():
            rows.append({"version": name, "column": column, **counts})
    frame = pd.DataFrame(rows, columns=["version", "column", *CELL_COUNTS])
    total = frame.groupby("version", sort=False)[CELL_COUNTS].sum().reset_index()
    total.insert(1, "column", ALL)
    return pd.concat([total, frame], ignore_index=True).astype({c: "int64" for c in CELL_COUNTS})


def _frame(data: Data, keys: list[str]) -> pd.DataFrame:
    import pandas as pd
    if isinstance(data, (str, Path)):
        data = read_table(data)
    if not isinstance(data, pd.DataFrame):
        raise StatguardError(say("compare.version_type", type=type(data).__name__))
    missing = [k for k in keys if k not in data.columns]
    if missing:
        raise StatguardError(say("compare.keys_missing", keys=", ".join(missing),
                                 columns=", ".join(map(str, data.columns))))
    if keys:
        if data.duplicated(keys).any():
            raise StatguardError(say("compare.keys_not_unique", keys=", ".join(keys)))
        return data.set_index(keys)
    return data.reset_index(drop=True)


def read_table(path: str | Path) -> pd.DataFrame:
    """A file read the way statguard reads sources (encoding detection, Excel, Parquet)."""
    from statguard.engine.duckdb import DuckDBEngine
    with DuckDBEngine() as engine:
        return engine.read_file(path)


def _cell_counts(new: pd.DataFrame, old: pd.DataFrame | None) -> dict[str, dict[str, int]]:
    out = {}
    for column in new.columns:
        here = new[column]
        avail = here.notna()
        counts = dict.fromkeys(CELL_COUNTS, 0)
        counts.update(cells=len(here), available=int(avail.sum()), missing=int((~avail).sum()))
        if old is None:
            counts.update(still_available=counts["available"], unadapted=counts["available"],
                          still_missing=counts["missing"])
        else:
            counts.update(_against(here, old, column))
        out[str(column)] = counts
    if old is not None:
        for column in old.columns:
            if column not in new.columns:
                out[str(column)] = {**dict.fromkeys(CELL_COUNTS, 0), "deleted": len(old)}
    return out


def _against(here: pd.Series, old: pd.DataFrame, column: Any) -> dict[str, int]:
    """Counts of one column relative to the same column of the reference (aligned by index)."""
    common = here.index.intersection(old.index)
    added = len(here) - len(common)
    if column not in old.columns:
        return {"added": len(here)}
    before, now = old[column].reindex(common), here.reindex(common)
    both = before.notna() & now.notna()
    same = both & _equal(before, now)
    return {"still_available": int(both.sum()), "unadapted": int(same.sum()), "adapted": int((both & ~same).sum()),
            "imputed": int((before.isna() & now.notna()).sum()),
            "still_missing": int((before.isna() & now.isna()).sum()),
            "removed": int((before.notna() & now.isna()).sum()), "added": added,
            "deleted": len(old) - len(common)}


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    import pandas as pd
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
        return a.astype("float64") == b.astype("float64")
    return a.astype("string") == b.astype("string")
