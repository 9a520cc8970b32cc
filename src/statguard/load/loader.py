"""Loading a rule pack: YAML files, includes, sources and rules.

Structural problems (malformed YAML, a broken sources section) stop loading
with a PackError listing every problem with file, line and column: so does any
problem of the pack's own declarations, its `pack:` settings, includes and
sources (an unknown key, a value of the wrong type such as `keys: 5` or
`glob: yes please`), since they are not one rule's to lose. A broken rule does
not stop the others: it is kept with its problems, reported as
errored when the pack runs, and listed by `statguard lint`; that includes an
entry of `rules:` without an id (it is reported under its place, e.g.
"rules.yml:12") and a rule with a key given twice.

Files come from the pack's own directory tree: the directory of a pack file, or
the pack directory. An `include:` reaching outside it (`../..`, an absolute path,
a link) is refused at the include unless one of `allow_include`'s directories
holds it (`--allow-include DIR`); the bundled packs (statguard/packs) may always
be included. The refusal names the including file and line, never the content of
the refused file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from statguard import collector
from statguard.checks import registry
from statguard.errors import PackError, Problem, StatguardError
from statguard.i18n import LANGS, did_you_mean, normalize, say, speaking
from statguard.load.dryrun import type_problems
from statguard.pack import (
    lint_checks,
    messages,  # noqa: F401  (registers the texts of pack.*)
)
from statguard.pack.databases import DATABASE_KEYS, parse_database
from statguard.pack.derived import parse_derivation, resolve_derived
from statguard.pack.model import COLUMN_TYPES, SEVERITIES, Column, Pack, Rule, Source
from statguard.pack.scorecard import config_problems
from statguard.pack.screen import screen_problems
from statguard.pack.yamlio import Loc, LocDict, LocList, read_yaml
from statguard.packfiles import declared_lang, pack_files

RESERVED_IDS = {"explanations"}  # the pseudo-rule of statguard.explain
RESERVED_PREFIXES = ("raw:", "history:", "_sg_")  # the engine's own tables (compared case-insensitively)
BUNDLED = Path(__file__).resolve().parent.parent / "packs"  # statguard/packs: may always be included
TOP_KEYS = {"pack", "include", "sources", "rules"}
PACK_KEYS = {"name", "description", "lang", "version", "scorecard", "screen", "settings"}
RULE_COMMON = {"id", "kind", "description", "severity", "message", "tags", "hard", "enabled", "explanation",
               "min_failures", "of_last"}
SOURCE_KEYS = {"path", "format", "sheet", "header", "skip", "encoding", "columns", "keys", "unit", "period",
               "scope", "description", "derive", "optional", "glob", *DATABASE_KEYS}
COLUMN_KEYS = {"type", "required", "nullable", "allowed", "codelist", "min", "max", "pattern",
               "unique", "description", "pii"}
PII_KINDS = ("id", "phone", "name", "text")  # `pii: true` (the mask chosen by content) or one of these
PERIOD_PARAMS = {"from", "to"}  # periods: `from: 2014` is the text 2014 (statguard.periods parses it)


def load_pack(path: str | Path, *, strict: bool = False, check_types: bool = False,
              allow_include: Iterable[str | Path] = (), lang: str | None = None) -> Pack:
    """Load the pack at `path` (a YAML file or a directory of YAML files).

    With strict=True any problem, including one in a single rule, raises PackError.
    With check_types=True every rule is also bound against empty tables of its sources'
    declared column types, as `statguard lint` does (statguard.load.dryrun); a run finds
    the same problems itself, reporting such a rule errored with the same located message.
    allow_include: directories besides the pack's own tree whose files `include:` may read.
    lang: the language of the problems' messages; default the pack's `lang:`, else the language
    statguard.i18n.speaking set around the call (the CLI's locale), else English.
    """
    root = Path(path)
    with collector.paused(), speaking(lang or declared_lang(root)):
        return _load(root, strict, check_types, allow_include)


def _load(root: Path, strict: bool, check_types: bool, allow_include: Iterable[str | Path] = ()) -> Pack:
    if not root.exists():
        raise PackError(Problem(say("pack.no_such_path", path=root), str(root)))
    files = pack_files(root)
    if not files:
        raise PackError(Problem(say("pack.no_yaml"), str(root)))
    pack = Pack(name=root.stem if root.is_file() else root.name, path=root, validator=_validate)
    problems: list[Problem] = []
    seen: set[Path] = set()
    tree = root.resolve() if root.is_dir() else root.resolve().parent
    allowed = [tree, BUNDLED, *(Path(d).resolve() for d in allow_include)]
    for f in files:
        if not _inside(f.resolve(), allowed):  # a link in the pack directory pointing elsewhere
            problems.append(_fatal(Problem(say("pack.link_outside", tree=tree), str(f))))
            continue
        _load_file(f, pack, problems, seen, allowed)
    resolve_derived(pack, problems)
    problems.extend(_codelist_problems(pack))
    for rule in pack.rules:  # before planning: listed once in the pack's problems, by the source
        rule.problems.extend(p for name in dict.fromkeys(rule.sources) for p in _source_problems(pack, name))
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


def _validate(pack: Pack, sources: Any, **options: Any) -> Any:
    """Pack.validate: statguard.api.validate, imported when a pack first runs (lint never does)."""
    from statguard.api import validate
    return validate(pack, sources, **options)


def _inside(path: Path, allowed: list[Path]) -> bool:
    return any(path == d or path.is_relative_to(d) for d in allowed)


def _fatal(p: Problem) -> Problem:
    return replace(p, fatal=True)


def _load_file(path: Path, pack: Pack, problems: list[Problem], seen: set[Path], allowed: list[Path]) -> None:
    path = path.resolve()
    if path in seen:
        return
    seen.add(path)
    pack.files.append(path)
    doc = read_yaml(path, keep_duplicates=True)
    if doc is None:
        problems.append(_fatal(Problem(say("pack.empty_file"), str(path), 1, 1)))
        return
    if not isinstance(doc, LocDict):
        problems.append(_fatal(Problem(say("pack.not_mapping"), str(path), 1, 1)))
        return
    if "explanations" in doc and not TOP_KEYS & set(doc):  # explanations kept beside the pack's rules
        pack.files.remove(path)
        return
    problems.extend(_fatal(p) for p in _duplicates(doc, skip=doc.get("rules")))  # a rule's own: that rule's
    for key in doc:
        if key not in TOP_KEYS:
            problems.append(_fatal(doc.key_locs[key].problem(
                say("pack.unknown_top", key=key, expected=", ".join(sorted(TOP_KEYS)))
                + did_you_mean(key, TOP_KEYS), key)))
    for inc, loc in _items(doc, "include", problems):
        target, why = _include_target(path, inc, allowed)
        if why:
            problems.append(_fatal(loc.problem(why, "include")))
            continue
        for f in pack_files(target):
            if _inside(f.resolve(), allowed):
                _load_file(f, pack, problems, seen, allowed)
            else:
                problems.append(_fatal(loc.problem(
                    say("pack.include_link", inc=inc, name=f.name), "include")))
    _load_meta(doc.get("pack"), doc, pack, problems)  # after its includes: the including file's settings win
    sources = doc.get("sources")
    if sources is not None:
        if not isinstance(sources, LocDict):
            problems.append(_fatal(doc.where("sources").problem(say("pack.sources_mapping"), "sources")))
        else:
            for name, spec in sources.items():
                _load_source(str(name), spec, sources.where(name), path, pack, problems)
    for item, loc in _items(doc, "rules", problems):
        rule = _load_rule(item, loc, pack, problems)
        if rule is not None:
            pack.rules.append(rule)


def _include_target(path: Path, inc: Any, allowed: list[Path]) -> tuple[Path, str | None]:
    """The file or directory `include: inc` names, or why it cannot be read."""
    name = _name(inc)
    if name is None or "\x00" in name:
        return path, say("pack.include_nul") if name else say("pack.include_not_name", value=_shown(inc))
    try:
        target = (path.parent / name).resolve()
        if not _inside(target, allowed):  # checked first: whether it exists is not told either
            return target, say("pack.include_outside", tree=allowed[0], name=name)
        if not target.exists():
            return target, say("pack.include_missing", name=name)
    except (OSError, ValueError, RuntimeError) as e:  # a name too long for the file system, a link loop
        return path, say("pack.include_unreadable", name=name[:100], why=getattr(e, "strerror", None) or e)
    return target, None


def _duplicates(value: Any, skip: Any = None) -> list[Problem]:
    """Keys given twice anywhere in `value` (except inside `skip`'s items)."""
    found: list[Problem] = []
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: the same object again
            continue
        seen.add(id(node))
        if isinstance(node, LocDict):
            found.extend(node.duplicates)
            stack.extend(node.values())
        elif isinstance(node, list) and node is not skip:
            stack.extend(node)
    return found


def _items(doc: LocDict, key: str, problems: list[Problem]) -> list[tuple[Any, Loc]]:
    value = doc.get(key)
    if value is None:
        return []
    if isinstance(value, str) and key == "include":
        return [(value, doc.where(key))]
    if not isinstance(value, LocList):
        problems.append(_fatal(doc.where(key).problem(say("pack.must_be_list", key=key), key)))
        return []
    return list(zip(value, value.item_locs, strict=True))


def _load_meta(meta: Any, doc: LocDict, pack: Pack, problems: list[Problem]) -> None:
    if meta is None:
        return
    if not isinstance(meta, LocDict):
        problems.append(_fatal(doc.where("pack").problem(say("pack.pack_mapping"), "pack")))
        return
    for key in meta:
        if key not in PACK_KEYS:
            problems.append(_fatal(meta.key_locs[key].problem(
                say("pack.unknown_pack_key", key=key, expected=", ".join(sorted(PACK_KEYS)))
                + did_you_mean(key, PACK_KEYS), key)))
    pack.name = str(meta.get("name", pack.name))
    pack.description = meta.get("description", pack.description)
    lang = meta.get("lang", pack.lang)
    if lang is not None and not (isinstance(lang, str) and normalize(lang)):  # zh, en, zh-CN, en_GB ...
        problems.append(_fatal(_at(meta, "lang").problem(
            say("pack.lang", langs=", ".join(LANGS), value=_shown(lang)), "lang")))
        lang = None
    pack.lang = lang
    for key in ("scorecard", "screen", "settings", "version"):
        if key in meta:
            pack.settings[key] = meta[key]


def _load_source(name: str, spec: Any, loc: Loc, file: Path, pack: Pack, problems: list[Problem]) -> None:
    if name in pack.sources:
        problems.append(_fatal(loc.problem(say("pack.source_twice", name=name), name)))
        return
    if name.casefold().startswith(RESERVED_PREFIXES) or not name.strip():
        problems.append(_fatal(loc.problem(
            say("pack.source_reserved", name=name, prefixes=", ".join(repr(p) for p in RESERVED_PREFIXES)), name)))
        return
    if spec is None:
        spec = LocDict()
        spec.loc, spec.key_locs, spec.value_locs = loc, {}, {}
    if not isinstance(spec, LocDict):
        problems.append(_fatal(loc.problem(say("pack.source_mapping", name=name), name)))
        return
    if "derive" in spec:  # computed from another source: statguard.pack.derived
        pack.sources[name] = Source(name=name, loc=loc, description=spec.get("description"),
                                    derive=parse_derivation(name, spec, problems))
        return
    for key in spec:
        if key not in SOURCE_KEYS:
            problems.append(_fatal(spec.key_locs[key].problem(
                say("pack.unknown_source_key", key=key, name=name, expected=", ".join(sorted(SOURCE_KEYS)))
                + did_you_mean(key, SOURCE_KEYS), key)))
    text = {key: _source_text(spec, key, name, problems) for key in SOURCE_TEXT}
    src = Source(name=name, loc=loc, format=text["format"], sheet=_sheet(spec, problems), encoding=text["encoding"],
                 unit=text["unit"], period=text["period"], scope=text["scope"], description=spec.get("description"))
    for flag in ("optional", "glob"):
        value = spec.get(flag, False)
        if not isinstance(value, bool):
            problems.append(_fatal(spec.where(flag).problem(say("pack.flag", flag=flag, value=repr(value)), flag)))
        setattr(src, flag, value is True)
    src.header, src.skip = _rows(spec, "header", problems), _rows(spec, "skip", problems)
    src.path = _source_path(spec, name, file, problems)
    listed = len(problems)
    src.database = parse_database(name, spec, file, problems)  # url: with table: or query:
    # a database declaration that cannot work stops the rules reading this source, not the others
    src.problems = problems[listed:]
    src.keys = _source_keys(spec, name, problems)
    src.locs = _declared_locs(spec)
    columns = spec.get("columns") or {}
    if isinstance(columns, LocList):  # a bare list of names
        columns = {str(c): None for c in columns}
    if not isinstance(columns, dict):
        problems.append(_fatal(spec.where("columns").problem(say("pack.columns_mapping"), "columns")))
        columns = {}
    for col_name, col_spec in columns.items():
        col_loc = columns.where(col_name) if isinstance(columns, LocDict) else loc
        column = _load_column(str(col_name), col_spec, col_loc, problems)
        src.columns[column.name] = column
    # keys, unit, period and scope may name undeclared columns: declared ones are those the pack
    # types or constrains, the file's header has the rest (a run reports a column it lacks)
    pack.sources[name] = src


# Keys of a source that hold one name (of a column, a format, an encoding), and what they accept.
SOURCE_TEXT = {"unit": "pack.a_column", "period": "pack.a_column", "scope": "pack.a_column",
               "format": "pack.a_format", "encoding": "pack.an_encoding"}  # catalogue keys
FORMATS = ("csv", "excel", "parquet", "json")


def _at(spec: LocDict, key: str) -> Loc:
    """Where `key:` is written: its value, or the key itself when the value is empty."""
    return spec.where(key) if spec.get(key) is not None else spec.key_locs.get(key, spec.loc)


def _shown(value: Any) -> str:
    return "nothing (an empty value)" if value is None else repr(value)[:100]


def _name(value: Any) -> str | None:
    """A column name as YAML gives it (text, or a number such as 2024), else None."""
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _source_text(spec: LocDict, key: str, source: str, problems: list[Problem]) -> str | None:
    if spec.get(key) is None:
        return None
    value = _name(spec[key]) if key in ("unit", "period", "scope") else spec[key]
    if key == "format" and value not in FORMATS:
        value = None
    if key == "encoding" and isinstance(value, str):
        value = value if value.lower() == "auto" or _codec(value) else None
    if not isinstance(value, str):
        problems.append(_fatal(_at(spec, key).problem(
            say("pack.source_text", key=key, source=source, what=say(SOURCE_TEXT[key]), value=_shown(spec[key])),
            key)))
    return value


def _codec(name: str) -> bool:
    import codecs
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _sheet(spec: LocDict, problems: list[Problem]) -> str | int | None:
    value = spec.get("sheet")
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    problems.append(_fatal(_at(spec, "sheet").problem(
        say("pack.sheet", value=_shown(value)), "sheet")))
    return None


def _declared_locs(spec: LocDict) -> dict[str, Loc]:
    """Where a source writes its unit, period and each key, so that a column its data lacks is
    named at its own line."""
    locs = {key: spec.where(key) for key in ("unit", "period") if key in spec}
    keys = spec.get("keys")
    if isinstance(keys, LocList):  # names as _source_keys reads them: text, or a number such as 2024
        named = ((_name(k), at) for k, at in zip(keys, keys.item_locs, strict=False))
        locs.update({f"key:{name}": at for name, at in named if name is not None})
    elif (name := _name(keys)) is not None:
        locs[f"key:{name}"] = spec.where("keys")
    return locs


def _rows(spec: LocDict, key: str, problems: list[Problem]) -> Any:
    """A workbook's `header:` (row number from 1, or a list of them) or `skip:` (a count from 0)."""
    value = spec.get(key)
    numbers = value if key == "header" and isinstance(value, list) and value else [value]
    least = 1 if key == "header" else 0
    if value is None or all(isinstance(n, int) and not isinstance(n, bool) and n >= least for n in numbers):
        return list(value) if isinstance(value, list) else value
    what = say("pack.header_rows" if key == "header" else "pack.skip_rows")
    problems.append(_fatal(_at(spec, key).problem(say("pack.rows", key=key, what=what, value=_shown(value)), key)))
    return None


def _source_path(spec: LocDict, source: str, file: Path, problems: list[Problem]) -> Path | None:
    """The source's file (or glob pattern) as declared, relative to the declaring file; None without one."""
    if "path" not in spec:
        return None
    value = _name(spec["path"])
    why = (say("pack.path_not_name", source=source, value=_shown(spec["path"])) if value is None
           else say("pack.path_nul", source=source) if "\x00" in value else None)
    if why is None:
        try:
            return (file.parent / value).resolve()
        except (OSError, ValueError, RuntimeError) as e:
            why = say("pack.path_unusable", source=source, why=getattr(e, "strerror", None) or e)
    problems.append(_fatal(_at(spec, "path").problem(why, "path")))
    return None


def _source_keys(spec: LocDict, source: str, problems: list[Problem]) -> list[str]:
    """`keys:`: one column name or a list of them."""
    if "keys" not in spec:
        return []
    value = spec["keys"]
    names = [_name(k) for k in value] if isinstance(value, list) else [_name(value)]
    if all(n is not None for n in names):
        return [n for n in names if n is not None]
    problems.append(_fatal(_at(spec, "keys").problem(
        say("pack.keys", source=source, value=_shown(value)), "keys")))
    return []


def _load_column(name: str, spec: Any, loc: Loc, problems: list[Problem]) -> Column:
    if spec is None:
        return Column(name=name, loc=loc)
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        problems.append(_fatal(loc.problem(say("pack.column_form", name=name), name)))
        return Column(name=name, loc=loc)
    where = spec.where if isinstance(spec, LocDict) else (lambda _k: loc)
    for key in spec:
        if key not in COLUMN_KEYS:
            problems.append(_fatal(where(key).problem(
                say("pack.unknown_column_key", key=key, name=name, expected=", ".join(sorted(COLUMN_KEYS)))
                + did_you_mean(key, COLUMN_KEYS), key)))
    ctype = spec.get("type")
    if ctype is not None and ctype not in COLUMN_TYPES:
        problems.append(_fatal(where("type").problem(
            say("pack.unknown_type", type=ctype, name=name, expected=", ".join(COLUMN_TYPES)), "type")))
        ctype = None  # the pack does not run; lint goes on without the unknown type
    pattern = spec.get("pattern")
    if pattern is not None:
        problem = lint_checks.pattern_problem(pattern, name)
        if problem:
            problems.append(_fatal(where("pattern").problem(problem, "pattern")))
            pattern = None
    allowed = spec.get("allowed")
    if allowed is not None and not isinstance(allowed, list):
        allowed = [allowed]
    bounds = {}
    for key in ("min", "max"):
        bounds[key] = spec.get(key)
        why = _bound_problem(bounds[key], ctype)
        if why:
            problems.append(_fatal(where(key).problem(
                say("pack.bound", key=key, name=name, what=why, value=_shown(bounds[key])), key)))
            bounds[key] = None
    codelist = spec.get("codelist")
    if codelist is not None and not (isinstance(codelist, str) and "." in codelist.strip(".")):
        problems.append(_fatal(where("codelist").problem(
            say("pack.codelist_form", name=name, value=_shown(codelist)), "codelist")))
        codelist = None
    pii = _pii(spec.get("pii"), name, where("pii"), problems)
    return Column(name=name, type=ctype, required=bool(spec.get("required", True)),
                  nullable=bool(spec.get("nullable", True)), allowed=allowed,
                  codelist=codelist, min=bounds["min"], max=bounds["max"],
                  pattern=pattern, unique=bool(spec.get("unique", False)),
                  description=spec.get("description"), loc=loc, codelist_loc=where("codelist"), pii=pii)


def _pii(value: Any, name: str, loc: Loc, problems: list[Problem]) -> str | None:
    """A column's `pii:`: true (masked by what each value looks like), false, or the mask to use."""
    if value is None or value is False:
        return None
    if value is True:
        return "auto"
    if isinstance(value, str) and value.strip().lower() in PII_KINDS:
        return value.strip().lower()
    problems.append(_fatal(loc.problem(say("pack.pii", name=name, kinds=", ".join(PII_KINDS), value=_shown(value)),
                                       "pii")))
    return "auto"  # masked all the same while the pack is being corrected


def _bound_problem(value: Any, ctype: str | None) -> str | None:
    """What a column's `min:`/`max:` must be for its type, unless `value` is it."""
    if value is None:
        return None
    if ctype in ("date", "datetime"):
        if isinstance(value, (dt.date, dt.datetime)):
            return None
        try:
            dt.datetime.fromisoformat(str(value))
        except ValueError:
            return say("pack.a_date")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return say("pack.a_number")
    try:
        float(value)
    except ValueError:
        return say("pack.a_number")
    return None


def _codelist_problems(pack: Pack) -> list[Problem]:
    """A column's `codelist: SOURCE.COLUMN` must name a declared source (and one of its
    declared columns, when it declares them); asked once every file is read."""
    out = []
    for source in pack.sources.values():
        for column in source.columns.values():
            if not column.codelist or column.codelist_loc is None:
                continue
            name, _, code = column.codelist.rpartition(".")
            held = pack.sources.get(name)
            if held is None:
                why = say("pack.codelist_source", codelist=column.codelist, column=column.name, name=name,
                          known=", ".join(sorted(pack.sources)))
            elif held.columns and code not in held.columns:
                why = say("pack.codelist_column", codelist=column.codelist, column=column.name, name=name, code=code)
            else:
                continue
            out.append(_fatal(column.codelist_loc.problem(why, "codelist")))
    return out


def _broken_entry(item: Any, loc: Loc, why: str, field: str | None, problems: list[Problem]) -> Rule:
    """An entry of `rules:` that is not a rule (no id, not a mapping): kept as an errored rule
    named after its place, so a run reports it while the other rules run."""
    problem = loc.problem(why, field)
    problems.append(problem)
    where = f"{Path(loc.file).name}:{loc.line}"
    kind = item.get("kind") if isinstance(item, LocDict) else None
    return Rule(id=where, kind=str(kind) if isinstance(kind, str) else "", params=None, loc=loc,
                raw=item if isinstance(item, LocDict) else {}, problems=[problem])


def _load_rule(item: Any, loc: Loc, pack: Pack, problems: list[Problem]) -> Rule | None:
    if not isinstance(item, LocDict):
        return _broken_entry(item, loc, say("pack.rule_mapping"), None, problems)
    rule_id = item.get("id")
    if isinstance(rule_id, (dt.date, dt.datetime)):  # id: 2024-01-01 is a date to YAML
        return _broken_entry(item, item.loc, say("pack.id_date", id=rule_id), "id", problems)
    if isinstance(rule_id, (int, float)):  # id: 0101 and id: yes (a boolean to YAML) are text as written
        rule_id = item.written("id")
    if isinstance(rule_id, (list, dict)):
        return _broken_entry(item, item.where("id"), say("pack.id_text", given=item.written("id")), "id", problems)
    if not isinstance(rule_id, str) or rule_id.strip() == "":
        if item.get("enabled", True) is False:  # switched off: listed by lint, not run
            problems.append(item.loc.problem(say("pack.no_id"), "id"))
            return None
        return _broken_entry(item, item.loc, say("pack.no_id"), "id", problems)
    rule = Rule(id=str(rule_id), kind=str(item.get("kind", "")), params=None, loc=item.loc, raw=item,
                description=_description(item.get("description")), message=item.get("message"),
                tags=_tags(item.get("tags")), hard=item.get("hard"))
    rule.problems.extend(_duplicates(item))
    rule.problems.extend(_flag_problems(item))
    rule.problems.extend(lint_checks.message_problems(item))
    rule.problems.extend(lint_checks.description_problems(item))
    severity = item.get("severity", "error")
    if severity not in SEVERITIES:
        rule.problems.append(item.where("severity").problem(
            say("pack.severity", severities=", ".join(SEVERITIES), severity=severity), "severity"))
    rule.severity = severity if severity in SEVERITIES else "error"
    _hard_and_explanation(item, rule)
    _persistence(item, rule)
    if rule.id in RESERVED_IDS:
        rule.problems.append(item.where("id").problem(
            say("pack.id_reserved", id=rule.id), "id"))
    if any(r.id == rule.id for r in pack.rules):
        rule.problems.append(item.where("id").problem(say("pack.id_twice", id=rule.id), "id"))
    if item.get("enabled", True) is False:
        return None
    kind = registry.get(rule.kind)
    if kind is None:
        rule.problems.append(lint_checks.kind_problem(rule.kind, registry.names(), item.where("kind")))
    else:
        params = {k: item.written(k) if k in PERIOD_PARAMS else v for k, v in item.items() if k not in RULE_COMMON}
        try:
            rule.params = kind.params.model_validate(params)
        except ValidationError as e:
            rule.problems.extend(lint_checks.parameter_problems(e, item, kind, RULE_COMMON))
            rule.params = lint_checks.without_unknown(kind.params, params, e)  # planned for its other problems
    problems.extend(rule.problems)
    return rule


def _description(value: Any) -> str | dict[str, str]:
    """A rule's description: text, or one text per language ({zh: ..., en: ...}, Rule.described);
    anything else is shown as given, cut short (lint_checks.description_problems says what is wrong)."""
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    return str(value)[:1000]


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(t) for t in value] if isinstance(value, list) else [str(value)]


def _flag_problems(item: LocDict) -> list[Problem]:
    """`enabled:` must be a boolean, `tags:` a name or a list of names."""
    out = []
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        out.append(_at(item, "enabled").problem(say("pack.enabled", value=_shown(enabled)), "enabled"))
    tags = item.get("tags")
    if tags is not None and any(_name(t) is None for t in (tags if isinstance(tags, list) else [tags])):
        out.append(_at(item, "tags").problem(say("pack.tags", value=_shown(tags)), "tags"))
    return out


def _hard_and_explanation(item: LocDict, rule: Rule) -> None:
    """`hard:` must be a boolean; `explanation:` (statguard.explain.spec) only suits soft rules."""
    from statguard.explain.spec import parse_spec
    if rule.hard is not None and not isinstance(rule.hard, bool):
        rule.problems.append(item.where("hard").problem(say("pack.hard", value=repr(rule.hard)), "hard"))
        rule.hard = None
    if rule.hard and rule.severity == "info":
        rule.problems.append(item.where("hard").problem(say("pack.info_hard"), "hard"))
    value = item.get("explanation")
    sub = value.where if isinstance(value, LocDict) else (lambda _k: item.where("explanation"))
    rule.explanation, problems = parse_spec(value, lambda k: sub(k) if k else item.where("explanation"))
    rule.problems.extend(problems)
    if value is not None and rule.is_hard:
        rule.problems.append(item.where("explanation").problem(
            say("pack.hard_explanation", id=rule.id), "explanation"))


def _persistence(item: LocDict, rule: Rule) -> None:
    """`min_failures: k` (optionally `of_last: n`): whole numbers, k >= 1, n >= k."""
    k, n = item.get("min_failures"), item.get("of_last")
    if k is None and n is None:
        return
    for key, value in (("min_failures", k), ("of_last", n)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            rule.problems.append(item.where(key).problem(say("pack.whole_number", key=key, value=repr(value)), key))
            return
    if k is None:
        rule.problems.append(item.where("of_last").problem(say("pack.of_last_alone"), "of_last"))
        return
    if n is not None and n < k:
        rule.problems.append(item.where("of_last").problem(
            say("pack.of_last_less", n=n, k=k), "of_last"))
        return
    from statguard.report.persistence import Persistence
    rule.persist = Persistence(k, n)


def _source_problems(pack: Pack, name: str) -> list[Problem]:
    src = pack.sources.get(name)
    return src.problems if src is not None else []


def _check_rules(pack: Pack, problems: list[Problem]) -> dict[int, Any]:
    """Dry-plan every rule against the declared sources: catches bad expressions and columns.
    Returns the plans by id(rule), for type_problems to bind without planning again."""
    from statguard.checks.plan import Context
    plans: dict[int, Any] = {}
    for rule in pack.rules:  # a rule with problems already is planned too: lint lists all of them
        if rule.params is None:
            continue
        kind = registry.get(rule.kind)
        assert kind is not None
        listed = len(rule.problems)  # listed by _load_rule already
        ctx = Context(pack, rule)
        try:
            plans[id(rule)] = kind.plan(rule, ctx)
            pack.notes.extend(ctx.undeclared)
            rule.problems.extend(lint_checks.placeholder_problems(rule, plans[id(rule)]))
            rule.problems.extend(lint_checks.regex_problems(rule, plans[id(rule)]))
            if kind.lint is not None:
                rule.problems.extend(kind.lint(rule, pack))
        except PackError as e:
            rule.problems.extend(e.problems)
        except StatguardError as e:
            rule.problems.append(Problem(str(e), rule.loc.file if rule.loc else None,
                                         rule.loc.line if rule.loc else None))
        problems.extend(rule.problems[listed:])
    return plans
