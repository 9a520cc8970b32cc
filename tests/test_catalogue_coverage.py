"""Every word statguard says comes from the catalogue, in both languages.

(a) every catalogue entry has English and Chinese with the same placeholders, `{name}` and
    argparse's `%(name)s` / `%s` alike (test_i18n checks `{name}`; this adds the modules that
    only register when imported: every module scanned below is imported first);
(b) an AST scan of the modules that print or raise what a user reads: a string literal with
    words in it, passed to print(), to argparse's help=/description=, to a statguard exception
    (StatguardError and its subclasses), to Problem(...) or to `.problem(...)`, fails the test
    unless it sits inside a catalogue call (t, say, ...). Literals without words (separators,
    placeholders) pass; the few other exceptions are listed in ALLOWED with the reason.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from statguard import i18n

SRC = Path(__file__).resolve().parent.parent / "src" / "statguard"
SCANNED = sorted(SRC.rglob("*.py"))
# Modules whose messages are not in the catalogue yet, each with the reason; the list only shrinks.
PENDING: dict[str, str] = {}
CATALOGUE_CALLS = {"t", "say", "say_plain"}  # what looks a text up in statguard.i18n.CATALOGUE
EXCEPTIONS = {"StatguardError", "PackError", "ExpressionError", "SourceError", "SourceAbsent", "RuleSkipped",
              "EngineError", "HistoryError", "Problem", "ArgumentTypeError",
              "ValueError"}  # a parameter validator's ValueError is the message pydantic reports (pack.pydantic_words)
SAYING = {"problem", "error"}  # Loc.problem(message, field), parser.error(message)
ARGPARSE = {"add_parser", "add_argument", "add_subparsers", "add_argument_group", "ArgumentParser", "_Parser"}
# (module, literal): why a literal with letters in it is not a word to translate
ALLOWED: dict[tuple[str, str], str] = {
    ("i18n.py", "catalogue entry '{key}' needs exactly the languages {LANGS}"): "a maintainer's mistake, at import",
    ("i18n.py", "catalogue entry '{key}' registered twice with different texts"): "a maintainer's mistake, at import",
    ("engine/duckdb.py", "run_fused needs fusable plans over one table"): "statguard's own mistake, never a user's",
    ("templates.py", "placeholder '{{{name}}}' is not a plain name"):
        "caught by lint, which says it from the catalogue (lint.not_plain)",
    ("cli/main.py", "statguard {__version__}"): "the program's name and version number",
    ("docs.py", "Print the rule-kind reference."): "the maintainers' script regenerating docs/rules.md",
    ("docs.py", "language (default: en, so that docs/rules.md regenerates the same anywhere)"):
        "the maintainers' script regenerating docs/rules.md",
}


def _module(path: Path) -> str:
    return path.relative_to(SRC).as_posix()


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _words(text: str) -> bool:
    """True when `text` holds words (two Latin letters in a row or a Chinese character)
    once its placeholders are taken out."""
    bare = re.sub(r"\{[^{}]*\}|%\(\w+\)[sdr]|%[sdr]", "", text)
    return bool(re.search(r"[A-Za-z]{2}|[\u4e00-\u9fff]", bare))


def _text_of(node: ast.AST) -> str:
    return ast.unparse(node)[2:-1] if isinstance(node, ast.JoinedStr) else str(node.value)  # type: ignore[attr-defined]


def _literals(node: ast.AST):
    """The string literals of an expression outside catalogue calls, f-strings whole."""
    if isinstance(node, ast.Call) and _name(node.func) in CATALOGUE_CALLS or isinstance(node, ast.Compare):
        return  # a comparison's literals are not shown
    if isinstance(node, ast.JoinedStr):
        parts = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if _words(parts):
            yield node
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                yield from _literals(v.value)
        return
    if isinstance(node, ast.Call):  # ", ".join(...) shows its separator; a call's own arguments are its own
        yield from _literals(node.func)
        return
    if isinstance(node, ast.Subscript):  # row["column"]: the key is not shown, the value may be
        yield from _literals(node.value)
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _words(node.value):
            yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _literals(child)


def _said(call: ast.Call) -> list[ast.expr]:
    """The arguments of `call` a user reads."""
    name = _name(call.func)
    if name in ARGPARSE:
        return [k.value for k in call.keywords if k.arg in ("help", "description", "epilog", "title")]
    if name == "print":
        return call.args
    if name == "error" and len(call.args) == 2:  # statguard.engine.databases: target.error(field, message)
        return call.args[1:]
    if name in EXCEPTIONS or name in SAYING:
        return call.args[:1] + [k.value for k in call.keywords if k.arg == "message"]
    if name == "_at":  # statguard.pack.scorecard._at(raw, path, message)
        return call.args[2:3]
    return []


def untranslated(path: Path) -> list[str]:
    module = _module(path)
    found = {}  # a literal inside two calls (PackError(Problem("..."))) is one finding
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for arg in _said(node):
                for literal in _literals(arg):
                    text = _text_of(literal)
                    if (module, text) not in ALLOWED:
                        found[literal.lineno, literal.col_offset] = f"{module}:{literal.lineno}: {text!r}"
    return [found[k] for k in sorted(found)]


@pytest.mark.parametrize("path", [p for p in SCANNED if _module(p) not in PENDING], ids=_module)
def test_every_message_comes_from_the_catalogue(path):
    assert untranslated(path) == []


def test_the_scan_finds_what_it_should(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('print("no such file")\nraise PackError(f"bad {x} here")\nloc.problem("odd", "field")\n'
                   'p.add_argument("--x", help="a help text")\nprint(t("key", lang), ": ")\n'
                   'raise SourceError(say("k", n=1) + " and more")\n', encoding="utf-8")
    shown = [line.split(": ", 1)[1] for line in _scan_outside(bad)]
    assert shown == ["'no such file'", "'bad {x} here'", "'odd'", "'a help text'", "' and more'"]


def _scan_outside(path: Path) -> list[str]:
    global SRC
    saved, SRC = SRC, path.parent
    try:
        return sorted(untranslated(path), key=lambda line: int(line.split(":")[1]))
    finally:
        SRC = saved


def test_pending_modules_still_need_it():
    """A module moved to the catalogue leaves PENDING, so the scan guards it from then on."""
    done = [m for m in PENDING if (SRC / m).exists() and not untranslated(SRC / m)]
    assert done == []


def _import_scanned() -> None:
    for path in SCANNED:
        module = _module(path)
        if module not in PENDING and path.name != "__main__.py":
            importlib.import_module("statguard." + module[:-3].replace("/", ".").removesuffix(".__init__"))


_import_scanned()
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)[sdr]|%[sdr]")


@pytest.mark.parametrize("key", sorted(i18n.CATALOGUE))
def test_every_entry_has_both_languages_with_the_same_placeholders(key):
    entry = i18n.CATALOGUE[key]
    assert set(entry) == set(i18n.LANGS)
    assert all(text.strip() for text in entry.values()), key
    assert set(PLACEHOLDER.findall(entry["zh"])) == set(PLACEHOLDER.findall(entry["en"])), key


# (c) the figure names the kinds give their violations' `values` (`VAL + "claimed_rate"`) are statguard's
#     own words, shown to readers (report headers, the figures cell): each needs a `figure.<name>` entry.
#     Names built from the user's columns (`VAL + p.value`) are the user's and are not scanned.
CHECKS = SRC / "checks"


def _strings(node: ast.AST | None, position: int | None = None) -> set[str]:
    """The names a literal holds: its strings, or those at `position` of its tuples / dict items."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body, position) | _strings(node.orelse, position)
    if isinstance(node, ast.Dict) and position is not None:
        return set().union(*(_strings(n) for n in (node.keys if position == 0 else node.values)))
    if isinstance(node, (ast.List, ast.Tuple)):
        if position is None:
            return set().union(set(), *(_strings(e) for e in node.elts))
        return set().union(set(), *(_strings(e.elts[position]) for e in node.elts
                                    if isinstance(e, ast.Tuple) and len(e.elts) > position))
    return set()


def _literals_named(tree: ast.AST, name: str) -> list[ast.AST]:
    """What `name` is given in the module: assignments (`x = [...]`, `x[2:4] = [...]`) and `x.append(...)`."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                base = target.value if isinstance(target, ast.Subscript) else target
                if isinstance(base, ast.Name) and base.id == name:
                    found.append(node.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
              and isinstance(node.func.value, ast.Name) and node.func.value.id == name and node.args):
            found.append(ast.List(elts=node.args))
    return found


def _looped(tree: ast.AST, loops: list[ast.AST], name: str) -> set[str]:
    """The names `name` takes in the comprehension or for loop around a `VAL + name` that binds it."""
    out: set[str] = set()
    for loop in loops:
        generators = loop.generators if hasattr(loop, "generators") else [loop]
        for g in generators:
            target, source = g.target, g.iter
            if isinstance(target, ast.Name) and target.id == name:
                position = None
            elif isinstance(target, ast.Tuple) and name in [getattr(e, "id", None) for e in target.elts]:
                position = [getattr(e, "id", None) for e in target.elts].index(name)
            else:
                continue
            if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute) and source.func.attr == "items":
                source = source.func.value
            literals = _literals_named(tree, source.id) if isinstance(source, ast.Name) else [source]
            for literal in literals:
                out |= _strings(literal, position)
    return out


def emitted_figures(path: Path) -> set[str]:
    """Every internal figure name a kind's module emits: `VAL + "n"`, `f"{VAL}gap"`, `VAL + ("a" if .. else "b")`,
    `VAL + name` over a literal list of names, and the fixed part of `VAL + f"implied_by_{...}"` (as `implied_by_*`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    parents: dict[ast.AST, ast.AST] = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and len(node.values) > 1:
            first, second = node.values[0], node.values[1]
            if (isinstance(first, ast.Constant) and first.value.endswith('"') and isinstance(second, ast.FormattedValue)
                    and getattr(second.value, "id", None) == "VAL" and len(node.values) > 2):
                names.add(re.match(r"\w*", node.values[2].value).group())
        if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add)
                and getattr(node.left, "id", None) == "VAL"):
            continue
        right = node.right
        if isinstance(right, ast.JoinedStr):
            head = right.values[0]
            if isinstance(head, ast.Constant):
                names.add(head.value + "*")
        elif isinstance(right, ast.Name):
            loops, up = [], node
            while up in parents:
                up = parents[up]
                if isinstance(up, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp, ast.For)):
                    loops.append(up)
            names |= _looped(tree, loops, right.id)
        else:
            names |= _strings(right)
    return {n for n in names if n and not n.startswith("_")}


def all_emitted_figures() -> dict[str, set[str]]:
    return {_module(p): f for p in sorted(CHECKS.rglob("*.py")) if (f := emitted_figures(p))}


def test_every_figure_name_a_kind_emits_has_a_chinese_label():
    lacking = {module: sorted(n for n in names if f"figure.{n}" not in i18n.CATALOGUE)
               for module, names in all_emitted_figures().items()}
    lacking = {m: n for m, n in lacking.items() if n}
    assert not lacking, f"figure names without a figure.<name> catalogue entry (statguard.i18n): {lacking}"
    assert all(i18n.t(f"figure.{n}", "zh") != n for n in i18n.FIGURE_NAMES)  # Chinese, not the name again


def test_each_kind_lists_exactly_the_figure_names_it_emits():
    """statguard.i18n.FIGURES_OF tells a kind's own names from the user's columns: it must stay current."""
    scanned = {}
    for module, names in all_emitted_figures().items():
        kind = re.search(r'rule_kind\("(\w+)"', (SRC / module).read_text(encoding="utf-8"))
        assert kind, f"{module} emits figures but registers no kind"
        scanned[kind.group(1)] = names
    assert {k: set(v) for k, v in i18n.FIGURES_OF.items() if k != "explanations"} == scanned
    problem = re.search(r'"values": \{([^}]*)\}', (SRC / "explain" / "match.py").read_text(encoding="utf-8"))
    assert set(re.findall(r'"(\w+)":', problem.group(1))) == i18n.FIGURES_OF["explanations"]  # the pseudo-kind's


def test_the_figure_scan_finds_what_it_should(tmp_path):
    sample = tmp_path / "kind.py"
    sample.write_text(
        'out = [alias(a, VAL + "gap"), alias(b, VAL + ("peer_ups" if up else "peer_downs")), alias(c, VAL + p.value)]\n'
        'shown = {"claimed": "claimed_rate", "total": "total"}\n'
        'out += [alias(_c(col), VAL + name) for col, name in shown.items()]\n'
        'values = [("n", x)]\nvalues.append(("excess_mad", y))\n'
        'q = [alias(v, VAL + name) for name, v in values]\n'
        'r = [alias(col(c), VAL + c) for c in ("steps", "ups")]\n'
        'o = [f\'"{VAL}p_value" ASC\']\nz = alias(w, VAL + f"implied_by_{pair.figure}")\n', encoding="utf-8")
    assert emitted_figures(sample) == {"gap", "peer_ups", "peer_downs", "claimed_rate", "total", "n", "excess_mad",
                                       "steps", "ups", "p_value", "implied_by_*"}


# (d) the key names the kinds give their violations' `keys` (`KEY + "column"`) are statguard's own words too,
#     shown as table headings (statguard.i18n.key_label): each kind's own are listed in KEYS_OF, with Chinese.
_KEY_LITERAL = re.compile(r'\bKEY \+ "(\w+)"')


def test_every_key_name_a_kind_emits_is_listed_with_a_chinese_label():
    emitted: dict[str, set[str]] = {}
    for path in sorted(CHECKS.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        names = set(_KEY_LITERAL.findall(text))
        if "indicator_key(" in text:  # statguard.checks.versions.revisions: 'indicator', or 'value_column'
            names |= {"indicator", "value_column"}
        kind = re.search(r'rule_kind\("(\w+)"', text)
        emitted.setdefault(kind.group(1) if kind else _module(path), set()).update(names)
    lacking = {kind: sorted(n for n in names if n not in i18n.ANY_KIND_KEYS and n not in i18n.KEYS_OF.get(kind, ()))
               for kind, names in emitted.items()}
    assert not {k: v for k, v in lacking.items() if v}, "key names missing from statguard.i18n.KEYS_OF"
    assert emitted["checks/plan.py"] == set(i18n.ANY_KIND_KEYS)  # the record number of any kind's source
    assert all(i18n.t(f"key.{n}", "zh") != n for n in i18n.KEY_NAMES)
    assert set().union(*i18n.KEYS_OF.values(), i18n.ANY_KIND_KEYS) == set(i18n.KEY_NAMES)


def test_a_kind_key_name_is_translated_only_for_its_kinds():
    assert i18n.key_label("column", "zh", ["schema"]) == "字段"
    assert i18n.key_label("column", "en", ["schema"]) == "column"
    assert i18n.key_label("column", "zh", ["row"]) == "column"  # a row rule's key column the user called so
    assert i18n.key_label("column", "zh", ["schema", "unique"]) == "column"  # a heading shared with the user's
    assert i18n.key_label("row", "zh", ["unique"]) == "行号"
