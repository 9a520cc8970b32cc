"""statguard kinds: list the rule kinds and their parameters."""

from __future__ import annotations

import argparse


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("kinds", help="list rule kinds", description="List rule kinds and their summaries.")
    p.add_argument("kind", nargs="?", help="show the full reference of one kind")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.checks import registry
    from statguard.docs import kind_reference
    if args.kind:
        kind = registry.get(args.kind)
        if kind is None:
            from statguard.errors import StatguardError
            raise StatguardError(f"unknown rule kind '{args.kind}' (known: {', '.join(registry.kinds())})")
        print(kind_reference(kind))
        return 0
    kinds = registry.kinds()
    width = max(map(len, kinds), default=0)
    for name, kind in kinds.items():
        print(f"{name:<{width}}  {kind.scope:<13} {kind.summary}")
    return 0
