"""The engine's connection settings and the CLI options that reach them (issue 18): DuckDB draws
no progress bar into a report on stdout; what spills goes to the engine's own temporary folder,
never into the user's current directory; --memory-limit on check and screen (a bad size is a
usage error); screen's --allow-include; DuckDB's exception class names stay out of messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from statguard.cli.main import main
from statguard.engine.duckdb import DuckDBEngine
from statguard.errors import EngineError


def _cli(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "statguard.cli.main", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})


def _csv(path: Path, rows: int, select: str) -> None:
    import duckdb
    con = duckdb.connect()
    con.execute(f"COPY (SELECT {select} FROM range({rows}) t(i)) TO '{path}' (HEADER)")
    con.close()


def test_a_statement_over_two_seconds_draws_no_progress_bar_into_the_report(tmp_path):
    """DuckDB draws a progress bar on stdout for a statement running over 2 s (seen: '\\r 28% ▕████'
    lines before the report); stdout holds the JSON report alone."""
    _csv(tmp_path / "d.csv", 200_000, "i AS id, repeat('ab', 500) || i AS s")
    (tmp_path / "pack.yml").write_text("""sources:
  d: {path: d.csv, keys: [id]}
rules:
  - {id: SLOW, kind: row, source: d, expr: "not regexp_matches(concat(s, s, s, s, s, s, s, s), '(a|b)*c')"}
""", encoding="utf-8")
    done = _cli(["check", "pack.yml", "--threads", "1", "-f", "json"], tmp_path)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    report = json.loads(out)  # the whole of stdout is the report
    (rule,) = report["summary"]
    if rule["seconds"] < 2.5:
        pytest.skip(f"the statement took {rule['seconds']} s: too quick for DuckDB to draw its bar")
    assert rule["passes"] == 200_000
    assert "\r" not in out and "%" not in out


def test_spilling_uses_the_engines_folder_not_the_current_directory(tmp_path):
    """An in-memory DuckDB spills into ".tmp" under the current directory (created, then removed at the
    end unless the process is killed first); statguard points it at the engine's temporary folder.
    Watched while a unique check of 600,000 keys runs under a 20MB limit on one thread (the CSV read
    into a table first, which the limit then pushes out too): the spill appears in the
    engine's folder (below TMPDIR), never in the user's directory, and both are left as found."""
    work, engine_tmp = tmp_path / "work", tmp_path / "engine-tmp"
    work.mkdir()
    engine_tmp.mkdir()
    _csv(work / "d.csv", 600_000, "i AS id, 'x' || i AS s")
    (work / "pack.yml").write_text("sources:\n  d: {path: d.csv, keys: [s]}\nrules:\n"
                                   "  - {id: U, kind: unique, source: d}\n", encoding="utf-8")
    before = sorted(p.name for p in work.iterdir())
    run = _cli(["check", "pack.yml", "--memory-limit", "20MB", "--threads", "1", "-f", "json"], work,
               {"TMPDIR": str(engine_tmp)})
    in_cwd, spilled = False, False
    while run.poll() is None:
        in_cwd |= (work / ".tmp").exists()
        spilled |= any(engine_tmp.glob("statguard-*/spill"))  # made by DuckDB as it first spills
        time.sleep(0.005)
    out, err = run.communicate()
    assert run.returncode == 0, err
    assert json.loads(out)["summary"][0]["fails"] == 0
    assert not in_cwd
    assert sorted(p.name for p in work.iterdir()) == before
    assert spilled, "nothing was spilled: the case no longer tests where spills go"
    assert list(engine_tmp.iterdir()) == []  # the engine's folder went with the engine


def test_the_engine_turns_its_progress_bar_off_and_spills_into_its_own_folder():
    with DuckDBEngine(threads=1, memory_limit="300MB") as engine:
        bar, folder, limit = engine.con.execute(
            "SELECT current_setting('enable_progress_bar'), current_setting('temp_directory'), "
            "current_setting('memory_limit')").fetchall()[0]
        assert bar is False
        assert Path(folder).parent == Path(engine._tmp.name)
        assert limit.endswith("MiB")


@pytest.mark.parametrize("size", ["lots", "0", "5"])
def test_the_engine_refuses_a_memory_limit_it_cannot_read(size):
    """An EngineError naming the setting (the CLI refuses these and more as usage errors, below)."""
    with pytest.raises(EngineError, match=f"memory_limit '{size}'"):
        DuckDBEngine(memory_limit=size)


def _small_pack(folder: Path) -> Path:
    (folder / "d.csv").write_text("id,a\n1,5\n2,-1\n", encoding="utf-8")
    (folder / "pack.yml").write_text("sources:\n  d: {path: d.csv, keys: [id]}\nrules:\n"
                                     "  - {id: POS, kind: row, source: d, expr: a > 0}\n", encoding="utf-8")
    return folder / "pack.yml"


@pytest.mark.parametrize("command", ["check", "screen"])
@pytest.mark.parametrize("size", ["lots", "0MB", "-5MB", "500", "1.5 PB", "2 gigabytes", ""])
def test_a_bad_memory_limit_is_a_usage_error(tmp_path, capsys, command, size):
    pack = _small_pack(tmp_path)
    args = [command, str(pack)] if command == "check" else [command, "--pack", str(pack), "-s",
                                                             f"d={tmp_path / 'd.csv'}"]
    with pytest.raises(SystemExit) as stopped:  # argparse's way out, with the usage
        main([*args, f"--memory-limit={size}"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--memory-limit" in err and "expected a size such as 2GB or 500MB" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["check", "screen"])
def test_the_memory_limit_reaches_the_engine(tmp_path, capsys, command):
    """A limit too small for anything: exit 2 and a message that says it was memory, never a
    traceback. Where DuckDB gives up varies from run to run: setting the limit itself (an error
    naming memory_limit) or running the rule (the rule's error in the report). A generous limit
    in any spelling runs the rule."""
    pack = _small_pack(tmp_path)
    args = [command, str(pack)] if command == "check" else [command, "--pack", str(pack), "-s",
                                                             f"d={tmp_path / 'd.csv'}"]
    for _ in range(5):
        assert main([*args, "--memory-limit", "1KB", "-f", "json"]) == 2
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        if captured.out:
            error = json.loads(captured.out)["summary"][0]["error"]
            assert "Out of Memory" in error or "memory" in error
        else:
            assert "memory_limit '1KB'" in captured.err
    for size in ("2GB", "500mb", "1.5GiB", " 800 MB "):
        code = main([*args, "--memory-limit", size, "-f", "json"])
        report = json.loads(capsys.readouterr().out)
        assert report["summary"][0]["fails"] == 1 and not report["summary"][0]["errored"]
        assert code == (1 if command == "check" else 0)


def test_screen_reads_includes_beyond_the_pack_only_where_allowed(tmp_path, capsys):
    """screen --pack follows include: inside the pack's tree only, unless --allow-include DIR, as check."""
    shared, packs = tmp_path / "shared", tmp_path / "packs"
    shared.mkdir()
    packs.mkdir()
    (shared / "rules.yml").write_text("rules:\n  - {id: POS, kind: row, source: d, expr: a > 0}\n",
                                      encoding="utf-8")
    (packs / "d.csv").write_text("id,a\n1,5\n2,-1\n", encoding="utf-8")
    (packs / "pack.yml").write_text("include: [../shared/rules.yml]\nsources:\n  d: {path: d.csv, keys: [id]}\n",
                                    encoding="utf-8")
    args = ["screen", "--pack", str(packs / "pack.yml"), "-s", f"d={packs / 'd.csv'}", "-f", "json"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "pack.yml:1" in err and "Traceback" not in err
    assert main([*args, "--allow-include", str(shared)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"][0]["rule_id"] == "POS" and report["summary"][0]["fails"] == 1


def test_engine_errors_read_without_duckdbs_exception_class(tmp_path):
    """A rule the data does not fit reads "<pack>:<line>: cannot evaluate rule 'R': <why>", without the
    "Binder Error: ", "Conversion Error: " or "Invalid Input Error: " DuckDB's message begins with."""
    import statguard
    (tmp_path / "d.csv").write_text("id,s,n\n1,abc,5\n2,7,-1\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("""sources:
  d: {path: d.csv, keys: [id], columns: {id: {}, s: {}, n: {}, gone: {type: number}}}
rules:
  - {id: BIND, kind: row, source: d, expr: s + 1 > 0}
  - {id: CONVERT, kind: row, source: d, expr: CAST(s AS INT) > 0}
  - {id: IN, kind: row, source: d, expr: "s in (1, 7)"}
  - {id: MISSING, kind: row, source: d, expr: gone > 0}
  - {id: OK, kind: row, source: d, expr: n >= 0}
  - {id: BETWEEN, kind: row, source: d, expr: s between 1 and 9}
""", encoding="utf-8")
    rows = statguard.load_pack(tmp_path / "p.yml").validate().summary.set_index("rule_id")
    pack = tmp_path / "p.yml"
    # DuckDB's messages for a value of the wrong type are said in the reader's words, with what to do
    assert rows.loc["BIND", "error"].startswith(
        f"{pack}:4: cannot evaluate rule 'BIND': + does not take a text value and a number; a column read as text "
        "(a placeholder such as 'xxx' among its numbers, or no type declared) needs its type declared")
    # an author's CAST of a value that does not convert leaves that record not evaluable (as TRY_CAST, and
    # as Spark casts), instead of losing the rule over one record
    assert (rows.loc["CONVERT", "errored"], rows.loc["CONVERT", "passes"], rows.loc["CONVERT", "not_evaluable"]) == (
        False, 1, 1)
    assert rows.loc["IN", "error"].startswith(
        f"{pack}:6: cannot evaluate rule 'IN': the value 'abc' of column 's' is not a number; a column read as text")
    assert rows.loc["MISSING", "error"].startswith(
        f"{pack}:7: cannot evaluate rule 'MISSING': source 'd' {tmp_path / 'd.csv'}: the file has no column 'gone'")
    assert rows.loc["BETWEEN", "error"].startswith(
        f"{pack}:9: cannot evaluate rule 'BETWEEN': it compares a text value with a number;")
    assert not any(f"{name} Error" in rows.loc[rule, "error"] for rule in ("BIND", "IN", "MISSING", "BETWEEN")
                   for name in ("Binder", "Conversion", "Invalid Input"))
    assert (rows.loc["OK", "errored"], rows.loc["OK", "fails"]) == (False, 1)


def test_a_rule_error_is_said_in_the_packs_language_and_hides_personal_values(tmp_path):
    """An engine's message may quote any value of the data: where the pack declares personal
    columns, quoted values are hidden (names of columns stay) unless show_pii is asked for."""
    import statguard
    (tmp_path / "p.csv").write_text("身份证号,住址,n\n320102199001011234,南京市玄武区中山路1号,5\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("""pack: {name: 个人, lang: zh}
sources:
  p: {path: p.csv, keys: [身份证号], columns: {身份证号: {type: string, pii: true}, 住址: {pii: text}, n: {}}}
rules:
  - {id: IN, kind: row, source: p, expr: "住址 in (1, 2)"}
  - {id: OK, kind: row, source: p, expr: n > 0}
""", encoding="utf-8")
    pack = statguard.load_pack(tmp_path / "p.yml")
    error = pack.validate().summary.set_index("rule_id").loc["IN", "error"]
    assert error.startswith(f"{tmp_path / 'p.yml'}:5: 无法执行规则「IN」：列「住址」的值 '***' 不是数值；")
    assert "南京" not in error and "cannot" not in error
    shown = pack.validate(options={"show_pii": True}).summary.set_index("rule_id").loc["IN", "error"]
    assert "'南京市玄武区中山路1号'" in shown


def test_source_errors_are_said_in_the_packs_language(tmp_path):
    """A declared column the file lacks and a ragged CSV line: in Chinese for a `lang: zh` pack,
    without any English words of statguard's own."""
    import statguard
    (tmp_path / "a.csv").write_text("单位,总数\n甲,10\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("单位,总数\n甲,1,2\n", encoding="utf-8")
    (tmp_path / "p.yml").write_text("""pack: {name: 中文, lang: zh}
sources:
  a: {path: a.csv, columns: {单位: string, 总数: integer, 分项: integer}}
  r: {path: r.csv}
rules:
  - {id: A, kind: row, source: a, expr: 分项 <= 总数}
  - {id: R, kind: row, source: r, expr: 总数 > 0}
""", encoding="utf-8")
    errors = statguard.load_pack(tmp_path / "p.yml").validate().summary.set_index("rule_id")["error"]
    assert errors["A"].endswith(f"无法执行规则「A」：数据源「a」 {tmp_path / 'a.csv'}: "
                                "该文件中没有列「分项」（规则包中已声明）；其列为：单位, 总数")
    assert "第 2 行：有 3 个字段，而表头有 2 个 (甲,1,2)" in errors["R"]
    for text in errors[["A", "R"]]:
        text = text.replace(str(tmp_path), "")  # the test's own folder name has English words
        assert not any(word in text for word in ("source", "the file", "line", "fields", "header", "cannot"))
