"""Chinese summaries and parameter texts of the dataset kinds (statguard.checks.texts)."""

from statguard.checks.dataset import aggregate  # noqa: F401  (its kind comes first)
from statguard.checks.texts import register_kinds

register_kinds({
    "aggregate": {
        "summary": "数据源全部记录（或其中每组记录）的统计量，与界限值比较。",
        "source": "要汇总其记录的数据源名称。",
        "expr": "关于记录统计量的条件，如 mean(turnover) > 0 或 cor(turnover, staff) > 0.5，"
                "整个数据源或每一组都必须满足。",
        "where": "只有满足此条件的记录参与统计。",
        "tolerance": "数值等式、不等式的绝对容差（严格的 < 和 > 仍然严格）。",
    },
})
