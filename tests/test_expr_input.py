"""Expressions as rule authors type them: a Chinese keyboard's full-width forms and R habits.

Full-width forms of ASCII characters are read as ASCII outside text and column names (the same
rule as written in ASCII gives the same violations); Chinese quotation marks, other input-method
marks and R habits are refused at the character, saying what to type, in English and Chinese.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlglot import exp

import statguard
from statguard.errors import ExpressionError, Problem
from statguard.expr import compile_expression, parse
from statguard.pack import lint_checks

COLUMNS = {None: ["a", "b", "total", "地区", "营业收入（万元）", "工业＋建筑", "x"]}


def _sql(text: str, scopes=None) -> str:
    return compile_expression(text, scopes or COLUMNS).tree.sql("duckdb")


@pytest.mark.parametrize("typed,ascii_text", [
    ("ａ＋ｂ＝ｔｏｔａｌ", "a + b = total"),                      # all full-width, as typed in full-width mode
    ("a　＋　b　＞＝　１００", "a + b >= 100"),                   # ideographic spaces, full-width digits
    ("ａｂｓ（a－b）＜１．５", "abs(a - b) < 1.5"),
    ("a ＜＞ b ＡＮＤ x ＩＮ （１，２）", "a <> b AND x IN (1, 2)"),
    ("营业收入（万元）＞＝１００", '"营业收入（万元）" >= 100'),      # the column's own brackets are kept
    ("工业＋建筑 ＞ a", '"工业＋建筑" > a'),                       # a declared name with a full-width plus
    ("地区 ＝ ＇北京＇", "地区 = '北京'"),                          # full-width quotes around text
])
def test_full_width_forms_are_read_as_ascii(typed, ascii_text):
    assert _sql(typed) == _sql(ascii_text)


def test_text_and_quoted_names_are_never_changed():
    tree = compile_expression("地区 ＝ '北京（市）＋１' or \"营业收入（万元）\" > 0", COLUMNS).tree
    assert [lit.this for lit in tree.find_all(exp.Literal) if lit.is_string] == ["北京（市）＋１"]
    assert {c.name for c in tree.find_all(exp.Column)} == {"地区", "营业收入（万元）"}


def test_without_known_columns_chinese_names_keep_their_marks():
    # no columns known (no declaration, no data): 名称（单位） and 中＋文 read as names, a＋b as a sum
    assert [c.name for c in parse("营业收入（万元） > 0").find_all(exp.Column)] == ["营业收入（万元）"]
    assert [c.name for c in parse("工业＋建筑 > 0").find_all(exp.Column)] == ["工业＋建筑"]
    assert isinstance(parse("a＋b > 0").this, exp.Add)
    # with the columns known, the same text is split where the source has no such name
    tree = parse("工业＋建筑 > 0", names={"工业", "建筑"})
    assert isinstance(tree.this, exp.Add) and [c.name for c in tree.find_all(exp.Column)] == ["工业", "建筑"]


# (typed, character it points at, English words, Chinese words)
REFUSED = [
    ("地区 = “北京”", "“", ["Chinese quotation mark", "'北京'"], ["中文引号", "半角单引号"]),
    ("地区 = ‘北京’", "‘", ["Chinese quotation mark"], ["中文引号"]),
    ("a 》 0", "》", ["for '>'", "type >"], ["半角的 >"]),
    ("地区 in ('北京'、'上海')", "、", ["type ,"], ["半角的 ,"]),
    ("a > 0 & b > 0", "&", ["write and"], ["请写 and"]),
    ("a > 0 && b > 0", "&&", ["'&&'", "write and"], ["请写 and"]),
    ("a > 0 ＆ b > 0", "＆", ["'＆'", "write and"], ["「＆」"]),
    ("a > 0 | b > 0", "|", ["write or"], ["请写 or"]),
    ("a > 0 || b > 0", "||", ["'||' joins text", "write or"], ["连接文字"]),
    ("!is.na(x)", "!", ["'!is.na(x)' is written x is not null"], ["x is not null"]),
    ("is.na(x) or a > 0", "i", ["'is.na(x)' is written x is null"], ["x is null"]),
    ("!is.na(再就业_人数)", "!", ["'!is.na(再就业_人数)' is written 再就业_人数 is not null"],
     ["「!is.na(再就业_人数)」请写作 再就业_人数 is not null"]),
    ("is.na( 下岗人数 ) or a > 0", "i", ["'is.na( 下岗人数 )' is written 下岗人数 is null"], ["下岗人数 is null"]),
    ("下岗人数 ≥ 100", "≥", ["'≥' is written >="], ["「≥」请写作半角的 >="]),
    ("a ≤ b", "≤", ["written <="], ["<="]),
    ("a ≠ b", "≠", ["written !="], ["!="]),
    ("a × 2 > b", "×", ["written *"], ["*"]),
    ("!(a > 0)", "!", ["written not"], ["not (a > 0)"]),
    ("！（a ＞ 0）", "！", ["'！'", "written not"], ["「！」"]),
    ("a<-5", "<", ["'<-'", "a < -5"], ["a < -5"]),
    ("x %in% c(1, 2)", "%", ["'%in%'", "x in (1, 2)"], ["x in (1, 2)"]),
    ("x %% 2 == 0", "%", ["'%%'", "x % 2 = 0"], ["求余数"]),
    ("x == NA", "N", ["'NA'", "x is null"], ["缺失值"]),
    ("x in c(1, 2)", "c", ["'c(...)'", "x in (1, 2)"], ["不加 c"]),
    ("ifelse(a > 0, 1, 0) == 1", "i", ["CASE WHEN"], ["CASE WHEN"]),
    ("nrow() > 10", "n", ["count()"], ["count()"]),
    ("a = '北京", "'", ["text opened with ' is never closed"], ["没有结束"]),
]


@pytest.mark.parametrize("typed,char,en,zh", REFUSED, ids=[r[0] for r in REFUSED])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_refused_with_a_located_hint(typed, char, en, zh, lang):
    with lint_checks.speaking(lang), pytest.raises(ExpressionError) as e:
        compile_expression(typed, COLUMNS, Problem("", "pack.yml", 7, 11, "expr"))
    problem = e.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("pack.yml", 7, "expr")
    assert problem.column == 11 + typed.index(char)  # the expression starts at column 11 of line 7
    for words in (en if lang == "en" else zh):
        assert words in problem.message, problem.message


def test_r_and_sql_habits_that_mean_the_same_are_accepted():
    assert _sql("x == TRUE and a != b") == _sql("x = true AND a <> b")
    tree = compile_expression("x is not null", COLUMNS).tree
    assert isinstance(tree, exp.Not) and isinstance(tree.this, exp.Is) and isinstance(tree.this.expression, exp.Null)


def test_a_full_width_rule_finds_what_its_ascii_twin_finds(tmp_path):
    # by hand: unit 1: 60 + 50 = 110 >= 100 passes; unit 2: 30 + 40 = 70 fails; unit 3: 营业收入 missing: n/a
    pack = tmp_path / "p.yml"
    pack.write_text(
        "sources:\n  t:\n    keys: [unit]\n    columns: {unit: integer, 营业收入（万元）: number, 其他收入: number}\n"
        "rules:\n"
        "  - {id: W, kind: row, source: t, expr: '营业收入（万元）＋其他收入　＞＝　１００'}\n"
        "  - {id: A, kind: row, source: t, expr: '\"营业收入（万元）\" + 其他收入 >= 100'}\n", encoding="utf-8")
    frame = pd.DataFrame({"unit": [1, 2, 3], "营业收入（万元）": [60.0, 30.0, None], "其他收入": [50.0, 40.0, 5.0]})
    report = statguard.load_pack(pack).validate({"t": frame})
    summary = report.summary.set_index("rule_id")
    for rule in ("W", "A"):
        assert tuple(summary.loc[rule, ["passes", "fails", "not_evaluable"]]) == (1, 1, 1)
    assert [v["unit"] for v in report.violations["keys"]] == [2, 2]


def test_lint_on_the_command_line_points_at_the_character(tmp_path):
    pack = tmp_path / "pack.yml"
    pack.write_text("sources:\n  t:\n    keys: [id]\n    columns: {id: integer, a: number, b: number}\n"
                    "rules:\n  - id: R\n    kind: row\n    source: t\n    expr: a ＞ 0 & b ＞ 0\n", encoding="utf-8")
    for lang, words in (("en", "write and"), ("zh", "请写 and")):
        done = subprocess.run([sys.executable, "-m", "statguard", "lint", str(pack), "--lang", lang],
                              capture_output=True, text=True, encoding="utf-8", cwd=Path(tmp_path))
        assert done.returncode == 2, done.stdout + done.stderr
        assert "pack.yml:9:17" in done.stdout + done.stderr  # '&' is the 17th character of line 9
        assert words in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


QUOTABLE = {None: ["单位", "增速(%)", "投资额(万元)", "a-b", "a", "b"]}


@pytest.mark.parametrize("typed,scopes,name,at", [
    ("增速(%) > 0", QUOTABLE, "增速(%)", 0),                        # a call and a bare operator to the parser
    ("单位 = '甲' and 投资额(万元) > 1", QUOTABLE, "投资额(万元)", 13),  # a call of an unknown function
    ("增速(%) > 0", {None: None}, "增速(%)", 0),                     # columns not known: the shape says it
    ("a > 0 and 投资额(万元) > 1", {None: None}, "投资额(万元)", 10),
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_column_name_with_signs_written_bare_is_told_to_quote(typed, scopes, name, at, lang):
    with lint_checks.speaking(lang), pytest.raises(ExpressionError) as e:
        compile_expression(typed, scopes, Problem("", "pack.yml", 7, 11, "expr"))
    problem = e.value.problems[0]
    assert f'"{name}"' in problem.message, problem.message
    assert ("double quotes" if lang == "en" else "双引号") in problem.message
    assert problem.column == 11 + at


def test_names_with_signs_parse_when_quoted_and_other_errors_keep_their_words():
    assert _sql('"增速(%)" > 0 and "a-b" < a - b', QUOTABLE) == '"增速(%)" > 0 AND "a-b" < "a" - "b"'
    with pytest.raises(ExpressionError) as e:
        compile_expression('"增速(%)" > 0 and', QUOTABLE)
    assert "nothing on its right" in str(e.value)
    with pytest.raises(ExpressionError) as e:
        compile_expression("abs(%) > 0", {None: None})  # a function of the language: not a column
    assert "quotes" not in str(e.value)
