"""Derived sources: the monthly (or quarterly) increments of a year-to-date series.

A pack declares a derived source instead of a file (statguard.pack.derived):

    sources:
      new_enterprises: {path: data/new_enterprises.csv, keys: [县区, 期间], unit: 县区, period: 期间}
      当月新增:
        derive: {increments_of: new_enterprises, value: 新增规上工业企业, as: 当月新增}

and the engine binds it as a view over the base source: every record of the
base with its columns, plus the increment, i.e. this period's year-to-date
value minus the value of the same series (`by`, default the base's keys
without the period, else its unit) in the period just before, in the same
year and of the same frequency ("2024年1-9月" minus "2024年1-8月", 2024Q3
minus 2024Q2). The first period of a year (January, the first quarter, a
year) is its own increment. The increment is NULL when the value is missing
on either side, when the period before was not reported (an increment over
two months is not a monthly figure), when the period before has several
records for the series, and when the period cannot be read. Any rule kind can
then check the increments like any other column:

    - id: INC-01
      kind: row
      source: 当月新增
      expr: 当月新增 >= 0

The view is built with sqlglot like the time kinds' queries: the base joined
with its period mapping table (statguard.periods), and a LEFT JOIN of the
per-series, per-period values one period back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.checks.plan import NUMERIC_TYPES, alias
from statguard.checks.time.common import MAPPED, mapping_table, same_series
from statguard.errors import SourceError
from statguard.expr import quote_column
from statguard.i18n import register, say
from statguard.periods import bind_mapping, raw_text

if TYPE_CHECKING:
    from statguard.pack.model import Derivation, Pack, Source

CUR, BEFORE = "_sg_cur", "_sg_before"
STEP = ("freq", "year")  # the period before is in the same frequency and year, one index back


def bases_first(pack: Pack, names: list[str]) -> list[str]:
    """`names` plus the sources derived ones are computed from, every base before what derives from it."""
    out: list[str] = []

    def add(name: str, depth: int = 0) -> None:
        source = pack.sources.get(name)
        if source is None or name in out or depth > len(pack.sources):
            return
        if source.derive is not None:
            add(source.derive.increments_of, depth + 1)
        if name not in out:
            out.append(name)

    for name in names:
        add(name)
    return out


register({
    "problem.derive.base_unavailable": {"en": "source '{base}' it derives from is not available",
                                        "zh": "其来源数据源「{base}」不可用"},
    "problem.derive.missing_columns": {"en": "column(s) {missing} not in source '{base}' (columns: {columns})",
                                       "zh": "数据源「{base}」中没有列 {missing}（其列为：{columns}）"},
    "problem.derive.period": {"en": "period", "zh": "期别"},
    "problem.derive.name_taken": {"en": "source '{base}' already has a column '{name}'; name the increment with 'as:'",
                                  "zh": "数据源「{base}」已有列「{name}」；请用 'as:' 为增量另取列名"},
})


def bind_derived(engine: Any, source: Source) -> None:
    """Create the view of derived `source` (its base must be bound) in `engine`."""
    spec = source.derive
    assert spec is not None
    base = spec.increments_of
    if base not in engine.bound:
        raise SourceError(say("problem.derive.base_unavailable", base=base), source=source.name)
    columns = engine.bound[base]
    period = spec.period or source.period
    missing = [c for c in [spec.value, period, *(spec.by or [])] if c and c not in columns]
    if missing or not period:
        shown = ", ".join(missing) or say("problem.derive.period")
        raise SourceError(say("problem.derive.missing_columns", missing=shown, base=base, columns=", ".join(columns)),
                          source=source.name)
    if spec.name in columns:
        raise SourceError(say("problem.derive.name_taken", base=base, name=spec.name), source=source.name)
    bind_mapping(engine, base, period)
    query = increments_query(spec, base, columns, period, _series(source, spec, columns, period))
    engine.bind_view(source.name, query, f"increments of {spec.value} in '{base}' (derived)")


def _series(source: Source, spec: Derivation, columns: dict[str, str], period: str) -> list[str]:
    if spec.by is not None:
        return list(spec.by)
    names = [k for k in source.keys if k != period and k in columns]
    return names or ([source.unit] if source.unit and source.unit in columns else [])


def increments_query(spec: Derivation, base: str, columns: dict[str, str], period: str,
                     series: list[str]) -> exp.Select:
    """SELECT <base columns>, <increment> FROM base, with the period before looked up per series."""
    mapping = exp.Table(this=exp.to_identifier(mapping_table(base, period), quoted=True),
                        alias=exp.TableAlias(this=exp.to_identifier("m", quoted=True)))
    value: exp.Expression = quote_column(spec.value, "t")
    if not columns[spec.value].upper().startswith(NUMERIC_TYPES):
        value = exp.TryCast(this=value, to=exp.DataType.build("DOUBLE"))
    mapped = [alias(quote_column(k, "m"), MAPPED[k]) for k in ("label", "freq", "year", "idx")]
    cur = exp.select(*[quote_column(c, "t") for c in columns], alias(value, "_sg_v"), *mapped)
    cur = cur.from_(exp.Table(this=exp.to_identifier(base, quoted=True),
                              alias=exp.TableAlias(this=exp.to_identifier("t", quoted=True))))
    cur = cur.join(mapping, on=exp.EQ(this=quote_column("raw", "m"), expression=raw_text(quote_column(period, "t"))),
                   join_type="left")
    group = [*[quote_column(c) for c in series], *[quote_column(MAPPED[k]) for k in (*STEP, "idx")]]
    before = (exp.select(*[g.copy() for g in group], alias(exp.Min(this=quote_column("_sg_v")), "_sg_v"),
                         alias(exp.Count(this=exp.Star()), "_sg_n"))
              .from_(CUR).where(exp.Not(this=exp.Is(this=quote_column(MAPPED["label"]), expression=exp.Null())))
              .group_by(*group))
    idx, v = quote_column(MAPPED["idx"], "c"), quote_column("_sg_v", "c")
    increment = (exp.Case()
                 .when(exp.EQ(this=idx.copy(), expression=exp.Literal.number(1)), v.copy())
                 .when(exp.EQ(this=quote_column("_sg_n", "b"), expression=exp.Literal.number(1)),
                       exp.Sub(this=v.copy(), expression=quote_column("_sg_v", "b"))))
    on = [exp.EQ(this=quote_column(MAPPED[k], "b"), expression=quote_column(MAPPED[k], "c")) for k in STEP]
    on.append(exp.EQ(this=quote_column(MAPPED["idx"], "b"),
                     expression=exp.Sub(this=idx.copy(), expression=exp.Literal.number(1))))
    joined = same_series("b", "c", series)
    select = exp.select(*[quote_column(c, "c") for c in columns], alias(increment, spec.name))
    select = select.from_(exp.Table(this=exp.to_identifier(CUR, quoted=True),
                                    alias=exp.TableAlias(this=exp.to_identifier("c", quoted=True))))
    select = select.join(exp.Table(this=exp.to_identifier(BEFORE, quoted=True),
                                   alias=exp.TableAlias(this=exp.to_identifier("b", quoted=True))),
                         on=exp.and_(*on, *([joined] if joined is not None else [])), join_type="left")
    return select.with_(CUR, as_=cur).with_(BEFORE, as_=before)
