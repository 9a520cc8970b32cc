"""The command line in the user's language: --help, argparse's own words, errors of packs and sources.

The language is --lang, else the pack's `lang:`, else the locale, else English (statguard.i18n).
"""

from __future__ import annotations

import argparse
import gettext
import os
import subprocess
import sys
from pathlib import Path

import pytest

from statguard.cli.main import main

SRC = str(Path(__file__).resolve().parent.parent / "src")  # the code under test, not whatever is installed
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONIOENCODING": "utf-8", "PYTHONPATH": SRC}


def _run(args: list[str], lang: str = "C.UTF-8", cwd: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "statguard", *args], capture_output=True, text=True,
                          env={**ENV, "LANG": lang}, cwd=cwd, check=False)


def test_help_follows_the_locale_and_lang():
    zh = _run(["check", "--help"], lang="zh_CN.UTF-8")
    assert zh.returncode == 0
    assert zh.stdout.startswith("用法：statguard check")
    assert "选项" in zh.stdout and "显示本帮助并退出" in zh.stdout
    assert "规则包：一个 YAML 文件，或存放 YAML 文件的目录" in zh.stdout
    assert "usage:" not in zh.stdout and "rule pack: a YAML file" not in zh.stdout
    assert "[--source 名称=路径]" in zh.stdout and "[--reason 原因]" in zh.stdout  # placeholders too (issue 15)
    assert "NAME=PATH" not in zh.stdout and "REASON" not in zh.stdout
    en = _run(["check", "--help", "--lang", "en"], lang="zh_CN.UTF-8")  # --lang beats the locale
    assert en.stdout.startswith("usage: statguard check")
    assert "rule pack: a YAML file or a directory of YAML files" in en.stdout and "用法" not in en.stdout
    assert "[--source NAME=PATH]" in en.stdout and "[--reason REASON]" in en.stdout
    assert _run(["lint", "--lang=zh", "-h"]).stdout.startswith("用法：statguard lint")


def test_argparse_errors_in_chinese():
    done = _run(["check"], lang="zh_CN.UTF-8")
    assert done.returncode == 2
    assert "statguard：错误：缺少以下参数：规则包" in done.stderr
    done = _run(["check", "p.yml", "--fail-on", "bad", "--lang", "zh"])
    assert done.returncode == 2 and "无效的选项 'bad'" in done.stderr and "invalid choice" not in done.stderr


def test_argparse_keeps_its_own_words_outside_the_command(capsys):
    assert main(["lint", "--lang", "zh", "nosuch.yml"]) == 2
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext  # type: ignore[attr-defined]


PACK = """pack:
  name: 语言
{lang}sources:
  t:
    path: {path}
    colums: {{a: number}}
rules:
  - id: R1
    kind: row
    source: t
    expr: a > 0
    severity: bad
"""


@pytest.mark.parametrize("lang_line,args,expected,absent", [
    ("  lang: zh\n", [], ["数据源「t」中有未知的键「colums」",
                         "severity 须为 error, warning, info 之一，而不是「bad」"], "unknown key"),
    ("  lang: zh\n", ["--lang", "en"], ["unknown key 'colums' in source 't'", "severity must be one of"], "数据源"),
    ("", [], ["unknown key 'colums' in source 't'"], "数据源"),
])
def test_pack_problems_speak_the_pack_language(tmp_path, lang_line, args, expected, absent):
    (tmp_path / "p.yml").write_text(PACK.format(lang=lang_line, path="t.csv"), encoding="utf-8")
    for command in (["check", "p.yml"], ["lint", "p.yml"]):
        done = _run([*command, *args], cwd=str(tmp_path))
        assert done.returncode == 2, done.stderr
        shown = done.stdout + done.stderr
        assert all(text in shown for text in expected), shown
        assert absent not in shown


def test_a_broken_chinese_pack_is_reported_in_chinese(tmp_path):
    (tmp_path / "p.yml").write_text("pack:\n  lang: zh\nrules: [\n", encoding="utf-8")
    done = _run(["lint", "p.yml"], cwd=str(tmp_path))
    assert done.returncode == 2 and "p.yml:4:1: YAML 格式错误：" in done.stdout


def test_a_broken_pack_written_in_flow_style_is_reported_in_its_language(tmp_path):
    """`pack: {name: 试点, lang: zh}` on one line speaks Chinese too, even before the YAML loads."""
    (tmp_path / "p.yml").write_text("pack: {name: 试点, lang: zh}\nrules: [\n", encoding="utf-8")
    done = _run(["lint", "p.yml"], cwd=str(tmp_path))
    assert done.returncode == 2 and "YAML 格式错误：" in done.stdout, done.stdout


def test_a_missing_data_file_in_the_report_language(tmp_path):
    pack = PACK.format(lang="  lang: zh\n", path="nothere.csv").replace("colums", "columns").replace(
        "    severity: bad\n", "")
    (tmp_path / "p.yml").write_text(pack, encoding="utf-8")
    done = _run(["check", "p.yml"], cwd=str(tmp_path))
    assert done.returncode == 2
    assert "数据源「t」" in done.stdout and "文件不存在" in done.stdout
    done = _run(["check", "p.yml", "--lang", "en"], cwd=str(tmp_path))
    assert "source 't'" in done.stdout and "file not found" in done.stdout


def test_a_command_refused_before_its_pack_is_loaded_speaks_the_packs_language(tmp_path):
    """An output that cannot be written as asked is refused before any work, and a pack whose first
    line has the Chinese input method's full-width colon cannot be loaded at all: both are said in
    the language the pack declares, not the locale's."""
    (tmp_path / "p.yml").write_text("pack: {name: 试点, lang: zh}\nsources: {}\nrules: []\n", encoding="utf-8")
    (tmp_path / "p4.yml").write_text("pack：\n  name: 试点\n  lang: zh\nsources: {}\nrules: []\n", encoding="utf-8")
    binary = _run(["check", "p.yml", "-f", "xlsx"], cwd=str(tmp_path))
    assert binary.returncode == 2 and "statguard：格式「xlsx」是二进制格式，须用 --output 指定文件" in binary.stderr
    mismatch = _run(["check", "p.yml", "-f", "html", "-o", "m.xlsx"], cwd=str(tmp_path))
    assert mismatch.returncode == 2 and "的扩展名对应 xlsx 格式，而 --format 为 html" in mismatch.stderr
    broken = _run(["lint", "p4.yml"], cwd=str(tmp_path))
    assert broken.returncode == 2 and "「pack」后面是全角冒号「：」" in broken.stdout + broken.stderr
    assert "binary" in _run(["check", "p.yml", "-f", "xlsx", "--lang", "en"], cwd=str(tmp_path)).stderr
