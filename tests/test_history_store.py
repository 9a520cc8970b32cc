"""The history store: versions, content hashes, format refusal, diff, and the CLI over them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from statguard.cli.main import main
from statguard.errors import HistoryError
from statguard.history import FORMAT, HistoryStore, default_path
from statguard.history.diff import diff

ROWS = [{"指标": "地区生产总值", "值": 100}, {"指标": "工业增加值", "值": 50.5}, {"指标": "新增企业", "值": None}]


def record(store: HistoryStore, rows, **kw):
    return store.record("zone", rows, unit="开发区", period="2024Q3", keys=["指标"], **kw)


def test_same_content_is_not_a_new_version(tmp_path):
    with HistoryStore(tmp_path / "h.db") as store:
        first = record(store, ROWS)
        shuffled = [dict(reversed(list(r.items()))) for r in reversed(ROWS)]  # other row and column order
        shuffled[0]["值"] = float("nan")  # NaN and None are both a missing value
        shuffled[2]["值"] = 100.0  # 100.0 and 100 are the same figure
        again = record(store, shuffled)
        assert first.new and first.submission.version == 1
        assert not again.new and again.submission.id == first.submission.id
        assert again.submission.content_hash == first.submission.content_hash
        changed = record(store, [{**ROWS[0], "值": 104}, *ROWS[1:]], reason="口径调整")
        assert changed.new and changed.submission.version == 2 and changed.submission.reason == "口径调整"
        back = record(store, ROWS)  # going back to the first figures is a revision too
        assert back.new and back.submission.version == 3 and back.same_as == 1
        assert [s.version for s in store.submissions("zone")] == [1, 2, 3]
        assert store.rows(first.submission.id) == [{"值": 100, "指标": "地区生产总值"},
                                                   {"值": 50.5, "指标": "工业增加值"},
                                                   {"值": None, "指标": "新增企业"}]
        assert store.verify() == []


def test_versions_are_numbered_per_unit_source_and_period(tmp_path):
    with HistoryStore(tmp_path / "h.db") as store:
        a = store.record("zone", ROWS, unit="开发区", period="2024Q3")
        b = store.record("zone", ROWS, unit="高新区", period="2024Q3")
        c = store.record("zone", ROWS, unit="开发区", period="2024Q4")
        d = store.record("other", ROWS, unit="开发区", period="2024Q3")
        assert [r.submission.version for r in (a, b, c, d)] == [1, 1, 1, 1]
        assert all(r.new for r in (a, b, c, d))


def test_store_of_unknown_format_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "h.db"
    with HistoryStore(path) as store:
        record(store, ROWS)
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match=rf"format 99.*reads format {FORMAT} only.*Upgrade statguard"):
        HistoryStore(path)
    assert path.read_bytes() == before


def test_foreign_files_are_refused(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(HistoryError, match="not a statguard history store"):
        HistoryStore(other)
    text = tmp_path / "notes.db"
    text.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(HistoryError, match="not an SQLite database"):
        HistoryStore(text)
    assert text.read_text(encoding="utf-8") == "这不是数据库"


def test_reading_a_missing_store_does_not_create_it(tmp_path):
    with pytest.raises(HistoryError, match="no history store"):
        HistoryStore(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_default_path_from_option_env_or_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("STATGUARD_HISTORY", raising=False)
    assert str(default_path()) == ".statguard/history.db"
    monkeypatch.setenv("STATGUARD_HISTORY", str(tmp_path / "env.db"))
    assert default_path() == tmp_path / "env.db"
    assert str(default_path("x.db")) == "x.db"


def test_diff_by_key_lists_added_removed_and_changed_cells(tmp_path):
    with HistoryStore(tmp_path / "h.db") as store:
        old = record(store, ROWS).submission
        new = record(store, [{"指标": "地区生产总值", "值": 104}, {"指标": "新增企业", "值": 3},
                             {"指标": "税收", "值": 7}]).submission
        d = diff(store, old, new)
    assert d.keys == ["指标"]
    assert d.added == [{"指标": "税收", "值": 7}]
    assert d.removed == [{"指标": "工业增加值", "值": 50.5}]
    changes = {c.key["指标"]: [(x.column, x.old, x.new) for x in c.cells] for c in d.changed}
    assert changes == {"地区生产总值": [("值", 100, 104)], "新增企业": [("值", None, 3)]}
    assert not d.identical


def test_diff_without_keys_compares_whole_rows(tmp_path):
    with HistoryStore(tmp_path / "h.db") as store:
        old = store.record("s", [{"a": 1}, {"a": 1}, {"a": 2}]).submission
        new = store.record("s", [{"a": 1}, {"a": 3}]).submission
        d = diff(store, old, new)
    assert d.added == [{"a": 3}]
    assert sorted(r["a"] for r in d.removed) == [1, 2]
    assert d.unchanged_rows == 1


def test_cli_record_list_show_diff(tmp_path, capsys):
    store = tmp_path / "h.db"
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_text("单位,期间,指标,值\n开发区,2024年9月,GDP,100\n开发区,2024年9月,工业,50\n高新区,2024-09,GDP,80\n",
                  encoding="utf-8")
    v2.write_text("单位,期间,指标,值\n开发区,2024-09,GDP,104\n开发区,2024-09,工业,50\n高新区,2024年9月,GDP,80\n",
                  encoding="utf-8")
    base = ["--history", str(store)]
    opts = ["-s", "zone", "--unit-column", "单位", "--period-column", "期间", "--key", "指标"]
    assert main(["history", "record", str(v1), *opts, *base]) == 0
    assert main(["history", "record", str(v2), *opts, "--reason", "更正", *base]) == 0
    out = capsys.readouterr().out
    assert "recorded   zone 开发区 2024-09 v2" in out  # the two spellings of September are one period
    assert "unchanged  zone 高新区 2024-09 v1" not in out  # its period column is spelled differently: new content
    assert main(["history", "list", "--format", "json", *base]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(s["unit"], s["version"]) for s in listed] == [("开发区", 1), ("开发区", 2), ("高新区", 1), ("高新区", 2)]
    assert main(["history", "show", "v2", "-s", "zone", "--unit", "开发区", "--format", "csv", *base]) == 0
    assert capsys.readouterr().out.splitlines() == ["单位,期间,指标,值", "开发区,2024-09,GDP,104",
                                                    "开发区,2024-09,工业,50"]
    assert main(["history", "diff", "1", "2", "-s", "zone", "--unit", "开发区", *base]) == 1
    out = capsys.readouterr().out
    assert "0 added, 0 removed, 2 changed" in out
    assert "~ 指标=GDP: 期间: 2024年9月 -> 2024-09; 值: 100 -> 104" in out  # the spelling is a cell change too
    assert main(["history", "diff", "1", "1", "-s", "zone", "--unit", "开发区", *base]) == 0
    assert main(["history", "diff", "1", "2", "-s", "zone", *base]) == 2  # two sequences: which one?
    assert "several version sequences" in capsys.readouterr().err
    assert main(["history", "verify", *base]) == 0
    assert main(["history", "diff", "1", "2", "-s", "zone", "--unit", "开发区", "--lang", "zh", *base]) == 1
    out = capsys.readouterr().out  # the same difference in Chinese
    assert "新增 0 行，删除 0 行，修改 2 行，未变 0 行（按 指标 匹配）" in out and "v2 说明的原因：更正" in out
    assert main(["history", "list", "--lang", "zh", *base]) == 0
    head = capsys.readouterr().out.splitlines()[0].split()
    assert head[:5] == ["编号", "数据源", "单位", "期别", "版本"]


def test_cli_refuses_unknown_format_without_traceback(tmp_path, capsys):
    path = tmp_path / "h.db"
    HistoryStore(path).close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()
    assert main(["history", "list", "--history", str(path)]) == 2
    err = capsys.readouterr().err
    assert "format 2" in err and "Traceback" not in err


def test_list_and_diff_speak_the_language_of_the_pack_that_recorded(tmp_path, capsys):
    """history record -p speaks its pack's language (lang: zh); listing and comparing the versions it
    recorded, without the pack, did so in the locale's language (English on a server)."""
    from conftest import ROOT
    investment = ROOT / "rules" / "investment"
    resubmitted = tmp_path / "重报.csv"
    original = (investment / "data" / "projects.csv").read_text(encoding="utf-8")
    resubmitted.write_text(original.replace("320102,玄武区,2024年1-9月,31,402.10,150.20",
                                            "320102,玄武区,2024年1-9月,33,421.60,169.70"), encoding="utf-8")
    base = ["--history", str(tmp_path / "h.db")]
    assert main(["history", "record", "-s", "projects", "-p", str(investment), *base]) == 0
    assert main(["history", "record", str(resubmitted), "-s", "projects", "-p", str(investment),
                 "--reason", "补录", *base]) == 0
    assert "已记录  projects 玄武区" in capsys.readouterr().out
    assert main(["history", "diff", "1", "2", "-s", "projects", "--unit", "玄武区", *base]) == 1
    out = capsys.readouterr().out
    assert "v2 说明的原因：补录" in out and "修改 1 行" in out and "changed" not in out
    assert main(["history", "list", "-s", "projects", *base]) == 0
    assert capsys.readouterr().out.split()[:3] == ["编号", "数据源", "单位"]
    assert main(["history", "diff", "1", "2", "-s", "projects", "--unit", "玄武区", "--lang", "en", *base]) == 1
    assert "reason stated for v2: 补录" in capsys.readouterr().out  # --lang still decides
