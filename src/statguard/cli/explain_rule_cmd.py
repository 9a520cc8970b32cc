"""statguard explain PACK RULE: one rule in a sentence, its parameters, SQL and examples;
with --data, its violations for one unit (statguard.authoring.explain_rule)."""

from __future__ import annotations

import argparse
import sys

from statguard.errors import EXIT_ERROR, EXIT_OK


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser(
        "explain", help="explain one rule: what it checks, its SQL, examples that pass and fail",
        description="Explain one rule of a pack: a plain sentence, its parameters, the SQL it compiles to "
                    "(DuckDB and Spark), a made-up example that passes and one that fails (each checked by "
                    "running the rule on it); with --data, its violations for one unit.")
    p.add_argument("pack", help="rule pack: a YAML file or a directory of YAML files")
    p.add_argument("rule", help="the rule's id")
    p.add_argument("--lang", choices=["zh", "en"], help="language (default: the pack's, else the locale's, else en)")
    p.add_argument("--data", "--source", "-s", action="append", dest="data", metavar="NAME=PATH",
                   help="data for a source, to list the rule's violations; repeatable")
    p.add_argument("--unit", metavar="U", help="the unit whose violations to list (default: the one with most)")
    p.add_argument("--no-examples", action="store_true", help="leave out the made-up examples (faster)")
    p.add_argument("--allow-include", action="append", default=[], metavar="DIR",
                   help="let the pack's include: read files under DIR too; repeatable")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.authoring.explain_rule import explain_rule, render
    from statguard.cli.common import parse_sources
    from statguard.i18n import resolve
    from statguard.pack import load_pack

    pack = load_pack(args.pack, allow_include=args.allow_include)
    lang = resolve(args.lang, pack.lang)
    data = parse_sources(args.data) if args.data else None
    explanation = explain_rule(pack, args.rule, lang, data=data, unit=args.unit, examples=not args.no_examples)
    sys.stdout.write(render(explanation, lang))
    return EXIT_ERROR if explanation.error is not None else EXIT_OK
