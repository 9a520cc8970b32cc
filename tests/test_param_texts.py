"""Kinds' summaries and parameter meanings exist in Chinese, for every kind, parameter and nested model,
and `statguard kinds`, `statguard schema` and the rule reference show them in the chosen language."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import Field

from statguard import i18n
from statguard.checks import registry, texts
from statguard.checks.registry import Kind, Params
from statguard.cli.main import main
from statguard.docs import rules_markdown
from statguard.load.jsonschema import pack_schema

registry.kinds()  # the kinds' texts register as the registry loads them
pack_schema("en")  # so do the scorecard's and screen's

CJK = re.compile(r"[\u4e00-\u9fff]")
PREFIXES = ("kind.", "param.", "model.", "schema.", "docs.", "scope.", "kinds.")


def test_every_kind_parameter_and_nested_model_has_chinese():
    assert texts.missing_zh() == []


def _descriptions(schema: Any, path: str = "") -> dict[str, str]:
    found = {}
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "description" and isinstance(value, str):
                found[path] = value
            else:
                found.update(_descriptions(value, f"{path}/{key}"))
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found.update(_descriptions(value, f"{path}[{i}]"))
    return found


def test_every_description_of_the_chinese_pack_schema_is_chinese():
    english, chinese = _descriptions(pack_schema("en")), _descriptions(pack_schema("zh"))
    assert english.keys() == chinese.keys()
    assert len(chinese) > 400  # rules, parameters, nested models, sources, scorecard, screen
    untranslated = {path: text for path, text in chinese.items() if not CJK.search(text)}
    assert not untranslated


@pytest.mark.parametrize("key", sorted(k for k in i18n.CATALOGUE if k.startswith(PREFIXES)))
def test_every_catalogue_key_has_english_and_chinese(key):
    entry = i18n.CATALOGUE[key]
    assert entry["en"].strip() and entry["zh"].strip()
    assert CJK.search(entry["zh"]), key
    assert set(re.findall(r"\{(\w+)\}", entry["en"])) == set(re.findall(r"\{(\w+)\}", entry["zh"])), key


def test_the_english_of_a_parameter_is_its_field_description():
    row = registry.get("row")
    assert i18n.CATALOGUE["param.row.expr"]["en"] == row.params.model_fields["expr"].description
    assert i18n.CATALOGUE["param.row.if"]["en"] == row.params.model_fields["if_"].description  # YAML name
    assert i18n.CATALOGUE["kind.row.summary"]["en"] == row.summary


def test_every_common_text_is_used():
    descriptions = {info.description for kind in registry.kinds().values()
                    for info in kind.params.model_fields.values()}
    common = {k: e["en"] for k, e in i18n.CATALOGUE.items() if k.startswith("param.common.")}
    assert common and not {k for k, en in common.items() if en not in descriptions}


class _NewParams(Params):
    source: str = Field(description="Name of the source whose records are checked.")  # a common text
    where: str | None = Field(None, description="Only records for which this is true are checked!")  # not quite
    brand_new: int = Field(0, description="A parameter nobody has translated yet.")


def _noplan(rule, ctx):  # pragma: no cover - never planned
    raise NotImplementedError


@pytest.fixture
def new_kind():
    registry.kinds()
    registry._KINDS["zz_new"] = Kind("zz_new", "record", _NewParams, _noplan, None, "A kind added later.\n")
    yield registry._KINDS["zz_new"]
    del registry._KINDS["zz_new"]
    for key in [k for k in i18n.CATALOGUE if ".zz_new." in k]:
        del i18n.CATALOGUE[key]


def test_a_kind_added_later_without_chinese_is_found(new_kind):
    assert texts.missing_zh() == ["kind.zz_new.summary", "param.zz_new.source", "param.zz_new.where",
                                  "param.zz_new.brand_new"]
    texts.register_kinds({"zz_new": {"summary": "以后新增的类型。"}})
    # the common text applies where the English is the same, and only there
    assert texts.missing_zh() == ["param.zz_new.where", "param.zz_new.brand_new"]
    assert texts.param_text(new_kind, "source", "zh") == "被检查记录所在数据源的名称。"
    assert texts.param_text(new_kind, "where", "zh") == "Only records for which this is true are checked!"
    assert texts.kind_summary(new_kind, "zh") == "以后新增的类型。"


def test_texts_for_a_parameter_the_kind_lacks_are_refused():
    with pytest.raises(RuntimeError, match="toleranse"):
        texts.register_kinds({"row": {"toleranse": "容差"}})


def test_kinds_lists_chinese_summaries_and_scopes(capsys):
    assert main(["kinds", "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if line.startswith("row "))
    assert row.split() == ["row", "记录", "数据源的每条记录都必须满足的表达式。"]
    # the summaries start in one column whatever the width of the scope's characters (two per Chinese one)
    starts = {texts_column(line) for line in lines}
    assert len(starts) == 1 and len(lines) == len(registry.kinds())


def texts_column(line: str) -> int:
    import unicodedata
    summary_at = line.index(line.split()[2])
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:summary_at])


def test_kind_reference_follows_the_locale(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    assert main(["kinds", "row"]) == 0
    out = capsys.readouterr().out
    assert "| `if` | 文本或空 |  |  | 前提条件：不满足前提的记录视为通过。 |" in out
    assert "| `missing` | not_evaluable / fail / pass / zero |" in out
    assert "expr: 制造业 + 服务业 <= 总投资" in out  # the docstring's example
    assert main(["kinds", "row", "--lang", "en"]) == 0
    assert "| `if` | string or none |  |  | Condition: records where it is false pass. |" in capsys.readouterr().out


def test_unknown_kind_is_an_error_in_the_language(capsys):
    assert main(["kinds", "rows", "--lang", "zh"]) == 2
    assert "没有规则类型「rows」" in capsys.readouterr().err


def test_schema_command_in_chinese_and_english(capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LANG", "C")
    assert main(["schema", "--lang", "zh"]) == 0
    zh = json.loads(capsys.readouterr().out)
    growth = zh["$defs"]["kind_growth"]
    assert growth["description"] == "上报的增速须与按本期值和对比期值计算出的增速相符。"
    assert growth["properties"]["zero_base"]["description"] == (
        "对比值为 0 时增速无意义：not_evaluable（无法判断，默认）或 fail（不通过）。")
    assert zh["$defs"]["Window"]["properties"]["unit"]["description"] == "start 和 end 的计量单位。"
    assert zh["properties"]["pack"]["properties"]["scorecard"]["properties"]["floor"]["description"] == "最低可能得分"
    assert main(["schema"]) == 0  # the C locale: English
    assert json.loads(capsys.readouterr().out)["$defs"]["kind_growth"]["description"] == registry.get("growth").summary


def test_chinese_schema_validates_the_same_packs():
    import jsonschema
    doc = {"rules": [{"id": "A", "kind": "row", "source": "t", "expr": "v > 0", "tolerence": 1}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, pack_schema("zh"))
    del doc["rules"][0]["tolerence"]
    jsonschema.validate(doc, pack_schema("zh"))


def test_chinese_reference_has_every_kind_and_parameter():
    text = rules_markdown("zh")
    for name, kind in registry.kinds().items():
        assert f"## `{name}`" in text
        assert texts.kind_summary(kind, "zh") in text
        for field, info in kind.params.model_fields.items():
            assert f"| `{info.alias or field}` |" in text
    assert "Only records" not in text
