"""statguard kinds: list the rule kinds and their parameters."""

from __future__ import annotations

import argparse
import unicodedata

from statguard.i18n import register, say

register({"kinds.unknown": {"en": "unknown rule kind '{kind}' (known: {known})",
                            "zh": "没有规则类型「{kind}」（现有类型：{known}）"},
          "cli.kinds.help": {"en": "list rule kinds", "zh": "列出规则类型"},
          "cli.kinds.description": {"en": "List rule kinds and their summaries.", "zh": "列出各规则类型及其简介。"},
          "cli.kinds.kind": {"en": "show the full reference of one kind", "zh": "显示某个规则类型的完整说明"},
          "cli.kinds.lang": {"en": "language (default: the locale's, else en)",
                             "zh": "语言（默认：系统区域设置的语言，否则 en）"}})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("kinds", help=say("cli.kinds.help"), description=say("cli.kinds.description"))
    p.add_argument("kind", nargs="?", help=say("cli.kinds.kind"))
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.kinds.lang"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.checks import registry
    from statguard.checks.texts import kind_summary
    from statguard.docs import kind_reference, scope_name
    from statguard.i18n import resolve, t
    lang = resolve(args.lang)
    if args.kind:
        kind = registry.get(args.kind)
        if kind is None:
            from statguard.errors import StatguardError
            raise StatguardError(t("kinds.unknown", lang, kind=args.kind, known=", ".join(registry.kinds())))
        print(kind_reference(kind, lang))
        return 0
    kinds = registry.kinds()
    scopes = {name: scope_name(kind.scope, lang) for name, kind in kinds.items()}
    width = max(map(len, kinds), default=0)
    scope_width = max(map(_width, scopes.values()), default=0)
    for name, kind in kinds.items():
        print(f"{name:<{width}}  {_pad(scopes[name], scope_width)}  {kind_summary(kind, lang)}")
    return 0


def _width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
