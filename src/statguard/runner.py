"""Executing the planned rules of one run: fused scans, and the engine's schedule.

Every chosen rule is planned before anything runs (an engine's schedule may plan, and start,
some of them as soon as the sources they read are bound: `source_bound`). Fusable plans over
the same table (Plan.fusable: row rules on one source) run together in one scan; if that fused
statement fails, they run one by one, so a broken rule still only errors itself.

Plans that are a single query and do not depend on the order of their input (no window
function) are independent of each other: the engine may run them its own way, e.g. side by
side, through its `schedule(runner)` (DuckDB: statguard.engine.duckdb_schedule). An engine
without one (Spark, which parallelises each statement itself) runs every plan in pack order
on its own connection. The caller turns finished plans into violation records meanwhile, as
they finish (`completed`). Results do not depend on the schedule: each plan orders its own
output, and the report lists the rules in pack order. Plans that run Python code over the
engine, or number records in input order, wait until the scheduled ones are done and run
alone, on the caller's engine.

Per-rule seconds: planning plus execution (for fused rules an even share of the common scan
plus their own unnesting). Concurrent plans share the machine, so their seconds add up to
more than the run's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, as_completed
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlglot import exp

from statguard.checks import registry
from statguard.checks.plan import Context, Items, Plan
from statguard.errors import AbsentNote, EngineError, RuleSkipped, StatguardError
from statguard.i18n import speaking

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack, Rule

T = TypeVar("T")
# At most this many plans share one fused scan. DuckDB's cost for one scan grows faster than its
# width: 300 row rules on a 2-row CSV in one scan took 850 MB and 2-3 s in the statement alone
# (its projection holds every rule's columns, and every rule's list aggregate, at once), in
# scans of 50 each about 45 MB more than the process's own and 0.1 s each (bench/README.md,
# many rules). The scans a source needs grow linearly in its rules; each reads the source once.
FUSED_MAX = 50
Outcome = tuple[dict[str, int], "pd.DataFrame | Items"]


class Schedule(Protocol):
    """How an engine runs a run's independent plans (`Runner.execute` on a connection of its
    choice). `pending`: rule index -> the future of the task running it, for every rule it took."""

    pending: dict[int, Future[None]]

    def source_bound(self, ready: list[int]) -> None:
        """Told after each source is bound, with the unplanned rules whose sources are all bound."""

    def start(self, tasks: list[list[int]]) -> None:
        """Take over (some of) the tasks: lists of rule indices, each one plan or one fused group
        of independent plans (`Runner.independent`), in pack order."""

    def background(self, work: Callable[[Any], T]) -> Callable[[], T]:
        """Run `work(engine)`, something that holds little, where it costs the run least."""

    def drain(self, cancel: bool = False) -> None:
        """Wait for (or with `cancel`, stop) what was taken; afterwards the caller's engine is free."""

    def stop(self) -> None:
        """Interrupt what runs now (Ctrl-C); `drain(cancel=True)` follows."""


class InOrder:
    """The schedule of an engine without one of its own: every plan in pack order, on the
    caller's engine, when its turn comes."""

    def __init__(self, runner: Runner):
        self.engine = runner.engine
        self.pending: dict[int, Future[None]] = {}

    def source_bound(self, ready: list[int]) -> None:
        pass

    def start(self, tasks: list[list[int]]) -> None:
        pass

    def background(self, work: Callable[[Any], T]) -> Callable[[], T]:
        return lambda: work(self.engine)

    def drain(self, cancel: bool = False) -> None:
        pass

    def stop(self) -> None:
        pass


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
        self.stopped = False
        self.lacking: dict[int, Items | None] = {}  # with options["lacking"]: rule -> its not-evaluable items
        self._needs = [set(needed_sources(pack, rule)) for rule in rules]
        self._bound: set[str] = set()
        own = getattr(engine, "schedule", None)  # optional: an engine may run plans its own way
        self.schedule: Schedule = own(self) if own is not None else InOrder(self)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:  # e.g. Ctrl-C while waiting: stop what runs, start nothing more
            self.stopped = True
            self.schedule.stop()
        self.schedule.drain(cancel=kind is not None)

    def plan(self, i: int, bind_errors: Mapping[str, str]) -> Plan | Exception:
        """Plan rule i (once); a rule that cannot be planned keeps its exception, raised by `run`."""
        if self.plans[i] is None:
            t0 = time.perf_counter()
            try:
                self.plans[i] = plan_rule(self.engine, self.pack, self.rules[i], bind_errors, self.options)
            except Exception as e:  # reported when the rule's turn comes
                self.plans[i] = e
            self.spent[i] += time.perf_counter() - t0
        plan = self.plans[i]
        assert plan is not None
        return plan

    def seconds(self, i: int) -> float:
        return self.spent[i]

    def independent(self, members: list[int]) -> bool:
        """Whether the plans are single queries whose results do not depend on the order of their
        input (no window function): any engine may run them in any order, or side by side."""
        return all(_independent(self.plans[j]) for j in members)  # type: ignore[arg-type]

    # -- scheduling ------------------------------------------------------------
    def source_bound(self, name: str) -> None:
        """Told as each source is bound: the engine's schedule may plan and start the rules whose
        sources are all bound while the others are still being bound."""
        self._bound.add(name)
        self.schedule.source_bound([i for i, plan in enumerate(self.plans)
                                    if plan is None and self._needs[i] <= self._bound])

    def start(self, bind_errors: Mapping[str, str]) -> None:
        """Plan the rules not planned yet, group the fusable ones (at most FUSED_MAX a scan), and
        hand the independent plans not started yet to the engine's schedule."""
        for i in range(len(self.plans)):
            self.plan(i, bind_errors)
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
            if members[0] == i and i not in self.schedule.pending and self.independent(members):
                tasks.append(members)
        self.schedule.start(tasks)

    def background(self, work: Callable[[Any], T]) -> Callable[[], T]:
        """Run `work(engine)`, something that holds little, where the engine's schedule says it
        costs the run least; returns how to get its result."""
        return self.schedule.background(work)

    def drain(self, cancel: bool = False) -> None:
        """Wait for the scheduled plans; afterwards everything runs on the caller's engine."""
        self.schedule.drain(cancel)

    # -- running -----------------------------------------------------------------
    def execute(self, engine: Any, members: list[int]) -> None:
        """Run one plan or one fused group on `engine`; store each member's outcome."""
        if len(members) > 1:
            try:
                fused = engine.run_fused([self.plans[j] for j in members])
            except Exception as e:  # one of them is broken: each runs alone, erroring only itself
                if self.stopped or _interrupted(e):  # ... unless the run was stopped: start nothing more
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
            if self.stopped:
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
        """Every rule's index once: the scheduled ones as they finish, then the rest in pack order."""
        by_future: dict[Future[None], list[int]] = {}
        for i, future in self.schedule.pending.items():
            by_future.setdefault(future, []).append(i)
        taken: set[int] = set()
        for future in as_completed(by_future):
            for i in sorted(by_future[future]):
                taken.add(i)
                yield i
        yield from (i for i in range(len(self.plans)) if i not in taken)

    def run(self, i: int) -> tuple[dict[str, int], pd.DataFrame | Items, Plan]:
        """Rule i's status counts, failing items and plan (raising what its planning or
        execution raised); scheduled plans are waited for."""
        plan = self.plans[i]
        if isinstance(plan, Exception):
            raise plan
        assert plan is not None
        pending = self.schedule.pending.get(i)
        if pending is not None:
            pending.result()
        elif i not in self.results:
            self.drain()  # what is left needs the order of its input, or runs Python over the engine
            self.execute(self.engine, self.group_of.get(i, [i]))
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


def fusion_key(plan: Plan) -> str | None:
    """The table a fusable plan scans (plans with the same key can run in one scan), else None."""
    if not plan.fusable or plan.run is not None or plan.query is None or plan.query.args.get("from_") is None:
        return None
    return plan.query.args["from_"].this.sql()


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
    with speaking((options or {}).get("lang")):  # a kind's problems in the run's language
        return kind.plan(rule, Context(pack, rule, engine.bound, engine.dialect, options))


def _interrupted(error: BaseException) -> bool:
    """Whether DuckDB stopped a query because it was interrupted (it raises its own error for that)."""
    return "interrupted" in str(error).lower()
