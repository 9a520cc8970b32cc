"""Chinese summaries and parameter texts of the cross-source kinds (statguard.checks.texts)."""

from statguard.checks.cross_source import complete, exists, reconcile, sample  # noqa: F401  (kinds first)
from statguard.checks.cross_source._match import Window
from statguard.checks.cross_source.coverage import Claimed
from statguard.checks.texts import register_kinds, register_models

register_kinds({
    "complete": {
        "summary": "每个应报单位（给出期别时按期别）都报送了记录。",
        "source": "存放已报送记录的数据源。",
        "unit": "`source` 中标明报送单位的列（默认：数据源声明的单位列）；也可以是多列："
                "此时应报的是键值组合，取自列数相同的代码表。",
        "codes": "列出全部应报单位（或键值组合）的代码表数据源。",
        "code_column": "`codes` 中存放单位代码的列，顺序与 `unit` 对应（默认：与 `unit` 同名）。",
        "codes_where": "只有满足此条件的代码才是应报的。",
        "expected": "直接列出的应报单位（代替 `codes`）。",
        "period": "`source` 中存放期别的列；给出时，每个期别都应有每个单位的记录。",
        "periods": "应报的期别（默认：数据源中出现的期别）。",
        "by": "把 `source` 分组的列或表达式（如 measure、substr(period, 1, 4)）："
              "数据源中出现的每一组都应有每个应报单位（及期别）的记录。",
        "where": "`source` 中只有满足此条件的记录才计入。",
        "unexpected": "不在应报范围内却报送了记录的单位或期别是否算问题。",
    },
    "coverage": {
        "summary": "按单位计算数据源记录中有另一数据源佐证的比例，与阈值或单位自报的比率比较。",
        "where": "`source` 中只统计满足此条件的记录。",
        "by": "把 `source` 的记录归到各单位的列（默认：数据源的单位列）。",
        "min_rate": "可接受的最低核实比率，单位为百分比。",
        "claimed": "各单位自报的比率：{source, rate, match, scale}，依次为每个单位一条比率的数据源、"
                   "比率列、分组列与其列的对应（默认：同名列）、百分比还是小数。",
        "tolerance": "自报比率与核实比率之间允许的差距，单位为百分点。",
        "two_sided": "核实比率高出自报比率超过容差的单位也判为不通过（默认：只有多报的不通过）。",
    },
    "exists": {
        "summary": "数据源的每条记录在另一数据源中至少有一条相匹配的记录。",
        "where": "`source` 中只检查满足此条件的记录。",
        "keys": "报告中标识 `source` 一条记录的列（默认：数据源的主键，没有时用 `match` 的关键列）。",
        "matches": "`source` 的一条记录在 `other` 中应有几条匹配记录：any（至少一条，默认）、"
                   "one（恰好一条，如每户一名户主）或 none（不得有，如 `other` 为禁止出现的键值表）。",
        "patterns": "`other` 的关键列是否存放用来匹配 `source` 键值的模式：glob（'S*'、'FG?'、'[AB]1'）"
                    "或 like（'S%'、'FG_'）；默认 none，键值须相等。匹配时键值一律按文本比较。",
    },
    "reconcile": {
        "summary": "一个数据源按键汇总的值与另一数据源相同口径的汇总值相等（在容差之内）。",
        "source": "第一个数据源，按键汇总。",
        "other": "第二个数据源，按键汇总后与第一个比较。",
        "measure": "`source` 中要汇总的列（count 可省略）。",
        "other_measure": "`other` 中要汇总的列（默认：同 `measure`；`agg` 为其他汇总方式而 "
                         "`other_agg: count` 时可不写：统计记录条数）。",
        "agg": "`source` 的汇总方式：sum、count、count_distinct、min、max 或 mean。",
        "other_agg": "`other` 的汇总方式（默认：同 `agg`）。",
        "tolerance": "差额的绝对容差。",
        "rel_tolerance": "相对容差，为 |other 值| 的比例（0.01 即 1%）；满足任一容差即通过。",
        "where": "`source` 中只汇总满足此条件的记录。",
        "other_where": "`other` 中只汇总满足此条件的记录。",
        "keys_from": "检查哪一方的键：both（默认：只出现在一方的键算问题）、"
                     "source（只在 `other` 中出现的键不检查，如没有分项的数值）或 other。",
    },
    "sample": {
        "summary": "按层抽取可重现的随机样本记录并输出，供人工抽查。",
        "source": "从中抽取记录的数据源名称。",
        "seed": "抽样种子：同一数据、同一种子，抽出的样本相同。",
        "n": "每层抽取的记录数（该层记录不足时全部抽取）。",
        "fraction": "每层抽取的记录比例，向上取整（与 `n` 二选一）。",
        "strata": "划分层的列（如区县）。",
        "keys": "标识一条记录、与种子一起计算哈希的列（默认：数据源的主键，没有时用全部列）。",
        "where": "只有满足此条件的记录进入抽样框。",
        "other": "只有在此数据源中按 `match` 各列找不到匹配的记录才进入抽样框。",
        "match": "与 `other` 匹配的列：两边同名的列名列表，或 {本表列: 对方列}。",
        "columns": "输出的列（默认：全部）。",
    },
})

register_models({
    Claimed: {
        "": "各单位自报比率所在的位置。",
        "source": "每个单位一条自报比率的数据源（如区县汇总表）。",
        "rate": "该数据源中存放自报比率的列。",
        "match": "`source` 的分组列与自报数据源的列的对应（同名列的列表或映射）；默认：`by` 的各列。",
        "scale": "自报比率是百分比（100 表示全部）还是小数（1 表示全部）。",
    },
    Window: {
        "": "B 的日期相对 A 的日期的左闭右开时间窗口：[date + start, date + end)。",
        "date": "`source` 中作为窗口起点依据的日期列（如 start_month）。",
        "other_date": "`other` 中必须落在窗口内的日期列（如 contrib_month）。",
        "start": "窗口起点，为 `date` 之后的 `unit` 个数（含起点；可为负数）。",
        "end": "窗口终点，为 `date` 之后的 `unit` 个数（不含终点）。",
        "unit": "start 和 end 的计量单位。",
    },
})
