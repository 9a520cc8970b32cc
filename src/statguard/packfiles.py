"""A pack's YAML files, and the language it declares, read without loading it.

Light on purpose (no YAML parser, no model): the CLI asks the pack's `lang:` before anything
else, so that even a pack whose YAML is broken, or a command refused before the pack is loaded
(an output whose format does not fit), speaks the pack's language."""

from __future__ import annotations

import re
from pathlib import Path

from statguard.i18n import normalize

YAML_SUFFIXES = (".yml", ".yaml")

_PACK_BLOCK = re.compile(r"^pack[:：][ \t]*(?:#.*)?\n((?:(?:[ \t]+.*|[ \t]*|#.*)(?:\n|$))*)", re.MULTILINE)
_LANG_LINE = re.compile(r"^[ \t]+lang[:：][ \t]*['\"]?([A-Za-z_.-]+)", re.MULTILINE)
# the same in a flow mapping on the pack's own line: pack: {name: 试点, lang: zh}
# (colons and commas also full-width, as a Chinese input method types them: the pack is broken, and says so in
# its language)
_PACK_FLOW = re.compile(r"^pack[:：][ \t]*\{(?:[^}\n]*?[,，])?[ \t]*lang[:：][ \t]*['\"]?([A-Za-z_.-]+)", re.MULTILINE)


def pack_files(root: Path) -> list[Path]:
    """The YAML files of a pack: the file itself, or every .yml/.yaml under a directory."""
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    return [root]


def declared_lang(root: Path) -> str | None:
    """The `pack: lang:` of the pack at `root`, read from the text before loading so that even a
    pack whose YAML is broken speaks its language; None when not found or not readable."""
    for f in pack_files(root) if root.exists() else []:
        try:
            text = f.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        block = _PACK_BLOCK.search(text)
        found = _LANG_LINE.search(block.group(1)) if block else _PACK_FLOW.search(text)
        if found and normalize(found.group(1)):
            return normalize(found.group(1))
    return None
