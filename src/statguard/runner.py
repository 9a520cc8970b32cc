"""Executing the planned rules of one run: fused scans, and independent plans on several threads.

Every chosen rule is planned before anything runs but the narrow group-bys below: those are
planned, and started, as soon as the sources they read are bound, while the others are still
being bound (`source_bound`). Fusable plans over the same table (Plan.fusable: row rules on
one source) run together in one scan; if that fused statement fails, they run one by one, so
a broken rule still only errors itself.

Plans that are a single query and do not depend on the order of their input (no window
function) are independent of each other. DuckDB runs one statement on all its threads when
the data allows, but scans a Parquet file one row group per thread: a file of fewer row
groups than threads (pyarrow writes up to 1M rows into one) leaves cores idle. So when at
least two independent plans read one such narrow source each, they run side by side on
DuckDB sessions, with preserve_insertion_order off for the database (as the hand-written SQL
does), in two stages when other independent plans (joins across sources above all, the
longest work and the largest hash tables) hold much memory:

1. the narrow plans that hold hash tables (unique, aggregates), at once, on as many sessions
   as DuckDB has threads;
2. then DuckDB gives back the memory those freed (its allocator keeps it per thread, where a
   join on another thread cannot reuse it), and the joins run one at a time on a session of
   their own, with the plans that hold little (per-record rules, plans over small sources)
   one at a time beside them: a join reads the narrow side of its input on one thread first.

Running a join next to the hash-table plans would add their hash tables together (measured at
scale factor 1 of the shared benchmark: +45 MiB peak), and where the data is wide enough for
DuckDB's own threads, running statements side by side only adds contention and memory (scale
factor 10: +15-30% peak). The caller turns finished plans into violation records meanwhile,
as they finish (`completed`). Results do not depend on any of this: each plan orders its own
output, and the report lists the rules in pack order. Plans that run Python code over the
engine, or number records in input order, wait until the concurrent ones are done and run
alone, on the caller's connection, with the order setting restored.

Per-rule seconds: planning plus execution (for fused rules an even share of the common scan
plus their own unnesting). Concurrent plans share the machine, so their seconds add up to
more than the run's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, as_completed
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sqlglot import exp

from statguard.checks import registry
from statguard.checks.plan import Context, Items, Plan
from statguard.errors import AbsentNote, EngineError, RuleSkipped, StatguardError

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack, Rule

T = TypeVar("T")
# A source of at most this many rows is small: any plan over small sources only holds little
# memory (its hash tables are bounded by its inputs), so it may run beside a join.
SMALL_SOURCE = 100_000
# At most this many plans share one fused scan. DuckDB's cost for one scan grows faster than its
# width: 300 row rules on a 2-row CSV in one scan took 850 MB and 2-3 s in the statement alone
# (its projection holds every rule's columns, and every rule's list aggregate, at once), in
# scans of 50 each about 45 MB more than the process's own and 0.1 s each (bench/README.md,
# many rules). The scans a source needs grow linearly in its rules; each reads the source once.
FUSED_MAX = 50
Outcome = tuple[dict[str, int], "pd.DataFrame | Items"]


class Runner:
    """Use: `with Runner(...) as runner:` bind the sources, telling `runner.source_bound(name)`
    after each; then `runner.start(bind_errors)`, and take the rules' outcomes (`completed`,
    `run`)."""

    def __init__(self, engine: Any, pack: Pack, rules: list[Rule], options: Mapping[str, Any] | None):
        self.engine = engine
        self.pack = pack
        self.rules = rules
        self.options = options
        self.plans: list[Plan | Exception | None] = [None] * len(rules)  # planned by start at the latest
        self.spent: list[float] = [0.0] * len(rules)  # per rule: planning, then execution
        self.group_of: dict[int, list[int]] = {}
        self.results: dict[int, Outcome | Exception] = {}
        self.lacking: dict[int, Items | None] = {}  # with options["lacking"]: rule -> its not-evaluable items
        self._needs = [set(needed_sources(pack, rule)) for rule in rules]
        self._bound: set[str] = set()
        self._early: list[Future[None]] = []  # plans started while sources were still being bound
        self._pending: dict[int, Future[None]] = {}
        self._pools: list[ThreadPoolExecutor] = []
        self._sessions: list[Any] = []
        self._free: list[Any] = []  # sessions of the pool not running anything now
        self._stopped = False
        self._beside: tuple[ThreadPoolExecutor, Any, list[Future[None]]] | None = None  # see background

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:  # e.g. Ctrl-C while waiting: stop what runs, start nothing more
            self._stopped = True
            for session in self._sessions:
                session.con.interrupt()
        self.drain(cancel=kind is not None)

    def _plan(self, i: int, bind_errors: Mapping[str, str]) -> None:
        t0 = time.perf_counter()
        try:
            self.plans[i] = plan_rule(self.engine, self.pack, self.rules[i], bind_errors, self.options)
        except Exception as e:  # reported when the rule's turn comes
            self.plans[i] = e
        self.spent[i] += time.perf_counter() - t0

    def seconds(self, i: int) -> float:
        return self.spent[i]

    # -- scheduling ------------------------------------------------------------
    def source_bound(self, name: str) -> None:
        """Told as each source is bound. A plan over one narrow source that holds a hash table
        (see `start`, stage 1), once every source it reads is bound, starts at once, while the
        other sources are still being bound: it is the longest single-source work, on one
        thread, and the joins wait for it."""
        self._bound.add(name)
        threads = int(getattr(self.engine, "threads", 1) or 1)
        if threads < 2 or not hasattr(self.engine, "session"):
            return
        for i, plan in enumerate(self.plans):
            if plan is None and self._needs[i] <= self._bound:
                self._plan(i, {})
                if self._heavy([i], threads):
                    self._open_pool(threads)
                    self._pending[i] = self._pools[0].submit(self._on_free_session,
                                                             partial(self._execute, members=[i]))
                    self._early.append(self._pending[i])

    def start(self, bind_errors: Mapping[str, str]) -> None:
        """Plan the rules not planned yet, and start the independent plans when some of them
        cannot use every thread on their own (over one narrow source, see `_narrow`). In two
        stages when there are joins:

        1. the narrow plans that hold hash tables (group-bys: unique, aggregates) at once, on a
           pool of engine sessions;
        2. once those are done and DuckDB has given back the memory they freed, the joins one at
           a time on a session of their own, and beside them, on another, the plans that hold
           little (see `_light`): they fill the thread a join leaves idle while it reads the
           narrow side of the join, without adding a hash table to the join's.
        Without joins that hold much, every narrow plan starts at once and the rest follow."""
        from statguard.engine.duckdb import fusion_key
        for i, plan in enumerate(self.plans):
            if plan is None:
                self._plan(i, bind_errors)
        groups: dict[str, list[int]] = {}
        for i, plan in enumerate(self.plans):
            key = fusion_key(plan) if isinstance(plan, Plan) else None
            if key is not None:
                groups.setdefault(key, []).append(i)
        batches = [members[k:k + FUSED_MAX] for members in groups.values()
                   for k in range(0, len(members), FUSED_MAX)]
        self.group_of = {i: members for members in batches if len(members) > 1 for i in members}
        tasks: list[list[int]] = []
        for i in range(len(self.plans)):
            members = self.group_of.get(i, [i])
            if members[0] == i and i not in self._pending and all(_independent(self.plans[j]) for j in members):
                tasks.append(members)
        threads = int(getattr(self.engine, "threads", 1) or 1)
        scans = [members for members in tasks if self._narrow(members, threads)]
        if not self._early and (len(scans) < 2 or not hasattr(self.engine, "session")):
            return  # DuckDB fills the threads itself: the rules run one after another
        joins = [members for members in tasks if members not in scans]
        light = ([members for members in tasks if self._light(members)]
                 if any(not self._light(members) for members in joins) else [])
        rest = [members for members in joins if members not in light]
        heavy = [members for members in scans if members not in light]
        self._open_pool(max(1, min(len(heavy), threads)))
        alone, side = self.engine.session(), self.engine.session()
        self._sessions += [alone, side]
        self._pools += [ThreadPoolExecutor(1, thread_name_prefix="statguard-rest"),
                        ThreadPoolExecutor(1, thread_name_prefix="statguard-light")]
        first = [*self._early, *(self._pools[0].submit(self._on_free_session, partial(self._execute, members=members))
                                 for members in heavy)]
        for members, future in zip(heavy, first[len(self._early):], strict=True):
            for j in members:
                self._pending[j] = future
        # DuckDB is told to give back stage 1's memory by the first light plan (or, without one,
        # the first join) before it starts: the join need not wait for that, it starts by reading
        # its narrow side on one thread
        for pool, session, stage, release in ((self._pools[1], alone, rest, bool(first) and not light),
                                              (self._pools[2], side, light, bool(first))):
            for n, members in enumerate(stage):
                future = pool.submit(self._after, first if n == 0 else [], session,
                                     partial(self._execute, members=members), release and n == 0)
                for j in members:
                    self._pending[j] = future
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

    def _heavy(self, members: list[int], threads: int) -> bool:
        """Independent plans over one narrow source that hold more than a little (stage 1)."""
        return (all(_independent(self.plans[j]) for j in members) and self._narrow(members, threads)
                and not self._light(members))

    def _narrow(self, members: list[int], threads: int) -> bool:
        """Whether the plans read one source that DuckDB scans with fewer threads than it has
        (a Parquet file of fewer row groups: one of 1M rows is one row group, scanned by one
        thread). Joins never count as narrow: they hold hash tables, and are the longest."""
        widths = getattr(self.engine, "scan_widths", {})
        sources = {name for j in members for name in self.rules[j].sources}
        return len(sources) == 1 and all((widths.get(name) or threads) < threads for name in sources)

    def _light(self, members: list[int]) -> bool:
        """Whether the plans hold little memory whatever the size of their input: per-record
        plans (Plan.fusable: no aggregate, join or window; they keep only their failing items),
        or plans whose every source is known to be small (`SMALL_SOURCE` rows or fewer)."""
        if all(isinstance(self.plans[j], Plan) and self.plans[j].fusable for j in members):
            return True
        rows = getattr(self.engine, "row_counts", {})
        sources = {name for j in members for name in self.rules[j].sources}
        return all((rows.get(name) if rows.get(name) is not None else SMALL_SOURCE + 1) <= SMALL_SOURCE
                   for name in sources)

    def background(self, work: Callable[[Any], T]) -> Callable[[], T]:
        """Run `work(engine)`, something that holds little, where it costs the run least: after
        the plans beside the joins (stage 2, see `start`), else next to the single-source plans
        when they run concurrently (on a session of the pool), else on the caller's engine when
        asked; returns how to get its result."""
        if self._beside is not None:
            pool, session, others = self._beside
            return pool.submit(self._after, others, session, work).result
        if not self._pools:
            return lambda: work(self.engine)
        future = self._pools[0].submit(self._on_free_session, work)
        return future.result

    def _on_free_session(self, work: Callable[[Any], T]) -> T:
        session = self._free.pop()  # as many sessions as pool threads: one is always free
        session.sync_frames()  # DataFrames bound since the session was opened
        try:
            return work(session)
        finally:
            self._free.append(session)

    def _after(self, others: list[Future[None]], session: Any, work: Callable[[Any], T],
               release: bool = False) -> T | None:
        """`work(session)` once `others` (the first stage) are done, unless the run was stopped;
        first have DuckDB give back the memory they freed when asked to (`release`)."""
        for future in others:
            try:
                future.exception()  # wakes up on a cancelled future too (wait() would not)
            except CancelledError:
                return None
        if self._stopped:
            return None
        if release:
            session.release_memory()
        return work(session)

    def drain(self, cancel: bool = False) -> None:
        """Wait for the concurrent plans; afterwards everything runs on the caller's connection."""
        if not self._pools:
            return
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=cancel)
        self._pools = []
        self._beside = None
        self._pending.clear()
        for session in self._sessions:
            session.close()
        self._sessions = []
        self.engine.preserve_order(True)

    # -- running -----------------------------------------------------------------
    def _execute(self, engine: Any, members: list[int]) -> None:
        """Run one plan or one fused group on `engine`; store each member's outcome."""
        if len(members) > 1:
            try:
                fused = engine.run_fused([self.plans[j] for j in members])
            except Exception as e:  # one of them is broken: each runs alone, erroring only itself
                if self._stopped or _interrupted(e):  # ... unless the run was stopped: start nothing more
                    for j in members:
                        self.results[j] = e
                    return
                fused = None
            if fused is not None:
                for j, (counts, fails, seconds) in zip(members, fused, strict=True):
                    self.results[j] = (counts, fails)
                    self.spent[j] += seconds
                    self._list_lacking(engine, j)
                return
        for j in members:
            if self._stopped:
                self.results[j] = KeyboardInterrupt()
                continue
            t0 = time.perf_counter()
            try:
                self.results[j] = engine.run(self.plans[j])
                self._list_lacking(engine, j)
            except Exception as e:
                self.results[j] = e
            self.spent[j] += time.perf_counter() - t0

    def _list_lacking(self, engine: Any, j: int) -> None:
        """With options["lacking"], the items rule j could not evaluate, asked of the engine that
        ran it (a second statement, only for a rule that counted some; see Plan / lacking_query)."""
        outcome = self.results[j]
        if (self.options or {}).get("lacking") and isinstance(outcome, tuple) and outcome[0].get("na"):
            try:
                self.lacking[j] = engine.lacking(self.plans[j])
            except EngineError:  # the rule's verdict stands; its items are then not listed
                self.lacking[j] = None

    def completed(self) -> Iterator[int]:
        """Every rule's index once: the concurrent ones as they finish, then the rest in pack order."""
        by_future: dict[Future[None], list[int]] = {}
        for i, future in self._pending.items():
            by_future.setdefault(future, []).append(i)
        taken: set[int] = set()
        for future in as_completed(by_future):
            for i in sorted(by_future[future]):
                taken.add(i)
                yield i
        yield from (i for i in range(len(self.plans)) if i not in taken)

    def run(self, i: int) -> tuple[dict[str, int], pd.DataFrame | Items, Plan]:
        """Rule i's status counts, failing items and plan (raising what its planning or
        execution raised); plans started concurrently are waited for."""
        plan = self.plans[i]
        if isinstance(plan, Exception):
            raise plan
        if i in self._pending:
            self._pending[i].result()
        elif i not in self.results:
            self.drain()  # what is left needs the order of its input, or runs Python over the engine
            self._execute(self.engine, self.group_of.get(i, [i]))
        outcome = self.results.pop(i)
        if isinstance(outcome, BaseException):  # KeyboardInterrupt: the run was stopped before it
            raise outcome
        counts, fails = outcome
        if plan.after is not None:
            t0 = time.perf_counter()
            self.drain()
            plan.meta["outputs"] = plan.after(self.engine, fails)
            self.spent[i] += time.perf_counter() - t0
        return counts, fails, plan


def _independent(plan: Plan | Exception) -> bool:
    """A single query whose result does not depend on the order of its input."""
    return (isinstance(plan, Plan) and plan.run is None and plan.query is not None
            and plan.query.find(exp.Window) is None)


def needed_sources(pack: Pack, rule: Rule) -> list[str]:
    """The sources a rule reads: its own, then the code lists their columns refer to."""
    needed = list(dict.fromkeys(rule.sources))
    for name in rule.sources:
        if name in pack.sources:
            for column in pack.sources[name].columns.values():
                ref = (column.codelist or "").rpartition(".")[0]
                if ref in pack.sources and ref not in needed:
                    needed.append(ref)
    return needed


def plan_rule(engine: Any, pack: Pack, rule: Rule, bind_errors: Mapping[str, str],
              options: Mapping[str, Any] | None) -> Plan:
    if rule.problems:
        raise StatguardError("; ".join(str(p) for p in rule.problems))
    missing = [bind_errors[s] for s in rule.sources if s in bind_errors]
    if missing and all(isinstance(m, AbsentNote) for m in missing):
        raise RuleSkipped([s for s in rule.sources if s in bind_errors])
    if missing:
        raise StatguardError("; ".join(missing))
    kind = registry.get(rule.kind)
    assert kind is not None
    return kind.plan(rule, Context(pack, rule, engine.bound, engine.dialect, options))


def _interrupted(error: BaseException) -> bool:
    """Whether DuckDB stopped a query because it was interrupted (it raises its own error for that)."""
    return "interrupted" in str(error).lower()
