"""Chinese summaries and parameter texts of the hierarchy kinds (statguard.checks.texts)."""

from statguard.checks.hierarchy import hierarchy  # noqa: F401  (its kind comes first)
from statguard.checks.hierarchy.part_whole import PartGroup
from statguard.checks.texts import register_kinds, register_models

_MODES = ("缺项的处理，同 VTL 2.1 check_hierarchy：non_null（每一项都存在且非 NULL 时才比较）、"
          "non_zero（至少一项存在且不为 0 时比较；缺项按 0 计）、partial_null / partial_zero"
          "（至少一项存在时比较；缺项按 NULL / 0 计）、always_null / always_zero（总是比较；缺项按 NULL / 0 计）。")

register_kinds({
    "hierarchy": {
        "summary": "按代码层级，下级代码的数值之和等于上级代码的数值。",
        "source": "每个代码（及分组）一条记录、附有数值的数据源名称。",
        "code": "存放层级代码的列（如 region、地区、行业代码）。",
        "value": "存放须逐级汇总相符的数值的列。",
        "by": "划分分别检查的组的列（如期别和指标）。",
        "hierarchy": "每条记录为一对下级-上级代码的数据源名称（与 `mapping` 二选一）。",
        "child": "`hierarchy` 中存放下级代码的列。",
        "parent": "`hierarchy` 中存放上级代码的列（最顶层为空）。",
        "mapping": "直接写出的层级：上级代码 -> 其下级代码列表（与 `hierarchy` 二选一）。",
        "mode": _MODES + "默认 partial_zero，同 R validate 的 hierarchy()。",
        "parents": "只比较代码与其中某一模式相符的上级：glob（C*、1?、[AB]*），模式含 % 时按 LIKE（C%）。"
                   "默认：全部上级。",
        "tolerance": "上级值减下级之和的绝对容差；或写 'reported'：上级数值末位上报位数的半个单位，"
                     "加上各下级数值末位的半个单位。",
        "decimals": "与 tolerance: reported 配合：不按数值文本判断时各数值的小数位数。可写一个数（全部适用），"
                    "代码 -> 小数位数（其他代码仍按文本），或按代码给出小数位数的表 "
                    "{source: indicators, code: indicator, decimals: decimals}（表中没有的代码仍按文本）。",
        "relative_tolerance": "相对容差：差额也可以在上级数值的这一比例之内（0.01 即 1%）。",
        "unknown_codes": "数据中有、层级中没有的代码：fail（每个代码一个问题）、"
                         "not_evaluable（每个代码一个无法判断的检查项）或 ignore（忽略）。",
    },
    "part_whole": {
        "summary": "同一条记录中作为分项的各列相加等于作为合计的列。",
        "whole": "存放合计的列（或改写 `groups`）。",
        "parts": "存放 `whole` 各分项的列。",
        "groups": "同一条记录中的多组合计-分项关系，每组 {name, whole, parts}；每组单独作为一个检查项。",
        "relation": "equal：分项之和等于合计；at_most：分项之和不大于合计。",
        "mode": _MODES + "空单元格视为缺项。",
        "tolerance": ("合计减分项之和的绝对容差；或写 'reported'：合计末位上报位数的半个单位，"
                      "加上各分项末位的半个单位。"),
        "relative_tolerance": "相对容差：差额也可以在合计的这一比例之内（0.01 即 1%）。",
    },
})

register_models({
    PartGroup: {
        "": "一个合计及其分项。",
        "name": "该组在报告中的名称（默认：合计列的列名）。",
        "whole": "存放合计的列。",
        "parts": "存放分项的列。",
    },
})
