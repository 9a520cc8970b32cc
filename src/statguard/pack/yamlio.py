"""YAML reading that remembers where every key and value came from.

The loader is PyYAML's SafeLoader with one change: mappings and sequences are
built as `Node` containers that keep the line and column of each entry, so that
every problem found later can name file, line and column. Duplicate keys, a
frequent mistake when copying rules, are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from statguard.errors import PackError, Problem


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
    """A mapping that knows the location of itself, its keys and its values."""

    loc: Loc
    key_locs: dict[str, Loc]
    value_locs: dict[str, Loc]

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


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LocDict:
    loader.flatten_mapping(node)
    out = LocDict()
    out.loc, out.key_locs, out.value_locs = _loc(node, loader.file), {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)):
            raise PackError(_loc(key_node, loader.file).problem("mapping keys must be plain text"))
        key = str(key) if not isinstance(key, str) else key
        if key in out:
            first = out.key_locs[key].line
            raise PackError(_loc(key_node, loader.file).problem(
                f"duplicate key '{key}' (first given on line {first})", key))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_locs[key] = _loc(key_node, loader.file)
        out.value_locs[key] = _loc(value_node, loader.file)
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LocList:
    out = LocList(loader.construct_object(child, deep=True) for child in node.value)
    out.loc = _loc(node, loader.file)
    out.item_locs = [_loc(child, loader.file) for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file (UTF-8, optional BOM) into located containers."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise PackError(Problem(f"cannot read file: {e.strerror}", str(path))) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise PackError(Problem(
            "file is not UTF-8 (rule packs must be saved as UTF-8; GBK/GB18030 is not accepted)",
            str(path), line)) from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str = "<string>") -> Any:
    loader = _Loader(text)
    loader.file = file
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        what = " ".join(p for p in (e.context, e.problem) if p)
        raise PackError(Problem(f"malformed YAML: {what}", file,
                                mark.line + 1 if mark else None,
                                mark.column + 1 if mark else None)) from None
    except yaml.YAMLError as e:
        raise PackError(Problem(f"malformed YAML: {e}", file)) from None
    finally:
        loader.dispose()
