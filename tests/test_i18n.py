"""The built-in catalogue: complete in both languages, and the order a language is chosen in."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml

from statguard import i18n
from statguard.checks import registry
from statguard.report import persistence  # noqa: F401  (registers its texts)

registry.kinds()  # rule kinds register their detail texts when they load


@pytest.mark.parametrize("key", sorted(i18n.CATALOGUE))
def test_every_text_exists_in_both_languages_with_the_same_placeholders(key):
    entry = i18n.CATALOGUE[key]
    assert set(entry) == set(i18n.LANGS)
    names = {lang: set(re.findall(r"\{(\w+)\}", text)) for lang, text in entry.items()}
    assert names["zh"] == names["en"], key
    assert all(text.strip() for text in entry.values())


def test_chinese_texts_are_chinese():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    untranslated = [k for k, e in i18n.CATALOGUE.items()
                    if not cjk.search(e["zh"]) and e["zh"] == e["en"] and not k.startswith("msg.")]
    assert not untranslated


@pytest.mark.parametrize("explicit,pack,env,expected", [
    ("en", "zh", {"LANG": "zh_CN.UTF-8"}, "en"),
    (None, "zh", {"LANG": "en_US.UTF-8"}, "zh"),
    (None, None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, None, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    (None, None, {"LANG": "C.UTF-8"}, "en"),
    (None, None, {"LANG": "fr_FR.UTF-8"}, "en"),
    (None, None, {}, "en"),
    ("zh-CN", None, {}, "zh"),
])
def test_language_order(explicit, pack, env, expected):
    assert i18n.resolve(explicit, pack, env) == expected


def test_t_fills_placeholders_and_falls_back_to_english():
    assert i18n.t("counts_line", "zh", errors=1, warnings=2, info=3) == "错误 1 条，警告 2 条，提示 3 条"
    assert i18n.t("verdict.fail", "xx") == "FAIL"
    assert i18n.severity("warning", "zh") == "警告" and i18n.severity("odd", "zh") == "odd"


PACK = {
    "pack": {"name": "语言", "lang": "zh"},
    "sources": {"t": {"keys": ["unit"], "unit": "unit", "columns": {"unit": "string", "a": "number", "b": "number"}}},
    "rules": [{"id": "R1", "kind": "row", "source": "t", "expr": "a == b",
               "message": {"zh": "{unit}：a 与 b 不等", "en": "{unit}: a differs from b"}}],
}


@pytest.mark.parametrize("args,env,message,label", [
    ([], {"LANG": "en_US.UTF-8"}, "东区：a 与 b 不等", "不通过"),          # the pack's language
    (["--lang", "en"], {"LANG": "zh_CN.UTF-8"}, "东区: a differs from b", "FAIL"),
])
def test_check_uses_the_chosen_language_for_rule_messages_and_labels(tmp_path, args, env, message, label):
    (tmp_path / "t.csv").write_text("unit,a,b\n东区,1,2\n", encoding="utf-8")
    (tmp_path / "pack.yml").write_text(yaml.safe_dump(PACK, allow_unicode=True), encoding="utf-8")
    cmd = [sys.executable, "-m", "statguard", "check", str(tmp_path / "pack.yml"), "-s", f"t={tmp_path / 't.csv'}",
           *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **env}, check=False)
    assert out.returncode == 1, out.stderr
    assert message in out.stdout and out.stdout.splitlines()[1].startswith(label)



@pytest.mark.parametrize("lang,message", [("zh", "甲：实际值 1，应有值 2，差额 -1"),
                                          ("en", "甲: observed 1, expected 2, imbalance -1")])
def test_generic_message_is_in_the_chosen_language(lang, message):
    import pandas as pd

    from statguard.checks.plan import EXPECTED, IMBALANCE, OBSERVED
    from statguard.engine.violations import violations_of
    from statguard.pack.model import Rule
    fails = pd.DataFrame({OBSERVED: [1], EXPECTED: [2], IMBALANCE: [-1]})
    got = violations_of(Rule(id="X", kind="k", params=None, description="甲"), fails, lang)
    assert got["message"] == [message]


@pytest.mark.parametrize("kind,lang,message", [
    # a revisions rule's expected is the unit's first version: no figure it should have reported
    ("revisions", "zh", "甲：最新值 55，首次报送值 45，累计修订 10"),
    ("revisions", "en", "甲: latest 55, first reported 45, revised by 10"),
    ("digits", "zh", "甲：检验值 55，上限 45，超出 10"),
    ("row", "zh", "甲：实际值 55，应有值 45，差额 10"),  # a consistency rule's expected is what it should be
])
def test_default_message_names_the_figures_as_the_kind_means_them(kind, lang, message):
    import pandas as pd

    from statguard.checks.plan import EXPECTED, IMBALANCE, OBSERVED
    from statguard.engine.violations import violations_of
    from statguard.pack.model import Rule
    fails = pd.DataFrame({OBSERVED: [55], EXPECTED: [45], IMBALANCE: [10]})
    got = violations_of(Rule(id="X", kind=kind, params=None, description="甲"), fails, lang)
    assert got["message"] == [message]


def test_kind_messages_follow_the_language_too():
    import tempfile
    from pathlib import Path

    import pandas as pd

    from statguard.api import validate
    from statguard.load.loader import load_pack
    doc = {**PACK, "rules": [{k: v for k, v in PACK["rules"][0].items() if k != "message"}]}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.yml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        frame = pd.DataFrame({"unit": ["东区"], "a": [1], "b": [2]})
        zh, en = (validate(load_pack(path), {"t": frame}, lang=x).violations.loc[0, "message"] for x in ("zh", "en"))
    assert zh != en and re.search(r"[\u4e00-\u9fff]", zh.replace("东区", "")) and "1" in en


def test_did_you_mean_reads_full_width_and_case_before_spelling():
    from statguard.i18n import did_you_mean, speaking
    # ＧＤＰ typed with a Chinese input method, or gdp, is GDP; spelling alone would not say so
    assert did_you_mean("ＧＤＰ", ["GDP", "GNP"]) == "; did you mean 'GDP'?"
    assert did_you_mean("gdp", ["GDP", "GNP"]) == "; did you mean 'GDP'?"
    assert did_you_mean("营业收人", ["营业收入", "利润"]) == "; did you mean '营业收入'?"
    assert did_you_mean("tolerence", ["tolerance", "severity"], aside=True) == " (did you mean 'tolerance'?)"
    assert did_you_mean("xyz", ["tolerance"]) == ""
    assert did_you_mean("GDP", ["GDP"]) == ""  # the name itself is no suggestion
    with speaking("zh"):
        assert did_you_mean("verfied", ["verified"]) == "；是否想写 'verified'？"
    assert did_you_mean("verfied", ["verified"], aside=True, lang="zh") == "（是否想写 'verified'？）"


def test_key_values_that_are_statguards_words_are_translated_for_the_kinds_that_give_them():
    from statguard.i18n import key_value
    assert key_value("test", "min_rate", "zh", ["coverage"]) == "最低核实率"
    assert key_value("test", "min_rate", "en", ["coverage"]) == "min_rate"
    assert key_value("test", "min_rate", "zh", ["row"]) == "min_rate"  # a user's column named test
    assert key_value("区县", "东区", "zh", ["coverage"]) == "东区"
