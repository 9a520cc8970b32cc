"""How the DuckDB engine runs a run's independent plans (statguard.runner's Schedule).

DuckDB runs one statement on all its threads when the data allows, but scans a Parquet file
one row group per thread: a file of fewer row groups than threads (pyarrow writes up to 1M rows
into one) leaves cores idle. So when at least two independent plans read one such narrow source
each, they run side by side on DuckDB sessions, with preserve_insertion_order off for the
database (as the hand-written SQL does), in two stages when other independent plans (joins
across sources above all, the longest work and the largest hash tables) hold much memory:

1. the narrow plans that hold hash tables (unique, aggregates), at once, on as many sessions
   as DuckDB has threads; one whose sources are bound starts while the others are still being
   bound (`source_bound`);
2. then DuckDB gives back the memory those freed (its allocator keeps it per thread, where a
   join on another thread cannot reuse it: `DuckDBEngine.release_memory`), and the joins run
   one at a time on a session of their own, with the plans that hold little (per-record rules,
   plans over small sources) one at a time beside them: a join reads the narrow side of its
   input on one thread first.

Running a join next to the hash-table plans would add their hash tables together (measured at
scale factor 1 of the shared benchmark: +45 MiB peak), and where the data is wide enough for
DuckDB's own threads, running statements side by side only adds contention and memory (scale
factor 10: +15-30% peak): then every plan runs in pack order on the caller's connection
(bench/README.md has the measurements).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from statguard.engine.duckdb import DuckDBEngine

T = TypeVar("T")
# A source of at most this many rows is small: any plan over small sources only holds little
# memory (its hash tables are bounded by its inputs), so it may run beside a join.
SMALL_SOURCE = 100_000


class Staged:
    """The schedule above for one run of `runner` (a statguard.runner.Runner) on `engine`."""

    def __init__(self, engine: DuckDBEngine, runner: Any):
        self.engine = engine
        self.runner = runner
        self.threads = int(engine.threads or 1)
        self.pending: dict[int, Future[None]] = {}
        self._early: list[Future[None]] = []  # plans started while sources were still being bound
        self._pools: list[ThreadPoolExecutor] = []
        self._sessions: list[DuckDBEngine] = []
        self._free: list[DuckDBEngine] = []  # sessions of the pool not running anything now
        self._beside: tuple[ThreadPoolExecutor, DuckDBEngine, list[Future[None]]] | None = None

    def source_bound(self, ready: list[int]) -> None:
        """A plan over one narrow source that holds a hash table (stage 1) starts as soon as its
        sources are bound, while the other sources are still being bound: it is the longest
        single-source work, on one thread, and the joins wait for it."""
        if self.threads < 2:
            return
        for i in ready:
            self.runner.plan(i, {})
            if self._heavy([i]):
                self._open_pool(self.threads)
                self.pending[i] = self._pools[0].submit(self._on_free_session,
                                                        partial(self.runner.execute, members=[i]))
                self._early.append(self.pending[i])

    def start(self, tasks: list[list[int]]) -> None:
        """Start the tasks in two stages (module docstring) when some of them cannot use every
        thread on their own (over one narrow source, see `_narrow`); without joins that hold
        much, every narrow plan starts at once and the rest follow. Otherwise leave them all to
        run in pack order on the caller's connection."""
        scans = [members for members in tasks if self._narrow(members)]
        if not self._early and len(scans) < 2:
            return  # DuckDB fills the threads itself: the rules run one after another
        joins = [members for members in tasks if members not in scans]
        light = ([members for members in tasks if self._light(members)]
                 if any(not self._light(members) for members in joins) else [])
        rest = [members for members in joins if members not in light]
        heavy = [members for members in scans if members not in light]
        self._open_pool(max(1, min(len(heavy), self.threads)))
        alone, side = self.engine.session(), self.engine.session()
        self._sessions += [alone, side]
        self._pools += [ThreadPoolExecutor(1, thread_name_prefix="statguard-rest"),
                        ThreadPoolExecutor(1, thread_name_prefix="statguard-light")]
        first = [*self._early, *(self._pools[0].submit(self._on_free_session,
                                                       partial(self.runner.execute, members=members))
                                 for members in heavy)]
        for members, future in zip(heavy, first[len(self._early):], strict=True):
            for j in members:
                self.pending[j] = future
        # DuckDB is told to give back stage 1's memory by the first light plan (or, without one,
        # the first join) before it starts: the join need not wait for that, it starts by reading
        # its narrow side on one thread
        for pool, session, stage, release in ((self._pools[1], alone, rest, bool(first) and not light),
                                              (self._pools[2], side, light, bool(first))):
            for n, members in enumerate(stage):
                future = pool.submit(self._after, first if n == 0 else [], session,
                                     partial(self.runner.execute, members=members), release and n == 0)
                for j in members:
                    self.pending[j] = future
        self._beside = (self._pools[2], side, [] if light else first)

    def _open_pool(self, workers: int) -> None:
        """The pool of stage 1 (and of `background` work): `workers` threads, each running on an
        engine session of its own; opening it turns the database's insertion order off."""
        if self._pools:
            return
        self.engine.preserve_order(False)
        self._pools = [ThreadPoolExecutor(workers, thread_name_prefix="statguard")]
        self._free = [self.engine.session() for _ in range(workers)]
        self._sessions = list(self._free)

    def _heavy(self, members: list[int]) -> bool:
        """Independent plans over one narrow source that hold more than a little (stage 1)."""
        return self.runner.independent(members) and self._narrow(members) and not self._light(members)

    def _sources(self, members: list[int]) -> set[str]:
        return {name for j in members for name in self.runner.rules[j].sources}

    def _narrow(self, members: list[int]) -> bool:
        """Whether the plans read one source that DuckDB scans with fewer threads than it has
        (a Parquet file of fewer row groups: one of 1M rows is one row group, scanned by one
        thread). Joins never count as narrow: they hold hash tables, and are the longest."""
        sources = self._sources(members)
        widths = self.engine.scan_widths
        return len(sources) == 1 and all((widths.get(name) or self.threads) < self.threads for name in sources)

    def _light(self, members: list[int]) -> bool:
        """Whether the plans hold little memory whatever the size of their input: per-record
        plans (Plan.fusable: no aggregate, join or window; they keep only their failing items),
        or plans whose every source is known to be small (`SMALL_SOURCE` rows or fewer)."""
        plans = [self.runner.plans[j] for j in members]
        if all(getattr(plan, "fusable", False) for plan in plans):
            return True
        rows = self.engine.row_counts
        return all((rows.get(name) if rows.get(name) is not None else SMALL_SOURCE + 1) <= SMALL_SOURCE
                   for name in self._sources(members))

    def background(self, work: Callable[[Any], T]) -> Callable[[], T]:
        """Run `work(engine)` after the plans beside the joins (stage 2), else next to the
        single-source plans when they run concurrently (on a session of the pool), else on the
        caller's engine when asked."""
        if self._beside is not None:
            pool, session, others = self._beside
            return pool.submit(self._after, others, session, work).result  # type: ignore[return-value]
        if not self._pools:
            return lambda: work(self.engine)
        future = self._pools[0].submit(self._on_free_session, work)
        return future.result

    def _on_free_session(self, work: Callable[[DuckDBEngine], T]) -> T:
        session = self._free.pop()  # as many sessions as pool threads: one is always free
        session.sync_frames()  # DataFrames bound since the session was opened
        try:
            return work(session)
        finally:
            self._free.append(session)

    def _after(self, others: list[Future[None]], session: DuckDBEngine, work: Callable[[DuckDBEngine], T],
               release: bool = False) -> T | None:
        """`work(session)` once `others` (the first stage) are done, unless the run was stopped;
        first have DuckDB give back the memory they freed when asked to (`release`)."""
        for future in others:
            try:
                future.exception()  # wakes up on a cancelled future too (wait() would not)
            except CancelledError:
                return None
        if self.runner.stopped:
            return None
        if release:
            session.release_memory()
        return work(session)

    def stop(self) -> None:
        for session in self._sessions:
            session.con.interrupt()

    def drain(self, cancel: bool = False) -> None:
        """Wait for the concurrent plans; afterwards everything runs on the caller's connection."""
        if not self._pools:
            return
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=cancel)
        self._pools = []
        self._beside = None
        self.pending.clear()
        for session in self._sessions:
            session.close()
        self._sessions = []
        self.engine.preserve_order(True)
