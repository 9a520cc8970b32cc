"""Contradictions, redundancy and fixed variables of one source's rules (validatetools' semantics).

- contradiction (validatetools' is_infeasible, detect_infeasible_rules, is_contradicted_by): no
  record satisfies all rules; each conflict is named by a minimal subset of rules that cannot
  hold together (found with QuickXplain: removing any one of them removes that conflict). The
  conflict's last rule is set aside and the search goes on, so that independent conflicts are
  all named.
- redundancy (remove_redundancy): a rule is implied by the others when the others together with
  its negation admit no record; the later of two equivalent rules is the one named, with a
  minimal subset of the rules that imply it.
- fixed variable (detect_fixed_variables): a column whose smallest and largest possible values
  under the rules coincide.

Rules are analysed per group of rules sharing columns: groups sharing none cannot interact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from statguard.analysis.linear import Clause, LinRule, System
from statguard.analysis.milp import EPS, Model

Item = list[Clause]
BOUND = 1e2  # numeric columns range over +- BOUND times the largest constant of the rules


@dataclass
class Result:
    """What the analysis of one system found, before it is put in words."""

    kind: str  # contradiction | dead_condition | redundant | fixed
    rules: list[LinRule]
    implied: LinRule | None = None  # redundant: the rule implied by `rules`; dead_condition: the rule
    column: str | None = None  # fixed: the column and its value
    value: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def analyse(system: System) -> list[Result]:
    out: list[Result] = []
    scale = _scale(system)
    for group in components(system.rules):
        oracle = _Oracle(system, group, scale)
        kept = _conflicts(group, oracle, out)
        dead = _dead_conditions(kept, oracle, out)
        _redundant([r for r in kept if r not in dead], oracle, out)
        _fixed(kept, oracle, out)
    return out


def components(rules: list[LinRule]) -> list[list[LinRule]]:
    """Rules grouped so that no two groups share a column (each in pack order)."""
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, rule in enumerate(rules):
        for name in rule.names:
            if name in owner:
                parent[find(i)] = find(owner[name])
            else:
                owner[name] = i
    groups: dict[int, list[LinRule]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(find(i), []).append(rule)
    return list(groups.values())


def _scale(system: System) -> float:
    """The largest constant of the rules (at least 1): what the MILP divides figures by."""
    constants = [abs(a.rhs) for r in system.rules for c in r.clauses for a in c if a.var is None]
    return max([1.0, *constants])


class _Oracle:
    """Feasibility of sets of items (clause lists) over one group's columns."""

    def __init__(self, system: System, group: list[LinRule], scale: float):
        names = dict.fromkeys(n for r in group for n in r.names)
        self.scale = scale
        self.bound = BOUND * scale  # every numeric column lies within +- this: far past every constant
        self.numeric = {n: (-self.bound, self.bound) for n in names if n not in system.domains}
        self.domains = {n: system.domains[n] for n in names if n in system.domains}
        self.closed = system.closed
        self.calls = 0

    def model(self, items: list[Item]) -> Model:
        m = Model(self.numeric, self.domains, self.closed, self.scale)
        for item in items:
            for clause in item:
                m.clause(clause)
        return m

    def feasible(self, items: list[Item]) -> bool:
        self.calls += 1
        return self.model(items).solve()[0]


def quickxplain(feasible: Callable[[list[Item]], bool], background: list[Item],
                candidates: list[Any], item: Callable[[Any], Item]) -> list[Any]:
    """A minimal subset X of `candidates` such that background + X is infeasible (Junker's
    QuickXplain); background + candidates must be infeasible."""
    def qx(base: list[Item], changed: bool, cands: list[Any]) -> list[Any]:
        if changed and not feasible(base):
            return []
        if len(cands) == 1:
            return list(cands)
        half = len(cands) // 2
        first, second = cands[:half], cands[half:]
        d2 = qx(base + [item(c) for c in first], bool(first), second)
        d1 = qx(base + [item(c) for c in d2], bool(d2), first)
        return d1 + d2

    if not feasible(background):
        return []
    return qx(background, False, candidates)


def _clauses(rule: LinRule) -> Item:
    return rule.clauses


def _conflicts(group: list[LinRule], oracle: _Oracle, out: list[Result]) -> list[LinRule]:
    """Name each conflict; return the group without the rules set aside to resolve them."""
    kept = list(group)
    while kept and not oracle.feasible([r.clauses for r in kept]):
        conflict = quickxplain(oracle.feasible, [], kept, _clauses)
        if not conflict:
            break
        conflict.sort(key=kept.index)
        out.append(Result("contradiction", conflict))
        kept.remove(conflict[-1])
    return kept


def _dead_conditions(kept: list[LinRule], oracle: _Oracle, out: list[Result]) -> list[LinRule]:
    """validatetools' detect_contradicting_if_rules: a rule whose `if` can be true on its own, but
    never together with the other rules (if income > 0 then job == 'yes'; if job == 'yes' then
    income == 0: no record has income > 0), is named with the rules that rule its condition out.
    Returns those rules (implied by the others, they are not named as redundant as well)."""
    items = [r.clauses for r in kept]
    named: list[set[int]] = []
    dead: list[LinRule] = []
    for rule in kept:
        if rule.premise is None or not oracle.feasible([rule.premise]):
            continue
        if oracle.feasible([rule.premise, *items]):
            continue
        conflict = quickxplain(oracle.feasible, [rule.premise], kept, _clauses)
        dead.append(rule)
        ids = {id(r) for r in conflict}
        if conflict and ids not in named:  # two rules with one condition: named once
            named.append(ids)
            conflict.sort(key=kept.index)
            out.append(Result("dead_condition", conflict, implied=rule))
    return dead


def negation(clause: Clause) -> Item:
    """not (a1 or a2 ...) as clauses: (not a1) and (not a2) ..."""
    return [tuple(clause_atom.negate()) for clause_atom in clause]


def _redundant(kept: list[LinRule], oracle: _Oracle, out: list[Result]) -> None:
    active = list(kept)
    for rule in reversed(kept):  # later rules go before earlier ones, as remove_redundancy does
        if rule.loc is None or _is_bound(rule):
            continue
        others = [r for r in active if r is not rule]
        if not others:
            continue
        implied_by: list[LinRule] = []
        for clause in rule.clauses:
            background = [negation(clause)]
            if oracle.feasible(background + [r.clauses for r in others]):
                implied_by = []
                break
            implied_by += quickxplain(oracle.feasible, background, others, _clauses)
        if implied_by:
            active.remove(rule)
            names = list(dict.fromkeys(implied_by))
            names.sort(key=kept.index)
            out.append(Result("redundant", names, implied=rule))


def _is_bound(rule: LinRule) -> bool:
    return rule.label != rule.id  # a declared column min / max, not a rule


def _fixed(kept: list[LinRule], oracle: _Oracle, out: list[Result]) -> None:
    if not kept:
        return
    items = [r.clauses for r in kept]
    model = oracle.model(items)
    for name in _maybe_fixed(model, list(oracle.numeric)):
        j = model.col[name]
        ok, low = model.solve({j: 1.0})
        if not ok or low is None or model.value(low, name) <= -oracle.bound * 0.999:
            continue
        ok, high = model.solve({j: -1.0})
        least, most = model.value(low, name), model.value(high, name) if high is not None else math.inf
        if not ok or most - least > EPS * oracle.scale:
            continue
        value = round(least, 6) + 0.0  # no -0
        step = 10 * EPS * oracle.scale  # well past what the solver can tell apart
        rules: list[LinRule] = []
        from statguard.analysis.linear import Atom
        for sign in (1.0, -1.0):  # the rules keeping it from going below, and from going above
            beyond = [(Atom(((name, sign),), "<=", sign * value - step),)]
            rules += quickxplain(oracle.feasible, [beyond], kept, _clauses)
        found = list(dict.fromkeys(rules))
        found.sort(key=kept.index)
        out.append(Result("fixed", found, column=name, value=value))


def _maybe_fixed(model: Model, names: list[str]) -> list[str]:
    """The columns that take one value in each of a few far-apart solutions (pushing all columns
    down, up, and half down, half up): only these can be fixed, and only these are examined."""
    columns = [model.col[n] for n in names]
    seen: dict[str, set[float]] = {n: set() for n in names}
    for signs in ([1.0] * len(columns), [-1.0] * len(columns), [(-1.0) ** i for i in range(len(columns))]):
        ok, solution = model.solve(dict(zip(columns, signs, strict=True)))
        if not ok or solution is None:
            return []
        for n in names:
            seen[n].add(round(model.value(solution, n) / model.scale / EPS))
    return [n for n in names if len(seen[n]) == 1]
