"""The bad-input corpus (issue 18): every row of tests/corpus/cases.yml run through the CLI.

Each case is a directory of files (committed under tests/corpus/, or made here by a generator
when binary or large) and a `statguard check|lint` command. For every case:

- the exit code is the expected one, and always 0, 1 or 2;
- nothing prints a traceback;
- the expected substrings appear: the file, and the line and column (or the data line, sheet
  or cell) of what is wrong;
- when the row says `good: true`, the pack's GOOD rule on a good source still ran (the JSON
  report's summary row for GOOD: items > 0, errored false) next to the broken thing;
- the case's input files are byte for byte what they were (statguard only reads).

The commands run in-process in two child Pythons (`statguard.cli.main.main(argv)`, the
function `python -m statguard` calls), so a hundred and more cases cost a few seconds; rows
with `isolate: true`, and a sample of the others (test_batch_agrees_with_real_processes),
run as real `python -m statguard` processes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

CORPUS = Path(__file__).parent / "corpus"
DEFAULT_FILES = {"good.csv": "data/good.csv", "data.csv": "data/data.csv"}
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yml").read_text(encoding="utf-8"))

# The child: run each case's argv through the CLI's main() with stdout and stderr captured;
# anything main() lets escape is printed as Python would print it, so a traceback is seen.
DRIVER = r"""
import contextlib, io, json, os, sys, time, traceback
from statguard.cli.main import main
cases = json.load(open(sys.argv[1], encoding="utf-8"))
results = {}
for case in cases:
    os.chdir(case["cwd"])
    out, err, t0 = io.StringIO(), io.StringIO(), time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(case["argv"])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
    results[case["name"]] = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                             "seconds": time.perf_counter() - t0}
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(results, f)
"""


# -- generators: files that are binary, large or must be made byte by byte

def _csv_bytes(text: str, encoding: str) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(text.encode(encoding))


def _garbage(p: Path) -> None:
    p.write_bytes(random.Random(18).randbytes(4096))


def _big_csv(bad_row: str | None) -> Callable[[Path], None]:
    def make(p: Path) -> None:  # about 3.5 MB: big enough to pass DuckDB's sniffing sample, small for CI
        rows = "".join(f"{i},{i % 97}\n" for i in range(300_000))
        p.write_text("id,x\n" + rows + (bad_row + "\n" if bad_row else ""), encoding="utf-8")
    return make


def _long_field(p: Path) -> None:
    p.write_text("id,x,note\n1,2," + "长" * 500_000 + "\n2,3,short\n", encoding="utf-8")


def _workbook(*sheets: tuple[str, list[list[Any]]]) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        import openpyxl
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(p)
    return make


def _empty_workbook(p: Path) -> None:
    import openpyxl
    openpyxl.Workbook().save(p)


def _not_a_workbook(p: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    p.write_bytes(buf.getvalue())


def _parquet(frame: dict[str, list[Any]], cut: float | None = None) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        import pandas as pd
        pd.DataFrame(frame).to_parquet(p)
        if cut is not None:
            data = p.read_bytes()
            p.write_bytes(data[: int(len(data) * cut)])
    return make


def _deep_yaml(p: Path) -> None:
    p.write_text("rules: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")


def _huge_yaml(p: Path) -> None:  # over the 8 MiB a pack file may have
    p.write_text("rules: []\n" + ("# " + "x" * 1000 + "\n") * 9000, encoding="utf-8")


def _long_expr(p: Path) -> None:
    expr = " + ".join(["a"] * 1_500)  # 20,000 terms took 14 s in check: binding grows faster than linear
    p.write_text((CORPUS / "packs" / "rule_unknown_kind.yml").read_text(encoding="utf-8").replace(
        "  - {id: BAD, kind: nope, source: s}", f"  - {{id: BAD, kind: row, source: s, expr: '{expr} > 0'}}"),
        encoding="utf-8")


def _deep_expr(p: Path) -> None:
    expr = "(" * 5000 + "a" + ")" * 5000 + " > 0"
    p.write_text((CORPUS / "packs" / "rule_unknown_kind.yml").read_text(encoding="utf-8").replace(
        "  - {id: BAD, kind: nope, source: s}", f"  - {{id: BAD, kind: row, source: s, expr: '{expr}'}}"),
        encoding="utf-8")


def _pack_in(encoding: str, prefix: bytes = b"") -> Callable[[Path], None]:
    text = (CORPUS / "packs" / "probe.yml").read_text(encoding="utf-8").replace("expr: x >= 0\n", "expr: x >= 0\n"
                                                                                 "    description: 检查数值\n", 1)
    return lambda p: p.write_bytes(prefix + text.encode(encoding))


GENERATORS: dict[str, Callable[[Path], None]] = {
    "gbk_csv": _csv_bytes("id,x,名称\n1,2,北京市\n2,-3,天津市\n", "gbk"),
    "gb18030_csv": _csv_bytes("id,x,名称\n1,2,𠀀家\n2,-3,天津市\n", "gb18030"),
    "bom_csv": _csv_bytes("\ufeffid,x\n1,2\n2,-3\n", "utf-8"),
    "utf16_csv": _csv_bytes("id,x\n1,2\n2,-3\n", "utf-16"),
    "latin1_csv": _csv_bytes("id,x,name\n1,2,Zürich\xff\xfe\n2,-3,Genève\n", "latin-1"),
    "nul_csv": _csv_bytes("id,x\n1,2\x00\n2,-3\n", "utf-8"),
    "garbage": _garbage,
    "big_csv": _big_csv(None),
    "big_ragged_csv": _big_csv("9,1,2"),
    "long_field_csv": _long_field,
    "xlsx_good": _workbook(("数据", [["id", "x"], ["1", 2], ["2", -3]])),
    "xlsx_notes_first": _workbook(("说明", [["说明"], ["本表为封面"]]), ("数据", [["id", "x"], ["1", 2]])),
    "xlsx_mixed": _workbook(("报表", [["id", "x", "d"], ["1", 2, dt.datetime(2020, 1, 1)], ["2", 3, 42]])),
    "xlsx_dup_header": _workbook(("报表", [["id", "x", "x"], ["1", 2, -3]])),
    "xlsx_header_only": _workbook(("报表", [["id", "x"]])),
    "xlsx_text_numbers": _workbook(("报表", [["id", "x"], ["1", "xxx"], ["2", "待填"], ["3", 4]])),
    "xlsx_empty": _empty_workbook,
    "xlsx_not_a_workbook": _not_a_workbook,
    "parquet_good": _parquet({"id": ["1", "2"], "x": [2.0, -3.0]}),
    "parquet_truncated": _parquet({"id": [str(i) for i in range(1000)], "x": list(range(1000))}, cut=0.5),
    "parquet_missing_column": _parquet({"id": ["1"], "y": [2.0]}),
    "parquet_text_column": _parquet({"id": ["1", "2"], "x": ["a", "2"]}),
    "parquet_corrupt": lambda p: p.write_bytes(b"PAR1" + b"\x00garbage" * 20 + b"PAR1"),
    "empty": lambda p: p.write_bytes(b""),
    "dir": lambda p: p.mkdir(),
    "deep_yaml": _deep_yaml,
    "huge_yaml": _huge_yaml,
    "long_expr": _long_expr,
    "deep_expr": _deep_expr,
    "gbk_pack": _pack_in("gbk"),
    "bom_pack": _pack_in("utf-8", b"\xef\xbb\xbf"),
    "nul_pack": lambda p: p.write_bytes(b"rules:\n  - {id: A\x00, kind: row}\n"),
}


# -- running the cases

def _lay_out(case: dict[str, Any], root: Path) -> Path:
    """The case's directory: its files, laid out as the row says."""
    cwd = root / case["name"]
    cwd.mkdir(parents=True)
    for dest, src in {**DEFAULT_FILES, **(case.get("files") or {})}.items():
        target = cwd / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if src is None:  # an empty directory
            target.mkdir(exist_ok=True)
            continue
        if src.startswith("gen:"):
            GENERATORS[src[4:]](target)
        else:
            shutil.copyfile(CORPUS / src, target)
    return cwd


def _digests(cwd: Path) -> dict[str, str]:
    return {str(p.relative_to(cwd)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(cwd.rglob("*")) if p.is_file() and "statguard-output" not in p.parts}


def _argv(case: dict[str, Any]) -> list[str]:
    return shlex.split(case["command"])


def _batch(jobs: list[dict[str, Any]], work: Path, n: int) -> subprocess.Popen[bytes]:
    (work / f"batch{n}.json").write_text(json.dumps(jobs), encoding="utf-8")
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(work / f"batch{n}.json"), str(work / f"out{n}.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _real(argv: list[str], cwd: Path) -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-m", "statguard", *argv], cwd=cwd, capture_output=True, text=True,
                         timeout=120)
    return {"code": run.returncode, "stdout": run.stdout, "stderr": run.stderr}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case laid out and run once: results and input digests before and after, by name."""
    root = tmp_path_factory.mktemp("corpus")
    work = tmp_path_factory.mktemp("corpus-batches")
    before, dirs = {}, {}
    for case in CASES:
        dirs[case["name"]] = _lay_out(case, root)
        before[case["name"]] = _digests(dirs[case["name"]])
    batched = [c for c in CASES if not c.get("isolate")]
    halves = [batched[0::2], batched[1::2]]  # two children: the machine has two cores
    procs = [_batch([{"name": c["name"], "cwd": str(dirs[c["name"]]), "argv": _argv(c)} for c in half], work, n)
             for n, half in enumerate(halves)]
    results: dict[str, Any] = {}
    for c in CASES:
        if c.get("isolate"):
            results[c["name"]] = _real(_argv(c), dirs[c["name"]])
    for n, proc in enumerate(procs):
        printed = proc.communicate(timeout=600)[0].decode(errors="replace")
        out = work / f"out{n}.json"
        if not out.exists():  # the child died (a crash in C, say): run its cases one by one to see which
            for c in halves[n]:
                results[c["name"]] = _real(_argv(c), dirs[c["name"]])
                results[c["name"]]["note"] = "batch died: " + printed[-2000:]
        else:
            results.update(json.loads(out.read_text(encoding="utf-8")))
    return {"results": results, "before": before, "dirs": dirs}


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


def test_the_index_is_well_formed():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 100
    allowed = {"name", "files", "command", "exit", "expect", "absent", "good", "xfail", "isolate", "note"}
    for case in CASES:
        assert set(case) <= allowed, (case["name"], set(case) - allowed)
        assert _argv(case)[0] in ("check", "lint"), case["name"]
        assert case["exit"] in (0, 1, 2), case["name"]
        for src in (case.get("files") or {}).values():
            assert src is None or (src[4:] in GENERATORS if src.startswith("gen:") else (CORPUS / src).is_file()), src
    for path in CORPUS.rglob("*"):
        small = path.name == "cases.yml" or not path.is_file() or path.stat().st_size < 8192
        assert small, f"{path}: keep committed corpus files small (generate big ones in the test)"


def _errors(stdout: str) -> list[str]:
    """The error texts of a JSON report's summary, decoded (JSON escapes quotes and may escape 中文)."""
    try:
        return [row.get("error") or "" for row in json.loads(stdout)["summary"]]
    except (ValueError, KeyError, TypeError):
        return []


@pytest.mark.parametrize("case", _params())
def test_corpus_case(case: dict[str, Any], corpus_run: dict[str, Any]) -> None:
    result = corpus_run["results"][case["name"]]
    printed = result["stdout"] + result["stderr"] + "\n".join(_errors(result["stdout"]))
    shown = f"exit {result['code']}\n{printed[-3000:]}"
    assert "Traceback" not in printed, shown
    assert result["code"] in (0, 1, 2), shown
    assert result["code"] == case["exit"], shown
    for text in case.get("expect") or []:
        assert text in printed, f"expected {text!r} in:\n{shown}"
    for text in case.get("absent") or []:
        assert text not in printed, f"did not expect {text!r} in:\n{shown}"
    if case.get("good"):  # the GOOD rule (a duplicate id may add an errored second row)
        summary = [row for row in json.loads(result["stdout"])["summary"] if row["rule_id"] == "GOOD"]
        assert any(row["items"] == 2 and not row["errored"] for row in summary), summary
    assert _digests(corpus_run["dirs"][case["name"]]) == corpus_run["before"][case["name"]], "input files changed"


SAMPLE = ["expr_read_csv", "yaml_tab", "csv_ragged", "parquet_corrupt"]


def test_batch_agrees_with_real_processes(corpus_run: dict[str, Any]) -> None:
    """The in-process batch says what `python -m statguard` says (exit code and messages)."""
    cases = {c["name"]: c for c in CASES}
    procs = {name: subprocess.Popen([sys.executable, "-m", "statguard", *_argv(cases[name])],
                                    cwd=corpus_run["dirs"][name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True) for name in SAMPLE}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        batched = corpus_run["results"][name]
        assert proc.returncode == batched["code"], (name, stderr, batched)
        assert _errors(stdout) == _errors(batched["stdout"]), name
        assert stderr == batched["stderr"] or stdout == batched["stdout"], name
