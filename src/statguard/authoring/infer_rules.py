"""Rules suggested by the data for `statguard init`, each with the share of records it holds on.

Searches (the numbers come out of DuckDB; a file larger than SAMPLE_ROWS is searched on a
reproducible sample and the writer's check on the whole file settles the support):

- part-whole: a whole column equal to the sum of 2-4 other columns of the record. Parts of
  a whole that is never negative are only columns that are never negative and at most the
  whole on the records (the pruning keeps the subsets few); a subset is kept when no
  smaller subset of it already adds up to the same whole. Exact for whole numbers, within
  the rounding of the reported decimals otherwise (`tolerance: reported`).
- shares and rates: x = 100 * a / b within the rounding of x, a and b.
- hierarchies in long data: with the source's key made of a code column and others (period,
  measure), the values are laid out one column per code and searched as part-whole: a
  parent code equal to the sum of child codes in every group (a `hierarchy` rule with an
  inline mapping).
- year-to-date figures (累计, a period column of year-to-date periods such as 2024年1-9月):
  never decreasing within a year per series (`cumulative`).
- functional dependencies between text columns, code -> name (`unique` with `values`), and
  a near key (`unique`).

Support is the share of the records a rule can judge (all its cells present) on which it holds.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statguard.authoring.profile import RATE_HINTS, SourceProfile, decimals_sql, number_sql, q, text_sql

if TYPE_CHECKING:
    import duckdb
    import numpy as np

SAMPLE_ROWS = 50_000
MAX_PARTS = 4
MAX_CANDIDATES = 14
MIN_ROWS = 3
MAX_LONG_CODES = 60


@dataclass
class Suggestion:
    kind: str
    source: str
    params: dict[str, Any]
    what: str  # the relation in a few words, for the comment
    support: float = 1.0
    items: int = 0
    exceptions: list[str] = field(default_factory=list)


def suggest(con: duckdb.DuckDBPyConnection, p: SourceProfile, min_support: float) -> list[Suggestion]:
    out: list[Suggestion] = []
    numeric = [c.name for c in p.columns.values() if c.numeric and c.distinct > 2 and c.name not in p.keys]
    if numeric:
        values, halves = _fetch(con, p, numeric)
        out += part_whole(p, numeric, values, halves, min_support)
        out += rates(p, numeric, values, halves, min_support)
    out += hierarchies(con, p, min_support)
    out += cumulative(con, p, min_support)
    out += dependencies(con, p, min_support)
    if p.near_key:
        cols, dup = p.near_key
        out.append(Suggestion("unique", p.name, {"keys": cols}, " + ".join(cols),
                              support=1 - dup / p.rows if p.rows else 1.0, items=p.rows))
    return out


def _fetch(con: duckdb.DuckDBPyConnection, p: SourceProfile, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np
    sample = f" USING SAMPLE reservoir({SAMPLE_ROWS} ROWS) REPEATABLE (7)" if p.rows > SAMPLE_ROWS else ""
    select = ", ".join([f"{number_sql(c)} AS v{i}" for i, c in enumerate(columns)]
                       + [f"coalesce({decimals_sql(c)}, 0) AS d{i}" for i, c in enumerate(columns)])
    data = con.execute(f"SELECT {select} FROM {q(p.view)}{sample}").fetchnumpy()
    values = np.column_stack([np.asarray(data[f"v{i}"], dtype=float) for i in range(len(columns))])
    decimals = np.column_stack([np.asarray(data[f"d{i}"], dtype=float) for i in range(len(columns))])
    return values, 0.5 * 10.0 ** (-decimals)  # half a unit of each cell's last digit


def part_whole(p: SourceProfile, names: list[str], x: np.ndarray, d: np.ndarray,
               min_support: float) -> list[Suggestion]:
    import numpy as np
    out: list[Suggestion] = []
    shares = {i for i, n in enumerate(names) if any(h in n.lower() for h in RATE_HINTS)}
    nonneg = [bool(np.nanmin(x[:, i]) >= 0) if np.isfinite(x[:, i]).any() else False for i in range(len(names))]
    for w in range(len(names)):
        if w in shares:
            continue
        cands = []
        for a in range(len(names)):
            if a == w or a in shares:
                continue
            both = ~np.isnan(x[:, a]) & ~np.isnan(x[:, w])
            if both.sum() < MIN_ROWS:
                continue
            if nonneg[w] and nonneg[a] and np.mean(x[both, a] <= x[both, w] + 1e-9) < min_support:
                continue
            cands.append(a)
        found: list[set[int]] = []
        for size in range(2, MAX_PARTS + 1):
            for parts in itertools.combinations(cands[:MAX_CANDIDATES], size):
                if any(f <= set(parts) for f in found):
                    continue
                decimals = [p.columns[names[i]].decimals for i in (w, *parts)]
                screened, m = _sum_support(x[:SCREEN_ROWS], d[:SCREEN_ROWS], w, list(parts), decimals)
                if m >= MIN_ROWS and screened < min_support - 0.05:
                    continue  # the first records of the sample already rule it out
                support, n = _sum_support(x, d, w, list(parts), decimals)
                if n >= MIN_ROWS and support >= min_support:
                    found.append(set(parts))
                    params: dict[str, Any] = {"whole": names[w], "parts": [names[i] for i in parts]}
                    if any(p.columns[names[i]].decimals for i in (w, *parts)):
                        params["tolerance"] = "reported"
                    out.append(Suggestion("part_whole", p.name, params,
                                          f"{' + '.join(names[i] for i in parts)} = {names[w]}", support, n))
    return _distinct_relations(out)


def _sum_support(x: np.ndarray, d: np.ndarray, w: int, parts: list[int], col_decimals: list[int]) -> tuple[float, int]:
    import numpy as np
    cols = [w, *parts]
    complete = ~np.isnan(x[:, cols]).any(axis=1)
    n = int(complete.sum())
    if n == 0:
        return 0.0, 0
    xs = x[complete]
    if not (xs[:, parts] != 0).any(axis=0).all():  # a part that is always 0 adds nothing
        return 0.0, 0
    diff = np.abs(xs[:, w] - xs[:, parts].sum(axis=1))
    tol = d[complete][:, cols].sum(axis=1) + 1e-9 if any(col_decimals) else 1e-8
    return float(np.mean(diff <= tol)), n


def _distinct_relations(found: list[Suggestion]) -> list[Suggestion]:
    """One suggestion per set of columns (a + b = c and c - b = a with negatives are one relation)."""
    seen: set[frozenset[str]] = set()
    out = []
    for s in sorted(found, key=lambda s: -s.support):
        cols = frozenset([s.params["whole"], *s.params["parts"]])
        if cols not in seen:
            seen.add(cols)
            out.append(s)
    return out


def rates(p: SourceProfile, names: list[str], x: np.ndarray, h: np.ndarray, min_support: float) -> list[Suggestion]:
    """x = 100 * a / b (a share or rate in percent) and x = a / b (a ratio: wages per head), within
    the rounding of x, a and b. Each pair (a, b) is tried against every candidate x at once, on the
    first SCREEN_ROWS records of the sample, then in full for the triples passing there."""
    out: list[Suggestion] = []
    lefts = [r for r in range(len(names))
             if p.columns[names[r]].type == "number" or any(h_ in names[r].lower() for h_ in RATE_HINTS)]
    if not lefts:
        return out
    for a, b in itertools.permutations(range(len(names)), 2):
        rs = [r for r in lefts if r not in (a, b)]
        if not rs:
            continue
        for factor in (100.0, 1.0):
            screened = _rate_support(x[:SCREEN_ROWS], h[:SCREEN_ROWS], rs, a, b, factor)
            keep = [r for r, (support, n) in zip(rs, screened, strict=True) if n and support >= min_support - 0.05]
            if not keep:
                continue
            for r, (support, n) in zip(keep, _rate_support(x, h, keep, a, b, factor), strict=True):
                if n >= MIN_ROWS and support >= min_support:
                    expr = f"{_ref(names[r])} == {'100 * ' if factor == 100 else ''}{_ref(names[a])} / {_ref(names[b])}"
                    what = f"{names[r]} = {'100 * ' if factor == 100 else ''}{names[a]} / {names[b]}"
                    s = Suggestion("row", p.name, {"expr": expr, "tolerance": "reported"}, what, support, n)
                    out.append(s)
                    s.params["_cols"] = (names[r], frozenset((names[r], names[a], names[b])))
    return _one_per_relation(out, p)


SCREEN_ROWS = 1000


def _rate_support(x: np.ndarray, h: np.ndarray, rs: list[int], a: int, b: int,
                  factor: float) -> list[tuple[float, int]]:
    """Per candidate r: the share of records with r, a, b present and |b| above its rounding on which
    r = factor * a / b within the rounding, and how many such records there are; 0 when r is constant
    or when r = factor * a on most of them (b is 1: no ratio)."""
    import numpy as np
    xa, xb, ha, hb = x[:, a], x[:, b], h[:, a], h[:, b]
    base = ~np.isnan(xa) & ~np.isnan(xb) & (np.abs(xb) > hb)
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = factor * xa / xb
        spread = factor * (np.abs(xa) * hb + np.abs(xb) * ha) / (np.abs(xb) * (np.abs(xb) - hb))
    xr, hr = x[:, rs], h[:, rs]
    valid = base[:, None] & ~np.isnan(xr)
    tol = hr + spread[:, None] + 1e-9
    with np.errstate(invalid="ignore"):
        holds = valid & (np.abs(xr - computed[:, None]) <= tol)
        trivial = valid & (np.abs(xr - factor * xa[:, None]) <= tol)
    out = []
    for j in range(len(rs)):
        n = int(valid[:, j].sum())
        if n == 0 or trivial[:, j].sum() * 2 > n or np.ptp(xr[valid[:, j], j]) == 0:
            out.append((0.0, n))
            continue
        out.append((float(holds[:, j].sum() / n), n))
    return out


def _one_per_relation(found: list[Suggestion], p: SourceProfile) -> list[Suggestion]:
    """r = 100 * a / b and b = 100 * a / r are one relation: keep the one whose left side is named like a
    share or rate, else the one whose left side is smaller."""
    best: dict[frozenset[str], tuple[tuple[bool, float], Suggestion]] = {}
    for s in found:
        left, cols = s.params.pop("_cols")
        rank = (not any(h in left.lower() for h in RATE_HINTS), p.columns[left].max or 0)
        if cols not in best or rank < best[cols][0]:
            best[cols] = (rank, s)
    return [s for _, s in best.values()]


def _ref(name: str) -> str:
    """A column as the expression language reads it: as it is when a plain (or dotted) name, else quoted."""
    if re.fullmatch(r"[^\W\d][\w.]*", name) and not name.endswith("."):
        return name
    return '"' + name.replace('"', '""') + '"'


def hierarchies(con: duckdb.DuckDBPyConnection, p: SourceProfile, min_support: float) -> list[Suggestion]:
    """Parent codes equal to the sum of child codes, per group of the other key columns."""
    import numpy as np
    key = p.keys or (p.near_key[0] if p.near_key else [])
    values = [c.name for c in p.columns.values() if c.numeric and c.name not in key]
    out: list[Suggestion] = []
    if len(key) < 2 or len(values) != 1:
        return out
    value = values[0]
    for code in key:
        col = p.columns[code]
        if code == p.period or col.type != "string" or not 3 <= col.distinct <= MAX_LONG_CODES:
            continue
        by = [k for k in key if k != code]
        groups = ", ".join(text_sql(k) for k in by)
        rows = con.execute(f"SELECT {text_sql(code)}, ({groups},), max({number_sql(value)}) FROM {q(p.view)} "
                           f"GROUP BY ALL").fetchall()
        codes = sorted({r[0] for r in rows if r[0] is not None})
        cells = sorted({r[1] for r in rows}, key=str)
        index = {c: i for i, c in enumerate(codes)}
        group = {g: i for i, g in enumerate(cells)}
        x = np.full((len(cells), len(codes)), np.nan)
        for c, g, v in rows:
            if c is not None and v is not None:
                x[group[g], index[c]] = v
        found = part_whole(_as_wide(p, codes), codes, x, np.full_like(x, 0.5), min_support)
        taken: set[str] = set()
        for s in sorted(found, key=lambda s: (-s.support, len(s.params["parts"]))):
            parent, children = s.params["whole"], s.params["parts"]
            if parent in taken or taken & set(children):
                continue  # a code has one parent: the best-supported sum first
            taken.update(children)
            taken.add(parent)
            params = {"code": code, "value": value, "by": by, "mapping": {parent: children},
                      "unknown_codes": "ignore"}
            out.append(Suggestion("hierarchy", p.name, params, f"{code} {parent} = {' + '.join(children)}",
                                  s.support, s.items))
    return out


def _as_wide(p: SourceProfile, codes: list[str]) -> SourceProfile:
    from statguard.authoring.profile import ColumnProfile
    wide = SourceProfile(name=p.name, path=p.path, view=p.view, rows=0)
    wide.columns = {c: ColumnProfile(name=c, type="number") for c in codes}
    return wide


def cumulative(con: duckdb.DuckDBPyConnection, p: SourceProfile, min_support: float) -> list[Suggestion]:
    """Year-to-date columns that never fall within a year, per series."""
    from statguard.periods import try_parse
    out: list[Suggestion] = []
    if not p.period:
        return out
    labels = [r[0] for r in con.execute(f"SELECT DISTINCT {text_sql(p.period)} FROM {q(p.view)}").fetchall()]
    parsed = {v: try_parse(v)[0] for v in labels if v is not None}
    ytd_periods = all(pp is not None and pp.ytd for pp in parsed.values())
    by = [k for k in p.keys if k != p.period] or ([p.unit] if p.unit else [])
    for col in p.columns.values():
        hinted = any(h in col.name.lower() for h in ("累计", "ytd", "cumulative", "year_to_date", "year-to-date"))
        if not col.numeric or not (ytd_periods or hinted) or col.name in p.keys:
            continue
        support, n = _monotone_support(con, p, col.name, by, parsed)
        if n >= MIN_ROWS and support >= min_support:
            params: dict[str, Any] = {"value": col.name}
            if by:
                params["by"] = by
            out.append(Suggestion("cumulative", p.name, params, col.name, support, n))
    return out


def _monotone_support(con: duckdb.DuckDBPyConnection, p: SourceProfile, value: str, by: list[str],
                      parsed: dict[str, Any]) -> tuple[float, int]:
    cols = ", ".join([text_sql(b) for b in by] + [text_sql(p.period or ""), number_sql(value)])  # type: ignore[arg-type]
    series: dict[tuple[Any, ...], list[tuple[int, int, float]]] = {}
    for *keys, period, v in con.execute(f"SELECT {cols} FROM {q(p.view)}").fetchall():
        pp = parsed.get(period)
        if pp is not None and v is not None:
            series.setdefault((*keys, pp.year), []).append((pp.index, pp.freq == "M", v))
    held = n = 0
    for points in series.values():
        points.sort()
        for (_, _, before), (_, _, after) in itertools.pairwise(points):
            n += 1
            held += after >= before - 1e-9
    return (held / n if n else 0.0), n


def dependencies(con: duckdb.DuckDBPyConnection, p: SourceProfile, min_support: float) -> list[Suggestion]:
    """code -> name: one value of a text column per value of another, on records repeating the code.

    One grouping per determining column counts the values of every other text column per group.
    A pair of columns each determining the other (code <-> name) is one rule, from the code (the
    column named like one, else the first); a -> c is left out when a -> b and b -> c are found."""
    out: list[Suggestion] = []
    texts = [c for c in p.columns.values() if c.type == "string" and c.distinct >= 2 and c.present > 0]
    for a in texts:
        if a.distinct >= p.rows or [a.name] == p.keys:
            continue
        others = [b for b in texts if b is not a and b.distinct <= a.distinct]
        if not others:
            continue
        counts = ", ".join(f"count(DISTINCT {text_sql(b.name)}) AS k{i}, count({text_sql(b.name)}) AS n{i}"
                           for i, b in enumerate(others))
        sums = ", ".join(f"sum(n{i}) FILTER (WHERE k{i} > 1), sum(n{i}) FILTER (WHERE n{i} > 1), "
                         f"count(*) FILTER (WHERE n{i} > 1)" for i in range(len(others)))
        row = con.execute(f"SELECT {sums} FROM (SELECT {counts} FROM {q(p.view)} WHERE {text_sql(a.name)} IS NOT NULL "
                          f"GROUP BY {text_sql(a.name)})").fetchone() or ()
        for i, b in enumerate(others):
            broken, repeated, groups = (int(v or 0) for v in row[3 * i:3 * i + 3])
            if groups < 2 or repeated == 0:
                continue
            support = 1 - broken / repeated
            if support >= min_support:
                out.append(Suggestion("unique", p.name, {"keys": [a.name], "values": [b.name]},
                                      f"{a.name} -> {b.name}", support, repeated))
    return _reduced(out, p)


def _reduced(found: list[Suggestion], p: SourceProfile) -> list[Suggestion]:
    from statguard.authoring.profile import CODE_HINTS, hint_rank
    pairs = {(s.params["keys"][0], s.params["values"][0]) for s in found}
    order = list(p.columns)
    drop = set()
    for a, b in pairs:
        if (b, a) in pairs:  # one rule for a code and its name: from the code
            rank_a, rank_b = (hint_rank(a, CODE_HINTS), order.index(a)), (hint_rank(b, CODE_HINTS), order.index(b))
            drop.add((a, b) if rank_b < rank_a else (b, a))
    kept = pairs - drop
    implied = {(a, c) for a, b in kept for b2, c in kept if b == b2 and a != c and (a, c) in kept}
    return [s for s in found if (s.params["keys"][0], s.params["values"][0]) in kept - implied]
