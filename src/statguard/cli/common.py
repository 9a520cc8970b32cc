"""Argument helpers shared by subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

from statguard.errors import StatguardError


def parse_sources(items: list[str] | None) -> dict[str, str]:
    """NAME=PATH pairs from --source options."""
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
