"""The README's Quick start: two commands, the second exactly what .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_quick_start_is_two_commands_and_ci_runs_the_second():
    commands = quick_start_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    install_and_demo, install_and_test = commands
    assert "statguard check rules/demo.yml" in install_and_demo
    assert install_and_test.endswith("-m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()


def test_quick_start_never_installs_into_the_system_python():
    """PEP 668 systems (Debian 12, Ubuntu 23.04+) refuse `pip install` outside a virtual
    environment: both commands install into .venv with the system pip's --python."""
    for command in quick_start_commands():
        install = command.split(" && ")[1]
        assert install.startswith("python3 -m pip --python .venv/bin/python install"), command
        assert command.startswith("python3 -m venv --without-pip .venv && ")
