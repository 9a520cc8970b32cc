"""The details a reader sees in the run's language (issue 15): why a value is not a period, why a
comparison value is missing, which check a cell fails, what is wrong with an explanation. Each is
asserted on a real run, in Chinese and in English, on the records and on a rendered report."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import statguard
from statguard.errors import PackError
from statguard.i18n import t
from statguard.periods import mapping_frame, try_parse
from statguard.report.writers import render

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def _pack(tmp_path: Path, sources: dict, rules: list[dict]) -> statguard.Pack:
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump({"sources": sources, "rules": rules}, allow_unicode=True), encoding="utf-8")
    return statguard.load_pack(path)


@pytest.mark.parametrize(("value", "en", "zh"), [
    ("sometime", "'sometime' is not a period (expected e.g. 2024, 2024Q3,", "「sometime」不是期别（应写作如 2024、"),
    ("2024-13", "'2024-13' names a month that does not exist", "「2024-13」所指的月份不存在"),
    ("2024Q5", "'2024Q5' is not a period", "「2024Q5」不是期别"),
    ("2024年5季度", "'2024年5季度' names a quarter that does not exist", "「2024年5季度」所指的季度不存在"),
    ("2023-02-29", "'2023-02-29' is not a valid date", "「2023-02-29」不是有效的日期"),
    ("2024年7-9月", "does not start in January, not year-to-date", "不从 1 月开始的月份区间"),
    ("2024年2-3季度", "does not start with the first quarter", "不从第一季度开始的季度区间"),
    (None, "no period given", "未填期别"),
])
def test_why_a_value_is_not_a_period_in_either_language(value, en, zh):
    assert try_parse(value, "en") == (None, try_parse(value)[1])  # English outside any language spoken
    assert en in try_parse(value, "en")[1]
    reason = try_parse(value, "zh")[1]
    assert zh.replace("、", ", ") in reason.replace("、", ", ")
    assert not ENGLISH.search(reason.replace(str(value), "")), reason
    frame = mapping_frame([value], "zh").set_index("raw")
    assert frame["error"].iloc[0] == reason


def test_a_bound_that_is_not_a_period_is_a_chinese_pack_problem(tmp_path):
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump({"sources": {"d": {"unit": "u", "period": "p", "keys": ["u", "p"],
                                                      "columns": {"u": "string", "p": "string"}}},
                                    "rules": [{"id": "S", "kind": "sequence", "source": "d", "from": "2020-13"}]}),
                    encoding="utf-8")
    with pytest.raises(PackError) as zh:
        statguard.load_pack(path, strict=True, lang="zh")
    assert "[from] 「2020-13」所指的月份不存在" in str(zh.value)
    with pytest.raises(PackError) as en:
        statguard.load_pack(path, strict=True, lang="en")
    assert "[from] '2020-13' names a month that does not exist" in str(en.value)


GROWTH = {"dep": {"keys": ["county", "period"], "unit": "county", "period": "period",
                  "columns": {"county": "string", "period": "string", "value": "number", "yoy": "number"}}}
GROWTH_ROWS = pd.DataFrame({"county": ["A", "A", "B", "C", "C", "C"],
                            "period": ["2023-09", "2024-09", "2024-09", "sometime", "2023-09", "2023年9月"],
                            "value": [100, 110, 50, 7, 1, 2], "yoy": [None, 10, 5, 1, None, None]})


@pytest.mark.parametrize(("lang", "details"), [
    ("zh", {"B": "对比期 2023-09 没有记录",
            "C": "「sometime」不是期别（应写作如 2024, 2024Q3, 2024-09, 2024-09-15, 2024年9月, 2024年第三季度, "
                 "2024年1-9月）"}),
    ("en", {"B": "no record for the comparison period 2023-09",
            "C": "'sometime' is not a period (expected e.g. 2024, 2024Q3, 2024-09, 2024-09-15, 2024年9月, "
                 "2024年第三季度, 2024年1-9月)"}),
])
def test_why_growth_cannot_be_judged_in_the_run_language(tmp_path, lang, details):
    pack = _pack(tmp_path, GROWTH, [{"id": "YOY", "kind": "growth", "source": "dep", "value": "value", "rate": "yoy"}])
    report = pack.validate({"dep": GROWTH_ROWS}, lang=lang, options={"lacking": True})
    lacking = {r["unit"]: r["detail"] for r in report.lacking_records() if r["unit"] in ("B", "C")}
    assert lacking == details
    several = _pack(tmp_path, GROWTH, [{"id": "YOY", "kind": "growth", "source": "dep", "value": "value",
                                        "rate": "yoy", "by": []}])
    rows = GROWTH_ROWS[GROWTH_ROWS["period"] != "sometime"].assign(county="A")
    report = several.validate({"dep": rows}, lang=lang, options={"lacking": True})
    assert {r["detail"] for r in report.lacking_records() if r["period"] == "2024-09"} == {
        "对比期 2023-09 有多条记录" if lang == "zh" else "several records for the comparison period 2023-09"}


SCHEMA = {"inv": {"keys": ["unit"], "unit": "unit", "columns": {
    "unit": {"type": "string", "pattern": "^[0-9]{4}$"}, "total": {"type": "number", "min": 0},
    "n": {"type": "integer"}, "kind": {"type": "string", "allowed": ["工业", "商业"]},
    "day": {"type": "date", "max": "2025-01-01"}, "note": {"type": "string", "nullable": False}}}}
SCHEMA_ROWS = pd.DataFrame({"unit": ["3201", "3202", "x", "3201"], "total": ["xxx", "abc", "-3", "1"],
                            "n": ["1", "2.5", "3", "4"], "kind": ["工业", "农业", "商业", "工业"],
                            "day": ["2024-01-01", "2024-13-01", "2026-01-01", "2024-01-01"],
                            "note": ["a", None, "b", "c"]})
SCHEMA_DETAILS = {  # (column, value) -> (English, Chinese)
    ("total", "xxx"): ("template placeholder", "模板占位符"), ("total", "abc"): ("not a number", "不是数值"),
    ("total", "-3"): ("below the minimum", "低于下限"), ("n", "2.5"): ("not an integer", "不是整数"),
    ("kind", "农业"): ("not an allowed value", "不是允许的取值"), ("day", "2024-13-01"): ("not a date", "不是日期"),
    ("day", "2026-01-01"): ("above the maximum", "高于上限"), ("note", None): ("missing value", "值缺失"),
    ("unit", "x"): ("does not match the pattern", "不符合格式"), ("unit", "3201"): ("duplicate", "重复"),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_check_a_cell_fails_is_said_in_the_run_language(tmp_path, lang):
    pack = _pack(tmp_path, SCHEMA, [{"id": "SC", "kind": "schema", "source": "inv", "placeholders": ["xxx"]}])
    report = pack.validate({"inv": SCHEMA_ROWS}, lang=lang)
    found = {(v["keys"]["column"], None if v["observed"] is None else str(v["observed"])): v["detail"]
             for v in report.violations.to_dict("records")}
    assert found == {cell: texts[lang == "zh"] for cell, texts in SCHEMA_DETAILS.items()}
    shown = _cells(render(report, "xlsx", lang))  # the detail column of the violations sheet
    assert {texts[lang == "zh"] for texts in SCHEMA_DETAILS.values()} <= shown
    codes = {"placeholder", "type:number", "type:integer", "type:date", "min", "max", "allowed", "pattern", "unique",
             "not_null"}
    assert not shown & (codes | ({en for en, _ in SCHEMA_DETAILS.values()} if lang == "zh" else set()))
    # the heading of the key naming the cell's column
    assert ("字段" in shown, "column" in shown) == ((True, False) if lang == "zh" else (False, True))
    page = render(report, "html", lang)
    assert (">字段</th>" in page, ">column</th>" in page) == ((True, False) if lang == "zh" else (False, True))


def _cells(book: bytes) -> set[str]:
    import io

    import openpyxl
    sheets = openpyxl.load_workbook(io.BytesIO(book), read_only=True)
    return {c for ws in sheets.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}


EXPL_SOURCES = {"g": {"keys": ["单位", "期别", "指标"], "unit": "单位", "period": "期别",
                      "columns": {"单位": "string", "期别": "string", "指标": "string", "增速": "number"}}}
EXPL_RULES = [{"id": "G1", "kind": "row", "source": "g", "expr": "增速 < 50", "severity": "warning",
               "explanation": {"required_fields": ["document_no"]}},
              {"id": "G0", "kind": "row", "source": "g", "expr": "增速 < 90", "severity": "error"}]
EXPL_ROWS = pd.DataFrame({"单位": ["东区", "西区"], "期别": ["2024-09", "2024-09"], "指标": ["存款", "存款"],
                          "增速": [95.0, 60.0]})
EXPLANATIONS = [
    {"规则编号": "G1", "单位": "东区", "期别": "2024-09", "记录": "指标=贷款", "说明": "已核实"},  # stale
    {"规则编号": "G0", "单位": "东区", "期别": "2024-09", "记录": "指标=存款", "说明": "已核实"},  # refused
    {"规则编号": "G1", "单位": "西区", "期别": "2024-09", "记录": "指标=存款", "说明": "已核实"},  # insufficient
    {"规则编号": "G9", "单位": "西区", "期别": "2024-09", "说明": "已核实"},  # unknown rule
    {"规则编号": "G1", "单位": "西区", "期别": "2024-09", "记录": "指标:存款", "说明": "已核实"},  # malformed
]
EXPL_DETAILS = {"stale": ("stale", "过期"), "refused": ("refused", "被拒"),
                "insufficient": ("insufficient", "不合要求"), "unknown_rule": ("unknown rule", "规则不存在"),
                "malformed": ("malformed", "格式错误")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_what_is_wrong_with_an_explanation_is_said_in_the_run_language(tmp_path, lang):
    from statguard.history import HistoryStore
    from statguard.history.explanations import explanation_frame, record_explanations
    pack = _pack(tmp_path, EXPL_SOURCES, EXPL_RULES)
    report = pack.validate({"g": EXPL_ROWS}, explanations=EXPLANATIONS, lang=lang)
    problems = [v for v in report.violations.to_dict("records") if v["rule_id"] == "explanations"]
    assert sorted(v["detail"] for v in problems) == sorted(texts[lang == "zh"] for texts in EXPL_DETAILS.values())
    assert report.meta["explanations"]["problems"] == dict.fromkeys(EXPL_DETAILS, 1)  # the kinds, either language
    said = " ".join(f"{v['detail']} {v['message']} {v['source']}" for v in problems)
    if lang == "zh":
        assert "记录须写作「名称=值; 名称2=值2」，而不是「指标:存款」 [第 5 条说明]" in said
        assert "未填写「document_no」" in said and "[第 1 条说明]" in said
        assert not ENGLISH.findall(said.replace("document_no", "")), said  # the user's field name only
    else:
        assert "keys must be written 'name=value; name2=value2', not '指标:存款' [explanation 5]" in said
        assert "required field 'document_no' is empty" in said
    cells = _cells(render(report, "xlsx", lang))  # an explanation's rule and text, as the problem's figures
    figures = "规则编号 G9；说明内容 已核实" if lang == "zh" else "rule_id G9; text 已核实"
    assert any(c.startswith(figures) for c in cells)
    text = render(report, "text", lang)
    assert ("说明本身有问题 5 条（过期 1，被拒 1，不合要求 1，规则不存在 1，格式错误 1）" if lang == "zh" else
            "5 explanation problem(s) (stale 1, refused 1, insufficient 1, unknown rule 1, malformed 1)") in text
    with HistoryStore(tmp_path / "h.db") as store:
        record_explanations(store, report)
        stored = explanation_frame(store)
    assert set(stored["status"]) == set(EXPL_DETAILS)  # the store keeps the kinds, whatever the language


PARAMETER_RULES = [  # (rule, Chinese, English) of parameters pydantic or a kind's validator refuses
    ({"kind": "hierarchy", "source": "h", "value": "v", "code": "c", "parents": [], "mapping": {"A": ["B"]}},
     "参数「parents」：至少应有 1 项，而不是 0 项", "parameter 'parents': List should have at least 1 item"),
    ({"kind": "smoothness", "source": "h", "value": "v", "growth": "wow"},
     "参数「growth」：应为 'mom' 或 'yoy'", "parameter 'growth': Input should be 'mom' or 'yoy'"),
    ({"kind": "digits", "source": "h", "value": "v", "alpha": 2},
     "参数「alpha」：应小于 1", "parameter 'alpha': Input should be less than 1"),
    ({"kind": "coverage", "source": "h", "other": "h", "match": ["c"]},
     "coverage 需要 min_rate、claimed 或二者同时给出", "coverage needs min_rate, claimed, or both"),
    ({"kind": "row", "source": "h", "expr": "v = v", "tolerance": "reproted"},
     "tolerance 须为数值或 'reported'（最后一位填报数字的半个单位），而不是 'reproted'；是否想写 'reported'？",
     "tolerance is a number or 'reported' (half a unit of the last reported digit), not 'reproted'; "
     "did you mean 'reported'?"),
    ({"kind": "reconcile", "source": "h", "other": "h", "match": ["c"], "agg": "sum"},
     "agg 'sum' 需要 'measure'", "'measure' is needed for agg 'sum'"),
    ({"kind": "benchmark", "source": "h", "value": "v", "check": "band"},
     "check: band 需要 'benchmarks'（参考区间表）", "check: band needs 'benchmarks' (the table of bands)"),
]


@pytest.mark.parametrize(("rule", "zh", "en"), PARAMETER_RULES, ids=[r["kind"] for r, _, _ in PARAMETER_RULES])
def test_refused_parameters_are_said_in_the_pack_language(tmp_path, rule, zh, en):
    path = tmp_path / "pack.yml"
    path.write_text(yaml.safe_dump({"sources": {"h": {"columns": {"c": "string", "v": "number"}}},
                                    "rules": [{"id": "R", **rule}]}, allow_unicode=True), encoding="utf-8")
    said = {}
    for lang in ("zh", "en"):
        with pytest.raises(PackError) as e:
            statguard.load_pack(path, strict=True, lang=lang)
        said[lang] = str(e.value)
    assert zh in said["zh"] and en not in said["zh"]
    assert en in said["en"]


OUTLIER = {"f": {"unit": "unit", "columns": {"unit": "string", "g": "string", "value": "number"}}}
OUTLIER_ROWS = pd.DataFrame({"unit": [f"U{i}" for i in range(9)],  # a: 5 alike and a gap; b: 3 peers, 2 positive
                             "g": ["a"] * 6 + ["b"] * 3, "value": [5, 5, 5, 5, 5, None, 7, 8, -1]})


@pytest.mark.parametrize(("lang", "why"), [
    ("zh", {"U0": "同组至少一半单位的数值相同（MAD 为 0），没有离散程度可据以判断 5", "U5": "没有可判断的数值",
            "U6": "同组仅 3 个，少于本规则要求的 5 个（min_peers）", "U8": "-1 不是正数，没有对数"}),
    ("en", {"U0": "at least half of the peers report the same value (MAD 0): no spread to judge 5 by",
            "U5": "no value to judge",
            "U6": "only 3 peers, fewer than the rule's min_peers of 5",
            "U8": "-1 is not positive: it has no logarithm"}),
])
def test_why_an_outlier_cannot_be_judged(tmp_path, lang, why):
    """A not-evaluable item says why (no spread, too few peers, no value, no logarithm), not a judgement
    with its score left blank."""
    pack = _pack(tmp_path, OUTLIER, [{"id": "Z", "kind": "outlier", "source": "f", "peer_group": "g"},
                                     {"id": "LOG", "kind": "outlier", "source": "f", "peer_group": "g", "log": True}])
    report = pack.validate({"f": OUTLIER_ROWS}, lang=lang, options={"lacking": True})
    found = {(r["rule_id"], r["unit"]): r["detail"] for r in report.lacking_records()}
    assert found[("Z", "U0")] == why["U0"] and found[("Z", "U5")] == why["U5"]
    assert found[("Z", "U6")] == why["U6"]
    assert found[("LOG", "U8")] == why["U8"]


HABIT_SOURCES = {"m": {"keys": ["单位", "月份"], "unit": "单位", "period": "月份",
                       "columns": {"单位": "string", "月份": "string", "再就业率": "number", "window": "number"}}}
HABIT_ROWS = pd.DataFrame({"单位": ["城关区"] * 4 + ["河西区"],
                           "月份": ["2024-01", "2024-02", "2024-03", "2024-04", "2024-01"],
                           "再就业率": [100.0, 100.0, 90.0, 100.0, 100.0], "window": [1.0, 1.0, 1.0, 1.0, 1.0]})


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_habits_figures_are_named_in_the_run_language(tmp_path, lang):
    """`min_failures` adds failures/window/failing_periods/min_failures to an item of any kind; a Chinese
    report names them in Chinese in every format that lists figures, while a user's own column that
    shares one of the names (window, on a rule without min_failures) stays as the user wrote it."""
    pack = _pack(tmp_path, HABIT_SOURCES, [
        {"id": "H", "kind": "row", "source": "m", "expr": "再就业率 < 100", "min_failures": 3},
        {"id": "W", "kind": "row", "source": "m", "expr": "window > 1", "severity": "warning"}])
    report = pack.validate({"m": HABIT_ROWS}, lang=lang)
    habit = "不通过期数 3；统计期数 4；不通过的期别 2024-01, 2024-02, 2024-04；列为问题所需期数 3"
    english = "failures 3; window 4; failing_periods 2024-01, 2024-02, 2024-04; min_failures 3"
    expected = habit if lang == "zh" else english
    cells = _cells(render(report, "xlsx", lang))
    assert any(expected in c for c in cells)
    assert "window 1" in cells  # rule W: the user's own column, as the user named it
    page = render(report, "html", lang)
    assert expected in page
    assert ("failing_periods" in page, "不通过的期别" in page) == ((False, True) if lang == "zh" else (True, False))


WORD_CASES = {  # golden case -> (figure, its token in JSON, as a Chinese report shows it)
    "digits::round numbers": ("digits", "<=2 sig", "≤2 位有效数字"),
    "smoothness::a smoothly growing series": ("growth", "mom", "环比"),
    "smoothness::year-on-year growth pinned": ("growth", "yoy", "同比"),
    "revision_drift::the count test fails many": ("test", "count", "次数检验"),
}


@pytest.mark.parametrize("start", WORD_CASES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_words_in_a_kinds_figures_are_said_in_the_run_language(tmp_path, start, lang):
    """digits' round-number classes, smoothness's growth and relative_to, revision_drift's test are
    documented tokens: JSON keeps them, a Chinese report's figures say them in Chinese."""
    import json

    from golden import load_cases, run_options, write_pack
    case = next(c for n, c in load_cases() if n.startswith(start))
    path, frames = write_pack(case, tmp_path)
    report = statguard.load_pack(path).validate(frames, lang=lang, **run_options(case))
    name, token, zh = WORD_CASES[start]
    held = [v["values"][name] for v in json.loads(render(report, "json", lang))["violations"]]
    assert any(token == x or (isinstance(x, list) and token in x) for x in held)  # the machine value stays
    cells = " ".join(_cells(render(report, "xlsx", lang)))
    page = render(report, "html", lang)
    for shown in (cells, page):
        if lang == "zh":
            assert zh in shown and f" {token}；" not in shown and f" {token}," not in shown
        else:
            assert zh not in shown
    if lang == "zh" and token == "mom":  # a too_smooth rule says what the spread is measured against
        assert "相对于 序列自身" in cells and "相对于 none" not in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_description_given_per_language_is_shown_in_the_run_language(tmp_path, lang):
    """`description: {zh: ..., en: ...}`: the rules table and a message's {description} say the run's
    language only; a description in one language serves both."""
    pack = _pack(tmp_path, HABIT_SOURCES, [
        {"id": "R", "kind": "row", "source": "m", "expr": "再就业率 < 100",
         "description": {"zh": "再就业率不应为 100%", "en": "the rate is not 100%"},
         "message": "{description}：{unit}"},
        {"id": "Z", "kind": "row", "source": "m", "expr": "再就业率 < 100", "description": {"zh": "只有中文"}}])
    report = pack.validate({"m": HABIT_ROWS}, lang=lang)
    own = "再就业率不应为 100%" if lang == "zh" else "the rate is not 100%"
    other = "the rate is not 100%" if lang == "zh" else "再就业率不应为 100%"
    summary = dict(zip(report.summary["rule_id"], report.summary["description"], strict=True))
    assert summary == {"R": own, "Z": "只有中文"}
    messages = report.violations[report.violations["rule_id"] == "R"]["message"]
    assert len(messages) == 4 and all(m.startswith(own) for m in messages)
    for fmt in ("html", "text", "markdown"):
        shown = render(report, fmt, lang)
        assert own in shown and other not in shown and "{'zh'" not in shown


TWIN_SOURCES = {
    "zone": {"unit": "单位", "period": "期别", "keys": ["单位", "期别", "版本"],
             "columns": {"单位": "string", "期别": "string", "版本": "integer", "固定资产投资": "number"}},
    "m": {"unit": "单位", "period": "期别", "keys": ["单位", "期别", "指标"],
          "columns": {"单位": "string", "期别": "string", "指标": "string", "增速": "number"}}}
TWIN_DATA = {
    "zone": pd.DataFrame({"单位": ["开发区"] * 3, "期别": ["2024Q3"] * 3, "版本": [1, 2, 3],
                          "固定资产投资": [45.0, 50.0, 55.0]}),
    "m": pd.DataFrame({"单位": ["开发区"], "期别": ["2024Q3"], "指标": ["工业产值"], "增速": [80.0]})}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_kinds_key_and_a_users_column_of_one_name_get_distinct_headings(tmp_path, lang):
    """revisions' own key `indicator` is 指标 in Chinese; beside a user's key column called 指标 the
    kind's is said to come from the rule, so that filtering the sheet on 指标 gets one column (it
    had two columns headed 指标 in 问题明细). In English the two headings differ anyway."""
    pack = _pack(tmp_path, TWIN_SOURCES, [
        {"id": "R", "kind": "revisions", "source": "zone", "version": "版本", "values": ["固定资产投资"],
         "max_distinct_values": 2},
        {"id": "G", "kind": "row", "source": "m", "expr": "增速 < 50"}])
    report = pack.validate(TWIN_DATA, lang=lang)
    assert {v["rule_id"]: v["keys"] for v in report.violations.to_dict("records")} == {
        "R": {"indicator": "固定资产投资"}, "G": {"单位": "开发区", "期别": "2024Q3", "指标": "工业产值"}}
    own = "指标（规则给出）" if lang == "zh" else "indicator"
    import io

    import openpyxl
    book = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx", lang)), read_only=True)
    sheet = book.worksheets[[ws.title for ws in book.worksheets].index(t("h.violations", lang))]
    header = [c for c in next(sheet.iter_rows(values_only=True)) if c is not None]
    assert len(header) == len(set(header)) and "指标" in header and own in header, header
    page = render(report, "html", lang)
    assert '"label":"指标"' in page and f'"label":"{own}"' in page
