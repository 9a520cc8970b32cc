"""Profiling sample files in DuckDB for `statguard init`: types, ranges, codes, patterns, keys, roles.

Each file is read with statguard's own readers (encoding detection, Excel, Parquet),
every CSV column as text, exactly as `statguard check` reads a column whose type is
declared; the profile then judges each column from its text in one aggregate query:
how many values are numbers, whole numbers, digit-only codes, how many decimals,
distinct values, lengths. A column is:

- integer / number when every value that is not a template placeholder ("xxx",
  "—", ...) reads as one (thousands separators allowed);
- string otherwise, and always for digit-only codes with leading zeros or of one
  fixed length (320102, 01.11 is text anyway), so codes keep their zeros;
- the period column when all its distinct values are periods statguard.periods reads
  with years 1900-2100 (name hints such as 期别, 年份, period, year rank candidates);
- the unit column by name hints (单位, 地区, 区县, region, id, ...).

Keys are the minimal sets of up to three columns without missing values whose
values identify every record; a set identifying all but a few records (duplicated
submissions) is a near key, suggested as a `unique` rule instead. The user's files
are only read.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.engine.readers import detect_format, register_file
from statguard.pack.model import DEFAULT_PLACEHOLDERS

if TYPE_CHECKING:
    import duckdb

UNIT_HINTS = ("单位", "地区", "区县", "县区", "区域", "企业", "机构", "公司", "城市", "省份", "市县", "行政区",
              "unit", "region", "district", "county", "company", "enterprise", "firm", "entity", "respondent",
              "reporter", "country", "province", "city", "id")
PERIOD_HINTS = ("期别", "期间", "时期", "报告期", "统计期", "年份", "年度", "月份", "年月", "季度", "期",
                "period", "year", "month", "quarter", "date", "time")
RATE_HINTS = ("占比", "比重", "率", "%", "share", "rate", "pct", "percent", "ratio")
CODE_HINTS = ("代码", "编码", "编号", "code", "id")
MAX_CODES = 30
MAX_KEY_COLUMNS = 10


@dataclass
class ColumnProfile:
    name: str
    type: str = "string"  # string, integer or number
    present: int = 0  # values that are not missing
    nulls: int = 0
    placeholders: int = 0
    distinct: int = 0
    min: float | None = None
    max: float | None = None
    decimals: int = 0  # most decimals any value was written with
    pattern: str | None = None
    codes: list[str] | None = None
    is_period: bool = False

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "number")


@dataclass
class SourceProfile:
    name: str
    path: Path
    view: str  # DuckDB view of the text as read
    rows: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    near_key: tuple[list[str], int] | None = None  # (columns, records in duplicated groups)
    unit: str | None = None
    period: str | None = None
    format: str = "csv"


def q(name: str) -> str:
    """A quoted DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_sql(column: str) -> str:
    """A cell as trimmed text, NULL when blank."""
    return f"NULLIF(trim(CAST({q(column)} AS VARCHAR)), '')"


def number_sql(column: str) -> str:
    """A cell as a number, as statguard's typed view reads it (thousands separators dropped)."""
    return f"TRY_CAST(replace({text_sql(column)}, ',', '') AS DOUBLE)"


def decimals_sql(column: str) -> str:
    t = text_sql(column)
    return f"(CASE WHEN strpos({t}, '.') > 0 THEN length({t}) - strpos({t}, '.') ELSE 0 END)"


def read_source(con: duckdb.DuckDBPyConnection, name: str, path: Path, tmpdir: Path) -> SourceProfile:
    """Read `path` into view `src_<name>` (CSV columns as text) and profile it."""
    view = f"src_{name}"
    fmt = detect_format(path, None)
    register_file(con, view, path, None, None, None, tmpdir)
    columns = [str(c) for c in con.table(q(view)).columns]
    if fmt == "csv":  # again, every column as text: codes keep their zeros, decimals their digits
        register_file(con, view, path, None, None, None, tmpdir, text_columns=columns)
    rows = int(con.execute(f"SELECT count(*) FROM {q(view)}").fetchone()[0])  # type: ignore[index]
    profile = SourceProfile(name=name, path=path, view=view, rows=rows, format=fmt)
    stats = _column_stats(con, view, columns)
    for column in columns:
        profile.columns[column] = _judge(con, view, column, stats[column], rows)
    profile.period = _period_column(con, profile)
    if profile.period:
        profile.columns[profile.period].is_period = True
        profile.columns[profile.period].type = "string"
        profile.columns[profile.period].pattern = None
    profile.keys, profile.near_key = find_keys(con, profile)
    profile.unit = _unit_column(profile)
    for column in profile.columns.values():
        if column.codes and column.name in (profile.unit, profile.period) or \
                (column.codes and profile.keys == [column.name]):
            column.codes = None
    return profile


def _column_stats(con: duckdb.DuckDBPyConnection, view: str, columns: list[str]) -> dict[str, dict[str, Any]]:
    held = ", ".join("'" + p.replace("'", "''") + "'" for p in sorted(set(DEFAULT_PLACEHOLDERS)))
    parts: list[str] = []
    for i, c in enumerate(columns):
        t, num = text_sql(c), number_sql(c)
        real = f"{t} NOT IN ({held})"
        parts += [f"count({t}) AS p{i}", f"count_if({t} IN ({held})) AS h{i}",
                  f"count_if({real} AND {num} IS NOT NULL) AS n{i}",
                  f"count_if({real} AND {num} = floor({num})) AS w{i}",
                  f"min({num}) FILTER ({real}) AS lo{i}", f"max({num}) FILTER ({real}) AS hi{i}",
                  f"max({decimals_sql(c)}) FILTER ({real} AND {num} IS NOT NULL) AS d{i}",
                  f"count(DISTINCT {t}) AS u{i}",
                  f"count_if(regexp_full_match({t}, '[0-9]+')) AS g{i}",
                  f"count_if(regexp_full_match({t}, '0[0-9]+')) AS z{i}",
                  f"min(length({t})) AS l{i}", f"max(length({t})) AS m{i}"]
    if not parts:
        return {}
    rel = con.execute(f"SELECT {', '.join(parts)} FROM {q(view)}")
    names = [d[0] for d in rel.description]
    row = dict(zip(names, rel.fetchone() or [], strict=True))
    keys = ("p", "h", "n", "w", "lo", "hi", "d", "u", "g", "z", "l", "m")
    return {c: {k: row[f"{k}{i}"] for k in keys} for i, c in enumerate(columns)}


def _judge(con: duckdb.DuckDBPyConnection, view: str, name: str, s: dict[str, Any], rows: int) -> ColumnProfile:
    col = ColumnProfile(name=name, present=int(s["p"]), nulls=rows - int(s["p"]), placeholders=int(s["h"]),
                        distinct=int(s["u"]))
    real = col.present - col.placeholders
    digit_code = real > 0 and s["g"] == col.present and (s["z"] > 0 or (s["l"] == s["m"] and s["l"] >= 4)) \
        and _hinted(name, CODE_HINTS + UNIT_HINTS)
    if real > 0 and s["n"] == real and not digit_code and not (s["z"] and s["g"] == col.present):
        col.type = "integer" if s["w"] == real else "number"
        col.min, col.max = float(s["lo"]), float(s["hi"])
        col.decimals = int(s["d"] or 0)
        return col
    if real > 0 and s["g"] == col.present:  # digit-only codes
        col.pattern = f"^[0-9]{{{s['l']}}}$" if s["l"] == s["m"] else f"^[0-9]{{{s['l']},{s['m']}}}$"
    elif col.distinct >= 10:
        col.pattern = _shape(con, view, name)
    if 1 < col.distinct <= MAX_CODES and col.present >= 2 * col.distinct:
        values = con.execute(f"SELECT DISTINCT {text_sql(name)} AS v FROM {q(view)} WHERE v IS NOT NULL "
                             f"ORDER BY v").fetchall()
        col.codes = [str(v[0]) for v in values]
    return col


def _shape(con: duckdb.DuckDBPyConnection, view: str, name: str) -> str | None:
    """One regular expression all values share (RET01..RET60: ^RET[0-9]{2}$), if there is one:
    the same sequence of digits, letters and other characters, constant characters kept."""
    values = [str(v[0]) for v in con.execute(
        f"SELECT DISTINCT {text_sql(name)} AS v FROM {q(view)} WHERE v IS NOT NULL LIMIT 100001").fetchall()]
    if not values or len(values) > 100000 or len({len(v) for v in values}) != 1:
        return None
    out: list[str] = []
    for chars in zip(*values, strict=True):
        kinds = {"[0-9]" if c.isdigit() and c.isascii() else "[A-Z]" if c.isascii() and c.isupper()
                 else "[a-z]" if c.isascii() and c.islower() else c for c in chars}
        if len(set(chars)) == 1 and chars[0].isascii() and chars[0].isalnum():
            out.append(chars[0])
        elif len(kinds) == 1 and next(iter(kinds)).startswith("["):
            out.append(next(iter(kinds)))
        elif len(set(chars)) == 1:
            out.append(re.escape(chars[0]))
        else:
            return None
    if not any(o.startswith("[") for o in out):
        return None
    text = "".join(out)
    for cls in ("[0-9]", "[A-Z]", "[a-z]"):  # [0-9][0-9] -> [0-9]{2}
        text = re.sub(f"(?:{re.escape(cls)}){{2,}}", lambda m, c=cls: f"{c}{{{len(m.group(0)) // len(c)}}}", text)
    return f"^{text}$"


def _hinted(name: str, hints: tuple[str, ...]) -> bool:
    low = name.lower()
    return any(h in low for h in hints)


def hint_rank(name: str, hints: tuple[str, ...]) -> int:
    """0: the name is a hint, 1: contains one, 2: none."""
    low = name.lower().strip()
    if low in hints:
        return 0
    if any(h in low for h in hints if len(h) > 2 or not h.isascii()):
        return 1
    return 2


def _period_column(con: duckdb.DuckDBPyConnection, profile: SourceProfile) -> str | None:
    from statguard.periods import try_parse
    found: list[tuple[int, int, str]] = []
    for i, col in enumerate(profile.columns.values()):
        if col.present == 0 or col.nulls > 0 or col.type == "number" or col.distinct > 1000:
            continue
        values = [v[0] for v in con.execute(f"SELECT DISTINCT {text_sql(col.name)} FROM {q(profile.view)}")
                  .fetchall() if v[0] is not None]
        parsed = [try_parse(v)[0] for v in values]
        if values and all(p is not None and 1900 <= p.year <= 2100 for p in parsed):
            found.append((hint_rank(col.name, PERIOD_HINTS), i, col.name))
    return min(found)[2] if found else None


def _unit_column(profile: SourceProfile) -> str | None:
    found = [(hint_rank(c.name, UNIT_HINTS), i, c.name) for i, c in enumerate(profile.columns.values())
             if c.type != "number" and c.name != profile.period and c.distinct > 1 and c.present > 0]
    found = [f for f in found if f[0] < 2]
    if found:
        return min(found)[2]
    if len(profile.keys) == 1 and profile.columns[profile.keys[0]].type == "string":
        return profile.keys[0]
    return None


def find_keys(con: duckdb.DuckDBPyConnection, p: SourceProfile) -> tuple[list[str], tuple[list[str], int] | None]:
    """The preferred minimal key of up to three columns, and a near key when there is none."""
    candidates = [c for c in p.columns.values() if c.nulls == 0 and c.present > 0 and (
        c.type == "string" or (c.type == "integer" and hint_rank(c.name, UNIT_HINTS + CODE_HINTS) < 2))]
    candidates.sort(key=lambda c: (0 if c.name in (p.period,) else 1, hint_rank(c.name, UNIT_HINTS + CODE_HINTS),
                                   c.type != "string"))
    names = [c.name for c in candidates[:MAX_KEY_COLUMNS]]
    sets = [list(s) for n in (1, 2, 3) for s in itertools.combinations(names, n)]
    if not sets or p.rows == 0:
        return [], None
    exprs = [f"count(DISTINCT ({', '.join(text_sql(c) for c in s)},)) AS k{i}" for i, s in enumerate(sets)]
    counts = con.execute(f"SELECT {', '.join(exprs)} FROM {q(p.view)}").fetchone() or ()
    unique = [s for s, n in zip(sets, counts, strict=True) if n == p.rows]
    minimal = [s for s in unique if not any(set(o) < set(s) for o in unique)]
    order = list(p.columns)
    if minimal:
        return sorted(min(minimal, key=lambda s: _key_rank(p, s)), key=order.index), None
    near = sorted((s for s, n in zip(sets, counts, strict=True) if p.rows - n <= max(1, 0.05 * p.rows)),
                  key=lambda s: _key_rank(p, s))
    near = [s for s in near if not any(set(o) < set(s) for o in near)]
    if not near:
        return [], None
    best = sorted(near[0], key=order.index)
    cols = ", ".join(text_sql(c) for c in best)
    dup = con.execute(f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {q(p.view)} GROUP BY {cols} "
                      f"HAVING count(*) > 1)").fetchone()
    return [], (best, int(dup[0]) if dup else 0)


def _key_rank(p: SourceProfile, s: list[str]) -> tuple[int, int, int]:
    roles = sum(1 for c in s if c == p.period or hint_rank(c, UNIT_HINTS + CODE_HINTS) < 2)
    return len(s), -roles, sum(1 for c in s if p.columns[c].type != "string")


def widened_min(value: float) -> float:
    """0 for values >= 0, else ten times the most negative value, rounded down to one significant digit."""
    return 0 if value >= 0 else -_round_up(10 * -value)


def widened_max(value: float, name: str, decimals: int) -> float | None:
    """100 for a share or rate in percent; else ten times the largest value, rounded up; none for <= 0."""
    if _hinted(name, RATE_HINTS) and 0 <= value <= 100:
        return 100
    return _round_up(10 * value) if value > 0 else None


def _round_up(value: float) -> float:
    scale = 10 ** math.floor(math.log10(value))
    return math.ceil(value / scale) * scale
