"""Error localisation (Fellegi-Holt, errorlocate's locate_errors): for a record failing some of
its source's rules, the fields of least total weight whose change lets it satisfy every rule.

Weights are per field, default 1; an infinite weight keeps a field as it is. A blank field is
free (changing it costs nothing and it is not named). Only the rules sharing columns with the
failing ones can be affected, so only their fields are looked at. Ties between fields of equal
weight go to the field declared (or first used) earlier, so runs are reproducible.

Most records are put right by one field: each field common to every failing rule, cheapest
first, is tried alone (an exact test: the rules that read it, with the others fixed, allow a
value unless no candidate point, boundary, midpoint between boundaries or beyond them, passes;
categorical fields try each value of their domain). When that settles nothing the record is a
MILP solved by HiGHS. Records with the same values of the fields looked at are solved once.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from statguard.analysis.contradictions import components
from statguard.analysis.linear import LinRule, System
from statguard.analysis.milp import OTHER, Model, _key

Record = dict[str, Any]
REACH = 3.0  # a changed figure moves within +- this many times the largest figure or constant
MAX_GROUP = 14  # fields of a group past which the sets of up to three are not enumerated
TIE = 1e-3  # weights grow by up to this share with the field's position: ties go to the earlier field


class Locator:
    """Locates the fields to fix for records of one source."""

    def __init__(self, system: System, weights: dict[str, float] | None = None, order: list[str] | None = None):
        self.system = system
        self.weights = dict(weights or {})
        names = list(dict.fromkeys([*(order or []), *(n for r in system.rules for n in r.names)]))
        self.rank = {n: i for i, n in enumerate(names)}
        self.groups = components(system.rules)
        self.group_of = {id(r): g for g, rules in enumerate(self.groups) for r in rules}
        self.names = [list(dict.fromkeys(n for r in rules for n in r.names)) for rules in self.groups]
        self.reading: dict[str, list[LinRule]] = {}
        for r in system.rules:
            for n in r.names:
                self.reading.setdefault(n, []).append(r)
        self.cache: dict[Any, list[str] | None] = {}
        self.sets: dict[Any, tuple[list[tuple[float, tuple[str, ...]]], float]] = {}
        self.solved = 0

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 1.0))

    def failing(self, record: Record) -> list[LinRule]:
        return [r for r in self.system.rules if _evaluable(r, record) and not r.holds(record)]

    def locate(self, record: Record) -> list[str] | None:
        """The fields to fix (in declared order), [] when the record passes, None when no change
        of the fields allowed can make it pass."""
        failing = self.failing(record)
        if not failing:
            return []
        out: list[str] = []
        for g in sorted({self.group_of[id(r)] for r in failing}):  # groups share no field: each fixed alone
            found = self._group(record, g, [r for r in failing if self.group_of[id(r)] == g])
            if found is None:
                return None
            out += found
        return sorted(out, key=self.rank.__getitem__)

    def _group(self, record: Record, g: int, failing: list[LinRule]) -> list[str] | None:
        rules = self.groups[g]
        names = self.names[g]
        key = (g, tuple(_hashable(record.get(n)) for n in names))
        if key not in self.cache:
            found = self._one_field(record, failing, rules)
            if found is None:
                found = self._small_set(record, g, failing)
            if found is None:
                self.solved += 1
                found = self._milp(record, rules, names)
            self.cache[key] = found
        return self.cache[key]

    # -- one field ----------------------------------------------------------------------------
    def _one_field(self, record: Record, failing: list[LinRule], rules: list[LinRule]) -> list[str] | None:
        if any(record.get(n) is None for r in rules for n in r.names):
            return None  # blank fields are free: the MILP decides
        common = set(failing[0].names)
        for r in failing[1:]:
            common &= set(r.names)
        # one field is the best fix only if no field of the failing rules is cheaper than it
        floor = min((self.weight(n) for r in failing for n in r.names), default=math.inf)
        fields = sorted((n for n in common if self.weight(n) == floor), key=self.rank.__getitem__)
        for name in fields if math.isfinite(floor) else ():
            if self._fixable(record, name):
                return [name]
        return None

    def _fixable(self, record: Record, name: str) -> bool:
        readers = self.reading[name]
        trial = dict(record)
        for value in self._candidates(record, name, readers):
            trial[name] = value
            if all(r.holds(trial) for r in readers):
                return True
        return False

    def _candidates(self, record: Record, name: str, readers: list[LinRule]) -> list[Any]:
        if name in self.system.domains:
            other = [] if name in self.system.closed else [_Other()]
            return [v for v in self.system.domains[name] if v != record.get(name)] + other
        points = set()
        for r in readers:
            for clause in r.clauses:
                for a in clause:
                    coef = dict(a.coefs).get(name)
                    if a.var is not None or not coef:
                        continue
                    rest = sum(c * float(record[v]) for v, c in a.coefs if v != name)
                    for rhs in {a.rhs, a.rhs + a.tol, a.rhs - a.tol}:
                        points.add((rhs - rest) / coef)
        ordered = sorted(points)
        mids = [(x + y) / 2 for x, y in zip(ordered, ordered[1:], strict=False)]
        ends = [ordered[0] - 1 - abs(ordered[0]), ordered[-1] + 1 + abs(ordered[-1])] if ordered else []
        return [*ordered, *mids, *ends]

    # -- two or three fields ---------------------------------------------------------------------
    def _small_set(self, record: Record, g: int, failing: list[LinRule]) -> list[str] | None:
        """The cheapest set of up to three fields that puts the record right, when one exists that
        costs no more than any four fields would; else None (the MILP decides)."""
        names = self.names[g]
        if len(names) > MAX_GROUP or any(record.get(n) is None for n in names):
            return None
        sets, floor4 = self._hitting_sets(g, failing)
        from statguard.analysis.subsets import TooHard, fixable
        for cost, fields in sets:
            if cost > floor4:
                return None
            try:
                if fixable(record, list(fields), self.groups[g], self.system.domains, self.system.closed, _Other()):
                    return sorted(fields, key=self.rank.__getitem__)
            except TooHard:
                return None
        return None

    def _hitting_sets(self, g: int, failing: list[LinRule]) -> tuple[list[tuple[float, tuple[str, ...]]], float]:
        """Sets of up to three fields with a field of every failing rule, cheapest first, and the
        least cost of four fields."""
        key = (g, tuple(id(r) for r in failing))
        if key not in self.sets:
            names = [n for n in self.names[g] if math.isfinite(self.weight(n))]
            cost = {n: self.cost(n) for n in names}
            reads = [set(r.names) for r in failing]
            found = [(sum(cost[n] for n in combo), combo) for k in (1, 2, 3)
                     for combo in itertools.combinations(names, k) if all(r.intersection(combo) for r in reads)]
            found.sort(key=lambda x: (x[0], [self.rank[n] for n in x[1]]))
            floor4 = sum(sorted(cost.values())[:4]) if len(names) >= 4 else math.inf
            self.sets[key] = (found, floor4)
        return self.sets[key]

    def cost(self, name: str) -> float:
        """A field's weight as the MILP counts it: ties go to the field declared earlier."""
        return self.weight(name) * (1 + TIE * self.rank[name] / len(self.rank))

    # -- the MILP -------------------------------------------------------------------------------
    def _milp(self, record: Record, rules: list[LinRule], names: list[str]) -> list[str] | None:
        domains = {n: self.system.domains[n] for n in names if n in self.system.domains}
        consts = [abs(a.rhs) for r in rules for c in r.clauses for a in c if a.var is None]
        given = [abs(float(record[n])) for n in names if n not in domains and record.get(n) is not None]
        scale = max([1.0, *consts, *given])
        reach = REACH * scale  # how far a changed figure may move (scaled by the Model to REACH)
        numeric = {}
        for n in names:
            if n in domains:
                continue
            v = record.get(n)
            numeric[n] = (-2 * reach, 2 * reach) if v is None else (float(v) - reach, float(v) + reach)
        model = Model(numeric, domains, self.system.closed, scale)
        for r in rules:
            for clause in r.clauses:
                model.clause(clause)
        objective: dict[int, float] = {}
        change: dict[str, int] = {}
        for n in names:
            v = record.get(n)
            if v is None:
                continue
            w = self.weight(n)
            c = change[n] = model.binary()
            if not math.isfinite(w):
                model.hi[c] = 0.0
            objective[c] = self.cost(n) if math.isfinite(w) else 0.0
            if n in domains:
                slot = model.col.get((n, _key(v)))
                if slot is None:
                    slot = model.col.get((n, OTHER)) if n not in self.system.closed else None
                if slot is None:
                    model.lo[c] = 1.0  # a value outside the declared domain must change
                else:
                    model.row({c: 1.0, slot: 1.0}, 1.0, math.inf)
            else:
                x, at = model.col[n], float(v) / scale  # x - v <= reach * c  and  v - x <= reach * c
                model.row({x: 1.0, c: -2 * REACH}, -math.inf, at)
                model.row({x: 1.0, c: 2 * REACH}, at, math.inf)
        ok, solution = model.solve(objective, exact=True)
        if not ok or solution is None:
            return None
        return sorted((n for n, c in change.items() if solution[c] > 0.5), key=self.rank.__getitem__)


class _Other:
    """A value of a categorical field that no rule names."""

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return 0


def _evaluable(rule: LinRule, record: Record) -> bool:
    return all(record.get(n) is not None for n in rule.names)


def _hashable(value: Any) -> Any:
    return (type(value).__name__, value)


def locate_records(system: System, records: list[Record], weights: dict[str, float] | None = None,
                   order: list[str] | None = None) -> list[list[str] | None]:
    """fields_to_fix of each record ([] when it passes every rule of `system`)."""
    locator = Locator(system, weights, order)
    return [locator.locate(r) for r in records]
