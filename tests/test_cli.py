"""The CLI end to end: exit codes, JSON report against its schema, lint output, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from statguard.cli.main import main
from statguard.load.jsonschema import report_schema

from conftest import SHARED

SBS = SHARED / "data" / "validate" / "SBS2000.csv"
PACK = f"""pack:
  name: sbs
sources:
  sbs:
    path: {SBS}
    keys: [id]
    unit: id
rules:
  - {{id: BALANCE, kind: row, source: sbs, expr: turnover + other.rev == total.rev, severity: warning}}
  - {{id: PROFIT, kind: row, source: sbs, expr: total.rev - profit == total.costs, severity: error}}
  - {{id: MARGIN, kind: row, source: sbs, expr: profit <= 0.6 * total.rev, severity: info}}
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    path = tmp_path / "sbs.yml"
    path.write_text(PACK, encoding="utf-8")
    return path


def test_validate_reference_figures_through_the_cli(pack, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["check", str(pack), "--format", "json", "--output", str(out)]) == 1
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, report_schema())
    figures = {r["rule_id"]: (r["passes"], r["fails"], r["not_evaluable"]) for r in report["summary"]}
    # R package validate's documented results on SBS2000
    assert figures == {"BALANCE": (19, 4, 37), "PROFIT": (39, 14, 7), "MARGIN": (49, 6, 5)}
    assert report["counts"] == {"error": 14, "warning": 4, "info": 6}
    first = next(v for v in report["violations"] if v["rule_id"] == "BALANCE")
    assert first["values"].keys() == {"turnover", "other.rev", "total.rev"}
    assert first["imbalance"] == pytest.approx(first["observed"] - first["expected"])


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_exit_codes_follow_fail_on(pack, fail_on, code, capsys):
    assert main(["check", str(pack), "--fail-on", fail_on]) == code


def test_fail_on_error_ignores_warnings(tmp_path, capsys):
    path = tmp_path / "p.yml"
    path.write_text(PACK.replace("severity: error", "severity: warning").replace("severity: info", "severity: warning"),
                    encoding="utf-8")
    assert main(["check", str(path), "--fail-on", "error"]) == 0
    assert main(["check", str(path), "--fail-on", "warning"]) == 1
    capsys.readouterr()
    assert main(["check", str(path), "--rule", "MARGIN", "--format", "json", "--fail-on", "never"]) == 0
    assert [r["rule_id"] for r in json.loads(capsys.readouterr().out)["summary"]] == ["MARGIN"]


def test_text_summary_fits_80_columns(pack, capsys):
    main(["check", str(pack)])
    out = capsys.readouterr().out
    from statguard.report.text import width_of
    assert "BALANCE" in out and "19" in out and "37" in out
    assert max(width_of(line) for line in out.splitlines()) <= 80


def test_pack_error_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("rules:\n  - id: A\n    kind: row\n   source: t\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "statguard", "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and f"{bad}:4:" in proc.stderr


def test_data_error_exits_2_and_other_rules_report(tmp_path, capsys):
    path = tmp_path / "p.yml"
    path.write_text(PACK + "  - {id: BROKEN, kind: row, source: sbs, expr: nosuch > 0}\n", encoding="utf-8")
    assert main(["check", str(path), "--format", "json"]) == 2
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert {r["rule_id"]: r["errored"] for r in report["summary"]} == {
        "BALANCE": False, "PROFIT": False, "MARGIN": False, "BROKEN": True}
    assert "BROKEN" in captured.err


def test_missing_source_file_and_bad_source_option(pack, tmp_path, capsys):
    assert main(["check", str(pack), "--source", f"sbs={tmp_path / 'none.csv'}"]) == 2
    assert "not found" in capsys.readouterr().out
    assert main(["check", str(pack), "--source", "sbs"]) == 2
    assert "NAME=PATH" in capsys.readouterr().err
    assert main(["check", str(pack), "--source", f"other={SBS}"]) == 2


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check"])
    assert e.value.code == 2


def test_lint_lists_every_problem_with_positions(tmp_path, capsys):
    path = tmp_path / "p.yml"
    path.write_text("sources:\n  t: {columns: {value: number}}\nrules:\n"
                    "  - {id: A, kind: row, source: t, expr: valeu > 0}\n"
                    "  - {id: B, kind: nope}\n", encoding="utf-8")
    assert main(["lint", str(path)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    # 'valeu' is a near miss of the declared 'value' (an undeclared name unlike any declared one
    # would be the data's to decide)
    assert lines[0].startswith(f"{path}:4:") and "unknown column 'valeu'" in lines[0]
    assert lines[1].startswith(f"{path}:5:") and "unknown rule kind 'nope'" in lines[1]


def test_lint_ok_and_kinds_and_schema(pack, capsys):
    assert main(["lint", str(pack)]) == 0
    assert main(["kinds"]) == 0
    assert "row" in capsys.readouterr().out
    assert main(["schema", "pack"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "row" in schema["$defs"]["kind_row"]["properties"]["kind"]["const"]


def test_the_output_file_name_chooses_the_format(pack, tmp_path, capsys):
    """-o report.html without -f writes HTML (not text under an .html name); each suffix its format."""
    html, data, sheet = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "r.xlsx"
    assert main(["check", str(pack), "-o", str(html), "-o", str(data), "-o", str(sheet)]) == 1
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert json.loads(data.read_text(encoding="utf-8"))["summary"][0]["rule_id"] == "BALANCE"
    assert sheet.read_bytes()[:2] == b"PK"  # a zip: an xlsx workbook
    captured = capsys.readouterr()  # nothing on stdout; the verdict and the files on stderr
    assert captured.out == "" and "FAIL" in captured.err and str(html) in captured.err and str(sheet) in captured.err
    assert main(["check", str(pack), "-o", str(html), "-f", "html", "-f", "text"]) == 1  # text on stdout: no extra
    assert str(html) not in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["-f", "json", "-o", "r.html"], ["r.html", "html", "json"]),
    (["-f", "xlsx"], ["xlsx", "--output"]),
    (["-o", "a.json", "-o", "b.json", "-f", "json"], ["more --output files"]),
    (["-o", "r.json", "-o", "r.pdf"], ["r.pdf", ".pdf", ".html", ".xlsx", "--format"]),
    (["-o", "r.xls"], ["r.xls", ".xls", ".xlsx"]),
])
def test_contradicting_formats_are_refused_before_any_work(pack, tmp_path, capsys, args, words):
    args = [a if not a.startswith(("a.", "b.", "r.")) else str(tmp_path / a) for a in args]
    assert main(["check", str(pack), *args]) == 2
    captured = capsys.readouterr()
    assert all(w in captured.err for w in words) and "Traceback" not in captured.err
    assert not [p for p in tmp_path.glob("r.*")] + [p for p in tmp_path.glob("?.json")]  # nothing written


@pytest.mark.parametrize("encoding", ["ascii", "gbk", "latin-1"])
def test_a_console_that_cannot_show_chinese_never_crashes(pack, encoding):
    """Chinese text on an ASCII or Latin-1 console (or a character outside GBK on a GBK one)
    becomes replacement marks; the exit code keeps its meaning (1: violations)."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    done = subprocess.run([sys.executable, "-m", "statguard", "check", str(pack), "--lang", "zh"],
                          capture_output=True, env=env, cwd=pack.parent)
    assert done.returncode == 1, done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr
    assert done.stdout.strip()


@pytest.mark.parametrize("lang, incomplete, clean", [("zh", "核查未完成", "没有发现问题。"),
                                                    ("en", "INCOMPLETE", "No violations.")])
def test_a_missing_data_file_never_reads_as_a_clean_result(tmp_path, capsys, lang, incomplete, clean):
    """Rules that could not run make the verdict 'incomplete', and the report never says plainly
    that nothing was found (issue 15: 没有发现问题 under 2 条规则未能运行)."""
    pack = tmp_path / "pack.yml"
    pack.write_text("sources:\n  d: {path: nothere.csv, keys: [id]}\nrules:\n"
                    "  - {id: POS, kind: row, source: d, expr: a > 0}\n"
                    "  - {id: NEG, kind: row, source: d, expr: a < 100}\n", encoding="utf-8")
    for fmt in ("text", "markdown"):
        assert main(["check", str(pack), "--lang", lang, "-f", fmt]) == 2
        captured = capsys.readouterr()
        assert incomplete in captured.out or fmt == "markdown" and "2" in captured.out
        assert clean not in captured.out
        assert "nothere.csv" in captured.out and "POS, NEG" in captured.err


@pytest.mark.parametrize("lang, words", [("en", "more not shown here; all of them: -o report.html"),
                                         ("zh", "未在此列出；查看全部：-o report.html")])
def test_the_terminal_says_how_many_violations_it_left_out(tmp_path, capsys, lang, words):
    """The text report lists the first 20 violations: it says how many more there are and how
    to see them all (issue 15)."""
    rows = "\n".join(f"U{i:03d},{-i}" for i in range(1, 31))
    (tmp_path / "d.csv").write_text("unit,v\n" + rows + "\n", encoding="utf-8")
    pack = tmp_path / "p.yml"
    pack.write_text("sources:\n  d: {path: d.csv, keys: [unit], unit: unit}\n"
                    "rules:\n  - {id: POS, kind: row, source: d, expr: v > 0}\n", encoding="utf-8")
    assert main(["check", str(pack), "--lang", lang]) == 1
    out = capsys.readouterr().out
    assert words in out and ("10 more" in out if lang == "en" else "另有 10 条" in out)
    assert main(["check", str(pack), "--lang", lang, "-f", "markdown"]) == 1  # the Markdown report too
    assert words in capsys.readouterr().out
    (tmp_path / "d.csv").write_text("unit,v\nU001,-1\n", encoding="utf-8")
    assert main(["check", str(pack), "--lang", lang]) == 1
    assert words not in capsys.readouterr().out  # all shown: nothing to say


def test_a_bug_in_statguard_exits_3_saying_so(pack, monkeypatch, capsys):
    """An unexpected exception is neither violations (1) nor a fault of the pack or data (2): it
    says it is statguard's, in the user's language, keeps the traceback for the report, exit 3."""
    from statguard.cli import check_cmd

    def broken(args):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(check_cmd, "run", broken)
    assert main(["check", str(pack), "--lang", "zh"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("statguard：内部错误，是 statguard 自身的缺陷，不是规则包或数据的问题"
                          "（ZeroDivisionError: division by zero）")
    assert "Traceback (most recent call last)" in err and "in broken" in err
    assert main(["check", str(pack), "--lang", "en"]) == 3
    assert "internal error, a fault of statguard's" in capsys.readouterr().err


def test_a_database_url_on_the_command_line_is_refused_without_repeating_it(pack, tmp_path, capsys):
    out = tmp_path / "r.json"
    for url in ("postgresql://stats:s3cret@127.0.0.1:5432/db", "sqlite:///data/x.db",
                "https://stats:s3cret@example.org/x.csv"):
        assert main(["check", str(pack), "--source", f"sbs={url}", "-f", "json", "-o", str(out)]) == 2
        captured = capsys.readouterr()
        assert "takes a file; a database source" in captured.err
        assert "s3cret" not in captured.out + captured.err and not out.exists()


def test_files_the_user_names_that_cannot_be_read_or_written_are_exit_2_not_a_traceback(pack, tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    assert main(["export", "pandera", str(pack), "-o", str(tmp_path / "adir")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'adir'}: Is a directory" in err and "Traceback" not in err
    assert main(["scorecard", "--reports", str(tmp_path / "2024-*.json")]) == 2
    assert "no report at" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    assert main(["scorecard", "--reports", str(tmp_path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert "bad.json: not a statguard JSON report" in err and "Traceback" not in err
