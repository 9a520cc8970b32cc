"""Chinese summaries and parameter texts of the plausibility kinds (statguard.checks.texts).

Parameters every kind here shares (source, value, unit, period, indicator, peer_group,
where) take the common texts of statguard.checks.texts_zh."""

from statguard.checks.plausibility import digits, outlier, perfect, smoothness  # noqa: F401  (kinds first)
from statguard.checks.plausibility.benchmark import Benchmarks, Pair, Ratio
from statguard.checks.plausibility.common import IndicatorTable
from statguard.checks.texts import register_kinds, register_models

register_kinds({
    "benchmark": {
        "summary": "数值超出其参考区间，或同一口径下各比率推算出的分母相差悬殊。",
        "check": "band：数值与参考值表中的区间比较；implied_denominator：在同一口径内，"
                 "各组数值与其比率推算出的分母必须相符。",
        "scope": "标明数值口径的列，如 全市 或 市区（默认：数据源有 `scope` 列时用它；"
                 "没有时，一个单位一个期别的数值为同一口径）。",
        "benchmarks": "用于 band：{source, indicator, low, high, scope, peer_group, citation}："
                      "参考值表及其各列的列名（默认与参数名相同）。",
        "ratio": "用于 band：{numerator, denominator, scale, name}：用 分子 / 分母 * scale 代替每条记录的数值比较，"
                 "在参考值表中按 `name` 查找。",
        "pairs": "用于 implied_denominator：[{figure, ratio, per}, ...]，至少两组：每组推算出 figure / ratio * per。",
        "max_ratio": "用于 implied_denominator：同一口径中最大与最小推算分母之比的上限（默认 1.25）。",
    },
    "digits": {
        "summary": "编造数据的数字特征：首位数字的本福特定律、末位数字的均匀性、整数堆积。",
        "test": "检验哪一位数字：first（本福特，数字 1-9）、second（本福特，0-9）、first_two（本福特，10-99）、"
                "last（不小于 100 的数值的个位数，应均匀）或 round（不小于 100 的数值中以 0 或 5 结尾的比例）。",
        "by": "数值如何归组判断：按单位（默认）、按指标（跨单位）、按同类组，或按单位和指标。",
        "min_n": "一组至少要有多少个带被检数位的数值才予以判断，不足则无法判断"
                 "（默认：first 60、second 100、first_two 300、last 60、round 30）。",
        "min_orders": "一组数值中间 90%（绝对值的第 5 至第 95 百分位数）至少要跨多少个数量级，"
                      "才可期待其符合本福特定律；跨度更小的组无法判断"
                      "（默认：first 和 first_two 为 1.2，其他检验为 0）。",
        "conformity": "一组须达到的 Nigrini MAD 符合度等级（仅 first、second 和 first_two）："
                      "close、acceptable 或 marginal（默认）。",
        "max_mad": "可接受的最大 MAD，代替符合度等级（last 默认 0.02）。",
        "excess_mad": "用 MAD 减去该组样本量下随机情况应有的 MAD（超额 MAD）与界限比较。",
        "max_round_share": "round：以 0 或 5 结尾的数值的最大可接受比例（正常约为 0.2）。",
        "alpha": "卡方检验的显著性水平。",
        "fail_when": "哪些指标不合格时该组判为不通过：both（两者都不合格，默认）、either（任一）、"
                     "mad（round 时为比例）或 chi2。",
        "exempt_kinds": "与 indicators 配合：不参与检查的指标类型（默认 [stock]：连续几个月不变的余额会重复其数字，"
                        "这与编造无关）。",
    },
    "outlier": {
        "summary": "数值与同类单位相差很远：稳健 z 值，或对环比/同比比值用 Hidiroglou-Berthelot 法。",
        "method": "robust_z（默认）：数值与同类单位的中位数和 MAD 比较；hb：对数值与本单位对比期数值之比"
                  "使用 Hidiroglou-Berthelot 法。",
        "z": "robust_z：允许的最大 |z| = |数值 - 中位数| / (1.4826 * MAD)（3.5，Iglewicz 和 Hoaglin）。",
        "log": "robust_z：取对数后比较（适用于规模呈重尾分布的情形）；此时不大于 0 的数值无法判断。",
        "side": "哪个方向的偏离判为不通过：both（双侧，默认）、high（只看高于上界）或 low（只看低于下界）。",
        "min_peers": "同类组中可判断的数值（hb：比值）至少要有多少个，组内各项才能判断。",
        "compare": "hb：对比期：previous（上一期，默认）或 year_ago（上年同期）。",
        "U": "hb：规模在得分中的权重，E = s * max(x(t), x(t-1))^U（0.5；也常用 0.3 和 0.4）。",
        "A": "hb：得分离散程度的下限，为其中位数的比例（0.05，Hidiroglou 和 Berthelot）。",
        "C": "hb：界限宽度，以四分位距计（4，同 R univOutl；也常用 7，越大筛出越少）。",
    },
    "perfect": {
        "summary": "过于完美的数据：100% 的比率、多个单位报同一数值、照抄的序列、重复值、常数。",
        "check": "检查哪种过于完美：exact_rate（恰为 100% 或 0% 的比率）、same_value（多个单位报同一数值）、"
                 "copied（两个单位的序列在许多期相同）、year_ago（序列在许多期与自身上年同期相同）、"
                 "repeats（连续几期同一数值）、constant（从不变化的序列）。",
        "indicators": "声明各指标类型（flow 流量 | stock 存量 | rate 比率 | part 分项）的数据源，写数据源名"
                      "（列为 indicator 和 kind）或 {source, indicator, kind}：用于确定 exact_rate 的比率指标，"
                      "以及其他检查的豁免。",
        "rates": "exact_rate：属于上报比率的指标（默认：`indicators` 中类型为 rate 的指标；"
                 "没有指标列时，每个数值都是比率）。",
        "numerator": "exact_rate：存放比率分子计数的指标；与 `denominator` 同时给出时，由计数算出比率，"
                     "并与同类单位的比率比较。",
        "denominator": "exact_rate：存放比率分母计数的指标。",
        "extremes": "exact_rate：可疑的比率，不论 scale 一律以百分比表示（默认 100 和 0）。",
        "scale": ("exact_rate：上报的比率为百分比（100 表示全部，默认）或小数（1 表示全部）；"
                  "由计数算出的比率采用同一尺度。"),
        "alpha": "exact_rate 由计数判断时：按同类单位的比率，出现全部（或全无）的概率低于此值即不通过"
                 "（默认 0.001：一个单位 24 个月误报的概率至多 2.4%）。",
        "min_units": "same_value：至少要有多少个单位报同一数值才判为不通过。",
        "across": "same_value、copied：在同类组内还是在全部单位之间比较"
                  "（默认：same_value 为 peer_group，copied 为 all）。",
        "min_digits": "有效数字少于此数的数值不作为证据（默认：same_value 为 4，copied、year_ago 和 repeats 为 3，"
                      "constant 为 1）。",
        "min_periods": "copied：判为不通过所需的相同期数（默认 6）；year_ago：判为不通过所需的与上年同期相同的期数，"
                       "以及予以判断所需的可比期数（默认 3）；constant：判断一个序列所需的数值个数（默认 6）。",
        "min_run": "repeats：连续相同多少个数值判为不通过（默认 3）。",
        "exempt_kinds": "不参与序列检查的指标类型（取自 `indicators`；默认：repeats 和 constant 为 [stock]，"
                        "year_ago 为 [stock, rate]，same_value 和 copied 不豁免）。",
    },
    "smoothness": {
        "summary": "增速比同类单位平稳得多的序列，或同比增速钉在同一数值上的序列。",
        "check": "too_smooth：增速的离散程度远低于同类单位（稳健 z 值）；pinned：至少 min_months 期的增速"
                 "落在自身中位数 ±band 之内（增长目标被恰好完成）。",
        "growth": ("采用的增速：mom（比上一期，环比）或 yoy（比上年同期，同比）。"
                   "默认：too_smooth 用 mom，pinned 用 yoy。"),
        "window": "只使用数据源中最近这么多期的增速（默认 12：一年，每月一次）；写 null 则使用所有期。",
        "min_growths": "窗口内增速个数少于此值的序列无法判断。",
        "spread": "too_smooth：序列增速的离散程度：sd（标准差，默认：计入每个月的季节波动）或 "
                  "mad（中位数绝对偏差 x 1.4826：忽略较大的一半波动）。",
        "z": "too_smooth：离散程度的对数在同类中的稳健 z 值低于 -z 时不通过（3.5：Iglewicz 和 Hoaglin）。",
        "max_ratio": "too_smooth：……且离散程度还须低于同类离散程度中位数的这一比例。",
        "alpha": "too_smooth：……且对于增速个数相同、离散程度为同类中位数的序列，出现如此低离散程度的概率须低于 alpha"
                 "（方差的单侧卡方检验）。",
        "min_peers": "too_smooth：可判断序列少于此数的同类组（同一指标、同一同类组）无法判断。",
        "relative_to": "too_smooth：none（默认）衡量序列自身增速的离散程度；peers 先从每期增速中减去同类组其他序列"
                       "同期增速的中位数（扣除共同的季节和经济周期因素），使季节性标准、噪声很小的序列显现出来。",
        "within_unit": "too_smooth：同时把每个序列与本单位的其他序列比较：其相对同类离散程度中位数的对数比，"
                       "减去本单位其他可判断序列对数比的中位数（各指标都平稳的单位不会因平稳而被标出；"
                       "单独一个被修饰平滑的指标则会显现）。",
        "min_series": "too_smooth 且 within_unit：所在单位其他可判断序列少于此数的序列无法判断。",
        "band": "pinned：围绕增速中位数的区间半宽，单位为百分点。",
        "min_months": "pinned：至少这么多个增速落在区间内时不通过（默认：窗口内 12 个中的 8 个）。",
        "exempt_kinds": "与 indicators 配合：不参与检查的指标类型（默认 [stock]：余额平稳是正常的）。",
    },
})

register_models({
    Benchmarks: {
        "": "参考区间所在的表及其各列的列名。",
        "source": "每行一个参考区间的数据源。",
        "indicator": "标明区间所属指标（或比率）的列。",
        "low": "存放区间下限的列（为空：无下限）。",
        "high": "存放区间上限的列（为空：无上限）。",
        "scope": "标明区间所属口径的列（默认：数据源有 `scope` 列时用它）；口径为空的区间适用于所有口径。",
        "peer_group": ("标明区间所属同类组的列（默认：数据源有 `peer_group` 列时用它）；"
                       "同类组为空的区间适用于所有单位。"),
        "citation": "注明区间出处的列（默认：数据源有 `citation` 列时用它）。",
    },
    Pair: {
        "": "一个数值及其相对共同分母的比率（如床位数和每千人床位数）。",
        "figure": "绝对数指标（如医院床位数）。",
        "ratio": "同一数值按分母每 `per` 计的比率指标（每千人床位数）。",
        "per": "比率按分母的多少计（每千人为 1000）。",
    },
    Ratio: {
        "": "由同一单位、期别和口径的两个指标计算出的数值。",
        "numerator": "被除的指标（如商业营业面积）。",
        "denominator": "作除数的指标（如常住人口）。",
        "scale": "商所乘的系数（每千人计为 1000）。",
        "name": "该比率在参考值表中的指标名称（默认：numerator/denominator）。",
    },
    IndicatorTable: {
        "": "声明各指标类型（flow 流量、stock 存量、rate 比率、part 分项）的位置。",
        "source": "每个指标一行的数据源（标准的 `indicators` 指标表）。",
        "indicator": "其中标明指标的列。",
        "kind": "其中存放类型的列：flow、stock、rate 或 part。",
    },
})
