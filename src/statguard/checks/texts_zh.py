"""Chinese for parameter descriptions that several rule kinds share word for word.

Each entry keeps the English it translates (statguard.checks.texts): it applies
to every parameter whose description is exactly that English, in any kind.
"""

from statguard.checks.rounding import DecimalsTable
from statguard.i18n import register

COMMON = {
    "where.checked": {"en": "Only records for which this is true are checked.",
                      "zh": "只检查满足此条件的记录。"},
    "where.used": {"en": "Only records for which this is true are used.",
                   "zh": "只使用满足此条件的记录。"},
    "source.checked": {"en": "Name of the source whose records are checked.",
                       "zh": "被检查记录所在数据源的名称。"},
    "source.long": {"en": "Source of long-format figures: one row per unit, period, indicator and value.",
                    "zh": "长格式数据的数据源：每个单位、期别、指标一行，附数值。"},
    "value.figure": {"en": "Column holding the figure.", "zh": "存放数值的列。"},
    "unit.reporting": {"en": "Column naming the reporting unit (default: the source's unit).",
                       "zh": "标明报送单位的列（默认：数据源声明的单位列）。"},
    "period.naming": {"en": "Column naming the period (default: the source's period).",
                      "zh": "标明期别的列（默认：数据源声明的期别列）。"},
    "period.column": {"en": "Period column (default: the source's period).",
                      "zh": "期别列（默认：数据源声明的期别列）。"},
    "indicator": {"en": "Column naming the indicator (default: `indicator` when the source has it; "
                        "without one the whole source is one indicator).",
                  "zh": "标明指标的列（默认：数据源有 `indicator` 列时用它；没有指标列时，整个数据源视为一个指标）。"},
    "peer_group": {"en": "Column naming the unit's peer group (default: `peer_group` when the source has it; "
                         "without one all units are peers).",
                   "zh": "标明单位所属同类组的列（默认：数据源有 `peer_group` 列时用它；没有时，所有单位互为同类）。"},
    "source.backed": {"en": "Source A: the records that must be backed (e.g. claims).",
                      "zh": "数据源 A：需要有佐证的记录（如申领记录）。"},
    "other.backing": {"en": "Source B: the records that back them (e.g. contribution records).",
                      "zh": "数据源 B：作为佐证的记录（如缴费记录）。"},
    "match.keys": {"en": "Key columns matching records of `source` with records of `other`: a list of names common "
                         "to both, or a mapping {column of source: column of other} when names differ.",
                   "zh": "将 `source` 的记录与 `other` 的记录对应起来的关键列：两边同名时列出列名，"
                         "不同名时写成映射 {source 的列: other 的列}。"},
    "other_where.match": {"en": "Only records of `other` for which this is true can match.",
                          "zh": "`other` 中只有满足此条件的记录才参与匹配。"},
    "window": {"en": "Optional time window {date, other_date, start, end, unit}: B's `other_date` must fall in "
                     "[A's `date` + start, A's `date` + end), start and end in units of day, month (default) or "
                     "year. Dates, or periods as text such as '2024-03' or '2024年3月' (a month stands for its "
                     "first day).",
               "zh": "可选的时间窗口 {date, other_date, start, end, unit}：B 的 `other_date` 须落在 "
                     "[A 的 `date` + start, A 的 `date` + end) 之内，start 和 end 以日、月（默认）或年计。"
                     "可以是日期，也可以是文本形式的期别，如 '2024-03' 或 '2024年3月'（月份按当月第一天计）。"},
    "keys.report": {"en": "Columns identifying a record in the report (default: the source's keys).",
                    "zh": "在报告中用来标识一条记录的列（默认：数据源的主键）。"},
    "by.series": {"en": "Columns identifying a series (default: the source's keys without the period, else its unit).",
                  "zh": "标识一个序列的列（默认：数据源的主键去掉期别列，没有主键时用单位列）。"},
    "by.groups": {"en": "Columns or expressions of a record's values (such as substr(period, 1, 4)) whose values "
                        "form the groups; the statistics in expr (median(x), mean(x), ...) are computed per group. "
                        "Default: one group of all records in scope.",
                  "zh": "用记录的列或表达式（如 substr(period, 1, 4)）的取值分组；expr 中的统计量"
                        "（median(x)、mean(x) 等）按组计算。默认：检查范围内的全部记录为一组。"},
    "decimals": {"en": "With tolerance: reported, the decimals of the figures when not taken from the text: one "
                       "number for all, column -> number of decimals (others keep their text's), or a table of "
                       "decimals per code, {source: indicators, code: indicator, decimals: decimals} (codes it "
                       "lacks keep their text's).",
                 "zh": "与 tolerance: reported 配合：不按数值文本判断时各数值的小数位数。可写一个数（全部适用），"
                       "列 -> 小数位数（其他列仍按文本），或按代码给出小数位数的表 "
                       "{source: indicators, code: indicator, decimals: decimals}（表中没有的代码仍按文本）。"},
    "indicators.exempt": {"en": "Source declaring each indicator's kind (flow | stock | rate | part), by name "
                                "(columns indicator and kind) or as {source, indicator, kind}: series of the "
                                "exempt kinds are left out.",
                          "zh": "声明各指标类型（flow 流量 | stock 存量 | rate 比率 | part 分项）的数据源，"
                                "写数据源名（列为 indicator 和 kind）或 {source, indicator, kind}："
                                "豁免类型的序列不参与检查。"},
}
register({f"param.common.{name}": entry for name, entry in COMMON.items()})

# registered by statguard.checks.texts (register_models), which fills their common texts from COMMON
MODELS = {
    DecimalsTable: {
        "": "各代码（指标）小数位数的声明位置：一张如 `indicators` 的表。",
        "source": "每个代码一行的数据源（如标准的 `indicators` 指标表）。",
        "code": "表中存放代码（指标）的列。",
        "decimals": "表中存放该代码数值小数位数的列。",
        "column": "规则所查数据源中存放每条记录代码的列（默认：hierarchy 用其 `code`，growth 用与 `code` 同名的列；"
                  "row 和 part_whole 按列名查找每个数值）。",
    },
}
