"""The progress line: silent off a terminal and in CI, shown on a terminal after two seconds."""

from __future__ import annotations

import io
from pathlib import Path

from statguard import load_pack
from statguard.api import validate
from statguard.progress import Progress, wanted

DATA = Path(__file__).parent / "data" / "scorecard"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_silent_when_not_a_terminal():
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(stream, clock=clock, env={})
    clock.now += 10
    progress(1, 3, "R1")
    progress.close()
    assert not progress.active and stream.getvalue() == ""


def test_silent_in_ci_even_on_a_terminal():
    for ci in ("true", "1", "yes"):
        stream, clock = FakeTerminal(), FakeClock()
        progress = Progress(stream, clock=clock, env={"CI": ci}, ticker=False)
        clock.now += 10
        progress(1, 3, "R1")
        progress.close()
        assert stream.getvalue() == ""
    assert wanted(FakeTerminal(), {"CI": "false"}) and wanted(FakeTerminal(), {})
    assert not wanted(FakeTerminal(), {"TERM": "dumb"})


def test_quiet_for_the_first_two_seconds_then_redrawn_in_place():
    stream, clock = FakeTerminal(), FakeClock()
    progress = Progress(stream, clock=clock, env={}, width=79, ticker=False)
    progress(0, 3, None)
    clock.now += 1.0
    progress(1, 3, "INV-SHARE")
    assert stream.getvalue() == "", "runs shorter than two seconds show nothing"
    clock.now += 1.5
    progress(2, 3, "HOUSING-TOTAL")
    first = stream.getvalue()
    assert first.startswith("\r") and "\n" not in first
    assert "rule 2/3" in first and "HOUSING-TOTAL" in first and "0:02" in first
    assert "[#############.......]" in first  # 2 of 3 rules of a 20-wide bar
    clock.now += 63
    progress(3, 3, "R3")
    second = stream.getvalue()[len(first):]
    assert second.startswith("\r") and "rule 3/3" in second and "1:05" in second
    assert len(second) - 1 >= len(first) - 1, "a shorter line pads over the longer one"
    progress.close()
    assert stream.getvalue().endswith("\r"), "the line is erased at the end"
    assert stream.getvalue().rsplit("\r", 2)[-2].strip() == ""


def test_reading_sources_and_long_rule_ids_fit_the_width():
    stream, clock = FakeTerminal(), FakeClock()
    progress = Progress(stream, clock=clock, env={}, width=40, ticker=False)
    clock.now += 5
    progress(0, 2, None)
    assert "reading sources" in stream.getvalue()
    progress(1, 2, "A-VERY-LONG-RULE-IDENTIFIER-THAT-DOES-NOT-FIT")
    for line in stream.getvalue().split("\r"):
        assert len(line.rstrip()) <= 40


def test_validate_reports_each_rule_to_the_callback():
    pack = load_pack(DATA / "pack.yml")
    calls = []
    validate(pack, {"claims": DATA / "claims-2024-01.csv"}, progress=lambda i, n, r: calls.append((i, n, r)))
    assert calls == [(0, 2, None), (1, 2, "R1"), (2, 2, "R2")]


def test_check_command_is_silent_when_stderr_is_not_a_terminal(capsys):
    from statguard.cli.main import main
    main(["check", str(DATA / "pack.yml"), "--format", "json"])
    assert "\r" not in capsys.readouterr().err


def test_ticker_keeps_the_clock_moving_during_one_long_rule():
    import time
    stream, clock = FakeTerminal(), FakeClock()
    with Progress(stream, clock=clock, env={}, width=79, delay=2.0) as progress:
        progress(1, 1, "SLOW")
        clock.now += 7
        deadline = time.monotonic() + 3
        while "0:07" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "0:07" in stream.getvalue() and "SLOW" in stream.getvalue()
