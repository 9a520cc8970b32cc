"""`statguard init`: a first pack inferred from sample files, checked on them before it is written.

The profile (statguard.authoring.profile) declares the sources; the searches
(statguard.authoring.infer_rules) suggest rules. The pack is then linted and run on the very
files it came from, with statguard's own loader and engine: a suggestion that does not lint
or run is left out, each rule's support becomes the engine's passes over judged records, one
below --min-support is left out, and the records each rule fails are named in its comment as
exceptions (the rule stays as the data should be: a `where:` leaving the records out would
also hide the same units' errors in the next submission). So the written pack lints clean
and `statguard check` on the same files reports exactly the named exceptions, as warnings.

The trial run reads each CSV's text as the profile read it, from memory: the same reader
with every column as text is how `check` reads a file whose columns are all declared, and
the engine types it with the same view; workbooks and Parquet are read from their files.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statguard.authoring.infer_rules import Suggestion, code_list, suggest
from statguard.authoring.pack_writer import render
from statguard.authoring.profile import SourceProfile, q, read_source
from statguard.authoring.sheet_layout import SheetLayout, guess_layout, has_data
from statguard.engine.readers import detect_format, expand, split_sheet
from statguard.errors import StatguardError
from statguard.i18n import register, say, t

PACK_FILE = "pack.yml"
ABBREVIATIONS = {"part_whole": "PW", "row": "RATE", "hierarchy": "HIER", "cumulative": "YTD", "unique": "UNIQ",
                 "schema": "SCHEMA"}

register({
    "infer.does_not_load": {"en": "the inferred pack does not load (a statguard bug): {error}",
                            "zh": "推断出的规则包无法加载（statguard 的缺陷）：{error}"},
    "infer.has_problems": {"en": "the inferred pack has problems (a statguard bug): {problems}",
                           "zh": "推断出的规则包有问题（statguard 的缺陷）：{problems}"},
    "init.exists": {"en": "{path} exists; give --force to overwrite it, or another -o DIR",
                    "zh": "{path} 已存在；如需覆盖请加 --force，或用 -o 指定其他目录"},
})


@dataclass
class InitResult:
    path: Path
    sources: list[SourceProfile]
    rules: list[tuple[str, Suggestion]]
    dropped: list[tuple[Suggestion, str]] = field(default_factory=list)  # and why


def infer_pack(data: list[str | Path], out_dir: str | Path = ".", *, min_support: float = 0.99,
               lang: str = "en", force: bool = False) -> InitResult:
    """Profile `data`, suggest rules holding on at least `min_support` of the records they judge,
    check them on `data` and write `out_dir`/pack.yml. The data files are only read."""
    out = Path(out_dir)
    target = out / PACK_FILE
    if target.exists() and not force:
        raise StatguardError(t("init.exists", lang, path=target))
    inputs = [found for p in data for found in _inputs(p)]
    import duckdb
    with tempfile.TemporaryDirectory(prefix="statguard-init-") as tmp, duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        sources = [read_source(con, name, f.path, Path(tmp), sheet=f.sheet, layout=f.layout)
                   for name, f in zip(_names(inputs), inputs, strict=True)]
        lists = [cl for src in sources if (cl := code_list(con, src)) is not None]
        suggestions = [s for src in sources for s in suggest(con, src, min_support, lists)]
        # the text of each CSV exactly as `check` reads it (every column declared: as text), so
        # the trial run reads memory instead of parsing the file again for every rule
        con.execute("SELECT 1").fetchall()  # the last fetchone() left its result open
        texts = {s.name: con.sql(f"SELECT * FROM {q(s.view)}").to_arrow_table() for s in sources if s.format == "csv"}
    rules = _with_ids([Suggestion("schema", s.name, {}, "", 1.0, 0) for s in sources] + suggestions)
    out.mkdir(parents=True, exist_ok=True)
    rules, dropped = _verify(sources, rules, out, lang, min_support, texts)
    target.write_text(render(sources, rules, out, lang, min_support), encoding="utf-8")
    return InitResult(target, sources, rules, dropped)


@dataclass
class _Input:
    """A file to profile; for a workbook, one sheet of it and where its header is."""

    path: Path
    sheet: str | None = None
    layout: SheetLayout | None = None
    label: str = ""  # what the source is named after: the file's stem, and the sheet's name


def _inputs(data: str | Path) -> list[_Input]:
    """The sources a DATA argument stands for: a text or Parquet file; the sheet `book.xlsx#sheet`
    names; else every sheet of a workbook that holds data (the first when none does), each with
    its header rows found, named after the sheet when the workbook has several."""
    path, sheet = split_sheet(data)
    path = expand(path)[0]
    if detect_format(path, None) != "excel":
        return [_Input(path, label=path.stem)]
    from statguard.engine import spreadsheets
    kind = spreadsheets.kind_of(path) or "xlsx"
    grid, names = spreadsheets.read_grid(path, sheet, kind)
    if sheet is not None:
        return [_Input(path, grid.name, guess_layout(grid), f"{path.stem}_{grid.name}")]
    grids = [grid] + [spreadsheets.read_grid(path, n, kind)[0] for n in names[1:]]
    kept = [g for g in grids if has_data(g)] or grids[:1]
    if len(names) == 1:
        return [_Input(path, None, guess_layout(grid), path.stem)]
    return [_Input(path, g.name, guess_layout(g), path.stem if len(kept) == 1 else f"{path.stem}_{g.name}")
            for g in kept]


def _names(inputs: list[_Input]) -> list[str]:
    """Source names from file (and sheet) names: word characters only, made unique."""
    names = [re.sub(r"\W+", "_", f.label).strip("_") or "data" for f in inputs]
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _with_ids(suggestions: list[Suggestion]) -> list[tuple[str, Suggestion]]:
    counts: Counter[tuple[str, str]] = Counter()
    out = []
    for s in suggestions:
        tag = s.tag or ABBREVIATIONS.get(s.kind, s.kind.upper())
        counts[(s.source, tag)] += 1
        rule_id = f"{s.source}-{tag}" if s.kind == "schema" else f"{s.source}-{tag}-{counts[(s.source, tag)]:02d}"
        out.append((rule_id, s))
    return out


def _verify(sources: list[SourceProfile], rules: list[tuple[str, Suggestion]], out: Path, lang: str,
            min_support: float, texts: dict[str, Any]
            ) -> tuple[list[tuple[str, Suggestion]], list[tuple[Suggestion, str]]]:
    """Lint and run the pack on its data; keep the rules that lint, run and hold on enough records."""
    from statguard.api import validate
    from statguard.load import load_pack
    from statguard.load.loader import PackError
    handle, name = tempfile.mkstemp(prefix=".init-", suffix=".yml", dir=out)
    temp = Path(name)
    try:
        with open(handle, "w", encoding="utf-8") as fh:
            fh.write(render(sources, rules, out, lang, min_support))
        try:
            pack = load_pack(temp, check_types=True)
        except PackError as e:
            raise StatguardError(say("infer.does_not_load", error=e)) from None
        broken = {p.message for p in pack.problems}
        bad = {r.id: "; ".join(str(p) for p in r.problems) for r in pack.rules if r.problems}
        report = validate(pack, texts, rules=[r.id for r in pack.rules if r.id not in bad], lang=lang)
    finally:
        temp.unlink(missing_ok=True)
    if pack.problems:
        raise StatguardError(say("infer.has_problems", problems="; ".join(sorted(broken))))
    summary = {row["rule_id"]: row for row in report.summary.to_dict("records")}
    failing = _exceptions(report)
    kept, dropped = [], []
    for rule_id, s in rules:
        row = summary.get(rule_id)
        if rule_id in bad or row is None or row["errored"]:
            dropped.append((s, bad.get(rule_id) or str(row and row["error"])))
            continue
        judged = int(row["passes"]) + int(row["fails"])
        s.items, s.support = judged, (int(row["passes"]) / judged if judged else 1.0)
        s.exceptions = failing.get(rule_id, [])
        if s.kind != "schema" and (judged == 0 or s.support < min_support):
            dropped.append((s, f"holds on {s.support:.1%} of {judged} records"))
            continue
        kept.append((rule_id, s))
    return kept, dropped


def _exceptions(report: Any) -> dict[str, list[str]]:
    """Per rule, the records it failed, as 'key=value, ...' (the report's keys, else unit and period)."""
    out: dict[str, list[str]] = {}
    for v in report.violations.to_dict("records"):
        out.setdefault(v["rule_id"], []).append(exception_label(v))
    from statguard.periods import natural_key
    return {k: sorted(dict.fromkeys(v), key=natural_key) for k, v in out.items()}


def exception_label(violation: dict[str, Any]) -> str:
    """How a comment names a failing record: its keys (and the column, for a cell), else unit and period."""
    keys = violation.get("keys") or {}
    if not keys:
        keys = {k: violation.get(k) for k in ("unit", "period") if violation.get(k) is not None}
    return ", ".join(f"{k}={v}" for k, v in keys.items())
