"""Columns declared `pii:` are masked in everything a run shows, unless asked (issue 15).

The end-to-end tests run `statguard check` in every format, a spot-check sample and an
explanation template, and search every byte written (xlsx unzipped) and printed for the full
identity numbers, phones and names of the data.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from statguard.load import load_pack
from statguard.report.masking import mask

IDS = ["320102199001011234", "320102198506152345", "32010619921212345X", "320106197707073456",
       "110101198001017890"]
PHONES = ["13812345678", "13987654321", "15011112222", "18600001111"]
NAMES = ["张三", "欧阳娜娜", "李小明", "王五", "赵六"]

PERSONS = """身份证号,姓名,电话,区县,收入
320102199001011234,张三,13812345678,玄武区,5000
320102198506152345,欧阳娜娜,13987654321,玄武区,-200
32010619921212345X,李小明,15011112222,鼓楼区,-50
320106197707073456,王五,18600001111,鼓楼区,3000
320106197707073456,王五,18600001111,鼓楼区,3000
"""
# 赵六's ID is in no persons record: the one claim without a match; the others match on the real IDs
CLAIMS = """身份证号,姓名,区县,金额
320102199001011234,张三,玄武区,800
110101198001017890,赵六,玄武区,900
320106197707073456,王五,鼓楼区,700
"""
PACK = """pack: {name: 低保核查, lang: zh}
sources:
  persons:
    path: persons.csv
    unit: 身份证号
    columns:
      身份证号: {type: string, pii: true}
      姓名: {type: string, pii: name}
      电话: {type: string, pii: true}
      区县: string
      收入: number
  claims:
    path: claims.csv
    keys: [身份证号]
    unit: 区县
    columns:
      身份证号: {type: string, pii: id}
      姓名: {type: string, pii: true}
      区县: string
      金额: number
rules:
  - id: R1
    kind: row
    source: persons
    expr: 收入 >= 0
    keys: [身份证号, 姓名, 电话]
    message: "{姓名}（{身份证号}，电话 {电话}）收入为负：{收入}"
  - {id: E1, kind: exists, source: claims, other: persons, match: [身份证号], severity: warning,
     message: "{身份证号} 无参保记录"}
  - {id: U1, kind: unique, source: persons, keys: [身份证号]}
  - {id: S1, kind: sample, source: persons, strata: [区县], n: 2, seed: 7}
"""
FORMATS = {"text": "txt", "json": "json", "html": "html", "xlsx": "xlsx", "csv": "csv", "markdown": "md",
           "junit": "xml"}


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    (tmp_path / "persons.csv").write_text(PERSONS, encoding="utf-8")
    (tmp_path / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    path = tmp_path / "pack.yml"
    path.write_text(PACK, encoding="utf-8")
    return path


def _statguard(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "statguard", *map(str, args)], cwd=cwd, capture_output=True,
                          timeout=120)


def _everything(out: Path, runs: list[subprocess.CompletedProcess[bytes]]) -> str:
    """Every byte written under `out` (workbooks unzipped) and printed, as one text."""
    parts = [r.stdout + r.stderr for r in runs]
    for path in sorted(out.rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                parts += [book.read(name) for name in book.namelist()]
        elif path.is_file():
            parts.append(path.read_bytes())
    return b"\n".join(parts).decode("utf-8", errors="replace")


def _run_all(pack: Path, out: Path, *extra: str) -> tuple[str, dict]:
    formats = [a for fmt, ext in FORMATS.items() for a in ("-f", fmt, "-o", out / f"report.{ext}")]
    runs = [_statguard("check", pack, *formats, "--output-dir", out, *extra, cwd=pack.parent),
            _statguard("check", pack, "--output-dir", out / "terminal", *extra, cwd=pack.parent)]
    assert [r.returncode for r in runs] == [1, 1], runs[0].stderr.decode()
    if not extra:  # the template comes from a default (masked) run
        for name in ("template.xlsx", "template.yml"):
            runs.append(_statguard("explain-template", pack, "-o", out / name, cwd=out))
            assert runs[-1].returncode == 0, runs[-1].stderr.decode()
    assert (out / "S1.csv").exists() and (out / "S1.xlsx").exists()
    return _everything(out, runs), json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_no_full_id_phone_or_name_in_any_output(pack: Path, tmp_path: Path) -> None:
    text, report = _run_all(pack, tmp_path / "out")
    assert [v for v in IDS + PHONES + NAMES if v in text] == []
    # what is shown instead (by hand, from the masking rules)
    for shown in ("3201**********2345", "3201**********345X", "1101**********7890", "139****4321", "欧阳**",
                  "李**", "王*"):
        assert shown in text, shown
    assert report["meta"]["pii"] == {"masked": True, "columns": ["姓名", "电话", "身份证号"]}
    by_rule = {r["rule_id"]: r for r in report["summary"]}
    # E1 matches the claims on the real IDs: two of three have a persons record
    assert (by_rule["E1"]["passes"], by_rule["E1"]["fails"]) == (2, 1)
    messages = sorted(v["message"] for v in report["violations"] if v["rule_id"] in ("R1", "E1"))
    assert messages == ["1101**********7890 无参保记录", "李**（3201**********345X，电话 150****2222）收入为负：-50",
                        "欧阳**（3201**********2345，电话 139****4321）收入为负：-200"]
    sample = (tmp_path / "out" / "S1.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sample[1].split(",")[2:5] == ["3201**********1234", "张*", "138****5678"]


def test_show_pii_shows_them(pack: Path, tmp_path: Path) -> None:
    text, report = _run_all(pack, tmp_path / "out", "--show-pii")
    # every ID and phone of a violation or of the sample; 赵六 is only in claims and E1 names no name
    assert [v for v in IDS + PHONES + NAMES[:4] if v not in text] == []
    assert report["meta"]["pii"]["masked"] is False
    sample = (tmp_path / "out" / "S1.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sample[1].split(",")[2:5] == ["320102199001011234", "张三", "13812345678"]


def test_library_masks_by_default_and_explanations_find_masked_or_full_keys(pack: Path, tmp_path: Path) -> None:
    from statguard.api import validate
    loaded = load_pack(pack)
    out = {"output_dir": str(tmp_path / "o")}
    masked = validate(loaded, {}, options=out)
    assert masked.meta["pii"]["masked"] is True
    assert "320102198506152345" not in masked.to_json()
    full = validate(loaded, {}, options={**out, "show_pii": True})
    assert full.meta["pii"]["masked"] is False
    assert {"320102198506152345", "32010619921212345X"} <= set(full.column("unit"))
    answers = [{"rule_id": "E1", "unit": "玄武区", "keys": {"身份证号": key}, "text": "已于次月补缴，凭证号 123"}
               for key in ("110101198001017890", "1101**********7890")]
    for answer in answers:
        report = validate(loaded, {}, options=out, explanations=[answer])
        explained = [v for v in report.violations.to_dict("records") if v["rule_id"] == "E1"]
        assert [v["explained"] for v in explained] == [True], answer


def test_masks_by_hand() -> None:
    assert mask("320102199001011234") == "3201**********1234"
    assert mask(13812345678) == "138****5678"
    assert mask(13812345678.0, "phone") == "138****5678"
    assert mask("张三") == "张*"
    assert mask("欧阳娜娜") == "欧阳**"
    assert mask("欧阳明", "name") == "欧阳*"
    assert mask("南京市玄武区中山路1号") == "*******山路1号"
    assert mask("ab", "text") == "*b"
    assert mask("025-84561234") == "025-****1234"
    assert mask("3201**********1234", "text") == "3201**********1234"  # masked once is masked
    assert mask(None) is None


def test_a_bad_pii_value_is_located(tmp_path: Path) -> None:
    path = tmp_path / "p.yml"
    path.write_text("sources:\n  a:\n    columns:\n      x: {pii: maybe}\nrules: []\n", encoding="utf-8")
    result = _statguard("lint", path, cwd=tmp_path)
    assert result.returncode == 2
    assert "p.yml:4:" in result.stdout.decode() + result.stderr.decode()
    assert "pii of column 'x' must be true, false or one of id, phone, name, text" in (
        result.stdout.decode() + result.stderr.decode())


def test_history_shows_recorded_personal_columns_masked_without_the_pack(pack: Path, tmp_path: Path) -> None:
    """The store remembers which columns the recording pack declared personal: `history show` and
    `history list` mask them without --pack (names, phones; not only ID-like numbers)."""
    store = tmp_path / "h.db"
    recorded = _statguard("history", "record", "-s", "persons", "-p", pack, "--history", store, cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr.decode()
    shown = [_statguard("history", "list", "-s", "persons", "--history", store, cwd=tmp_path),
             _statguard("history", "show", "1", "--history", store, cwd=tmp_path)]
    assert [r.returncode for r in shown] == [0, 0], shown[1].stderr.decode()
    text = b"\n".join(r.stdout + r.stderr for r in shown).decode("utf-8")
    assert not any(v in text for v in IDS + PHONES + ["欧阳娜娜", "李小明"]), text
    full = _statguard("history", "show", "1", "--history", store, "--show-pii", cwd=tmp_path).stdout.decode("utf-8")
    assert any(name in full for name in NAMES)
