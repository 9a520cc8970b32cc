"""A reproducible random sample of records per stratum, written out for spot checks by hand.

Inspectors verify a sample of claims against the paper trail (抽查核实). This kind
draws `n` records (or a `fraction`, rounded up) from each stratum (e.g. each
district) and writes them as CSV (UTF-8 with BOM, opens in Excel) and XLSX to
the run's output directory (`statguard check --output-dir`, default: next to
the report, else ./statguard-output), as <rule id>.csv / .xlsx. With `other`
and `match` the sampling frame is only the records that have no match in that
source on the `match` columns (claims without a contribution record).

The draw is reproducible: records are ordered within their stratum by an MD5
hash of the seed and the record's keys (then of all its columns, for records
sharing keys), so the same seed on the same data gives the same sample whatever
the order of the rows. Sampled records are not violations: each is an item that
passes, so the rule never fails a run; the seed, the frame size and the sample
size per stratum and the files written are in the report's
meta["outputs"][<rule id>]. Columns declared `pii:` are written masked (statguard.report.masking)
unless the run asks for them in full (`statguard check --show-pii`); the draw uses the real values.

Example (five claims per district, with a fixed seed):

    - id: SPOT-01
      kind: sample
      severity: info
      source: claims
      strata: [district]
      n: 5
      seed: 20240601
      other: contributions
      match: {person_id: person_id}

A rule like this passes whenever it runs; with a district of 3 unmatched claims
all 3 are taken and its frame size (3) is reported.
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import Field
from sqlglot import exp

from statguard.checks.cross_source._match import qualify
from statguard.checks.plan import Context, Items, Plan, alias, lang_of, number
from statguard.checks.registry import Params, rule_kind
from statguard.errors import PackError, SourceError
from statguard.expr import quote_column
from statguard.i18n import register, say, t
from statguard.pack.model import Rule

DEFAULT_DIR = "statguard-output"
register({
    # the columns the kind adds to the sample it writes, in the run's language
    "sample.column.sample_rank": {"en": "sample_rank", "zh": "抽样序号"},
    "sample.column.frame_size": {"en": "frame_size", "zh": "本层记录数"},
    "problem.sample.n_or_fraction": {"en": "give either 'n' (records per stratum) or 'fraction', not both",
                                     "zh": "'n'（每层抽取的记录数）和 'fraction'（抽样比例）只能给出其一"},
    "problem.sample.match_needs_other": {"en": "'match' needs 'other' (the source to match against)",
                                         "zh": "'match' 需要 'other'（与之核对的数据源）"},
    "problem.sample.other_needs_match": {"en": "'other' needs 'match' (the columns to match on)",
                                         "zh": "'other' 需要 'match'（用于匹配的列）"},
    "problem.sample.cannot_write": {"en": "cannot write the sample: {error}", "zh": "无法写出抽样结果：{error}"},
})
HASH, KEY_RANK, RANK, FRAME = "_sg_hash", "_sg_key_rank", "sample_rank", "frame_size"


class SampleParams(Params):
    source: str = Field(description="Name of the source to sample records from.")
    seed: int = Field(description="Seed of the draw: the same seed on the same data gives the same sample.")
    n: int | None = Field(None, ge=1, description="Records per stratum (all of them when the stratum is smaller).")
    fraction: float | None = Field(None, gt=0, le=1, description=(
        "Share of each stratum's records, rounded up (give this or `n`)."))
    strata: list[str] = Field(default_factory=list, description="Columns defining the strata (e.g. district).")
    keys: list[str] | None = Field(None, description=(
        "Columns identifying a record, hashed with the seed (default: the source's keys, else all columns)."))
    where: str | None = Field(None, description="Only records for which this is true are in the frame.")
    other: str | None = Field(None, description=(
        "Only records with no match in this source on the `match` columns are in the frame."))
    match: list[str] | dict[str, str] | None = Field(None, description=(
        "Columns matching `other`: a list of shared names or {column here: column there}."))
    columns: list[str] | None = Field(None, description="Columns written out (default: all).")


@rule_kind("sample", SampleParams)
def plan(rule: Rule, ctx: Context) -> Plan:
    p: SampleParams = rule.params
    ctx.source(p.source)
    if (p.n is None) == (p.fraction is None):
        raise PackError(ctx.problem(say("problem.sample.n_or_fraction"), "n"))
    for name in [*p.strata, *(p.keys or []), *(p.columns or [])]:
        ctx.require_column(p.source, name, "strata" if name in p.strata else "keys")
    query = _sampled(p, ctx)
    if ctx.linting:
        return Plan(query=query)
    drawn: dict[str, Any] = {}

    def run(engine: Any) -> tuple[dict[str, int], Items]:
        drawn["columns"], drawn["rows"] = engine.columns_and_rows(query)
        n = len(drawn["rows"])
        return ({"pass": n} if n else {}), Items({}, 0)

    def after(engine: Any, fails: Items) -> dict[str, Any]:
        from statguard.report.masking import Masker
        masker = Masker.of(ctx.pack, ctx.options)  # columns declared `pii:` masked unless show_pii
        columns, rows = drawn["columns"], drawn["rows"]
        if masker is not None:
            rows = masker.rows(columns, rows)
        return write_sample(columns, rows, p, rule.id, Path(ctx.options.get("output_dir") or DEFAULT_DIR),
                            lang_of(ctx))

    return Plan(run=run, after=after)


def _frame(p: SampleParams, ctx: Context) -> exp.Select:
    """The sampling frame: records in scope with their hash keys."""
    keys = p.keys or ctx.source(p.source).keys or ctx.columns(p.source) or []
    select = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("a")),
                        alias(_hash(p.seed, keys, "a"), HASH))
    select = select.from_(ctx.table(p.source, alias="a"))
    if p.where:
        where = ctx.compile(p.where, "where", {None: p.source}).tree
        select = select.where(exp.paren(qualify(where, "a")))
    if p.other:
        select = select.where(exp.Not(this=exp.Exists(this=_match(p, ctx))))
    elif p.match:
        raise PackError(ctx.problem(say("problem.sample.match_needs_other"), "match"))
    return select




def _hash(seed: int, columns: list[str], table: str | None = None) -> exp.Expression:
    parts: list[exp.Expression] = [exp.Literal.string(str(seed))]
    for c in columns:
        parts.append(exp.Coalesce(this=exp.cast(quote_column(c, table), "VARCHAR"),
                                  expressions=[exp.Literal.string("\u2205")]))
    joined = exp.Anonymous(this="concat_ws", expressions=[exp.Literal.string("\u241f"), *parts])
    return exp.Anonymous(this="md5", expressions=[joined])


def _match(p: SampleParams, ctx: Context) -> exp.Select:
    other = p.other or ""
    ctx.source(other, "other")
    if not p.match:
        raise PackError(ctx.problem(say("problem.sample.other_needs_match"), "match"))
    pairs = list(p.match.items()) if isinstance(p.match, dict) else [(c, c) for c in p.match]
    conds = []
    for here, there in pairs:
        ctx.require_column(p.source, here, "match")
        ctx.require_column(other, there, "match")
        conds.append(exp.EQ(this=quote_column(here, "a"), expression=quote_column(there, "b")))
    return exp.select(exp.Literal.number(1)).from_(ctx.table(other, alias="b")).where(exp.and_(*conds))


def _sampled(p: SampleParams, ctx: Context) -> exp.Select:
    """The first n (or fraction) records per stratum in hash order.

    Records are ranked by the hash of their keys first (rank(): ties share a rank), so
    the candidates are few; only those are ordered on by the hash of all their columns,
    which settles ties between records sharing keys whatever the row order.
    """
    partition = [quote_column(s) for s in p.strata]
    by_key = exp.Window(this=exp.Anonymous(this="rank"), partition_by=partition,
                        order=exp.Order(expressions=[exp.Ordered(this=quote_column(HASH))]))
    size = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[c.copy() for c in partition])
    ranked = exp.select("*", alias(by_key, KEY_RANK), alias(size, FRAME)).from_(_frame(p, ctx).subquery("f"))
    if p.n is not None:
        limit: exp.Expression = exp.Literal.number(p.n)
    else:
        limit = exp.Ceil(this=exp.Mul(this=number(p.fraction), expression=quote_column(FRAME)))
    candidates = ranked.subquery("r")
    cols = ctx.columns(p.source) or []
    order = exp.Order(expressions=[exp.Ordered(this=quote_column(HASH)), exp.Ordered(this=_hash(p.seed, cols))])
    rank = exp.Window(this=exp.RowNumber(), partition_by=[c.copy() for c in partition], order=order)
    drawn = (exp.select("*", alias(rank, RANK)).from_(candidates)
             .where(exp.LTE(this=quote_column(KEY_RANK), expression=limit.copy())))
    internal = [quote_column(c) for c in (HASH, KEY_RANK, RANK, FRAME)]
    out = [quote_column(c) for c in (p.columns or [])] or [exp.Star(except_=internal)]
    return (exp.select(*[quote_column(s) for s in p.strata if s not in (p.columns or [s])], quote_column(RANK),
                       quote_column(FRAME), *out)
            .from_(drawn.subquery("s")).where(exp.LTE(this=quote_column(RANK), expression=limit))
            .order_by(*[quote_column(s) for s in p.strata], quote_column(RANK)))


def write_sample(columns: list[str], rows: list[tuple[Any, ...]], p: SampleParams, rule_id: str,
                 directory: Path, lang: str | None = None) -> dict[str, Any]:
    """Write the sample (its column names and rows of Python values) as CSV and XLSX; return
    what the report says about it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        csv_path, xlsx_path = directory / f"{rule_id}.csv", directory / f"{rule_id}.xlsx"
        header = [t(f"sample.column.{c}", lang) if c in (RANK, FRAME) else c for c in columns]
        _write_csv(header, rows, csv_path)
        from statguard.report.xlsx import write_table  # written as the report's sheets: no openpyxl
        write_table(xlsx_path, _sheet_name(rule_id), header, ([_number(v) for v in row] for row in rows))
    except OSError as e:
        raise SourceError(say("problem.sample.cannot_write", error=e.strerror), path=str(directory)) from None
    frame, drawn = _per_stratum(columns, rows, p.strata)
    return {"kind": "sample", "seed": p.seed, "n": p.n, "fraction": p.fraction, "strata": p.strata,
            "frame_size": sum(frame.values()), "sample_size": len(rows),
            "frame_by_stratum": frame, "sample_by_stratum": drawn,
            "unmatched_in": p.other, "files": [str(csv_path), str(xlsx_path)]}


def _per_stratum(columns: list[str], rows: list[tuple[Any, ...]],
                 strata: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Frame and sample size per stratum, strata in sorted order (missing values last, as "NA")."""
    if not rows:
        return {}, {}
    size = columns.index(FRAME)
    if not strata:
        return {"all": int(rows[0][size])}, {"all": len(rows)}
    at = [columns.index(s) for s in strata]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        group = groups.setdefault(tuple(row[i] for i in at), [row[size], 0])
        group[1] += 1
    frame: dict[str, int] = {}
    drawn: dict[str, int] = {}
    for values in sorted(groups, key=lambda key: [(_missing(v), "" if _missing(v) else v) for v in key]):
        label = " / ".join("NA" if _missing(v) else str(v) for v in values)
        frame[label] = int(groups[values][0])
        drawn[label] = groups[values][1]
    return frame, drawn


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sheet_name(rule_id: str) -> str:
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in rule_id)
    return cleaned[:31] or "sample"


def _write_csv(columns: list[str], rows: list[tuple[Any, ...]], path: Path) -> None:
    """UTF-8 with a BOM (Excel opens it as such), a missing value as an empty field."""
    import csv
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        out.writerows([_cell(v) for v in row] for row in rows)


def _number(value: Any) -> Any:
    """A DECIMAL figure as a number cell (the report's sheets show such values as text)."""
    return float(value) if isinstance(value, Decimal) else value


def _cell(value: Any) -> Any:
    return None if _missing(value) else value
