"""statguard explain PACK RULE: sentence, parameters, SQL per dialect, verified examples, violations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

import statguard
from statguard.authoring.explain_rule import explain_rule
from statguard.cli.main import main

from conftest import ROOT

PACK = """sources:
  t:
    keys: [k]
    unit: k
    period: y
    columns: {k: string, y: string, a: number, b: number, c: number}
rules:
  - {id: SUM, kind: row, source: t, expr: a + b == c}
  - {id: LE, kind: row, source: t, expr: 2 * a <= c - 5, where: b > 0}
  - {id: NEVER, kind: row, source: t, expr: a < a}
  - {id: UQ, kind: unique, source: t, keys: [k, y]}
  - {id: SEQ, kind: sequence, source: t, from: 2014, to: 2016}
  - {id: OUT, kind: outlier, source: t, value: a}
  - id: PW
    kind: part_whole
    source: t
    groups:
      - {name: first, whole: c, parts: [a, b]}
      - {name: second, whole: a, parts: [b]}
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "p.yml"
    path.write_text(PACK, encoding="utf-8")
    (tmp_path / "t.csv").write_text("k,y,a,b,c\nA,2014,1,2,3\nA,2015,1,2,4\nA,2016,5,5,9\nB,2014,1,1,3\n",
                                    encoding="utf-8")
    return path


def _only(example):
    (records,) = example.data.values()
    return records


def test_linear_row_rule_gets_examples_that_really_pass_and_fail(pack):
    ex = explain_rule(statguard.load_pack(pack), "SUM", "en")
    (good,), (bad,) = _only(ex.passing), _only(ex.failing)
    assert good["a"] + good["b"] == good["c"]  # checked here by arithmetic, not by statguard
    assert abs(bad["a"] + bad["b"] - bad["c"]) > 1e-6
    assert ex.sentence == "Every record of t must satisfy a + b == c."
    assert ex.parameters == [("source", "t"), ("expr", "a + b == c")]


def test_inequality_with_where_examples_are_in_scope(pack):
    ex = explain_rule(statguard.load_pack(pack), "LE", "en")
    (good,), (bad,) = _only(ex.passing), _only(ex.failing)
    assert good["b"] > 0 and 2 * good["a"] <= good["c"] - 5
    assert bad["b"] > 0 and 2 * bad["a"] > bad["c"] - 5
    assert "Only records where b > 0 are checked." in ex.sentence


def test_a_rule_nothing_passes_gets_no_passing_example(pack, capsys):
    assert main(["explain", str(pack), "NEVER", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    passes = out.split("Example that passes\n")[1].split("\n")[0]
    assert passes.strip() == "no example"
    fails = out.split("Example that fails\n")[1]
    assert fails.startswith("  t: ")


def test_compiled_sql_per_dialect_runs(pack):
    ex = explain_rule(statguard.load_pack(pack), "SUM", "en", examples=False)
    assert set(ex.sql) == {"duckdb", "spark"} and "`a`" in ex.sql["spark"] and '"a"' in ex.sql["duckdb"]
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"k": ["A", "B"], "y": ["1", "1"], "a": [1.0, 1.0], "b": [2.0, 2.0],
                                    "c": [3.0, 4.0]}))
    statuses = [r[0] for r in con.execute(ex.sql["duckdb"]).fetchall()]
    assert statuses == ["pass", "fail"]


def test_unique_and_sequence_examples(pack):
    loaded = statguard.load_pack(pack)
    uq = explain_rule(loaded, "UQ", "en")
    bad = _only(uq.failing)
    assert len(bad) == 2 and (bad[0]["k"], bad[0]["y"]) == (bad[1]["k"], bad[1]["y"])
    good = _only(uq.passing)
    assert len({(r["k"], r["y"]) for r in good}) == len(good)
    seq = explain_rule(loaded, "SEQ", "en")
    assert sorted(r["y"] for r in _only(seq.passing)) == ["2014", "2015", "2016"]
    assert len({r["y"] for r in _only(seq.failing)}) < 3


def test_kind_without_template_is_described_from_its_parameters(pack):
    ex = explain_rule(statguard.load_pack(pack), "OUT", "en", examples=False)
    assert ex.sentence.startswith("Kind 'outlier': ") and "value: a (" in ex.sentence


def test_kind_without_template_is_described_in_the_asked_language(pack):
    ex = explain_rule(statguard.load_pack(pack), "OUT", "zh", examples=False)
    assert ex.sentence.startswith("规则类型「outlier」：") and "value: a（" not in ex.sentence
    summary, first = ex.sentence.splitlines()[:2]
    assert summary.endswith("稳健 z 值，或对环比/同比比值用 Hidiroglou-Berthelot 法。")  # the kind's Chinese summary
    assert first.startswith("  - source: t (") and any("\u4e00" <= ch <= "\u9fff" for ch in first)


def test_part_whole_groups_each_get_their_sentence(pack):
    ex = explain_rule(statguard.load_pack(pack), "PW", "en", examples=False)
    assert ex.sentence.splitlines() == ["In each record of t, the parts a, b must add up to c.",
                                        "In each record of t, the parts b must add up to a."]
    assert "None" not in explain_rule(statguard.load_pack(pack), "PW", "zh", examples=False).sentence


def test_violations_for_one_unit_from_the_cli(pack, capsys):
    data = f"t={pack.parent / 't.csv'}"
    assert main(["explain", str(pack), "SUM", "--data", data, "--unit", "A", "--no-examples", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    # by hand: A 2015 (1+2 != 4) fails, A 2016 (5+5 != 9) fails; B 2014 (1+1 != 3) fails too
    assert "Violations for unit A (2 of 3)" in out
    assert out.count("does not hold") == 2 and "2015" in out and "2016" in out
    assert main(["explain", str(pack), "SUM", "--data", data, "--no-examples", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "单位 A 的问题（2 条，共 3 条）" in out and "t 的每条记录都须满足 a + b == c。" in out


def test_a_unit_the_data_does_not_hold_is_an_error_not_a_unit_without_violations(pack, capsys):
    data = f"t={pack.parent / 't.csv'}"
    assert main(["explain", str(pack), "SUM", "--data", data, "--unit", "a", "--no-examples", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "unit a is not in the data of rule SUM (units: A, B); did you mean 'A'?" in err
    assert main(["explain", str(pack), "UQ", "--data", data, "--unit", "B", "--no-examples", "--lang", "en"]) == 0
    assert "unit B has no violations of this rule" in capsys.readouterr().out  # there, and clean
    # --unit without --data: the file the pack declares
    declared = pack.parent / "declared.yml"
    declared.write_text(PACK.replace("    keys: [k]\n", "    keys: [k]\n    path: t.csv\n", 1), encoding="utf-8")
    assert main(["explain", str(declared), "SUM", "--unit", "A", "--no-examples", "--lang", "en"]) == 0
    assert "Violations for unit A (2 of 3)" in capsys.readouterr().out
    assert main(["explain", str(declared), "SUM", "--unit", "C", "--no-examples", "--lang", "en"]) == 2
    assert "unit C is not in the data of rule SUM" in capsys.readouterr().err


def test_unknown_rule_is_a_located_error(pack, capsys):
    assert main(["explain", str(pack), "NOPE"]) == 2
    err = capsys.readouterr().err
    assert "no rule 'NOPE'" in err and "SUM" in err


def test_no_examples_prints_no_example_headings(pack, capsys):
    assert main(["explain", str(pack), "SUM", "--no-examples", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "通过的例子" not in out and "无例子" not in out
    assert main(["explain", str(pack), "NEVER", "--lang", "zh"]) == 0  # asked for, none found: said so
    assert "通过的例子\n  无例子" in capsys.readouterr().out


def test_a_violations_keys_are_written_as_a_reader_reads_them(capsys):
    investment = ROOT / "rules" / "investment"
    assert main(["explain", str(investment), "INV-PARTS", "--no-examples", "--unit", "建邺区"]) == 0
    out = capsys.readouterr().out
    assert "  2024年1-9月 单位代码 320105：建邺区：制造业 230.1" in out and "{'" not in out
    reemployment = ROOT / "rules" / "reemployment"  # the only key is the unit itself: nothing before the message
    assert main(["explain", str(reemployment), "RE-02", "--no-examples", "--unit", "东城区"]) == 0
    assert "\n  上报再就业率 100.0%，社保记录核实 70.0%（14/20 人）" in capsys.readouterr().out


def test_examples_keep_to_the_columns_declared_bounds():
    pack = statguard.load_pack(ROOT / "rules" / "investment")
    columns = pack.sources["projects"].columns
    for rule in ("INV-PARTS", "INV-SHARE-MFG", "INV-SHARE-SVC"):
        ex = explain_rule(pack, rule, "zh")
        for example in (ex.passing, ex.failing):
            (record,) = example.data["projects"]
            for name, value in record.items():
                low, high = columns[name].min, columns[name].max
                if isinstance(value, (int, float)):
                    assert (low is None or value >= low) and (high is None or value <= high), (rule, name, value)
    (good,) = explain_rule(pack, "INV-PARTS", "zh").passing.data["projects"]
    assert good["制造业投资"] + good["服务业投资"] <= good["总投资"]  # by arithmetic: it does pass
