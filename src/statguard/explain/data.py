"""Explanations carried by the submitted data itself (`explanation: {from_data: ...}`).

Rules that name the same columns of the same source share each record's
explanation: a record whose explanation column is filled answers whichever of
those rules it violates, and is stale only if it violates none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlglot import exp

from statguard.checks.plan import sheet_row
from statguard.explain.model import Explanation, norm
from statguard.expr import quote_column
from statguard.i18n import say

if TYPE_CHECKING:
    from statguard.pack.model import Pack, Rule

_ROW = "_sg_row"


def data_explanations(engine: Any, pack: Pack, rules: list[Rule]) -> list[Explanation]:
    """Every filled explanation cell of the sources the `rules` read from data."""
    groups: dict[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]], list[str]] = {}
    for rule in rules:
        spec = rule.explanation
        if spec is None or not spec.from_data or rule.is_hard or not rule.sources or rule.problems:
            continue
        source = rule.sources[0]
        if source not in engine.bound:
            continue
        keys = tuple(getattr(rule.params, "keys", None) or pack.sources[source].keys)
        groups.setdefault((source, tuple(spec.from_data.items()), keys), []).append(rule.id)
    out: list[Explanation] = []
    for (source, fields, keys), rule_ids in groups.items():
        out.extend(_read(engine, pack, source, dict(fields), list(keys), tuple(rule_ids)))
    return out


def _read(engine: Any, pack: Pack, source: str, fields: dict[str, str], keys: list[str],
          rule_ids: tuple[str, ...]) -> list[Explanation]:
    src = pack.sources[source]
    columns = engine.bound[source]
    missing = [c for c in fields.values() if c not in columns]
    if missing:
        return [Explanation(rule_ids, origin=say("explain.origin.source", source=source),
                            error="explain.error.no_column",
                            error_values={"column": missing[0], "source": source, "columns": ", ".join(columns)})]
    roles = {"unit": src.unit, "period": src.period}
    picked = {**{f"role:{r}": c for r, c in roles.items() if c in columns},
              **{f"key:{k}": k for k in keys if k in columns}, **{f"field:{f}": c for f, c in fields.items()}}
    inner = exp.select(exp.Star(), exp.alias_(exp.Window(this=exp.RowNumber()), _ROW, quoted=True)).from_(
        engine_table(source))
    text = exp.Trim(this=exp.cast(quote_column(fields["text"]), "VARCHAR"))
    query = (exp.select(*[exp.alias_(quote_column(c), name, quoted=True) for name, c in picked.items()],
                        quote_column(_ROW))
             .from_(inner.subquery("t")).where(exp.NEQ(this=exp.Coalesce(this=text, expressions=[
                 exp.Literal.string("")]), expression=exp.Literal.string(""))).order_by(quote_column(_ROW)))
    frame = engine.frame(query)
    rows = engine.sheet_rows.get(source)  # a workbook's records named by the row Excel shows
    out = []
    for row in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        values = {f[len("field:"):]: row[f] for f in row if f.startswith("field:")}
        out.append(Explanation(
            rule_ids, unit=row.get("role:unit"), period=row.get("role:period"),
            keys={k[len("key:"):]: row[k] for k in row if k.startswith("key:")},
            text=str(values.pop("text")).strip(), author=norm(values.pop("author", None)) or None,
            date=norm(values.pop("date", None)) or None, fields={k: v for k, v in values.items() if norm(v)},
            origin=say("explain.origin.source_row", source=source, n=sheet_row(rows, row[_ROW]),
                       column=fields["text"])))
    return out


def engine_table(source: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(source, quoted=True))
