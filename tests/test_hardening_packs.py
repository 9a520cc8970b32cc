"""Rule packs that once broke statguard's promises (issue 18): each is now a located problem,
the other rules still run, and nothing a pack says can make loading unbounded or read files
outside the pack's directory tree unless the command line allows it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import statguard
from statguard.errors import PackError
from statguard.load.jsonschema import pack_schema
from statguard.pack import lint_checks
from statguard.pack.yamlio import MAX_ALIASED, MAX_BYTES, MAX_DEPTH, Loc, parse_yaml
from statguard.templates import MAX_WIDTH, render, render_columns

DATA = "id,a,b,total\n1,1,2,3\n2,1,1,3\n"
SOURCES = """sources:
  s:
    path: data.csv
    keys: [id]
    columns: {id: integer, a: integer, b: integer, total: integer}
"""
GOOD_RULE = """  - id: SUM
    kind: row
    source: s
    expr: a + b == total
"""


def _write(tmp_path: Path, text: str, name: str = "pack.yml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "data.csv").write_text(DATA, encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, **kwargs: object) -> list[str]:
    try:
        return [str(p) for p in statguard.load_pack(path, check_types=True, **kwargs).problems]  # type: ignore[arg-type]
    except PackError as e:
        return [str(p) for p in e.problems]


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "statguard", *map(str, args)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


# 1. an unknown column type

def test_lint_of_an_unknown_column_type_is_located_and_lists_the_types(tmp_path):
    pack = _write(tmp_path, SOURCES.replace("a: integer", "a: {type: float64}") + "rules:\n" + GOOD_RULE)
    proc = _cli("lint", pack)
    assert proc.returncode == 2
    assert f"{pack}:5:" in proc.stdout
    assert "unknown type 'float64' for column 'a'" in proc.stdout
    assert "string, integer, number, boolean, date, datetime" in proc.stdout


# 2. bounded loading: aliases, nesting, size

def _bomb(levels: int, indent: str = "      ") -> str:
    lines = [indent + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefghij", "bcdefghijk"[: levels - 1], strict=False):
        lines.append(indent + f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_its_line_before_anything_is_built(tmp_path):
    pack = _write(tmp_path, SOURCES + "rules:\n" + GOOD_RULE + "    description:\n" + _bomb(9))
    problems = _problems(pack)  # refused while loading: nothing expanded (an expanded bomb takes GBs)
    assert len(problems) == 1
    assert problems[0].startswith(f"{pack}:") and int(problems[0].split(":")[1]) > 10
    assert f"aliases repeat more than {MAX_ALIASED:,}" in problems[0]
    proc = _cli("check", pack)  # was 1.9 GB and 17 s, and exit 1
    assert proc.returncode == 2 and "alias bomb" in proc.stderr


def test_ordinary_aliases_still_load(tmp_path):
    pack = _write(tmp_path, """sources:
  s:
    path: data.csv
    columns: &cols {id: integer, a: integer, b: integer, total: integer}
  t:
    path: data.csv
    columns: *cols
rules:
  - &sum {id: SUM, kind: row, source: s, expr: a + b == total}
  - {<<: *sum, id: SUM2}
""")
    loaded = statguard.load_pack(pack)
    assert not loaded.problems
    assert list(loaded.sources["t"].columns) == ["id", "a", "b", "total"]
    assert [r.id for r in loaded.rules] == ["SUM", "SUM2"]


def test_deep_nesting_is_refused_not_a_crash():
    text = "[" * 100_000 + "]" * 100_000  # used to exhaust the stack (segfault in libyaml's composer)
    with pytest.raises(PackError, match=f"nested more than {MAX_DEPTH} levels deep") as e:
        parse_yaml(text, "deep.yml")
    assert e.value.problems[0].line == 1 and e.value.problems[0].column == MAX_DEPTH + 1


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    pack = _write(tmp_path, "rules: []\n# " + "x" * MAX_BYTES + "\n")
    problems = _problems(pack)
    assert len(problems) == 1 and "larger than" in problems[0] and problems[0].startswith(str(pack))


# 3. includes stay in the pack's directory tree

SECRET = "TOPSECRET_KEY: hunter2\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the pack's, holding a file that must not be read."""
    d = tmp_path / "outside"
    d.mkdir()
    (d / "secret.yml").write_text(SECRET, encoding="utf-8")
    (d / "sources.yml").write_text(SOURCES.replace("path: data.csv", f"path: {tmp_path / 'pack' / 'data.csv'}"),
                                   encoding="utf-8")
    return d


@pytest.mark.parametrize("target", ["../outside/secret.yml", "{outside}/secret.yml", "/proc/self/environ",
                                    "../outside"])
def test_include_outside_the_tree_is_refused_at_the_include(tmp_path, outside, target):
    pack = _write(tmp_path / "pack", f"pack:\n  name: p\ninclude:\n  - {target.format(outside=outside)}\n"
                  + SOURCES + "rules:\n" + GOOD_RULE)
    problems = _problems(pack)
    assert problems == [f"{pack}:4:5: [include] included path is outside the pack's directory tree "
                        f"({pack.parent}): {target.format(outside=outside)} "
                        "(allow its directory with --allow-include DIR)"]
    proc = _cli("check", pack)
    assert proc.returncode == 2
    assert f"{pack}:4:5" in proc.stderr
    assert "TOPSECRET" not in proc.stdout + proc.stderr and "hunter2" not in proc.stdout + proc.stderr


def test_a_missing_file_outside_the_tree_is_not_told_apart(tmp_path, outside):
    pack = _write(tmp_path / "pack", "include: [../outside/nothing.yml]\n" + SOURCES)
    assert "outside the pack's directory tree" in _problems(pack)[0]


def test_allow_include_lets_a_directory_in(tmp_path, outside):
    pack = _write(tmp_path / "pack", f"include: [{outside / 'sources.yml'}]\nrules:\n" + GOOD_RULE)
    assert "outside the pack's directory tree" in _problems(pack)[0]
    loaded = statguard.load_pack(pack, allow_include=[outside])
    assert list(loaded.sources) == ["s"] and not loaded.problems
    proc = _cli("check", pack, "--allow-include", outside)
    assert proc.returncode == 1 and "SUM" in proc.stdout  # ran: one violation
    assert _cli("lint", "--allow-include", outside, pack).returncode == 0


def test_a_link_out_of_a_directory_pack_is_not_followed(tmp_path, outside):
    pack_dir = tmp_path / "pack"
    _write(pack_dir, SOURCES + "rules:\n" + GOOD_RULE)
    (pack_dir / "zz.yml").symlink_to(outside / "secret.yml")
    problems = _problems(pack_dir)
    assert len(problems) == 1 and problems[0].startswith(f"{pack_dir / 'zz.yml'}:")
    assert "link to outside the pack's directory tree" in problems[0] and "TOPSECRET" not in problems[0]


def test_includes_inside_the_tree_and_the_bundled_packs_still_work(tmp_path):
    _write(tmp_path / "pack", SOURCES, "parts/sources.yml")
    from statguard.load.loader import BUNDLED
    pack = _write(tmp_path / "pack", f"include: [parts/sources.yml, {BUNDLED / 'credibility'}]\nrules:\n"
                  + GOOD_RULE)
    loaded = statguard.load_pack(pack)
    assert "s" in loaded.sources and "figures" in loaded.sources


# 4. silently accepted bad input

def test_rules_without_id_or_not_mappings_are_errored_and_the_others_run(tmp_path):
    pack = _write(tmp_path, SOURCES + "rules:\n  - kind: row\n    source: s\n    expr: a > 0\n"
                  "  - just a string\n" + GOOD_RULE)
    problems = _problems(pack)
    assert problems == [f"{pack}:7:5: [id] rule has no 'id'",
                        f"{pack}:10:5: each rule must be a mapping with at least 'id' and 'kind'"]
    proc = _cli("check", pack, "--format", "json")
    assert proc.returncode == 2  # some rules could not run
    report = json.loads(proc.stdout)
    summary = {row["rule_id"]: row for row in report["summary"]}
    assert summary["pack.yml:7"]["errored"] and f"{pack}:7:5" in summary["pack.yml:7"]["error"]
    assert summary["pack.yml:10"]["errored"]
    assert summary["SUM"]["fails"] == 1 and not summary["SUM"]["errored"]


def test_an_invalid_pattern_is_a_lint_problem_not_a_violation(tmp_path):
    pack = _write(tmp_path, SOURCES.replace("id: integer,", "id: {type: integer, pattern: '[0-9'},")
                  + "rules:\n  - {id: SCHEMA, kind: schema, source: s}\n" + GOOD_RULE)
    problems = _problems(pack)
    assert len(problems) == 1 and problems[0].startswith(f"{pack}:5:")
    assert "[pattern] pattern of column 'id' is not a valid regular expression" in problems[0]
    proc = _cli("check", pack)
    assert proc.returncode == 2 and "not a valid regular expression" in proc.stderr


@pytest.mark.parametrize("pattern", ["(?=3)[0-9]+", "([0-9])\\1"])
def test_a_pattern_the_engine_cannot_run_is_a_lint_problem(tmp_path, pattern):
    pack = _write(tmp_path, SOURCES.replace("id: integer,", f"id: {{type: integer, pattern: '{pattern}'}},")
                  + "rules:\n  - {id: SCHEMA, kind: schema, source: s}\n")
    problems = _problems(pack)
    assert len(problems) == 1 and problems[0].startswith(f"{pack}:5:")
    assert "not a regular expression the engine (RE2) accepts" in problems[0]


@pytest.mark.parametrize(("message", "why"), [
    ("a lone { here", "unmatched brace"),
    ("a lone } here", "unmatched brace"),
    ("{observed:>2000000000}", f"above {MAX_WIDTH}"),
    ("{observed:.2000000000f}", f"above {MAX_WIDTH}"),
    ("{observed.real}", "not a plain name"),
    ("{observed!r}", "not a plain name"),
    ("{observed:{expected}}", "may not contain placeholders"),
])
def test_bad_message_templates_break_only_their_rule(tmp_path, message, why):
    bad = f"  - id: BAD\n    kind: row\n    source: s\n    expr: a + b == total\n    message: {json.dumps(message)}\n"
    pack = _write(tmp_path, SOURCES + "rules:\n" + bad + GOOD_RULE)
    problems = _problems(pack)
    assert len(problems) == 1 and problems[0].startswith(f"{pack}:11:14: [message] message template:")
    assert why in problems[0]
    proc = _cli("check", pack, "--format", "json")
    summary = {row["rule_id"]: row for row in json.loads(proc.stdout)["summary"]}
    assert proc.returncode == 2 and summary["BAD"]["errored"] and summary["SUM"]["fails"] == 1


def test_a_per_language_message_is_checked_per_language(tmp_path):
    bad = "  - id: BAD\n    kind: row\n    source: s\n    expr: a + b == total\n    message:\n" \
          "      zh: '{observed} 不等于 {expected}'\n      en: '{observed'\n"
    problems = _problems(_write(tmp_path, SOURCES + "rules:\n" + bad))
    assert len(problems) == 1 and ":13:11: [message.en] message template: unmatched brace" in problems[0]


def test_good_templates_pass_and_rendering_never_raises_or_blows_up():
    good = "{unit}: {observed:>12,.2f} vs {expected:.1%} {{literal}}"
    assert lint_checks._template_problems(good, Loc("pack.yml", 1, 1), "message") == []
    assert render("{a:>2000000000}", {"a": 1.5}) == "1.5"  # the width refused, never allocated
    assert render("{a:.2000000000f} x", {"a": 1.5}) == "1.5 x"
    assert render("a lone { here {a}", {"a": 1}) == "a lone { here {a}"  # unparsable: shown as written
    assert render_columns("{a:>2000000000}|{b:0>{w}}|", {"a": [1, 2], "b": [3, 4]}, 2) == ["1|3|", "2|4|"]
    assert render_columns("} {a}", {"a": [1]}, 1) == ["} {a}"]


# 5. reserved source names, duplicate keys

@pytest.mark.parametrize("name", ["raw:good", "RAW:good", "history:s", "_sg_item", "_SG_x"])
def test_reserved_source_names_are_refused(tmp_path, name):
    pack = _write(tmp_path, SOURCES + f"  '{name}':\n    path: data.csv\nrules:\n" + GOOD_RULE)
    problems = _problems(pack)
    assert len(problems) == 1 and problems[0].startswith(f"{pack}:7:5: [{name}] source name '{name}' is reserved")
    assert _cli("check", pack).returncode == 2


def test_a_duplicate_key_breaks_only_its_rule(tmp_path):
    bad = "  - id: DUP\n    kind: row\n    source: s\n    expr: a > 0\n    expr: b > 0\n"
    pack = _write(tmp_path, SOURCES + "rules:\n" + bad + GOOD_RULE)
    assert _problems(pack) == [f"{pack}:11:5: [expr] duplicate key 'expr' (first given on line 10)"]
    proc = _cli("check", pack, "--format", "json")
    summary = {row["rule_id"]: row for row in json.loads(proc.stdout)["summary"]}
    assert proc.returncode == 2
    assert summary["DUP"]["errored"] and "duplicate key 'expr'" in summary["DUP"]["error"]
    assert summary["SUM"]["fails"] == 1


def test_a_duplicate_key_outside_the_rules_still_stops_the_pack(tmp_path):
    pack = _write(tmp_path, SOURCES + "    keys: [a]\nrules:\n" + GOOD_RULE)
    with pytest.raises(PackError, match="duplicate key 'keys'"):
        statguard.load_pack(pack)


# 6. glob: paths are literal unless the pack says so

def test_glob_is_a_boolean_source_key(tmp_path):
    pack = _write(tmp_path, SOURCES.replace("    keys:", "    glob: true\n    keys:")
                  + "  t:\n    path: data.csv\n" + "rules:\n" + GOOD_RULE)
    loaded = statguard.load_pack(pack)
    assert loaded.sources["s"].glob is True and loaded.sources["t"].glob is False
    bad = _write(tmp_path, SOURCES.replace("    keys:", "    glob: yes please\n    keys:"), "bad.yml")
    assert _problems(bad) == [f"{bad}:4:11: [glob] glob must be true or false, not 'yes please'"]
    doc = {"sources": {"s": {"path": "data[12].csv", "glob": True}}}
    jsonschema.validate(doc, pack_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"sources": {"s": {"path": "x.csv", "glob": "yes"}}}, pack_schema())
