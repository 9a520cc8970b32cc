"""Built-in messages, labels and headings in Chinese and English.

Every text statguard itself writes into a report (headings, column names,
verdicts, severities) is looked up here by key, so both languages always
exist for all of them (a test checks the catalogue is complete). Messages of
rules come from rule authors and may be given per language in the pack
(see statguard.templates).

The language is chosen in this order: the explicit `--lang`, the pack's
`pack: lang:`, the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE), English.

Errors raised deep inside (a pack's problems, a source that cannot be read, the command
line's own messages) use `say(key)`: the language `speaking(lang)` set around the work
(the CLI sets it for a whole command, load_pack for a pack), English outside any.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

LANGS = ("zh", "en")
DEFAULT_LANG = "en"
_SPEAKING: ContextVar[str | None] = ContextVar("statguard_lang", default=None)

CATALOGUE: dict[str, dict[str, str]] = {
    # verdicts and severities
    "verdict.fail": {"en": "FAIL", "zh": "不通过"},
    "verdict.warn": {"en": "WARN", "zh": "有警告"},
    "verdict.pass": {"en": "PASS", "zh": "通过"},
    "verdict.error": {"en": "INCOMPLETE", "zh": "核查未完成"},
    "verdict.unjudged": {"en": "NOTHING JUDGED", "zh": "均无法判断"},
    "severity.error": {"en": "error", "zh": "错误"},
    "severity.warning": {"en": "warning", "zh": "警告"},
    "severity.info": {"en": "info", "zh": "提示"},
    "severity.never": {"en": "never (report only)", "zh": "不判定（仅报告）"},
    "status.ok": {"en": "ok", "zh": "通过"},
    "status.fail": {"en": "fail", "zh": "不通过"},
    "status.error": {"en": "ERROR", "zh": "出错"},
    "status.skipped": {"en": "skipped", "zh": "未运行"},
    "skipped_line": {"en": "{n} rule(s) skipped: optional sources not given",
                     "zh": "{n} 条规则未运行：可选数据源未提供"},
    "h.skipped": {"en": "Rules skipped", "zh": "未运行的规则"},
    "skipped_note": {"en": "not run: optional source {sources} not given", "zh": "未运行：未提供可选数据源 {sources}"},
    "status.empty": {"en": "nothing checked", "zh": "未核查任何项"},
    "h.empty": {"en": "Rules that checked nothing", "zh": "未核查任何项的规则"},
    "no_records_note": {"en": "evaluated 0 items: source {sources} holds no records (a header alone?)",
                        "zh": "核查了 0 项：数据源 {sources} 没有任何记录（只有表头？）"},
    "no_items_note": {"en": "evaluated 0 items: nothing was checked (its where, by, mode or sources leave no record "
                            "or group to compare)",
                      "zh": "核查了 0 项：没有核查任何内容（其 where、by、mode 或数据源没有留下可比较的记录或分组）"},
    # headline sentences
    "title": {"en": "statguard report", "zh": "statguard 数据核查报告"},
    "pack_line": {"en": "statguard: pack '{pack}'", "zh": "statguard：规则包「{pack}」"},
    "counts_line": {"en": "{errors} errors, {warnings} warnings, {info} info",
                    "zh": "错误 {errors} 条，警告 {warnings} 条，提示 {info} 条"},
    "errored_line": {"en": "{n} rule(s) could not run", "zh": "{n} 条规则未能运行"},
    "unevaluable_line": {"en": "{n} item(s) not evaluable in {rules} rule(s)",
                         "zh": "{rules} 条规则中有 {n} 项无法判断"},
    "fail_on_line": {"en": "fails on: {level}", "zh": "判定不通过的最低级别：{level}"},
    "first_violations": {"en": "First violations (of {n}):", "zh": "前几条问题（共 {n} 条）："},
    "worst_units": {"en": "Units with most violations:", "zh": "问题最多的单位："},
    "more_rows": {"en": "... and {n} more", "zh": "……另有 {n} 条"},
    "more_violations": {"en": "... {n} more not shown here; all of them: -o report.html, -o report.xlsx "
                              "or -o report.csv",
                        "zh": "……另有 {n} 条未在此列出；查看全部：-o report.html、-o report.xlsx 或 -o report.csv"},
    "generated": {"en": "Run {started} in {seconds} s by statguard {version}",
                  "zh": "运行于 {started}，用时 {seconds} 秒，statguard {version}"},
    "no_violations": {"en": "No violations.", "zh": "没有发现问题。"},
    "no_violations_incomplete": {
        "en": "No violations among the rules that ran, but {n} rule(s) could not run: the data is not fully checked.",
        "zh": "已运行的规则没有发现问题，但有 {n} 条规则未能运行：数据未核查完整。"},
    "cli.errored": {"en": "{n} rule(s) could not run: {rules}", "zh": "{n} 条规则未能运行：{rules}"},
    "outputs": {"en": "Files written:", "zh": "输出文件："},
    "output_sample": {"en": "{rule}: sample of {sample} from {frame} records (seed {seed}): {files}",
                      "zh": "{rule}：从 {frame} 条记录中抽取 {sample} 条（种子 {seed}）：{files}"},
    "output_files": {"en": "{rule}: {files}", "zh": "{rule}：{files}"},
    "rule_not_run": {"en": "rule could not run: {error}", "zh": "规则未能运行：{error}"},
    "n_violations": {"en": "{n} violation(s) of severity {severity}", "zh": "{n} 条{severity}级问题"},
    # column names
    "col.rule": {"en": "rule", "zh": "规则"},
    "col.kind": {"en": "kind", "zh": "类型"},
    "col.severity": {"en": "severity", "zh": "级别"},
    "col.description": {"en": "description", "zh": "说明"},
    "col.source": {"en": "source", "zh": "数据源"},
    "col.sources": {"en": "sources", "zh": "数据源"},
    "col.items": {"en": "items", "zh": "检查项"},
    "col.passes": {"en": "pass", "zh": "通过"},
    "col.fails": {"en": "fail", "zh": "不通过"},
    "col.not_evaluable": {"en": "n/a", "zh": "无法判断"},
    "col.errored": {"en": "errored", "zh": "出错"},
    "col.error": {"en": "error text", "zh": "出错原因"},
    "col.seconds": {"en": "seconds", "zh": "用时（秒）"},
    "col.status": {"en": "status", "zh": "状态"},
    "col.unit": {"en": "unit", "zh": "报送单位"},
    "col.period": {"en": "period", "zh": "期别"},
    "col.keys": {"en": "keys", "zh": "主键"},
    "col.values": {"en": "values", "zh": "相关数值"},
    "col.observed": {"en": "observed", "zh": "实际值"},
    # "expected" is what a consistency rule says the figure should be, and a plausibility rule's reference
    # (a bound, the peers' median, the first version): 参照值 is true of both in a table mixing kinds
    "col.expected": {"en": "expected", "zh": "参照值"},
    "col.imbalance": {"en": "imbalance", "zh": "差额"},
    "col.detail": {"en": "detail", "zh": "详情"},
    "col.message": {"en": "message", "zh": "问题说明"},
    "col.explanation": {"en": "explanation", "zh": "情况说明"},
    "col.explained_by": {"en": "explained by", "zh": "说明人"},
    "col.violations": {"en": "violations", "zh": "问题数"},
    "col.rules_failed": {"en": "rules failed", "zh": "未通过的规则"},
    "col.total": {"en": "total", "zh": "合计"},
    "col.value": {"en": "value", "zh": "值"},
    "col.name": {"en": "name", "zh": "名称"},
    # section headings
    "h.summary": {"en": "Summary", "zh": "概况"},
    "h.rules": {"en": "Rules", "zh": "规则"},
    "h.units": {"en": "Units", "zh": "报送单位"},
    "h.violations": {"en": "Violations", "zh": "问题明细"},
    "h.charts": {"en": "Charts", "zh": "图表"},
    "h.heatmap": {"en": "Violations by unit and rule", "zh": "各单位各规则问题数"},
    "h.coverage": {"en": "Claimed vs verified rate by unit", "zh": "各单位上报比率与核实比率"},
    "h.revisions": {"en": "Revisions across versions", "zh": "各版本数值变化"},
    "h.digits": {"en": "Leading digits of observed values", "zh": "实际值首位数字分布"},
    "h.errored": {"en": "Rules that could not run", "zh": "未能运行的规则"},
    # scorecards (statguard.scorecard)
    "h.scorecard": {"en": "Unit scorecard", "zh": "报送单位可信度评分"},
    "h.escalation": {"en": "Escalation: failing in each of the last {k} or more periods",
                     "zh": "督办名单：连续 {k} 期及以上未通过"},
    "h.escalation_sheet": {"en": "Escalation", "zh": "督办名单"},
    "h.trend": {"en": "Score per period", "zh": "各期得分"},
    "scorecard_line": {"en": "Score {base} less {error} per error, {warning} per warning, {info} per info",
                       "zh": "满分 {base}，每条错误扣 {error} 分，每条警告扣 {warning} 分，每条提示扣 {info} 分"},
    "no_escalation": {"en": "No unit failed in each of the last {k} periods.",
                      "zh": "没有连续 {k} 期未通过的单位。"},
    "col.score": {"en": "score", "zh": "得分"},
    "col.rank": {"en": "rank in group", "zh": "组内排名"},
    "col.group": {"en": "peer group", "zh": "分组"},
    "col.streak": {"en": "periods failing", "zh": "连续未通过期数"},
    "col.since": {"en": "since", "zh": "起始期别"},
    "col.until": {"en": "until", "zh": "截止期别"},
    "col.change": {"en": "change", "zh": "变化"},
    "col.failing": {"en": "status", "zh": "状态"},
    # the scorecard on a terminal (statguard.report.scorecard_text): short, to fit 80 columns
    "sc.headline": {"en": "Scorecard: {n} units, worst first; score {base} - {error}/error - {warning}/warning"
                          " - {info}/info",
                    "zh": "可信度评分：{n} 个单位，最差的在前；满分 {base}，每条错误扣 {error}，警告扣 {warning}，"
                          "提示扣 {info}"},
    "sc.rule_weights": {"en": "Rule weights: {weights}", "zh": "按规则扣分：{weights}"},
    "sc.no_units": {"en": "no reporting units found (no source declares a unit column)",
                    "zh": "没有报送单位（没有数据源声明单位列）"},
    "sc.more_units": {"en": "... {n} more units (all in --format json or csv)",
                      "zh": "……另有 {n} 个单位（全部见 --format json 或 csv）"},
    "sc.col.rank": {"en": "rank", "zh": "排名"},
    "sc.col.error": {"en": "err", "zh": "错误"},
    "sc.col.warning": {"en": "warn", "zh": "警告"},
    "sc.col.info": {"en": "info", "zh": "提示"},
    "sc.escalation": {"en": "Escalation: {n} unit(s) failed in each of the last {k} or more periods",
                      "zh": "督办名单：{n} 个单位连续 {k} 期及以上未通过"},
    "sc.no_escalation": {"en": "Escalation: no unit failed in each of the last {k} periods",
                         "zh": "督办名单：没有连续 {k} 期未通过的单位"},
    "sc.group": {"en": " ({group})", "zh": "（{group}）"},
    "sc.escalated": {"en": "{unit}{group}: {streak} periods {since}..{until}, score {score}, rules {rules}",
                     "zh": "{unit}{group}：连续 {streak} 期 {since}..{until}，得分 {score}，未通过规则 {rules}"},
    "sc.trend": {"en": "Score per period (last {n}; * = failing):", "zh": "各期得分（最近 {n} 期；* 表示未通过）："},
    # chart and table widgets
    "chart.claimed": {"en": "claimed", "zh": "上报"},
    "chart.verified": {"en": "verified", "zh": "核实"},
    "chart.benford": {"en": "Benford's law", "zh": "本福特定律"},
    "chart.version": {"en": "version", "zh": "版本"},
    "chart.top_shown": {"en": "showing the {n} worst units", "zh": "仅显示问题最多的 {n} 个单位"},
    "ui.filter": {"en": "Filter…", "zh": "筛选…"},
    "ui.all_severities": {"en": "all severities", "zh": "全部级别"},
    "ui.all_rules": {"en": "all rules", "zh": "全部规则"},
    "ui.page": {"en": "{from}–{to} of {n}", "zh": "第 {from}–{to} 条，共 {n} 条"},
    "ui.prev": {"en": "‹ previous", "zh": "‹ 上一页"},
    "ui.next": {"en": "next ›", "zh": "下一页 ›"},
    "ui.per_page": {"en": "per page", "zh": "每页"},
    "ui.none": {"en": "nothing to show", "zh": "没有内容"},
    "ui.sort_hint": {"en": "click a column heading to sort", "zh": "点击列标题排序"},
    # summary fields (xlsx summary sheet, markdown)
    "f.pack": {"en": "pack", "zh": "规则包"},
    "f.verdict": {"en": "verdict", "zh": "结论"},
    "f.started": {"en": "started", "zh": "开始时间"},
    "f.seconds": {"en": "seconds", "zh": "用时（秒）"},
    "f.version": {"en": "statguard version", "zh": "statguard 版本"},
    "f.fail_on": {"en": "fails on", "zh": "判定不通过的最低级别"},
    "f.rules_run": {"en": "rules run", "zh": "运行的规则数"},
    "f.rules_failed": {"en": "rules with violations", "zh": "有问题的规则数"},
    "f.units": {"en": "units with violations", "zh": "有问题的单位数"},
    "f.truncated": {"en": "rows not shown (sheet limit)", "zh": "未列出的行（超出表格上限）"},
    # default violation message parts (statguard.engine.violations)
    "msg.observed": {"en": "observed {observed}", "zh": "实际值 {observed}"},
    "msg.expected": {"en": "expected {expected}", "zh": "应有值 {expected}"},
    "msg.imbalance": {"en": "imbalance {imbalance}", "zh": "差额 {imbalance}"},
    "msg.sep": {"en": ", ", "zh": "，"},
    **{f"{part}.{name}.{kind}": {"en": en + (" {" + name + "}" if part == "msg" else ""),
                                  "zh": zh + (" {" + name + "}" if part == "msg" else "")}
       for kind, words in {
           # what observed, expected and imbalance are for the kinds where "expected" is no figure the unit
           # should have reported (a default message said 应有值 45 of a zone's first, lowest version)
           "revisions": {"observed": ("latest", "最新值"), "expected": ("first reported", "首次报送值"),
                         "imbalance": ("revised by", "累计修订")},
           "digits": {"observed": ("statistic", "检验值"), "expected": ("limit", "上限"),
                      "imbalance": ("over the limit by", "超出")},
           "smoothness": {"observed": ("spread", "离散程度"), "expected": ("reference", "参照值")},
           "outlier": {"expected": ("bound", "界限"), "imbalance": ("beyond it by", "超出")},
           "benchmark": {"expected": ("bound", "界限"), "imbalance": ("beyond it by", "超出")},
           "perfect": {"expected": ("reference", "参照值")},
           "revision_drift": {"observed": ("share", "占比"), "expected": ("peers' share", "同组占比")},
           "cumulative": {"expected": ("previous cumulative value", "上期累计值")},
       }.items() for name, (en, zh) in words.items() for part in ("msg", "col")},
    "msg.colon": {"en": ": ", "zh": "："},
}


# The names of the figures the rule kinds give a violation's `values` (`VAL + "claimed_rate"` in
# statguard/checks), as report headers and figure cells show them: English keeps the machine name
# (the same as JSON and CSV), Chinese the office's wording. The user's own columns are not here and are
# shown as they are. tests/test_catalogue_coverage.py scans the kinds for names lacking an entry.
FIGURE_NAMES: dict[str, str] = {
    # coverage
    "claimed_rate": "上报比率", "verified_rate": "核实比率", "matched": "核实人数", "total": "总数",
    "not_evaluable": "无法判断数", "gap": "差距",
    # dataset aggregate
    "failing": "不通过数", "group": "分组", "records": "记录数",
    # hierarchy, tolerances
    "children": "下级", "children_present": "已报下级", "tolerance": "容差",
    # benchmark
    "benchmark_peer_group": "参考同类组", "benchmark_scope": "参考范围", "citation": "出处", "low": "下限",
    "high": "上限", "lowest": "最小推算值", "lowest_from": "最小值来源", "highest": "最大推算值",
    "highest_from": "最大值来源", "spread": "倍差", "outside_pct": "超出比例", "value": "数值",
    "numerator": "分子", "denominator": "分母",
    # digits
    "n": "样本数", "units": "单位数", "mad": "平均绝对偏差", "mad_limit": "平均绝对偏差上限", "chi2": "卡方值",
    "chi2_critical": "卡方临界值", "digits": "数字", "min_n": "最少数值个数", "min_orders": "最少数量级跨度",
    "orders": "数量级跨度", "p5": "第 5 百分位数", "p95": "第 95 百分位数", "observed_distribution": "实际分布",
    "expected_distribution": "理论分布", "counts": "频数", "round_share": "整数尾数占比",
    "max_round_share": "整数尾数占比上限", "two_digit_share": "两位整数尾数占比", "excess_mad": "超出的平均绝对偏差",
    # outlier
    "comparison_period": "比较期", "comparison_value": "比较值", "comparison_version": "比较版本", "lower": "下界",
    "upper": "上界", "median": "中位数", "median_ratio": "中位数比值", "peers": "同类单位数", "ratio": "比值",
    "score_median": "得分中位数", "score_q1": "得分下四分位数", "score_q3": "得分上四分位数", "z": "标准分",
    # perfect
    "chance": "出现概率", "one_in": "约几次一遇", "common_periods": "共同期数",
    "comparable_periods": "可比期数", "equal_periods": "相同期数", "first": "首期", "last": "末期",
    "peer_group": "同类组", "peer_rate": "同类比率", "periods": "期数", "run_length": "连续期数", "runs": "连续段数",
    "twin": "雷同对象", "twins": "雷同对象数", "units_with_value": "报此数值的单位数", "values": "各版本数值",
    # smoothness
    "band": "区间", "differences": "差分", "growth": "增速", "growths": "增速个数", "median_growth": "增速中位数",
    "min_growths": "最少增速个数", "min_peers": "最少同类单位数", "min_series": "最少序列数",
    "peer_mad": "同类标准化 MAD",
    "peer_median": "同类中位数", "peer_rates": "同类比率", "peer_ratio": "同类比值", "pinned_periods": "固定期数",
    "rates": "比率", "ratio_bound": "比值界限", "relative_to": "相对于", "unit_ratio": "本单位比值",
    "unit_ratios": "本单位比值个数", "unit_series": "本单位序列数",
    # cumulative, sequence
    "previous_period": "上期", "previous_value": "上期数值", "first_missing": "首个缺报期",
    "last_missing": "末个缺报期",
    # revision drift
    "steps": "修订次数", "ups": "上调次数", "downs": "下调次数", "unchanged": "未变次数", "indicators": "指标",
    "months": "月份", "median_relative_step": "修订幅度中位数", "p_value": "p 值", "peer_downs": "同类下调次数",
    "peer_ups": "同类上调次数", "peer_spread": "同类所用离散度", "peer_steps": "同类修订次数",
    "peer_units": "同类单位数", "test": "检验",
    # revisions, unique
    "changes": "修订次数", "distinct_values": "不同取值", "largest_change": "最大修订幅度",
    "largest_relative_change": "最大相对修订幅度", "unexplained_changes": "未说明的修订", "versions": "版本数",
    # the problems of explanations (statguard.explain.match: the explanation's rule, text and author)
    "rule_id": "规则编号", "text": "说明内容", "author": "填写人",
    # a `min_failures` rule's habit, on an item of any kind (statguard.report.persistence)
    "failures": "不通过期数", "window": "统计期数", "failing_periods": "不通过的期别",
    "min_failures": "列为问题所需期数",
}
# the names each kind gives (the others in its `values` are the user's columns, which may be called
# "total" or "value" too): a kind's figure is translated only when it is one of its own
FIGURES_OF: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "aggregate": "failing group records",
    "benchmark": "benchmark_peer_group benchmark_scope citation denominator high highest highest_from "
        "implied_by_* low lowest lowest_from numerator outside_pct spread value",
    "coverage": "claimed_rate gap matched not_evaluable total verified_rate",
    "cumulative": "previous_period previous_value",
    "digits": "chi2 chi2_critical counts digits excess_mad expected_distribution mad mad_limit "
        "max_round_share min_n min_orders n observed_distribution orders p5 p95 round_share two_digit_share units",
    "growth": "comparison_period comparison_value comparison_version tolerance",
    "hierarchy": "children children_present tolerance",
    "outlier": "comparison_period comparison_value lower mad median median_ratio min_peers peers ratio score_median "
        "score_q1 score_q3 upper value z",
    "part_whole": "tolerance",
    "perfect": "chance common_periods comparable_periods denominator equal_periods first last numerator "
        "one_in peer_group peer_rate peers periods run_length runs twin twins units units_with_value value values",
    "revision_drift": "downs indicators median_relative_step months p_value peer_downs peer_group peer_mad "
        "peer_median peer_spread peer_steps peer_units peer_ups steps test unchanged ups z",
    "revisions": "changes distinct_values largest_change largest_relative_change unexplained_changes values versions",
    "row": "tolerance",
    "sequence": "first_missing last_missing",
    "smoothness": "band differences growth growths median_growth min_growths min_peers min_series peer_group "
        "peer_mad peer_median peer_rates peer_ratio peers pinned_periods rates ratio ratio_bound relative_to "
        "unit_ratio unit_ratios unit_series z",
    "unique": "distinct_values",
    "explanations": "author rule_id text",  # the pseudo-kind of explanation problems (statguard.explain.match)
}.items()}
# the figures `min_failures` adds to an item of any kind (statguard.report.persistence): statguard's own
# when the item has them all (a user's column called "window" alone stays as it is)
HABIT_FIGURES = frozenset({"failures", "window", "failing_periods", "min_failures"})
# names made of a fixed part and the user's column (VAL + f"implied_by_{figure}"): the fixed part, "{column}"
FIGURE_PATTERNS: dict[str, str] = {"implied_by_": "按{column}推算"}
CATALOGUE.update({f"figure.{name}": {"en": name, "zh": zh} for name, zh in FIGURE_NAMES.items()})
CATALOGUE.update({f"figure.{head}*": {"en": head + "{column}", "zh": zh} for head, zh in FIGURE_PATTERNS.items()})
# ... and the values of a kind's figures that are statguard's own words (digits' round-number classes,
# smoothness's growth and relative_to, revision_drift's test: the documented tokens): JSON and CSV keep the token,
# a reader sees it in the report's language (statguard.i18n.figure_value)
FIGURE_VALUES: dict[str, dict[str, str]] = {
    "digits": {"<=2 sig": "≤2 位有效数字", "0/5": "末位 0 或 5", "other": "其他"},
    "growth": {"mom": "环比", "yoy": "同比"},
    "relative_to": {"none": "序列自身", "peers": "同类组中位数"},
    "test": {"share": "占比检验", "count": "次数检验", "share, count": "占比检验和次数检验"},  # revision_drift's
}
CATALOGUE.update({f"figurevalue.{name}.{value}": {"en": value, "zh": zh}
                  for name, words in FIGURE_VALUES.items() for value, zh in words.items()})

# The names of the keys the rule kinds give a violation (`KEY + "column"`: which cell of a record, which
# record of a source without keys), as a report's headers and listings show them; like the figures, the
# user's own key columns are not here. A name is a kind's own only for the kinds listed for it.
KEY_NAMES: dict[str, str] = {"column": "字段", "row": "行号", "group": "分组", "indicator": "指标",
                             "value_column": "数值列", "test": "检验"}
KEYS_OF: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "schema": "column", "expectation": "column", "part_whole": "group", "benchmark": "indicator",
    "revisions": "indicator value_column", "coverage": "test"}.items()}
ANY_KIND_KEYS = frozenset({"row"})  # the record number of a source without keys or unit (checks.plan)
CATALOGUE.update({f"key.{name}": {"en": name, "zh": zh} for name, zh in KEY_NAMES.items()})
# a kind's own key whose heading a user's column (or a table's own column) already has (statguard.i18n.key_headers)
CATALOGUE["keyhead.twin"] = {"en": "{label} (from the rule)", "zh": "{label}（规则给出）"}
# ... and the values of those keys that are statguard's words (coverage's test: which threshold failed)
CATALOGUE.update({f"keyvalue.test.{value}": {"en": value, "zh": zh}
                  for value, zh in {"claimed": "上报比率", "min_rate": "最低核实率"}.items()})
CATALOGUE.update({
    "value.missing": {"en": "NA", "zh": "缺失"},  # a missing figure in a message (R's NA)
    "hint.did_you_mean": {"en": "; did you mean {names}?", "zh": "；是否想写 {names}？"},
    "hint.did_you_mean.aside": {"en": " (did you mean {names}?)", "zh": "（是否想写 {names}？）"},
})


def register(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add a module's own texts (e.g. a rule kind's `detail.<kind>.*` sentences) to the catalogue.

    Every entry must exist in every language; a key already present with other texts is a bug."""
    for key, entry in entries.items():
        if set(entry) != set(LANGS):
            raise ValueError(f"catalogue entry '{key}' needs exactly the languages {LANGS}")
        if key in CATALOGUE and CATALOGUE[key] != dict(entry):
            raise ValueError(f"catalogue entry '{key}' registered twice with different texts")
        CATALOGUE[key] = dict(entry)


def normalize(lang: str | None) -> str | None:
    """'zh_CN.UTF-8' -> 'zh', 'en-GB' -> 'en'; None for anything unknown."""
    if not lang:
        return None
    head = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return head if head in LANGS else None


def locale_lang(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name)
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return normalize(value.split(":")[0])
    return None


def resolve(explicit: str | None = None, pack_lang: str | None = None,
            environ: Mapping[str, str] | None = None) -> str:
    """The language to use: explicit choice, then the pack's, then the locale's, then English."""
    return normalize(explicit) or normalize(pack_lang) or locale_lang(environ) or DEFAULT_LANG


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled from `values`."""
    entry = CATALOGUE[key]
    text = entry.get(normalize(lang) or DEFAULT_LANG) or entry[DEFAULT_LANG]
    if values:
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
    return text


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """`say` and `spoken` give `lang` (zh or en) within the block; None keeps the language around it."""
    token = _SPEAKING.set(normalize(lang) or _SPEAKING.get())
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def spoken() -> str | None:
    """The language `speaking` set, None outside any (meaning English)."""
    return _SPEAKING.get()


def say(key: str, /, **values: object) -> str:
    """`t(key)` in the language `speaking` set (English outside any)."""
    return t(key, _SPEAKING.get(), **values)


def did_you_mean(name: object, candidates: Iterable[object], *, n: int = 3, aside: bool = False,
                 lang: str | None = None) -> str:
    """The hint after a name that is none of `candidates` ("; did you mean 'tolerance'?"), '' when
    nothing is close: the candidates that are the name once full-width letters read as ASCII and
    case is ignored (ＧＤＰ, gdp for GDP), else up to `n` spelt alike. `aside` for a hint inside a
    sentence (" (did you mean ...?)"); `lang` the language, else the one `speaking` set."""
    import difflib
    import unicodedata

    def folded(text: str) -> str:
        return unicodedata.normalize("NFKC", text).casefold()

    given = str(name)
    pool = [c for c in dict.fromkeys(map(str, candidates)) if c != given]
    close = [c for c in pool if folded(c) == folded(given)] or difflib.get_close_matches(given, pool, n=n)
    if not close:
        return ""
    key = "hint.did_you_mean.aside" if aside else "hint.did_you_mean"
    return t(key, lang if lang is not None else _SPEAKING.get(), names=", ".join(f"'{c}'" for c in close))


def severity(name: str, lang: str | None) -> str:
    key = f"severity.{name}"
    return t(key, lang) if key in CATALOGUE else name


def figure_word(part: str, name: str, kind: object, lang: str | None) -> str:
    """The word for figure `name` (observed, expected, imbalance) of a rule of `kind`, as a default
    message's part (`part` "msg", with its {name}) or a column heading ("col"): the kind's own where
    it has one (a revisions rule's expected is its first version), else the common one."""
    key = f"{part}.{name}.{kind}"
    return t(key if key in CATALOGUE else f"{part}.{name}", lang)


def labels(lang: str | None, prefix: str) -> dict[str, str]:
    """All texts under `prefix.` as {rest-of-key: text}, e.g. labels(lang, 'col')."""
    start = prefix + "."
    return {k[len(start):]: t(k, lang) for k in CATALOGUE if k.startswith(start)}


def figure_label(name: str, lang: str | None, kind: str | None = None, names: Iterable[str] = ()) -> str:
    """A violation's figure name as a reader sees it: statguard's own names (`claimed_rate`) in the
    reader's language (上报比率), the user's own columns (营业收入) as they are. Given the violation's
    `kind`, only the names that kind gives are statguard's (FIGURES_OF): a part_whole rule's column
    "total" stays "total"; without it, every name in the catalogue is. `names`: all the figure names
    of the item (or of the table column's items), which tell a `min_failures` habit's figures
    (HABIT_FIGURES, all of them present) from a user's column that happens to share a name."""
    own = FIGURES_OF.get(str(kind), frozenset()) if kind is not None else None
    if own is not None and name in HABIT_FIGURES and set(names) >= HABIT_FIGURES:
        own = own | HABIT_FIGURES
    if own is not None and name not in own and not any(name.startswith(h) and h + "*" in own for h in FIGURE_PATTERNS):
        return name
    key = f"figure.{name}"
    if key in CATALOGUE:
        return t(key, lang)
    for head in FIGURE_PATTERNS:
        if name.startswith(head) and len(name) > len(head):
            return t(f"figure.{head}*", lang, column=name[len(head):])
    return name


def figure_value(name: str, value: Any, lang: str | None, kind: str | None) -> Any:
    """A figure's value as a reader sees it: the words statguard puts in its own figures (smoothness's
    growth 'mom') in the reader's language (环比), every other value (numbers, the user's texts) as it is."""
    key = f"figurevalue.{name}.{value}"
    if type(value) is str and key in CATALOGUE and name in FIGURES_OF.get(str(kind), ()):
        return t(key, lang)
    return value


def key_value(name: str, value: str, lang: str | None, kinds: Iterable[object]) -> str:
    """A key's value as a reader sees it: the kinds' own words (coverage's test 'claimed') in the
    reader's language (上报比率), every other value as it is."""
    key = f"keyvalue.{name}.{value}"
    return t(key, lang) if key in CATALOGUE and _kinds_own(name, kinds) else value


def key_label(name: str, lang: str | None, kinds: Iterable[object]) -> str:
    """A violation's key name as a reader sees it: the kinds' own names (`column`) in the reader's
    language (字段), the user's key columns as they are. `kinds`: the kinds of the violations the
    key is shown for (a table's column serves several); the name is translated only when it is
    every one's own."""
    if not _kinds_own(name, kinds):
        return name
    return t(f"key.{name}", lang) if f"key.{name}" in CATALOGUE else name


def key_headers(names: Sequence[str], lang: str | None, keyed: Iterable[tuple[Any, Any]],
                taken: Iterable[str] = ()) -> list[str]:
    """The headings of a table's key columns `names`, judged by its rows' (keys, kind) as key_label
    does, each one different: a kind's own key (revisions' `indicator`, 指标) whose heading a user's key
    column or one of the table's own headings `taken` already has is said to come from the rule
    (指标（规则给出）), so that a sheet filtered or pivoted on 指标 gets the user's column only.
    The user's columns keep their names."""
    rows = list(keyed)
    kinds = {name: {kind for keys, kind in rows if isinstance(keys, dict) and name in keys} for name in names}
    labels = [key_label(name, lang, kinds[name]) for name in names]
    own = [_kinds_own(name, kinds[name]) for name in names]
    users = {label for label, is_own in zip(labels, own, strict=True) if not is_own} | set(taken)
    return [t("keyhead.twin", lang, label=label) if is_own and label in users else label
            for label, is_own in zip(labels, own, strict=True)]


def _kinds_own(name: str, kinds: Iterable[object]) -> bool:
    """Whether key `name` is the own key of every one of `kinds` (and there is one)."""
    shown = [str(k) for k in kinds]
    return bool(shown) and all(name in ANY_KIND_KEYS or name in KEYS_OF.get(k, ()) for k in shown)
