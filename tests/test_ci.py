"""CI integration: the pre-commit hook and the workflow examples of docs/ci.md actually work."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from statguard.cli.main import build_parser, main
from statguard.report.writers import formats

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / ".pre-commit-hooks.yaml"
EXAMPLES = ROOT / "docs" / "examples"
PACK = Path(__file__).parent / "data" / "scorecard"


def hook() -> dict:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    return hooks[0]


def test_pre_commit_hook_definition():
    h = hook()
    assert h["id"] == "statguard-lint" and h["language"] == "python"
    assert h["entry"].split()[:2] == ["statguard", "lint"] and h["pass_filenames"] is True
    files = re.compile(h["files"])
    for path in ("rules/invest.yml", "rules/sub/housing.yaml", "packs/rules/a.yml"):
        assert files.search(path), path
    for path in ("src/rules.py", "config.yml", "rules/data.csv", "myrules/a.yml"):
        assert not files.search(path), path


def test_pre_commit_accepts_the_manifest():
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (manifest,) = clientlib.load_manifest(str(HOOKS))
    assert manifest["id"] == "statguard-lint" and manifest["types"] == ["file"]


@pytest.fixture()
def pack_repo(tmp_path):
    """A repository of rule packs: rules/ holding one good and one broken pack file."""
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(PACK / "pack.yml", rules / "claims.yml")
    broken = (PACK / "pack.yml").read_text(encoding="utf-8").replace("expr: verified <= claimed",
                                                                     "expr: verfied <= claimed")
    (rules / "broken.yml").write_text(broken, encoding="utf-8")
    (tmp_path / "README.yml").write_text("not: a pack\n", encoding="utf-8")
    return tmp_path


def run_hook(repo: Path, names: list[str]) -> subprocess.CompletedProcess:
    """Run the hook's entry as pre-commit does: entry words, then the staged files it matches."""
    h = hook()
    files = [n for n in names if re.search(h["files"], n)]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(shlex.split(h["entry"]) + files, cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120)


def test_hook_entry_passes_a_good_pack_file(pack_repo):
    done = run_hook(pack_repo, ["README.yml", "rules/claims.yml"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rules/claims.yml: ok (2 rules, 2 sources)" in done.stdout  # lint reports on stdout (issue 17)


def test_hook_entry_fails_the_commit_with_located_problems(pack_repo):
    done = run_hook(pack_repo, ["rules/claims.yml", "rules/broken.yml"])
    assert done.returncode == 2
    line = next(i for i, ln in enumerate((pack_repo / "rules/broken.yml").read_text(encoding="utf-8")
                                         .splitlines(), 1) if "verfied" in ln)
    assert re.search(rf"rules/broken\.yml:{line}:\d+: .*verfied", done.stdout), done.stdout


def github_commands() -> list[str]:
    doc = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text(encoding="utf-8"))
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]
    return [line for s in steps if "run" in s for line in s["run"].splitlines() if line.strip()]


def gitlab_commands() -> list[str]:
    doc = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text(encoding="utf-8"))
    return [line for job in doc.values() if isinstance(job, dict) and "script" in job for line in job["script"]]


def statguard_argvs(commands: list[str], env: dict[str, str]) -> list[list[str]]:
    out = []
    for command in commands:
        words = [os.path.expandvars(w) if "$" in w else w for w in shlex.split(command)]
        if words[0] == "statguard":
            out.append(words[1:])
    return out


@pytest.mark.parametrize("commands", [github_commands, gitlab_commands], ids=["github", "gitlab"])
def test_workflow_commands_exist_in_the_cli(commands, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    argvs = statguard_argvs(commands(), dict(os.environ))
    assert [a[0] for a in argvs] == ["lint", "check"]
    parser = build_parser()
    known = formats()
    for argv in argvs:
        args = parser.parse_args(argv)  # an unknown option exits here
        for fmt in getattr(args, "formats", None) or []:
            assert fmt in known, fmt


@pytest.mark.parametrize("commands", [github_commands, gitlab_commands], ids=["github", "gitlab"])
def test_workflow_commands_run_on_a_submission(commands, monkeypatch, tmp_path, capsys):
    """The job's statguard steps, run in a checkout holding rules/ and submissions/."""
    shutil.copytree(PACK, tmp_path / "rules", ignore=shutil.ignore_patterns("claims*.csv", "*.txt"))
    (tmp_path / "submissions").mkdir()
    shutil.copy(PACK / "claims-2024-04.csv", tmp_path / "submissions" / "claims.csv")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    lint, check = statguard_argvs(commands(), dict(os.environ))
    assert main(lint) == 0
    assert main(check) == 1, "the April submission has errors, so the job fails"
    suite = ET.parse(tmp_path / "out" / "statguard.xml").getroot()
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert any("R1" in name for name in cases), list(cases)
    assert any(c.find("failure") is not None for c in cases.values())
    html = (tmp_path / "out" / "statguard.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "R1" in capsys.readouterr().out  # the text summary in the job log
    summary = tmp_path / ("summary.md" if commands is github_commands else "out/statguard.md")
    assert "R1" in summary.read_text(encoding="utf-8")


def test_ci_page_shows_the_tested_examples():
    page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        body = (EXAMPLES / name).read_text(encoding="utf-8").strip()
        assert body in page, f"docs/ci.md must show docs/examples/{name} verbatim"
    assert HOOKS.read_text(encoding="utf-8").split("\n- id:")[1].split("\n")[0] in page
