"""Time `statguard export pandera|gx` and the imports back for the bundled packs (issue 14: under
a second each). Run: python bench/interop_bench.py"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKS = sorted([*ROOT.glob("rules/*.yml"), *ROOT.glob("rules/*/pack.yml"),
                ROOT / "src" / "statguard" / "packs" / "credibility" / "pack.yml"])


def timings(path: Path) -> dict[str, float]:
    """Seconds to load the pack and export it (pandera, gx), and to import each export back."""
    from statguard.interop import gx_export, gx_import, pandera_export, pandera_import
    from statguard.load import load_pack
    out = {}
    start = time.perf_counter()
    pack = load_pack(path)
    out["load"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        for tool, export in (("pandera", pandera_export.export), ("gx", gx_export.export)):
            start = time.perf_counter()
            text = export(pack).text
            out[f"export {tool}"] = time.perf_counter() - start
            written = Path(tmp) / (f"{path.parent.name}_schemas.py" if tool == "pandera" else "suite.json")
            written.write_text(text, encoding="utf-8")
            start = time.perf_counter()
            if tool == "pandera":
                pandera_import.import_schemas(pandera_import.load_target(str(written)))
            else:
                gx_import.import_suites(gx_import.read_suites(written))
            out[f"import {tool}"] = time.perf_counter() - start
    return out


def main() -> None:
    import pandera.pandas  # noqa: F401  (imported once, as a user's session would have it)
    for path in PACKS:
        times = timings(path)
        shown = "  ".join(f"{k} {v:.3f}s" for k, v in times.items())
        print(f"{path.relative_to(ROOT)}: {shown}")


if __name__ == "__main__":
    main()
