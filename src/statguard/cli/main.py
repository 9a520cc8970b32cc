"""The `statguard` command: thin subcommands over the library.

Each subcommand lives in its own module under statguard.cli and exposes
`add_parser(subparsers)`; the module list below is the whole command set.
Exit codes: 0 nothing at or above --fail-on, 1 violations, 2 usage, pack or
data errors (always with a message, never a traceback), 130 interrupted by Ctrl-C
(also when the interrupt surfaced as another error: see statguard.progress).

Everything the command line says (--help, argparse's own words, errors) is in the language of
`--lang` when the arguments give one, else the locale's (statguard.i18n): it is read from the
arguments before the parser is built, since the parser's help texts are made in it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from statguard.cli.argparse_words import argparse_speaking, metavar
from statguard.errors import EXIT_ERROR, StatguardError
from statguard.i18n import register, resolve, say, speaking
from statguard.progress import catching_interrupts, interrupted

EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 3  # a bug in statguard: neither "violations" (1) nor a fault in the pack or data (2)

COMMANDS = ["check", "screen", "lint", "kinds", "schema", "report", "history", "scorecard", "explain", "compare",
            "init", "explain_rule", "export", "import"]

register({
    "cli.description": {"en": "Check whether submitted statistics can be believed.",
                        "zh": "核查报送的统计数据是否可信。"},
    "cli.version": {"en": "show statguard's version and exit", "zh": "显示 statguard 的版本并退出"},
    "cli.error": {"en": "statguard: error: {message}", "zh": "statguard：错误：{message}"},
    "cli.failed": {"en": "statguard: {error}", "zh": "statguard：{error}"},
    "cli.os_error": {"en": "{file}: {why}", "zh": "{file}：{why}"},
    "cli.interrupted": {"en": "statguard: interrupted", "zh": "statguard：已中断"},
    "cli.internal": {"en": "statguard: internal error, a fault of statguard's and not of the pack or the data "
                           "({error}). Please report it with the details below.",
                     "zh": "statguard：内部错误，是 statguard 自身的缺陷，不是规则包或数据的问题（{error}）。"
                           "请把下面的详细信息一并报告给维护者。"},
})


class _Parser(argparse.ArgumentParser):
    """statguard's parsers: placeholders of options in the user's language, usage errors said plainly."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if isinstance(kwargs.get("metavar"), str):
            kwargs["metavar"] = metavar(kwargs["metavar"])
        action = super().add_argument(*args, **kwargs)
        if action.metavar is None and action.nargs != 0 and action.choices is None:  # argparse's default: the dest
            shown = action.dest.upper() if action.option_strings else action.dest
            if metavar(shown) != shown:
                action.metavar = metavar(shown)
        return action

    def add_subparsers(self, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("metavar"), str):
            kwargs["metavar"] = metavar(kwargs["metavar"])
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> None:  # usage errors exit 2, like argparse, but say so plainly
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, say("cli.error", message=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    from statguard.version import __version__
    parser = _Parser(prog="statguard", description=say("cli.description"))
    parser.add_argument("--version", action="version", version=f"statguard {__version__}", help=say("cli.version"))
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"statguard.cli.{name}_cmd")
        except ModuleNotFoundError as e:
            if e.name == f"statguard.cli.{name}_cmd":
                continue
            raise
        module.add_parser(subs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _never_unencodable()
    with catching_interrupts(program=argv is None), speaking(resolve(_lang_asked(argv), _pack_lang(argv))), \
            argparse_speaking():
        try:
            code = _run(argv)
        except KeyboardInterrupt:
            return _interrupted()
        except StatguardError as e:
            if interrupted():  # e.g. a source whose reading Ctrl-C stopped
                return _interrupted()
            print(say("cli.failed", error=e), file=sys.stderr)
            return EXIT_ERROR
        except BrokenPipeError:
            return 0
        except OSError as e:  # a file or folder named on the command line cannot be read or written
            if interrupted():
                return _interrupted()
            why = say("cli.failed", error=say("cli.os_error", file=e.filename, why=e.strerror)) \
                if e.filename and e.strerror else None
            if why is None:
                return _internal(e)
            print(why, file=sys.stderr)
            return EXIT_ERROR
        except Exception as e:
            if interrupted():  # DuckDB's "Query interrupted" and what it broke
                return _interrupted()
            return _internal(e)
        return _interrupted() if interrupted() else code


def _never_unencodable() -> None:
    """A console or redirect whose encoding lacks a character (an ASCII terminal, a GBK one
    shown a character outside GBK) gets a replacement mark for it, not a crash that would turn
    a verdict's exit code into 1."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            reconfigure(errors="replace")


def _lang_asked(argv: Sequence[str] | None) -> str | None:
    """The value of --lang in the arguments (--lang zh, --lang=zh), if any."""
    args = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def _pack_lang(argv: Sequence[str] | None) -> str | None:
    """The language a pack named in the arguments declares (`pack: lang: zh`), so that what the
    command says before and besides loading it (an output refused, a file it cannot write) is in
    the pack's language; None when no argument is a pack that declares one."""
    from pathlib import Path

    from statguard.packfiles import YAML_SUFFIXES, declared_lang
    for arg in list(sys.argv[1:] if argv is None else argv)[1:]:
        path = Path(arg)
        if not arg.startswith("-") and (path.suffix in YAML_SUFFIXES or path.is_dir()):
            lang = declared_lang(path)
            if lang:
                return lang
    return None


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    return int(args.func(args))


def _internal(e: Exception) -> int:
    """A bug: said as such, with the traceback a report needs, and exit 3, so that a CI gate does
    not read it as violations (1) or as a fault of the pack or data (2)."""
    import traceback
    print(say("cli.internal", error=f"{type(e).__name__}: {e}"), file=sys.stderr)
    traceback.print_exception(e, file=sys.stderr)
    return EXIT_INTERNAL


def _interrupted() -> int:
    print(say("cli.interrupted"), file=sys.stderr)
    return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
