"""The CSV report: one row per violation, for spreadsheets and scripts.

Columns are the JSON field names (the same in every language, so scripts can
rely on them); keys and values are JSON text. UTF-8 with a byte-order mark,
so Excel shows Chinese correctly when the file is opened directly.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import TYPE_CHECKING, Any

from statguard.report.writers import writer

if TYPE_CHECKING:
    from statguard.report.model import Report

BOM = "\ufeff"


def _field(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return value


@writer("csv", ".csv")
def render_csv(report: Report, lang: str | None = None) -> str:
    out = io.StringIO()
    out.write(BOM)
    w = csv.writer(out, lineterminator="\r\n")
    from statguard.report.suspicion_views import per_violation
    screen = per_violation(report)  # the credibility screen: each violation's unit score and rank
    columns = report.violation_columns()  # with fields_to_fix when the run located them
    w.writerow(columns + (["suspicion_score", "suspicion_rank"] if screen else []))
    from statguard.report.views import rows_of
    for i, row in enumerate(rows_of(report.violations, columns)):
        w.writerow([_field(v) for v in row] + ([_field(screen[0][i]), _field(screen[1][i])] if screen else []))
    return out.getvalue()
