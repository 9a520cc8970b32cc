"""Property-based fuzzing of the two parsers every pack goes through (issue 18).

- The pack loader: random YAML-ish text, and random structures in a pack's vocabulary dumped to
  YAML. `load_pack` returns a pack (whose problems are located) or raises PackError; nothing
  else escapes, whatever the file says.
- The expression language: random text and random token soups. `compile_expression` compiles
  or raises ExpressionError (a PackError); no RecursionError, no sqlglot or Python error.

The file's run is one of the corpus's promises too (tests/test_corpus.py runs the CLI); these
run in-process because the promise is about the library's exceptions, not exit codes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import statguard
from statguard.errors import ExpressionError, PackError
from statguard.expr import compile_expression

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORK = Path(tempfile.mkdtemp(prefix="statguard-fuzz-"))
(WORK / "data.csv").write_text("id,a,b,total\n1,1,2,3\n", encoding="utf-8")


def _load(text: str | bytes, check_types: bool = False) -> None:
    path = WORK / "pack.yml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(text)
    try:
        pack = statguard.load_pack(path, check_types=check_types)
    except PackError as e:
        assert e.problems and all(p.message for p in e.problems)
        return
    for problem in pack.problems:
        assert problem.message and problem.file, problem


# -- the pack loader: text that looks like YAML

YAML_TOKENS = ["sources:", "rules:", "include:", "pack:", "  ", "    ", "\n", "- ", "-", ":", ": ", "[", "]", "{", "}",
               ",", "'", '"', "#", "&a ", "*a", "&b ", "*b", "<<: *a", "? ", "|", ">", "---", "...", "%YAML 1.1",
               "!!python/object:os.system", "!!binary", "!!str", "!tag", "\t", "\x00", "\ufeff", "\\", "id: R",
               "kind: row", "kind: schema", "source: s", "expr: a > 0", "expr:", "path: data.csv", "path:",
               "columns: {a: integer}", "keys: [id]", "message: '{observed:>9}'", "message: '{'", "min_failures: 2",
               "of_last: 1", "optional: true", "glob: yes", "include: [../x.yml]", "include: [/etc/passwd]",
               "raw:s:", "_sg_x:", "s:", "null", "~", "1e999", "0x1F", "2024-01-01", "yes", "中文", "数据.csv"]


@FAST
@given(st.one_of(st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map("".join), st.text(max_size=200)))
def test_load_pack_on_yaml_ish_text_raises_only_pack_errors(text):
    _load(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_load_pack_on_random_bytes_raises_only_pack_errors(data):
    _load(data)


# -- the pack loader: structures in a pack's vocabulary

# 300 characters: longer than a file name may be (corpus row include_long_name); a NUL: no file name holds one
NAMES = st.sampled_from(["s", "t", "good", "raw:s", "history:s", "_sg_x", "", " ", "中文", "a.b", "a'b", "x" * 200,
                         "x" * 300, "a\x00b"])
KEYS = st.sampled_from(["id", "kind", "source", "expr", "where", "if", "message", "severity", "tags", "hard",
                        "enabled", "tolerance", "missing", "min_failures", "of_last", "keys", "value", "values",
                        "other", "match", "check", "test", "by", "window", "mapping", "path", "columns", "type",
                        "pattern", "allowed", "min", "max", "optional", "glob", "sheet", "unit", "period", "lang",
                        "name", "include", "derive", "zh", "en", "unknown_key"])
KINDS = st.sampled_from(["row", "schema", "unique", "exists", "coverage", "reconcile", "hierarchy", "part_whole",
                         "growth", "cumulative", "sequence", "revisions", "sample", "complete", "digits", "perfect",
                         "smoothness", "outlier", "revision_drift", "benchmark", "nope", ""])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
                    st.text(max_size=30), NAMES, KINDS,
                    st.sampled_from(["a > 0", "a + b == total", "(SELECT 1)", "{observed:>2000000000}", "{", "}",
                                     "[0-9", "integer", "float64", "date", "../secret.yml", "/proc/self/environ",
                                     "data.csv", "data[12].csv", "*.csv", "reported", "error", "zh"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.one_of(KEYS, NAMES), inner, max_size=5)),
                      max_leaves=25)
RULE = st.fixed_dictionaries({"id": st.one_of(NAMES, SCALARS), "kind": st.one_of(KINDS, SCALARS)},
                             optional={"source": st.one_of(NAMES, VALUES), "expr": SCALARS}
                             ).flatmap(lambda base: st.dictionaries(KEYS, VALUES, max_size=4).map(
                                 lambda extra: {**extra, **base}))
SOURCE = st.dictionaries(KEYS, VALUES, max_size=5).map(lambda d: {"path": "data.csv", **d})
PACK = st.fixed_dictionaries({}, optional={
    "pack": st.one_of(VALUES, st.dictionaries(KEYS, VALUES, max_size=3)),
    "include": st.one_of(VALUES, st.lists(VALUES, max_size=3)),
    "sources": st.one_of(VALUES, st.dictionaries(NAMES, st.one_of(SOURCE, VALUES), max_size=3)),
    "rules": st.one_of(VALUES, st.lists(st.one_of(RULE, VALUES), max_size=4)),
    "unknown": VALUES,
})


def _dump(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


@FAST
@given(PACK)
def test_load_pack_on_random_structures_raises_only_pack_errors(doc):
    _load(_dump(doc))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PACK)
def test_lint_of_random_structures_raises_only_pack_errors(doc):
    _load(_dump(doc), check_types=True)  # as `statguard lint`: each rule bound in DuckDB too


# -- the expression language

COLUMNS = {None: ["a", "b", "total", "总投资", "x y", "other.rev"]}
EXPR_TOKENS = ["a", "b", "total", "总投资", '"x y"', '"', "other.rev", "other.", "1", "0.5", "1e999", "-", "'s'", "''",
               "'", "+", "*", "/", "%", "^", "||", "=", "==", "!=", "<>", "<", "<=", ">=", "(", ")", ",", ".", "AND",
               "OR", "NOT", "IN", "BETWEEN", "LIKE", "ILIKE", "IS", "NULL", "TRUE", "CASE", "WHEN", "THEN", "ELSE",
               "END", "CAST", "AS", "INTEGER", "::", "abs", "round", "coalesce", "regexp_matches", "date_diff",
               "read_csv", "getenv", "sum", "OVER", "SELECT", "FROM", "WITH", ";", "COPY", "ATTACH", "PRAGMA",
               "INSTALL", "LOAD", "SET", "INTERVAL", "'1 month'", "$1", "?", "`", "\\", "\n", "--", "/*", "*/",
               "[", "]", "{", "}", "->", "lambda", "x", ":", "@", "#", "\x00", "\ufeff"]


def _compile(text: str) -> None:
    try:
        compile_expression(text, COLUMNS)
    except ExpressionError as e:
        assert e.problems and e.problems[0].message


@FAST
@given(st.one_of(st.lists(st.sampled_from(EXPR_TOKENS), max_size=25).map(" ".join),
                 st.lists(st.sampled_from(EXPR_TOKENS), max_size=25).map("".join), st.text(max_size=80)))
def test_compile_raises_only_expression_errors(text):
    _compile(text)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 20_000), st.sampled_from(["(", "abs(", "-", "NOT ", "coalesce(a, "]))
def test_deep_expressions_are_expression_errors_not_recursion_errors(depth, opener):
    closer = ")" if opener.endswith("(") or opener.endswith(", ") else ""
    _compile(opener * depth + "a" + closer * depth + " > 0")
