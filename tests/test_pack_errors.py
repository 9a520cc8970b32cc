"""Pack problems are reported with file, line, column and field; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

import statguard
from statguard.cli.main import main
from statguard.errors import PackError
from statguard.i18n import speaking


def _problems(tmp_path: Path, text: str, check_types: bool = False) -> list[str]:
    path = tmp_path / "pack.yml"
    path.write_text(text, encoding="utf-8")
    try:
        return [str(p) for p in statguard.load_pack(path, check_types=check_types).problems]
    except PackError as e:
        return [str(p) for p in e.problems]


BASE = """sources:
  t:
    keys: [k]
    columns: {k: string, v: number}
rules:
"""


def test_malformed_yaml_reports_line(tmp_path):
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: row\n   source: t\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'pack.yml'}:8:") and "malformed YAML" in problems[0]


@pytest.mark.parametrize("typo, line, en, zh", [
    ("  - id: A\n    kind: row\n   source: t\n", 8, "keys of one level must start in the same column",
     "YAML 格式错误：缩进不一致：同一层的键须从同一列开始"),
    ("  - id: A\n    kind: row\n    source: t\n    expr: \"v\\q > 0\"\n", 9, "write \\\\ or use single quotes",
     "YAML 格式错误：双引号中的反斜杠表示转义"),
    ("  - id: A\n    kind: row\n    source: t\n    expr: [v > 0\n", 10, "a list in [ ] is not closed",
     "方括号 [ ] 没有闭合"),
])
def test_yaml_syntax_errors_name_their_usual_cause_in_the_asked_language(tmp_path, capsys, typo, line, en, zh):
    (tmp_path / "pack.yml").write_text(BASE + typo, encoding="utf-8")
    for lang, words in (("en", en), ("zh", zh)):
        assert main(["lint", str(tmp_path / "pack.yml"), "--lang", lang]) == 2
        err = "".join(capsys.readouterr())
        assert f"pack.yml:{line}:" in err and words in err and "Traceback" not in err, err
        assert lang == "en" or "while parsing" not in err  # no parser English in Chinese


@pytest.mark.parametrize("lang, words", [("en", "'kind' is followed by the full-width colon '：'"),
                                         ("zh", "「kind」后面是全角冒号「：」")])
def test_a_key_typed_with_the_full_width_colon_is_named_where_it_is(tmp_path, capsys, lang, words):
    """The Chinese input method's '：' makes `kind：row` part of a plain text that YAML trips over
    on a later line; the error names the key and its line, not the line YAML stopped at."""
    (tmp_path / "pack.yml").write_text(BASE + "  - id: A\n    kind：row\n    source: t\n    expr: v > 0\n",
                                       encoding="utf-8")
    assert main(["lint", str(tmp_path / "pack.yml"), "--lang", lang]) == 2
    err = "".join(capsys.readouterr())
    assert "pack.yml:7:9:" in err and words in err, err


def test_a_full_width_colon_inside_a_value_is_not_blamed(tmp_path, capsys):
    (tmp_path / "pack.yml").write_text(
        BASE + "  - id: A\n    kind: row\n    message: 注意：请核实\n    source: t\n   expr: v > 0\n",
        encoding="utf-8")
    assert main(["lint", str(tmp_path / "pack.yml")]) == 2
    err = "".join(capsys.readouterr())
    assert "full-width" not in err and "pack.yml:10:" in err, err


def test_unknown_kind_names_known_kinds(tmp_path):
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: rowz\n    source: t\n")
    assert problems == [f"{tmp_path / 'pack.yml'}:7:11: [kind] unknown rule kind 'rowz' (known kinds: "
                        + problems[0].split("(known kinds: ")[1]]
    assert "row" in problems[0] and "schema" in problems[0]


def test_unknown_column_points_into_the_expression(tmp_path):
    # 'valeu' is a near miss of the declared 'value': a typo, refused without data (a name unlike
    # any declared one is left to the data's header: tests/test_undeclared_columns.py)
    base = BASE.replace("v: number}", "v: number, value: number}")
    problems = _problems(tmp_path, base + "  - id: A\n    kind: row\n    source: t\n    expr: v + valeu > 0\n")
    assert problems == [f"{tmp_path / 'pack.yml'}:9:15: [expr] unknown column 'valeu' in the source; "
                        "did you mean 'value'?"]


def test_refused_expression_points_at_the_token(tmp_path):
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: row\n    source: t\n"
                         "    expr: \"v > 0 AND read_csv('/etc/passwd') IS NULL\"\n")
    assert len(problems) == 1
    assert ":9:" in problems[0] and "read_csv" in problems[0]


def test_a_number_beyond_a_double_is_refused_at_it_not_computed_as_infinity(tmp_path):
    # 1e400 read as infinity made 'v * 1e400 < 5' fail, shown as 'NA vs 5' (engineer trial)
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: row\n    source: t\n    expr: v * 1e400 < 5\n")
    assert problems == [f"{tmp_path / 'pack.yml'}:9:15: [expr] the number 1e400 is too large to compute with "
                        "(beyond about 1.8e308)"]


def test_parameter_of_wrong_type_and_unknown_parameter(tmp_path):
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: row\n    source: t\n    expr: v > 0\n"
                         "    tolerance: abc\n    tolerence: 1\n")
    assert any(":10:16: [tolerance]" in p and "number" in p for p in problems), problems
    assert any(":11:5: [tolerence] unknown parameter 'tolerence'" in p for p in problems), problems


def test_missing_parameter_and_bad_severity(tmp_path):
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: row\n    source: t\n    severity: fatal\n")
    assert any("severity must be one of error, warning, info" in p and ":9:" in p for p in problems)
    assert any("kind 'row' needs parameter 'expr'" in p for p in problems)


def test_duplicate_rule_id_and_duplicate_key(tmp_path):
    rule = "  - id: A\n    kind: row\n    source: t\n    expr: v > 0\n"
    problems = _problems(tmp_path, BASE + rule + rule)
    assert any("rule id 'A' is used twice" in p and ":10:" in p for p in problems)
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: row\n    kind: row\n")
    assert any("duplicate key 'kind' (first given on line 7)" in p for p in problems)


def test_unknown_source_and_unknown_source_key(tmp_path):
    problems = _problems(tmp_path, BASE + "  - id: A\n    kind: row\n    source: x\n    expr: v > 0\n")
    assert any("unknown source 'x'" in p and ":8:13: [source]" in p for p in problems), problems
    problems = _problems(tmp_path, "sources:\n  t:\n    colums: {k: string}\n")
    assert any(":3:5: [colums] unknown key 'colums'" in p for p in problems)


def test_empty_and_non_utf8_pack(tmp_path):
    assert _problems(tmp_path, "") == [f"{tmp_path / 'pack.yml'}:1:1: file is empty"]
    path = tmp_path / "gbk.yml"
    path.write_bytes("rules:\n  - id: 甲\n".encode("gbk"))
    with pytest.raises(PackError, match="not UTF-8"):
        statguard.load_pack(path)


def test_broken_rule_does_not_stop_the_others(tmp_path):
    path = tmp_path / "pack.yml"
    path.write_text(BASE + "  - {id: BAD, kind: row, source: t, expr: nope > 1}\n"
                    "  - {id: GOOD, kind: row, source: t, expr: v > 0}\n", encoding="utf-8")
    import pandas as pd
    report = statguard.load_pack(path).validate({"t": pd.DataFrame({"k": ["a", "b"], "v": [1, -1]})})
    rows = report.summary.set_index("rule_id")
    assert rows.loc["BAD", "errored"] and "unknown column 'nope'" in rows.loc["BAD", "error"]
    assert not rows.loc["GOOD", "errored"] and rows.loc["GOOD", "fails"] == 1
    # a problem found without data (here a bad severity) is refused by a strict load
    path.write_text(BASE + "  - {id: BAD, kind: row, source: t, expr: v > 1, severity: fatal}\n", encoding="utf-8")
    with pytest.raises(PackError):
        statguard.load_pack(path, strict=True)


def test_include_and_directory_pack(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "sources.yml").write_text(BASE.replace("rules:\n", ""), encoding="utf-8")
    (tmp_path / "pack" / "rules.yml").write_text("rules:\n  - {id: A, kind: row, source: t, expr: v > 0}\n",
                                                 encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "pack")
    assert [r.id for r in pack.rules] == ["A"] and list(pack.sources) == ["t"] and not pack.problems
    (tmp_path / "main.yml").write_text("include: [pack/sources.yml]\nrules:\n  - {id: B, kind: row, source: t, "
                                       "expr: v < 10}\n", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "main.yml")
    assert [r.id for r in pack.rules] == ["B"] and not pack.problems
    (tmp_path / "bad.yml").write_text("include: [nowhere.yml]\n", encoding="utf-8")
    with pytest.raises(PackError, match="included file not found: nowhere.yml"):
        statguard.load_pack(tmp_path / "bad.yml")


def test_reserved_rule_id(tmp_path):
    problems = _problems(tmp_path, BASE + "  - {id: explanations, kind: row, source: t, expr: v > 0}\n")
    assert any("rule id 'explanations' is reserved" in p and ":6:" in p for p in problems), problems


TYPED = ("sources:\n  t:\n    columns: {name: string, v: number, d: date}\nrules:\n"
         "  - {id: TXT, kind: row, source: t, expr: name + 1 > 0}\n"
         "  - {id: DATE, kind: row, source: t, expr: d > 5}\n"
         "  - {id: FINE, kind: row, source: t, expr: v + 1 > 0 AND d >= DATE '2024-01-01'}\n")


def test_type_mismatch_is_found_by_lint_without_data(tmp_path):
    problems = _problems(tmp_path, TYPED, check_types=True)
    assert len(problems) == 2, problems
    assert problems[0].startswith(f"{tmp_path / 'pack.yml'}:5:") and "rule 'TXT' cannot be evaluated" in problems[0]
    # DuckDB's words (+(VARCHAR, INTEGER_LITERAL), Binder Error) said in the reader's, with what to do
    assert "+ does not take a text value and a number; look at the types the pack declares" in problems[0]
    assert not any(w in p for p in problems for w in ("VARCHAR", "Binder", "Candidate functions", "LITERAL"))
    assert "rule 'DATE' cannot be evaluated" in problems[1] and "it compares a date with a number" in problems[1]
    assert main(["lint", str(tmp_path / "pack.yml")]) == 2
    assert _problems(tmp_path, TYPED) == []  # plain loading leaves it to lint, or to the run:


def test_type_mismatch_in_chinese_names_like_as_written(tmp_path):
    pack = ("pack: {name: t, lang: zh}\nsources:\n  t:\n    columns: {单位: string, 套数: integer}\nrules:\n"
            "  - {id: E34, kind: row, source: t, expr: 套数 LIKE 5}\n")
    with speaking("zh"):
        problems = _problems(tmp_path, pack, check_types=True)
    assert len(problems) == 1 and "LIKE 不接受数值；请检查规则包为该规则所用列声明的类型" in problems[0], problems
    assert "~~" not in problems[0]


def test_type_mismatch_at_run_time_is_the_located_lint_problem(tmp_path):
    import pandas as pd
    _problems(tmp_path, TYPED)
    data = pd.DataFrame({"name": ["a", "b"], "v": [1.0, -5.0], "d": ["2024-03-01", "2023-01-01"]})
    report = statguard.load_pack(tmp_path / "pack.yml").validate({"t": data})
    rows = {r["rule_id"]: r for r in report.rules()}
    assert rows["TXT"]["errored"] and rows["DATE"]["errored"]
    assert rows["TXT"]["error"].startswith(f"{tmp_path / 'pack.yml'}:5:")
    assert "rule 'TXT' cannot be evaluated on the declared column types" in rows["TXT"]["error"]
    assert "rule 'DATE' cannot be evaluated" in rows["DATE"]["error"]
    assert not rows["FINE"]["errored"] and (rows["FINE"]["passes"], rows["FINE"]["fails"]) == (1, 1)




def test_unknown_key_inside_a_nested_parameter_is_located_at_that_key(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text("sources:\n  c: {unit: u, columns: {p: string, u: string, s: date}}\n"
                    "  i: {columns: {p: string, m: date}}\n"
                    "rules:\n  - id: E\n    kind: exists\n    source: c\n    other: i\n    match: [p]\n"
                    "    window: {date: s, other_date: m, end: 3, ende: 4}\n", encoding="utf-8")
    pack = statguard.load_pack(path)
    assert [str(p) for p in pack.problems] == [
        f"{path}:10:46: [window.ende] unknown key 'ende' in 'window' of kind 'exists'; did you mean 'end'?"]


def test_rule_ids_and_periods_written_as_numbers_are_taken_as_written(tmp_path):
    import pandas as pd
    path = tmp_path / "p.yml"
    path.write_text("sources:\n  t: {unit: u, period: y, columns: {u: string, y: string, v: number}}\nrules:\n"
                    "  - {id: 101, kind: row, source: t, expr: v >= 0}\n"
                    "  - {id: 0102, kind: row, source: t, expr: v >= 0}\n"
                    "  - {id: 1.10, kind: sequence, source: t, from: 2014, to: 2016}\n", encoding="utf-8")
    pack = statguard.load_pack(path, strict=True)
    assert [r.id for r in pack.rules] == ["101", "0102", "1.10"]  # as written: YAML reads 0102 as the octal 66
    data = pd.DataFrame({"u": ["A", "A"], "y": ["2014", "2016"], "v": [1, 2]})
    report = pack.validate({"t": data}, rules=["1.10"])
    assert list(report.violations["unit"]) == ["A"] and "2015" in report.violations["message"][0]


def test_a_date_as_rule_id_is_still_refused_with_the_quoting_advice(tmp_path):
    problems = _problems(tmp_path, BASE + "  - {id: 2024-01-01, kind: row, source: t, expr: v > 0}\n")
    assert len(problems) == 1 and "quote it: id: '2024-01-01'" in problems[0]


def test_an_id_yaml_reads_as_a_boolean_is_text_and_a_list_is_located(tmp_path):
    (tmp_path / "h.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("sources:\n  h: {path: h.csv}\nrules:\n"
                                    "  - {id: yes, kind: row, source: h, expr: a > 0}\n"
                                    "  - {id: [x, y], kind: row, source: h, expr: a > 0}\n", encoding="utf-8")
    rows = {r["rule_id"]: r for r in statguard.load_pack(tmp_path / "p.yml").validate().rules()}
    assert rows["yes"]["passes"] == 1  # as written, not "True" nor "rule has no 'id'"
    assert f"{tmp_path / 'p.yml'}:5:10: [id] a rule's 'id' is one name, not" in rows["p.yml:5"]["error"]
