"""Made-up records on which a rule passes, and on which it fails, for `statguard explain`.

Candidates are built from the rule: a plain record of its sources' declared columns (codes
from `allowed:`, numbers within `min:`/`max:`); for a `row` rule whose expression compares two
sides that are linear in its columns, each column in turn solved for (left - right = 0, then off
by some units); for `unique`, `sequence`, `cumulative` and `part_whole`, small kind-specific data;
and, for any kind, the plain record with one value changed (to a constant of the expression,
to nothing, to a negative or a large number). Each candidate is run through the rule in DuckDB
(statguard.api.validate, as `statguard check` runs it) and only one that really passes (items,
no failures) or really fails is shown: a rule none of the candidates fits gets no example
rather than a wrong one. A passing example keeps every number within its column's declared
`min:`/`max:` (else it shows a record the pack rejects); a failing one does too when it can.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlglot import exp

from statguard.pack.model import Column, Pack, Rule

Records = dict[str, list[dict[str, Any]]]  # source -> records
MAX_RUNS = 24  # candidates run, at most, per explanation


@dataclass
class Example:
    data: Records
    passes: int
    fails: int
    messages: list[str]


def find_examples(pack: Pack, rule: Rule, lang: str | None = None) -> tuple[Example | None, Example | None]:
    """(a verified passing example, a verified failing example); None where none was found."""
    passing = failing = stray = None
    runs = 0
    for data in _candidates(pack, rule):
        if runs >= MAX_RUNS or (passing and failing):
            break
        bounded = _within_bounds(pack, data)
        if not bounded and (failing or stray):  # only a failing example could still use it
            continue
        runs += 1
        outcome = _run(pack, rule, data, lang)
        if outcome is None:
            continue
        if outcome.fails and failing is None:
            if bounded:
                failing = outcome
            else:
                stray = stray or outcome
        elif not outcome.fails and outcome.passes and passing is None and bounded:
            passing = outcome
    return passing, failing or stray


def _within_bounds(pack: Pack, data: Records) -> bool:
    """Whether every number of `data` lies within its column's declared min/max. A passing example
    outside them (服务业投资 -10 where the pack says min: 0) teaches a record the pack would reject;
    a failing one is taken from outside them only when no candidate inside fails."""
    for source, records in data.items():
        columns = pack.sources[source].columns or {}
        for record in records:
            for name, value in record.items():
                column = columns.get(name)
                if column is None or not _numeric(value):
                    continue
                low, high = _bound(column.min), _bound(column.max)
                if low is not None and value < low or high is not None and value > high:
                    return False
    return True


def _run(pack: Pack, rule: Rule, data: Records, lang: str | None) -> Example | None:
    """The rule run on `data` alone; None when it could not run on it."""
    import pandas as pd

    from statguard.api import validate
    from statguard.errors import StatguardError
    one = Pack(name=pack.name, path=pack.path, sources={n: replace(pack.sources[n], path=None) for n in data},
               rules=[rule], lang=pack.lang, settings=pack.settings)
    frames = {name: pd.DataFrame(records, columns=list(_columns(pack, name, rule)) or None)
              for name, records in data.items()}
    try:
        report = validate(one, frames, lang=lang)
    except (StatguardError, ValueError, TypeError):
        return None
    row = report.rules()[0] if report.rules() else None
    if row is None or row.get("errored") or row.get("skipped"):
        return None
    messages = [str(m) for m in report.violations["message"].tolist()] if row["fails"] else []
    return Example(data, int(row["passes"] or 0), int(row["fails"] or 0), messages)


# -- candidates --------------------------------------------------------------------------------
def _candidates(pack: Pack, rule: Rule) -> Any:
    sources = [s for s in dict.fromkeys(rule.sources) if s in pack.sources]
    if not sources or any(pack.sources[s].derive is not None for s in sources):
        return
    base = {s: [_record(pack, s, rule)] for s in sources}
    if any(not recs[0] for recs in base.values()):
        return
    special = _SPECIAL.get(rule.kind)
    if special is not None:
        yield from special(pack, rule, base)
    yield base
    first = sources[0]
    for name, value in _mutations(pack, rule, base[first][0]):
        yield {**base, first: [{**base[first][0], name: value}]}
    for other in sources[1:]:  # the other sources without the matching record
        yield {**base, other: [{c: _other_value(v) for c, v in base[other][0].items()}]}


def _columns(pack: Pack, source: str, rule: Rule) -> dict[str, Column]:
    src = pack.sources[source]
    if src.columns:
        return src.columns
    names = [*filter(None, (src.unit, src.period)), *src.keys, *_referenced(rule)]
    return {n: Column(name=n) for n in dict.fromkeys(names)}


def _referenced(rule: Rule) -> list[str]:
    """Column names the rule's text parameters name, as far as they parse as expressions."""
    out = []
    for key in ("expr", "value", "whole", "where", "if_"):
        text = getattr(rule.params, key, None)
        if isinstance(text, str):
            out.extend(c.name for c in _parsed(text).find_all(exp.Column))
    for key in ("parts", "keys", "values", "by", "match"):
        value = getattr(rule.params, key, None)
        if isinstance(value, list):
            out.extend(str(v) for v in value if isinstance(v, str))
    return out


def _parsed(text: str) -> exp.Expression:
    import sqlglot
    try:
        return sqlglot.parse_one(text, read="duckdb")
    except Exception:  # noqa: BLE001  (only a source of candidate values; the rule's own parse is lint's)
        return exp.Null()


def _record(pack: Pack, source: str, rule: Rule) -> dict[str, Any]:
    src = pack.sources[source]
    out: dict[str, Any] = {}
    for i, (name, column) in enumerate(_columns(pack, source, rule).items()):
        out[name] = _value(column, i, role=_role(src, name))
    return out


def _role(src: Any, name: str) -> str | None:
    return "unit" if name == src.unit else "period" if name == src.period else "key" if name in src.keys else None


def _value(column: Column, i: int, role: str | None = None) -> Any:
    kind = column.type or ("string" if role else "number")
    if column.allowed:
        return column.allowed[0]
    if role == "period":
        return 2024 if kind in ("integer", "number") else "2024"
    if kind in ("number", "integer"):
        value: Any = 10 * (i + 1)
        low, high = _bound(column.min), _bound(column.max)
        if low is not None and value < low or high is not None and value > high:
            value = low if low is not None else high
        return value
    if kind in ("date", "datetime"):
        return dt.date(2024, 1, 31)
    if kind == "boolean":
        return True
    return {"unit": "U1", "key": "K1"}.get(role or "", "A")


def _bound(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _other_value(value: Any) -> Any:
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value + 1
    return value


def _mutations(pack: Pack, rule: Rule, record: dict[str, Any]) -> Any:
    """(column, value): one value of the plain record changed, constants of the rule first."""
    constants = [lit.to_py() if not lit.is_string else lit.this
                 for key in ("expr", "where", "if_") if isinstance(getattr(rule.params, key, None), str)
                 for lit in _parsed(getattr(rule.params, key)).find_all(exp.Literal)]
    referenced = [c for c in dict.fromkeys(_referenced(rule)) if c in record] or list(record)
    for name in referenced:
        for value in [*dict.fromkeys(constants), None, -record[name] if _numeric(record[name]) else "zzz",
                      10**6 if _numeric(record[name]) else "", 0]:
            yield name, value


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- kind-specific candidates ------------------------------------------------------------------
def _row(pack: Pack, rule: Rule, base: Records) -> Any:
    """A linear comparison solved for each of its numeric columns in turn, the last first."""
    tree = _parsed(rule.params.expr)
    node = tree.this if isinstance(tree, exp.Paren) else tree
    source = rule.params.source
    record = base[source][0]
    numeric = [c.name for c in node.find_all(exp.Column) if _numeric(record.get(c.name))]
    if not isinstance(node, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)) or not numeric:
        return
    for free in reversed(list(dict.fromkeys(numeric))):  # another column where this one leaves its bounds
        yield from _solved(node, source, base, free)


def _solved(node: exp.Expression, source: str, base: Records, free: str) -> Any:
    """The record with `free` set so that the comparison's sides are equal, then off by a little or a lot."""
    import duckdb
    import pandas as pd

    record = base[source][0]
    diff = exp.Sub(this=exp.paren(node.this.copy()), expression=exp.paren(node.expression.copy())).sql("duckdb")
    con = duckdb.connect(":memory:")
    try:
        frame = pd.DataFrame([record, {**record, free: record[free] + 1}])
        con.register("t", frame)
        d0, d1 = (float(r[0]) for r in con.execute(f"SELECT {diff} FROM t").fetchall())
    except (duckdb.Error, TypeError, ValueError):
        return
    finally:
        con.close()
    slope = d1 - d0
    if not slope:
        return
    for offset in (0, 1, -1, 10, -10, 0.5, -0.5):
        value = record[free] + (offset - d0) / slope
        value = int(value) if float(value).is_integer() else round(value, 4)
        yield {**base, source: [{**record, free: value}]}


def _unique(pack: Pack, rule: Rule, base: Records) -> Any:
    source = rule.params.source
    record = base[source][0]
    keys = rule.params.keys or pack.sources[source].keys or list(record)[:1]
    other = {**record, **{k: _other_value(record[k]) for k in keys if k in record}}
    yield {**base, source: [record, other]}
    changed = {c: _other_value(v) for c, v in record.items() if c not in keys}
    yield {**base, source: [record, {**record, **changed}]}
    yield {**base, source: [record, dict(record)]}


def _periods(rule: Rule, pack: Pack) -> tuple[str, str | None, list[Any]]:
    src = pack.sources[rule.params.source]
    period = getattr(rule.params, "period", None) or src.period
    by = getattr(rule.params, "by", None) or ([src.unit] if src.unit else [])
    first = str(getattr(rule.params, "from_", None) or "2020")
    labels: list[Any] = [str(int(first[:4]) + i) + first[4:] for i in range(3)] if first[:4].isdigit() else []
    return period, (by[0] if by else None), labels


def _sequence(pack: Pack, rule: Rule, base: Records) -> Any:
    source = rule.params.source
    period, _unit, labels = _periods(rule, pack)
    if not period or not labels:
        return
    record = base[source][0]
    yield {**base, source: [{**record, period: p} for p in labels]}
    yield {**base, source: [{**record, period: p} for p in (labels[0], labels[2])]}


def _cumulative(pack: Pack, rule: Rule, base: Records) -> Any:
    source, value = rule.params.source, rule.params.value
    period = rule.params.period or pack.sources[source].period
    if not period:
        return
    record = base[source][0]
    months = ["2024-01", "2024-02", "2024-03"]
    for figures in ((10, 20, 30), (10, 30, 20)):
        yield {**base, source: [{**record, period: m, value: v} for m, v in zip(months, figures, strict=True)]}


def _part_whole(pack: Pack, rule: Rule, base: Records) -> Any:
    p = rule.params
    if not (isinstance(p.whole, str) and isinstance(p.parts, list) and all(isinstance(x, str) for x in p.parts)):
        return
    record = base[p.source][0]
    parts = {name: 10 * (i + 1) for i, name in enumerate(p.parts)}
    total = sum(parts.values())
    for whole in (total, total + 10):
        yield {**base, p.source: [{**record, **parts, p.whole: whole}]}


_SPECIAL = {"row": _row, "unique": _unique, "sequence": _sequence, "cumulative": _cumulative,
            "part_whole": _part_whole}
