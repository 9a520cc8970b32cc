"""Clauses as a mixed-integer program, solved by HiGHS (scipy.optimize.milp).

Numeric columns are continuous variables within bounds; a categorical column is
one binary per value of its domain, exactly one of which is 1 (an open domain
has a slot for "any other value"). A clause of one linear atom is a row; a
clause of several atoms gets a binary per linear atom that switches it on
(big-M, with M from the variables' bounds) and a row saying at least one atom
holds. A clause may be given a relaxation binary r: when r = 1 it need not hold
(validatetools' soft rules). Strict `<` is `<= -EPS`.

HiGHS misjudges problems whose numbers span too many orders of magnitude (it calls feasible
big-M problems infeasible once bounds reach 1e6 next to EPS), so every figure is divided by
`scale` (the largest constant or value involved): bounds of a thousand times that are then
a thousand, and EPS is relative to it. A solve that fails for any reason other than
infeasibility is tried again without presolve, and if it fails again counts as feasible:
never a contradiction or a redundancy claimed on a solver's failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from statguard.analysis.linear import Atom, Clause

EPS = 1e-3  # strict: by at least this share of `scale` (a thousandth of the largest constant, at least 0.001)
OTHER = object()  # the domain slot for a value no rule names


class Model:
    def __init__(self, numeric: dict[str, tuple[float, float]], domains: dict[str, list[Any]],
                 closed: set[str] | frozenset[str] = frozenset(), scale: float = 1.0):
        """`numeric`: column -> (low, high) in the data's units; `scale`: what figures are divided by."""
        self.scale = scale
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.integer: list[int] = []
        self.col: dict[Any, int] = {}
        self.rows: list[tuple[dict[int, float], float, float]] = []
        for name, (lo, hi) in numeric.items():
            self.col[name] = self._new(lo / scale, hi / scale, 0)
        for name, values in domains.items():
            slots = list(values) + ([] if name in closed else [OTHER])
            cols = {self._new(0, 1, 1): 1.0 for _ in slots}
            for j, value in zip(cols, slots, strict=True):
                self.col[(name, _key(value))] = j
            self.rows.append((cols, 1.0, 1.0))

    def _new(self, lo: float, hi: float, integer: int) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        self.integer.append(integer)
        return len(self.lo) - 1

    def binary(self) -> int:
        return self._new(0, 1, 1)

    def row(self, coefs: dict[int, float], lo: float, hi: float) -> None:
        self.rows.append((coefs, lo, hi))

    # -- clauses ------------------------------------------------------------------------------
    def clause(self, clause: Clause, relax: int | None = None) -> None:
        """Require the disjunction `clause`, unless binary `relax` is 1."""
        if len(clause) == 1 and clause[0].var is None:
            self._linear(clause[0], relax)
            return
        terms: dict[int, float] = {}
        const = 0.0  # sum(terms) + const >= 1
        for atom in clause:
            if atom.var is not None:
                for j in self._slots(atom):
                    terms[j] = terms.get(j, 0.0) + (-1.0 if atom.negated else 1.0)
                const += 1.0 if atom.negated else 0.0
            else:
                on = self.binary()
                self._linear(atom, on, switch_on=True)
                terms[on] = terms.get(on, 0.0) + 1.0
        if relax is not None:
            terms[relax] = terms.get(relax, 0.0) + 1.0
        self.row(terms, 1.0 - const, float("inf"))

    def _slots(self, atom: Atom) -> list[int]:
        return [self.col[(atom.var, _key(v))] for v in atom.values if (atom.var, _key(v)) in self.col]

    def _linear(self, atom: Atom, binary: int | None, switch_on: bool = False) -> None:
        """a.x op rhs; with `binary`: only when it is 1 (switch_on) or 0 (a relaxation)."""
        coefs = {self.col[v]: c for v, c in atom.coefs}
        rhs, tol = atom.rhs / self.scale, atom.tol / self.scale
        hi = rhs + tol if atom.op == "==" or atom.op == "<=" else rhs - EPS
        sides = [(coefs, hi)]
        if atom.op == "==":
            sides.append(({j: -c for j, c in coefs.items()}, -(rhs - tol)))
        for row, bound in sides:
            if binary is None:
                self.row(row, float("-inf"), bound)
                continue
            big = self._big_m(row, bound)
            # a.x - bound <= M * (1 - on)   or   a.x - bound <= M * relax
            sign = 1.0 if switch_on else -1.0
            self.row({**row, binary: sign * big}, float("-inf"), bound + (big if switch_on else 0.0))

    def _big_m(self, row: dict[int, float], bound: float) -> float:
        top = sum(c * (self.hi[j] if c > 0 else self.lo[j]) for j, c in row.items())
        return max(top - bound, 0.0) + 1.0

    # -- solving ------------------------------------------------------------------------------
    def solve(self, objective: dict[int, float] | None = None, fixed: dict[int, float] | None = None,
              time_limit: float = 10.0, exact: bool = False) -> tuple[bool, list[float] | None]:
        """(feasible, solution) minimising `objective`; `fixed` pins variables to values; `exact`:
        the optimum itself, not one within HiGHS's default gap (0.01%)."""
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_array

        n = len(self.lo)
        lo, hi = np.array(self.lo, float), np.array(self.hi, float)
        for j, value in (fixed or {}).items():
            lo[j] = hi[j] = value
        c = np.zeros(n)
        for j, w in (objective or {}).items():
            c[j] = w
        constraints = []
        if self.rows:
            r, k, v = [], [], []
            for i, (coefs, _, _) in enumerate(self.rows):
                for j, a in coefs.items():
                    r.append(i)
                    k.append(j)
                    v.append(a)
            matrix = coo_array((v, (r, k)), shape=(len(self.rows), n)).tocsr()
            constraints.append(LinearConstraint(matrix, [x[1] for x in self.rows], [x[2] for x in self.rows]))
        for presolve in (True, False):
            with _quiet():
                result = milp(c, constraints=constraints, integrality=np.array(self.integer), bounds=Bounds(lo, hi),
                              options={"time_limit": time_limit, "presolve": presolve,
                                       **({"mip_rel_gap": 0.0} if exact else {})})
            if result.status in (0, 1) and result.x is not None:  # optimal, or a feasible point at the limit
                return True, list(result.x)
            if result.status == 2:  # infeasible
                return False, None
        return True, None  # the solver failed: nothing is claimed on that

    def value(self, solution: list[float], name: str) -> float:
        """A numeric column's value in a solution, in the data's units."""
        return solution[self.col[name]] * self.scale


@contextmanager
def _quiet() -> Iterator[None]:
    """HiGHS's MIP solver prints debugging lines to the process's standard output whatever its
    options say ("HighsMipSolverData::transformNewIntegerFeasibleSolution ..."): standard output
    is sent to /dev/null while it runs, so that a JSON report on stdout stays JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _key(value: Any) -> Any:
    """A domain value as a dictionary key: 1 and True, 1.0 and '1' told apart by their type."""
    return value if value is OTHER else (type(value).__name__, value)
