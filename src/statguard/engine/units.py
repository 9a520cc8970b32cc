"""Which reporting units and periods the bound data holds, for scorecards.

A unit with no violations must still appear on the scorecard with a full
score, so a run records the distinct units (and the periods each unit
submitted) of every bound source that declares a unit column, plus each
unit's peer group when the pack's scorecard groups units by a column. The
facts go into `report.meta["units"]`, so a saved JSON report can be scored
later without the data:

    {"sources": {"claims": ["东区", "西区"]},
     "periods": {"东区": ["2024-01", "2024-02"]},
     "peer_groups": {"东区": "区"}, "peer_group": "units.category"}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.errors import StatguardError
from statguard.expr import quote_column

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from statguard.engine.duckdb import DuckDBEngine
    from statguard.pack.model import Pack

MAX_UNITS = 100_000  # per source; beyond this the run is not a list of reporting units


def unit_facts(engine: DuckDBEngine, pack: Pack,
               given: Mapping[str, pd.DataFrame | str | Path] | None = None) -> dict[str, Any]:
    """Distinct units per source, periods per unit, and peer groups, of the bound sources.

    Never fails the run: a problem here only costs the scorecard its list of clean units.
    """
    try:
        return _collect(engine, pack, given or {})
    except Exception as e:  # the facts are a courtesy to the scorecard, never a reason to stop
        return {"sources": {}, "periods": {}, "error": f"{type(e).__name__}: {e}"}


def _collect(engine: DuckDBEngine, pack: Pack, given: Mapping[str, pd.DataFrame | str | Path]) -> dict[str, Any]:
    facts: dict[str, Any] = {"sources": {}, "periods": {}}
    for name, columns in engine.bound.items():
        src = pack.sources.get(name)
        if src is None or not src.unit or src.unit not in columns:
            continue
        period = src.period if src.period and src.period in columns else None
        rows = _distinct(engine, name, [src.unit] + ([period] if period else []))
        if rows is None:
            facts.setdefault("truncated", []).append(name)
            continue
        facts["sources"][name] = sorted({_text(r[0]) for r in rows if r[0] is not None})
        for row in rows:
            if period and row[0] is not None and row[1] is not None:
                facts["periods"].setdefault(_text(row[0]), set()).add(_text(row[1]))
    facts["periods"] = {u: sorted(p) for u, p in sorted(facts["periods"].items())}
    spec = _peer_group_spec(pack)
    if spec:
        facts["peer_group"] = spec
        facts["peer_groups"] = _peer_groups(engine, pack, spec, given)
    return facts


def peer_group_source(pack: Pack) -> str | None:
    """The source the scorecard's `peer_group: source.column` reads, if the pack names one."""
    spec = _peer_group_spec(pack)
    source = spec.rpartition(".")[0] if spec else ""
    return source if source in pack.sources else None


def _peer_group_spec(pack: Pack) -> str | None:
    raw = pack.settings.get("scorecard")
    value = raw.get("peer_group") if isinstance(raw, dict) else getattr(raw, "peer_group", None)
    return str(value) if value else None


def _peer_groups(engine: DuckDBEngine, pack: Pack, spec: str,
                 given: Mapping[str, pd.DataFrame | str | Path]) -> dict[str, str]:
    """unit -> value of the grouping column (the most frequent one, should a unit have several)."""
    source, _, column = spec.rpartition(".")
    candidates = [source] if source else [n for n, s in pack.sources.items() if s.unit]
    for name in candidates:
        src = pack.sources.get(name)
        if src is None or not src.unit:
            continue
        if name not in engine.bound and source:
            try:
                engine.bind(src, given.get(name))
            except StatguardError:
                return {}
        columns = engine.bound.get(name, {})
        if src.unit in columns and column in columns:
            return _mode_per_unit(engine, name, src.unit, column)
    return {}


def _mode_per_unit(engine: DuckDBEngine, source: str, unit: str, column: str) -> dict[str, str]:
    rows = _distinct(engine, source, [unit, column], counted=True) or []
    best: dict[str, tuple[int, str]] = {}
    for u, value, n in rows:
        if u is None or value is None:
            continue
        key, val = _text(u), _text(value)
        if key not in best or (n, val) > best[key]:
            best[key] = (n, val)
    return {u: v for u, (_, v) in sorted(best.items())}


def _distinct(engine: DuckDBEngine, source: str, columns: list[str], counted: bool = False) -> list[tuple] | None:
    cols = [quote_column(c) for c in columns]
    table = exp.Table(this=exp.to_identifier(source, quoted=True))
    query = exp.select(*cols).from_(table).group_by(*[c.copy() for c in cols])
    if counted:
        query = query.select(exp.Count(this=exp.Star()))
    query = query.limit(MAX_UNITS * 50 + 1)
    rows = engine.rows(query)
    units = {r[0] for r in rows}
    if len(units) > MAX_UNITS or len(rows) > MAX_UNITS * 50:
        return None
    return rows


def _text(value: Any) -> str:
    """Units and periods compare as text: 1001, 1001.0 and '1001' are the same unit."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
