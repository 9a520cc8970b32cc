"""Cell-level differences between two recorded versions.

Rows are matched by the source's keys (those stored with the newer version, or
given explicitly). A key present only in the newer version is an added row,
only in the older a removed row; a key in both whose other values differ is a
changed row, listing each changed cell with its old and new value. Without
keys rows can only be compared whole: rows that occur more often in one
version than in the other are listed as added or removed.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from statguard.errors import HistoryError
from statguard.history.store import HistoryStore, Submission
from statguard.i18n import register, say

register({
    "history.diff.sources": {"en": "cannot compare versions of different sources ('{old}' and '{new}')",
                             "zh": "不能比较不同数据源的版本（「{old}」和「{new}」）"},
    "history.diff.older_keys": {"en": "key column(s) {columns} not in the older version ({label})",
                                "zh": "较早的版本（{label}）中没有主键列 {columns}"},
    "history.diff.newer_keys": {"en": "key column(s) {columns} not in the newer version ({label})",
                                "zh": "较新的版本（{label}）中没有主键列 {columns}"},
    "history.diff.older_twice": {"en": "key {key} occurs twice in the older version; give --key columns that identify "
                                       "a row",
                                 "zh": "主键 {key} 在较早的版本中出现了两次；请用 --key 给出能区分各行的列"},
    "history.diff.newer_twice": {"en": "key {key} occurs twice in the newer version; give --key columns that identify "
                                       "a row",
                                 "zh": "主键 {key} 在较新的版本中出现了两次；请用 --key 给出能区分各行的列"},
})


@dataclass
class CellChange:
    column: str
    old: Any
    new: Any


@dataclass
class RowChange:
    key: dict[str, Any]
    cells: list[CellChange]


@dataclass
class Diff:
    old: Submission
    new: Submission
    keys: list[str]
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    unchanged_rows: int = 0

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed or self.columns_added or self.columns_removed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old.as_dict(), "new": self.new.as_dict(), "keys": self.keys,
            "columns_added": self.columns_added, "columns_removed": self.columns_removed,
            "added": self.added, "removed": self.removed,
            "changed": [{"key": c.key, "cells": [vars(x) for x in c.cells]} for c in self.changed],
            "unchanged_rows": self.unchanged_rows,
        }


def diff(store: HistoryStore, old: Submission, new: Submission, keys: list[str] | None = None) -> Diff:
    """Differences from version `old` to version `new` (any two submissions of one source)."""
    if old.source != new.source:
        raise HistoryError(say("history.diff.sources", old=old.source, new=new.source))
    key_cols = list(keys if keys is not None else (new.keys or old.keys))
    out = Diff(old, new, key_cols,
               columns_added=[c for c in new.columns if c not in old.columns],
               columns_removed=[c for c in old.columns if c not in new.columns])
    old_rows = [{c: r.get(c) for c in old.columns} for r in store.rows(old.id)]
    new_rows = [{c: r.get(c) for c in new.columns} for r in store.rows(new.id)]
    if key_cols:
        for name, sub in (("older", old), ("newer", new)):
            missing = [k for k in key_cols if k not in sub.columns]
            if missing:
                raise HistoryError(say(f"history.diff.{name}_keys", columns=", ".join(missing), label=sub.label()))
        _diff_by_key(out, old_rows, new_rows, key_cols)
    else:
        _diff_whole(out, old_rows, new_rows)
    return out


def _diff_by_key(out: Diff, old_rows: list[dict], new_rows: list[dict], keys: list[str]) -> None:
    def index(rows: list[dict], which: str) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for row in rows:
            k = json.dumps([row.get(c) for c in keys], ensure_ascii=False)
            if k in found:
                raise HistoryError(say(f"history.diff.{which}_twice", key=dict(zip(keys, json.loads(k), strict=True))))
            found[k] = row
        return found

    before, after = index(old_rows, "older"), index(new_rows, "newer")
    columns = [c for c in out.new.columns if c in out.old.columns and c not in keys]
    for k, row in after.items():
        if k not in before:
            out.added.append(row)
            continue
        cells = [CellChange(c, before[k].get(c), row.get(c)) for c in columns if before[k].get(c) != row.get(c)]
        if cells:
            out.changed.append(RowChange({c: row.get(c) for c in keys}, cells))
        else:
            out.unchanged_rows += 1
    out.removed = [row for k, row in before.items() if k not in after]


def _diff_whole(out: Diff, old_rows: list[dict], new_rows: list[dict]) -> None:
    def line(row: dict) -> str:
        return json.dumps(row, ensure_ascii=False, sort_keys=True)

    before, after = Counter(map(line, old_rows)), Counter(map(line, new_rows))
    for text, n in (after - before).items():
        out.added.extend([json.loads(text)] * n)
    for text, n in (before - after).items():
        out.removed.extend([json.loads(text)] * n)
    out.unchanged_rows = sum((before & after).values())
