"""Count and time the DuckDB statements of one statguard CLI run (a diagnostic, not a benchmark).

    python bench/trace_statements.py check rules/demo.yml --output-dir /tmp/out

Runs the CLI in this process with every DuckDB connection wrapped, so that each `execute`
(on the connection or on its cursors) is timed; at exit prints on stderr how many statements
ran, the seconds spent inside them, and the statements grouped by their first 40 characters
(count and total milliseconds), the costliest first. The wrapper adds a little to each call:
compare the statements' shares, and time whole runs with bench/startup.py.
"""

from __future__ import annotations

import atexit
import collections
import sys
import time

import duckdb

_connect = duckdb.connect
_log: list[tuple[float, str]] = []


class _Timed:
    """A connection or cursor whose `execute` is timed; everything else is the wrapped object's."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def execute(self, query: object, *args: object, **kwargs: object) -> object:
        start = time.perf_counter()
        result = self._con.execute(query, *args, **kwargs)
        _log.append((time.perf_counter() - start, " ".join(str(query).split())))
        return self if result is self._con else result

    def cursor(self) -> _Timed:
        return _Timed(self._con.cursor())

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


def _timed_connect(*args: object, **kwargs: object) -> _Timed:
    return _Timed(_connect(*args, **kwargs))


@atexit.register
def _show() -> None:
    total = sum(seconds for seconds, _ in _log)
    print(f"# {len(_log)} statements, {total * 1000:.0f} ms inside execute", file=sys.stderr)
    spent: collections.Counter[str] = collections.Counter()
    count: collections.Counter[str] = collections.Counter()
    for seconds, query in _log:
        spent[query[:40]] += seconds
        count[query[:40]] += 1
    for head, seconds in spent.most_common(25):
        print(f"{seconds * 1000:7.1f} ms {count[head]:3d}x  {head}", file=sys.stderr)


if __name__ == "__main__":
    duckdb.connect = _timed_connect  # type: ignore[assignment]
    from statguard.cli.main import main
    sys.argv = ["statguard", *sys.argv[1:]]
    sys.exit(main())
