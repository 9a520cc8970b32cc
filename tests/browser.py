"""Loading a page in headless Chromium (Debian's `chromium`) for report tests.

`load(path)` returns the DOM after the page's scripts ran and the console
messages Chromium logged. `load(path, script=...)` first appends a script to a
copy of the page, so a test can drive the page's own JavaScript (sort, page,
filter) and write what it saw into the DOM.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars"]
_CONSOLE = re.compile(r":CONSOLE(?:\(\d+\)|:\d+)?\] (.*)")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    exe = chromium()
    assert exe, "chromium not installed"
    with tempfile.TemporaryDirectory(prefix="sg-chromium-") as profile:
        return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=timeout, check=False)


def load(page: Path, script: str | None = None, timeout: float = 120) -> tuple[str, list[str]]:
    """(DOM after load, console messages) of `page`, optionally with `script` appended."""
    if script is not None:
        html = page.read_text(encoding="utf-8")
        page = page.with_name(page.stem + ".driven.html")
        page.write_text(html.replace("</body>", f"<script>{script}</script></body>"), encoding="utf-8")
    proc = _run(["--enable-logging=stderr", "--v=0", "--dump-dom", page.resolve().as_uri()], timeout)
    console = [m.group(1) for line in proc.stderr.splitlines() if (m := _CONSOLE.search(line))]
    return proc.stdout, console


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1800, timeout: float = 120) -> None:
    _run([f"--window-size={width},{height}", f"--screenshot={png.resolve()}", page.resolve().as_uri()], timeout)
