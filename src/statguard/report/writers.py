"""Report writers by format name. Each format is a function Report -> bytes or str.

A format module registers itself with `@writer("name", suffix)`; `write_all`
renders a report in several formats, to files or to stdout.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from statguard.errors import StatguardError

if TYPE_CHECKING:
    from statguard.report.model import Report

Writer = Callable[..., "str | bytes"]
_WRITERS: dict[str, tuple[Writer, str]] = {}
BINARY_FORMATS = {"xlsx"}
# Modules that define writers; imported when a format is first asked for.
WRITER_MODULES = ["statguard.report.writers", "statguard.report.html", "statguard.report.xlsx",
                  "statguard.report.junit", "statguard.report.markdown", "statguard.report.csv"]


def writer(name: str, suffix: str) -> Callable[[Writer], Writer]:
    def register(fn: Writer) -> Writer:
        _WRITERS[name] = (fn, suffix)
        return fn
    return register


@writer("text", ".txt")
def _text(report: Report, lang: str | None = None) -> str:
    from statguard.report.text import render_text
    return render_text(report, lang=lang)


@writer("json", ".json")
def _json(report: Report, lang: str | None = None) -> str:
    return report.to_json() + "\n"


def formats() -> dict[str, tuple[Writer, str]]:
    for module in WRITER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
    return dict(_WRITERS)


def render(report: Report, fmt: str, lang: str | None = None) -> str | bytes:
    known = formats()
    if fmt not in known:
        raise StatguardError(f"unknown format '{fmt}' (known: {', '.join(sorted(known))})")
    return known[fmt][0](report, lang=lang)


def write_all(report: Report, fmts: list[str], outputs: list[str], lang: str | None = None) -> None:
    """Render `report` in each format; the i-th output file goes with the i-th format."""
    if len(outputs) > len(fmts):
        raise StatguardError("more --output files than --format options")
    to_stdout = len(fmts) - len(outputs)
    if to_stdout > 1:
        raise StatguardError("only one --format can go to standard output; give --output FILE for the others")
    for i, fmt in enumerate(fmts):
        out = outputs[i] if i < len(outputs) else None
        if out is None and fmt in BINARY_FORMATS:
            raise StatguardError(f"format '{fmt}' is binary and needs --output FILE")
        data = render(report, fmt, lang)
        if out is None:
            sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
            continue
        if Path(out).is_dir():
            example = Path(out) / ("report" + formats()[fmt][1])
            raise StatguardError(f"--output {out}: is a directory; give a file name (e.g. {example})")
        try:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                Path(out).write_bytes(data)
            else:
                Path(out).write_text(data, encoding="utf-8")
        except OSError as e:
            raise StatguardError(f"--output {out}: cannot write the report: {e.strerror or e}") from None
