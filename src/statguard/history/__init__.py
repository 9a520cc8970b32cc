"""The submission history: what each unit submitted, version by version.

    >>> from statguard.history import HistoryStore
    >>> with HistoryStore(".statguard/history.db") as store:
    ...     store.record("gdp", rows, unit="开发区", period="2024Q3", reason="口径调整")
    ...     store.submissions(source="gdp")

See store.py for the file format and its guarantees, diff.py for comparing
versions, capture.py for recording pack sources and binding history to rules.
"""

from __future__ import annotations

from statguard.history.store import (
    DEFAULT_PATH,
    ENV_VAR,
    FORMAT,
    HistoryStore,
    Pending,
    Recorded,
    Submission,
    default_path,
    latest_submissions,
    pending,
)

__all__ = ["DEFAULT_PATH", "ENV_VAR", "FORMAT", "HistoryStore", "Pending", "Recorded", "Submission",
           "default_path", "latest_submissions", "pending"]
