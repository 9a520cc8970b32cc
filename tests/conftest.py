import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / "tests" / "shared"  # reference datasets vendored from the project's shared/ folder
