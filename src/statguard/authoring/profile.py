"""Profiling sample files in DuckDB for `statguard init`: types, ranges, codes, patterns, keys, roles.

Each file is read with statguard's own readers (encoding detection, Excel, Parquet),
every CSV column as text, exactly as `statguard check` reads a column whose type is
declared; the profile then judges each column from its text in one aggregate query:
how many values are numbers, whole numbers, digit-only codes, how many decimals,
distinct values, lengths. A column is:

- integer / number when every value that is not a template placeholder ("xxx",
  "—", ...) nor a workbook's error cell (#DIV/0!, or a formula without a saved result)
  reads as one (thousands separators allowed): the written pack's `schema` rule then
  reports those cells;
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

import csv
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.engine.readers import detect_encoding, detect_format, register_file
from statguard.errors import StatguardError
from statguard.pack.model import DEFAULT_PLACEHOLDERS

if TYPE_CHECKING:
    import duckdb

    from statguard.authoring.sheet_layout import SheetLayout

UNIT_HINTS = ("单位", "地区", "区县", "县区", "区域", "企业", "机构", "公司", "城市", "省份", "市县", "行政区",
              "unit", "region", "district", "county", "company", "enterprise", "firm", "entity", "respondent",
              "reporter", "country", "province", "city", "id")
PERIOD_HINTS = ("期别", "期间", "时期", "报告期", "统计期", "年份", "年度", "月份", "年月", "季度", "期",
                "period", "year", "month", "quarter", "date", "time")
RATE_HINTS = ("占比", "比重", "率", "%", "share", "rate", "pct", "percent", "ratio")
CODE_HINTS = ("代码", "编码", "编号", "code", "id")
NAME_HINTS = ("姓名", "名字", "联系人", "负责人", "法人代表", "填表人", "name", "full_name", "person")
DATE_HINTS = ("日期", "时间", "月份", "年月", "date", "day", "month")
# personal data told by its values: 身份证号 (18 characters, the last a digit or X; 15 digits before 1999)
# and mobile phone numbers; such a column is text with this pattern and `pii: true`
PERSONAL = {"id": r"^([0-9]{17}[0-9Xx]|[0-9]{15})$", "phone": r"^1[3-9][0-9]{9}$"}
LONG_CODE = 15  # digits from which a number is a code (an ID), not a quantity
MAX_CODES = 30
MAX_KEY_COLUMNS = 10
MAX_LISTED = 1000  # columns with at most this many distinct values have them listed exactly
SHAPE_SAMPLE = 5000


@dataclass
class ColumnProfile:
    name: str
    type: str = "string"  # string, integer or number
    present: int = 0  # values that are not missing
    nulls: int = 0
    placeholders: int = 0
    errors: int = 0  # error cells (#DIV/0!, Err:502, a formula without its result): no value
    distinct: int = 0
    min: float | None = None
    max: float | None = None
    decimals: int = 0  # most decimals any value was written with
    pattern: str | None = None
    codes: list[str] | None = None
    is_period: bool = False
    pii: str | None = None  # "true" (masked by what each value looks like) or "name"
    numeric_text: bool = False  # text whose values nearly all read as numbers: a measure, not a key

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
    sheet: str | None = None  # a workbook's sheet, when it has several
    header: int | list[int] | None = None  # a workbook's header row(s) when not row 1 alone
    skip: int | None = None  # rows below the header that are not data


def q(name: str) -> str:
    """A quoted DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_sql(column: str) -> str:
    """A cell as trimmed text, NULL when blank."""
    return f"NULLIF(trim(CAST({q(column)} AS VARCHAR)), '')"


def number_sql(column: str) -> str:
    """A cell as a number, as statguard's typed view reads it (thousands separators dropped)."""
    return f"TRY_CAST(replace({text_sql(column)}, ',', '') AS DOUBLE)"


def error_sql(column: str) -> str:
    """Whether a cell is a workbook's error cell as read (statguard.engine.spreadsheets): #DIV/0!,
    LibreOffice's Err:502, a formula's text."""
    from statguard.engine.spreadsheets import ERROR_TEXTS
    t = text_sql(column)
    errors = ", ".join("'" + e + "'" for e in ERROR_TEXTS)
    return f"({t} IN ({errors}) OR regexp_full_match({t}, 'Err:[0-9]{{3}}') OR starts_with({t}, '='))"


def decimals_sql(column: str) -> str:
    t = text_sql(column)
    return f"(CASE WHEN strpos({t}, '.') > 0 THEN length({t}) - strpos({t}, '.') ELSE 0 END)"


def read_source(con: duckdb.DuckDBPyConnection, name: str, path: Path, tmpdir: Path, *, sheet: str | None = None,
                layout: SheetLayout | None = None) -> SourceProfile:
    """Read `path` (a workbook's `sheet` with its header where `layout` says) into table `src_<name>`
    once, every column as text, and profile it there."""
    from statguard.engine.readers import Layout
    view = f"file_{name}"
    fmt = detect_format(path, None)
    header = _csv_header(path) if fmt == "csv" else None  # every column as text: codes keep their zeros
    placed = Layout(layout.header, layout.skip) if layout else None
    con.execute("SELECT 1").fetchall()  # the last source's fetchone() left its result open
    register_file(con, view, path, None, sheet, None, tmpdir, text_columns=header, layout=placed)
    described = con.execute(f"DESCRIBE {q(view)}").fetchall()
    columns = [str(c[0]) for c in described]
    if fmt == "csv" and any(c[1] != "VARCHAR" for c in described):  # the header read otherwise than here
        register_file(con, view, path, None, None, None, tmpdir, text_columns=columns)
    elif fmt == "excel":  # as text, as a `string` column reads: 1204 shown as 001204 is '001204'
        text = Layout(placed.header if placed else None, placed.skip if placed else None, text=tuple(columns))
        register_file(con, view, path, None, sheet, None, tmpdir, layout=text)
    table = f"src_{name}"  # every later question is a scan of memory, not a parse of the file
    con.execute(f"CREATE TEMP TABLE {q(table)} AS SELECT * FROM {q(view)}")
    rows = int(con.execute(f"SELECT count(*) FROM {q(table)}").fetchone()[0])  # type: ignore[index]
    profile = SourceProfile(name=name, path=path, view=table, rows=rows, format=fmt, sheet=sheet,
                            header=layout.header if layout else None, skip=layout.skip if layout else None)
    stats = _column_stats(con, table, columns)
    small = _small_values(con, table, {c: s for c, s in stats.items() if s["u"] <= MAX_LISTED})
    for column in columns:
        profile.columns[column] = _judge(column, stats[column], small.get(column), rows)
    _verify_shapes(con, profile, _sampled_shapes(con, profile))
    _personal(con, profile, stats)
    _dates(con, profile, stats)
    profile.period = _period_column(profile, small)
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


def _csv_header(path: Path) -> list[str] | None:
    """The names on a CSV file's first line (its encoding detected, the commonest delimiter), so
    that it is read once, every column as text; None when the line cannot be read."""
    try:
        with path.open(encoding=detect_encoding(path), newline="") as fh:
            first = fh.readline()
    except (OSError, UnicodeDecodeError, StatguardError):
        return None  # the reader says what is wrong with the file
    delimiter = max(",;\t|", key=first.count)
    return [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]


def _column_stats(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, dict[str, Any]]:
    """One scan: counts of values, placeholders, error cells, numbers, whole numbers; ranges, decimals, lengths
    and an approximate count of distinct values (HyperLogLog); then one of the columns of whole
    numbers for digit codes (g: values of digits only, z: of those, starting with 0)."""
    held = ", ".join("'" + p.replace("'", "''") + "'" for p in sorted(set(DEFAULT_PLACEHOLDERS)))
    parts: list[str] = []
    for i, c in enumerate(columns):
        t, num = text_sql(c), number_sql(c)
        real = f"{t} NOT IN ({held}) AND NOT {error_sql(c)}"  # #N/A is counted once, as a placeholder
        parts += [f"count({t}) AS p{i}", f"count_if({t} IN ({held})) AS h{i}",
                  f"count_if({t} NOT IN ({held}) AND {error_sql(c)}) AS e{i}",
                  f"count_if({real} AND {num} IS NOT NULL) AS n{i}",
                  f"count_if({real} AND {num} = floor({num})) AS w{i}",
                  f"min({num}) FILTER ({real}) AS lo{i}", f"max({num}) FILTER ({real}) AS hi{i}",
                  f"max({decimals_sql(c)}) FILTER ({real} AND {num} IS NOT NULL) AS d{i}",
                  f"approx_count_distinct({t}) AS u{i}",
                  f"min(length({t})) AS l{i}", f"max(length({t})) AS m{i}"]
    if not parts:
        return {}
    rel = con.execute(f"SELECT {', '.join(parts)} FROM {q(table)}")
    names = [d[0] for d in rel.description]
    row = dict(zip(names, rel.fetchall()[0], strict=True))
    keys = ("p", "h", "e", "n", "w", "lo", "hi", "d", "u", "l", "m")
    stats = {c: {k: row[f"{k}{i}"] for k in keys} | {"g": -1, "z": 0} for i, c in enumerate(columns)}
    # only columns of whole numbers alone can be digit codes: how many are digits, how many start with 0
    whole = [c for c, s in stats.items() if s["p"] and s["h"] == 0 and s["n"] == s["w"] == s["p"]]
    if whole:
        counts = ", ".join(f"count_if(regexp_full_match({text_sql(c)}, '[0-9]+')), "
                           f"count_if(regexp_full_match({text_sql(c)}, '0[0-9]+'))" for c in whole)
        found = con.execute(f"SELECT {counts} FROM {q(table)}").fetchall()[0]
        for i, c in enumerate(whole):
            stats[c]["g"], stats[c]["z"] = found[2 * i], found[2 * i + 1]
    return stats


def _small_values(con: duckdb.DuckDBPyConnection, table: str, stats: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """The exact distinct values of the columns with few (code lists, periods), in one scan."""
    if not stats:
        return {}
    names = list(stats)
    lists = ", ".join(f"list(DISTINCT {text_sql(c)}) AS v{i}" for i, c in enumerate(names))
    row = con.execute(f"SELECT {lists} FROM {q(table)}").fetchone() or ()
    return {c: sorted(str(v) for v in (values or []) if v is not None) for c, values in zip(names, row, strict=True)}


def _judge(name: str, s: dict[str, Any], small: list[str] | None, rows: int) -> ColumnProfile:
    distinct = len(small) if small is not None else max(int(s["u"]), MAX_LISTED + 1)
    col = ColumnProfile(name=name, present=int(s["p"]), nulls=rows - int(s["p"]), placeholders=int(s["h"]),
                        errors=int(s["e"]), distinct=distinct)
    real = col.present - col.placeholders - col.errors
    digit_code = real > 0 and s["g"] == col.present and ((s["z"] > 0 or (s["l"] == s["m"] and s["l"] >= 4))
                                                          and _hinted(name, CODE_HINTS + UNIT_HINTS)
                                                          or s["l"] >= LONG_CODE)
    if real > 0 and s["n"] == real and not digit_code and not (s["z"] and s["g"] == col.present):
        col.type = "integer" if s["w"] == real else "number"
        col.min, col.max = float(s["lo"]), float(s["hi"])
        col.decimals = int(s["d"] or 0)
        return col
    if real > 0 and s["g"] == col.present:  # digit-only codes
        col.pattern = f"^[0-9]{{{s['l']}}}$" if s["l"] == s["m"] else f"^[0-9]{{{s['l']},{s['m']}}}$"
    if 1 < col.distinct <= MAX_CODES and col.present >= 2 * col.distinct and small is not None:
        col.codes = small
    # whole numbers read as text (a count made text by one '未报') are a measure; codes written with
    # leading zeros (001204) or dots (01.11) are not
    col.numeric_text = col.pattern is None and real > 0 and (s["w"] or 0) >= 0.9 * real and not s["z"]
    return col


def _personal(con: duckdb.DuckDBPyConnection, p: SourceProfile, stats: dict[str, dict[str, Any]]) -> None:
    """Columns of personal data: 身份证号 and phone numbers by their values (one scan of the columns
    of 11 to 18 characters), names by the column's name; text with `pii`, no list of codes."""
    wanted = [c for c, s in stats.items() if s["p"] and (s["l"] or 0) >= 11 and (s["m"] or 0) <= 18]
    if wanted:
        counts = ", ".join(f"count_if(regexp_full_match({text_sql(c)}, '{pattern[1:-1]}'))"
                           for c in wanted for pattern in PERSONAL.values())
        row = con.execute(f"SELECT {counts} FROM {q(p.view)}").fetchone() or ()
        for i, c in enumerate(wanted):
            col = p.columns[c]
            for j, pattern in enumerate(PERSONAL.values()):
                if row[i * len(PERSONAL) + j] == col.present:
                    col.type, col.pattern, col.pii, col.codes = "string", pattern, "true", None
                    col.min = col.max = None
                    col.numeric_text = False
    for col in p.columns.values():
        if col.type == "string" and not col.pattern and (hint_rank(col.name, NAME_HINTS) == 0 or "姓名" in col.name):
            col.pii, col.codes = "name", None


def _dates(con: duckdb.DuckDBPyConnection, p: SourceProfile, stats: dict[str, dict[str, Any]]) -> None:
    """`date` (or `datetime`) columns: a workbook's cells formatted as dates (read as ISO text), and
    whole numbers in a column named like a date or a month (填报日期, 就业月份) that are all Excel
    serial dates of the years 1920-2099 or dates written as digits (20240131), as a workbook's
    `date` column is read."""
    from statguard.engine.spreadsheets import serial_date
    if p.format == "excel":
        _formatted_dates(con, p, stats)
    for col in p.columns.values():
        s = stats[col.name]
        if col.type != "integer" or not _hinted(col.name, DATE_HINTS) or col.min is None or col.max is None:
            continue
        if serial_date(col.min) is not None and serial_date(col.max) is not None and \
                (s["l"] == s["m"] == 8 or 7306 <= col.min <= col.max <= 73050):
            col.type, col.min, col.max = "date", None, None


def _formatted_dates(con: duckdb.DuckDBPyConnection, p: SourceProfile, stats: dict[str, dict[str, Any]]) -> None:
    """Text columns whose every value is a date (2024-01-31) or a date and time as the workbook
    reader writes a cell formatted as one (statguard.engine.spreadsheets.cell_text), in one scan."""
    wanted = [c for c in p.columns.values() if c.type == "string" and c.present > c.placeholders + c.errors
              and {stats[c.name]["l"], stats[c.name]["m"]} <= {10, 16, 19, 26}]
    if not wanted:
        return
    stamp = r"[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"
    counts = ", ".join(f"count_if(regexp_full_match({text_sql(c.name)}, '{stamp}') "
                       f"AND TRY_CAST({text_sql(c.name)} AS TIMESTAMP) IS NOT NULL)" for c in wanted)
    row = con.execute(f"SELECT {counts} FROM {q(p.view)}").fetchone() or ()
    for col, dates in zip(wanted, row, strict=True):
        if dates == col.present - col.placeholders - col.errors:
            timed = stats[col.name]["m"] > 10
            col.type, col.pattern, col.codes, col.numeric_text = ("datetime" if timed else "date"), None, None, False


def _sampled_shapes(con: duckdb.DuckDBPyConnection, p: SourceProfile) -> dict[str, str]:
    """A shape per text column of 10 or more values, found on the distinct values of a sample."""
    wanted = [c.name for c in p.columns.values() if c.type == "string" and c.pattern is None and c.distinct >= 10]
    if not wanted:
        return {}
    sample = f" USING SAMPLE reservoir({SHAPE_SAMPLE} ROWS) REPEATABLE (7)" if p.rows > SHAPE_SAMPLE else ""
    lists = ", ".join(f"list(DISTINCT {text_sql(c)}) AS v{i}" for i, c in enumerate(wanted))
    row = con.execute(f"SELECT {lists} FROM (SELECT * FROM {q(p.view)}{sample})").fetchone() or ()
    found = {c: shape([str(v) for v in values or [] if v is not None]) for c, values in zip(wanted, row, strict=True)}
    return {c: pattern for c, pattern in found.items() if pattern}


def _verify_shapes(con: duckdb.DuckDBPyConnection, p: SourceProfile, shapes: dict[str, str]) -> None:
    """Keep the sampled shapes every value of the column has, checked in one scan."""
    if not shapes:
        return
    names = list(shapes)
    counts = ", ".join(f"count_if(NOT regexp_full_match({text_sql(c)}, '{shapes[c].replace(chr(39), chr(39) * 2)}'))"
                       for c in names)
    row = con.execute(f"SELECT {counts} FROM {q(p.view)}").fetchone() or ()
    for c, misses in zip(names, row, strict=True):
        if misses == 0:
            p.columns[c].pattern = shapes[c]


def shape(values: list[str]) -> str | None:
    """One regular expression all values share (RET01..RET60: ^RET[0-9]{2}$), if there is one:
    the same sequence of digits, letters and other characters, constant characters kept."""
    if not values or len({len(v) for v in values}) != 1:
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


def _period_column(profile: SourceProfile, small: dict[str, list[str]]) -> str | None:
    from statguard.periods import try_parse
    found: list[tuple[int, int, str]] = []
    for i, col in enumerate(profile.columns.values()):
        values = small.get(col.name)
        if col.present == 0 or col.nulls > 0 or col.type == "number" or not values:
            continue
        parsed = [try_parse(v)[0] for v in values]
        if all(p is not None and 1900 <= p.year <= 2100 for p in parsed):
            found.append((hint_rank(col.name, PERIOD_HINTS), i, col.name))
    return min(found)[2] if found else None


def _unit_column(profile: SourceProfile) -> str | None:
    found = [(hint_rank(c.name, UNIT_HINTS), i, c.name) for i, c in enumerate(profile.columns.values())
             if c.type != "number" and c.name != profile.period and c.distinct > 1 and c.present > 0]
    found = [f for f in found if f[0] < 2]
    if found:
        return min(found)[2]
    key = profile.columns[profile.keys[0]] if len(profile.keys) == 1 else None
    if key is not None and key.type == "string" and not key.numeric_text:
        return key.name
    return None


def find_keys(con: duckdb.DuckDBPyConnection, p: SourceProfile) -> tuple[list[str], tuple[list[str], int] | None]:
    """The preferred minimal key of up to three columns, and a near key when there is none.

    Sets are tried by size, one to three: a set whose columns' distinct counts multiply to
    fewer than the records cannot identify them, one holding a key is not minimal, and the
    rest are counted approximately first (HyperLogLog, about 2% off) and exactly only when
    that count comes within 10% of the records."""
    coded = [c for c in p.columns.values() if hint_rank(c.name, UNIT_HINTS + CODE_HINTS) < 2]
    candidates = [c for c in p.columns.values() if c.nulls == 0 and c.present > 0 and (
        (c.type == "string" and (not c.numeric_text or c in coded or c.name == p.period))
        or (c.type == "integer" and c in coded))]
    candidates.sort(key=lambda c: (0 if c.name in (p.period,) else 1, hint_rank(c.name, UNIT_HINTS + CODE_HINTS),
                                   c.type != "string"))
    names = [c.name for c in candidates[:MAX_KEY_COLUMNS]]
    if not names or p.rows == 0:
        return [], None
    order = list(p.columns)
    unique: list[list[str]] = []
    near: list[tuple[list[str], int]] = []
    for size in (1, 2, 3):
        sets = [list(s) for s in itertools.combinations(names, size)
                if not any(set(u) <= set(s) for u in unique)
                and math.prod(1.1 * p.columns[c].distinct for c in s) >= 0.9 * p.rows]
        counts = _exact_distinct(con, p, _approx_distinct(con, p, sets))
        unique += [s for s, n in counts if n == p.rows]
        near += [(s, n) for s, n in counts if n < p.rows and p.rows - n <= max(1, 0.05 * p.rows)]
        if unique:
            return sorted(min(unique, key=lambda s: _key_rank(p, s)), key=order.index), None
    ranked = sorted((s for s, _ in near), key=lambda s: _key_rank(p, s))
    ranked = [s for s in ranked if not any(set(o) < set(s) for o in ranked)]
    if not ranked:
        return [], None
    best = sorted(ranked[0], key=order.index)
    cols = ", ".join(text_sql(c) for c in best)
    dup = con.execute(f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {q(p.view)} GROUP BY {cols} "
                      f"HAVING count(*) > 1)").fetchone()
    return [], (best, int(dup[0]) if dup else 0)


def _approx_distinct(con: duckdb.DuckDBPyConnection, p: SourceProfile, sets: list[list[str]]) -> list[list[str]]:
    """The sets whose approximate count of distinct values comes within 10% of the records."""
    if not sets:
        return []
    exprs = ", ".join(f"approx_count_distinct(({', '.join(text_sql(c) for c in s)},))" for s in sets)
    counts = con.execute(f"SELECT {exprs} FROM {q(p.view)}").fetchone() or ()
    return [s for s, n in zip(sets, counts, strict=True) if n >= 0.9 * p.rows]


def _exact_distinct(con: duckdb.DuckDBPyConnection, p: SourceProfile,
                    sets: list[list[str]]) -> list[tuple[list[str], int]]:
    if not sets:
        return []
    exprs = ", ".join(f"count(DISTINCT ({', '.join(text_sql(c) for c in s)},))" for s in sets)
    counts = con.execute(f"SELECT {exprs} FROM {q(p.view)}").fetchone() or ()
    return [(s, int(n)) for s, n in zip(sets, counts, strict=True)]


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
