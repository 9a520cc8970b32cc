"""Chinese summaries and parameter texts of the time kinds (statguard.checks.texts)."""

from statguard.checks.texts import register_kinds
from statguard.checks.time import cumulative, growth, sequence  # noqa: F401  (their kinds come first)

register_kinds({
    "cumulative": {
        "summary": "本年累计数在一年之内不得减少。",
        "source": "存放累计数的数据源。",
        "value": "存放累计值的列。",
        "tolerance": "减少量（绝对值）不超过此值的不算问题。",
    },
    "growth": {
        "summary": "上报的增速须与按本期值和对比期值计算出的增速相符。",
        "source": "存放数值及上报增速的数据源。",
        "value": "存放本期值的列。",
        "rate": "存放上报增速的列，单位为百分比（增长 13.75% 写 13.75）。",
        "base": "同一条记录中存放对比值的列（如上年同期数）。不给出时，到同一序列的对比期中查找对比值。",
        "base_from": "到哪里查找对比值：source（同一数据源，默认）或 history（历史库中对比期最近一次记录的版本，"
                     "见 docs/history.md）。",
        "compare": "查找时的对比期：year_ago（上年同期，即同比）或 previous（上一期，即环比）。",
        "tolerance": "允许的差距，单位为百分点；或写 'reported'：增速末位上报位数的半个单位，"
                     "加上本期值和对比值的舍入误差传递到增速上的部分。",
        "zero_base": "对比值为 0 时增速无意义：not_evaluable（无法判断，默认）或 fail（不通过）。",
    },
    "sequence": {
        "summary": "每个单位的应报期别都齐全：起止之间的年、季或月没有缺期。",
        "source": "要检查期别的数据源。",
        "by": "标识一个序列的列（默认：数据源的单位列）。",
        "frequency": "应有的频率（默认：数据中出现的唯一频率）。",
        "from": "应报的第一个期别（默认：数据中最早的期别）。",
        "to": "应报的最后一个期别（默认：数据中最晚的期别）。",
        "where": "只有满足此条件的记录才算已报送。",
    },
})
