"""Derived sources in a pack: parsing `derive:` and resolving it against the base source.

A derived source is not read from a file; the engine computes it from another
source of the pack (statguard.checks.time.derive builds the view):

    sources:
      当月新增:
        derive: {increments_of: new_enterprises, value: 新增规上工业企业, as: 当月新增}

It takes keys, unit, period and declared columns from its base, plus the
derived column (a number). Problems are located at the `derive:` key they
concern: an unknown base source, an unknown column, a base without a period,
a name that clashes with a base column, derived sources that derive from each
other in a cycle.
"""

from __future__ import annotations

from typing import Any

from statguard.errors import Problem
from statguard.i18n import did_you_mean, say
from statguard.pack import messages  # noqa: F401  (registers the texts of pack.*)
from statguard.pack.model import Column, Derivation, Pack, Source
from statguard.pack.yamlio import Loc, LocDict, LocList

DERIVE_KEYS = {"increments_of", "value", "as", "by", "period"}
DERIVED_SOURCE_KEYS = {"derive", "description"}  # everything else comes from the base


def parse_derivation(name: str, spec: LocDict, problems: list[Problem]) -> Derivation | None:
    """The `derive:` mapping of source `name`, or None (with problems) when it is malformed."""
    value = spec.get("derive")
    where = spec.where("derive")
    for key in spec:
        if key not in DERIVED_SOURCE_KEYS:
            problems.append(_fatal(spec.key_locs[key].problem(
                say("pack.derive.takes_from_base", name=name, key=key, keys=", ".join(sorted(DERIVED_SOURCE_KEYS))),
                key)))
    if not isinstance(value, LocDict):
        problems.append(_fatal(where.problem(
            say("pack.derive.mapping", name=name), "derive")))
        return None
    ok = True
    for key in value:
        if key not in DERIVE_KEYS:
            problems.append(_fatal(value.key_locs[key].problem(
                say("pack.derive.unknown_key", key=key, name=name, expected=", ".join(sorted(DERIVE_KEYS))),
                f"derive.{key}")))
            ok = False
    for key in ("increments_of", "value"):
        if not isinstance(value.get(key), str) or not value.get(key):
            problems.append(_fatal(value.loc.problem(say("pack.derive.needs", name=name, key=key), f"derive.{key}")))
            ok = False
    by = value.get("by")
    if isinstance(by, str):
        by = [by]
    if by is not None and not (isinstance(by, LocList | list) and all(isinstance(b, str) for b in by)):
        problems.append(_fatal(value.where("by").problem(say("pack.derive.by"), "derive.by")))
        ok = False
    for key in ("as", "period"):
        if key in value and not isinstance(value[key], str):
            problems.append(_fatal(value.where(key).problem(say("pack.derive.column_name", key=key), f"derive.{key}")))
            ok = False
    if not ok:
        return None
    return Derivation(increments_of=value["increments_of"], value=value["value"], name=value.get("as") or "increment",
                      by=[str(b) for b in by] if by is not None else None, period=value.get("period"),
                      loc=where, field_locs={k: value.where(k) for k in value})


def resolve_derived(pack: Pack, problems: list[Problem]) -> None:
    """Give each derived source the keys, unit, period and columns of its base; report what does not fit."""
    done: set[str] = set()
    for name, source in pack.sources.items():
        if source.derive is not None and name not in done:
            _resolve(pack, name, [], done, problems)


def _resolve(pack: Pack, name: str, chain: list[str], done: set[str], problems: list[Problem]) -> bool:
    """Resolve `name` after its base; False when it cannot be (its problem is already reported)."""
    source = pack.sources[name]
    spec = source.derive
    if spec is None or name in done:
        return True
    if name in chain:
        cycle = " -> ".join([*chain[chain.index(name):], name])
        for member in chain[chain.index(name):]:
            member_spec = pack.sources[member].derive
            assert member_spec is not None
            problems.append(_fatal(_at(member_spec, "increments_of").problem(
                say("pack.derive.cycle", cycle=cycle), "derive.increments_of")))
            done.add(member)
        return False
    base = pack.sources.get(spec.increments_of)
    if base is None:
        known = ", ".join(sorted(n for n in pack.sources if n != name)) or say("pack.derive.none_declared")
        problems.append(_fatal(_at(spec, "increments_of").problem(
            say("pack.derive.unknown_source", name=name, base=spec.increments_of, known=known),
            "derive.increments_of")))
        done.add(name)
        return False
    ok = _resolve(pack, base.name, [*chain, name], done, problems)
    if name in done:  # reported as part of a cycle meanwhile
        return False
    done.add(name)
    if not ok:
        return False
    found = _column_problems(name, spec, base)
    problems.extend(found)
    if not found:
        _inherit(source, spec, base)
    return not found


def _column_problems(name: str, spec: Derivation, base: Source) -> list[Problem]:
    out: list[Problem] = []
    declared = base.declared

    def unknown(column: str, key: str) -> None:
        if declared is not None and column not in declared:
            hint = did_you_mean(column, declared)
            out.append(_fatal(_at(spec, key).problem(
                say("pack.derive.unknown_column", name=name, column=column, base=base.name, hint=hint),
                f"derive.{key}")))

    unknown(spec.value, "value")
    for column in spec.by or []:
        unknown(column, "by")
    period = spec.period or base.period
    if not period:
        out.append(_fatal(_at(spec, "increments_of").problem(
            say("pack.derive.no_period", name=name, base=base.name), "derive.period")))
    elif spec.period:
        unknown(spec.period, "period")
    column = base.columns.get(spec.value)
    if column is not None and column.type not in (None, "integer", "number"):
        out.append(_fatal(_at(spec, "value").problem(
            say("pack.derive.not_number", name=name, column=spec.value, base=base.name, type=column.type),
            "derive.value")))
    if spec.name in (declared or []):
        out.append(_fatal(_at(spec, "as" if "as" in spec.field_locs else "increments_of").problem(
            say("pack.derive.name_taken", name=name, base=base.name, column=spec.name), "derive.as")))
    return out


def _inherit(source: Source, spec: Derivation, base: Source) -> None:
    source.keys, source.unit, source.scope = list(base.keys), base.unit, base.scope
    source.period = spec.period or base.period
    if base.columns:
        source.columns = dict(base.columns)
        source.columns[spec.name] = Column(name=spec.name, type="number", loc=spec.loc,
                                           description=say("pack.derive.increment_column", value=spec.value))


def _at(spec: Derivation, key: str) -> Loc:
    loc = spec.where(key)
    assert loc is not None
    return loc


def _fatal(problem: Problem) -> Problem:
    from dataclasses import replace
    return replace(problem, fatal=True)


def describe(spec: Any) -> str:
    """One line saying what a derived source is, for reports."""
    return say("pack.derive.describe", value=spec.value, base=spec.increments_of)
