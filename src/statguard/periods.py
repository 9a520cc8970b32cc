"""Reporting periods: parsing the many ways they are written, and period arithmetic.

A period is normalized to (frequency, year, index):

    frequency  "A" year, "Q" quarter, "M" month, "D" day
    index      1 for a year, 1-4 for a quarter, 1-12 for a month, the day of the
               year for a day
    ytd        True for a year-to-date period ending in month `index`
               ("2024年1-9月", "2024年前三季度", "2024年上半年")

Accepted spellings: "2024", "2024年", "2024Q3", "2024-Q3", "2024年第三季度",
"2024年3季度", "2024-09", "2024M09", "202409", "2024/9", "2024年9月",
"2024-09-15", "20240915", "2024年9月15日", dates and timestamps, and the
year-to-date forms "2024年1-9月" (also 1～9月, 1至9月), "2024年前三季度",
"2024年1-3季度", "2024年上半年". Full-width digits are accepted.

Rules use periods in SQL through a mapping table: the distinct period strings
of a column are few, so they are parsed here once and registered in the engine
as a small table (raw -> label, frequency, year, index, ordinal, previous
period, same period last year, error) that the rule's query joins. No Python
runs per row. A value that cannot be parsed gets an `error` text instead of a
label, and rules report such records as not evaluable with that text, in the run's
language (statguard.i18n: the `lang` given, else the one `speaking` set).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from statguard.i18n import register, spoken, t

if TYPE_CHECKING:
    import pandas as pd

FREQUENCIES = {"A": "year", "Q": "quarter", "M": "month", "D": "day"}
PER_YEAR = {"A": 1, "Q": 4, "M": 12}
COMPARISONS = ("year_ago", "previous")
TABLE_COLUMNS = ["raw", "label", "freq", "year", "idx", "ytd", "ord", "prev", "year_ago", "error"]

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "十": 10, "十一": 11, "十二": 12}
_NUM = r"(\d{1,2}|十[一二]?|[一二两三四五六七八九])"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(rx)) for kind, rx in [
    ("A", r"^(\d{4})(?:年度?|年全年)?$"),
    ("Q", r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$"),
    ("Q", r"^(\d{4})年\s*(?:第\s*)?" + _NUM + r"\s*季度?$"),
    ("Q", r"^(\d{4})年\s*[Qq]([1-4])$"),
    ("D", r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    ("D", r"^(\d{4})(\d{2})(\d{2})$"),
    ("D", r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    ("M", r"^(\d{4})\s*(?:[-/.]|[Mm]|-[Mm])\s*(\d{1,2})$"),
    ("M", r"^(\d{4})(\d{2})$"),
    ("M", r"^(\d{4})年\s*" + _NUM + r"\s*月份?$"),
    ("YTD", r"^(\d{4})年\s*" + _NUM + r"\s*(?:-|~|～|—|–|至|到)\s*" + _NUM + r"\s*月份?$"),
    ("YTDQ", r"^(\d{4})年\s*(?:第\s*)?" + _NUM + r"\s*(?:-|~|～|—|–|至|到)\s*" + _NUM + r"\s*季度$"),
    ("YTDQ", r"^(\d{4})年\s*前\s*" + _NUM + r"\s*(?:个)?季度$"),
    ("H1", r"^(\d{4})年\s*上半年$"),
]]


_EXAMPLES = "2024, 2024Q3, 2024-09, 2024-09-15, 2024年9月, 2024年第三季度, 2024年1-9月"
register({
    "periods.none": {"en": "no period given", "zh": "未填期别"},
    "periods.unknown": {"en": "'{value}' is not a period (expected e.g. {examples})",
                       "zh": "「{value}」不是期别（应写作如 {examples}）"},
    "periods.bad_date": {"en": "'{value}' is not a valid date", "zh": "「{value}」不是有效的日期"},
    "periods.quarters_not_from_first": {
        "en": "'{value}' is a range of quarters that does not start with the first quarter",
        "zh": "「{value}」是不从第一季度开始的季度区间，不是累计期"},
    "periods.months_not_from_january": {
        "en": "'{value}' is a range of months that does not start in January, not year-to-date",
        "zh": "「{value}」是不从 1 月开始的月份区间，不是 1 月起的累计期"},
    "periods.no_such.Q": {"en": "'{value}' names a quarter that does not exist", "zh": "「{value}」所指的季度不存在"},
    "periods.no_such.M": {"en": "'{value}' names a month that does not exist", "zh": "「{value}」所指的月份不存在"},
    "periods.bounds_differ": {"en": "bounds {start} and {end} have different frequencies",
                             "zh": "起止期别 {start} 和 {end} 的频度不同"},
})


class PeriodError(ValueError):
    """A value that is not a recognizable period: `reason(lang)` says why in a language, the
    message in the one `speaking` set when it was raised (English outside any)."""

    def __init__(self, key: str, **values: object):
        self.key, self.values = key, values
        super().__init__(t(key, spoken(), **values))

    def reason(self, lang: str | None) -> str:
        return t(self.key, lang, **self.values)


@dataclass(frozen=True, order=True)
class Period:
    """A normalized reporting period."""

    freq: str
    year: int
    index: int = 1
    ytd: bool = False

    # -- naming ----------------------------------------------------------------
    @property
    def label(self) -> str:
        """Canonical text: 2024, 2024Q3, 2024-09, 2024-09-15, 2024-01..09 (year to date)."""
        if self.freq == "A":
            return f"{self.year:04d}"
        if self.freq == "Q":
            return f"{self.year:04d}Q{self.index}"
        if self.freq == "M":
            return f"{self.year:04d}-01..{self.index:02d}" if self.ytd else f"{self.year:04d}-{self.index:02d}"
        return self.as_date().isoformat()

    def __str__(self) -> str:
        return self.label

    def as_date(self) -> date:
        """The last day of the period (the day itself for a day)."""
        if self.freq == "D":
            return date(self.year, 1, 1) + timedelta(days=self.index - 1)
        month = {"A": 12, "Q": self.index * 3, "M": self.index}[self.freq]
        first_next = date(self.year + (month == 12), month % 12 + 1, 1)
        return first_next - timedelta(days=1)

    # -- arithmetic ------------------------------------------------------------
    @property
    def ordinal(self) -> int:
        """Consecutive periods of one frequency have consecutive ordinals."""
        if self.freq == "D":
            return self.as_date().toordinal()
        return self.year * PER_YEAR[self.freq] + self.index - 1

    @classmethod
    def from_ordinal(cls, freq: str, ordinal: int, ytd: bool = False) -> Period:
        if freq == "D":
            d = date.fromordinal(ordinal)
            return cls("D", d.year, d.timetuple().tm_yday)
        year, rest = divmod(ordinal, PER_YEAR[freq])
        return cls(freq, year, rest + 1, ytd)

    def previous(self) -> Period | None:
        """The period before; for a year-to-date period the one ending a month earlier in the same year."""
        if self.ytd:
            return Period(self.freq, self.year, self.index - 1, True) if self.index > 1 else None
        return Period.from_ordinal(self.freq, self.ordinal - 1)

    def year_ago(self) -> Period:
        """The same period of the year before (29 February maps to 28 February)."""
        if self.freq != "D":
            return Period(self.freq, self.year - 1, self.index, self.ytd)
        d = self.as_date()
        try:
            back = d.replace(year=d.year - 1)
        except ValueError:
            back = d.replace(year=d.year - 1, day=28)
        return Period("D", back.year, back.timetuple().tm_yday)

    def compared(self, how: str) -> Period | None:
        return self.year_ago() if how == "year_ago" else self.previous()


def parse_period(value: Any) -> Period:
    """Parse one period value (text, number, date); raise PeriodError saying why not."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return Period("D", value.year, value.timetuple().tm_yday)
    if value is None or (isinstance(value, float) and value != value):
        raise PeriodError("periods.none")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"\.0$", "", text)
    for kind, pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            return _build(kind, m.groups(), text)
    raise PeriodError("periods.unknown", value=value, examples=_EXAMPLES)


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGITS[token]


def _build(kind: str, groups: tuple[str, ...], text: str) -> Period:
    year = int(groups[0])
    nums = [_number(g) for g in groups[1:]]
    if kind == "A":
        return Period("A", year)
    if kind == "Q":
        return _checked(Period("Q", year, nums[0]), nums[0] <= 4, text)
    if kind == "M":
        return _checked(Period("M", year, nums[0]), 1 <= nums[0] <= 12, text)
    if kind == "D":
        try:
            d = date(year, nums[0], nums[1])
        except ValueError:
            raise PeriodError("periods.bad_date", value=text) from None
        return Period("D", year, d.timetuple().tm_yday)
    if kind == "H1":
        return Period("M", year, 6, True)
    if kind == "YTDQ":
        first, last = (1, nums[0]) if len(nums) == 1 else nums
        if first != 1:
            raise PeriodError("periods.quarters_not_from_first", value=text)
        return _checked(Period("M", year, last * 3, True), 1 <= last <= 4, text)
    first, last = nums
    if first != 1:
        raise PeriodError("periods.months_not_from_january", value=text)
    return _checked(Period("M", year, last, True), 1 <= last <= 12, text)


def _checked(period: Period, ok: bool, text: str) -> Period:
    if not ok or period.index < 1:
        raise PeriodError(f"periods.no_such.{period.freq}", value=text)
    return period


def try_parse(value: Any, lang: str | None = None) -> tuple[Period | None, str | None]:
    """(period, None) or (None, reason): the reason in `lang`, else in the language spoken around."""
    try:
        return parse_period(value), None
    except PeriodError as e:
        return None, e.reason(lang or spoken())


def between(start: Period, end: Period) -> Iterator[Period]:
    """Every period from `start` to `end` inclusive, at the frequency of `start`."""
    if start.freq != end.freq:
        raise PeriodError("periods.bounds_differ", start=start, end=end)
    for n in range(start.ordinal, end.ordinal + 1):
        yield Period.from_ordinal(start.freq, n, start.ytd)


def mapping_frame(values: Iterable[Any], lang: str | None = None) -> pd.DataFrame:
    """The period mapping table for distinct raw period strings (see the module docstring);
    `error` in `lang`, else in the language spoken around."""
    import pandas as pd

    rows = []
    for raw in values:
        period, error = try_parse(raw, lang)
        if period is None:
            rows.append({"raw": raw, "error": error})
            continue
        prev, ago = period.previous(), period.year_ago()
        rows.append({"raw": raw, "label": period.label, "freq": period.freq, "year": period.year,
                     "idx": period.index, "ytd": period.ytd, "ord": period.ordinal,
                     "prev": prev.label if prev else None, "year_ago": ago.label, "error": None})
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for col in ("year", "idx", "ord"):
        frame[col] = frame[col].astype("Int64")
    frame["ytd"] = frame["ytd"].astype("boolean")
    return frame.astype({c: "string" for c in ("raw", "label", "freq", "prev", "year_ago", "error")})


def raw_text(column: Any) -> Any:
    """The SQL expression under which a period column is looked up in the mapping table."""
    from sqlglot import exp
    return exp.cast(column, "VARCHAR")


def bind_mapping(engine: Any, source: str, column: str, lang: str | None = None) -> str:
    """Register the mapping table of `source`.`column` in `engine`, its reasons in `lang` (a plan
    runs it on the engine's threads, where no language is spoken: give the one of the run);
    return its table name."""
    from sqlglot import exp

    from statguard.expr import quote_column
    name = f"_sg_periods:{source}:{column}"
    query = exp.select(exp.alias_(raw_text(quote_column(column)), "raw", quoted=True)).distinct().from_(
        exp.Table(this=exp.to_identifier(source, quoted=True)))
    distinct = [r[0] for r in engine.rows(query) if r[0] is not None]
    engine.register(name, mapping_frame(distinct, lang))
    return name


def natural_key(text: Any) -> tuple[Any, ...]:
    """Sort key comparing the digit runs of a text as numbers: 2024-2 < 2024-10, U9 < U10."""
    parts = re.split(r"(\d+)", str(text))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")
