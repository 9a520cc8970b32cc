"""YAML reading that remembers where every key and value came from.

The loader is PyYAML's SafeLoader with one change: mappings and sequences are
built as `Node` containers that keep the line and column of each entry, so that
every problem found later can name file, line and column. Duplicate keys, a
frequent mistake when copying rules, are refused (or, for the pack loader, kept
as problems of the mapping that has them, so that only that rule is broken).

Packs may come from elsewhere, so what a file can make the loader build is
bounded before anything is built: a file of at most MAX_BYTES, nesting of at most
MAX_DEPTH levels, and aliases (`*name`) that together repeat at most
MAX_ALIASED values and characters (a "billion laughs" file of a few hundred
bytes would otherwise become gigabytes wherever it is turned into text).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from statguard.errors import PackError, Problem
from statguard.i18n import say
from statguard.pack import messages  # noqa: F401  (registers the texts of pack.*)

MAX_BYTES = 8 * 1024 * 1024  # a pack file larger than this is refused unread
MAX_DEPTH = 64  # nested mappings and sequences
MAX_ALIASED = 1_000_000  # values and characters that aliases may repeat, in all


@dataclass(frozen=True)
class Loc:
    file: str
    line: int
    column: int
    style: str | None = None  # scalar style: None (plain), "'", '"', '|', '>'

    def problem(self, message: str, field: str | None = None, offset: tuple[int, int] = (0, 0)) -> Problem:
        line, col = offset
        if line:
            return Problem(message, self.file, self.line + line, col + 1, field)
        return Problem(message, self.file, self.line, self.column + col, field)


class LocDict(dict):
    """A mapping that knows the location of itself, its keys and its values.

    `duplicates`: with keep_duplicates, the keys that could not be taken: given twice (the
    first value is kept) or not plain text. A key from a merge (`<<: *name`) may be overridden.
    `texts`: the text as written of each unquoted value YAML read as something else (a number,
    a date): `id: 0101` is the number 65 to YAML, "0101" here, for the fields that want text.
    """

    loc: Loc
    key_locs: dict[str, Loc]
    value_locs: dict[str, Loc]
    duplicates: tuple[Problem, ...] = ()
    texts: dict[str, str] = {}  # noqa: RUF012  (each built mapping gets its own)

    def written(self, key: str) -> Any:
        """The value of `key` as text when it was written as a number or date, else as read."""
        value = self.get(key)
        if isinstance(value, str) or value is None or isinstance(value, (list, dict)):
            return value
        return self.texts.get(key, value)

    def where(self, key: str) -> Loc:
        return self.value_locs.get(key) or self.key_locs.get(key) or self.loc


class LocList(list):
    loc: Loc
    item_locs: list[Loc]


def _loc(node: yaml.Node, file: str) -> Loc:
    style = getattr(node, "style", None)
    return Loc(file, node.start_mark.line + 1, node.start_mark.column + 1, style)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when installed: 3x faster
    file = "<string>"
    keep_duplicates = False


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # merged (`<<: *name`) pairs first, then the mapping's own
    merged = len(node.value) - own
    out = LocDict()
    out.loc, out.key_locs, out.value_locs, out.texts = _loc(node, loader.file), {}, {}, {}
    from_merge: set[str] = set()
    for i, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)):
            _refuse(loader, out, _loc(key_node, loader.file).problem(say("pack.yaml.keys_plain")))
            continue
        key = str(key) if not isinstance(key, str) else key
        if key in out and key not in from_merge:  # a merged key may be overridden; a key given twice may not
            first = out.key_locs[key].line
            _refuse(loader, out, _loc(key_node, loader.file).problem(
                say("pack.yaml.duplicate_key", key=key, first=first), key))
            continue
        if i < merged:
            from_merge.add(key)
        else:
            from_merge.discard(key)
        out[key] = loader.construct_object(value_node, deep=True)
        if isinstance(value_node, yaml.ScalarNode) and not value_node.style and not isinstance(out[key], str):
            out.texts[key] = value_node.value
        else:
            out.texts.pop(key, None)  # a merged value overridden by a quoted one
        out.key_locs[key] = _loc(key_node, loader.file)
        out.value_locs[key] = _loc(value_node, loader.file)
    return out


def _refuse(loader: _Loader, mapping: LocDict, problem: Problem) -> None:
    """A key that cannot be taken: the whole file is refused, or (keep_duplicates) the mapping notes it."""
    if not loader.keep_duplicates:
        raise PackError(problem)
    mapping.duplicates = (*mapping.duplicates, problem)


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocList:
    out = LocList(loader.construct_object(child, deep=True) for child in node.value)
    out.loc = _loc(node, loader.file)
    out.item_locs = [_loc(child, loader.file) for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path, *, keep_duplicates: bool = False) -> Any:
    """Parse one YAML file (UTF-8, optional BOM) into located containers.

    keep_duplicates: a key given twice in a mapping (or not plain text) is listed in its
    `duplicates` instead of refusing the whole file.
    """
    try:
        with path.open("rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise PackError(Problem(say("pack.yaml.not_regular"), str(path)))
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise PackError(Problem(say("pack.yaml.cannot_read", why=e.strerror), str(path))) from None
    if len(raw) > MAX_BYTES:
        raise PackError(Problem(say("pack.yaml.too_large", mib=MAX_BYTES // (1024 * 1024)), str(path)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise PackError(Problem(
            say("pack.yaml.not_utf8"), str(path), line)) from None
    return parse_yaml(text, str(path), keep_duplicates=keep_duplicates)


def parse_yaml(text: str, file: str = "<string>", *, keep_duplicates: bool = False) -> Any:
    """Parse YAML text into located containers, within the module's bounds (PackError beyond them)."""
    if len(text) > MAX_BYTES:
        raise PackError(Problem(say("pack.yaml.text_too_large", mib=MAX_BYTES // (1024 * 1024)), file))
    loader = None
    try:
        _check_bounds(text, file)
        loader = _Loader(text)
        loader.file = file
        loader.keep_duplicates = keep_duplicates
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        raise _malformed(e, file, text) from None
    except yaml.reader.ReaderError as e:
        raise _unreadable(e, text, file) from None
    except yaml.YAMLError as e:
        raise PackError(Problem(say("pack.yaml.malformed", what=e), file)) from None
    finally:
        if loader is not None:
            loader.dispose()


def _malformed(e: yaml.MarkedYAMLError, file: str, text: str) -> PackError:
    """The syntax error at its line and column, in the author's words; a key typed with the
    full-width colon just above it is named instead, at its own place."""
    from statguard.pack import yaml_words
    mark = e.problem_mark or e.context_mark
    line = mark.line + 1 if mark else None
    typed = yaml_words.fullwidth_colon(text, line) if line else None
    if typed:
        return PackError(Problem(typed[2], file, typed[0], typed[1]))
    return PackError(Problem(yaml_words.explain(e.context, e.problem), file, line, mark.column + 1 if mark else None))


def _check_bounds(text: str, file: str) -> None:
    """Refuse, before anything is built, nesting deeper than MAX_DEPTH and aliases repeating
    more than MAX_ALIASED values and characters (read from the parser's events, in one pass)."""
    try:
        _scan_bounds(_Loader, text, file)
    except yaml.MarkedYAMLError as e:
        if "nesting depth" not in str(e.problem or ""):
            raise
        # libyaml 0.2.5+ stops at its own limit (1,000 levels) while scanning ahead, before its
        # events reach ours: PyYAML's own parser, which has none, finds where ours is crossed
        _scan_bounds(yaml.SafeLoader, text, file)
        raise


def _scan_bounds(loader: type, text: str, file: str) -> None:
    parser = loader(text)
    size: dict[str, int] = {}  # anchor -> values and characters of what it names
    open_: list[list[Any]] = []  # per open mapping or sequence: [anchor, values and characters so far]
    aliased = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(open_) >= MAX_DEPTH:
                    raise _bound_error(event, file, say("pack.yaml.too_deep", depth=MAX_DEPTH))
                open_.append([event.anchor, 1])
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, weight = open_.pop()
            elif isinstance(event, yaml.ScalarEvent):
                anchor, weight = event.anchor, 1 + len(event.value)
            elif isinstance(event, yaml.AliasEvent):
                anchor, weight = None, size.get(event.anchor, 1)
                aliased += weight
                if aliased > MAX_ALIASED:
                    raise _bound_error(event, file, say("pack.yaml.alias_bomb", n=f"{MAX_ALIASED:,}"))
            else:
                continue
            if anchor is not None:
                size[anchor] = weight
            if open_:
                open_[-1][1] += weight
    finally:
        parser.dispose()


def _unreadable(e: yaml.reader.ReaderError, text: str, file: str) -> PackError:
    """A character YAML does not allow (NUL, other control characters), at its line and column.
    The reader counts its position in bytes (libyaml) or characters (PyYAML); the first such
    character in the text is the one it stopped at either way."""
    char = chr(e.character) if isinstance(e.character, int) else None
    offset = text.find(char) if char else -1
    if offset < 0:
        return PackError(Problem(say("pack.yaml.malformed", what=e.reason), file))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return PackError(Problem(say("pack.yaml.bad_character", code=f"{e.character:04X}", why=e.reason),
                             file, line, column))


def _bound_error(event: yaml.Event, file: str, what: str) -> PackError:
    mark = event.start_mark
    return PackError(Problem(say("pack.yaml.refused", what=what), file, mark.line + 1, mark.column + 1))
