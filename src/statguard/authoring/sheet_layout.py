"""Where a sheet's header is, for `statguard init`: title rows above it, a header over two rows,
a row of column numbers below it, guessed from the grid as statguard.engine.spreadsheets reads it.

An office sheet often opens with a title (`2024年1-9月 某市下岗职工再就业情况汇总表`, one cell,
usually merged across the columns) and blank rows. The header is the first row with at least
two non-empty cells, all of them distinct texts (no numbers), that is not alone in its row
above mostly empty rows. It runs over the next row too when one of its cells is merged down into
it (区县代码 over two rows) or merged across columns with names below (再就业人数 over 合计 and
其中女性). Right below the header, a row of column numbers (甲 乙 丙 1 2 3, as statistical report
forms number their columns) is skipped. The result is the source's `header:` and `skip:`, so the
written pack reads the sheet the same way `check` will.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from statguard.engine.spreadsheets import Grid

COLUMN_LETTERS = set("甲乙丙丁戊己庚辛壬癸") | set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass
class SheetLayout:
    header: int | list[int] | None = None  # as the pack writes it: None for row 1
    skip: int | None = None

    @property
    def rows(self) -> list[int]:
        if self.header is None:
            return [1]
        return [self.header] if isinstance(self.header, int) else list(self.header)


def has_data(grid: Grid) -> bool:
    """Whether the sheet holds at least a header and one record (a cover sheet with a note does not)."""
    filled = [r for r in grid.rows if sum(v is not None for v in r) >= 2]
    return len(filled) >= 2


def guess_layout(grid: Grid) -> SheetLayout:
    """The header row(s) and rows to skip below them (see the module's docstring)."""
    first = _header_row(grid)
    if first is None:
        return SheetLayout()
    rows = [first]
    if first < len(grid.rows) and _continues(grid, first):
        rows.append(first + 1)
    skip = 1 if rows[-1] + 1 < len(grid.rows) and _column_numbers(grid.rows[rows[-1] + 1]) else None
    header: int | list[int] | None = rows if len(rows) > 1 else (None if first == 0 else first + 1)
    if isinstance(header, list):
        header = [r + 1 for r in header]
    return SheetLayout(header, skip)


def _texts(row: list[Any]) -> list[Any]:
    return [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())]


def _header_row(grid: Grid) -> int | None:
    """The 0-based index of the first row that can be a header."""
    counts = [len(_texts(row)) for row in grid.rows[:31]]
    for i, row in enumerate(grid.rows[:30]):
        values = _texts(row)
        if len(values) < 2 or (len(values) == 2 and max(counts[i + 1:], default=0) > 2 * len(values)):
            continue  # a title, a blank row, a note (填报单位 beside a date above a wide table)
        if not all(isinstance(v, str) for v in values) or len(set(values)) != len(values):
            return None  # numbers or repeated names: no header to find, the first row as read today
        return i
    return None


def _continues(grid: Grid, head: int) -> bool:
    """Whether the header's next row is part of it: a header cell merged down into it, or merged
    across columns over names in the next row."""
    below = grid.rows[head + 1] if head + 1 < len(grid.rows) else []
    for r0, c0, r1, c1 in grid.merged:
        if r0 != head:
            continue
        if r1 > r0:
            return True
        if c1 > c0 and any(c < len(below) and isinstance(below[c], str) and below[c].strip()
                           for c in range(c0, c1 + 1)):
            return True
    return False


def _column_numbers(row: list[Any]) -> bool:
    """甲 乙 丙 1 2 3: report-form column labels and numbers counting up from 1, nothing else (1 2 3
    alone when there are at least three)."""
    values = _texts(row)
    if len(values) < 2:
        return False
    numbers: list[int] = []
    letters = 0
    for v in values:
        if isinstance(v, str) and v.strip() in COLUMN_LETTERS:
            letters += 1
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer():
            numbers.append(int(v))
        elif isinstance(v, str) and v.strip().isdigit():
            numbers.append(int(v.strip()))
        else:
            return False
    counting = numbers == list(range(1, len(numbers) + 1))
    return counting and (letters > 0 or len(numbers) >= 3)  # a record [1, 2] is data
