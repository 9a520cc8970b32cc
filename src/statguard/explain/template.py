"""Ready-to-fill explanations files: the unexplained soft violations of a run.

A unit opens the file (XLSX in Excel, or YAML), writes the text, author and
date of each answer, and passes it back with `statguard check --explanations`.
Columns the unit should not change (message, observed, expected, requirement)
are shaded and ignored when read back; every cell is text, so Excel keeps
"2024-09" and "001" as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from statguard.errors import StatguardError
from statguard.explain.match import PSEUDO_RULE, _roles
from statguard.explain.model import norm, plain
from statguard.explain.read import LABELS, format_keys
from statguard.i18n import register, say

register({
    "explain.template.suffix": {"en": "{path}: the template must be a .xlsx, .yml or .csv file",
                                "zh": "{path}：模板须为 .xlsx、.yml 或 .csv 文件"},
})

if TYPE_CHECKING:
    import pandas as pd

    from statguard.pack.model import Pack
    from statguard.report.model import Report

BASE = ["rule_id", "unit", "period", "keys", "message", "observed", "expected", "requirement",
        "text", "author", "date"]
READ_ONLY = {"message", "observed", "expected", "requirement"}
_REQ = {"en": ("at least {n} characters", "fill in {names}"), "zh": ("至少 {n} 字", "须填写 {names}")}
_HELP = {
    "en": ["Explanations of verification findings (soft rules).",
           "Fill in 'text' (and author, date, and any further columns) for each finding that is genuine;",
           "correct the data instead where it is wrong, and delete that row.",
           "Message, observed, expected and requirement are for reading only; keep rule_id, unit, period, keys.",
           "Then run: statguard check PACK --explanations THIS_FILE"],
    "zh": ["核实性审核问题说明表。",
           "对确属实际情况的问题，请填写「说明」（以及填写人、日期和其他列）；",
           "数据确有错误的，请更正数据并删除该行。",
           "问题描述、实际值、期望值、说明要求仅供参考；请勿修改规则编号、单位、期别和记录。",
           "填好后运行：statguard check 规则包 --explanations 本文件"],
}


def unexplained_soft(report: Report) -> pd.DataFrame:
    """Violations of soft (not info) rules that no explanation answers yet."""
    import pandas as pd

    from statguard.report.model import _flags
    v = report.violations
    if not len(v):
        return v
    soft = ~_flags(v, "hard", v["severity"] == "error")
    explained = _flags(v, "explained", pd.Series(False, index=v.index))
    return v[(v["rule_id"] != PSEUDO_RULE) & (v["severity"] != "info") & soft & ~explained]


def template_rows(report: Report, pack: Pack, lang: str = "en") -> tuple[list[str], list[dict[str, Any]]]:
    """Field names (canonical) and one row per unexplained soft violation."""
    todo = unexplained_soft(report)
    extra: list[str] = []
    rows = []
    for row in todo.to_dict("records"):
        spec = _spec(pack, str(row["rule_id"]))
        extra += [f for f in spec.required_fields if f not in BASE and f not in extra]
        roles = _roles(pack, str(row["rule_id"]))
        keys = {k: x for k, x in (row.get("keys") or {}).items() if k not in roles}
        rows.append({"rule_id": row["rule_id"], "unit": norm(row.get("unit")), "period": norm(row.get("period")),
                     "keys": keys, "message": row.get("message"), "observed": plain(row.get("observed")),
                     "expected": plain(row.get("expected")), "requirement": _requirement(spec, lang),
                     "text": "", "author": "", "date": ""})
    fields = BASE + extra
    for r in rows:
        r.update({f: "" for f in extra})
    return fields, rows


def _spec(pack: Pack, rule_id: str) -> Any:
    from statguard.explain.spec import DEFAULT_SPEC
    try:
        return pack.rule(rule_id).explanation or DEFAULT_SPEC
    except KeyError:
        return DEFAULT_SPEC


def _requirement(spec: Any, lang: str) -> str:
    length, names = _REQ[lang]
    parts = [length.format(n=spec.min_length)] if spec.min_length > 1 else []
    if spec.required_fields:
        parts.append(names.format(names=", ".join(spec.required_fields)))
    return "; ".join(parts)


def write_template(report: Report, pack: Pack, path: str | Path, lang: str = "en") -> int:
    """Write the template to `path` (.xlsx, .yml/.yaml or .csv); return the number of rows."""
    lang = lang if lang in ("zh", "en") else "en"
    fields, rows = template_rows(report, pack, lang)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(out, fields, rows, lang)
    elif suffix in (".yml", ".yaml"):
        _write_yaml(out, fields, rows, lang)
    elif suffix == ".csv":
        _write_csv(out, fields, rows, lang)
    else:
        raise StatguardError(say("explain.template.suffix", path=out))
    return len(rows)


def _label(field: str, lang: str) -> str:
    return LABELS[field][lang] if field in LABELS else field


def _cell(field: str, row: dict[str, Any]) -> str:
    value = row.get(field)
    if field == "keys":
        return format_keys(value or {})
    return "" if value is None else norm(value) if not isinstance(value, str) else value


def _write_xlsx(path: Path, fields: list[str], rows: list[dict[str, Any]], lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    book = Workbook()
    sheet = book.active
    sheet.title = "说明" if lang == "zh" else "explanations"
    grey, head = PatternFill("solid", fgColor="EEEEEE"), PatternFill("solid", fgColor="DDEBF7")
    sheet.append([_label(f, lang) for f in fields])
    for row in rows:
        sheet.append([_cell(f, row) for f in fields])
    for j, field in enumerate(fields, start=1):
        letter = sheet.cell(row=1, column=j).column_letter
        sheet.column_dimensions[letter].width = {"message": 50, "text": 50, "keys": 24}.get(field, 14)
        sheet.cell(row=1, column=j).font = Font(bold=True)
        sheet.cell(row=1, column=j).fill = head
        for i in range(2, len(rows) + 2):
            cell = sheet.cell(row=i, column=j)
            cell.number_format = "@"
            cell.alignment = Alignment(wrap_text=field in ("message", "text"), vertical="top")
            if field in READ_ONLY:
                cell.fill = grey
    sheet.freeze_panes = "A2"
    info = book.create_sheet("填写说明" if lang == "zh" else "README")
    for line in _HELP[lang]:
        info.append([line])
    info.column_dimensions["A"].width = 100
    book.save(path)


def _write_yaml(path: Path, fields: list[str], rows: list[dict[str, Any]], lang: str) -> None:
    import yaml
    entries = [{_label(f, lang): (r.get(f) or {}) if f == "keys" else _cell(f, r) for f in fields
                if f not in ("observed", "expected") or r.get(f) is not None} for r in rows]
    head = "".join(f"# {line}\n" for line in _HELP[lang])
    body = yaml.safe_dump({"explanations": entries}, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(head + body, encoding="utf-8")


def _write_csv(path: Path, fields: list[str], rows: list[dict[str, Any]], lang: str) -> None:
    import csv
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # the BOM lets Excel read Chinese
        out = csv.writer(fh)
        out.writerow([_label(f, lang) for f in fields])
        out.writerows([_cell(f, r) for f in fields] for r in rows)
