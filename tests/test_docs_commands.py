"""The tutorials run as written: every command in a fenced bash block of docs/tutorial.md and
docs/zh/tutorial.md is run, in order, in a scratch copy of the bundled packs, and must end with
the exit code written next to it (`# exit 1`, `# 退出码 1`) and without a traceback; and what a
```text block right after a bash block shows must be what those commands printed (or wrote into
a pack file, as `init` does). A shown line may be cut by `...` (lines left out); the comparison
ignores whitespace, since the doc's lines are wrapped by hand."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

DOCS = {"en": ROOT / "docs" / "tutorial.md", "zh": ROOT / "docs" / "zh" / "tutorial.md"}
FENCE = re.compile(r"^```(\S*)\s*$")
EXIT = re.compile(r"#\s*(?:exit|退出码)\s*(\d+)\s*$")
STATGUARD = re.compile(r"^(?:statguard|python3? -m statguard)(?=\s|$)")
PYTHON = re.compile(r"^python3?(?=\s)")
# what the commands read: the bundled packs and the generator of the credibility screen's data
NEEDED = ("rules", "bench/fabrication")
# the subcommands a tutorial must walk through (the brief of issue 15)
SUBCOMMANDS = {"check", "screen", "lint", "explain", "init", "export", "history", "compare", "report"}


@dataclass
class Shown:
    line: int  # where the ```text block starts in the doc
    commands: range  # the doc lines of the bash block it follows
    text: str  # as written

    def pieces(self) -> list[str]:
        """The parts the output must contain: the text cut at every `...`, whitespace removed."""
        return [p for p in (re.sub(r"\s+", "", part) for part in self.text.split("...")) if p]


@dataclass
class Command:
    line: int  # where the command starts in the doc
    text: str  # as written, continuation lines joined, without the exit comment
    exit: int | None  # the exit code written next to it

    @property
    def is_statguard(self) -> bool:
        return bool(STATGUARD.match(self.text))


def commands(doc: Path) -> list[Command]:
    """The commands of the doc's ```bash blocks, continuation lines (`\\`) joined."""
    found: list[Command] = []
    in_bash = False
    pending: list[str] = []
    start = 0
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        fence = FENCE.match(line)
        if fence:
            if in_bash and pending:
                raise AssertionError(f"{doc.name}:{start}: a command continues past the end of its block")
            in_bash = not in_bash and fence.group(1) in ("bash", "sh", "shell")
            continue
        if not in_bash or (not pending and (not line.strip() or line.lstrip().startswith("#"))):
            continue
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1].strip())
            continue
        pending.append(line.strip())
        text = " ".join(pending)
        pending = []
        expected = EXIT.search(text)
        if expected:
            text = text[:expected.start()].strip()
        elif " #" in text:
            text = text[:text.index(" #")].strip()
        found.append(Command(start, text, int(expected.group(1)) if expected else None))
    return found


def shown_outputs(doc: Path) -> list[Shown]:
    """The ```text blocks that follow a ```bash block (nothing but blank lines between them)."""
    found: list[Shown] = []
    lines = doc.read_text(encoding="utf-8").splitlines()
    bash_start = bash_end = None
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if FENCE.match(lines[j]))
        if fence.group(1) in ("bash", "sh", "shell"):
            bash_start, bash_end = i + 1, end + 1
        elif fence.group(1) == "text" and bash_end is not None and not any(l.strip() for l in lines[bash_end:i]):
            found.append(Shown(i + 1, range(bash_start, bash_end), "\n".join(lines[i + 1:end])))
        i = end + 1
    return found


def _pack_files(work: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in work.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file()}


def _runnable(text: str) -> str:
    exe = f'"{sys.executable}"'
    if STATGUARD.match(text):
        return STATGUARD.sub(f"{exe} -m statguard", text, count=1)
    return PYTHON.sub(exe, text, count=1)


def _workspace(tmp: Path) -> Path:
    for part in NEEDED:
        shutil.copytree(ROOT / part, tmp / part, symlinks=False)  # rules/credibility is a link into src/
    return tmp


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "STATGUARD_HISTORY"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.mark.parametrize("lang", sorted(DOCS))
def test_every_statguard_command_states_its_exit_code(lang):
    cmds = commands(DOCS[lang])
    used = {c.text.split()[1] if c.text.startswith("statguard") else c.text.split()[3]
            for c in cmds if c.is_statguard and len(c.text.split()) > 1}
    assert used >= SUBCOMMANDS, f"not shown: {sorted(SUBCOMMANDS - used)}"
    unstated = [f"{DOCS[lang].name}:{c.line}: {c.text}" for c in cmds if c.is_statguard and c.exit is None]
    assert not unstated, "commands without '# exit N':\n" + "\n".join(unstated)


def test_the_chinese_tutorial_reports_in_chinese():
    checks = [c for c in commands(DOCS["zh"]) if c.is_statguard and c.text.split()[1] in ("check", "screen")]
    assert checks and all("--lang en" not in c.text for c in checks)


def test_shown_output_follows_its_bash_block_and_is_cut_at_ellipses(tmp_path):
    doc = tmp_path / "t.md"
    doc.write_text("```bash\nstatguard check a   # exit 1\n```\n\n```text\n  [错误] R1 甲：\n      差 2\n...\n"
                   "end ... x\n```\nprose\n```text\nnot output\n```\n", encoding="utf-8")
    (shown,) = shown_outputs(doc)
    assert shown.line == 5 and 2 in shown.commands and shown.pieces() == ["[错误]R1甲：差2", "end", "x"]


def test_the_parser_reads_blocks_continuations_and_exit_codes(tmp_path):
    doc = tmp_path / "t.md"
    doc.write_text("text\n```bash\n# a comment\nstatguard lint a \\\n    b   # exit 2\nsed x > y\n```\n"
                   "```text\nstatguard check not-a-command   # exit 1\n```\n", encoding="utf-8")
    assert commands(doc) == [Command(4, "statguard lint a b", 2), Command(6, "sed x > y", None)]


@pytest.mark.parametrize("lang", sorted(DOCS))
def test_tutorial_commands_run_as_documented(lang, tmp_path):
    cmds = commands(DOCS[lang])
    assert len(cmds) >= 15
    work = _workspace(tmp_path)
    env = _env()
    failures = []
    printed: dict[int, str] = {}  # doc line of a command -> what it printed, and the pack files it wrote
    for c in cmds:
        expected = 0 if c.exit is None else c.exit
        before = _pack_files(work)
        done = subprocess.run(_runnable(c.text), shell=True, executable="/bin/bash", cwd=work, env=env,
                              capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=180)
        out = done.stdout + done.stderr
        written = [p.read_text(encoding="utf-8") for p, t in _pack_files(work).items() if before.get(p) != t]
        printed[c.line] = "\n".join([out, *written])
        if done.returncode != expected or "Traceback" in out:
            failures.append(f"{DOCS[lang].name}:{c.line}: {c.text}\n  exit {done.returncode}, documented "
                            f"{expected}\n  " + out[-1500:].replace("\n", "\n  "))
    assert not failures, "\n\n".join(failures)
    for shown in shown_outputs(DOCS[lang]):
        output = re.sub(r"\s+", "", "\n".join(text for line, text in printed.items() if line in shown.commands))
        missing = [piece for piece in shown.pieces() if piece not in output]
        if missing:
            failures.append(f"{DOCS[lang].name}:{shown.line}: shown but not printed:\n  " + "\n  ".join(missing))
    assert not failures, "\n\n".join(failures)
