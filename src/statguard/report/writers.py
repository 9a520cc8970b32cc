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
from statguard.i18n import register, say, t

if TYPE_CHECKING:
    from statguard.report.model import Report

Writer = Callable[..., "str | bytes"]
_WRITERS: dict[str, tuple[Writer, str]] = {}
BINARY_FORMATS = {"xlsx"}
register({
    "writers.unknown_format": {"en": "unknown format '{format}' (known: {known})",
                               "zh": "未知的格式「{format}」（可用格式：{known}）"},
    "writers.is_dir": {"en": "--output {out}: is a directory; give a file name (e.g. {example})",
                       "zh": "--output {out}：这是一个目录；请给出文件名（例如 {example}）"},
    "writers.cannot_write": {"en": "--output {out}: cannot write the report: {error}",
                             "zh": "--output {out}：无法写出报告：{error}"},
    "out.more_files": {"en": "more --output files than --format options",
                       "zh": "--output 文件多于 --format 选项"},
    "out.one_stdout": {"en": "only one --format can go to standard output; give --output FILE for the others",
                       "zh": "只能有一种 --format 输出到标准输出；其余请用 --output 文件"},
    "out.binary": {"en": "format '{fmt}' is binary and needs --output FILE",
                   "zh": "格式「{fmt}」是二进制格式，须用 --output 指定文件"},
    "out.mismatch": {"en": "--output {out} is named as {implied} but --format is {fmt}; drop --format "
                           "(the name chooses it) or name the file for {fmt}",
                     "zh": "--output {out} 的扩展名对应 {implied} 格式，而 --format 为 {fmt}；"
                           "请去掉 --format（按扩展名确定格式）或改用与 {fmt} 相符的文件名"},
    "out.unknown_suffix": {"en": "--output {out}: no report format is named {suffix}; name the file with one of "
                                 "{known}, or give --format",
                           "zh": "--output {out}：没有扩展名为 {suffix} 的报告格式；请使用以下扩展名之一：{known}，"
                                 "或用 --format 指定格式"},
})
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
        raise StatguardError(say("writers.unknown_format", format=fmt, known=", ".join(sorted(known))))
    return known[fmt][0](report, lang=lang)


# The format a report file's name asks for; the writers' own suffixes first.
SUFFIX_FORMATS = {".txt": "text", ".json": "json", ".csv": "csv", ".md": "markdown", ".markdown": "markdown",
                  ".xlsx": "xlsx", ".xml": "junit", ".html": "html", ".htm": "html"}


def output_formats(fmts: list[str] | None, outputs: list[str] | None, lang: str | None = None) -> list[str]:
    """The format of each report, checked before any work: without --format, each --output
    file's suffix chooses it (report.html is HTML), else text on stdout; a --format that
    contradicts its file's suffix (-f json -o report.html), more files than formats, two
    formats for stdout or a binary one there are usage errors."""
    outputs = outputs or []
    if not fmts:
        for out in outputs:  # report.pdf or report.xls would get a text report under that name
            suffix = Path(out).suffix
            if suffix and _suffix_format(out) is None:
                raise StatguardError(t("out.unknown_suffix", lang, out=out, suffix=suffix,
                                       known=" ".join(SUFFIX_FORMATS)))
        fmts = [_suffix_format(out) or "text" for out in outputs] or ["text"]
    if len(outputs) > len(fmts):
        raise StatguardError(t("out.more_files", lang))
    if len(fmts) - len(outputs) > 1:
        raise StatguardError(t("out.one_stdout", lang))
    for i, fmt in enumerate(fmts):
        out = outputs[i] if i < len(outputs) else None
        if out is None and fmt in BINARY_FORMATS:
            raise StatguardError(t("out.binary", lang, fmt=fmt))
        implied = _suffix_format(out) if out else None
        if implied and implied != fmt:
            raise StatguardError(t("out.mismatch", lang, out=out, fmt=fmt, implied=implied))
    return list(fmts)


def _suffix_format(out: str) -> str | None:
    return SUFFIX_FORMATS.get(Path(out).suffix.lower())


def write_all(report: Report, fmts: list[str], outputs: list[str], lang: str | None = None) -> None:
    """Render `report` in each format; the i-th output file goes with the i-th format."""
    fmts = output_formats(fmts, outputs, lang)
    for i, fmt in enumerate(fmts):
        out = outputs[i] if i < len(outputs) else None
        data = render(report, fmt, lang)
        if out is None:
            sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
            continue
        if Path(out).is_dir():
            example = Path(out) / ("report" + formats()[fmt][1])
            raise StatguardError(say("writers.is_dir", out=out, example=example))
        try:
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                Path(out).write_bytes(data)
            else:
                Path(out).write_text(data, encoding="utf-8")
        except OSError as e:
            raise StatguardError(say("writers.cannot_write", out=out, error=e.strerror or e)) from None
