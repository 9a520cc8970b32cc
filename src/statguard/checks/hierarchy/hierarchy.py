"""Values of child codes add up to their parent's value, following a code hierarchy.

The data are in long form: one record per code (and per group, e.g. period and
measure) with a value. The hierarchy is a child-parent table, either a source
with a child and a parent column (a code list such as NACE, or counties ->
city) or an inline `mapping` of parent: [children]. Every parent that has
children is compared with the sum of its direct children, in every group given
by `by`; a multi-level hierarchy is thus checked level by level. A violation
carries the parent's value (observed), the children's sum (expected), the
imbalance, the number of children present and which were missing.

Missing items follow the modes of VTL 2.1 `check_hierarchy` (`mode`). The
default, partial_zero, compares every parent of which the parent or at least
one child is present, an absent record counting as 0: the semantics of R
validate's `hierarchy()` (a parent present without children, or children
without their parent, fail). VTL's own default, non_null, compares only
parents with every child present, which on a real code list (NACE: most codes
have children nobody reports) compares nothing. `parents:` limits the
comparisons to parents whose code matches a pattern (glob `C*`, `1?`, or LIKE
`C%` when the pattern holds a %). Codes of the data that the hierarchy does not
know are one violation per code (`unknown_codes: fail`, the default), one not
evaluable item per code (not_evaluable) or ignored. Two records with the same
code in one group make the comparisons they take part in fail. A hierarchy in
which a code has two parents or which has a cycle is a pack problem located in
the YAML when it is inline, and makes the rule errored when it comes from a
source.

`tolerance: reported` allows the rounding of the reported figures: half a
unit of the last digit of the parent's value plus those of its children, with
the decimals taken from the text as submitted (statguard.checks.rounding) or
from `decimals:`: one number for all, code -> decimals, or a table of decimals
per code joined on each record's code, `{source: indicators, code: indicator,
decimals: decimals}` (the canonical indicators table; `column` reads the codes
from another column than `code`), for long-format doubles that carry no text.
Codes the table lacks keep their text's decimals. `val:tolerance` carries it.

Passing example (city total = sum of its counties, per category):

    - id: ENT-01
      kind: hierarchy
      source: new_enterprises
      code: 地区
      value: 新增企业数
      by: [类别]
      mapping: {全市: [甲县, 乙县, 丙县, 丁县, 戊县, 己县]}

Failing data for it: 全市 industrial 34 while the counties report
21 + 8 + 2 + 2 + 2 = 35 (observed 34, expected 35, imbalance -1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator
from sqlglot import exp

from statguard.checks import rounding
from statguard.checks.hierarchy.modes import MODE_HELP, Mode, cat, fn, labelled, verdict, zero_filled
from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    IMBALANCE,
    KEY,
    OBSERVED,
    PERIOD,
    STATUS,
    UNIT,
    VAL,
    Context,
    Plan,
    alias,
    lang_of,
    pieces,
)
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError, Problem, StatguardError
from statguard.expr import quote_column
from statguard.i18n import register, say, speaking, t
from statguard.pack.model import Rule

if TYPE_CHECKING:
    import pandas as pd

CODE, VALUE, N, NN = "_sg_code", "_sg_v", "_sg_n", "_sg_nn"
CHILD, PARENT = "_sg_child", "_sg_parent"
HW = "_sg_hw"  # half a unit of the last reported digit (tolerance: reported)
OWN_UNIT = "_sg_own_unit"  # the unit named on a code's own records, where the unit is another column


class HierarchyParams(Params):
    source: str = Field(description="Name of the source holding one record per code (and group) with a value.")
    code: str = Field(description="Column holding the codes of the hierarchy (e.g. region, 地区, NACE code).")
    value: str = Field(description="Column holding the value that must add up.")
    by: list[str] = Field(default_factory=list, description=(
        "Columns defining the groups checked separately (e.g. period and measure)."))
    hierarchy: str | None = Field(None, description=(
        "Name of a source with one child-parent pair per record (give this or `mapping`)."))
    child: str = Field("child", description="Column of `hierarchy` holding the child code.")
    parent: str = Field("parent", description="Column of `hierarchy` holding the parent code (empty for roots).")
    mapping: dict[str, list[str | int]] | None = Field(None, description=(
        "Inline hierarchy: parent code -> list of its child codes (give this or `hierarchy`)."))
    mode: Mode = Field("partial_zero", description=MODE_HELP + " Default partial_zero, as R validate's hierarchy().")
    parents: list[str | int] | None = Field(None, min_length=1, description=(
        "Only parents whose code matches one of these patterns are compared: glob (C*, 1?, [AB]*) or, "
        "when a pattern holds a %, LIKE (C%). Default: every parent."))
    tolerance: rounding.Tolerance = Field(1e-8, description=(
        "Absolute tolerance of parent - sum of children, or 'reported': half a unit of the last reported digit "
        "of the parent's value plus those of its children's."))
    decimals: rounding.Decimals = rounding.decimals_field("code")
    relative_tolerance: float = Field(0, ge=0, description=(
        "Relative tolerance: the imbalance may also be up to this share of the parent's value (0.01 = 1%)."))
    unknown_codes: Literal["fail", "not_evaluable", "ignore"] = Field("fail", description=(
        "Codes of the data missing from the hierarchy: fail (one violation per code), not_evaluable "
        "(one not evaluable item per code) or ignore."))
    where: str | None = Field(None, description="Only records for which this is true are used.")

    @field_validator("parents", mode="before")
    @classmethod
    def _one_pattern(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, int)) else value

    def source_names(self) -> list[str]:
        return ([self.source] + ([self.hierarchy] if self.hierarchy else [])
                + rounding.decimals_sources(self.decimals, self.tolerance))


@rule_kind("hierarchy", HierarchyParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: HierarchyParams = rule.params
    ctx.source(p.source)
    for name, field_name in [(p.code, "code"), (p.value, "value"), *((b, "by") for b in p.by)]:
        ctx.require_column(p.source, name, field_name)
    if (p.hierarchy is None) == (p.mapping is None):
        raise PackError(ctx.problem(say("problem.hierarchy.source_or_mapping"), "hierarchy"))
    where = ctx.compile(p.where, "where", {None: p.source}).tree if p.where else None
    if p.mapping is not None:
        pairs = [(str(c), str(parent)) for parent, kids in p.mapping.items() for c in kids]
        _raise_if_malformed(pairs, rule, ctx)
        if p.tolerance == rounding.REPORTED:
            rounding.check_decimals(ctx, p.decimals, dict.fromkeys(c for pair in pairs for c in pair), "codes",
                                    p.source, _lookup_column(p))
        query = build_query(p, ctx, _values_table(pairs), where)
        return Plan(query=query, order_by=ORDER)
    ctx.source(p.hierarchy, "hierarchy")
    if p.tolerance == rounding.REPORTED:
        rounding.check_decimals(ctx, p.decimals, None, "codes", p.source, _lookup_column(p))
    ctx.require_column(p.hierarchy, p.child, "child")
    ctx.require_column(p.hierarchy, p.parent, "parent")
    edges = _edges_of_source(p, ctx)
    query = build_query(p, ctx, edges, where)
    if ctx.linting:
        return Plan(query=query, order_by=ORDER)
    lang = lang_of(ctx)  # the run happens on an engine thread, outside the language spoken here
    # meta: the query of every item, for callers that need them all (statguard compare) or the
    # not-evaluable ones (lacking_query), once `prepare` has refused a malformed hierarchy
    return Plan(run=lambda engine: _run_checked(engine, edges, query, p.hierarchy or "", lang),
                meta={"query": query, "prepare": lambda engine: _check_edges(engine, edges, p.hierarchy or "", lang)})


ORDER = ['ABS("_imbalance") DESC NULLS LAST']
register({
    "problem.hierarchy.source_or_mapping": {
        "en": "give either 'hierarchy' (a source of child-parent pairs) or an inline 'mapping' of parent: [children], "
              "not both",
        "zh": "'hierarchy'（下级-上级代码对照的数据源）和直接写出的 'mapping'（上级: [下级]）只能给出其一"},
    "problem.hierarchy.two_parents": {"en": "code '{code}' has {n} parents ({parents}); a code may have one "
                                            "parent only",
                                      "zh": "代码「{code}」有 {n} 个上级（{parents}）；一个代码只能有一个上级"},
    "problem.hierarchy.cycle": {"en": "cycle in the hierarchy: {path} (child -> parent)",
                                "zh": "层级关系有循环：{path}（下级 -> 上级）"},
    "problem.hierarchy.not_a_hierarchy": {"en": "hierarchy source '{source}' is not a hierarchy: {found}",
                                          "zh": "层级数据源「{source}」不构成层级关系：{found}"},
    "problem.hierarchy.more": {"en": " (and {n} more)", "zh": "（另有 {n} 处）"},
    "detail.hierarchy.present": {"en": "{where}: children present {present}/{all}",
                                 "zh": "{where}：已报下级 {present}/{all}"},
    "detail.hierarchy.parent_missing": {"en": "parent missing", "zh": "上级缺失"},
    "detail.hierarchy.duplicates": {"en": "duplicate records: ", "zh": "重复记录："},
    "detail.hierarchy.unknown_code": {"en": "{code}: code not in the hierarchy ({n} records)",
                                      "zh": "{code}：代码不在层级表中（{n} 条记录）"},
})


# -- the child-parent table ---------------------------------------------------------------
def malformed(pairs: list[tuple[str, str]]) -> list[tuple[str | None, str]]:
    """Why a list of (child, parent) pairs is not a hierarchy: two parents, cycles; each as
    (the code with two parents or None, the message)."""
    parents: dict[str, list[str]] = {}
    for child, parent in pairs:
        if parent not in parents.setdefault(child, []):
            parents[child].append(parent)
    problems: list[tuple[str | None, str]] = [
        (c, say("problem.hierarchy.two_parents", code=c, n=len(ps), parents=", ".join(ps)))
        for c, ps in parents.items() if len(ps) > 1]
    up = {c: ps[0] for c, ps in parents.items()}
    seen_cycles: set[frozenset[str]] = set()
    for start in up:
        path, node = [start], up[start]
        while node in up and node not in path:
            path.append(node)
            node = up[node]
        if node in path:
            cycle = path[path.index(node):]
            first = cycle.index(min(cycle))
            cycle, node = cycle[first:] + cycle[:first], min(cycle)
            if frozenset(cycle) not in seen_cycles:
                seen_cycles.add(frozenset(cycle))
                problems.append((None, say("problem.hierarchy.cycle", path=" -> ".join([*cycle, node]))))
    return problems


def _raise_if_malformed(pairs: list[tuple[str, str]], rule: Rule, ctx: Context) -> None:
    found = malformed(pairs)
    if found:
        raise PackError([_mapping_problem(code, msg, rule, ctx) for code, msg in found])


def _mapping_problem(code: str | None, message: str, rule: Rule, ctx: Context) -> Problem:
    """Locate a problem at the mapping entry it names, when that can be found."""
    mapping = rule.raw.get("mapping") if isinstance(rule.raw, dict) else None
    for parent, kids in (mapping or {}).items():
        item_locs = getattr(kids, "item_locs", None)
        if code is None or not item_locs:
            continue
        hits = [loc for kid, loc in zip(kids, item_locs, strict=False) if str(kid) == code]
        if hits and parent != next(p for p, ks in mapping.items() if code in map(str, ks)):
            return hits[0].problem(message, "mapping")
    return ctx.problem(message, "mapping")


def _values_table(pairs: list[tuple[str, str]]) -> exp.Expression:
    unique = list(dict.fromkeys(pairs))
    return exp.select(exp.column(CHILD), exp.column(PARENT)).from_(
        exp.values(unique, alias="m", columns=[CHILD, PARENT]))


def _edges_of_source(p: HierarchyParams, ctx: Context) -> exp.Select:
    child = exp.cast(quote_column(p.child), "VARCHAR")
    parent = exp.cast(quote_column(p.parent), "VARCHAR")
    return (exp.select(alias(child, CHILD), alias(parent, PARENT)).distinct()
            .from_(ctx.table(p.hierarchy or ""))
            .where(exp.and_(child.copy().is_(exp.null()).not_(), parent.copy().is_(exp.null()).not_(),
                            exp.NEQ(this=exp.Trim(this=parent.copy()), expression=exp.Literal.string("")))))


def _run_checked(engine: Any, edges: exp.Select, query: exp.Select,
                 source: str, lang: str | None) -> tuple[dict[str, int], pd.DataFrame]:
    """Refuse a malformed hierarchy source, then run the comparison."""
    _check_edges(engine, edges, source, lang)
    items = engine.frame(query)
    counts = {str(k): int(v) for k, v in items[STATUS].value_counts().items()}
    fails = items[items[STATUS] == "fail"]
    fails = fails.sort_values(IMBALANCE, key=lambda s: -s.abs(), na_position="last", kind="stable")
    return counts, fails.reset_index(drop=True)


def _check_edges(engine: Any, edges: exp.Select, source: str, lang: str | None) -> None:
    """Refuse a hierarchy source that is not a hierarchy (two parents, cycles)."""
    pairs = sorted((str(c), str(p)) for c, p in engine.frame(edges).itertuples(index=False))
    with speaking(lang):
        found = malformed(pairs)
    if found:
        more = t("problem.hierarchy.more", lang, n=len(found) - 5) if len(found) > 5 else ""
        raise StatguardError(t("problem.hierarchy.not_a_hierarchy", lang, source=source,
                               found="; ".join(m for _, m in found[:5]) + more))


# -- the comparison -----------------------------------------------------------------------
def _col(name: str, table: str | None = None) -> exp.Column:
    return quote_column(name, table)


def _same_group(by: list[str], left: str, right: str) -> exp.Expression:
    conds = [exp.NullSafeEQ(this=_col(b, left), expression=_col(b, right)) for b in by]
    return exp.and_(*conds) if conds else exp.true()


def _reported(p: HierarchyParams) -> bool:
    return p.tolerance == rounding.REPORTED


def _lookup_column(p: HierarchyParams) -> str:
    """The column whose codes are looked up in a decimals table: its `column`, else the rule's `code`."""
    return (p.decimals.column if isinstance(p.decimals, rounding.DecimalsTable) else None) or p.code


def _record_half_width(p: HierarchyParams) -> exp.Expression:
    """A record's half-width: fixed by `decimals:` for its code, else from its text."""
    hw: exp.Expression = rounding.hw_column(p.value)
    if not isinstance(p.decimals, dict) or not p.decimals:
        return hw
    case = exp.Case()
    for code, places in p.decimals.items():
        case = case.when(exp.EQ(this=exp.cast(_col(p.code), "VARCHAR"), expression=exp.Literal.string(str(code))),
                         rounding.figure_half_width(_col(p.value), places))
    return case.else_(hw)


def build_query(p: HierarchyParams, ctx: Context, edges: exp.Expression,
                where: exp.Expression | None) -> exp.Select:
    """Items: one per (group, parent) produced by the mode, plus one per unknown code."""
    reported = _reported(p)
    table: exp.Expression = ctx.table(p.source)
    if reported:
        kept = p.decimals if isinstance(p.decimals, (int, rounding.DecimalsTable)) else None
        table = rounding.records(ctx, p.source, [p.value], kept, code=_lookup_column(p))
    records = exp.select(*[_col(b) for b in p.by],
                         alias(exp.cast(_col(p.code), "VARCHAR"), CODE),
                         alias(exp.TryCast(this=_col(p.value), to=exp.DataType.build("DOUBLE")), VALUE)
                         ).from_(table)
    if reported:
        records = records.select(alias(_record_half_width(p), HW))
    own_unit = _own_unit(p, ctx)
    if own_unit:
        records = records.select(alias(_col(own_unit), OWN_UNIT))
    if where is not None:
        records = records.where(exp.paren(where))
    by_cols = [_col(b) for b in p.by]
    values = (exp.select(*by_cols, _col(CODE), alias(exp.Sum(this=_col(VALUE)), VALUE),
                         alias(exp.Count(this=exp.Star()), N), alias(exp.Count(this=_col(VALUE)), NN),
                         *([alias(exp.Sum(this=_col(HW)), HW)] if reported else []),
                         *([alias(exp.Min(this=_col(OWN_UNIT)), OWN_UNIT)] if own_unit else []))
              .from_("d").group_by(*[_col(b) for b in p.by], _col(CODE)))
    groups = exp.select(*[_col(b) for b in p.by] or [alias(exp.Literal.number(1), "_sg_all")]).distinct().from_("d")
    query = _compared(p, ctx)
    if p.unknown_codes != "ignore":
        query = exp.union(query, _unknown(p, ctx), distinct=False)
    final = exp.select("*").from_(query.subquery("items"))
    for name, body in (("d", records), ("v", values), ("g", groups), ("e", edges),
                       ("k", _children(p)), ("r", _with_parent(p, ctx))):
        final = final.with_(name, as_=body)
    return final


def _children(p: HierarchyParams) -> exp.Select:
    """Per group and parent: how many children exist, are present, hold values, and their sum."""
    child_code = _col(CHILD, "e")
    absent = _col(CODE, "v").is_(exp.null())
    nulled = exp.and_(absent.copy().not_(), _col(VALUE, "v").is_(exp.null()))

    def names(cond: exp.Expression) -> exp.Expression:
        agg = exp.GroupConcat(this=exp.Order(this=child_code.copy(), expressions=[exp.Ordered(this=child_code.copy())]),
                              separator=exp.Literal.string(", "))
        return exp.Filter(this=agg, expression=exp.Where(this=cond))

    nonzero = exp.Max(this=exp.Cast(this=exp.NEQ(this=_col(VALUE, "v"), expression=exp.Literal.number(0)),
                                    to=exp.DataType.build("INTEGER")))
    group_cols = [_col(b, "g") for b in p.by]
    return (exp.select(*[alias(c, c.name) for c in group_cols], alias(_col(PARENT, "e"), PARENT),
                       alias(exp.Count(this=exp.Star()), "_sg_k_all"),
                       alias(exp.Count(this=_col(CODE, "v")), "_sg_k_present"),
                       alias(exp.Count(this=_col(VALUE, "v")), "_sg_k_values"),
                       alias(exp.Sum(this=_col(VALUE, "v")), "_sg_k_sum"),
                       alias(nonzero, "_sg_k_nonzero"),
                       alias(exp.Max(this=_col(N, "v")), "_sg_k_dup"),
                       alias(names(absent), "_sg_missing"), alias(names(nulled), "_sg_nulls"),
                       alias(names(exp.GT(this=_col(N, "v"), expression=exp.Literal.number(1))), "_sg_dups"),
                       *([alias(exp.Sum(this=_col(HW, "v")), "_sg_k_hw")] if _reported(p) else []))
            .from_("g").join(_chosen_edges(p), join_type="CROSS")
            .join(exp.to_table("v"), on=exp.and_(exp.EQ(this=_col(CODE, "v"), expression=child_code.copy()),
                                                  _same_group(p.by, "v", "g")), join_type="LEFT")
            .group_by(*[c.copy() for c in group_cols], _col(PARENT, "e")))


def _chosen_edges(p: HierarchyParams) -> exp.Expression:
    """The child-parent pairs of the parents compared: all, or those `parents:` chooses."""
    if not p.parents:
        return exp.to_table("e")
    parent = _col(PARENT)
    matches = [exp.Like(this=parent.copy(), expression=exp.Literal.string(str(pattern))) if "%" in str(pattern)
               else exp.Glob(this=parent.copy(), expression=exp.Literal.string(str(pattern)))
               for pattern in p.parents]
    chosen = exp.select(_col(CHILD), _col(PARENT)).from_("e").where(exp.or_(*matches))
    return exp.Subquery(this=chosen, alias=exp.TableAlias(this=exp.to_identifier("e")))


def _with_parent(p: HierarchyParams, ctx: Context) -> exp.Select:
    on = exp.and_(exp.EQ(this=_col(CODE, "pv"), expression=_col(PARENT, "k")), _same_group(p.by, "pv", "k"))
    return (exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("k")),
                       alias(_col(CODE, "pv").is_(exp.null()).not_(), "_sg_p_present"),
                       alias(_col(VALUE, "pv"), "_sg_p_v"), alias(_col(N, "pv"), "_sg_p_n"),
                       *([alias(_col(HW, "pv"), "_sg_p_hw")] if _reported(p) else []),
                       *([alias(_col(OWN_UNIT, "pv"), OWN_UNIT)] if _own_unit(p, ctx) else []))
            .from_(exp.to_table("k")).join(exp.alias_(exp.to_table("v"), "pv"), on=on, join_type="LEFT"))


def _sides(mode: str) -> tuple[exp.Expression, exp.Expression]:
    present, pv = _col("_sg_p_present"), _col("_sg_p_v")
    k_all, k_present, k_values, k_sum = (_col(n) for n in ("_sg_k_all", "_sg_k_present", "_sg_k_values", "_sg_k_sum"))
    if zero_filled(mode):
        observed = exp.If(this=present, true=pv, false=exp.Literal.number(0))
        expected = exp.If(this=exp.EQ(this=k_values, expression=k_present),
                          true=exp.Coalesce(this=k_sum, expressions=[exp.Literal.number(0)]), false=exp.null())
    else:
        observed = pv
        expected = exp.If(this=exp.EQ(this=k_values, expression=k_all), true=k_sum, false=exp.null())
    return observed, expected


def _produced(mode: str) -> exp.Expression:
    present, pv = _col("_sg_p_present"), _col("_sg_p_v")
    if mode == "non_null":
        return exp.and_(present, pv.is_(exp.null()).not_(),
                        exp.EQ(this=_col("_sg_k_values"), expression=_col("_sg_k_all")))
    if mode == "non_zero":
        parent_nonzero = exp.Coalesce(this=exp.NEQ(this=pv, expression=exp.Literal.number(0)),
                                      expressions=[exp.false()])
        return exp.or_(parent_nonzero, exp.EQ(this=exp.Coalesce(this=_col("_sg_k_nonzero"),
                                                                 expressions=[exp.Literal.number(0)]),
                                               expression=exp.Literal.number(1)))
    if mode.startswith("partial"):
        return exp.or_(present, exp.GT(this=_col("_sg_k_present"), expression=exp.Literal.number(0)))
    return exp.true()


def _own_unit(p: HierarchyParams, ctx: Context) -> str | None:
    """The source's unit column where it is neither the code nor a group: each code's items then
    name the unit its own records give (a city's total, 全市), so that a parent's failing sum
    is counted for the unit that reported it."""
    unit = ctx.source(p.source).unit
    cols = ctx.columns(p.source)
    if not unit or unit == p.code or unit in p.by or (cols is not None and unit not in cols):
        return None
    return unit


def _identity(p: HierarchyParams, ctx: Context, code: exp.Expression) -> list[exp.Expression]:
    spec = ctx.source(p.source)
    out: list[exp.Expression] = []
    if spec.unit and (spec.unit == p.code or spec.unit in p.by):
        out.append(alias(code.copy() if spec.unit == p.code else _col(spec.unit), UNIT))
    elif _own_unit(p, ctx):
        out.append(alias(_col(OWN_UNIT), UNIT))
    if spec.period and spec.period in p.by:
        out.append(alias(_col(spec.period), PERIOD))
    out.extend(alias(_col(b), KEY + b) for b in p.by)
    out.append(alias(code.copy(), KEY + p.code))
    return out


def _compared(p: HierarchyParams, ctx: Context) -> exp.Select:
    observed, expected = _sides(p.mode)
    dup = exp.or_(exp.GT(this=_col("_sg_k_dup"), expression=exp.Literal.number(1)),
                  exp.GT(this=_col("_sg_p_n"), expression=exp.Literal.number(1)))
    parent_dup = exp.If(this=exp.GT(this=_col("_sg_p_n"), expression=exp.Literal.number(1)),
                        true=_col(PARENT), false=exp.null())
    duplicates = fn("concat_ws", exp.Literal.string(", "), parent_dup, _col("_sg_dups"))
    where = fn("concat_ws", exp.Literal.string(" "), _col(PARENT), *[exp.cast(_col(b), "VARCHAR") for b in p.by])
    lang = lang_of(ctx)
    detail = fn("concat_ws", exp.Literal.string(t("detail.parts.sep", lang)),
                cat(*pieces("detail.hierarchy.present", lang, where=where,
                            present=exp.cast(_col("_sg_k_present"), "VARCHAR"),
                            all=exp.cast(_col("_sg_k_all"), "VARCHAR"))),
                exp.If(this=_col("_sg_p_present"), true=exp.null(),
                       false=exp.Literal.string(t("detail.hierarchy.parent_missing", lang))),
                labelled(t("detail.parts.missing", lang), _col("_sg_missing")),
                labelled(t("detail.parts.null", lang), _col("_sg_nulls")),
                labelled(t("detail.hierarchy.duplicates", lang),
                         exp.Nullif(this=duplicates, expression=exp.Literal.string(""))))
    imbalance = exp.Sub(this=exp.paren(observed.copy()), expression=exp.paren(expected.copy()))
    extra: list[exp.Expression] = []
    if _reported(p):  # blank cells counted as 0 are exact; a NULL side makes the item 'na' anyway
        tolerance = exp.Add(this=exp.Coalesce(this=_col("_sg_p_hw"), expressions=[exp.Literal.number(0)]),
                            expression=exp.Coalesce(this=_col("_sg_k_hw"), expressions=[exp.Literal.number(0)]))
        status = rounding.verdict(observed, expected, tolerance, p.relative_tolerance, dup)
        extra.append(alias(rounding.shown(tolerance), VAL + "tolerance"))
    else:
        status = verdict(observed, expected, float(p.tolerance), p.relative_tolerance, dup)
    return (exp.select(alias(status, STATUS),
                       *_identity(p, ctx, _col(PARENT)),
                       alias(_col("_sg_k_present"), VAL + "children_present"),
                       alias(_col("_sg_k_all"), VAL + "children"),
                       alias(observed, OBSERVED), alias(expected, EXPECTED), alias(imbalance, IMBALANCE),
                       alias(detail, DETAIL), *extra)
            .from_("r").where(_produced(p.mode)))


def _unknown(p: HierarchyParams, ctx: Context) -> exp.Select:
    """One failing item per code of the data that the hierarchy does not know."""
    known = exp.union(exp.select(_col(CHILD)).from_("e"), exp.select(_col(PARENT)).from_("e"), distinct=True)
    nulls = [alias(exp.null(), KEY + b) for b in p.by]
    spec = ctx.source(p.source)
    identity: list[exp.Expression] = []
    if spec.unit and (spec.unit == p.code or spec.unit in p.by):
        identity.append(alias(_col(CODE) if spec.unit == p.code else exp.null(), UNIT))
    elif _own_unit(p, ctx):
        identity.append(alias(exp.Min(this=_col(OWN_UNIT)), UNIT))
    if spec.period and spec.period in p.by:
        identity.append(alias(exp.null(), PERIOD))
    detail = cat(*pieces("detail.hierarchy.unknown_code", lang_of(ctx), code=_col(CODE),
                         n=exp.cast(exp.Count(this=exp.Star()), "VARCHAR")))
    verdict = "fail" if p.unknown_codes == "fail" else "na"
    return (exp.select(alias(exp.Literal.string(verdict), STATUS), *identity, *nulls, alias(_col(CODE), KEY + p.code),
                       alias(exp.null(), VAL + "children_present"), alias(exp.null(), VAL + "children"),
                       alias(exp.Sum(this=_col(VALUE)), OBSERVED), alias(exp.null(), EXPECTED),
                       alias(exp.null(), IMBALANCE), alias(detail, DETAIL),
                       *([alias(exp.null(), VAL + "tolerance")] if _reported(p) else []))
            .from_("d").where(exp.and_(_col(CODE).is_(exp.null()).not_(),
                                       exp.Not(this=exp.In(this=_col(CODE), query=known.subquery()))))
            .group_by(_col(CODE)))
