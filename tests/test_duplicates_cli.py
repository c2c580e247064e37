"""`kehu find --similar` and `kehu duplicates`: output, exit status, bad input."""
from __future__ import annotations

import json

import pytest

import db
from db.archive import classes, customers
from tui import cli


@pytest.fixture
def archive(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("KEHU_DB", raising=False)
    path = tmp_path / "t.db"
    store = db.open_store(str(path))
    classes.add("main", "01", "客户")
    for code, name, values in [
            ("C001", "北京华联综合超市股份有限公司", {"phone": "010-49770167"}),
            ("C002", "（北京）华联综合超市有限公司", {}),
            ("C003", "上海宝钢集团", {"mobile": "13912345678"}),
            ("C004", "宝钢集团上海分公司", {"phone": "+86 139 1234 5678", "stop_date": "2020-01-01",
                                        "dev_date": "2019-01-01"}),
            ("C005", "深圳某某科技有限公司", {})]:
        customers.create({"code": code, "name": name, "short_name": name[:4], "class_code": "01", **values})
    store.close()
    return path


def run(archive, *args):
    return cli.main(["--db", str(archive), "--lang", "en", *args])


def test_find_similar_lists_scores_and_reasons(archive, capsys):
    assert run(archive, "find", "--similar", "北京华联综合超市有限公司", "--phone", "010 4977 0167") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Score", "Code", "Name", "Reasons"]
    assert lines[1].split()[:2] == ["100", "C001"] and "same phone" in lines[1]
    assert lines[2].split()[:2] == ["95", "C002"] and "similar name" in lines[2]


def test_find_similar_json_marks_stopped_customers(archive, capsys):
    assert run(archive, "find", "--similar", "某公司", "--mobile", "13912345678", "--json") == 0
    found = {c["code"]: c for c in json.loads(capsys.readouterr().out)}
    assert set(found) == {"C003", "C004"}
    assert found["C004"]["stopped"] and found["C004"]["reasons"] == ["mobile"]


def test_find_similar_with_nothing_alike_exits_1(archive, capsys):
    assert run(archive, "find", "--similar", "广州完全不同的名字") == 1
    assert capsys.readouterr().err.startswith("kehu: No customer looks like a duplicate")


def test_find_similar_of_a_blank_name_is_bad_usage(archive, capsys):
    assert run(archive, "find", "--similar", "  ") == 2
    assert "Traceback" not in capsys.readouterr().err


def test_duplicates_lists_ranked_groups_and_a_summary(archive, capsys):
    assert run(archive, "duplicates") == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[:3] == ["1. 95  similar name", "   C001  北京华联综合超市股份有限公司", "   C002  （北京）华联综合超市有限公司"]
    assert lines[3:6] == ["2. 90  same mobile", "   C003  上海宝钢集团", "   C004  宝钢集团上海分公司  (stopped)"]
    assert "groups of likely duplicates (5 customers" in err and "Reading customers: 5" in err


def test_duplicates_json_and_min_score(archive, capsys):
    assert run(archive, "duplicates", "--json", "--min-score", "95") == 0
    groups = json.loads(capsys.readouterr().out)
    assert [sorted(m["code"] for m in g["members"]) for g in groups] == [["C001", "C002"]]
    assert groups[0]["score"] == 95 and groups[0]["reasons"] == ["name"]


def test_duplicates_with_a_bad_score_is_bad_usage(archive, capsys):
    assert run(archive, "duplicates", "--min-score", "101") == 2
    assert capsys.readouterr().err.startswith("kehu: Score 101 is wrong")


def test_same_tax_id_rule_from_the_shell(archive, capsys):
    from db.archive import duplicates

    assert run(archive, "duplicates", "--same-tax-id", "allow") == 0
    store = db.open_store(str(archive))
    assert duplicates.same_tax_id_allowed()
    store.close()
    assert run(archive, "duplicates", "--same-tax-id", "refuse") == 0
    store = db.open_store(str(archive))
    assert not duplicates.same_tax_id_allowed()
    store.close()
