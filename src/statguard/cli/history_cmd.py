"""statguard history record|list|show|diff|verify: the submission history store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from statguard.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, HistoryError
from statguard.i18n import register, say, speaking

_PACKS: dict[str, Any] = {}  # --pack, loaded once for the masks of a command's output
_REMEMBERED: dict[str | None, Any] = {}  # history store -> the masker of the pii columns it remembers

register({
    "cli.history.help": {"en": "record and compare submitted versions", "zh": "记录并比较报送的各个版本"},
    "cli.history.description": {"en": "The submission history: every version each unit submitted.",
                                "zh": "报送历史：每个单位报送过的每个版本。"},
    "cli.history.verify": {"en": "check the store's integrity and every version's hash",
                           "zh": "检查历史库的完整性和每个版本的哈希值"},
    "cli.history.record": {"en": "record a submission (a new version unless identical to the latest)",
                           "zh": "记录一次报送（与最新版本相同时不另记新版本）"},
    "cli.history.record_description": {"en": "Record submitted data. Rows are split into one version per unit and "
                                             "period found in the unit and period columns.",
                                       "zh": "记录报送的数据。各行按单位列和期别列中的单位与期别分为各自的版本。"},
    "cli.history.data": {"en": "data file (default: the path the pack declares for --source)",
                         "zh": "数据文件（默认：规则包为 --source 声明的路径）"},
    "cli.history.source": {"en": "source name the data is recorded under", "zh": "数据记在哪个数据源名下"},
    "cli.history.pack": {"en": "rule pack declaring the source (its unit, period, keys, format)",
                         "zh": "声明该数据源的规则包（取其单位、期别、主键、格式）"},
    "cli.history.unit_column": {"en": "column naming the reporting unit", "zh": "表示报送单位的列"},
    "cli.history.period_column": {"en": "column naming the period", "zh": "表示期别的列"},
    "cli.history.unit": {"en": "reporting unit of the whole file (when it has no unit column)",
                         "zh": "整个文件的报送单位（文件没有单位列时）"},
    "cli.history.period": {"en": "period of the whole file (when it has no period column)",
                           "zh": "整个文件的期别（文件没有期别列时）"},
    "cli.history.key": {"en": "key column; repeatable", "zh": "主键列；可重复"},
    "cli.history.reason": {"en": "stated reason for this resubmission", "zh": "本次重新报送的理由"},
    "cli.history.format": {"en": "output format", "zh": "输出格式"},
    "cli.history.store": {"en": "history store file (default: $STATGUARD_HISTORY, else .statguard/history.db)",
                          "zh": "历史库文件（默认：$STATGUARD_HISTORY，否则 .statguard/history.db）"},
    "cli.history.list": {"en": "list recorded versions", "zh": "列出已记录的版本"},
    "cli.history.show": {"en": "show one version and its rows", "zh": "显示一个版本及其各行"},
    "cli.history.ref": {"en": "submission id (see list), or a version number with --source",
                        "zh": "报送编号（见 list），或与 --source 同用时的版本号"},
    "cli.history.rows": {"en": "rows to print in text format (default 50)", "zh": "文本格式下显示的行数（默认 50）"},
    "cli.history.diff": {"en": "cell-level differences between two versions (exit 1 if they differ)",
                         "zh": "两个版本逐格的差异（有差异时退出码为 1）"},
    "cli.history.old": {"en": "older submission id, or version number with --source",
                        "zh": "较早的报送编号，或与 --source 同用时的版本号"},
    "cli.history.new": {"en": "newer submission id, or version number with --source",
                        "zh": "较新的报送编号，或与 --source 同用时的版本号"},
    "cli.history.keys": {"en": "match rows on these columns (default: the keys recorded with the version)",
                         "zh": "按这些列匹配各行（默认：版本记录时的主键）"},
    "cli.history.f_source": {"en": "source name", "zh": "数据源名称"},
    "cli.history.f_unit": {"en": "reporting unit", "zh": "报送单位"},
    "cli.history.f_period": {"en": "period", "zh": "期别"},
    "cli.history.f_pack": {"en": "rule pack declaring the source: its pii: columns are shown masked",
                           "zh": "声明该数据源的规则包：其 pii: 列遮盖显示"},
    "cli.history.show_pii": {"en": "show personal values in full (by default identity and mobile numbers, and the "
                                   "values of the --pack's pii: columns, are masked: 3201**********1234)",
                             "zh": "完整显示个人信息（默认遮盖身份证号、手机号以及 --pack 规则包中 pii: 列的值："
                                   "3201**********1234）"},
    "cli.history.where": {"en": "history: {path}", "zh": "历史库：{path}"},
    "cli.history.not_declared": {"en": "source '{source}' is not declared in {pack} (sources: {sources})",
                                 "zh": "数据源「{source}」未在 {pack} 中声明（已有数据源：{sources}）"},
    "cli.history.none": {"en": "none", "zh": "无"},
    "cli.history.no_path": {"en": "give the data file: source '{source}' declares no path",
                            "zh": "请给出数据文件：数据源「{source}」没有声明路径"},
    "cli.history.no_data": {"en": "give the data file to record (or --pack with a source that declares its path)",
                            "zh": "请给出要记录的数据文件（或用 --pack 指定声明了路径的数据源）"},
    "cli.history.no_versions": {"en": "no versions recorded", "zh": "没有记录任何版本"},
    "cli.history.no_versions_matching": {"en": "no versions recorded matching the filters",
                                         "zh": "没有符合筛选条件的版本"},
    "cli.history.not_version": {"en": "'{ref}' is not a version number", "zh": "「{ref}」不是版本号"},
    "cli.history.not_id": {"en": "'{ref}' is not a submission id (see statguard history list), or give --source to "
                                 "use version numbers",
                           "zh": "「{ref}」不是报送编号（见 statguard history list）；要用版本号请给出 --source"},
    "cli.history.nothing": {"en": "nothing recorded for source '{source}'{unit}{period}",
                            "zh": "数据源「{source}」{unit}{period}没有任何记录"},
    "cli.history.nothing_unit": {"en": ", unit '{unit}'", "zh": "、单位「{unit}」"},
    "cli.history.nothing_period": {"en": ", period '{period}'", "zh": "、期别「{period}」"},
    "cli.history.several": {"en": "source '{source}' has several version sequences; choose one: {options}",
                            "zh": "数据源「{source}」有多个版本序列；请选择其一：{options}"},
    "cli.history.verified": {"en": "{path}: {n} versions, ok", "zh": "{path}：{n} 个版本，没有问题"},
    "cli.history.verify_problems": {"en": "{path}: {n} versions, {problems} problem(s)",
                                    "zh": "{path}：{n} 个版本，{problems} 个问题"},
    "cli.history.unchanged": {"en": "unchanged  {label} (identical to the latest version, {rows} rows)",
                              "zh": "未变化  {label}（与最新版本相同，{rows} 行）"},
    "cli.history.recorded": {"en": "recorded   {label} ({rows} rows, #{id}{again})",
                             "zh": "已记录  {label}（{rows} 行，#{id}{again}）"},
    "cli.history.same_as": {"en": ", same content as v{version}", "zh": "，内容与 v{version} 相同"},
    "cli.history.col.id": {"en": "id", "zh": "编号"},
    "cli.history.col.source": {"en": "source", "zh": "数据源"},
    "cli.history.col.unit": {"en": "unit", "zh": "单位"},
    "cli.history.col.period": {"en": "period", "zh": "期别"},
    "cli.history.col.version": {"en": "version", "zh": "版本"},
    "cli.history.col.received": {"en": "received (UTC)", "zh": "接收时间（UTC）"},
    "cli.history.col.rows": {"en": "rows", "zh": "行数"},
    "cli.history.col.hash": {"en": "hash", "zh": "哈希"},
    "cli.history.col.reason": {"en": "reason", "zh": "原因"},
    "cli.history.show_head": {"en": "received {received}, {rows} rows, {hash}",
                              "zh": "接收于 {received}，{rows} 行，{hash}"},
    "cli.history.show_reason": {"en": "reason: {reason}; keys: {keys}", "zh": "原因：{reason}；主键：{keys}"},
    "cli.history.no_reason": {"en": "(none stated)", "zh": "（未说明）"},
    "cli.history.more_rows": {"en": "... {n} more rows (--rows N, or --format csv)",
                              "zh": "……另有 {n} 行（--rows N，或 --format csv）"},
    "cli.history.diff_head": {"en": "{old} (#{old_id}, {old_rows} rows) -> v{version} (#{new_id}, {new_rows} rows)",
                              "zh": "{old}（#{old_id}，{old_rows} 行）-> v{version}（#{new_id}，{new_rows} 行）"},
    "cli.history.diff_reason": {"en": "reason stated for v{version}: {reason}",
                                "zh": "v{version} 说明的原因：{reason}"},
    "cli.history.no_differences": {"en": "no differences", "zh": "没有差异"},
    "cli.history.columns_added": {"en": "columns added: {columns}", "zh": "新增的列：{columns}"},
    "cli.history.columns_removed": {"en": "columns removed: {columns}", "zh": "删除的列：{columns}"},
    "cli.history.diff_counts": {"en": "{added} added, {removed} removed, {changed} changed, {unchanged} unchanged "
                                      "rows (matched on {keys})",
                                "zh": "新增 {added} 行，删除 {removed} 行，修改 {changed} 行，未变 {unchanged} 行"
                                      "（按 {keys} 匹配）"},
    "cli.history.whole_rows": {"en": "whole rows", "zh": "整行"},
    "cli.history.lang": {"en": "language of the output: zh or en (default: the language of the pack given, else of "
                               "the pack that recorded into the store, else the locale's)",
                         "zh": "输出的语言：zh 或 en（默认：所给规则包的语言，其次是向历史库登记数据的规则包的语言，"
                               "否则按系统语言环境）"},
})


def add_parser(subs: argparse._SubParsersAction) -> None:
    p = subs.add_parser("history", help=say("cli.history.help"), description=say("cli.history.description"))
    p.set_defaults(func=lambda _a: (p.print_help(), EXIT_ERROR)[1])
    cmds = p.add_subparsers(dest="history_command", metavar="ACTION", parser_class=type(p))
    _add_record(cmds)
    _add_list(cmds)
    _add_show(cmds)
    _add_diff(cmds)
    v = cmds.add_parser("verify", help=say("cli.history.verify"))
    v.add_argument("--history", metavar="PATH", help=say("cli.history.store"))
    v.add_argument("--lang", choices=["zh", "en"], help=say("cli.history.lang"))
    v.set_defaults(func=_in_store_lang(run_verify))


def _add_record(cmds: argparse._SubParsersAction) -> None:
    r = cmds.add_parser("record", help=say("cli.history.record"),
                        description=say("cli.history.record_description"))
    r.add_argument("data", nargs="?", help=say("cli.history.data"))
    r.add_argument("--source", "-s", required=True, help=say("cli.history.source"))
    r.add_argument("--pack", "-p", help=say("cli.history.pack"))
    r.add_argument("--unit-column", help=say("cli.history.unit_column"))
    r.add_argument("--period-column", help=say("cli.history.period_column"))
    r.add_argument("--unit", help=say("cli.history.unit"))
    r.add_argument("--period", help=say("cli.history.period"))
    r.add_argument("--key", action="append", dest="keys", metavar="COLUMN", help=say("cli.history.key"))
    r.add_argument("--reason", help=say("cli.history.reason"))
    r.add_argument("--format", choices=["text", "json"], default="text", help=say("cli.history.format"))
    r.add_argument("--history", metavar="PATH", help=say("cli.history.store"))
    r.add_argument("--lang", choices=["zh", "en"], help=say("cli.history.lang"))
    _add_show_pii(r)
    r.set_defaults(func=run_record)


def _add_list(cmds: argparse._SubParsersAction) -> None:
    ls = cmds.add_parser("list", help=say("cli.history.list"))
    _add_filters(ls)
    ls.add_argument("--format", choices=["text", "json"], default="text", help=say("cli.history.format"))
    ls.add_argument("--history", metavar="PATH", help=say("cli.history.store"))
    ls.add_argument("--lang", choices=["zh", "en"], help=say("cli.history.lang"))
    ls.set_defaults(func=_in_store_lang(run_list))


def _add_show(cmds: argparse._SubParsersAction) -> None:
    sh = cmds.add_parser("show", help=say("cli.history.show"))
    sh.add_argument("ref", help=say("cli.history.ref"))
    _add_filters(sh)
    sh.add_argument("--rows", type=int, default=50, metavar="N", help=say("cli.history.rows"))
    sh.add_argument("--format", choices=["text", "json", "csv"], default="text",
                    help=say("cli.history.format"))
    sh.add_argument("--history", metavar="PATH", help=say("cli.history.store"))
    sh.add_argument("--lang", choices=["zh", "en"], help=say("cli.history.lang"))
    sh.set_defaults(func=_in_store_lang(run_show))


def _add_diff(cmds: argparse._SubParsersAction) -> None:
    d = cmds.add_parser("diff", help=say("cli.history.diff"))
    d.add_argument("old", help=say("cli.history.old"))
    d.add_argument("new", help=say("cli.history.new"))
    _add_filters(d)
    d.add_argument("--key", action="append", dest="keys", metavar="COLUMN",
                   help=say("cli.history.keys"))
    d.add_argument("--format", choices=["text", "json"], default="text", help=say("cli.history.format"))
    d.add_argument("--history", metavar="PATH", help=say("cli.history.store"))
    d.add_argument("--lang", choices=["zh", "en"], help=say("cli.history.lang"))
    d.set_defaults(func=_in_store_lang(run_diff))


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", "-s", help=say("cli.history.f_source"))
    p.add_argument("--unit", help=say("cli.history.f_unit"))
    p.add_argument("--period", help=say("cli.history.f_period"))
    p.add_argument("--pack", "-p", help=say("cli.history.f_pack"))
    _add_show_pii(p)


def _add_show_pii(p: argparse.ArgumentParser) -> None:
    p.add_argument("--show-pii", action="store_true",
                   help=say("cli.history.show_pii"))


def _in_store_lang(run: Any) -> Any:
    """`run` speaking, when neither --lang nor --pack says a language, the language of the pack that
    recorded into the store: `history record -p` speaks its pack's language, and so do the
    commands that later list, show and compare what it recorded."""
    def speaking_the_store(args: argparse.Namespace) -> int:
        lang = None if args.lang or getattr(args, "pack", None) else _store_lang(args)
        if lang is None:
            return int(run(args))
        with speaking(lang):
            return int(run(args))
    return speaking_the_store


def _store_lang(args: argparse.Namespace) -> str | None:
    from statguard.history.store import HistoryStore
    try:
        with HistoryStore(args.history, create=False) as store:
            return store.lang()
    except Exception:  # noqa: BLE001  (no store, or not one: the command itself says so, in the locale's language)
        return None


# -- actions -------------------------------------------------------------------
def run_record(args: argparse.Namespace) -> int:
    from statguard.history import HistoryStore
    from statguard.history.capture import record_source
    source = _source_for(args)
    data = args.data
    with HistoryStore(args.history) as store:
        results = record_source(store, source, data, reason=args.reason, unit=args.unit, period=args.period,
                                keys=args.keys)
        pack = _PACKS.get(args.pack) if args.pack else None
        if pack is not None and pack.lang:
            store.remember_lang(pack.lang)
        where = store.path
    subs = [r.submission for r in results]
    if args.format == "json":
        _print(json.dumps([{**r.submission.as_dict(), "new": r.new, "same_as": r.same_as} for r in results],
                          ensure_ascii=False, indent=2), args, subs=subs)
        return EXIT_OK
    for r in results:
        _print(describe_recorded(r), args, subs=subs)
    print(say("cli.history.where", path=where), file=sys.stderr)
    return EXIT_OK


def describe_recorded(r: Any) -> str:
    s = r.submission
    if not r.new:
        return say("cli.history.unchanged", label=s.label(), rows=s.row_count)
    again = say("cli.history.same_as", version=r.same_as) if r.same_as else ""
    return say("cli.history.recorded", label=s.label(), rows=s.row_count, id=s.id, again=again)


def _source_for(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from statguard.pack.model import Source
    if args.pack:
        from statguard.load import load_pack
        pack = _PACKS[args.pack] = _PACKS.get(args.pack) or load_pack(args.pack)
        if args.source not in pack.sources:
            raise HistoryError(say("cli.history.not_declared", source=args.source, pack=args.pack,
                                   sources=", ".join(sorted(pack.sources)) or say("cli.history.none")))
        spec = pack.sources[args.source]
        if args.unit_column or args.period_column:
            from dataclasses import replace
            spec = replace(spec, unit=args.unit_column or spec.unit, period=args.period_column or spec.period)
        if args.data is None and spec.path is None:
            raise HistoryError(say("cli.history.no_path", source=args.source))
        return spec
    if args.data is None:
        raise HistoryError(say("cli.history.no_data"))
    return Source(name=args.source, path=Path(args.data), unit=args.unit_column, period=args.period_column,
                  keys=list(args.keys or []))


def run_list(args: argparse.Namespace) -> int:
    from statguard.history import HistoryStore
    with HistoryStore(args.history, create=False) as store:
        subs = store.submissions(args.source, args.unit, args.period)
    if args.format == "json":
        _print(json.dumps([s.as_dict() for s in subs], ensure_ascii=False, indent=2), args, subs=subs)
        return EXIT_OK
    if not subs:
        print(say("cli.history.no_versions_matching" if args.source or args.unit or args.period
                  else "cli.history.no_versions"))
        return EXIT_OK
    rows = [[f"#{s.id}", s.source, s.unit or "-", s.period or "-", f"v{s.version}", s.received[:19].replace("T", " "),
             str(s.row_count), s.content_hash[7:19], s.reason or ""] for s in subs]
    names = ["id", "source", "unit", "period", "version", "received", "rows", "hash", "reason"]
    _print(table([say(f"cli.history.col.{n}") for n in names], rows), args, subs=subs)
    return EXIT_OK


def resolve(store: Any, ref: str, args: argparse.Namespace) -> Any:
    """A submission from an id ('12', '#12') or, with --source, a version ('3', 'v3')."""
    text = ref.strip().lstrip("#")
    if args.source:
        number = text[1:] if text[:1] in "vV" else text
        if not number.isdigit():
            raise HistoryError(say("cli.history.not_version", ref=ref))
        return store.find(args.source, *_sequence(store, args), int(number))
    if not text.isdigit():
        raise HistoryError(say("cli.history.not_id", ref=ref))
    return store.submission(int(text))


def _sequence(store: Any, args: argparse.Namespace) -> tuple[str, str]:
    """The (unit, period) meant by --unit/--period, when only one sequence fits."""
    subs = store.submissions(args.source, args.unit, args.period)
    seqs = sorted({(s.unit, s.period) for s in subs})
    if len(seqs) == 1:
        return seqs[0]
    if not seqs:
        raise HistoryError(say("cli.history.nothing", source=args.source,
                               unit=say("cli.history.nothing_unit", unit=args.unit) if args.unit else "",
                               period=say("cli.history.nothing_period", period=args.period) if args.period else ""))
    options = "; ".join(f"--unit '{u}' --period '{p}'" for u, p in seqs[:8])
    raise HistoryError(say("cli.history.several", source=args.source, options=options))


def run_show(args: argparse.Namespace) -> int:
    from statguard.history import HistoryStore
    with HistoryStore(args.history, create=False) as store:
        sub = resolve(store, args.ref, args)
        rows = store.rows(sub.id)
    if args.format == "json":
        _print(json.dumps({**sub.as_dict(), "rows": rows}, ensure_ascii=False, indent=2), args, rows, [sub])
        return EXIT_OK
    if args.format == "csv":
        import csv
        import io
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=sub.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        _print(out.getvalue(), args, rows, [sub], end="")
        return EXIT_OK
    shown = rows[: max(args.rows, 0)]
    lines = [f"{sub.label()}  (#{sub.id})",
             say("cli.history.show_head", received=sub.received, rows=sub.row_count, hash=sub.content_hash),
             say("cli.history.show_reason", reason=sub.reason or say("cli.history.no_reason"),
                 keys=", ".join(sub.keys) or say("cli.history.none")),
             table(sub.columns, [[_cell(r.get(c)) for c in sub.columns] for r in shown])]
    if len(rows) > len(shown):
        lines.append(say("cli.history.more_rows", n=len(rows) - len(shown)))
    _print("\n".join(lines), args, shown, [sub])
    return EXIT_OK


def run_diff(args: argparse.Namespace) -> int:
    from statguard.history import HistoryStore
    from statguard.history.diff import diff
    with HistoryStore(args.history, create=False) as store:
        result = diff(store, resolve(store, args.old, args), resolve(store, args.new, args), args.keys)
    text = json.dumps(result.as_dict(), ensure_ascii=False, indent=2) if args.format == "json" else render_diff(result)
    records = [*result.added, *result.removed, *(c.key for c in result.changed)]
    records += [{cell.column: v} for c in result.changed for cell in c.cells for v in (cell.old, cell.new)]
    _print(text, args, records, [result.old, result.new])
    return EXIT_OK if result.identical else EXIT_VIOLATIONS


def _print(text: str, args: argparse.Namespace, records: Any = (), subs: Any = (), end: str = "\n",
           file: Any = None, pack: Any = None) -> None:
    """Print `text` with personal values masked unless --show-pii (statguard.report.masking): identity
    and mobile numbers wherever they stand, and the values of the pack's pii: columns in `records`
    (dicts of column -> value) and the units of `subs` (submissions) whose unit column is one."""
    if not getattr(args, "show_pii", False):
        from statguard.report.masking import Masker, mask, mask_free_text
        reals: dict[str, str] = {}
        if pack is None and getattr(args, "pack", None):
            from statguard.load import load_pack
            pack = _PACKS[args.pack] = _PACKS.get(args.pack) or load_pack(args.pack)
        masker = Masker.of(pack) if pack is not None else _remembered(args)
        if masker is not None:
            for record in records:
                masker.record(record, reals)
            for sub in subs:
                how = masker.unit_how([sub.source])
                if how and sub.unit is not None:
                    reals[str(sub.unit)] = mask(sub.unit, how)
        text = mask_free_text(text, reals)
    print(text, end=end, file=file)


def _remembered(args: argparse.Namespace) -> Any:
    """Without --pack, a masker of the personal columns the packs that recorded the store's
    versions declared (HistoryStore.remember_personal); None when they declared none."""
    path = getattr(args, "history", None)
    if path not in _REMEMBERED:
        from statguard.history.store import HistoryStore
        from statguard.report.masking import Masker
        try:
            with HistoryStore(path, create=False) as store:
                kept = store.personal()
        except Exception:  # no store (yet): nothing remembered
            kept = {}
        columns = {c: how for cols, _ in kept.values() for c, how in cols.items()}
        units = {source: how for source, (_, how) in kept.items() if how}
        _REMEMBERED[path] = Masker(columns, units) if columns else None
    return _REMEMBERED[path]


def render_diff(d: Any) -> str:
    lines = [say("cli.history.diff_head", old=d.old.label(), old_id=d.old.id, old_rows=d.old.row_count,
                 version=d.new.version, new_id=d.new.id, new_rows=d.new.row_count)]
    lines.append(say("cli.history.diff_reason", version=d.new.version,
                     reason=d.new.reason or say("cli.history.no_reason")))
    if d.identical:
        lines.append(say("cli.history.no_differences"))
        return "\n".join(lines)
    for key, cols in (("cli.history.columns_added", d.columns_added), ("cli.history.columns_removed",
                                                                       d.columns_removed)):
        if cols:
            lines.append(say(key, columns=", ".join(cols)))
    lines.append(say("cli.history.diff_counts", added=len(d.added), removed=len(d.removed), changed=len(d.changed),
                     unchanged=d.unchanged_rows, keys=", ".join(d.keys) or say("cli.history.whole_rows")))
    lines += [f"+ {_row_text(r)}" for r in d.added]
    lines += [f"- {_row_text(r)}" for r in d.removed]
    for change in d.changed:
        cells = "; ".join(f"{c.column}: {_cell(c.old)} -> {_cell(c.new)}" for c in change.cells)
        lines.append(f"~ {_row_text(change.key)}: {cells}")
    return "\n".join(lines)


def run_verify(args: argparse.Namespace) -> int:
    from statguard.history import HistoryStore
    with HistoryStore(args.history, create=False) as store:
        problems = store.verify()
        count = len(store.submissions())
    for p in problems:
        print(p)
    print(say("cli.history.verify_problems", path=store.path, n=count, problems=len(problems)) if problems
          else say("cli.history.verified", path=store.path, n=count), file=sys.stderr)
    return EXIT_VIOLATIONS if problems else EXIT_OK


# -- text helpers --------------------------------------------------------------
def _cell(value: Any) -> str:
    return "NULL" if value is None else str(value)


def _row_text(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_cell(v)}" for k, v in row.items())


def _width(text: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned table; wide (CJK) characters count as two columns."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def record_checked(args: argparse.Namespace, pack: Any) -> list[Any]:
    """`check --record`: record the data of every source the chosen rules read, before they run.

    Recording first means rules reading the history (revisions) see this submission too.
    `--history PATH` also tells those rules which store to read. Returns what was recorded
    (the run's explanations are recorded as answering these versions).
    """
    import os

    if args.history:
        from statguard.history import ENV_VAR
        os.environ[ENV_VAR] = args.history
    if not args.record:
        return []  # a plain check does not load the history store
    from statguard.api import select_rules
    from statguard.cli.common import parse_sources
    from statguard.history import HistoryStore
    from statguard.history.capture import HISTORY_PREFIX, record_source
    given = parse_sources(args.source)
    names: dict[str, None] = {}
    for rule in select_rules(pack, args.rules, args.tags):
        for name in rule.sources:
            name = name.removeprefix(HISTORY_PREFIX)
            if name in pack.sources and (name in given or pack.sources[name].path is not None):
                names[name] = None
    recorded = []
    with HistoryStore(args.history) as store:
        for name in names:
            for result in record_source(store, pack.sources[name], given.get(name), reason=args.reason):
                _print(describe_recorded(result), args, subs=[result.submission], file=sys.stderr, pack=pack)
                recorded.append(result)
    return recorded
