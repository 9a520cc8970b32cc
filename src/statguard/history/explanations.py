"""Explanations kept in the history store, next to the submissions they answer.

The explanations of a run are recorded as submissions of the reserved source
`_explanations`, one per (unit, period), through the store's public API:
versioned, hashed and crash-safe like data. Record the data first, then give
what that returned as `answered` to `record_explanations` (or
`pending_explanations` for `store.record_all`). Each row holds rule_id, keys (JSON), text, author, date,
fields (JSON), status ("explained", or the problem kind such as "stale") and
answers (JSON {source: version}): the data submissions of the same unit and
period, of the sources its rule reads, that the explanation came with.

Why `answers`: the store never records identical content twice, so a unit that
resubmits an unchanged explanations file with a new data version would leave
no trace that it explained that version. Naming the answered versions makes the
rows differ exactly when the data they answer differ (a rerun of the same data
with the same file is still no new version), and lets rules across versions
match an explanation to the version it answered instead of comparing times.
Pass the data's `Recorded` results as `answered` (`check --record` does);
without them `answers` stays empty and readers fall back to received times,
as they do for explanations recorded before the column existed.

For rules across versions ("changed without explanation"): `explanation_frame`
returns every recorded explanation with its unit, period, received time and
keys spread into `key:<name>` columns; `bind_explanations` exposes it to the
engine as the view "history:_explanations" (with `answers:<source>` columns
holding the answered version); `unexplained_changes` marks which changed
figures no explanation answers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.explain.match import PSEUDO_RULE
from statguard.explain.model import norm, plain
from statguard.report.explanation_text import kind_of

if TYPE_CHECKING:
    import pandas as pd

    from statguard.history.store import HistoryStore, Pending, Recorded
    from statguard.report.model import Report

EXPLANATIONS_SOURCE = "_explanations"
COLUMNS = ["rule_id", "keys", "text", "author", "date", "fields", "status", "answers"]
KEY = "key:"
ANSWERS = "answers:"  # explanation_frame: answers:<source> = the version of <source> it answered


def _rows_of(report: Report, answered: Sequence[Recorded] = ()) -> dict[tuple[str, str], list[dict[str, Any]]]:
    v = report.violations
    if not len(v) or "explained" not in v.columns:
        return {}
    reads = _sources_by_rule(report)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in v.to_dict("records"):
        problem = row["rule_id"] == PSEUDO_RULE
        if not problem and row.get("explained") is not True:
            continue
        values = row.get("values") or {}
        rule_id = values.get("rule_id") if problem else row["rule_id"]
        unit, period = norm(row.get("unit")), norm(row.get("period"))
        out = {"rule_id": rule_id,
               "keys": _json(row.get("keys")), "text": values.get("text") if problem else row.get("explanation"),
               "author": values.get("author") if problem else row.get("explained_by"),
               "date": None if problem else row.get("explained_at"),
               "fields": None if problem else _json(row.get("explanation_fields")),
               "status": kind_of(row.get("detail")) if problem else "explained",  # stored as the kind
               "answers": _json(_answers(answered, reads.get(norm(rule_id), []), unit, period))}
        groups.setdefault((unit, period), []).append(out)
    return groups


def _sources_by_rule(report: Report) -> dict[str, list[str]]:
    """rule id -> the data sources it reads (history views name their source), from the report summary."""
    from statguard.history.canonical import HISTORY_PREFIX
    s = report.summary
    if not len(s) or "sources" not in s.columns:
        return {}
    return {norm(rule): [name.strip().removeprefix(HISTORY_PREFIX) for name in str(names or "").split(",")
                         if name.strip()]
            for rule, names in zip(s["rule_id"], s["sources"], strict=True)}


def _answers(answered: Sequence[Recorded], sources: list[str], unit: str, period: str) -> dict[str, int]:
    """source -> version of the data submission of this unit and period recorded with the explanation.

    A submission labelled "" for unit or period (a source without that column) is the whole file's.
    """
    from statguard.history.canonical import period_label
    period = period_label(period)
    best: dict[str, tuple[int, int]] = {}
    for result in answered:
        sub = result.submission
        if sub.source not in sources or sub.unit not in (unit, "") or sub.period not in (period, ""):
            continue
        rank = (sub.unit == unit) + (sub.period == period)
        if sub.source not in best or rank > best[sub.source][0]:
            best[sub.source] = (rank, sub.version)
    return {source: version for source, (_rank, version) in sorted(best.items())}


def _json(value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return None
    return json.dumps({str(k): plain(x) for k, x in value.items()}, ensure_ascii=False, sort_keys=True)


def pending_explanations(report: Report, reason: str | None = None,
                         answered: Sequence[Recorded] = ()) -> list[Pending]:
    """The explanations of a checked run, ready for `HistoryStore.record_all` (one per unit and period).

    `answered`: the results of recording the run's data; each explanation names the versions
    of its unit and period it answered (column `answers`).
    """
    from statguard.history.store import pending
    return [pending(EXPLANATIONS_SOURCE, rows, unit=unit, period=period, columns=COLUMNS,
                    keys=["rule_id", "keys"], reason=reason)
            for (unit, period), rows in sorted(_rows_of(report, answered).items())]


def record_explanations(store: HistoryStore, report: Report, reason: str | None = None,
                        answered: Sequence[Recorded] = ()) -> list[Recorded]:
    batch = pending_explanations(report, reason, answered)
    return store.record_all(batch) if batch else []


def explanation_frame(store: HistoryStore, latest: bool = True) -> pd.DataFrame:
    """Recorded explanations: _sg_unit, _sg_period, _sg_version, _sg_received, rule_id, text, ..., key:<name>,
    answers:<source> (the answered version as text; None when not recorded, as before `answers` existed).

    With latest=True only the latest version for each unit and period is kept.
    """
    import pandas as pd
    frame = store.frame(EXPLANATIONS_SOURCE) if EXPLANATIONS_SOURCE in store.sources() else pd.DataFrame()
    if not len(frame):
        return pd.DataFrame(columns=["_sg_unit", "_sg_period", "_sg_version", "_sg_received", *COLUMNS])
    if latest:
        newest = frame.groupby(["_sg_unit", "_sg_period"])["_sg_version"].transform("max")
        frame = frame[frame["_sg_version"] == newest].reset_index(drop=True)
    for column, prefix in (("keys", KEY), ("answers", ANSWERS)):
        maps = [json.loads(k) if isinstance(k, str) and k else {} for k in frame.get(column, [None] * len(frame))]
        for name in sorted({k for m in maps for k in m}):
            frame[prefix + name] = [norm(m.get(name)) if name in m else None for m in maps]
    return frame


def bind_explanations(engine: Any, store_path: str | Path | None) -> str:
    """Bind recorded explanations (all versions) as the engine view "history:_explanations".

    `_sg_period` holds the canonical period label ("2024年9月" -> "2024-09"), as the
    recorded data's own `_sg_period` does, so the two join on it.
    """
    from statguard.history import HistoryStore
    from statguard.history.canonical import period_label
    from statguard.pack.model import Source
    view = "history:" + EXPLANATIONS_SOURCE
    with HistoryStore(store_path, create=False) as store:
        frame = explanation_frame(store, latest=False)
        where = str(store.path)
    if len(frame):
        frame["_sg_period"] = [period_label(norm(x)) for x in frame["_sg_period"]]
    engine.bind(Source(name=view), frame.astype(object).where(frame.notna(), None) if len(frame) else frame)
    engine.described[view] = {"location": f"{where} (history)"}
    return view


def unexplained_changes(changes: pd.DataFrame, explanations: pd.DataFrame, keys: list[str],
                        unit: str = "_sg_unit", period: str = "_sg_period",
                        received: str = "_sg_received", source: str | None = None,
                        version: str = "_sg_version") -> pd.Series:
    """For each changed figure (a row of `changes`), whether no explanation answers it.

    A change is explained by an explanation of any rule for the same unit, period
    and record keys (`keys`: columns of `changes`, matched to key:<name>) that came
    with the changed version or a later one: with `source` given and the version of
    it the explanation answered known (answers:<source>), by that version (the
    `version` column of `changes`); otherwise by the time it was recorded.
    """
    import pandas as pd
    known: dict[tuple, list[tuple[int | None, str]]] = {}
    for row in explanations.to_dict("records"):
        if row.get("status") != "explained":
            continue
        ident = (norm(row.get("_sg_unit")), norm(row.get("_sg_period")),
                 *(norm(row.get(KEY + k)) for k in keys))
        answer = norm(row.get(ANSWERS + source)) if source else ""
        known.setdefault(ident, []).append((int(answer) if answer.isdigit() else None,
                                            str(row.get("_sg_received") or "")))
    out = []
    for row in changes.to_dict("records"):
        ident = (norm(row.get(unit)), norm(row.get(period)), *(norm(row.get(k)) for k in keys))
        when, number = str(row.get(received) or ""), norm(row.get(version))
        out.append(not any(t >= when if v is None else number.isdigit() and v >= int(number)
                           for v, t in known.get(ident, [])))
    return pd.Series(out, index=changes.index, dtype=bool)


def record_checked_explanations(report: Report, store_path: str | Path | None, reason: str | None = None,
                                answered: Sequence[Recorded] = ()) -> int:
    """`check --record`: keep the run's explanations (used and refused) with the recorded submission.

    `answered`: what recording the run's data returned (`record_checked`), so each explanation
    names the data versions it answered.
    """
    from statguard.history import HistoryStore
    if not report.meta.get("explanations"):
        return 0
    with HistoryStore(store_path) as store:
        return sum(r.new for r in record_explanations(store, report, reason, answered))
