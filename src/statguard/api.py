"""Running a pack: bind sources, plan and execute each rule, collect a Report.

A rule that cannot be planned or executed is reported as errored; the others
still run.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard import collector
from statguard.errors import AbsentNote, EngineError, RuleSkipped, SourceAbsent, StatguardError
from statguard.i18n import register, say, speaking
from statguard.runner import Runner, needed_sources

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack, Rule
    from statguard.pack.scorecard import ScorecardConfig
    from statguard.report.model import Report
    from statguard.scorecard import Scorecard


register({
    "api.no_rule": {"en": "no rule with id {ids} in the pack (rules: {known})",
                    "zh": "规则包中没有编号为 {ids} 的规则（已有规则：{known}）"},
    "api.no_tag": {"en": "no rule has the tag {tags} (tags: {known})",
                   "zh": "没有规则带有标签 {tags}（已有标签：{known}）"},
    "api.none": {"en": "none", "zh": "无"},
    "api.undeclared": {"en": "data given for undeclared source(s): {names} (declared: {declared})",
                       "zh": "为未声明的数据源提供了数据：{names}（已声明：{declared}）"},
    "api.derived_given": {"en": "is derived from '{base}'; give data for that source instead",
                          "zh": "由「{base}」推算而来；请为该数据源提供数据"},
    "api.cannot_evaluate": {"en": "cannot evaluate rule '{id}': {why}", "zh": "无法执行规则「{id}」：{why}"},
    "api.internal_error": {"en": "internal error of statguard: {why}", "zh": "statguard 内部错误：{why}"},
    "api.sources_mapping": {"en": "sources are given as {name: DataFrame or path}, not a {given}",
                            "zh": "数据源应以 {名称: DataFrame 或路径} 的形式给出，而不是 {given}"},
    "api.source_value": {"en": "data is a DataFrame or a file path, not a {given}",
                         "zh": "数据应为 DataFrame 或文件路径，而不是 {given}"},
    "api.no_columns": {"en": "the DataFrame given has no columns", "zh": "给出的 DataFrame 没有任何列"},
    "api.columns_twice": {"en": "the DataFrame given has more than one column named {names}",
                          "zh": "给出的 DataFrame 中有多个列名为 {names}"},
    "api.derived_unread": {"en": "derived from a source that could not be read: {error}",
                           "zh": "其来源数据源无法读取：{error}"},
})


def select_rules(pack: Pack, rules: Iterable[str] | None, tags: Iterable[str] | None) -> list[Rule]:
    """The rules chosen by id and by tag; naming an id or tag the pack does not have is an error
    (a CI gate that selected nothing would pass without a word)."""
    chosen = pack.rules
    rules = [rules] if isinstance(rules, str) else rules  # rules="R1" is one rule, not 'R' and '1'
    tags = [tags] if isinstance(tags, str) else tags
    if rules:
        wanted = list(dict.fromkeys(rules))
        unknown = [r for r in wanted if r not in {rule.id for rule in pack.rules}]
        if unknown:
            known = ", ".join(r.id for r in pack.rules) or say("api.none")
            raise StatguardError(say("api.no_rule", ids=", ".join(map(repr, unknown)), known=known))
        chosen = [r for r in chosen if r.id in set(wanted)]
    if tags:
        wanted_tags = set(tags)
        have = {t for r in pack.rules for t in r.tags}
        unknown = sorted(wanted_tags - have)
        if unknown:
            known = ", ".join(sorted(have)) or say("api.none")
            raise StatguardError(say("api.no_tag", tags=", ".join(map(repr, unknown)), known=known))
        chosen = [r for r in chosen if wanted_tags & set(r.tags)]
    return chosen


def validate(pack: Pack, sources: Mapping[str, pd.DataFrame | str | Path], *,
             rules: Iterable[str] | None = None, tags: Iterable[str] | None = None,
             lang: str | None = None, options: Mapping[str, Any] | None = None,
             progress: Callable[[int, int, str | None], None] | None = None,
             explanations: Any = None, engine: str = "duckdb") -> Report:
    """Run the chosen rules of `pack` on `sources`; `progress(i, n, rule_id)` is told as the i-th
    rule is taken up (rules running concurrently are taken up as they finish). `options`: the
    CLI's extras, e.g. {"threads": N, "memory_limit": "1GB" (the engine's), "output_dir": ...,
    "fields_to_fix": True (statguard.analysis.fixes: which fields to change to put a failing record right),
    "show_pii": True (values of columns declared `pii:` shown in full; by default masked, statguard.report.masking)}.
    `engine`: "duckdb" (default) or "spark" (options["spark_master"]: local[2] by default)."""
    from statguard.engine.select import open_engine
    from statguard.report.lacking import empty as empty_lacking
    from statguard.report.model import SUMMARY_COLUMNS, VIOLATION_COLUMNS, Report

    if not isinstance(sources, Mapping):
        raise StatguardError(say("api.sources_mapping", given=type(sources).__name__))
    unknown = set(sources) - set(pack.sources)
    if unknown:
        raise StatguardError(say("api.undeclared", names=", ".join(sorted(unknown)),
                                 declared=", ".join(sorted(pack.sources)) or say("api.none")))
    _check_given(sources)
    chosen = select_rules(pack, rules, tags)
    from statguard.explain import gather
    with speaking(lang or pack.lang):  # what an entry's origin and problems say, in the run's language
        given, explanation_files = gather(explanations)  # paths, DataFrames, dicts: read before running
    started = datetime.now(UTC)
    summaries: list[dict[str, Any]] = []
    violations: dict[str, list[Any]] = {c: [] for c in VIOLATION_COLUMNS}
    outputs: dict[str, Any] = {}  # rule id -> extra outputs a rule wrote (e.g. a spot-check sample)
    # options["memory_limit"] (DuckDB's, e.g. "500MB"): what bounds the rules' memory (the schema
    # kind's too, which runs in the engine), whatever the size of the sources
    engine_options = {k: (options or {}).get(k) for k in ("threads", "memory_limit", "spark_master")}
    options = {**(options or {}), "lang": lang or pack.lang}  # kinds write their texts in the report's language
    from statguard.report.masking import Masker, mask_explanations, mask_report
    masker = Masker.of(pack, options)  # columns declared `pii:` are shown masked unless options["show_pii"]
    # speaking: the sources' errors in the run's language (the CLI speaks it already; a library call may not)
    with collector.paused(), speaking(options["lang"]), open_engine(engine, engine_options) as engine:
        if progress:
            progress(0, len(chosen), None)
        from statguard.engine.units import unit_facts
        with Runner(engine, pack, chosen, options) as runner:
            bind_errors = _bind_all(engine, pack, chosen, sources, runner.source_bound)
            bind_errors.update(_bind_history(engine, pack, chosen, options))
            runner.start(bind_errors)
            # facts for the scorecard and the report's source list, next to the rules
            later = runner.background(lambda session: (unit_facts(session, pack, sources), {
                name: _safe_count(session, name) for name in session.described}))
            done: dict[int, tuple[dict[str, Any], dict[str, list[Any]], Any, dict[str, list[Any]] | None]] = {}
            for i in runner.completed():  # records are built while later rules still run
                if progress:
                    progress(len(done) + 1, len(chosen), chosen[i].id)
                done[i] = _run_rule(runner, i, chosen[i], pack, lang, masker)
            facts, rows = later()
        lacking = empty_lacking() if options.get("lacking") else None  # not-evaluable items, when asked
        unlisted: list[str] = []  # rules with such items that cannot list them (work done in Python alone)
        for i, rule in enumerate(chosen):  # the report in pack order
            row, records, written, lacked = done[i]
            if lacking is not None and row["not_evaluable"]:
                if lacked is None:
                    unlisted.append(rule.id)
                for column, values in (lacked or {}).items():
                    lacking[column] += values
            if rule.persist is not None and records:
                records = _persisting(rule, row, records, facts, lang or pack.lang)
            summaries.append(row)
            for column, values in records.items():
                violations[column] += values
            if written:
                outputs[rule.id] = written
        from statguard.analysis import fixes
        fixing = fixes.wanted(pack, options)  # `--fields-to-fix` or the pack's settings; else nothing is done
        if fixing:
            violations["fields_to_fix"] = fixes.attach(engine, pack, chosen, violations, fixing)
        from statguard.explain.data import data_explanations
        given += data_explanations(engine, pack, chosen)
        described = {name: {**info, "rows": rows.get(name), "columns": list(engine.bound.get(name, {}))}
                     for name, info in engine.described.items()}
    summary = [{c: row.get(c) for c in SUMMARY_COLUMNS} for row in summaries]
    from statguard.version import __version__
    meta = {"statguard": __version__, "started": started.isoformat(timespec="seconds"),
            "seconds": round((datetime.now(UTC) - started).total_seconds(), 3),
            "sources": described, "lang": lang or pack.lang,
            "pack_path": str(pack.path) if pack.path else None,
            "units": facts, "scorecard": pack.settings.get("scorecard")}
    if pack.settings.get("screen") is not None:
        from statguard.pack.screen import parse_screen
        meta["screen"] = parse_screen(pack.settings["screen"]).model_dump()
    if outputs:
        meta["outputs"] = outputs
    if unlisted:
        meta["lacking_unlisted"] = unlisted
    report = Report(pack.name, violations, summary, meta, lacking=lacking)
    report = mask_report(report, pack, options)  # after what matches on units
    if given:
        from statguard.explain import attach
        given = mask_explanations(given, pack, options)  # keyed as the violations they answer
        report = attach(report, pack, given, explanation_files, lang or pack.lang)
    return report


def _run_rule(runner: Runner, i: int, rule: Rule, pack: Pack, lang: str | None,
              masker: Any = None) -> tuple[dict[str, Any], dict[str, list[Any]], Any, dict[str, list[Any]] | None]:
    """Rule i's summary row, its violation records (as columns), the extra outputs it wrote and,
    when asked (options["lacking"]), the records of its not-evaluable items (None: not listed)."""
    from statguard.engine.violations import violations_of
    row: dict[str, Any] = {"rule_id": rule.id, "kind": rule.kind, "severity": rule.severity,
                           "description": rule.described(lang), "sources": ", ".join(rule.sources),
                           "items": 0, "passes": 0, "fails": 0, "not_evaluable": 0,
                           "errored": False, "skipped": False, "error": None, "hard": rule.is_hard}
    records: dict[str, list[Any]] = {}
    lacked: dict[str, list[Any]] | None = None
    written = None
    ran = None  # when the runner handed over (it accounts for the time until then)
    try:
        counts, fails, plan = runner.run(i)
        ran = time.perf_counter()
        written = plan.meta.get("outputs")
        row.update(items=sum(counts.values()), passes=counts.get("pass", 0),
                   fails=counts.get("fail", 0), not_evaluable=counts.get("na", 0))
        if not row["items"]:  # it compared nothing (e.g. a hierarchy whose mode skipped every group): say so
            from statguard.i18n import t
            empty = _empty_sources(runner.engine, rule)
            row["error"] = (t("no_records_note", lang or pack.lang, sources="、".join(empty)) if empty
                            else t("no_items_note", lang or pack.lang))
        rows = _sheet_rows(runner.engine, rule)
        records = violations_of(rule, _on_sheet(fails, rows), lang or pack.lang, plan.meta.get("message"), masker)
        if runner.lacking.get(i) is not None:
            from statguard.engine.violations import lacking_of
            lacked = lacking_of(rule, _on_sheet(runner.lacking[i], rows), lang or pack.lang)
    except RuleSkipped as e:  # an optional source is absent: a note, not a failure
        from statguard.i18n import t
        row.update(skipped=True, error=t("skipped_note", lang or pack.lang, sources="、".join(e.sources)))
    except EngineError as e:  # the data did not fit the rule: say which rule, where
        row.update(errored=True, error=_engine_error(pack, rule, e, masker))
    except StatguardError as e:
        row.update(errored=True, error=str(e))
    except Exception as e:  # a bug in one rule kind must not stop the others
        row.update(errored=True, error=_where(rule) + say("api.internal_error", why=_unquoted(
            f"{type(e).__name__}: {e}", pack, rule, masker)))
    row["seconds"] = round(runner.seconds(i) + (time.perf_counter() - ran if ran else 0.0), 4)
    return row, records, written, lacked


def _sheet_rows(engine: Any, rule: Rule) -> list[int] | None:
    """The sheet row of each record of the source whose records a rule numbers (its first), when
    that source was read from a workbook's sheet."""
    return engine.sheet_rows.get(rule.sources[0]) if rule.sources else None


def _on_sheet(items: Any, rows: list[int] | None) -> Any:
    """A rule's items with their record numbers as sheet rows (checks.plan.on_sheet)."""
    if rows is None:
        return items
    from statguard.checks.plan import Items, on_sheet
    from statguard.engine.violations import items_of
    return on_sheet(items if isinstance(items, Items) else items_of(items), rows)


def _empty_sources(engine: Any, rule: Rule) -> list[str]:
    """The sources of `rule` that hold no record at all (a submission of a header alone)."""
    empty = []
    for name in rule.sources:
        try:
            if engine.row_count(name) == 0:
                empty.append(name)
        except Exception:  # e.g. a history view: the general note says enough
            continue
    return empty


def _persisting(rule: Rule, row: dict[str, Any], records: dict[str, list[Any]], facts: Any,
                lang: str | None) -> dict[str, list[Any]]:
    """A `min_failures` rule's violations, one per unit with the habit; the summary counts the
    tolerated slips as passes (statguard.report.persistence)."""
    from statguard.report.persistence import gather
    periods = facts.get("periods") if isinstance(facts, dict) else None
    records, counted, tolerated = gather(records, rule, rule.persist, periods, lang)
    row.update(fails=counted, passes=row["passes"] + tolerated)
    return records


def _check_given(sources: Mapping[str, Any]) -> None:
    """Data given in place of the pack's files: a mapping of source name to a DataFrame (pandas, or
    Spark's on the Spark engine) or a path, each frame with columns of distinct names; anything else
    is a StatguardError naming the source, not the engine's or pandas' own exception."""
    from statguard.errors import SourceError
    for name, data in sources.items():
        if data is None or isinstance(data, (str, Path)):
            continue
        columns = getattr(data, "columns", None)
        if columns is None:
            raise SourceError(say("api.source_value", given=type(data).__name__), source=str(name))
        names = [str(c) for c in columns]
        if not names:
            raise SourceError(say("api.no_columns"), source=str(name))
        twice = sorted({c for c in names if names.count(c) > 1})
        if twice:
            raise SourceError(say("api.columns_twice", names=", ".join(twice)), source=str(name))


def _engine_error(pack: Pack, rule: Rule, error: EngineError, masker: Any = None) -> str:
    """Why a rule could not run: its located type problem when the declared column types
    explain it (as `statguard lint` reports it), else the engine's message at the rule (its
    quoted values hidden where the rule reads personal data)."""
    from statguard.load.dryrun import type_problem
    try:
        problem = type_problem(pack, rule)
    except Exception:  # explaining is a courtesy; the engine's own message still says it
        problem = None
    if problem is not None:
        return str(problem)
    from statguard.engine.type_errors import readable
    why = readable(_unquoted(_DUCKDB_CLASS.sub("", str(error), count=1), pack, rule, masker))
    return _where(rule) + say("api.cannot_evaluate", id=rule.id, why=why)


def _unquoted(text: str, pack: Pack, rule: Rule, masker: Any) -> str:
    """`text` with its quoted values ('张伟', '138-1234-5679') hidden when the run masks personal
    columns: an engine's message may quote a value of any column, and which one is not known.
    Quoted names of the rule's sources and of the pack's columns stay."""
    if masker is None:
        return text
    names = {rule.id, *rule.sources, *(c for s in rule.sources if s in pack.sources for c in pack.sources[s].columns)}
    return _QUOTED.sub(lambda m: m.group(0) if m.group(2) in names or _SIGNATURE.fullmatch(m.group(2))
                       else m.group(1) + "***" + m.group(1), text)


_QUOTED = re.compile(r"(['\"])(.*?)\1")
_SIGNATURE = re.compile(r"[^\s(]*\((?:[A-Z][A-Z0-9_]*(?:\[\])?(?:, )?)*\)")  # '+(VARCHAR, INTEGER_LITERAL)'


# The class of DuckDB's exception its messages begin with ("Binder Error: ", "Invalid Input Error: ",
# "Conversion Error: ", "Out of Range Error: "): a name for DuckDB's developers; the located message
# already says that the rule could not be evaluated, the rest of DuckDB's says why
_DUCKDB_CLASS = re.compile(r"^[A-Z][A-Za-z]*(?: [A-Za-z]+){0,3} Error: ")


def _where(rule: Rule) -> str:
    loc = rule.loc
    return f"{loc.file}:{loc.line}: " if loc is not None else ""


def _bind_all(engine: Any, pack: Pack, rules: list[Rule], given: Mapping[str, pd.DataFrame | str | Path],
              bound: Callable[[str], None] | None = None) -> dict[str, str]:
    """Bind every source the chosen rules need, telling `bound(name)` after each that could be
    read; return source -> error text for failures."""
    errors: dict[str, str] = {}
    needed: list[str] = []
    for rule in rules:
        for name in needed_sources(pack, rule):  # with the code lists its sources refer to
            if name in pack.sources and name not in needed:
                needed.append(name)
    from statguard.engine.units import peer_group_source
    peers = peer_group_source(pack)  # the scorecard reads it next to the rules: bind it before them
    if peers and peers not in needed:
        needed.append(peers)
    from statguard.checks.time.derive import bases_first
    for name in bases_first(pack, needed):  # a derived source after the one it is computed from
        try:
            bind_source(engine, pack, name, given.get(name), errors)
        except SourceAbsent as e:
            errors[name] = AbsentNote(str(e))
            continue
        except StatguardError as e:
            errors[name] = str(e)
            continue
        if bound is not None:
            bound(name)
    return errors


def bind_source(engine: Any, pack: Pack, name: str, data: pd.DataFrame | str | Path | None,
                errors: Mapping[str, str] | None = None) -> None:
    """Bind one source: read it, or for a derived source (statguard.checks.time.derive) compute it."""
    source = pack.sources[name]
    if source.derive is None:
        engine.bind(source, data)
        return
    from statguard.checks.time.derive import bind_derived
    from statguard.errors import SourceError
    if data is not None:
        raise SourceError(say("api.derived_given", base=source.derive.increments_of), source=name)
    base_error = (errors or {}).get(source.derive.increments_of)
    if base_error:
        raise SourceError(say("api.derived_unread", error=base_error), source=name)
    bind_derived(engine, source)


def _bind_history(engine: Any, pack: Pack, rules: list[Rule], options: Mapping[str, Any] | None) -> dict[str, str]:
    """Bind "history:<source>" views for rules reading recorded versions (options["history"]: store path)."""
    wanted = [name for rule in rules for name in rule.sources if name.startswith("history:")]
    if not wanted:
        return {}
    from statguard.history.capture import bind_history_views
    return bind_history_views(engine, pack, wanted, (options or {}).get("history"))


def _safe_count(engine: Any, name: str) -> int | None:
    try:
        return engine.row_count(name)
    except Exception:
        return None


def scorecard_from_history(pack: Pack, store: str | Path | None = None, *,
                           sources: Mapping[str, pd.DataFrame | str | Path] | None = None,
                           rules: Iterable[str] | None = None, tags: Iterable[str] | None = None,
                           config: ScorecardConfig | dict[str, Any] | None = None,
                           period: str | None = None) -> Scorecard:
    """Run the pack on the latest recorded version of every submission and score it.

    Sources the store does not hold come from `sources` or the pack's paths.
    """
    from statguard.history import latest_submissions
    from statguard.scorecard import scorecard
    data: dict[str, pd.DataFrame | str | Path] = dict(sources or {})
    data.update(latest_submissions(pack, store))
    report = validate(pack, data, rules=rules, tags=tags)
    return scorecard(report, pack, config=config, period=period)
