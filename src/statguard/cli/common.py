"""Argument helpers shared by subcommands."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from statguard.errors import StatguardError


def parse_sources(items: list[str] | None) -> dict[str, str]:
    """NAME=PATH pairs from --source options. A workbook's PATH may end in '#SHEET' (book.xlsx#表1):
    the engine reads that sheet (statguard.engine.readers.split_sheet)."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise StatguardError(f"--source expects NAME=PATH, got '{item}'")
        out[name.strip()] = path.strip()
    return out


def write_output(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def add_allow_include(parser: argparse.ArgumentParser, what: str = "the pack's include:") -> None:
    """--allow-include DIR (repeatable): directories beyond the pack's own tree that include: may read."""
    parser.add_argument("--allow-include", action="append", default=[], metavar="DIR",
                        help=f"let {what} read files under DIR too (default: only the pack's own directory tree); "
                             "repeatable")


def add_memory_limit(parser: argparse.ArgumentParser) -> None:
    """--memory-limit SIZE: the engine's memory limit (options["memory_limit"] of statguard.api.validate)."""
    parser.add_argument("--memory-limit", type=memory_size, metavar="SIZE",
                        help="most memory the engine may use, e.g. 2GB or 500MB (units KB, MB, GB, TB or KiB, MiB, "
                             "GiB, TiB; default: 80%% of RAM)")


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt])(i?)b\s*", re.IGNORECASE)


def memory_size(text: str) -> str:
    """A memory size as DuckDB spells it ("2GB", "1.5GiB"); anything else is a usage error."""
    match = _SIZE.fullmatch(text)
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"expected a size such as 2GB or 500MB, got {text!r}")
    number, unit, binary = match.groups()
    return f"{number}{unit.upper()}{'iB' if binary else 'B'}"
