"""Rules of one source as linear, categorical and conditional constraints on one record.

A rule becomes a conjunction of clauses; a clause is a disjunction of atoms (the
conjunctive normal form validatetools works with). An atom is either linear,
`sum(coef * column) op rhs` with op `<=`, `<` or `==` (within `tol`), or
categorical, `column in {values}` (negated: not in). `if A then B` is
`not A or B`; `where:` is a condition too. Row rules whose expression is not
linear (a product of two columns, a function, a test for NULL) and part_whole
rules with a relative or reported tolerance are left out: `extract` returns
them as skipped with the reason.

A column is categorical when a rule compares it with text or a truth value, or
it is declared string or boolean; otherwise it is numeric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlglot import exp

if TYPE_CHECKING:
    from statguard.pack.model import Pack, Rule

MAX_CLAUSES = 64  # a rule whose normal form grows past this is left out


class NotLinear(Exception):
    """The rule cannot be written as linear / categorical clauses."""


@dataclass(frozen=True)
class Atom:
    """`sum(coefs) op rhs` (linear), or `var in values` / not in (categorical, `var` set)."""

    coefs: tuple[tuple[str, float], ...] = ()
    op: str = "<="
    rhs: float = 0.0
    tol: float = 0.0
    var: str | None = None
    values: frozenset[Any] = frozenset()
    negated: bool = False

    @property
    def names(self) -> list[str]:
        return [self.var] if self.var is not None else [v for v, _ in self.coefs]

    def negate(self) -> list[Atom]:
        """The atoms whose disjunction is the negation of this atom."""
        if self.var is not None:
            return [Atom(var=self.var, values=self.values, negated=not self.negated)]
        flipped = tuple((v, -c) for v, c in self.coefs)
        if self.op == "<=":  # not (a <= b + tol)  ==  -a < -b - tol
            return [Atom(flipped, "<", -self.rhs - self.tol)]
        if self.op == "<":  # not (a < b)  ==  -a <= -b
            return [Atom(flipped, "<=", -self.rhs)]
        return [Atom(self.coefs, "<", self.rhs - self.tol), Atom(flipped, "<", -self.rhs - self.tol)]

    def holds(self, values: dict[str, Any], eps: float = 0.0) -> bool:
        if self.var is not None:
            return (values.get(self.var) in self.values) != self.negated
        lhs = sum(c * float(values[v]) for v, c in self.coefs)
        slack = 1e-9 * max(1.0, abs(lhs), abs(self.rhs))  # the rounding of the arithmetic
        if self.op == "<=":
            return lhs <= self.rhs + self.tol + slack
        if self.op == "<":
            return lhs < self.rhs - eps
        return abs(lhs - self.rhs) <= self.tol + slack


Clause = tuple[Atom, ...]


@dataclass(eq=False)
class LinRule:
    """A rule (or a declared column bound) as clauses; `label` names it in findings."""

    id: str
    clauses: list[Clause]
    loc: Any = None
    label: str = ""
    premise: list[Clause] | None = None  # the `if:` / `where:` condition, when the rule has one

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(n for c in self.clauses for a in c for n in a.names))

    def holds(self, values: dict[str, Any]) -> bool:
        return all(any(a.holds(values) for a in clause) for clause in self.clauses)


@dataclass
class System:
    """The analysable rules of one source, its categorical columns' domains, what was left out."""

    source: str
    rules: list[LinRule] = field(default_factory=list)
    domains: dict[str, list[Any]] = field(default_factory=dict)  # categorical column -> values
    closed: set[str] = field(default_factory=set)  # categorical columns whose domain is declared (allowed:)
    skipped: dict[str, str] = field(default_factory=dict)  # rule id -> why

    @property
    def numeric(self) -> list[str]:
        names = dict.fromkeys(n for r in self.rules for n in r.names)
        return [n for n in names if n not in self.domains]


def extract(pack: Pack, source: str, rules: list[Rule] | None = None, bounds: bool = True) -> System:
    """The row and part_whole rules of `source` (of `rules`, default the pack's) as a System;
    with `bounds`, the columns' declared min / max are constraints too (named source.column)."""
    system = System(source)
    spec = pack.sources.get(source)
    declared = spec.columns if spec is not None else {}
    categorical = {n for n, c in declared.items() if c.type in ("string", "boolean")}
    parsed: list[tuple[Rule, exp.Expression, exp.Expression | None]] = []
    for rule in rules if rules is not None else pack.rules:
        if rule.problems or rule.kind not in ("row", "part_whole") or getattr(rule.params, "source", None) != source:
            continue
        try:
            if rule.kind == "part_whole":
                system.rules.append(_part_whole(rule))
                continue
            tree, premise = _condition(rule)
        except NotLinear as e:
            system.skipped[rule.id] = str(e)
            continue
        categorical |= _compared_with_text(tree)
        parsed.append((rule, tree, premise))
    for rule, tree, premise in parsed:
        try:
            clauses = _cnf(tree, categorical, float(rule.params.tolerance))
            condition = _cnf(premise, categorical, 0.0) if premise is not None else None
        except NotLinear as e:
            system.skipped[rule.id] = str(e)
            continue
        system.rules.append(LinRule(rule.id, clauses, rule.loc, rule.id, condition))
    for name, column in declared.items():
        if name in categorical and column.allowed:
            system.domains[name] = list(column.allowed)
            system.closed.add(name)
    for r in system.rules:
        for clause in r.clauses:
            for a in clause:
                if a.var is not None:
                    known = system.domains.setdefault(a.var, [])
                    known.extend(v for v in sorted(a.values, key=str) if v not in known)
    if bounds:
        _column_bounds(system, declared, categorical)
    return system


def _column_bounds(system: System, declared: dict[str, Any], categorical: set[str]) -> None:
    used = set(system.numeric)
    for name, column in declared.items():
        if name not in used or name in categorical:
            continue
        for side, value in (("min", column.min), ("max", column.max)):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sign = -1.0 if side == "min" else 1.0
                atom = Atom(((name, sign),), "<=", sign * float(value))
                system.rules.append(LinRule(f"{system.source}.{name}.{side}", [(atom,)], column.loc,
                                            f"{name} {'>=' if side == 'min' else '<='} {value}"))


def _condition(rule: Rule) -> tuple[exp.Expression, exp.Expression | None]:
    """The rule as one condition (`not premise or expr`), and its premise (`if` and `where`)."""
    from statguard.errors import ExpressionError
    from statguard.expr import parse
    p = rule.params
    try:
        tree = parse(p.expr)
        premises = [parse(text) for text in (getattr(p, "where", None), getattr(p, "if_", None)) if text]
    except ExpressionError as e:
        raise NotLinear(str(e)) from None
    if p.tolerance == "reported":
        raise NotLinear("tolerance: reported")
    if getattr(p, "missing", "not_evaluable") == "zero":
        raise NotLinear("missing: zero")
    if not premises:
        return tree, None
    premise = premises[0] if len(premises) == 1 else exp.and_(*(exp.paren(p) for p in premises))
    return exp.or_(exp.Not(this=exp.paren(premise.copy())), exp.paren(tree)), premise


def _part_whole(rule: Rule) -> LinRule:
    p = rule.params
    if p.tolerance == "reported" or p.relative_tolerance or p.where:
        raise NotLinear("tolerance: reported, relative_tolerance or where")
    groups = p.groups or [p]
    clauses: list[Clause] = []
    for g in groups:
        coefs: dict[str, float] = {}
        for part in g.parts:
            coefs[part] = coefs.get(part, 0.0) + 1.0
        coefs[g.whole] = coefs.get(g.whole, 0.0) - 1.0
        terms = tuple((v, c) for v, c in coefs.items() if c)
        op = "==" if p.relation == "equal" else "<="
        clauses.append((Atom(terms, op, 0.0, float(p.tolerance)),))
    return LinRule(rule.id, clauses, rule.loc, rule.id)


def _compared_with_text(tree: exp.Expression) -> set[str]:
    out: set[str] = set()
    for node in tree.find_all(exp.EQ, exp.NEQ, exp.In):
        others = [node.expression] if not isinstance(node, exp.In) else node.expressions
        if isinstance(node.this, exp.Column) and any(_text(o) is not None for o in others):
            out.add(node.this.name)
    for node in tree.find_all(exp.Column):
        if _bare_condition(node):
            out.add(node.name)
    return out


def _bare_condition(node: exp.Expression) -> bool:
    """A column standing as a condition by itself (`married`, `not married`, `a and married`)."""
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    return isinstance(parent, (exp.And, exp.Or, exp.Not)) or parent is None


def _text(node: exp.Expression) -> Any:
    if isinstance(node, exp.Literal) and node.is_string:
        return node.this
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    return None


# -- conjunctive normal form ----------------------------------------------------------------------
def _cnf(node: exp.Expression, categorical: set[str], tol: float, negate: bool = False) -> list[Clause]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Not):
        return _cnf(node.this, categorical, tol, not negate)
    if isinstance(node, (exp.And, exp.Or)):
        left = _cnf(node.this, categorical, tol, negate)
        right = _cnf(node.expression, categorical, tol, negate)
        if isinstance(node, exp.And) != negate:  # a conjunction (or a negated disjunction)
            return left + right
        out = [a + b for a in left for b in right]
        if len(out) > MAX_CLAUSES:
            raise NotLinear("too many cases once written as clauses")
        return out
    atoms = _atoms(node, categorical, tol)  # a conjunction of atoms
    if not negate:
        return [(a,) for a in atoms]
    return [tuple(n for a in atoms for n in a.negate())]


def _atoms(node: exp.Expression, categorical: set[str], tol: float) -> list[Atom]:
    if isinstance(node, exp.Column) and node.name in categorical:
        return [Atom(var=node.name, values=frozenset([True]))]
    if isinstance(node, exp.Between):
        low = exp.GTE(this=node.this, expression=node.args["low"])
        high = exp.LTE(this=node.this, expression=node.args["high"])
        return _atoms(low, categorical, tol) + _atoms(high, categorical, tol)
    if isinstance(node, exp.In) and isinstance(node.this, exp.Column) and node.this.name in categorical:
        values = [_text(v) for v in node.expressions]
        if any(v is None for v in values):
            raise NotLinear("IN with values that are not text")
        return [Atom(var=node.this.name, values=frozenset(values))]
    if isinstance(node, (exp.EQ, exp.NEQ)) and isinstance(node.this, exp.Column) and node.this.name in categorical:
        value = _text(node.expression)
        if value is None:
            raise NotLinear(f"'{node.sql()}' compares a categorical column with something other than text")
        return [Atom(var=node.this.name, values=frozenset([value]), negated=isinstance(node, exp.NEQ))]
    if isinstance(node, (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)):
        left, right = _linear(node.this, categorical), _linear(node.expression, categorical)
        coefs = dict(left[0])
        for v, c in right[0].items():
            coefs[v] = coefs.get(v, 0.0) - c
        rhs = right[1] - left[1]
        terms = tuple((v, c) for v, c in coefs.items() if c)
        flipped = tuple((v, -c) for v, c in terms)
        if isinstance(node, exp.EQ):
            return [Atom(terms, "==", rhs, tol)]
        if isinstance(node, exp.NEQ):
            raise NotLinear("'!=' between numbers")  # a disjunction of two strict inequalities: rare in rules
        if isinstance(node, exp.LTE):
            return [Atom(terms, "<=", rhs, tol)]
        if isinstance(node, exp.GTE):
            return [Atom(flipped, "<=", -rhs, tol)]
        if isinstance(node, exp.LT):
            return [Atom(terms, "<", rhs)]
        return [Atom(flipped, "<", -rhs)]
    raise NotLinear(f"'{node.sql()}' is not a linear comparison")


def _linear(node: exp.Expression, categorical: set[str]) -> tuple[dict[str, float], float]:
    """`node` as (column -> coefficient, constant), or NotLinear."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal) and not node.is_string:
        return {}, float(node.this)
    if isinstance(node, exp.Column) and node.name not in categorical:
        return {node.name: 1.0}, 0.0
    if isinstance(node, exp.Neg):
        coefs, const = _linear(node.this, categorical)
        return {v: -c for v, c in coefs.items()}, -const
    if isinstance(node, (exp.Add, exp.Sub)):
        (a, ca), (b, cb) = _linear(node.this, categorical), _linear(node.expression, categorical)
        sign = 1.0 if isinstance(node, exp.Add) else -1.0
        out = dict(a)
        for v, c in b.items():
            out[v] = out.get(v, 0.0) + sign * c
        return out, ca + sign * cb
    if isinstance(node, (exp.Mul, exp.Div)):
        (a, ca), (b, cb) = _linear(node.this, categorical), _linear(node.expression, categorical)
        if isinstance(node, exp.Div):
            if b or not cb:
                raise NotLinear(f"'{node.sql()}' divides by a column")
            return {v: c / cb for v, c in a.items()}, ca / cb
        if a and b:
            raise NotLinear(f"'{node.sql()}' multiplies two columns")
        factor, (coefs, const) = (ca, (b, cb)) if not a else (cb, (a, ca))
        return {v: factor * c for v, c in coefs.items()}, factor * const
    raise NotLinear(f"'{node.sql()}' is not linear")
