"""The `statguard` command: thin subcommands over the library.

Each subcommand lives in its own module under statguard.cli and exposes
`add_parser(subparsers)`; the module list below is the whole command set.
Exit codes: 0 nothing at or above --fail-on, 1 violations, 2 usage, pack or
data errors (always with a message, never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from statguard.errors import EXIT_ERROR, StatguardError

COMMANDS = ["check", "screen", "lint", "kinds", "schema", "report", "history", "scorecard", "explain", "compare"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, like argparse, but say so plainly
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"statguard: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from statguard import __version__
    parser = _Parser(prog="statguard", description="Check whether submitted statistics can be believed.")
    parser.add_argument("--version", action="version", version=f"statguard {__version__}")
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
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args.func(args))
    except StatguardError as e:
        print(f"statguard: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("statguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
