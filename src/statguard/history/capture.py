"""Turning submitted data into recorded versions, and recorded versions back into a source.

A file (or DataFrame) is split into one submission per (unit, period) found in
its unit and period columns, so each unit's figures for each period form their
own version sequence: a file covering nine months where only September changed
adds a version for September only. Period labels are normalised (statguard.periods:
"2024年9月" and "2024-09" are one period, labelled "2024-09"), so a resubmission
spelling the period differently continues the same sequence. Without such columns, `unit` and `period`
given by the caller label the whole file. One file is recorded in one
transaction: all its submissions land, or none.

`bind_history` exposes what is recorded for a source to the engine as the view
"history:<source>": the recorded rows, typed like the source, plus
_sg_version, _sg_received, _sg_reason, _sg_submission; the unit and period
columns are filled from the submission where the rows lack them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.errors import HistoryError, SourceError
from statguard.history.canonical import HISTORY_PREFIX, numeric_text, period_label, plain
from statguard.history.store import HistoryStore, Pending, Recorded, pending
from statguard.i18n import register, say

register({
    "history.capture.unit_missing": {"en": "unit column '{column}' is not in the data of '{source}' (columns: "
                                           "{columns})",
                                     "zh": "单位列「{column}」不在「{source}」的数据中（其列为：{columns}）"},
    "history.capture.period_missing": {"en": "period column '{column}' is not in the data of '{source}' (columns: "
                                             "{columns})",
                                       "zh": "期别列「{column}」不在「{source}」的数据中（其列为：{columns}）"},
    "history.capture.nothing": {"en": "nothing recorded for source '{source}' in history store {where}",
                                "zh": "历史库 {where} 中没有数据源「{source}」的任何记录"},
})

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Source



@dataclass(frozen=True)
class Labels:
    """How to tell unit and period of submitted rows: a column, else a fixed value."""

    unit_column: str | None = None
    period_column: str | None = None
    unit: str | None = None
    period: str | None = None


def split(source: str, frame: pd.DataFrame, labels: Labels, keys: list[str],
          reason: str | None = None, numeric: Collection[str] = ()) -> list[Pending]:
    """One pending submission per (unit, period) of `frame`; text cells of the `numeric`
    columns (declared number or integer) are spelled as their value (canonical.numeric_text)."""
    columns = [str(c) for c in frame.columns]
    for role, col in (("unit", labels.unit_column), ("period", labels.period_column)):
        if col and col not in columns:
            raise HistoryError(say(f"history.capture.{role}_missing", column=col, source=source,
                                   columns=", ".join(columns)))
    numeric = [c for c in columns if c in set(numeric)]
    groups: dict[tuple[str, str], tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}  # respelled, as read
    respelled: set[tuple[str, str]] = set()
    for row in frame.to_dict("records"):
        unit = _label(row, labels.unit_column, labels.unit)
        period = period_label(_label(row, labels.period_column, labels.period))
        rows, as_read = groups.setdefault((unit, period), ([], []))
        rows.append(_spelled(row, numeric))
        as_read.append(row)
        if rows[-1] is not row:
            respelled.add((unit, period))
    if not groups:  # an empty file is still a submission
        groups[(labels.unit or "", labels.period or "")] = ([], [])
    batch = []
    for (u, p), (rows, as_read) in groups.items():
        item = pending(source, rows, unit=u, period=p, columns=columns, keys=keys, reason=reason)
        if (u, p) in respelled:  # a store written before numbers were respelled holds them as read
            item.aliases.append(pending(source, as_read, columns=columns).hash)
        batch.append(item)
    return batch


def _spelled(row: dict[str, Any], numeric: list[str]) -> dict[str, Any]:
    """`row` with the numbers written as text in `numeric` columns respelled (the same dict
    when none changes)."""
    changed = {}
    for column in numeric:
        value = row.get(column)
        if isinstance(value, str) and (spelled := numeric_text(value)) != value:
            changed[column] = spelled
    return {**row, **changed} if changed else row


def _label(row: Mapping[str, Any], column: str | None, fixed: str | None) -> str:
    if column:
        value = plain(row.get(column))
        return "" if value is None else str(value)
    return fixed or ""


def read_source(source: Source, data: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    """The rows of a source exactly as statguard reads them for checking (raw, untyped)."""
    from statguard.engine.duckdb import DuckDBEngine
    with DuckDBEngine() as engine:
        engine.bind(source, data)
        from sqlglot import exp
        return engine.frame(exp.select("*").from_(exp.Table(this=exp.to_identifier("raw:" + source.name, quoted=True))))


def record_source(store: HistoryStore, source: Source, data: pd.DataFrame | str | Path | None = None, *,
                  reason: str | None = None, unit: str | None = None, period: str | None = None,
                  keys: list[str] | None = None) -> list[Recorded]:
    """Record the data of a pack source, labelled by the source's unit and period columns."""
    frame = read_source(source, data)
    labels = Labels(unit_column=source.unit if unit is None else None,
                    period_column=source.period if period is None else None, unit=unit, period=period)
    numeric = [name for name, column in source.columns.items() if column.type in ("number", "integer")]
    batch = split(source.name, frame, labels, list(keys if keys is not None else source.keys), reason, numeric)
    recorded = store.record_all(batch)
    personal = {name: column.pii for name, column in source.columns.items() if column.pii}
    if personal:  # `history show` masks them later, with or without the pack
        store.remember_personal(source.name, personal, personal.get(source.unit) if source.unit else None)
    return recorded


def bind_history(engine: Any, source: Source, store_path: str | Path | None) -> str:
    """Bind the recorded versions of `source` as view "history:<name>"; return the view name."""
    view = HISTORY_PREFIX + source.name
    with HistoryStore(store_path, create=False) as store:
        frame = store.frame(source.name)
        where = str(store.path)
    if not len(frame):
        raise SourceError(say("history.capture.nothing", source=source.name, where=where), source=view)
    for role, col in (("_sg_unit", source.unit), ("_sg_period", source.period)):
        if col and col not in frame.columns:
            frame[col] = frame[role].replace("", None)
    engine.bind(replace(source, name=view, path=None), frame)
    engine.described[view] = {"location": f"{where} (history)"}
    return view


def bind_history_views(engine: Any, pack: Any, names: list[str], store_path: str | Path | None) -> dict[str, str]:
    """Bind each "history:<source>" in `names`; return view -> error text for those that failed.

    The recorded explanations come along as "history:_explanations" (rules across
    versions join them for "changed without explanation").
    """
    from statguard.errors import StatguardError
    errors: dict[str, str] = {}
    for view in dict.fromkeys(names):
        base = view[len(HISTORY_PREFIX):]
        if base not in pack.sources:
            errors[view] = f"unknown source '{base}'"
            continue
        try:
            bind_history(engine, pack.sources[base], store_path)
        except StatguardError as e:
            errors[view] = str(e)
    if len(errors) < len(set(names)):
        from statguard.history.explanations import bind_explanations
        try:
            bind_explanations(engine, store_path)
        except StatguardError as e:
            errors[HISTORY_PREFIX + "_explanations"] = str(e)
    return errors
