"""Whether changing a given small set of fields can put a record right: an exact test without a
solver, for error localisation (statguard.analysis.locate).

With the other fields fixed at the record's values, each clause either already holds through an
atom over fixed fields, or reduces to its atoms over the changed numeric fields (a clause with
several such atoms is a choice, tried in turn); categorical fields in the set try each value of
their domain. Each resulting system of linear (in)equalities over at most a few variables is
decided by Fourier-Motzkin elimination, strict inequalities kept strict.
"""

from __future__ import annotations

import itertools
from typing import Any

from statguard.analysis.linear import Atom, LinRule

MAX_CHOICES = 64  # combinations of the atoms of disjunctive clauses tried before giving up
MAX_ROWS = 4000  # rows Fourier-Motzkin may grow to before giving up

Row = tuple[list[float], float, bool]  # a.x <= b (strict: <)


class TooHard(Exception):
    """The exact test would take too long: the caller solves the MILP instead."""


def fixable(record: dict[str, Any], fields: list[str], rules: list[LinRule], domains: dict[str, list[Any]],
            closed: set[str], other: Any) -> bool:
    """Whether some values of `fields` (the rest as in `record`) satisfy every rule of `rules`."""
    numeric = [f for f in fields if f not in domains]
    categorical = [f for f in fields if f in domains]
    options = [[v for v in domains[f]] + ([] if f in closed else [other]) for f in categorical]
    trial = dict(record)
    for values in itertools.product(*options):
        trial.update(zip(categorical, values, strict=True))
        if _numeric_fixable(trial, numeric, rules):
            return True
    return False


def _numeric_fixable(record: dict[str, Any], free: list[str], rules: list[LinRule]) -> bool:
    index = {f: i for i, f in enumerate(free)}
    fixed: list[Row] = []
    choices: list[list[list[Row]]] = []
    for rule in rules:
        for clause in rule.clauses:
            reduced: list[list[Row]] = []
            for atom in clause:
                if atom.var is not None or not any(v in index for v, _ in atom.coefs):
                    if atom.holds(record):
                        break
                    continue
                reduced.append(_rows(atom, record, index))
            else:
                if not reduced:
                    return False
                if len(reduced) == 1:
                    fixed += reduced[0]
                else:
                    choices.append(reduced)
    count = 1
    for c in choices:
        count *= len(c)
    if count > MAX_CHOICES:
        raise TooHard
    for pick in itertools.product(*choices):
        if _feasible(fixed + [row for rows in pick for row in rows], len(free)):
            return True
    return False


def _rows(atom: Atom, record: dict[str, Any], index: dict[str, int]) -> list[Row]:
    a = [0.0] * len(index)
    rest = 0.0
    for v, c in atom.coefs:
        if v in index:
            a[index[v]] += c
        else:
            rest += c * float(record[v])
    b = atom.rhs - rest
    if atom.op == "<":
        return [(a, b, True)]
    if atom.op == "<=":
        return [(a, b + atom.tol, False)]
    return [(a, b + atom.tol, False), ([-x for x in a], -b + atom.tol, False)]


def _feasible(rows: list[Row], n: int) -> bool:
    """Whether some x satisfies every row (Fourier-Motzkin elimination, one variable at a time)."""
    for v in range(n):
        pos, neg, rest = [], [], []
        for row in rows:
            (pos if row[0][v] > 1e-12 else neg if row[0][v] < -1e-12 else rest).append(row)
        if len(pos) * len(neg) + len(rest) > MAX_ROWS:
            raise TooHard
        for (ap, bp, sp), (aq, bq, sq) in itertools.product(pos, neg):
            lam, mu = ap[v], -aq[v]  # mu * p + lam * q drops variable v
            rest.append(([mu * x + lam * y for x, y in zip(ap, aq, strict=True)], mu * bp + lam * bq, sp or sq))
        rows = rest
    # each row now says 0 <= b (strict: 0 < b)
    return all(b > 1e-12 if strict else b >= -1e-9 * max(1.0, abs(b)) for _, b, strict in rows)
