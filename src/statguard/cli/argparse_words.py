"""argparse's own words ("usage:", "options", its error messages) in the language of the command line.

argparse looks each of its words up through gettext (`argparse._`, `argparse.ngettext`) at the
moment it uses it; `argparse_speaking()` points both at the catalogue for the block (in the
language `statguard.i18n.speaking` set) and restores them after, so nothing outside the
command line is touched. The English of each entry is argparse's own text, placeholders and all.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from statguard.i18n import register, say

WORDS = {  # argparse's text -> (catalogue key, Chinese)
    "usage: ": ("argparse.usage", "用法："),
    "options": ("argparse.options", "选项"),
    "positional arguments": ("argparse.positionals", "位置参数"),
    "show this help message and exit": ("argparse.help", "显示本帮助并退出"),
    "%(prog)s: error: %(message)s\n": ("argparse.error", "%(prog)s：错误：%(message)s\n"),
    "argument %(argument_name)s: %(message)s": ("argparse.argument", "参数 %(argument_name)s：%(message)s"),
    "the following arguments are required: %s": ("argparse.required", "缺少以下参数：%s"),
    "one of the arguments %s is required": ("argparse.one_required", "须给出参数 %s 之一"),
    "unrecognized arguments: %s": ("argparse.unrecognized", "无法识别的参数：%s"),
    "invalid choice: %(value)r (choose from %(choices)s)": ("argparse.choice",
                                                             "无效的选项 %(value)r（可选：%(choices)s）"),
    "invalid %(type)s value: %(value)r": ("argparse.type", "无效的 %(type)s 值：%(value)r"),
    "expected one argument": ("argparse.one", "需要一个值"),
    "expected at most one argument": ("argparse.at_most_one", "至多一个值"),
    "expected at least one argument": ("argparse.at_least_one", "至少需要一个值"),
    "expected %s argument": ("argparse.n_one", "需要 %s 个值"),
    "expected %s arguments": ("argparse.n", "需要 %s 个值"),
    "ambiguous option: %(option)s could match %(matches)s": ("argparse.ambiguous",
                                                             "选项 %(option)s 有歧义，可能是 %(matches)s"),
    "not allowed with argument %s": ("argparse.not_with", "不能与参数 %s 同时使用"),
    "ignored explicit argument %r": ("argparse.ignored", "忽略了显式给出的值 %r"),
    "can't open '%(filename)s': %(error)s": ("argparse.open", "无法打开「%(filename)s」：%(error)s"),
    "unknown parser %(parser_name)r (choices: %(choices)s)": ("argparse.parser",
                                                              "没有子命令 %(parser_name)r（可选：%(choices)s）"),
}

register({key: {"en": en, "zh": zh} for en, (key, zh) in WORDS.items()})

METAVARS = {  # the placeholders of statguard's own options in --help and usage -> their Chinese
    "ACTION": "操作", "COLUMN": "列名", "COMMAND": "命令", "DATA": "数据文件", "DIR": "目录", "FILE": "文件",
    "FORMAT": "格式", "ID": "规则编号", "N": "数目", "NAME=PATH": "名称=路径", "PACK": "规则包", "PATH": "路径",
    "REPORT.json": "报告.json", "S": "数据源", "SHARE": "比例", "SIZE": "大小", "TAG": "标签", "U": "单位",
    "URL": "地址", "REASON": "原因", "pack": "规则包", "report": "报告", "source": "数据源", "data": "数据文件",
    "SOURCE": "数据源", "PERIOD": "期别", "UNIT": "单位", "UNIT_COLUMN": "单位列", "PERIOD_COLUMN": "期别列",
    "NAME": "名称", "rule": "规则编号", "packs": "规则包", "target": "导入对象", "kind": "规则类型", "ref": "版本",
    "old": "旧版本", "new": "新版本",
}
register({f"argparse.metavar.{en}": {"en": en, "zh": zh} for en, zh in METAVARS.items()})


def metavar(text: str) -> str:
    """An option's placeholder (FILE, NAME=PATH) in the language spoken; others as given."""
    return say(f"argparse.metavar.{text}") if text in METAVARS else text


def _gettext(text: str) -> str:
    entry = WORDS.get(text)
    return say(entry[0]) if entry else text


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


@contextmanager
def argparse_speaking() -> Iterator[None]:
    """argparse's words from the catalogue within the block."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _gettext, _ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
