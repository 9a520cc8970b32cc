import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

# The CLI follows the locale (LC_ALL, LC_MESSAGES, LANG, LANGUAGE): the tests that assert English
# texts must not turn Chinese on a developer's Chinese desktop. Tests of the locale set it themselves.
for _name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "tests" / "shared"  # reference datasets vendored from the project's shared/ folder
