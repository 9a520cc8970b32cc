"""The CSV report: one row per violation, for spreadsheets and scripts.

Columns are the JSON field names (the same in every language, so scripts can
rely on them); keys and values are JSON text. UTF-8 with a byte-order mark,
so Excel shows Chinese correctly when the file is opened directly.

Numbers are written as people write them but stay machine-readable: without
binary noise (9.7, not 9.700000000000003), observed, expected and imbalance
with the decimals of the item's reported values (statguard.numbers),
no thousands separators and no percent signs. JSON keeps full precision.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING, Any

from statguard.numbers import FIGURES, cleaned, item_decimals, text
from statguard.report.writers import writer

if TYPE_CHECKING:
    from statguard.report.model import Report

BOM = "\ufeff"


def _field(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(cleaned(value), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return text(value, grouping=False)
    return value


def _figures(rows: list[tuple[Any, ...]], columns: list[str]) -> list[tuple[Any, ...]]:
    """Rows with observed, expected and imbalance as text with the decimals of the item's values."""
    at = [columns.index(f) for f in FIGURES if f in columns]
    values = columns.index("values")
    out = []
    for row in rows:
        if any(type(row[i]) is float for i in at):
            known = item_decimals(row[values])
            row = list(row)
            for i in at:
                if type(row[i]) is float:
                    row[i] = text(row[i], known, grouping=False)
        out.append(row)
    return out


@writer("csv", ".csv")
def render_csv(report: Report, lang: str | None = None) -> str:
    out = io.StringIO()
    out.write(BOM)
    w = csv.writer(out, lineterminator="\r\n")
    from statguard.report.suspicion_views import per_violation
    screen = per_violation(report)  # the credibility screen: each violation's unit score and rank
    columns = report.violation_columns()  # with fields_to_fix when the run located them
    listed = report.lacking_listed  # --lacking: the not-evaluable items follow, told apart by `status`
    w.writerow(columns + (["suspicion_score", "suspicion_rank"] if screen else []) + (LACKING_EXTRA if listed else []))
    from statguard.report.views import rows_of
    for i, row in enumerate(_figures(rows_of(report.violations, columns), columns)):
        w.writerow([_field(v) for v in row] + ([_field(screen[0][i]), _field(screen[1][i])] if screen else [])
                   + (["fail", ""] if listed else []))
    if listed:
        blank = ["", ""] if screen else []
        for record in report.lacking_records():
            row = _figures([tuple(record.get(c) for c in columns)], columns)[0]
            w.writerow([_field(v) for v in row] + blank + ["not_evaluable", _field(record["missing"])])
    return out.getvalue()


# columns of a report that lists its not-evaluable items: each row's status ('fail': a violation,
# 'not_evaluable': an item a figure was missing for) and, for the latter, the names of the missing values
LACKING_EXTRA = ["status", "missing"]
