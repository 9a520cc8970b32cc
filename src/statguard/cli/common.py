"""Argument helpers shared by subcommands."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from statguard.errors import StatguardError
from statguard.i18n import register, say

register({
    "cli.source_form": {"en": "--source expects NAME=PATH, got '{item}'",
                        "zh": "--source 应写作 名称=路径，而不是「{item}」"},
    "cli.source_url": {"en": "--source {name}=... takes a file; a database source ({scheme}://...) is declared in the "
                              "pack (url: with table: or query:, and password_env: for its password), not given on "
                              "the command line, where a password would show",
                       "zh": "--source {name}=... 只接受文件；数据库数据源（{scheme}://...）请在规则包中声明"
                             "（url: 加 table: 或 query:，密码用 password_env:），不要写在命令行上，否则密码会被显示"},
    "cli.allow_include": {"en": "let {what} read files under DIR too (default: only the pack's own directory "
                                "tree); repeatable",
                          "zh": "允许 {what} 读取该目录下的文件（默认只能读取规则包自身所在的目录）；可重复"},
    "cli.include_of_pack": {"en": "the pack's include:", "zh": "规则包的 include:"},
    "cli.memory_limit": {"en": "most memory the engine may use, e.g. 2GB or 500MB (units KB, MB, GB, TB or KiB, "
                               "MiB, GiB, TiB; default: 80%% of RAM)",
                         "zh": "执行引擎最多可用的内存，如 2GB 或 500MB（单位 KB、MB、GB、TB 或 KiB、MiB、GiB、TiB；"
                               "默认：内存的 80%%）"},
    "cli.size_form": {"en": "expected a size such as 2GB or 500MB, got {text}",
                      "zh": "应为 2GB 或 500MB 这样的大小，而不是 {text}"},
    # options several commands share
    "cli.opt.pack": {"en": "rule pack: a YAML file or a directory of YAML files",
                     "zh": "规则包：一个 YAML 文件，或存放 YAML 文件的目录"},
    "cli.opt.source": {"en": "data for a source (overrides the path in the pack); repeatable",
                       "zh": "某个数据源的数据（代替规则包中写的路径）；可重复"},
    "cli.opt.formats": {"en": "text (default), json, html, xlsx, junit, markdown or csv; repeatable",
                        "zh": "text（默认）、json、html、xlsx、junit、markdown 或 csv；可重复"},
    "cli.opt.outputs": {"en": "write the report here (one per --format; default stdout)",
                        "zh": "报告写入此文件（每个 --format 一个；默认输出到标准输出）"},
    "cli.opt.rules": {"en": "run only these rules", "zh": "只运行这些规则"},
    "cli.opt.tags": {"en": "run only rules with these tags", "zh": "只运行带这些标签的规则"},
    "cli.opt.output": {"en": "write here instead of standard output", "zh": "写入此文件，而不是标准输出"},
})


def parse_sources(items: list[str] | None) -> dict[str, str]:
    """NAME=PATH pairs from --source options. A workbook's PATH may end in '#SHEET' (book.xlsx#表1):
    the engine reads that sheet (statguard.engine.readers.split_sheet)."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise StatguardError(say("cli.source_form", item=item))
        url = _URL.match(path.strip())
        from statguard.pack.databases import SCHEMES
        if url and (url[1].lower() in SCHEMES or ":" in (url[2] or "")):  # never repeated: it may hold a password
            raise StatguardError(say("cli.source_url", name=name.strip(), scheme=url[1]))
        out[name.strip()] = path.strip()
    return out


# a database's url, or any url with user:password@ (hdfs://, s3a:// paths are Spark's files)
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]+)://(?:([^/@]*)@)?")


def write_output(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def add_allow_include(parser: argparse.ArgumentParser, what: str | None = None) -> None:
    """--allow-include DIR (repeatable): directories beyond the pack's own tree that include: may read."""
    parser.add_argument("--allow-include", action="append", default=[], metavar="DIR",
                        help=say("cli.allow_include", what=what or say("cli.include_of_pack")))


def add_memory_limit(parser: argparse.ArgumentParser) -> None:
    """--memory-limit SIZE: the engine's memory limit (options["memory_limit"] of statguard.api.validate)."""
    parser.add_argument("--memory-limit", type=memory_size, metavar="SIZE",
                        help=say("cli.memory_limit"))


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt])(i?)b\s*", re.IGNORECASE)


def memory_size(text: str) -> str:
    """A memory size as DuckDB spells it ("2GB", "1.5GiB"); anything else is a usage error."""
    match = _SIZE.fullmatch(text)
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(say("cli.size_form", text=repr(text)))
    number, unit, binary = match.groups()
    return f"{number}{unit.upper()}{'iB' if binary else 'B'}"
