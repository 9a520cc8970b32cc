"""statguard import pandera|gx: a pack from a pandera schema (module:Schema) or a GX suite (JSON)."""

from __future__ import annotations

import argparse
import sys

from statguard.cli.common import write_output
from statguard.errors import EXIT_OK
from statguard.i18n import register, resolve, spoken, t

register({
    "cli.import.help": {"en": "write a pack from a pandera schema or a great-expectations suite",
                        "zh": "由 pandera 模式或 great-expectations 期望集生成规则包"},
    "cli.import.tool": {"en": "pandera: MODULE[:NAME] (a module or .py file); gx: a suite JSON file",
                        "zh": "pandera：MODULE[:NAME]（模块或 .py 文件）；gx：期望集 JSON 文件"},
    "cli.import.target": {"en": "what to import", "zh": "要导入的内容"},
    "cli.import.name": {"en": "name of the pack written (default: imported)",
                        "zh": "生成的规则包名称（默认 imported）"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    lang = spoken()  # --lang, else the locale (statguard.cli.main)
    p = subs.add_parser("import", help=t("cli.import.help", lang), description=t("cli.import.help", lang))
    p.add_argument("tool", choices=["pandera", "gx"], help=t("cli.import.tool", lang))
    p.add_argument("target", help=t("cli.import.target", lang))
    p.add_argument("-o", "--output", metavar="FILE", help=t("cli.export.output", lang))
    p.add_argument("--name", default="imported", help=t("cli.import.name", lang))
    p.add_argument("--lang", choices=["zh", "en"], help=t("cli.lang", lang))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from statguard.interop.common import unmapped_lines
    lang = resolve(args.lang)
    if args.tool == "pandera":
        import warnings

        from statguard.interop import pandera_import
        # pandera imports pyspark.pandas where pyspark is installed, which warns about the pandas
        # version (twice): not the user's concern, as the Spark engine says too (engine/spark.py)
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                                category=FutureWarning)
        text, unmapped = pandera_import.import_schemas(pandera_import.load_target(args.target), lang, args.name)
    else:
        from statguard.interop import gx_import
        text, unmapped = gx_import.import_suites(gx_import.read_suites(args.target), lang, args.name)
    write_output(text, args.output)
    for line in unmapped_lines(unmapped, lang):
        print(line, file=sys.stderr)
    return EXIT_OK
