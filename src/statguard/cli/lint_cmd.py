"""statguard lint PACK: check a pack without data, listing every problem (on stdout).

`--analyze` adds the analysis of the pack's rules (statguard.analysis: contradictions,
redundant rules, fixed variables); a finding of severity error fails like a problem does.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from statguard.cli.common import add_allow_include
from statguard.errors import EXIT_ERROR, EXIT_OK, PackError
from statguard.i18n import register, say, speaking, spoken, t

register({
    "lint.ok": {"en": "{path}: ok ({rules} rules, {sources} sources)",
                "zh": "{path}：没有问题（{rules} 条规则，{sources} 个数据源）"},
    "lint.n_problems": {"en": "{path}: {n} problem(s)", "zh": "{path}：{n} 个问题"},
    "lint.note": {"en": "{where}note: {text}", "zh": "{where}提示：{text}"},
    "lint.no_analysis": {"en": "--analyze needs statguard.analysis, which this installation does not have",
                         "zh": "--analyze 需要 statguard.analysis，当前安装中没有"},
    "cli.lint.help": {"en": "check rule packs without data", "zh": "不读数据，检查规则包本身"},
    "cli.lint.description": {"en": "Check rule packs without data; list every problem as file:line:column.",
                             "zh": "不读数据，检查规则包本身；列出每个问题，标明 文件:行:列。"},
    "cli.lint.packs": {"en": "rule pack files or directories", "zh": "规则包文件或目录"},
    "cli.lint.lang": {"en": "language of the messages (default: the pack's lang, then the locale)",
                      "zh": "提示信息的语言（默认：规则包的 lang，其次是系统区域设置）"},
    "cli.lint.analyze": {"en": "also analyse the rules: contradictions, redundant rules, variables fixed by the rules",
                         "zh": "同时分析规则之间的关系：相互矛盾、多余的规则、被规则定死的变量"},
    "lint.finding": {"en": "{where}{severity}: {text}", "zh": "{where}{severity}：{text}"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("lint", help=say("cli.lint.help"), description=say("cli.lint.description"))
    p.add_argument("packs", nargs="+", help=say("cli.lint.packs"))
    add_allow_include(p, "include:")
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.lint.lang"))
    p.add_argument("--analyze", action="store_true", help=say("cli.lint.analyze"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for path in args.packs:
        status = max(status, _lint(path, args))
    return status


def _lint(path: str, args: argparse.Namespace) -> int:
    """Lint one pack, in --lang, else in the pack's own `lang:` (as its problems are said), else the run's."""
    from statguard.load import load_pack
    from statguard.packfiles import declared_lang
    lang = args.lang or declared_lang(Path(path)) or spoken()
    with speaking(lang):
        pack = None
        try:
            pack = load_pack(path, check_types=True, allow_include=args.allow_include, lang=args.lang)
            problems = pack.problems
        except PackError as e:
            problems = e.problems
        for problem in problems:
            print(problem)
        for note in pack.notes if pack is not None else ():
            print(_note(note, lang))
        analysed = EXIT_OK
        if args.analyze and pack is not None:
            analysed = _analyze(pack, path, lang)
        if problems or analysed:
            return EXIT_ERROR
        if pack is not None:
            print(t("lint.ok", lang, path=path, rules=len(pack.rules), sources=len(pack.sources)))
        return EXIT_OK


def _note(note: Any, lang: str | None) -> str:
    """A note as file:line:column: note: [field] text, like a problem, marked as no fault."""
    where = ":".join(str(p) for p in (note.file, note.line, note.column) if p is not None)
    field = f"[{note.field}] " if note.field else ""
    return t("lint.note", lang, where=f"{where}: " if where else "", text=field + note.message)


def _analyze(pack: Any, path: str, lang: str | None) -> int:
    """Print the analysis findings of `pack`; EXIT_ERROR when one of them is an error."""
    try:
        from statguard.analysis import analyze_pack
    except ModuleNotFoundError as e:  # not there yet; a broken analysis module is a bug to see
        if e.name not in ("statguard.analysis", "statguard"):
            raise
        print(t("lint.no_analysis", lang))
        return EXIT_ERROR
    findings = analyze_pack(pack, lang or "en")
    for finding in findings:
        print(t("lint.finding", lang, where=_where(pack, finding), severity=_severity(finding.severity, lang),
                text=finding.text))
    return EXIT_ERROR if any(f.severity == "error" for f in findings) else EXIT_OK


def _where(pack: Any, finding: Any) -> str:
    """file:line: of the first rule a finding names (its text names the others), when known."""
    loc = getattr(finding, "loc", None)
    if loc is None:
        rule = next((r for r in pack.rules if r.id in {str(i) for i in getattr(finding, "rules", ())}), None)
        loc = rule.loc if rule is not None else None
    return f"{loc.file}:{loc.line}: " if getattr(loc, "file", None) else ""


def _severity(name: str, lang: str | None) -> str:
    from statguard.i18n import severity
    return severity(name, lang)
