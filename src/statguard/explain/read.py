"""Reading explanations from YAML, CSV or XLSX files, or from plain Python values.

Tables (CSV, XLSX, DataFrames) have one explanation per row under headers in
English or Chinese; record keys are written "k=v; k2=v2". In YAML, `keys` is a
mapping. Columns the template adds for the reader's benefit (message,
observed, expected) are ignored; any other column is a further field, such as
a document number a rule requires.

A file that cannot be read at all raises StatguardError; a single bad entry
is kept with its `error` and reported like other explanation problems.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.errors import StatguardError
from statguard.explain.model import Explanation, norm
from statguard.i18n import register, say

register({
    "explain.read.not_found": {"en": "explanations file not found: {path}", "zh": "情况说明文件不存在：{path}"},
    "explain.read.suffix": {"en": "{path}: explanations must be a .yml, .csv or .xlsx file",
                            "zh": "{path}：情况说明须为 .yml、.csv 或 .xlsx 文件"},
    "explain.read.empty": {"en": "{path}: the file is empty (expected a header row)",
                           "zh": "{path}：文件是空的（应有表头行）"},
    "explain.read.no_column": {"en": "{path}: no {columns} column (headers: {headers})",
                               "zh": "{path}：没有 {columns} 列（表头为：{headers}）"},
    "explain.read.or": {"en": " or ", "zh": " 或 "},
    "explain.read.not_list": {"en": "{path}: expected a list of explanations (or 'explanations:' holding one)",
                              "zh": "{path}：应为情况说明的列表（或包含列表的 'explanations:'）"},
    "explain.read.cannot_read": {"en": "{path}: cannot read: {why}", "zh": "{path}：无法读取：{why}"},
    "explain.read.not_workbook": {"en": "{path}: cannot read as an Excel workbook: {why}",
                                  "zh": "{path}：无法按 Excel 工作簿读取：{why}"},
    # why an entry is unusable (Explanation.error), said when it is reported
    "explain.error.no_rule_id": {"en": "no rule id", "zh": "没有规则编号"},
    "explain.error.keys": {"en": "keys must be written 'name=value; name2=value2', not '{value}'",
                           "zh": "记录须写作「名称=值; 名称2=值2」，而不是「{value}」"},
    "explain.error.not_mapping": {"en": "each explanation must be a mapping", "zh": "每条说明须为映射（字段: 值）"},
    "explain.error.no_column": {"en": "explanation column '{column}' is not in source '{source}' (columns: {columns})",
                                "zh": "数据源「{source}」中没有说明列「{column}」（已有列：{columns}）"},
    # where an entry was read (Explanation.origin)
    "explain.origin.entry": {"en": "explanation {n}", "zh": "第 {n} 条说明"},
    "explain.origin.file_entry": {"en": "{path} entry {n}", "zh": "{path} 第 {n} 条"},
    "explain.origin.row": {"en": "{file} row {n}", "zh": "{file} 第 {n} 行"},
    "explain.origin.line": {"en": "{file} line {n}", "zh": "{file} 第 {n} 行"},
    "explain.origin.sheet": {"en": "{path} sheet '{sheet}'", "zh": "{path} 工作表「{sheet}」"},
    "explain.origin.source": {"en": "source '{source}'", "zh": "数据源「{source}」"},
    "explain.origin.source_row": {"en": "source '{source}' row {n} column '{column}'",
                                  "zh": "数据源「{source}」第 {n} 行「{column}」列"},
})

if TYPE_CHECKING:
    import pandas as pd

# canonical field -> label per language (the template's headers) and further accepted spellings
LABELS: dict[str, dict[str, str]] = {
    "rule_id": {"en": "rule_id", "zh": "规则编号"},
    "unit": {"en": "unit", "zh": "单位"},
    "period": {"en": "period", "zh": "期别"},
    "keys": {"en": "keys", "zh": "记录"},
    "text": {"en": "text", "zh": "说明"},
    "author": {"en": "author", "zh": "填写人"},
    "date": {"en": "date", "zh": "日期"},
    "message": {"en": "message", "zh": "问题描述"},
    "observed": {"en": "observed", "zh": "实际值"},
    "expected": {"en": "expected", "zh": "期望值"},
    "requirement": {"en": "requirement", "zh": "说明要求"},
}
_ALSO = {
    "rule_id": ("rule", "rule id", "规则", "规则id", "审核规则"),
    "unit": ("报送单位", "填报单位"),
    "period": ("报告期", "时期"),
    "keys": ("key", "record", "记录标识"),
    "text": ("explanation", "情况说明", "解释"),
    "author": ("填报人", "填写者"),
    "date": ("填写日期", "说明日期"),
    "message": ("问题", "severity", "级别", "description", "规则说明"),
}
CONTEXT = ("message", "observed", "expected", "requirement")  # shown to the unit, not read back
_KEY_SEP = re.compile(r"[;；\n]")


def canonical(header: Any) -> str:
    """The field a header names: rule_id, unit, ... or the header itself for a further field."""
    text = re.sub(r"[(（].*?[)）]", "", str(header or "")).strip().strip("*").strip()
    low = text.lower()
    for name, labels in LABELS.items():
        if low in {v.lower() for v in labels.values()} or low == name or low in _ALSO.get(name, ()):
            return name
    return text


def read_explanations(path: str | Path) -> list[Explanation]:
    """Every explanation in one file (.yml/.yaml, .csv, .xlsx)."""
    p = Path(path)
    if not p.is_file():
        raise StatguardError(say("explain.read.not_found", path=p))
    suffix = p.suffix.lower()
    if suffix in (".yml", ".yaml"):
        return _from_yaml(p)
    if suffix in (".csv", ".txt"):
        return _from_csv(p)
    if suffix in (".xlsx", ".xlsm"):
        return _from_xlsx(p)
    raise StatguardError(say("explain.read.suffix", path=p))


def gather(items: Any) -> tuple[list[Explanation], list[str]]:
    """Explanations from paths, DataFrames, Explanation objects or dicts (one or a list of them)."""
    if items is None:
        return [], []
    if isinstance(items, (str, Path, Mapping, Explanation)) or _is_frame(items):
        items = [items]
    out: list[Explanation] = []
    files: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, Explanation):
            out.append(item)
        elif isinstance(item, Mapping):
            out.append(entry(item, say("explain.origin.entry", n=i + 1)))
        elif _is_frame(item):
            out.extend(from_table(_frame_rows(item), "<DataFrame>", "row", first=2))
        else:
            out.extend(read_explanations(item))
            files.append(str(item))
    return out, files


def entry(raw: Mapping[str, Any], origin: str) -> Explanation:
    """One explanation from a mapping of (English or Chinese) field names to values."""
    d = {canonical(k): v for k, v in raw.items()}
    expl = Explanation(rule_ids=(norm(d.get("rule_id")),), unit=_blank(d.get("unit")),
                       period=_blank(d.get("period")), text=_text(d.get("text")),
                       author=norm(d.get("author")) or None, date=norm(d.get("date")) or None, origin=origin)
    expl.fields = {k: v for k, v in d.items()
                   if k not in LABELS and norm(v) != "" and not str(k).startswith("_")}
    if not expl.rule_ids[0]:
        expl.error = "explain.error.no_rule_id"
    try:
        expl.keys = parse_keys(d.get("keys"))
    except ValueError as e:
        expl.error, expl.error_values = "explain.error.keys", {"value": e.args[0]}
    return expl


def parse_keys(value: Any) -> dict[str, Any]:
    """Record keys from a mapping or from "k=v; k2=v2" text."""
    if value is None or norm(value) == "":
        return {}
    if isinstance(value, Mapping):
        return {str(k).strip(): v for k, v in value.items()}
    out = {}
    for part in _KEY_SEP.split(str(value)):
        if not part.strip():
            continue
        name, sep, val = part.replace("＝", "=").partition("=")
        if not sep or not name.strip():
            raise ValueError(value)  # not "k=v; k2=v2" (explain.error.keys)
        out[name.strip()] = val.strip()
    return out


def format_keys(keys: Mapping[str, Any]) -> str:
    return "; ".join(f"{k}={norm(v)}" for k, v in keys.items())


def from_table(rows: Iterable[list[Any]], file: str, what: str, first: int = 2) -> list[Explanation]:
    """Explanations from a header row and data rows; `first` numbers the first data row, `what`
    names one: "row" (a sheet's) or "line" (a CSV file's)."""
    it = iter(rows)
    header = next(it, None)
    if header is None:
        raise StatguardError(say("explain.read.empty", path=file))
    names = [canonical(h) if norm(h) else f"_blank{i}" for i, h in enumerate(header)]
    missing = [LABELS[n]["en"] + "/" + LABELS[n]["zh"] for n in ("rule_id", "text") if n not in names]
    if missing:
        raise StatguardError(say("explain.read.no_column", path=file, columns=say("explain.read.or").join(missing),
                                 headers=", ".join(norm(h) for h in header)))
    out = []
    for n, row in enumerate(it, start=first):
        if all(norm(v) == "" for v in row):
            continue
        values = dict(zip(names, list(row) + [None] * (len(names) - len(row)), strict=False))
        out.append(entry({k: v for k, v in values.items() if k not in CONTEXT},
                         say(f"explain.origin.{what}", file=file, n=n)))
    return out


def _from_yaml(path: Path) -> list[Explanation]:
    from statguard.errors import PackError
    from statguard.pack.yamlio import read_yaml
    try:
        doc = read_yaml(path)
    except PackError as e:
        raise StatguardError(str(e)) from None
    items = doc.get("explanations", doc.get("说明")) if isinstance(doc, Mapping) else doc
    if items is None:
        return []
    if not isinstance(items, list):
        raise StatguardError(say("explain.read.not_list", path=path))
    out = []
    for i, item in enumerate(items):
        loc = items.item_locs[i] if hasattr(items, "item_locs") else None
        origin = f"{path}:{loc.line}" if loc else say("explain.origin.file_entry", path=path, n=i + 1)
        if not isinstance(item, Mapping):
            out.append(Explanation(rule_ids=("",), origin=origin, error="explain.error.not_mapping"))
            continue
        out.append(entry(item, origin))
    return out


def _from_csv(path: Path) -> list[Explanation]:
    from statguard.engine.readers import detect_encoding
    try:
        text = path.read_bytes().decode(detect_encoding(path))
    except Exception as e:
        raise StatguardError(say("explain.read.cannot_read", path=path, why=e)) from None
    return from_table(csv.reader(io.StringIO(text)), str(path), "line")


def _from_xlsx(path: Path) -> list[Explanation]:
    import openpyxl
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise StatguardError(say("explain.read.not_workbook", path=path, why=e)) from None
    try:
        names = {canonical(n): n for n in book.sheetnames}
        sheet = book[names.get("text") or names.get("explanations") or book.sheetnames[0]]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        return from_table(rows, say("explain.origin.sheet", path=path, sheet=sheet.title), "row")
    finally:
        book.close()


def _frame_rows(frame: pd.DataFrame) -> list[list[Any]]:
    return [list(frame.columns), *frame.astype(object).where(frame.notna(), None).values.tolist()]


def _is_frame(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns")


def _blank(value: Any) -> Any:
    return None if norm(value) == "" else value


def _text(value: Any) -> str:
    return "" if norm(value) == "" else str(value).strip()
