"""Locate on PostgreSQL (customer.pieces, a generated tsvector, db.core.dialect): the same
customers in the same order as SQLite's FTS5 index for every kind of query, the index kept in
step by every write path, and the upgrade of a version-4 archive (trigram indexes, list
indexes without the id). Skipped without KEHU_TEST_PG_URL, except the tsquery's form."""
from __future__ import annotations

import datetime as dt
import random

import pytest

import db
from db.archive import customers, merge, search
from db.core import clock, dialect, models
from db.core.models import Customer, SchemaInfo
from db.transfer import importer
from tests.pg import PG_URL, admin_sql, pg_store, pg_url  # noqa: F401 - fixtures

FIXED = [  # (code, name, short name, stopped)
    ("A001", "北京华联综合超市股份有限公司", "北京华联", False),
    ("A002", "王小明", "王小明", False),
    ("A003", "上海联华超市", "华联商厦", False),  # 市华 would run from the name into the short name
    ("A004", "王府井百货", "王府井", True),
    ("A005", "ACME Trading (Asia) Ltd.", "ACME", False),
    ("A006", "acme 100% 五金", "Acme五金", False),
    ("A007", "第①分店 No.2", "①店", False),
    ("A008", "北京 华联 商厦", "华联-商厦", False),
    ("A009", "ÉCOLE Café", "École", False),
    ("A010", "O'Brien \\ 贸易", "O'Brien", False),
    ("A011", "遵义聚丰饮料", "黔酒", False),  # 料黔 would run from the name into the short name
]
QUERIES = ["王", "小明", "王小明", "王府井百", "华联", "联", "华联超市", "北京华联", "市华", "市华联",
           "超市", "公司", "有限公司", "acme", "ACME", "Ac", "100", "1", "100%", "五金", "e五",
           "(", "%", "_", "'", "\\", "O'Brien", "ob", "①", "①分", "no2", "é", "École", "ÉCOLE Ca",
           "商厦", "联商", "厦", "A00", "a00", "A0", "bjhl", "wxm", "w", "x", "明王", "淼", "龘龘",
           "司有", "有限公", "限公司", "料黔", "饮料黔酒", "料", "黔酒", " 华 联 ", "华联 商厦", "Z"]
POOL = "王李张刘陈杨黄赵周吴小明华联北京上海超市公司有限贸易科技"


def _build() -> None:
    """The same small archive on any store: the fixed names, then 300 random ones so that
    frequent fragments have more than the limit of matches (order and cut-off)."""
    rng = random.Random(17)
    rows = list(FIXED)
    for n in range(300):
        name = "".join(rng.choice(POOL) for _ in range(rng.randint(2, 9)))
        short = name[:rng.randint(1, len(name))] if rng.random() < 0.7 else rng.choice(POOL) * 2
        rows.append((f"B{n:03d}", name, short, rng.random() < 0.1))
    with models.database.atomic():
        for code, name, short, stopped in rows:
            row = Customer.create(code=code, name=name, short_name=short, class_code="01",
                                  mnemonic=customers.mnemonic_of(short)[:10],
                                  stop_date=clock.today() if stopped else None)
            search.index(row.id, row.name, row.short_name)


def _answers() -> dict:
    return {(q, stopped, limit): [(h.code, h.matched) for h in search.locate(q, limit, stopped)]
            for q in QUERIES for stopped in (False, True) for limit in (50, 7)}


@pytest.mark.postgres
def test_postgres_finds_what_sqlite_finds_in_the_same_order(tmp_path, pg_url, monkeypatch):
    lite = db.open_store(str(tmp_path / "t.db"))
    _build()
    expected = _answers()
    lite.close()
    pg = db.open_store(pg_url)
    _build()
    got = _answers()  # no statistics yet: every fragment read from the GIN index
    # With statistics, every fragment they know of walks the ids, over the first 40 only,
    # the rest read from the GIN index.
    models.database.execute_sql("ANALYZE customer")
    search._shares.clear()
    monkeypatch.setattr(dialect, "FREQUENT", 0.0)
    monkeypatch.setattr(dialect, "ORDERED_SPAN", 40)
    assert len(search.statements("王")) == 4  # code, mnemonic, the walk, the rest
    walked = _answers()
    pg.close()
    assert got == expected and walked == expected
    assert expected[("料黔", False, 50)] == [] and expected[("黔酒", False, 50)] == [("A011", "name")]
    assert len(expected[("王", True, 50)]) == 50  # more matches than the limit: cut in id order


def test_the_tsquery_quotes_every_lexeme():
    assert dialect.ts_query("王") == "'王'"
    assert dialect.ts_query("小明") == "'小明'"
    assert dialect.ts_query("北京 华联") == "'北京' <-> '京华' <-> '华联'"
    assert dialect.ts_query("ACME") == "'ac' <-> 'cm' <-> 'me'"
    assert dialect.ts_query("O'B") == "'ob'"  # the quote is not searchable
    assert dialect.ts_query("&|!()<->:*'\\") is None


def _codes(query: str) -> list[str]:
    return [h.code for h in search.locate(query, include_stopped=True)]


@pytest.mark.postgres
def test_every_write_path_keeps_the_postgres_index_in_step(pg_store, tmp_path):
    from db.archive import classes

    classes.add("main", "01", "批发")
    card = customers.create({"code": "C001", "name": "北京华联综合超市", "short_name": "华联",
                             "class_code": "01"})
    assert _codes("华联综") == ["C001"]
    customers.update("C001", {"name": "广州友谊商店", "short_name": "友谊"}, card.version)  # card
    assert _codes("华联") == [] and _codes("友谊商") == ["C001"] and _codes("州") == ["C001"]

    text = ("客户编码,客户名称,客户简称,所属分类码\n"
            "C001,深圳赛格电子市场,赛格,01\n"  # a rename by import (the bulk rename path)
            "C002,杭州娃哈哈集团,娃哈哈,01\n")  # an add by import
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    importer.commit(importer.plan(path))
    assert _codes("友谊") == [] and _codes("赛格电") == ["C001"] and _codes("娃哈") == ["C002"]

    # A set-based UPDATE (as batch paths write): the generated column follows any UPDATE.
    models.database.execute_sql("UPDATE customer SET short_name = '哈哈乐' WHERE code = 'C002'")
    assert _codes("哈乐") == ["C002"]

    kept = customers.get("C001")
    gone = customers.get("C002")
    merge.merge("C001", ["C002"], {"name": "C002"}, {"C001": kept.version, "C002": gone.version})
    assert _codes("赛格电") == [] and _codes("娃哈哈集") == ["C001"]


@pytest.mark.postgres
def test_a_version_4_archive_is_upgraded_to_the_pieces_column(pg_url):
    store = db.open_store(pg_url)
    Customer.create(code="C001", name="北京华联综合超市", short_name="华联", class_code="01")
    store.close()
    # What version 4 had: trigram indexes, no pieces column, list indexes without the id.
    admin_sql("DROP INDEX customer_class_code_code_stop_date_completeness; "
              "CREATE INDEX customer_class_code_code_stop_date ON customer (class_code, code, stop_date); "
              "ALTER TABLE customer DROP COLUMN pieces; CREATE EXTENSION IF NOT EXISTS pg_trgm; "
              "CREATE INDEX customer_name_trgm ON customer USING gin (name gin_trgm_ops); "
              "CREATE INDEX customer_short_name_trgm ON customer USING gin (short_name gin_trgm_ops); "
              "UPDATE schema_info SET value = '4' WHERE key = 'schema_version'")
    told = []
    store = db.open_store(pg_url, notice=lambda key, **values: told.append(key))
    try:
        assert told == ["store.upgrading_index"]
        assert SchemaInfo.get(SchemaInfo.key == "schema_version").value == str(models.SCHEMA_VERSION)
        indexes = {name for (name,) in models.database.execute_sql(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'customer'")}
        assert "customer_pieces" in indexes and not {"customer_name_trgm", "customer_short_name_trgm"} & indexes
        assert _codes("联综") == ["C001"]
        with_id = models.database.execute_sql(
            "SELECT indnatts > indnkeyatts FROM pg_index "
            "WHERE indexrelid = 'customer_class_code_code_stop_date_completeness'::regclass").fetchone()
        assert with_id == (True,)
        # the data permission's index holds what the row-level security policy reads
        scope = models.database.execute_sql(
            "SELECT pg_get_indexdef('customer_department_class_code_stop_date'::regclass)").fetchone()[0]
        assert scope.endswith("INCLUDE (id, salesperson)")
    finally:
        store.close()
    again = []
    db.open_store(pg_url, notice=lambda key, **values: again.append(key)).close()
    assert again == []  # upgraded once only
