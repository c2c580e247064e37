"""完整度 (db.archive.completeness): the score rule, its weights (admin only, with history), and
that every write path keeps the stored score current, on SQLite and PostgreSQL; the list's
sort and filter on it, the health finding and `kehu check --completeness`."""
from __future__ import annotations

import sqlite3

import pytest

import db
from db.archive import classes, completeness, customers, merge, operators, subrecords
from db.core.errors import RuleError
from db.core.models import SCHEMA_VERSION, ChangeLog, Customer, SchemaInfo
from db.evaluation import health
from db.lists import batch, paging
from db.lists.query import Filter, ListQuery
from db.transfer import importer
from tests.pg import admin_sql, any_store, pg_store, pg_url  # noqa: F401 - fixtures

TAX_ID = "91110000802100433B"
FULL = {"tax_id": "91110000600037341L", "mobile": "13800138000", "contact": "张三", "address": "北京市东城区1号",
        "bank_account": "6222000011112222", "salesperson": "李四", "dev_date": "2024-01-02"}


def _add(code: str, **fields):
    return customers.create({"code": code, "name": f"客户{code}", "short_name": code,
                             "class_code": "01", **fields})


def _score(code: str) -> int:
    return Customer.get(Customer.code == code).completeness


@pytest.fixture
def archive(any_store):
    classes.add("main", "01", "批发")
    classes.add("main", "02", "零售")
    return any_store


# ---- the rule


def test_an_empty_card_scores_0_and_a_full_one_100(archive):
    assert _add("C1").completeness == 0
    assert _add("C2", **FULL).completeness == 100


def test_each_field_counts_its_share_with_equal_default_weights(archive):
    assert completeness.weights() == {item: 10 for item in completeness.ITEMS}
    _add("C1", tax_id=TAX_ID)
    _add("C2", phone="010-12345678")
    _add("C3", mobile="13800138000", phone="010-1")  # a mobile or a phone: one item
    _add("C4", contact="张三", salesperson="李四", dev_date="2024-01-02")
    assert [_score(c) for c in ("C1", "C2", "C3", "C4")] == [14, 14, 14, 43]  # 1/7, 3/7 rounded


def test_changed_weights_recompute_every_score_and_write_the_history(archive):
    _add("C1", tax_id=TAX_ID)
    _add("C2", contact="张三")
    weights, changed = completeness.set_weights({"tax_id": "40", "contact": 0})
    assert weights["tax_id"] == 40 and weights["contact"] == 0
    assert changed == 2
    assert (_score("C1"), _score("C2")) == (44, 0)  # 40 of 40 + 0 + 5 x 10
    logged = {(r.entity_code, r.changes) for r in ChangeLog.select().where(ChangeLog.entity == "rule")}
    assert logged == {("completeness.tax_id", '{"value": [10, 40]}'),
                      ("completeness.contact", '{"value": [10, 0]}')}
    assert completeness.set_weights({"tax_id": 40}) == (weights, 0)  # nothing to change


@pytest.mark.parametrize("typed, key", [
    ({"tax_id": "x"}, "rules.not_number"), ({"tax_id": "101"}, "rules.range"),
    ({"nothing": "1"}, "rules.unknown"),
    ({item: "0" for item in completeness.ITEMS}, "completeness.all_zero")])
def test_bad_weights_are_refused_and_change_nothing(archive, typed, key):
    _add("C1", tax_id=TAX_ID)
    with pytest.raises(RuleError) as refused:
        completeness.set_weights(typed)
    assert refused.value.key == key
    assert completeness.weights()["tax_id"] == 10 and _score("C1") == 14


def test_only_an_admin_changes_the_weights(tmp_path, monkeypatch):
    db.open_store(str(tmp_path / "t.db"))
    operators.add("kehu-test", "管理员", role="admin")
    operators.add("lisi", "李四", role="editor")
    monkeypatch.setenv("LOGNAME", "lisi")
    operators.me(fresh=True)
    with pytest.raises(RuleError) as refused:
        completeness.set_weights({"tax_id": 20})
    assert refused.value.key == "team.cannot.archive"
    assert completeness.weights()["tax_id"] == 10


# ---- every write path


def test_the_cards_save_keeps_the_score(archive):
    saved = customers.save_card(None, {"code": "C1", "name": "客户C1", "short_name": "C1",
                                       "class_code": "01", "tax_id": TAX_ID}, {})
    assert saved.completeness == 14
    changed = customers.save_card("C1", {**customers.as_form(saved), "salesperson": "李四"}, {},
                                  saved.version)
    assert changed.completeness == 29
    assert customers.update("C1", {"tax_id": ""}, changed.version).completeness == 14


def test_a_sub_record_default_changes_the_score(archive):
    _add("C1")
    saved = subrecords.add("C1", "contacts", {"name": "张三", "mobile": "13800138000"})
    assert _score("C1") == 29  # the default's copy: contact and mobile
    subrecords.delete("C1", "contacts", saved.record.id, saved.record.version)
    assert _score("C1") == 0
    subrecords.add("C1", "banks", {"bank": "工商银行", "account": "6222000011112222"})
    assert _score("C1") == 14


def test_an_import_scores_its_adds_and_updates(archive, tmp_path):
    _add("C1")
    path = tmp_path / "c.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类码,税号,联系人\n"
                    f"C1,客户C1,C1,01,{TAX_ID},张三\nC2,客户C2,C2,01,,张三\n", encoding="utf-8")
    importer.commit(importer.plan(path, kind="customers"))
    assert (_score("C1"), _score("C2")) == (29, 14)


def test_a_batch_modify_scores_the_rows_it_changed(archive):
    _add("C1")
    _add("C2", salesperson="王五")
    result = batch.apply("salesperson", "李四", [("C1", 1), ("C2", 1)])
    assert result.changed == 2
    assert (_score("C1"), _score("C2")) == (14, 14)
    batch.apply("salesperson", "", [("C1", 2)])
    assert _score("C1") == 0


def test_a_merge_scores_the_target_with_the_fields_it_took(archive):
    _add("T")
    _add("S", salesperson="李四", contact="张三")
    kept = merge.merge("T", ["S"], {"salesperson": "S", "contact": "S"})
    assert kept.completeness == 29


def test_the_copy_keeps_the_scores(tmp_path):
    from db.transfer import copy

    source = str(tmp_path / "a.db")
    db.open_store(source)
    classes.add("main", "01", "批发")
    _add("C1", **FULL)
    _add("C2", tax_id=TAX_ID)
    db.core.session.current().close()
    target = str(tmp_path / "b.db")
    copy.copy_archive(source, target)
    db.open_store(target)
    assert (_score("C1"), _score("C2")) == (100, 14)


def test_the_demo_is_scored(tmp_path):
    from db import demo

    demo.build(str(tmp_path / "demo.db"))
    scores = dict(Customer.select(Customer.code, Customer.completeness).tuples())
    assert min(scores.values()) > 0 and max(scores.values()) == 100
    assert all(_score(c) == s for c, s in list(scores.items())[:5])


def test_an_archive_at_version_10_opens_with_its_scores_filled(tmp_path):
    path = str(tmp_path / "v10.db")
    db.open_store(path)
    classes.add("main", "01", "批发")
    _add("C1", **FULL)
    _add("C2", tax_id=TAX_ID)
    db.core.session.current().close()
    con = sqlite3.connect(path)
    con.executescript("DROP INDEX customer_completeness_code_class_code_stop_date;"
                      "DROP INDEX customer_class_code_code_stop_date_completeness;"
                      "CREATE INDEX customer_class_code_code_stop_date ON customer (class_code, code, stop_date);"
                      "ALTER TABLE customer DROP COLUMN completeness;"
                      "UPDATE schema_info SET value = '10' WHERE key = 'schema_version';")
    con.close()
    db.open_store(path)
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    assert (_score("C1"), _score("C2")) == (100, 14)
    indexes = {n for (n,) in db.core.models.database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customer'")}
    assert "customer_class_code_code_stop_date" not in indexes
    assert {"customer_class_code_code_stop_date_completeness",
            "customer_completeness_code_class_code_stop_date"} <= indexes


def test_a_postgresql_archive_at_version_10_opens_with_its_scores_filled(pg_url):  # noqa: F811
    store = db.open_store(pg_url)
    classes.add("main", "01", "批发")
    _add("C1", **FULL)
    store.close()
    admin_sql("DROP INDEX customer_completeness_code_class_code_stop_date;"
              "DROP INDEX customer_class_code_code_stop_date_completeness;"
              "CREATE INDEX customer_class_code_code_stop_date ON customer (class_code, code, stop_date) INCLUDE (id);"
              "ALTER TABLE customer DROP COLUMN completeness;"
              "UPDATE schema_info SET value = '10' WHERE key = 'schema_version'")
    db.open_store(pg_url)
    assert _score("C1") == 100


# ---- the list, the health check, the shell


def test_the_list_sorts_and_filters_by_completeness(archive):
    _add("C1", tax_id=TAX_ID, contact="张三")  # 29
    _add("C2", **FULL)  # 100
    _add("C3")  # 0
    q = ListQuery(sort="completeness", descending=True)
    rows = paging.after(q, None, 10, columns=("code", "completeness"))
    assert [(r.code, r.values["completeness"]) for r in rows] == [("C2", 100), ("C1", 29), ("C3", 0)]
    below = ListQuery(filter=Filter(completeness_below=30))
    assert [r.code for r in paging.after(below, None, 10)] == ["C1", "C3"]
    assert paging.count(below) == 2


def test_a_saved_filter_keeps_the_threshold_and_bad_ones_are_refused():
    f = Filter(completeness_below=60)
    assert f.to_dict() == {"completeness_below": 60}
    assert Filter.from_dict(f.to_dict()) == f
    assert Filter.from_dict({"completeness_below": "60%"}) == f
    for bad in ("abc", "0", "101", 0):
        with pytest.raises(RuleError) as refused:
            Filter.from_dict({"completeness_below": bad})
        assert refused.value.key == "list.filter_completeness"


def test_the_health_check_counts_per_class_and_names_the_least_complete(archive):
    _add("C1")  # 0
    _add("C2", tax_id=TAX_ID)  # 14
    customers.create({"code": "C3", "name": "客户C3", "short_name": "C3", "class_code": "02"})
    _add("C4", **FULL)
    found = health.incomplete(60)
    assert len(found) == 1
    finding = found[0]
    assert (finding.kind, finding.count, finding.values) == ("incomplete", 3, {"below": 60})
    assert finding.breakdown == (("01", 2), ("02", 1))
    assert finding.samples[:3] == ["C1", "C3", "C2"]
    assert "incomplete" in {f.kind for f in health.check()}
    assert health.incomplete(10)[0].count == 2 and health.incomplete(0) == []


def test_kehu_check_completeness(tmp_path, capsys):
    from tui import cli

    path = str(tmp_path / "t.db")
    db.open_store(path)
    classes.add("main", "01", "批发")
    _add("C1")
    _add("C2", **FULL)
    db.core.session.current().close()
    assert cli.main(["--db", path, "--lang", "en", "check", "--completeness", "--below", "50"]) == 0
    out = capsys.readouterr().out
    assert "1 active customer is below 50% complete" in out
    assert "class 01 批发: 1" in out and "C1" in out and "C2" not in out
    with pytest.raises(SystemExit) as refused:
        cli.main(["--db", path, "--lang", "en", "check", "--completeness", "--below", "0"])
    assert refused.value.code == 2
    assert "threshold 0 is not valid" in capsys.readouterr().err
