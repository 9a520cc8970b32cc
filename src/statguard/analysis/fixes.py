"""fields_to_fix for a run's violations: the post-step of statguard.api.validate.

Asked for with `statguard check --fields-to-fix` (options["fields_to_fix"] in the library), or in
the pack, for all sources or some with weights:

    pack:
      settings:
        fields_to_fix: true            # every source, every field weight 1
    # or
        fields_to_fix:
          enterprises:                 # only this source
            weights: {turnover: 2, staff: .inf}   # more trust: changed less readily; .inf: never

For every source asked for, the records with a violation of an analysable rule (row and
part_whole rules, statguard.analysis.linear) are read back from the engine, with the same
identity (unit, period, keys, or the record number) the rules report, and located
(statguard.analysis.locate). Each violation of those rules gets the record's fields_to_fix; the
violations of other rules get none. Runs that do not ask do none of this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from statguard.errors import StatguardError
from statguard.i18n import register, say

register({
    "fixes.unknown_source": {"en": "settings: fields_to_fix names source '{name}', which the pack does not declare "
                                   "(sources: {sources})",
                             "zh": "settings: fields_to_fix 中的数据源「{name}」未在规则包中声明"
                                   "（已有数据源：{sources}）"},
    "fixes.none": {"en": "none", "zh": "无"},
    "fixes.weight": {"en": "settings: fields_to_fix: {source}: the weight of '{field}' must be a number of at least 0 "
                           "(.inf keeps the field as it is), not {value}",
                     "zh": "settings: fields_to_fix: {source}：「{field}」的权重须为不小于 0 的数"
                           "（.inf 表示保持该字段不变），而不是 {value}"},
})

if TYPE_CHECKING:
    from statguard.pack.model import Pack, Rule


def wanted(pack: Pack, options: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """Source -> field weights of the sources whose violations get fields_to_fix."""
    setting = (pack.settings.get("settings") or {}).get("fields_to_fix") if isinstance(
        pack.settings.get("settings"), dict) else None
    asked = bool((options or {}).get("fields_to_fix"))
    if not asked and not setting:
        return {}
    per_source = setting if isinstance(setting, dict) else {}
    names = list(pack.sources) if asked or setting is True else list(per_source)
    out: dict[str, dict[str, float]] = {}
    for name in names:
        if name not in pack.sources:
            raise StatguardError(say("fixes.unknown_source", name=name,
                                     sources=", ".join(pack.sources) or say("fixes.none")))
        spec = per_source.get(name) or {}
        weights = spec.get("weights") if isinstance(spec, dict) else None
        out[name] = {str(k): _weight(name, k, v) for k, v in (weights or {}).items()}
    return out


def _weight(source: str, field: Any, value: Any) -> float:
    try:
        weight = float(value)
    except (TypeError, ValueError):
        weight = -1.0
    if not weight >= 0:
        raise StatguardError(say("fixes.weight", source=source, field=field, value=repr(value)))
    return weight


def attach(engine: Any, pack: Pack, rules: list[Rule], violations: dict[str, list[Any]],
           sources: dict[str, dict[str, float]]) -> list[Any]:
    """The fields_to_fix column for `violations` (columns of the run, in order)."""
    from statguard.analysis.linear import extract
    from statguard.analysis.locate import Locator

    column: list[Any] = [None] * len(violations.get("rule_id", ()))
    for source, weights in sources.items():
        system = extract(pack, source, rules)
        analysed = {r.id: r for r in rules if r.id in {lr.id for lr in system.rules}}
        rows = [i for i, rid in enumerate(violations["rule_id"]) if rid in analysed]
        if not rows:
            continue
        declared = list(pack.sources[source].columns)
        locator = Locator(system, weights, declared)
        fields = list(dict.fromkeys(n for r in system.rules for n in r.names))
        by_keys: dict[tuple[str, ...] | None, list[int]] = {}
        for i in rows:
            keys = analysed[violations["rule_id"][i]].params.keys
            by_keys.setdefault(tuple(keys) if keys is not None else None, []).append(i)
        for indices in by_keys.values():
            records = _records(engine, pack, analysed[violations["rule_id"][indices[0]]], source, fields,
                               {_identity(violations, i) for i in indices})
            for i in indices:
                record = records.get(_identity(violations, i))
                column[i] = locator.locate(record) if record is not None else None
    return column


def _identity(violations: dict[str, list[Any]], i: int) -> tuple[Any, ...]:
    from statguard.report.model import _plain
    keys = violations["keys"][i] or {}
    return (_plain(violations["unit"][i]), _plain(violations["period"][i]),
            tuple(sorted((k, _plain(v)) for k, v in keys.items())))


def _records(engine: Any, pack: Pack, rule: Rule, source: str, fields: list[str],
             wanted_ids: set[tuple[Any, ...]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Identity -> field values of the records of `source` that `wanted_ids` name."""
    from sqlglot import exp

    from statguard.checks.plan import KEY, PERIOD, UNIT, VAL, Context, alias, identity_columns, sheet_row
    from statguard.expr import quote_column
    from statguard.report.model import _plain

    ctx = Context(pack, rule, engine.bound, engine.dialect)
    bound = engine.bound.get(source, {})
    identity = identity_columns(ctx, source, keys=rule.params.keys)
    values = [alias(quote_column(n), VAL + n) for n in fields if n in bound]
    query = exp.select(*identity, *values).from_(ctx.table(source), copy=False)
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    rows = engine.sheet_rows.get(source)  # the violations name a sheet's records by their sheet rows
    for got in _rows(engine, query):
        if KEY + "row" in got:
            got[KEY + "row"] = sheet_row(rows, got[KEY + "row"])
        key = (_plain(got.get(UNIT)), _plain(got.get(PERIOD)),
               tuple(sorted((k[len(KEY):], _plain(v)) for k, v in got.items() if k.startswith(KEY))))
        if key in wanted_ids:
            out[key] = {k[len(VAL):]: _value(v) for k, v in got.items() if k.startswith(VAL)}
    return out


def _rows(engine: Any, query: Any) -> Any:
    """The query's rows as dicts: through DuckDB's cursor, or any engine's `frame` (Spark)."""
    con = getattr(engine, "con", None)
    if con is not None and hasattr(con, "execute"):
        cursor = con.execute(engine.sql(query))
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            yield dict(zip(names, row, strict=True))
        return
    from statguard.report.model import _plain
    for record in engine.frame(query).to_dict("records"):
        yield {k: _plain(v) for k, v in record.items()}


def _value(value: Any) -> Any:
    from decimal import Decimal
    return float(value) if isinstance(value, Decimal) else value
