"""A one-line progress display for long runs on a terminal.

    with Progress() as progress:
        report = validate(pack, sources, progress=progress)

Nothing is written unless the stream is a terminal, the `CI` environment
variable is unset (or "0"/"false") and `TERM` is not "dumb"; and even then
only once the run has taken `delay` seconds (2 by default), so short runs
stay quiet. The line is redrawn in place with a carriage return, shows
"rule i/n  RULE-ID  [####....]  m:ss" and is erased when the run ends. A
background ticker keeps the elapsed time moving while one long rule runs.
No dependency beyond the standard library.

It is also where a long run notices Ctrl-C. Python turns Ctrl-C into KeyboardInterrupt, but
when the signal arrives while DuckDB runs a query on the main thread, DuckDB replaces that
KeyboardInterrupt with `RuntimeError("Query interrupted")`, which the library takes for one
broken rule (or an unreadable source) and goes on. So the CLI runs inside
`catching_interrupts()`: Ctrl-C still raises KeyboardInterrupt, and is remembered as well;
the next step of the run (`Progress.__call__`) and the end of the `with Progress()` block raise
KeyboardInterrupt again, and the CLI exits 130 whatever the interrupted query raised.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

BAR = 20
_INTERRUPTED = threading.Event()


def interrupted() -> bool:
    """Whether Ctrl-C was pressed inside `catching_interrupts()` (even if DuckDB swallowed it)."""
    return _INTERRUPTED.is_set()


@contextlib.contextmanager
def catching_interrupts(program: bool = False) -> Iterator[None]:
    """Within the block, Ctrl-C raises KeyboardInterrupt as usual and is remembered (see
    `interrupted`). Afterwards the previous handler is restored; or, for the `statguard`
    program itself (`program`), Ctrl-C while the process exits (closing DuckDB, joining
    threads) ends it at once with exit code 130, instead of a KeyboardInterrupt raised during
    interpreter shutdown. Outside the main thread (where no handler can be set) nothing changes."""
    _INTERRUPTED.clear()

    def on_sigint(_signum: int, _frame: object) -> None:
        _INTERRUPTED.set()
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, _exit_interrupted if program else previous)
        _INTERRUPTED.clear()


def _exit_interrupted(_signum: int, _frame: object) -> None:
    """Ctrl-C after the run, while the process exits: what was written stays, exit code 130."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(Exception):
        os.write(2, b"statguard: interrupted\n")
    os._exit(130)


def wanted(stream: Any, env: Mapping[str, str] | None = None) -> bool:
    """Whether a progress line belongs on `stream`: a terminal, outside CI."""
    env = os.environ if env is None else env
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


class Progress:
    """Callable as `progress(i, n, rule_id)`: rule i of n is starting (i = 0: reading sources)."""

    def __init__(self, stream: IO[str] | None = None, *, clock: Callable[[], float] = time.monotonic,
                 delay: float = 2.0, env: Mapping[str, str] | None = None, width: int | None = None,
                 ticker: bool = True):
        self.stream = stream if stream is not None else sys.stderr
        self.clock, self.delay = clock, delay
        self.active = wanted(self.stream, env)
        self.width = width
        self.started = clock()
        self.done, self.total, self.rule_id = 0, 0, None
        self._shown = 0  # display width of the line on screen; 0 = nothing shown
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.active and ticker:
            self._thread = threading.Thread(target=self._tick_forever, name="statguard-progress", daemon=True)
            self._thread.start()

    def __call__(self, done: int, total: int, rule_id: str | None) -> None:
        if interrupted():  # a query swallowed Ctrl-C: stop before the next step
            raise KeyboardInterrupt
        with self._lock:
            self.done, self.total, self.rule_id = done, total, rule_id
        self.tick()

    def tick(self) -> None:
        """Redraw the line if the run has gone on long enough."""
        if not self.active:
            return
        with self._lock:
            elapsed = self.clock() - self.started
            if elapsed < self.delay:
                return
            self._draw(self.line(elapsed))

    def line(self, elapsed: float) -> str:
        minutes, seconds = divmod(int(elapsed), 60)
        clock = f"{minutes}:{seconds:02d}"
        if self.done == 0:
            text = f"statguard: reading sources  {clock}"
        else:
            filled = BAR * self.done // max(1, self.total)
            bar = "[" + "#" * filled + "." * (BAR - filled) + "]"
            text = f"statguard: rule {self.done}/{self.total} {bar} {clock}  {self.rule_id or ''}"
        return _cut(text, self._columns())

    def close(self) -> None:
        """Stop the ticker and erase the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        with self._lock:
            if self._shown:
                self.stream.write("\r" + " " * self._shown + "\r")
                self.stream.flush()
                self._shown = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close()
        if kind is None and interrupted():  # the run ended on a swallowed Ctrl-C: report nothing
            raise KeyboardInterrupt

    def _draw(self, text: str) -> None:
        pad = max(0, self._shown - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._shown = len(text)

    def _columns(self) -> int:
        if self.width:
            return self.width
        return max(20, shutil.get_terminal_size((80, 24)).columns - 1)

    def _tick_forever(self) -> None:
        while not self._stop.wait(0.5):
            self.tick()


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
