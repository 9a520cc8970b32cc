"""Explanations kept in the history store, next to the submissions they answer.

The explanations of a run are recorded as submissions of the reserved source
`_explanations`, one per (unit, period), through the store's public API:
versioned, hashed and crash-safe like data. Give `pending_explanations(report)`
to `store.record_all` together with the data's pending submissions and both
land in one transaction (received at the same instant); `record_explanations`
records them alone. Each row holds rule_id, keys (JSON), text, author, date,
fields (JSON) and status ("explained", or the problem kind such as "stale").

For rules across versions ("changed without explanation"): `explanation_frame`
returns every recorded explanation with its unit, period, received time and
keys spread into `key:<name>` columns; `bind_explanations` exposes it to the
engine as the view "history:_explanations"; `unexplained_changes` marks which
changed figures no explanation answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.explain.match import PSEUDO_RULE
from statguard.explain.model import norm, plain

if TYPE_CHECKING:
    import pandas as pd

    from statguard.history.store import HistoryStore, Pending, Recorded
    from statguard.report.model import Report

EXPLANATIONS_SOURCE = "_explanations"
COLUMNS = ["rule_id", "keys", "text", "author", "date", "fields", "status"]
KEY = "key:"


def _rows_of(report: Report) -> dict[tuple[str, str], list[dict[str, Any]]]:
    v = report.violations
    if not len(v) or "explained" not in v.columns:
        return {}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in v.to_dict("records"):
        problem = row["rule_id"] == PSEUDO_RULE
        if not problem and row.get("explained") is not True:
            continue
        values = row.get("values") or {}
        out = {"rule_id": values.get("rule_id") if problem else row["rule_id"],
               "keys": _json(row.get("keys")), "text": values.get("text") if problem else row.get("explanation"),
               "author": values.get("author") if problem else row.get("explained_by"),
               "date": None if problem else row.get("explained_at"),
               "fields": None if problem else _json(row.get("explanation_fields")),
               "status": row.get("detail") if problem else "explained"}
        groups.setdefault((norm(row.get("unit")), norm(row.get("period"))), []).append(out)
    return groups


def _json(value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return None
    return json.dumps({str(k): plain(x) for k, x in value.items()}, ensure_ascii=False, sort_keys=True)


def pending_explanations(report: Report, reason: str | None = None) -> list[Pending]:
    """The explanations of a checked run, ready for `HistoryStore.record_all` (one per unit and period)."""
    from statguard.history.store import pending
    return [pending(EXPLANATIONS_SOURCE, rows, unit=unit, period=period, columns=COLUMNS,
                    keys=["rule_id", "keys"], reason=reason)
            for (unit, period), rows in sorted(_rows_of(report).items())]


def record_explanations(store: HistoryStore, report: Report, reason: str | None = None) -> list[Recorded]:
    batch = pending_explanations(report, reason)
    return store.record_all(batch) if batch else []


def explanation_frame(store: HistoryStore, latest: bool = True) -> pd.DataFrame:
    """Recorded explanations: _sg_unit, _sg_period, _sg_version, _sg_received, rule_id, text, ..., key:<name>.

    With latest=True only the latest version for each unit and period is kept.
    """
    import pandas as pd
    frame = store.frame(EXPLANATIONS_SOURCE) if EXPLANATIONS_SOURCE in store.sources() else pd.DataFrame()
    if not len(frame):
        return pd.DataFrame(columns=["_sg_unit", "_sg_period", "_sg_version", "_sg_received", *COLUMNS])
    if latest:
        newest = frame.groupby(["_sg_unit", "_sg_period"])["_sg_version"].transform("max")
        frame = frame[frame["_sg_version"] == newest].reset_index(drop=True)
    keys = [json.loads(k) if isinstance(k, str) and k else {} for k in frame["keys"]]
    for name in sorted({k for ks in keys for k in ks}):
        frame[KEY + name] = [norm(ks.get(name)) if name in ks else None for ks in keys]
    return frame


def bind_explanations(engine: Any, store_path: str | Path | None) -> str:
    """Bind recorded explanations (all versions) as the engine view "history:_explanations".

    `_sg_period` holds the canonical period label ("2024年9月" -> "2024-09"), as the
    recorded data's own `_sg_period` does, so the two join on it.
    """
    from statguard.history import HistoryStore
    from statguard.history.capture import period_label
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
                        received: str = "_sg_received") -> pd.Series:
    """For each changed figure (a row of `changes`), whether no explanation answers it.

    A change is explained by an explanation of any rule for the same unit, period
    and record keys (`keys`: columns of `changes`, matched to key:<name>) that was
    recorded with the changed version or later.
    """
    import pandas as pd
    known: dict[tuple, list[str]] = {}
    for row in explanations.to_dict("records"):
        if row.get("status") != "explained":
            continue
        ident = (norm(row.get("_sg_unit")), norm(row.get("_sg_period")),
                 *(norm(row.get(KEY + k)) for k in keys))
        known.setdefault(ident, []).append(str(row.get("_sg_received") or ""))
    out = []
    for row in changes.to_dict("records"):
        ident = (norm(row.get(unit)), norm(row.get(period)), *(norm(row.get(k)) for k in keys))
        when = str(row.get(received) or "")
        out.append(not any(t >= when for t in known.get(ident, [])))
    return pd.Series(out, index=changes.index, dtype=bool)


def record_checked_explanations(report: Report, store_path: str | Path | None, reason: str | None = None) -> int:
    """`check --record`: keep the run's explanations (used and refused) with the recorded submission."""
    from statguard.history import HistoryStore
    if not report.meta.get("explanations"):
        return 0
    with HistoryStore(store_path) as store:
        return sum(r.new for r in record_explanations(store, report, reason))
