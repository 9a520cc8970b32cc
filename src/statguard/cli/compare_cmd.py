"""statguard compare PACK --version NAME=PATH ...: rule outcomes and cell changes across versions."""

from __future__ import annotations

import argparse
import json

from statguard.cli import common  # noqa: F401  (registers the options' texts shared with check)
from statguard.errors import EXIT_OK, StatguardError
from statguard.i18n import register, say

register({
    "cli.compare.help": {"en": "compare versions of a dataset (rule outcomes and cell changes)",
                         "zh": "比较数据集的各个版本（规则结果和单元格变化）"},
    "cli.compare.description": {"en": "Run the pack's rules on each version of one source and count, per rule, "
                                      "satisfied / violated / not evaluable items and changes between versions; count "
                                      "per column the cells added, removed, changed or imputed.",
                                "zh": "在同一数据源的每个版本上运行规则包，按规则统计通过、不通过、"
                                      "无法判断的项及版本间的变化；按列统计新增、删除、修改或填补的单元格。"},
    "cli.compare.version": {"en": "one version of the data, oldest first; repeatable (two or more to compare)",
                            "zh": "数据的一个版本，最早的在前；可重复（至少两个才能比较）"},
    "cli.compare.source": {"en": "the source the versions are of (needed when the pack has several)",
                           "zh": "这些版本属于哪个数据源（规则包有多个数据源时须给出）"},
    "cli.compare.key": {"en": "match rows of versions on this column for the cell counts (default: by position)",
                        "zh": "统计单元格时按此列匹配各版本的行（默认：按位置）"},
    "cli.compare.how": {"en": "compare each version with the first one (default) or with the one before",
                        "zh": "每个版本与第一个版本比较（默认），或与前一个版本比较"},
    "cli.compare.format": {"en": "output format", "zh": "输出格式"},
    "cli.compare.all": {"en": "(all)", "zh": "（合计）"},  # statguard.compare.ALL, as the text output shows it
    "cli.compare.version_form": {"en": "--version expects NAME=PATH, got '{item}'",
                                 "zh": "--version 应写作 名称=路径，而不是「{item}」"},
    "cli.compare.twice": {"en": "version name '{name}' is given twice", "zh": "版本名「{name}」给出了两次"},
    "cli.compare.lang": {"en": "language of the output: zh or en (default: the pack's, else the locale's)",
                         "zh": "输出的语言：zh 或 en（默认按规则包，其次按系统语言环境）"},
    "compare.h.rules": {"en": "Rule outcomes per version", "zh": "各版本的规则结果"},
    "compare.h.cells": {"en": "Cells, all columns", "zh": "单元格（全部列）"},
    "compare.h.per_column": {"en": "Cells changed per column", "zh": "各列变化的单元格"},
    "compare.not_itemised": {"en": "- : not compared item by item ({rules}): a rule that checks the columns as a "
                                   "whole (schema) or computes outside a single query, or one that could not run "
                                   "on a version; statguard check reports its findings",
                             "zh": "-：未逐项比较（{rules}）：这类规则按列整体核查（schema）或不是单一查询，"
                                   "或者无法在某个版本上运行；其问题请用 statguard check 查看"},
    # R validate's compare() and cells() counts, as its documentation names them
    **{f"compare.n.{name}": {"en": name, "zh": zh} for name, zh in {
        "rule_id": "规则", "version": "版本", "column": "列",
        "validations": "校验项", "verifiable": "可判断", "unverifiable": "无法判断",
        "still_unverifiable": "仍无法判断", "new_unverifiable": "新增无法判断", "satisfied": "通过",
        "still_satisfied": "仍通过", "new_satisfied": "新通过", "violated": "不通过", "still_violated": "仍不通过",
        "new_violated": "新不通过", "changed": "结果有变化", "cells": "单元格", "available": "有值",
        "still_available": "仍有值", "unadapted": "未修改", "adapted": "已修改", "imputed": "已填补",
        "missing": "缺失", "still_missing": "仍缺失", "removed": "被清空", "added": "新增", "deleted": "删除",
    }.items()},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("compare", help=say("cli.compare.help"), description=say("cli.compare.description"))
    p.add_argument("pack", help=say("cli.opt.pack"))
    p.add_argument("--version", "-V", action="append", dest="versions", metavar="NAME=PATH", required=True,
                   help=say("cli.compare.version"))
    p.add_argument("--source", "-s", help=say("cli.compare.source"))
    p.add_argument("--key", action="append", dest="keys", metavar="COLUMN",
                   help=say("cli.compare.key"))
    p.add_argument("--how", choices=["to_first", "sequential"], default="to_first",
                   help=say("cli.compare.how"))
    p.add_argument("--format", "-f", choices=["text", "json", "csv"], default="text", help=say("cli.compare.format"))
    p.add_argument("--output", "-o", metavar="FILE", help=say("cli.opt.output"))
    p.add_argument("--lang", choices=["zh", "en"], help=say("cli.compare.lang"))
    p.set_defaults(func=run)


def _versions(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise StatguardError(say("cli.compare.version_form", item=item))
        if name.strip() in out:
            raise StatguardError(say("cli.compare.twice", name=name.strip()))
        out[name.strip()] = path.strip()
    return out


def run(args: argparse.Namespace) -> int:
    from statguard.cli.common import write_output
    from statguard.compare import cells, compare_versions
    from statguard.load import load_pack

    versions = _versions(args.versions)
    pack = load_pack(args.pack)
    rules = compare_versions(pack, versions, source=args.source, how=args.how)
    cell = cells(versions, key=args.keys, how=args.how)
    if args.format == "json":
        data = {"how": args.how, "versions": list(versions),
                "rules": json.loads(rules.to_json(orient="records", force_ascii=False)),
                "cells": json.loads(cell.to_json(orient="records", force_ascii=False))}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = rules.to_csv(index=False) + "\n" + cell.to_csv(index=False)
    else:
        from statguard.i18n import resolve
        text = _text(rules, cell, resolve(args.lang, pack.lang))
    write_output(text, args.output)
    return EXIT_OK


def _text(rules, cell, lang: str | None = None) -> str:  # type: ignore[no-untyped-def]
    from statguard.i18n import CATALOGUE, t

    def named(frame):  # type: ignore[no-untyped-def]
        """validate's count names (and the index names) in the user's language."""
        label = {c: t(f"compare.n.{c}", lang) for c in frame.columns if f"compare.n.{c}" in CATALOGUE}
        return frame.rename(columns=label)

    from statguard.compare import ALL, RULE_COUNTS
    # a rule without counts (pandas' <NA>) is shown as "-", and said why under the table
    unknown = rules[rules[RULE_COUNTS].isna().all(axis=1)]["rule_id"].drop_duplicates().tolist()
    rules = rules.assign(rule_id=rules["rule_id"].replace(ALL, t("cli.compare.all", lang)))
    rules = rules.astype({c: object for c in RULE_COUNTS}).fillna("-")
    rule_table = named(rules).set_index([t("compare.n.rule_id", lang), t("compare.n.version", lang)]).T.to_string()
    if unknown:
        rule_table += "\n" + t("compare.not_itemised", lang, rules=", ".join(unknown))
    cell_table = named(cell[cell["column"] == ALL].drop(columns="column")).set_index(
        t("compare.n.version", lang)).T.to_string()
    measures = ["adapted", "imputed", "removed"]
    per_column = cell.pivot(index="column", columns="version", values=measures)
    # pivot sorts its labels; the versions are a sequence and the columns those of the data: keep both orders
    versions, columns = list(dict.fromkeys(cell["version"])), list(dict.fromkeys(cell["column"]))
    per_column = per_column.reindex(index=columns)[[(m, v) for m in measures for v in versions]]
    per_column = per_column.rename(columns={m: t(f"compare.n.{m}", lang) for m in measures}, level=0)
    per_column.columns.names = [None, t("compare.n.version", lang)]
    per_column.index.name = t("compare.n.column", lang)
    per_column = per_column.rename(index={ALL: t("cli.compare.all", lang)})
    return (f"{t('compare.h.rules', lang)}\n{rule_table}\n\n{t('compare.h.cells', lang)}\n{cell_table}\n\n"
            f"{t('compare.h.per_column', lang)}\n{per_column.to_string()}\n")

