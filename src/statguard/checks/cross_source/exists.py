"""Each record of a source has at least one matching record in another source.

A record of `source` (A) passes when `other` (B) holds at least one record
with the same values in the key columns `match` (names may differ between the
two), optionally with B's date in a window relative to A's date (e.g. a
contribution month in [start_month, start_month + 3 months), calendar
arithmetic, so windows cross year ends) and optionally satisfying
`other_where` on B. One violation per unmatched record of A, with its keys.

NULL semantics: NULL never matches. A record of A with a NULL key or a NULL
window date is not evaluable (counted apart, never a violation); records of B
with NULL keys are never matched. Window dates may be months as text
('2024-03'); a window date that is not a month or a day is not evaluable,
with a detail saying so. Duplicate records in B count once (EXISTS
semantics): they never multiply A's records. An empty B fails every
evaluable record of A.

`matches` turns the test around or makes it stricter: `none` fails a record
of A that has a match (B a table of forbidden keys), `one` fails a record
without exactly one (every matching record of B counts, duplicates too;
observed is the count). B may be A itself, for group rules within one
source: with `match: [hhid]` and `other_where: hhrole = 'h'`, `one` demands
exactly one head in each record's household (R validate's `exists_one(hhrole
== "h", by = hhid)`, one item per record as there), `any` at least one
(`exists_any`). With `patterns: glob` or `like` the key columns of B hold
patterns (`S*`, `FG%`) that A's keys, as text, must match: `matches: none`
with a pattern table is validate's `does_not_contain(glob(forbidden_keys))`.

Passing example (each claimed re-employed worker has a contribution within
three months of the claimed start):

    - id: RE-01
      kind: exists
      source: 再就业人员
      other: 社保缴费
      match: {身份证号: 身份证号}
      window: {date: 就业月份, other_date: 缴费月份, start: 0, end: 3, unit: month}
      other_where: 缴费金额 > 0

Failing data for it: a worker claimed to start in 2024-11 whose only
contribution record is for 2025-03 (outside [2024-11, 2025-02)).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from sqlglot import exp

from statguard.checks.cross_source._match import (
    KEY_DOC,
    PATTERNS_DOC,
    WINDOW_DOC,
    A,
    KeyMap,
    Patterns,
    Window,
    any_null,
    evaluable_columns,
    key_pairs,
    match_count,
    match_exists,
    not_a_period,
    relation,
    scope_filter,
    with_mappings,
)
from statguard.checks.plan import (
    DETAIL,
    EXPECTED,
    OBSERVED,
    STATUS,
    VAL,
    Context,
    Plan,
    alias,
    identity_columns,
    numbered_first,
)
from statguard.checks.registry import Params, rule_kind
from statguard.expr import quote_column
from statguard.i18n import register, t
from statguard.pack.model import Rule

NOT_A_PERIOD = "detail.exists.window_not_a_period"
register({"detail.exists.no_match": {"en": "no matching record in '{other}'", "zh": "「{other}」中没有匹配的记录"},
          "detail.exists.not_one": {"en": "not exactly one matching record in '{other}'",
                                    "zh": "「{other}」中匹配的记录不是恰好一条"},
          "detail.exists.forbidden": {"en": "matches a record of '{other}' (forbidden)",
                                      "zh": "与「{other}」中的记录匹配（不允许）"}})
DETAILS = {"any": "detail.exists.no_match", "one": "detail.exists.not_one", "none": "detail.exists.forbidden"}
register({NOT_A_PERIOD: {
    "en": "its window date is not a month or a day, so the window cannot be placed",
    "zh": "时间窗口的基准期别不是月份或日期，无法确定时间窗口"}})


class ExistsParams(Params):
    source: str = Field(description="Source A: the records that must be backed (e.g. claims).")
    other: str = Field(description="Source B: the records that back them (e.g. contribution records).")
    match: KeyMap = Field(description=KEY_DOC)
    window: Window | None = Field(None, description=WINDOW_DOC)
    where: str | None = Field(None, description="Only records of `source` for which this is true are checked.")
    other_where: str | None = Field(None, description="Only records of `other` for which this is true can match.")
    keys: list[str] | None = Field(None, description="Columns identifying a record of `source` in the report "
                                   "(default: the source's keys, else the key columns of `match`).")
    matches: Literal["any", "one", "none"] = Field("any", description=(
        "How many matching records of `other` a record of `source` must have: any (at least one, default), one "
        "(exactly one, e.g. one head per household) or none (a forbidden combination, e.g. `other` a table of "
        "forbidden keys)."))
    patterns: Patterns | None = Field(None, description=PATTERNS_DOC)


@rule_kind("exists", ExistsParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: ExistsParams = rule.params
    ctx.source(p.source)
    ctx.source(p.other, "other")
    args = (ctx, p.source, p.other, p.match, p.window, p.other_where, "match", p.patterns)
    count = match_count(*args) if p.matches == "one" else None
    found: exp.Expression = match_exists(*args)
    if count is not None:
        found = exp.EQ(this=count.copy(), expression=exp.Literal.number(1))
    elif p.matches == "none":
        found = exp.Not(this=found)
    verdict = exp.Case()
    missing = any_null(evaluable_columns(ctx, p.source, p.match, p.window))
    if missing is not None:
        verdict = verdict.when(missing, exp.Literal.string("na"))
    verdict = verdict.when(found, exp.Literal.string("pass")).else_(exp.Literal.string("fail"))
    keys = p.keys or ctx.source(p.source).keys or [a for a, _ in key_pairs(p.match)]
    select = exp.select(alias(verdict, STATUS), *identity_columns(ctx, p.source, A, keys))
    shown = [a for a, _ in key_pairs(p.match)] + ([p.window.date] if p.window else [])
    for name in dict.fromkeys(shown):
        select = select.select(alias(quote_column(name, A), VAL + name))
    if count is not None:
        select = select.select(alias(count, OBSERVED), alias(exp.Literal.number(1), EXPECTED))
    lang = ctx.options.get("lang")
    detail: exp.Expression = exp.Literal.string(t(DETAILS[p.matches], lang, other=p.other))
    unplaced = not_a_period(ctx, p.source, p.window)
    if unplaced is not None:
        detail = exp.Case().when(unplaced, exp.Literal.string(NOT_A_PERIOD)).else_(detail)
    select = select.select(alias(detail, DETAIL))
    select = select.from_(relation(ctx, p.source, p.window.date if p.window else None, A))
    scope = scope_filter(ctx, p.source, p.where)
    if scope is not None:
        select = select.where(scope)
    return with_mappings(ctx, Plan(query=numbered_first(select)), p.source, p.other, p.window)
