"""The same store operations on SQLite and on PostgreSQL (skipped without KEHU_TEST_PG_URL):
classes and their refusals, customers and the version check, locate, paging a class, batch
modify, merge, read-only, and the code columns' collation on a server whose locale is not C."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

import db
from db.lists import batch, paging, query
from db.archive import classes, customers, history, merge, search
from db.core.errors import ConflictError, RuleError, StoreError
from db.core.models import Sale
from tests.pg import PG_URL, admin_sql, any_store, pg_store, pg_url  # noqa: F401 - fixtures


def seed():
    for code, name in [("01", "个人"), ("02", "中间商"), ("02001", "批发商"), ("02002", "零售商"),
                       ("03", "制造商")]:
        classes.add("main", code, name)
    for code, name, short, cls in [
            ("C001", "北京华联综合超市股份有限公司", "北京华联", "02002"),
            ("C002", "王小明", "王小明", "01"),
            ("C010", "上海联华超市", "联华超市", "02002"),
            ("C011", "王府井百货", "王府井", "02001"),
            ("C100", "曾氏机械厂", "曾氏机械", "03")]:
        customers.create({"code": code, "name": name, "short_name": short, "class_code": cls,
                          "dev_date": "2024-01-01"})


def test_dialect_is_what_was_asked(any_store):
    assert any_store.dialect in ("sqlite", "postgres")


def test_classes_and_refusals(any_store):
    seed()
    assert not classes.get("main", "02").is_leaf and classes.get("main", "02001").is_leaf
    for code, key in [("02001", "class.code_taken"), ("04001", "class.parent_missing"),
                      ("0200", "class.code_length"), ("01001", "class.parent_has_customers")]:
        with pytest.raises(RuleError) as err:
            classes.add("main", code, "x")
        assert err.value.key == key
    with pytest.raises(RuleError) as err:
        classes.delete("main", "02")
    assert err.value.key == "class.delete_has_children"
    with pytest.raises(RuleError) as err:
        classes.delete("main", "02001")
    assert err.value.key == "class.delete_has_customers"
    assert [n.customers for n in classes.children("main", None)] == [1, 3, 1]


def test_customer_version_check(any_store):
    seed()
    first = customers.update("C002", {"region": "北京"}, 1)
    assert first.version == 2
    with pytest.raises(ConflictError) as err:
        customers.update("C002", {"region": "上海"}, 1)
    assert err.value.key == "conflict.changed" and err.value.values["who"]
    with pytest.raises(ConflictError):
        customers.delete("C002", 1)
    assert customers.get("C002").region == "北京"


def test_customer_with_sales_cannot_be_deleted(any_store):
    seed()
    row = customers.get("C010")
    Sale.create(customer=row.id, date=dt.date(2025, 1, 1), doc_no="S1", amount=100)
    with pytest.raises(RuleError) as err:
        customers.delete("C010", row.version)
    assert err.value.key == "customer.has_sales" and err.value.values["count"] == 1
    customers.delete("C002", 1)
    assert customers.get("C002") is None


@pytest.mark.parametrize("query, expected", [
    ("王", ["C002", "C011"]), ("小明", ["C002"]), ("王小明", ["C002"]), ("联华超", ["C010"]),
    ("wxm", ["C002"]), ("zsjx", ["C100"]), ("C01", ["C010", "C011"]),
])
def test_locate(any_store, query, expected):
    seed()
    assert [h.code for h in search.locate(query)] == expected


def test_paging_a_class(any_store):
    seed()
    q = paging.ListQuery(prefix="02")
    assert paging.count(q) == 3
    first = paging.after(q, None, 2)
    assert [r.code for r in first] == ["C011", "C001"]
    assert [r.code for r in paging.after(q, first[-1].key, 2)] == ["C010"]
    assert paging.position_of(q, "C010") == 2


def test_counting_every_customer_less_the_stopped_ones(any_store):
    seed()
    customers.stop("C002", 1, dt.date(2026, 11, 23))  # the fixed clock's today: stopped
    customers.stop("C010", 1, dt.date(2026, 11, 24))  # tomorrow: not yet
    assert paging.count(paging.ListQuery()) == 4
    assert paging.count(paging.ListQuery(show_stopped=True)) == 5
    assert paging.count(paging.ListQuery(filter=query.Filter(stopped="only"))) == 1


def test_batch_and_merge(any_store):
    seed()
    mark = history.watermark()
    customers.update("C001", {"phone": "1"}, 1)
    result = batch.apply("mgmt_type", "重要客户", paging.ListQuery(prefix="02"), since=mark)
    assert (result.total, result.changed, result.skipped) == (3, 2, {"changed": 1})
    merged = merge.merge("C010", ["C001"], {"name": "C001"}, {"C001": 2, "C010": 2})
    assert merged.name == "北京华联综合超市股份有限公司" and customers.get("C001") is None
    assert [h.code for h in search.locate("综合超市")] == ["C010"]
    assert history.for_entity("customer", "C010")[0].action == "merge"


def test_read_only_refuses_every_write(any_store):
    seed()
    url = any_store.url
    any_store.close()
    ro = db.open_store(url, read_only=True)
    assert ro.read_only and customers.get("C001").version == 1
    with pytest.raises(StoreError) as err:
        customers.update("C001", {"region": "x"}, 1)
    assert err.value.key == "store.read_only"
    assert customers.get("C001").region == ""


def test_code_columns_compare_by_code_point_on_any_locale(pg_url):
    """A database created with an ICU locale orders '~' before digits: the class range
    [02, 02~) would hold nothing without the C collation db/core/dialect.py pins."""
    name = "kehu_t_icu"
    admin_sql(f"DROP DATABASE IF EXISTS {name}")
    admin_sql(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu "
              "ICU_LOCALE 'en-US' LOCALE 'C'")
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        store = db.open_store(url)
        seed()
        assert paging.count(paging.ListQuery(prefix="02")) == 3
        assert classes.customers_under(classes.dimension("main"), "02") == 3
        assert [h.code for h in search.locate("C01")] == ["C010", "C011"]
        store.close()
    finally:
        admin_sql(f"DROP DATABASE IF EXISTS {name}")


SUBPROCESS_OPEN = """
import sys, db
loaded = 'psycopg2' in sys.modules
store = db.open_store(sys.argv[1])
from db.core.models import Customer
print(loaded, store.dialect, Customer.select().count())
"""


def test_sqlite_start_leaves_psycopg2_unloaded(tmp_path):
    # psycopg2 is 10-20 ms of every start; peewee would import it for nothing (db.core.drivers).
    out = subprocess.run([sys.executable, "-c", SUBPROCESS_OPEN, str(tmp_path / "t.db")],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "sqlite", "0"]


def test_postgres_opens_after_peewee_was_imported_without_psycopg2(pg_url):
    out = subprocess.run([sys.executable, "-c", SUBPROCESS_OPEN, pg_url],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "postgres", "0"]


def test_a_batch_of_an_unindexed_field_touches_no_index_on_postgresql(pg_store):
    """The customer table's pages keep half their room (fillfactor 50): a batch modify of
    the industry writes each new row beside its old one (a HOT update), not into every index."""
    classes.add("main", "01", "批发")
    for n in range(40):
        customers.create({"code": f"C{n:03d}", "name": f"北京华联{n}", "short_name": f"华联{n}", "class_code": "01"})
    with pg_store.writing():
        marks = [(f"C{n:03d}", 1) for n in range(40)]
        assert batch.apply("industry", "零售", marks).changed == 40
        hot = pg_store.database.execute_sql(
            "SELECT pg_stat_get_xact_tuples_hot_updated('customer'::regclass)").fetchone()[0]
    assert hot == 40
