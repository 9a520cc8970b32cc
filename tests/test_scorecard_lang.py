"""`statguard scorecard --lang`: the text in Chinese or English, chosen as the other commands choose
(--lang, the pack's `pack: lang:`, the latest saved report's language, the locale), and still
fitting 80 columns with Chinese names; json and csv keep their field names in every language."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from statguard import load_pack
from statguard.api import validate
from statguard.cli.main import main
from statguard.report.text import width_of
from statguard.scorecard import scorecard

DATA = Path(__file__).parent / "data" / "scorecard"
ZH, EN = "可信度评分：", "Scorecard: "


@pytest.fixture
def locale(monkeypatch):
    """Set the locale the way a terminal would; nothing else in the environment chooses a language."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    return lambda value: monkeypatch.setenv("LANG", value)


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    """The scorecard pack as it is (no lang), and with `lang: zh` / `lang: en`."""
    out = tmp_path_factory.mktemp("packs")
    for name in ("claims.csv", "units.csv"):
        shutil.copy(DATA / name, out / name)
    text = (DATA / "pack.yml").read_text(encoding="utf-8")
    paths = {"none": out / "pack.yml"}
    paths["none"].write_text(text, encoding="utf-8")
    for lang in ("zh", "en"):
        paths[lang] = out / f"pack-{lang}.yml"
        paths[lang].write_text(text.replace("  name: 再就业核查\n", f"  name: 再就业核查\n  lang: {lang}\n"),
                               encoding="utf-8")
    assert "lang: zh" in paths["zh"].read_text(encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def saved(packs, tmp_path_factory) -> dict[str, Path]:
    """One saved run made in Chinese and one made without a language."""
    out = tmp_path_factory.mktemp("saved")
    pack = load_pack(packs["none"])
    paths = {"zh": out / "zh.json", "none": out / "none.json"}
    validate(pack, {"claims": DATA / "claims.csv"}, lang="zh").to_json(paths["zh"])
    validate(pack, {"claims": DATA / "claims.csv"}).to_json(paths["none"])
    return paths


def first_line(capsys) -> str:
    return capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize("pack,args,env,start", [
    ("zh", [], "en_US.UTF-8", ZH),                      # the pack's language beats the locale
    ("zh", ["--lang", "en"], "zh_CN.UTF-8", EN),        # --lang beats the pack
    ("en", ["--lang", "zh"], "en_US.UTF-8", ZH),
    ("none", [], "zh_CN.UTF-8", ZH),                    # no pack language: the locale
    ("none", [], "C.UTF-8", EN),
])
def test_a_fresh_run_is_labelled_in_the_chosen_language(packs, locale, capsys, pack, args, env, start):
    locale(env)
    assert main(["scorecard", str(packs[pack]), "--source", f"claims={DATA / 'claims.csv'}", *args]) == 0
    assert first_line(capsys).startswith(start)


@pytest.mark.parametrize("pack,report,env,start", [
    (None, "zh", "en_US.UTF-8", ZH),       # the saved report's language beats the locale
    (None, "none", "zh_CN.UTF-8", ZH),     # a report without one: the locale
    (None, "none", "en_US.UTF-8", EN),
    ("en", "zh", "zh_CN.UTF-8", EN),       # the pack's language beats the report's
    ("none", "zh", "en_US.UTF-8", ZH),     # a pack without one leaves it to the report
])
def test_saved_reports_are_labelled_in_their_language(packs, saved, locale, capsys, pack, report, env, start):
    locale(env)
    args = ["scorecard", *([str(packs[pack])] if pack else []), "--reports", str(saved[report])]
    assert main(args) == 0
    assert first_line(capsys).startswith(start)


def test_an_explicit_lang_beats_the_saved_reports_language(saved, locale, capsys):
    locale("zh_CN.UTF-8")
    assert main(["scorecard", "--reports", str(saved["zh"]), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(EN) and "Escalation: 2 unit(s)" in text and "督办" not in text


def test_bad_lang_is_refused(saved, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["scorecard", "--reports", str(saved["zh"]), "--lang", "fr"])
    assert exc.value.code == 2
    assert "--lang" in capsys.readouterr().err


def test_json_and_csv_keep_their_field_names_in_chinese(saved, locale, capsys):
    locale("zh_CN.UTF-8")
    assert main(["scorecard", "--reports", str(saved["zh"]), "--format", "json", "--lang", "zh"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert list(card["units"][0]) == ["unit", "group", "score", "rank", "group_size", "rank_overall",
                                      "violations", "error", "warning", "info", "rules_failed"]
    assert main(["scorecard", "--reports", str(saved["zh"]), "-f", "csv", "--table", "trend", "--lang", "zh"]) == 0
    trend = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(trend.columns)[:4] == ["unit", "group", "period", "score"]


@pytest.fixture(scope="module")
def wide_card(tmp_path_factory):
    """40 units with long Chinese names in a long-named peer group, twelve periods labelled in Chinese."""
    out = tmp_path_factory.mktemp("wide")
    rows = [{"unit": f"第{u}号很长很长的报送单位名称", "group": "城市甲类单位组合" if u % 2 else "县",
             "period": f"2024年{m}月", "claimed": 100, "verified": 100 + ((u * m) % 5 == 0)}
            for u in range(40) for m in range(1, 13)]
    pd.DataFrame(rows).to_csv(out / "claims.csv", index=False)
    (out / "pack.yml").write_text("""
pack: {scorecard: {peer_group: group, escalate_after: 2}}
sources:
  claims: {keys: [unit, period], unit: unit, period: period,
           columns: {unit: string, group: string, period: string, claimed: integer, verified: integer}}
rules:
  - {id: 核实人数不得超过上报人数的规则, kind: row, source: claims, expr: verified <= claimed}
""", encoding="utf-8")
    pack = load_pack(out / "pack.yml")
    return scorecard(validate(pack, {"claims": out / "claims.csv"}), pack)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_chinese_names_fit_80_columns_and_columns_line_up(wide_card, lang):
    assert len(wide_card.escalation), "the data has units failing in consecutive months"
    text = wide_card.to_text(lang=lang)
    lines = text.splitlines()
    assert all(width_of(line) <= 80 for line in lines), [ln for ln in lines if width_of(ln) > 80]
    header = next(i for i, ln in enumerate(lines) if ln.startswith(("   排名", "   rank")))
    label = "得分" if lang == "zh" else "score"
    end = width_of(lines[header][:lines[header].index(label) + len(label)])
    row = lines[header + 1]  # the score column ends where its heading ends, in display columns
    score = row.split()[3]
    assert width_of(row[:row.index(" " + score + " ") + 1 + len(score)]) == end
    assert ("……另有 10 个单位" if lang == "zh" else "... 10 more units") in text
    assert ("各期得分（最近 6 期" if lang == "zh" else "Score per period (last 6") in text


@pytest.mark.parametrize("lang,no_units,no_escalation", [
    ("zh", "没有报送单位（没有数据源声明单位列）", "督办名单：没有连续 3 期未通过的单位"),
    ("en", "no reporting units found", "Escalation: no unit failed in each of the last 3 periods"),
])
def test_empty_scorecard_says_so_in_the_chosen_language(tmp_path, lang, no_units, no_escalation):
    (tmp_path / "p.yml").write_text("sources: {t: {columns: {a: number}}}\n"
                                    "rules: [{id: A, kind: row, source: t, expr: a > 0}]\n", encoding="utf-8")
    pack = load_pack(tmp_path / "p.yml")
    text = scorecard(validate(pack, {"t": pd.DataFrame({"a": [1, -1]})}), pack).to_text(lang=lang)
    assert no_units in text and no_escalation in text
