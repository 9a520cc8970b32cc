"""Chinese summaries and parameter texts of the version kinds (statguard.checks.texts)."""

from statguard.checks.texts import register_kinds, register_models
from statguard.checks.versions import revisions  # noqa: F401  (its kind comes first)
from statguard.checks.versions.revision_drift import Peers

register_kinds({
    "revision_drift": {
        "summary": "按单位判断：其重报数据朝有利于自己方向修改的次数，是否远多于同类单位。",
        "source": "修订记录的数据源：每个单位、指标、期别、版本一行"
                  "（unit、indicator、month、version、value、submitted）。",
        "version": "存放版本的列（数字，或按顺序排列的文本）。",
        "submitted": "存放报送时间的列（与 order: submitted 配合使用）。",
        "order": "一个数值各版本的先后依据：version（版本，默认）或 submitted（报送时间，相同时再按版本）。",
        "peers": "{source, group, unit}：给出每个单位所属同类组的另一数据源（代替 `peer_group` 列）。",
        "flattering": "朝哪个方向修订对单位有利。",
        "alpha": "单位有利修订次数相对同类单位比例的单侧二项检验 p 值低于此值时判为不通过。",
        "min_steps": "单位至少要有多少次计入的修订才予以判断。",
        "min_peer_steps": "同类单位合计至少要有多少次计入的修订，其比例才可作为参照。",
        "min_share": "判为不通过还要求单位的有利修订占比达到此值（0.8 即 80%）。",
        "min_relative_step": "小于原值这一比例的修订不计入（舍入误差；0.001 即 0.1%）。",
        "test": "用哪种检验判定单位不通过：share（有利修订占比的二项检验）、"
                "count（有利修订次数在同类单位中的稳健 z 值）或 either（任一，默认）。",
        "count_z": "次数检验中，单位的稳健 z 值（其有利修订次数减同类中位数，再除以标准化的 MAD）超过此值，"
                   "且其有利修订占比也高于同类时，判为不通过。",
        "min_peer_units": "次数检验要求同类组中有计入修订的其他单位的最少个数"
                          "（不足时只用占比检验判断；test: count 时该单位无法判断）。",
    },
    "revisions": {
        "summary": "各数值在先后报送的各版本之间如何变化：找出前后不一致的重报。",
        "source": "跟踪其数值在各版本间变化的数据源。",
        "values": "存放数值的数值型列；每列为一个指标。",
        "version": "存放版本的列（按报送先后排序）。不给出时，读取历史库中为该数据源记录的各版本。",
        "reason": "存放各版本所述修改原因的列（与 `version:` 配合；历史库自有原因记录，"
                  "随版本记录的情况说明也算作原因）。",
        "keys": "除单位和期别外标识一个检查项的列（默认：数据源的主键去掉版本、单位和期别列）。",
        "flattering": "朝哪个方向修改对单位有利。",
        "max_versions": "一个检查项的版本数超过此值时不通过。",
        "max_distinct_values": "一个检查项出现的不同取值个数超过此值时不通过。",
        "max_change": "相邻两个版本之间的变化（绝对值）超过此值时不通过。",
        "max_relative_change": "变化超过原值的这一比例时不通过（0.05 即 5%）。",
        "flag_monotone_flattering": "每次修改都朝有利方向时不通过（至少要有 min_revisions 次修改）。",
        "min_revisions": "单向修改至少要有多少次才计。",
        "flag_unexplained_change": "某一版本中数值有变化，却没有所述原因或（读取历史库时）随该版本记录的情况说明时，"
                                   "判为不通过（已知原因时）。",
        "tolerance": "差异不超过此值的不算修改。",
        "where": "只跟踪满足此条件的记录。",
    },
})

register_models({
    Peers: {
        "": "给出每个单位所属同类组的另一数据源。",
        "source": "每个单位一条同类组的数据源（如区县表）。",
        "group": "其中标明同类组的列。",
        "unit": "其中标明单位的列（默认：其声明的单位列，没有时用 `unit`）。",
    },
})
