"""The tutorials run as written: every command in a fenced bash block of docs/tutorial.md and
docs/zh/tutorial.md is run, in order, in a scratch copy of the bundled packs, and must end with
the exit code written next to it (`# exit 1`, `# 退出码 1`) and without a traceback."""

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
    for c in cmds:
        expected = 0 if c.exit is None else c.exit
        done = subprocess.run(_runnable(c.text), shell=True, executable="/bin/bash", cwd=work, env=env,
                              capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=180)
        out = done.stdout + done.stderr
        if done.returncode != expected or "Traceback" in out:
            failures.append(f"{DOCS[lang].name}:{c.line}: {c.text}\n  exit {done.returncode}, documented "
                            f"{expected}\n  " + out[-1500:].replace("\n", "\n  "))
    assert not failures, "\n\n".join(failures)
