"""statguard lint catches what a run would trip on: every problem of a rule, typos with a
suggestion, message templates, regular expressions; on stdout, in Chinese with --lang zh."""

from __future__ import annotations

from pathlib import Path

from statguard.cli.main import main

BASE = """sources:
  t:
    keys: [k]
    columns: {k: string, v: number, w: number}
rules:
"""


def _lint(tmp_path: Path, rules: str, capsys, *extra: str) -> tuple[int, list[str]]:
    path = tmp_path / "p.yml"
    path.write_text(BASE + rules, encoding="utf-8")
    code = main(["lint", str(path), *extra])
    out, err = capsys.readouterr()
    assert err == ""  # everything lint says is on stdout
    return code, [line.removeprefix(f"{path}:") for line in out.splitlines()]


def test_every_problem_of_one_rule_is_listed(tmp_path, capsys):
    # line 6: the rule; 9: a pattern RE2 refuses; 10: severity; 11: a placeholder naming nothing
    code, lines = _lint(tmp_path, "  - id: A\n    kind: row\n    source: t\n"
                        "    expr: v > 0 AND regexp_matches(k, '(a)\\1')\n"
                        "    severity: bad\n    message: 'v is {v} and {nope}'\n", capsys)
    assert code == 2
    assert len(lines) == 3, lines
    assert lines[0].startswith("9:") and "not a regular expression the engine (RE2) accepts" in lines[0]
    assert lines[1].startswith("10:15: [severity] severity must be one of")
    assert lines[2].startswith("11:14: [message] message template: {nope} names no value")


def test_an_expression_problem_does_not_hide_the_others(tmp_path, capsys):
    code, lines = _lint(tmp_path, "  - id: A\n    kind: row\n    source: t\n    expr: v + read_csv(k) > 0\n"
                        "    severity: bad\n    message: 'v is {v'\n", capsys)
    assert code == 2 and len(lines) == 3, lines
    assert lines[0].startswith("9:15: [expr] function 'read_csv' is not allowed")
    assert lines[1].startswith("10:15: [severity]")
    assert lines[2].startswith("11:14: [message] message template: unmatched brace")


def test_a_typo_gets_a_suggestion_and_the_rest_of_the_rule_is_still_checked(tmp_path, capsys):
    # 'kk' is not a near miss of the declared 'k' or 'v' (undeclared columns are the data's to
    # decide, see test_undeclared_columns), so the expression's typo here is a misspelt function
    code, lines = _lint(tmp_path, "  - id: A\n    kind: row\n    source: t\n    expr: lenght(k) > 0\n    tolerence: 1\n"
                        "  - {id: B, kind: rwo, source: t}\n", capsys)
    assert code == 2 and len(lines) == 3, lines
    assert lines[0].startswith("9:11: [expr]") and "lenght" in lines[0]
    assert lines[1].startswith("10:5: [tolerence] unknown parameter 'tolerence' for kind 'row'")
    assert lines[1].endswith("; did you mean 'tolerance'?")
    assert "unknown rule kind 'rwo'" in lines[2] and lines[2].endswith("did you mean 'row'?")


def test_a_lone_brace_does_not_hide_the_other_placeholders(tmp_path, capsys):
    code, lines = _lint(tmp_path, "  - {id: A, kind: row, source: t, expr: v > 0, message: 'a { b {v} {zz:>5}'}\n",
                        capsys)
    assert code == 2 and len(lines) == 2, lines
    assert "unmatched brace: a lone '{' at character 3" in lines[0]
    assert "{zz} names no value" in lines[1] and "{v}" not in lines[1]


def test_absurd_and_invalid_formats(tmp_path, capsys):
    code, lines = _lint(tmp_path, "  - {id: A, kind: row, source: t, expr: v > 0, message: '{v:>5000} {k:zz}'}\n",
                        capsys)
    assert code == 2 and len(lines) == 2, lines
    assert "('>5000') asks for a width or precision above 1000" in lines[0]
    assert "('zz') is neither a format" in lines[1]


def test_regular_expressions_in_expressions_are_checked(tmp_path, capsys):
    code, lines = _lint(tmp_path, "  - {id: A, kind: row, source: t, expr: \"regexp_matches(k, '(ab')\"}\n"
                        "  - {id: B, kind: row, source: t, expr: \"regexp_matches(k, '(?=a)b')\"}\n"
                        "  - {id: C, kind: row, source: t, expr: \"regexp_matches(k, '^[0-9]{6}$')\"}\n", capsys)
    assert code == 2 and len(lines) == 2, lines
    assert lines[0].startswith("6:") and "'(ab' of regexp_matches is not a valid regular expression" in lines[0]
    assert lines[1].startswith("7:") and "not a regular expression the engine (RE2) accepts" in lines[1]


def test_column_pattern_is_checked(tmp_path, capsys):
    path = tmp_path / "p.yml"
    path.write_text("sources:\n  t:\n    columns:\n      k: {type: string, pattern: '[a-'}\n", encoding="utf-8")
    assert main(["lint", str(path)]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:4:") and "pattern of column 'k' is not a valid regular expression" in out


def test_lint_in_chinese(tmp_path, capsys):
    code, lines = _lint(tmp_path, "  - {id: A, kind: row, source: t, expr: v > 0, tolerence: 1, message: '{v'}\n",
                        capsys, "--lang", "zh")
    assert code == 2 and len(lines) == 2, lines
    assert "规则类型「row」没有参数「tolerence」" in lines[0] and "是否想写 'tolerance'" in lines[0]
    assert "消息模板：花括号不成对" in lines[1]


def test_a_clean_pack_says_ok_on_stdout(tmp_path, capsys):
    code, lines = _lint(tmp_path, "  - {id: A, kind: row, source: t, expr: v > 0}\n", capsys, "--lang", "zh")
    assert code == 0 and lines == [f"{tmp_path / 'p.yml'}：没有问题（1 条规则，1 个数据源）"]


def test_analyze_fails_on_contradictory_rules_and_passes_a_consistent_pack(tmp_path, capsys):
    # x > 5 and x < 3 cannot both hold (by hand); x > 5 with y >= 0 can
    code, lines = _lint(tmp_path, "  - {id: GT5, kind: row, source: t, expr: v > 5}\n"
                        "  - {id: LT3, kind: row, source: t, expr: v < 3}\n", capsys, "--analyze")
    assert code == 2 and any(line.startswith("6: error") and "GT5" in line and "LT3" in line for line in lines)
    code, lines = _lint(tmp_path, "  - {id: GT5, kind: row, source: t, expr: v > 5}\n"
                        "  - {id: W, kind: row, source: t, expr: w >= 0}\n", capsys, "--analyze")
    assert code == 0 and lines[-1] == " ok (2 rules, 1 sources)"


def test_lint_speaks_the_language_the_pack_declares(tmp_path, capsys):
    """Without --lang, a pack's `lang: zh` makes lint's own words Chinese (its summary, the note
    prefix, the analysis' severity) as it does the problems; --lang still wins."""
    path = tmp_path / "zh.yml"
    path.write_text("pack: {name: 测试, lang: zh}\n" + BASE
                    + "  - {id: GT5, kind: row, source: t, expr: v > 5}\n"
                    "  - {id: S, kind: aggregate, source: t, by: [区县], expr: sum(v) > 0}\n", encoding="utf-8")
    assert main(["lint", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:8:45: 提示：[by] 列“区县”未在数据源“t”中声明：按数据中的列处理，运行时检查数据是否有此列",
        f"{path}：没有问题（2 条规则，1 个数据源）"]
    assert main(["lint", str(path), "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{path}:8:45: note: [by] ") and lines[1] == f"{path}: ok (2 rules, 1 sources)"
    path.write_text(path.read_text(encoding="utf-8") + "  - {id: LT3, kind: row, source: t, expr: v < 3}\n",
                    encoding="utf-8")
    assert main(["lint", str(path), "--analyze"]) == 2
    assert f"{path}:7: 错误：" in capsys.readouterr().out


def test_a_description_per_language_is_linted_like_a_message(tmp_path, capsys):
    code, lines = _lint(tmp_path,
                        "  - {id: A, kind: row, source: t, expr: v > 0, description: {zh: 正数, en: positive}}\n"
                        "  - {id: B, kind: row, source: t, expr: v > 0, description: {zh: 正数, fr: positif}}\n"
                        "  - {id: C, kind: row, source: t, expr: v > 0, description: {zh: [正数]}}\n"
                        "  - {id: D, kind: row, source: t, expr: v > 0, description: [正数]}\n", capsys)
    assert code == 2 and len(lines) == 3, lines
    assert lines[0].startswith("7:") and "description language 'fr' is not one statguard speaks" in lines[0]
    assert lines[1].startswith("8:") and "description.zh must be text" in lines[1]
    assert lines[2].startswith("9:") and "description must be text or a mapping of language to text" in lines[2]
