"""Chinese summaries and parameter texts of the record kinds (statguard.checks.texts)."""

from statguard.checks.record import expectation, row, schema, unique  # noqa: F401  (their kinds come first)
from statguard.checks.record.row import Lookup
from statguard.checks.texts import register_kinds, register_models

register_kinds({
    "expectation": {
        "summary": "按名称运行一条 great-expectations（1.x）期望，它判为不符合的记录即为问题。",
        "source": "运行该期望的数据源。",
        "expectation": "great-expectations 1.x 期望的名称，如 expect_column_values_to_be_between。",
        "kwargs": "期望的关键字参数，写法与 GX 相同（如 {column: turnover, min_value: 0}）。",
        "where": "只把满足此条件的记录交给 GX。",
    },
    "row": {
        "summary": "数据源的每条记录都必须满足的表达式。",
        "expr": "每条记录都必须为真的表达式。",
        "if": "前提条件：不满足前提的记录视为通过。",
        "tolerance": "数值等式、不等式的绝对容差；或写 'reported'：按各数值上报的小数位数确定，"
                     "取末位半个单位，并随运算传递。",
        "missing": "参与运算的值有缺失的记录：not_evaluable（单独计为无法判断）、fail（不通过）、"
                   "pass（通过）或 zero（缺失的数值按 0 计）。",
        "lookup": "引用其他记录的值：别名 -> {source: 参照数据源, match: {本表列: 参照数据源的键列}}；"
                  "expr、where 和 if 中即可用 别名.列 取键值与本记录相匹配的参照记录的列。"
                  "匹配不到，或参照数据源中该键有多条记录：本记录无法判断（表达式自行处理 NULL 的除外）。",
    },
    "schema": {
        "summary": "数据源声明的列是否符合声明：是否存在、类型、缺失值、代码、取值范围、格式、主键。",
        "source": "要检查其声明列的数据源。",
        "columns": "只检查这些声明的列（默认：全部）。",
        "placeholders": "报表模板遗留、应视为未填报的值。",
        "unique_keys": "数据源的主键列必须唯一标识每条记录。",
    },
    "unique": {
        "summary": "主键相同的记录不得重复出现，至少不得相互矛盾。",
        "source": "被检查记录所在的数据源。",
        "keys": "主键列（默认：数据源的主键）。",
        "values": "只有在这些列上取值不一致的重复主键才算问题（相互矛盾的重报）。",
        "per": "record：重复主键的每条记录各算一个问题；group：每个重复主键算一个问题。",
    },
})

register_models({
    Lookup: {
        "source": "按每条记录的键查找的参照数据源。",
        "match": "被检查数据源的列 -> 参照数据源中须与之相等的列（合起来构成参照数据源的键）；"
                 "两边列名相同时可只列出列名。",
    },
})
