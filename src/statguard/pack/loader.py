"""Loading a rule pack: YAML files, includes, sources and rules.

Structural problems (malformed YAML, a broken sources section) stop loading
with a PackError listing every problem with file, line and column. A broken
rule does not stop the others: it is kept with its problems, reported as
errored when the pack runs, and listed by `statguard lint`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from statguard import collector
from statguard.checks import registry
from statguard.errors import PackError, Problem, StatguardError
from statguard.pack.derived import parse_derivation, resolve_derived
from statguard.pack.dryrun import type_problems
from statguard.pack.model import COLUMN_TYPES, SEVERITIES, Column, Pack, Rule, Source
from statguard.pack.scorecard import config_problems
from statguard.pack.screen import screen_problems
from statguard.pack.yamlio import Loc, LocDict, LocList, read_yaml

RESERVED_IDS = {"explanations"}  # the pseudo-rule of statguard.explain
TOP_KEYS = {"pack", "include", "sources", "rules"}
PACK_KEYS = {"name", "description", "lang", "version", "scorecard", "screen", "settings"}
RULE_COMMON = {"id", "kind", "description", "severity", "message", "tags", "hard", "enabled", "explanation",
               "min_failures", "of_last"}
SOURCE_KEYS = {"path", "format", "sheet", "encoding", "columns", "keys", "unit", "period",
               "scope", "description", "derive", "optional"}
COLUMN_KEYS = {"type", "required", "nullable", "allowed", "codelist", "min", "max", "pattern",
               "unique", "description"}
YAML_SUFFIXES = (".yml", ".yaml")


def load_pack(path: str | Path, *, strict: bool = False, check_types: bool = False) -> Pack:
    """Load the pack at `path` (a YAML file or a directory of YAML files).

    With strict=True any problem, including one in a single rule, raises PackError.
    With check_types=True every rule is also bound against empty tables of its sources'
    declared column types, as `statguard lint` does (statguard.pack.dryrun); a run finds
    the same problems itself, reporting such a rule errored with the same located message.
    """
    with collector.paused():
        return _load(Path(path), strict, check_types)


def _load(root: Path, strict: bool, check_types: bool) -> Pack:
    if not root.exists():
        raise PackError(Problem(f"no such file or directory: {root}", str(root)))
    files = _pack_files(root)
    if not files:
        raise PackError(Problem("directory holds no .yml or .yaml files", str(root)))
    pack = Pack(name=root.stem if root.is_file() else root.name, path=root)
    problems: list[Problem] = []
    seen: set[Path] = set()
    for f in files:
        _load_file(f, pack, problems, seen)
    resolve_derived(pack, problems)
    plans = _check_rules(pack, problems)
    problems.extend(config_problems(pack))
    problems.extend(screen_problems(pack))
    if check_types:
        problems.extend(type_problems(pack, plans))
    problems.sort(key=lambda p: (p.file or "", p.line or 0, p.column or 0))
    pack.problems = problems
    fatal = [p for p in problems if p.fatal]
    if fatal or (strict and problems):
        raise PackError(problems)
    return pack


def _pack_files(root: Path) -> list[Path]:
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    return [root]


def _fatal(p: Problem) -> Problem:
    return replace(p, fatal=True)


def _load_file(path: Path, pack: Pack, problems: list[Problem], seen: set[Path]) -> None:
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    pack.files.append(path)
    doc = read_yaml(path)
    if doc is None:
        problems.append(_fatal(Problem("file is empty", str(path), 1, 1)))
        return
    if not isinstance(doc, LocDict):
        problems.append(_fatal(Problem("a rule pack must be a mapping with 'sources:' and/or 'rules:'",
                                       str(path), 1, 1)))
        return
    if "explanations" in doc and not TOP_KEYS & set(doc):  # explanations kept beside the pack's rules
        pack.files.remove(path)
        return
    for key in doc:
        if key not in TOP_KEYS:
            problems.append(_fatal(doc.key_locs[key].problem(
                f"unknown top-level key '{key}' (expected one of: {', '.join(sorted(TOP_KEYS))})", key)))
    for inc, loc in _items(doc, "include", problems):
        target = (path.parent / str(inc)).resolve()
        if not target.exists():
            problems.append(_fatal(loc.problem(f"included file not found: {inc}", "include")))
            continue
        for f in _pack_files(target):
            _load_file(f, pack, problems, seen)
    _load_meta(doc.get("pack"), doc, pack, problems)  # after its includes: the including file's settings win
    sources = doc.get("sources")
    if sources is not None:
        if not isinstance(sources, LocDict):
            problems.append(_fatal(doc.where("sources").problem("'sources' must be a mapping of names", "sources")))
        else:
            for name, spec in sources.items():
                _load_source(str(name), spec, sources.where(name), path, pack, problems)
    for item, loc in _items(doc, "rules", problems):
        rule = _load_rule(item, loc, pack, problems)
        if rule is not None:
            pack.rules.append(rule)


def _items(doc: LocDict, key: str, problems: list[Problem]) -> list[tuple[Any, Loc]]:
    value = doc.get(key)
    if value is None:
        return []
    if isinstance(value, str) and key == "include":
        return [(value, doc.where(key))]
    if not isinstance(value, LocList):
        problems.append(_fatal(doc.where(key).problem(f"'{key}' must be a list", key)))
        return []
    return list(zip(value, value.item_locs, strict=True))


def _load_meta(meta: Any, doc: LocDict, pack: Pack, problems: list[Problem]) -> None:
    if meta is None:
        return
    if not isinstance(meta, LocDict):
        problems.append(_fatal(doc.where("pack").problem("'pack' must be a mapping", "pack")))
        return
    for key in meta:
        if key not in PACK_KEYS:
            problems.append(meta.key_locs[key].problem(
                f"unknown key '{key}' in pack (expected: {', '.join(sorted(PACK_KEYS))})", key))
    pack.name = str(meta.get("name", pack.name))
    pack.description = meta.get("description", pack.description)
    pack.lang = meta.get("lang", pack.lang)
    for key in ("scorecard", "screen", "settings", "version"):
        if key in meta:
            pack.settings[key] = meta[key]


def _load_source(name: str, spec: Any, loc: Loc, file: Path, pack: Pack, problems: list[Problem]) -> None:
    if name in pack.sources:
        problems.append(_fatal(loc.problem(f"source '{name}' is declared twice", name)))
        return
    if spec is None:
        spec = LocDict()
        spec.loc, spec.key_locs, spec.value_locs = loc, {}, {}
    if not isinstance(spec, LocDict):
        problems.append(_fatal(loc.problem(f"source '{name}' must be a mapping", name)))
        return
    if "derive" in spec:  # computed from another source: statguard.pack.derived
        pack.sources[name] = Source(name=name, loc=loc, description=spec.get("description"),
                                    derive=parse_derivation(name, spec, problems))
        return
    for key in spec:
        if key not in SOURCE_KEYS:
            problems.append(_fatal(spec.key_locs[key].problem(
                f"unknown key '{key}' in source '{name}' (expected: {', '.join(sorted(SOURCE_KEYS))})", key)))
    src = Source(name=name, loc=loc, format=spec.get("format"), sheet=spec.get("sheet"),
                 encoding=spec.get("encoding"), unit=spec.get("unit"), period=spec.get("period"),
                 scope=spec.get("scope"), description=spec.get("description"))
    optional = spec.get("optional", False)
    if not isinstance(optional, bool):
        problems.append(spec.where("optional").problem(f"optional must be true or false, not {optional!r}",
                                                       "optional"))
    src.optional = optional is True
    if spec.get("path") is not None:
        src.path = (file.parent / str(spec["path"])).resolve()
    keys = spec.get("keys", [])
    src.keys = [keys] if isinstance(keys, str) else [str(k) for k in keys]
    columns = spec.get("columns") or {}
    if isinstance(columns, LocList):  # a bare list of names
        columns = {str(c): None for c in columns}
    if not isinstance(columns, dict):
        problems.append(_fatal(spec.where("columns").problem("'columns' must be a mapping", "columns")))
        columns = {}
    for col_name, col_spec in columns.items():
        col_loc = columns.where(col_name) if isinstance(columns, LocDict) else loc
        column = _load_column(str(col_name), col_spec, col_loc, problems)
        src.columns[column.name] = column
    for role in ("unit", "period", "scope"):
        value = getattr(src, role)
        if value is not None and src.columns and value not in src.columns:
            problems.append(_fatal(spec.where(role).problem(
                f"{role} column '{value}' is not among the declared columns of '{name}'", role)))
    for k in src.keys:
        if src.columns and k not in src.columns:
            problems.append(_fatal(spec.where("keys").problem(
                f"key column '{k}' is not among the declared columns of '{name}'", "keys")))
    pack.sources[name] = src


def _load_column(name: str, spec: Any, loc: Loc, problems: list[Problem]) -> Column:
    if spec is None:
        return Column(name=name, loc=loc)
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        problems.append(_fatal(loc.problem(f"column '{name}' must be a type name or a mapping", name)))
        return Column(name=name, loc=loc)
    where = spec.where if isinstance(spec, LocDict) else (lambda _k: loc)
    for key in spec:
        if key not in COLUMN_KEYS:
            problems.append(_fatal(where(key).problem(
                f"unknown key '{key}' in column '{name}' (expected: {', '.join(sorted(COLUMN_KEYS))})", key)))
    ctype = spec.get("type")
    if ctype is not None and ctype not in COLUMN_TYPES:
        problems.append(_fatal(where("type").problem(
            f"unknown type '{ctype}' for column '{name}' (expected one of: {', '.join(COLUMN_TYPES)})", "type")))
    allowed = spec.get("allowed")
    if allowed is not None and not isinstance(allowed, list):
        allowed = [allowed]
    return Column(name=name, type=ctype, required=bool(spec.get("required", True)),
                  nullable=bool(spec.get("nullable", True)), allowed=allowed,
                  codelist=spec.get("codelist"), min=spec.get("min"), max=spec.get("max"),
                  pattern=spec.get("pattern"), unique=bool(spec.get("unique", False)),
                  description=spec.get("description"), loc=loc)


def _load_rule(item: Any, loc: Loc, pack: Pack, problems: list[Problem]) -> Rule | None:
    if not isinstance(item, LocDict):
        problems.append(loc.problem("each rule must be a mapping with at least 'id' and 'kind'"))
        return None
    rule_id = item.get("id")
    if not isinstance(rule_id, (str, int)) or str(rule_id).strip() == "":
        problems.append(item.loc.problem("rule has no 'id'", "id"))
        return None
    rule = Rule(id=str(rule_id), kind=str(item.get("kind", "")), params=None, loc=item.loc, raw=item,
                description=str(item.get("description") or ""), message=item.get("message"),
                tags=[str(t) for t in (item.get("tags") or [])], hard=item.get("hard"))
    severity = item.get("severity", "error")
    if severity not in SEVERITIES:
        rule.problems.append(item.where("severity").problem(
            f"severity must be one of {', '.join(SEVERITIES)}, not '{severity}'", "severity"))
    rule.severity = severity if severity in SEVERITIES else "error"
    _hard_and_explanation(item, rule)
    _persistence(item, rule)
    if rule.id in RESERVED_IDS:
        rule.problems.append(item.where("id").problem(
            f"rule id '{rule.id}' is reserved (statguard reports explanation problems under it)", "id"))
    if any(r.id == rule.id for r in pack.rules):
        rule.problems.append(item.where("id").problem(f"rule id '{rule.id}' is used twice", "id"))
    if item.get("enabled", True) is False:
        return None
    kind = registry.get(rule.kind)
    if kind is None:
        known = ", ".join(registry.kinds())
        rule.problems.append(item.where("kind").problem(
            f"unknown rule kind '{rule.kind}' (known kinds: {known})", "kind"))
    else:
        params = {k: v for k, v in item.items() if k not in RULE_COMMON}
        try:
            rule.params = kind.params.model_validate(params)
        except ValidationError as e:
            rule.problems.extend(_pydantic_problems(e, item, kind))
    problems.extend(rule.problems)
    return rule


def _hard_and_explanation(item: LocDict, rule: Rule) -> None:
    """`hard:` must be a boolean; `explanation:` (statguard.explain.spec) only suits soft rules."""
    from statguard.explain.spec import parse_spec
    if rule.hard is not None and not isinstance(rule.hard, bool):
        rule.problems.append(item.where("hard").problem(f"hard must be true or false, not {rule.hard!r}", "hard"))
        rule.hard = None
    if rule.hard and rule.severity == "info":
        rule.problems.append(item.where("hard").problem("an info rule never gates, so it cannot be hard", "hard"))
    value = item.get("explanation")
    sub = value.where if isinstance(value, LocDict) else (lambda _k: item.where("explanation"))
    rule.explanation, problems = parse_spec(value, lambda k: sub(k) if k else item.where("explanation"))
    rule.problems.extend(problems)
    if value is not None and rule.is_hard:
        rule.problems.append(item.where("explanation").problem(
            f"rule '{rule.id}' is hard (severity error or hard: true): its violations cannot be explained, "
            "so 'explanation' does not apply; say hard: false to accept explanations", "explanation"))


def _persistence(item: LocDict, rule: Rule) -> None:
    """`min_failures: k` (optionally `of_last: n`): whole numbers, k >= 1, n >= k."""
    k, n = item.get("min_failures"), item.get("of_last")
    if k is None and n is None:
        return
    for key, value in (("min_failures", k), ("of_last", n)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            rule.problems.append(item.where(key).problem(f"{key} must be a whole number of at least 1, "
                                                         f"not {value!r}", key))
            return
    if k is None:
        rule.problems.append(item.where("of_last").problem("of_last needs min_failures", "of_last"))
        return
    if n is not None and n < k:
        rule.problems.append(item.where("of_last").problem(
            f"of_last ({n}) must be at least min_failures ({k})", "of_last"))
        return
    from statguard.report.persistence import Persistence
    rule.persist = Persistence(k, n)


def _pydantic_problems(e: ValidationError, item: LocDict, kind: registry.Kind) -> list[Problem]:
    out = []
    fields = sorted(set(kind.params.model_fields) | {f.alias for f in kind.params.model_fields.values() if f.alias})
    for err in e.errors():
        path = [str(p) for p in err["loc"]]
        key = path[0] if path else None
        where = item.where(key) if key else item.loc
        if err["type"] == "extra_forbidden" and len(path) > 1:  # inside a nested mapping such as window:
            msg = f"unknown key '{path[-1]}' in '{'.'.join(path[:-1])}' of kind '{kind.name}'"
            where = _nested_where(item, path) or where
        elif err["type"] == "extra_forbidden":
            allowed = ", ".join(sorted(set(fields) | RULE_COMMON))
            msg = f"unknown parameter '{key}' for kind '{kind.name}' (allowed: {allowed})"
            where = item.key_locs.get(key, where)
        elif err["type"] == "missing":
            msg = f"kind '{kind.name}' needs parameter '{'.'.join(path)}'"
            where = item.loc
        else:
            msg = f"parameter '{'.'.join(path)}': {err['msg']}"
        out.append(where.problem(msg, ".".join(path) or None))
    return out


def _nested_where(item: LocDict, path: list[str]) -> Loc | None:
    """Where the key at `path` is written, as deep into the located YAML as it goes."""
    node: Any = item
    loc = None
    for key in path:
        if not isinstance(node, LocDict) or key not in node:
            break
        loc = node.key_locs.get(key) or node.where(key)
        node = node[key]
    return loc


def _check_rules(pack: Pack, problems: list[Problem]) -> dict[int, Any]:
    """Dry-plan every rule against the declared sources: catches bad expressions and columns.
    Returns the plans by id(rule), for type_problems to bind without planning again."""
    from statguard.checks.plan import Context
    plans: dict[int, Any] = {}
    for rule in pack.rules:
        if rule.problems or rule.params is None:
            continue
        kind = registry.get(rule.kind)
        assert kind is not None
        try:
            plans[id(rule)] = kind.plan(rule, Context(pack, rule))
            if kind.lint is not None:
                rule.problems.extend(kind.lint(rule, pack))
        except PackError as e:
            rule.problems.extend(e.problems)
        except StatguardError as e:
            rule.problems.append(Problem(str(e), rule.loc.file if rule.loc else None,
                                         rule.loc.line if rule.loc else None))
        problems.extend(rule.problems)
    return plans
