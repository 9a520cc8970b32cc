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
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

BAR = 20


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

    def __exit__(self, *exc: object) -> None:
        self.close()

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
