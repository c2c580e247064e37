"""db.upgrades: an archive of an older version gains the columns its tables lack, with their
defaults, on both databases, and runs each later version's step once."""
import sqlite3

import pytest

import db
from db import upgrades
from db.archive import classes, customers
from db.core.models import SCHEMA_VERSION, Customer, SchemaInfo
from tests.pg import admin_sql, pg_url  # noqa: F401 (a fixture)


def _add_one():
    classes.add("main", "01", "批发")
    customers.create({"code": "C1", "name": "北京华联", "short_name": "华联", "class_code": "01"})


def test_a_missing_column_comes_back_with_its_default_on_sqlite(tmp_path):
    path = str(tmp_path / "old.db")
    store = db.open_store(path)
    _add_one()
    store.close()
    con = sqlite3.connect(path)
    con.executescript("ALTER TABLE customer DROP COLUMN remark;"
                      f"UPDATE schema_info SET value = '{SCHEMA_VERSION - 1}' WHERE key = 'schema_version';")
    con.close()
    db.open_store(path)
    assert Customer.get(Customer.code == "C1").remark == ""
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)


def test_a_missing_column_comes_back_with_its_default_on_postgresql(pg_url):  # noqa: F811
    store = db.open_store(pg_url)
    _add_one()
    store.close()
    admin_sql("ALTER TABLE customer DROP COLUMN problem; ALTER TABLE customer DROP COLUMN credit_days;"
              f"UPDATE schema_info SET value = '{SCHEMA_VERSION - 1}' WHERE key = 'schema_version'")
    db.open_store(pg_url)
    row = Customer.get(Customer.code == "C1")
    assert (row.problem, row.credit_days) == (False, 0)


def test_a_version_13_archive_loses_the_memberships_single_indexes(tmp_path):
    path = str(tmp_path / "v13.db")
    db.open_store(path).close()
    con = sqlite3.connect(path)
    con.executescript("CREATE INDEX membership_customer_id ON membership (customer_id);"
                      "CREATE INDEX membership_dimension_id ON membership (dimension_id);"
                      "UPDATE schema_info SET value = '13' WHERE key = 'schema_version';")
    con.close()
    store = db.open_store(path)
    indexes = {n for (n,) in store.database.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'membership'")}
    assert indexes == {"membership_customer_id_dimension_id", "membership_dimension_id_class_code_customer_code"}


def test_each_later_versions_step_runs_once(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(upgrades, "STEPS", [(SCHEMA_VERSION - 1, lambda s: ran.append("old")),
                                           (SCHEMA_VERSION, lambda s: ran.append("new"))])
    path = str(tmp_path / "old.db")
    db.open_store(path).close()
    con = sqlite3.connect(path)
    con.execute(f"UPDATE schema_info SET value = '{SCHEMA_VERSION - 1}' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    db.open_store(path).close()
    db.open_store(path)
    assert ran == ["new"]


def test_a_new_not_null_column_without_a_default_is_a_programming_error():
    from peewee import CharField
    field = CharField()
    field.bind(Customer, "nothing")
    field.default = None
    with pytest.raises(ValueError, match="needs a default"):
        upgrades._add_column(type("S", (), {"dialect": "sqlite"})(), "customer", field)


NAMES = [("C1", "万洋商贸", "万洋"), ("C2", "三亚旅游", "三亚"), ("C3", "丁佳琪", "丁佳琪"),
         ("C4", "阿里巴巴", "阿里"), ("C5", "北京华联", "华联")]


def _version_5_archive(url) -> str:
    """An archive as version 5 left it: no sort keys, the lists' name index on the name."""
    store = db.open_store(url)
    classes.add("main", "01", "批发")
    for code, name, short in NAMES:
        customers.create({"code": code, "name": name, "short_name": short, "class_code": "01"})
    store.close()
    return ("DROP INDEX customer_name_key_code_class_code_stop_date;"
            "DROP INDEX customer_short_key_code_class_code_stop_date;"
            "ALTER TABLE customer DROP COLUMN name_key; ALTER TABLE customer DROP COLUMN short_key;"
            "CREATE INDEX customer_name_code_class_code_stop_date ON customer (name, code, class_code, stop_date);"
            "UPDATE schema_info SET value = '5' WHERE key = 'schema_version'")


def _sorted_codes(sort):
    from db.lists import paging

    return [r.code for r in paging.after(paging.ListQuery(sort=sort), None, 10)]


def _checked():
    assert _sorted_codes("name") == ["C4", "C5", "C3", "C2", "C1"]  # a, bei, ding, san, wan
    assert _sorted_codes("short_name") == ["C4", "C3", "C5", "C2", "C1"]  # a, ding, hua, san, wan
    assert Customer.get(Customer.code == "C5").name_key == "bei3 jing1 hua2 lian2 "


def test_a_version_5_sqlite_archive_gets_the_sort_keys(tmp_path):
    path = str(tmp_path / "v5.db")
    con = sqlite3.connect(path)
    con.executescript(_version_5_archive(path))
    con.close()
    store = db.open_store(path)
    _checked()
    indexes = {n for (n,) in store.database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "customer_name_code_class_code_stop_date" not in indexes
    assert "customer_name_key_code_class_code_stop_date" in indexes


def test_a_version_5_postgresql_archive_gets_the_sort_keys(pg_url):  # noqa: F811
    admin_sql(_version_5_archive(pg_url))
    db.open_store(pg_url)
    _checked()
