"""Chinese for the descriptions of the pack-level models (scorecard, screen) in the JSON Schema.

The English is their Field descriptions (statguard.checks.texts explains the scheme)."""

from statguard.checks.texts import register_models
from statguard.pack.scorecard import ScorecardConfig, Weights
from statguard.pack.screen import ScreenConfig, SeverityWeights

register_models({
    ScorecardConfig: {
        "": "报送单位可信度评分的计分、分组和督办设置。",
        "base": "没有问题的单位的得分",
        "floor": "最低可能得分",
        "weights": "每条问题扣的分数，按级别",
        "rules": "某条规则每条问题扣的分数（代替其级别的扣分）",
        "count": "每条问题都计，还是每个单位每期每条未通过的规则只计一次",
        "peer_group": "其值用来给单位分组的列（或 数据源.列）",
        "groups": "分组 -> 单位列表",
        "escalate_after": "连续多少期未通过即列入督办名单",
        "fail_on": "单位某期有此级别及以上的问题即为该期未通过",
        "fail_below": "单位某期得分低于此值也为该期未通过",
    },
    Weights: {
        "error": "每条错误级问题扣的分数",
        "warning": "每条警告级问题扣的分数",
        "info": "每条提示级问题扣的分数",
    },
    ScreenConfig: {
        "": "报送单位的可疑度得分与排序（statguard.report.suspicion）。",
        "weights": "按规则编号给出：某规则标出一个单位时加的分数",
        "severity_weights": "没有单独分数的规则按级别加的分数",
        "flag_at": "得分达到此值的单位被标为可疑",
        "evidence": "每条规则每个单位列作证据的问题条数",
    },
    SeverityWeights: {
        "error": "错误级规则的分数",
        "warning": "警告级规则的分数",
        "info": "提示级规则的分数",
    },
})
