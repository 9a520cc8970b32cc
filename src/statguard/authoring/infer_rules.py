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
    tag: str | None = None  # the rule id's tag when the kind's would mislead (LE: an inequality of kind row)


def suggest(con: duckdb.DuckDBPyConnection, p: SourceProfile, min_support: float,
            lists: list[CodeList] | None = None) -> list[Suggestion]:
    """Rules found in source `p`; `lists` are the code lists among the files (code_list)."""
    out: list[Suggestion] = []
    numeric = [c.name for c in p.columns.values() if c.numeric and c.distinct > 2 and c.name not in p.keys]
    if numeric:
        values, halves = _fetch(con, p, numeric)
        sums = part_whole(p, numeric, values, halves, min_support)
        out += sums
        out += rates(p, numeric, values, halves, min_support)
        out += inequalities(p, numeric, values, sums, min_support)
    taken: set[str] = set()
    out += coded_hierarchies(con, p, lists or [], min_support, taken)
    out += hierarchies(con, p, min_support, taken)
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
    def column(name: str) -> np.ndarray:  # NULLs come as masked entries: NaN here
        return np.ma.filled(np.ma.asarray(data[name]).astype(float), np.nan)
    values = np.column_stack([column(f"v{i}") for i in range(len(columns))])
    decimals = np.column_stack([column(f"d{i}") for i in range(len(columns))])
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
    diff = np.abs(xs[:, w] - xs[:, parts].sum(axis=1))
    tol = d[complete][:, cols].sum(axis=1) + 1e-9 if any(col_decimals) else 1e-8
    if not (np.abs(xs[:, parts]) > np.reshape(tol, (-1, 1))).any(axis=0).all():
        return 0.0, 0  # a part never above the rounding (always 0, or 0.02 beside thousands) adds nothing
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


TOTAL_WORDS = ("total", "sum", "all", "tot", "合计", "总计", "小计", "总额", "总量", "总数", "总值", "全部")
SCALE = 30  # columns whose typical sizes differ more than this are not compared


def inequalities(p: SourceProfile, names: list[str], x: np.ndarray, sums: list[Suggestion],
                 min_support: float) -> list[Suggestion]:
    """a <= b (b - a never negative) between a part and its whole, holding on `min_support` of the
    records with both. Not every pair that happens to hold: a and b must be related as part and
    whole, by one of
      1. a is a part of a part-whole relation found with whole b, whose other parts can be negative
         (with none negative, the sum already says a <= b);
      2. their names share a word once words for 'total' are set aside (staff.costs, total.costs;
         主营业务收入, 营业收入: the head noun, the last two characters, or one name within the other);
      3. b's name says it is a total (total.rev, 资产总计, 工资总额), a is typically at least 5% of it
         and not a part in a relation of kind 1 or 2 or of a sum; of these, the three largest parts
         of each total;
    and, for 2 and 3, be of one scale: the 90th percentiles of their sizes within a factor SCALE,
    both counts of things (人数, 项目数, staff) or neither, and not two parts of one sum found.
    Shares and rates, pairs holding both ways (equal columns) and a <= c implied by a <= b and
    b <= c (or by a sum) are left out."""
    import numpy as np
    rated = {i for i, n in enumerate(names) if any(h in n.lower() for h in RATE_HINTS)}
    with np.errstate(all="ignore"):
        size = [float(np.nanpercentile(np.abs(x[:, i]), 90)) if np.isfinite(x[:, i]).any() else 0.0
                for i in range(len(names))]
    index = {n: i for i, n in enumerate(names)}
    sum_parts = {(index[part], index[s.params["whole"]]): [c for c in s.params["parts"] if c != part]
                 for s in sums for part in s.params["parts"]}
    implied_by_sum = {k for k, others in sum_parts.items() if all((p.columns[c].min or 0) >= 0 for c in others)}
    siblings = {(index[a], index[b]) for s in sums for a in s.params["parts"] for b in s.params["parts"]}
    holds: dict[tuple[int, int], tuple[float, int, float]] = {}
    for a, b in itertools.permutations(range(len(names)), 2):
        both = ~np.isnan(x[:, a]) & ~np.isnan(x[:, b])
        n = int(both.sum())
        if a not in rated and b not in rated and n >= MIN_ROWS:
            with np.errstate(all="ignore"):
                share = float(np.nanmedian(np.where(x[both, b] > 0, x[both, a] / x[both, b], np.nan))) \
                    if (x[both, b] > 0).any() else 0.0
            holds[(a, b)] = (float(np.mean(x[both, a] <= x[both, b] + 1e-9)), n, share)
    related: dict[tuple[int, int], int] = {}
    for (a, b), (support, _, share) in holds.items():
        if support < min_support or holds.get((b, a), (0.0, 0, 0.0))[0] >= min_support or (a, b) in implied_by_sum:
            continue
        kind = 1 if (a, b) in sum_parts else _related_names(names[a], names[b])
        if kind > 1 and (_counted(names[a]) != _counted(names[b]) or (a, b) in siblings):
            continue  # a head count is not part of a sum of money; two parts of one sum are no part and whole
        same_scale = size[a] > 0 and size[b] > 0 and max(size[a], size[b]) <= SCALE * min(size[a], size[b])
        if kind == 1 or (kind == 2 and same_scale) or (kind == 3 and same_scale and share >= 0.05):
            related[(a, b)] = kind
    known_parts = {a for a, _ in sum_parts} | {a for (a, _), kind in related.items() if kind < 3}
    found: dict[tuple[int, int], Suggestion] = {}
    by_total: dict[int, list[tuple[float, int]]] = {}
    for (a, b), kind in related.items():
        if kind == 3 and a in known_parts:
            continue  # a part whose whole is known is not offered to every total
        if kind == 3:
            by_total.setdefault(b, []).append((holds[(a, b)][2], a))
        found[(a, b)] = Suggestion("row", p.name, {"expr": f"{_ref(names[a])} <= {_ref(names[b])}"},
                                   f"{names[a]} <= {names[b]}", *holds[(a, b)][:2], tag="LE")
    for b, parts in by_total.items():  # the three largest parts of a total
        for _, a in sorted(parts, reverse=True)[3:]:
            del found[(a, b)]
    edges = set(found) | implied_by_sum
    return [s for (a, c), s in found.items() if not _reachable(edges - {(a, c)}, a, c)]


def _reachable(edges: set[tuple[int, int]], start: int, goal: int) -> bool:
    """Whether a chain of edges leads from start to goal."""
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for a, b in edges:
            if a == node and b not in seen:
                if b == goal:
                    return True
                seen.add(b)
                todo.append(b)
    return False


COUNT_HEADS = ("count", "staff", "persons", "employees", "headcount", "人", "员", "个", "户", "套", "件")
COUNT_LEADS = ("number", "num", "nr", "n", "count")


def _counted(name: str) -> bool:
    """Whether a column counts things (人数, 项目数, 套数, staff, number_of_firms) rather than measures
    money or area: by its head word (the last; 数 in Chinese) or a leading 'number of'."""
    low = name.lower()
    words = [w for w in re.split(r"[\W_]+", low) if w]
    if low.endswith("数") or any(low.endswith(w) for w in COUNT_HEADS if not w.isascii()):
        return True
    return bool(words) and (words[-1] in COUNT_HEADS or words[0] in COUNT_LEADS)


def _words(name: str) -> set[str]:
    low = name.lower()
    for w in TOTAL_WORDS:
        low = low.replace(w, " ") if not w.isascii() else low
    words = {w for w in re.split(r"[\W_]+", low) if w and w not in TOTAL_WORDS}
    return {w[-2:] if not w.isascii() and len(w) >= 2 else w for w in words}


def _related_names(a: str, b: str) -> int:
    """2: part and whole by their names (a shared word or head noun, or b's name within a's);
    3: b is named as a total; 0: neither."""
    low_a, low_b = a.lower(), b.lower()
    if _words(a) & _words(b) or (len(low_b) >= 2 and low_b in low_a):
        return 2
    is_total = any(w in re.split(r"[\W_]+", low_b) if w.isascii() else w in low_b for w in TOTAL_WORDS)
    return 3 if is_total or low_b.startswith("总") else 0


def _ref(name: str) -> str:
    """A column as the expression language reads it: as it is when a plain (or dotted) name, else quoted."""
    if re.fullmatch(r"[^\W\d][\w.]*", name) and not name.endswith("."):
        return name
    return '"' + name.replace('"', '""') + '"'


MAX_LISTED_CODES = 5000
PARENT_HINTS = ("parent", "上级", "父", "所属", "up")


@dataclass
class CodeList:
    """A source of child-parent pairs (NACE: Code, Parent); roots have no parent."""
    source: str
    child: str
    parent: str
    edges: list[tuple[str, str]]


def code_list(con: duckdb.DuckDBPyConnection, p: SourceProfile) -> CodeList | None:
    """A text column naming every record once, and another whose every value is one of its codes,
    empty for some (the roots); the pairs make a hierarchy (one parent, no cycle)."""
    from statguard.authoring.profile import hint_rank
    from statguard.checks.hierarchy.hierarchy import malformed
    if not 3 <= p.rows <= MAX_LISTED_CODES:
        return None
    texts = [c for c in p.columns.values() if c.type == "string"]
    pairs = [(c, pa) for c in texts for pa in texts if c is not pa and c.nulls == 0 and 0 < pa.nulls < p.rows
             and pa.distinct >= 2]
    for child, parent in sorted(pairs, key=lambda cp: hint_rank(cp[1].name, PARENT_HINTS)):
        c, pa = text_sql(child.name), text_sql(parent.name)
        row = con.execute(f"SELECT count(DISTINCT {c}) = count(*), count_if({pa} IS NOT NULL AND {pa} NOT IN "
                          f"(SELECT {c} FROM {q(p.view)})) FROM {q(p.view)}").fetchall()[0]
        if row and row[0] and row[1] == 0:
            edges = [(str(a), str(b)) for a, b in con.execute(
                f"SELECT {c}, {pa} FROM {q(p.view)} WHERE {pa} IS NOT NULL").fetchall()]
            if not malformed(edges):
                return CodeList(p.name, child.name, parent.name, edges)
    return None


def prefix_edges(codes: list[str]) -> list[tuple[str, str]]:
    """(child, parent) when codes carry their parent by prefix: 01 -> 01.1 -> 01.11; for digit codes
    of one length, trailing pairs of zeros are a level's padding (320000 -> 320100 -> 320102)."""
    fixed = len({len(c) for c in codes}) == 1 and all(c.isdigit() for c in codes)
    def stem(code: str) -> str:
        while fixed and code.endswith("00") and len(code) > 2:
            code = code[:-2]
        return code
    by_stem = {stem(c): c for c in codes}
    edges = []
    for code in codes:
        own = stem(code)
        heads = [s for s in by_stem if len(s) < len(own) and own.startswith(s)]
        if heads:
            edges.append((code, by_stem[max(heads, key=len)]))
    return edges


def coded_hierarchies(con: duckdb.DuckDBPyConnection, p: SourceProfile, lists: list[CodeList],
                      min_support: float, taken: set[str]) -> list[Suggestion]:
    """Long data whose figures add up along a code list among the files (hierarchy: that source), or
    along the parents its codes carry by prefix (an inline mapping): the parent's value the sum of
    its children's in every group of the other key columns. Checked as the hierarchy kind does by
    default (partial_zero: a child absent counts 0), else only where the parent and all its children
    are reported (non_null), when that holds and the default does not."""
    key = p.keys or (p.near_key[0] if p.near_key else [])
    values = [c.name for c in p.columns.values() if c.numeric and c.name not in key][:5]
    out: list[Suggestion] = []
    for code in key:
        col = p.columns[code]
        if code == p.period or col.type != "string" or col.distinct < 3 or code in taken or not values:
            continue
        codes = [str(r[0]) for r in con.execute(
            f"SELECT DISTINCT {text_sql(code)} AS c FROM {q(p.view)} WHERE c IS NOT NULL LIMIT {MAX_LISTED_CODES + 1}"
        ).fetchall()]
        if len(codes) > MAX_LISTED_CODES:
            continue
        sources = [(cl.edges, {"hierarchy": cl.source, "child": cl.child, "parent": cl.parent},
                    f"along {cl.source} ({cl.child} -> {cl.parent})")
                   for cl in lists if cl.source != p.name]
        edges = prefix_edges(codes)
        if edges:
            mapping: dict[str, list[str]] = {}
            for child, parent in sorted(edges):
                mapping.setdefault(parent, []).append(child)
            example = f"{edges[0][1]} -> {edges[0][0]}"
            sources.append((edges, {"mapping": mapping}, f"along the parents its codes carry by prefix ({example})"))
        for edges, given, what in sources:
            known = {c for e in edges for c in e}
            if len(set(codes) & known) < 0.5 * len(codes):
                continue
            found = _along(con, p, code, [k for k in key if k != code], values, edges, given, min_support)
            for s in found:
                s.what = f"{s.params['value']} by {code} adds up {what}"
                if not set(codes) <= known:
                    s.params["unknown_codes"] = "ignore"
            if found:
                taken.add(code)
                out += found
                break
    return out


def _along(con: duckdb.DuckDBPyConnection, p: SourceProfile, code: str, by: list[str], values: list[str],
           edges: list[tuple[str, str]], given: dict[str, Any], min_support: float) -> list[Suggestion]:
    import pyarrow as pa
    con.register("_sg_edges", pa.table({"child": [e[0] for e in edges], "parent": [e[1] for e in edges]}))
    group = f"({', '.join(text_sql(b) for b in by)},)" if by else "1"
    out = []
    for value in values:
        decimals = p.columns[value].decimals
        tol = f"{0.5 * 10 ** -decimals} * (1 + n) + 1e-9" if decimals else "1e-8"
        row = con.execute(f"""
            WITH d AS (SELECT {text_sql(code)} AS c, {group} AS g, {number_sql(value)} AS v FROM {q(p.view)}),
            per AS (SELECT parent, count(*) AS k FROM _sg_edges GROUP BY parent),
            kids AS (SELECT e.parent AS c, d.g, count(*) AS n, count(d.v) AS nv, sum(d.v) AS s
                     FROM d JOIN _sg_edges e ON d.c = e.child GROUP BY ALL),
            par AS (SELECT d.c, d.g, d.v FROM d SEMI JOIN per ON d.c = per.parent),
            cmp AS (SELECT par.c IS NOT NULL AS has_p, par.v AS pv, coalesce(kids.n, 0) AS n, kids.nv, kids.s, per.k
                    FROM par FULL JOIN kids ON par.c = kids.c AND par.g = kids.g
                    JOIN per ON per.parent = coalesce(par.c, kids.c))
            SELECT count(*), count_if(abs(coalesce(pv, 0) - coalesce(s, 0)) <= {tol}),
                   count_if(has_p AND pv IS NOT NULL AND nv = k),
                   count_if(has_p AND pv IS NOT NULL AND nv = k AND abs(pv - s) <= {tol}) FROM cmp""").fetchall()[0]
        items, held, full, full_held = (int(v or 0) for v in (row or (0, 0, 0, 0)))
        params: dict[str, Any] = {"code": code, "value": value}
        if by:
            params["by"] = by
        params.update(given)
        if items >= MIN_ROWS and held >= min_support * items:
            support, n = held / items, items
        elif full >= MIN_ROWS and full_held >= min_support * full:
            support, n = full_held / full, full
            params["mode"] = "non_null"
        else:
            continue
        if decimals:
            params["tolerance"] = "reported"
        out.append(Suggestion("hierarchy", p.name, params, "", support, n))
    con.unregister("_sg_edges")
    return out


def hierarchies(con: duckdb.DuckDBPyConnection, p: SourceProfile, min_support: float,
                taken: set[str] | None = None) -> list[Suggestion]:
    """Parent codes equal to the sum of child codes, per group of the other key columns (code columns
    not `taken` by a code list or prefixes)."""
    import numpy as np
    key = p.keys or (p.near_key[0] if p.near_key else [])
    values = [c.name for c in p.columns.values() if c.numeric and c.name not in key]
    out: list[Suggestion] = []
    if len(key) < 2 or len(values) != 1:
        return out
    value = values[0]
    for code in key:
        col = p.columns[code]
        if code == p.period or col.type != "string" or not 3 <= col.distinct <= MAX_LONG_CODES \
                or code in (taken or ()):
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
    return _merged([s for s in found if (s.params["keys"][0], s.params["values"][0]) in kept - implied])


def _merged(found: list[Suggestion]) -> list[Suggestion]:
    """One rule per code for the columns it determines without exception (unit -> region, industry,
    size: one grouping to check instead of three); those with exceptions stay rules of their own."""
    out: list[Suggestion] = []
    whole: dict[str, Suggestion] = {}
    for s in found:
        key = s.params["keys"][0]
        if s.support < 1:
            out.append(s)
        elif key in whole:
            whole[key].params["values"] += s.params["values"]
            whole[key].what = f"{key} -> {', '.join(whole[key].params['values'])}"
        else:
            whole[key] = s
            out.append(s)
    return out
