"""The demo archive: fixtures/ loaded whole and consistent, the generator, `kehu demo`."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from stdnum.cn import uscc

import db
from db import demo
from db.demo import parts as demo_parts
from db.values.coding import CodingScheme
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership, Sale
from tui import cli

FIXTURES = Path(demo.FIXTURES)


def _csv(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = demo.build(tmp_path_factory.mktemp("demo") / "demo.db")
    yield store
    store.close()


def _scalar(store, sql: str, *params):
    return store.database.execute_sql(sql, params).fetchone()[0]


def test_build_loads_every_fixture_row(built):
    assert Customer.select().count() == len(_csv("customers.csv"))
    assert Sale.select().count() == len(_csv("sales.csv"))
    assert Membership.select().count() == len(_csv("memberships.csv"))
    typed = {r["code"] for r in _csv("dimensions.csv")}
    loaded = (CustomerClass.select().join(Dimension)
              .where(Dimension.code.in_(typed)).count())
    assert loaded == len(_csv("classes.csv"))
    assert 2500 <= Customer.select().count() <= 5000


def test_money_and_dates_are_exact(built):
    rows = {r["code"]: r for r in _csv("customers.csv")}
    c = Customer.get(Customer.code == "C000002")
    row = rows["C000002"]
    assert c.credit_limit == round(float(row["credit_limit"]) * 100)
    assert c.discount_rate == round(float(row["discount_rate"]) * 100)
    assert c.dev_date.isoformat() == row["dev_date"]
    total = sum(round(float(r["amount"]) * 100) for r in _csv("sales.csv"))
    assert _scalar(built, "SELECT sum(amount) FROM sale") == total


def test_every_customer_is_in_a_leaf_of_the_main_classification(built):
    main = Dimension.get(Dimension.code == MAIN_DIMENSION)
    outside = _scalar(built, """
        SELECT count(*) FROM customer c WHERE NOT EXISTS (
            SELECT 1 FROM customer_class k
            WHERE k.dimension_id = ? AND k.code = c.class_code AND k.is_leaf)""", main.id)
    assert outside == 0


def test_memberships_are_leaves_and_agree_with_the_region_text(built):
    wrong_class = _scalar(built, """
        SELECT count(*) FROM membership m WHERE NOT EXISTS (
            SELECT 1 FROM customer_class k
            WHERE k.dimension_id = m.dimension_id AND k.code = m.class_code AND k.is_leaf)""")
    assert wrong_class == 0
    region = Dimension.get(Dimension.code == "region")
    disagree = _scalar(built, """
        SELECT count(*) FROM customer c
        LEFT JOIN membership m ON m.customer_id = c.id AND m.dimension_id = ?
        LEFT JOIN customer_class k ON k.dimension_id = m.dimension_id AND k.code = m.class_code
        WHERE k.name IS NULL OR k.name <> c.region""", region.id)
    assert disagree == 0


def test_class_trees_are_consistent(built):
    for dim in Dimension.select().where(Dimension.derived == False):  # noqa: E712
        scheme = CodingScheme.parse(dim.scheme)
        rows = list(CustomerClass.select().where(CustomerClass.dimension == dim.id))
        codes = {r.code for r in rows}
        assert rows, dim.code
        for r in rows:
            assert scheme.level_of(r.code) == r.level, r.code
            parent = scheme.parent_of(r.code)
            assert parent is None or parent in codes, r.code
            has_children = any(o != r.code and o.startswith(r.code) for o in codes)
            assert r.is_leaf == (not has_children), r.code
        assert len(dim.criteria.split("\n")) == scheme.levels, dim.code


def test_main_classification_is_the_seeds(built):
    main = Dimension.get(Dimension.code == MAIN_DIMENSION)
    assert main.scheme == "2-3-4"
    top = [r.name for r in CustomerClass.select().where(
        CustomerClass.dimension == main.id, CustomerClass.level == 1).order_by(CustomerClass.code)]
    assert top == ["个人消费者", "中间商客户", "制造商客户", "政府和社会团体客户"]
    names = {r.name for r in CustomerClass.select().where(CustomerClass.dimension == main.id)}
    assert {"批发商", "零售商", "专营店", "超级市场", "连锁店", "邮购商店"} <= names


def test_the_health_check_has_something_to_find(built):
    """One empty leaf (邮购商店), one class with a single child, stopped VIPs, and prospects
    without a product line: on purpose."""
    main = Dimension.get(Dimension.code == MAIN_DIMENSION)
    empty = _scalar(built, """
        SELECT count(*) FROM customer_class k WHERE k.dimension_id = ? AND k.is_leaf
        AND NOT EXISTS (SELECT 1 FROM customer c WHERE c.class_code = k.code)""", main.id)
    assert empty == 1
    codes = [r.code for r in CustomerClass.select().where(CustomerClass.dimension == main.id)]
    single = [c for c in codes if sum(1 for o in codes if len(o) > len(c) and o.startswith(c)
                                      and CodingScheme.parse("2-3-4").parent_of(o) == c) == 1]
    assert single
    assert Customer.select().where(Customer.stop_date.is_null(False),
                                   Customer.mgmt_type == "VIP客户").count() >= 1


def test_customers_are_filled_realistically(built):
    rows = _csv("customers.csv")
    for r in rows:
        if r["tax_id"]:
            assert uscc.is_valid(r["tax_id"]), r["code"]
        else:
            assert r["class_code"] in ("01001", "01002"), r["code"]  # only private persons
        assert len(r["postcode"]) == 6 and r["postcode"].isdigit()
        assert len(r["mobile"]) == 11 and r["mobile"].startswith("1") and r["mobile"].isdigit()
        assert "@" in r["email"]
        assert r["mgmt_type"] in ("一般客户", "重要客户", "潜在客户", "VIP客户")
        assert "2015-01-01" <= r["dev_date"] <= "2026-11-23"
        if r["stop_date"]:
            assert r["dev_date"] < r["stop_date"] <= "2026-11-23"
        for field in ("name", "short_name", "mnemonic", "region", "industry", "bank", "address",
                      "phone", "contact", "department", "salesperson", "remark"):
            assert r[field], (r["code"], field)
    stopped = sum(1 for r in rows if r["stop_date"]) / len(rows)
    assert 0.01 < stopped < 0.06
    names = " ".join(r["name"] for r in rows)
    for piece in ("王", "小明", "王小明", "北京华联"):
        assert piece in names
    mnemonics = {r["short_name"]: r["mnemonic"] for r in rows}
    assert mnemonics["北京华联"] == "bjhl"
    for person, expected in (("曾小明", "zxm"), ("单丽华", "slh"), ("解晓东", "xxd"), ("仇建国", "qjg"),
                             ("区志强", "ozq"), ("查文博", "zwb"), ("朴海燕", "phy")):
        assert mnemonics[person] == expected


def test_sales_tell_the_stories(built):
    sales = _csv("sales.csv")
    customers = {r["code"]: r for r in _csv("customers.csv")}
    by_customer: dict[str, list[str]] = {}
    for s in sales:
        by_customer.setdefault(s["customer_code"], []).append(s["date"])
        assert s["customer_code"] in customers
        assert s["date"] >= customers[s["customer_code"]]["dev_date"]
    assert len({s["doc_no"] for s in sales}) == len(sales)
    assert {s["date"][:4] for s in sales} == {"2022", "2023", "2024", "2025", "2026"}
    prospects = [c for c in customers if c not in by_customer]
    past = [c for c, d in by_customer.items() if max(d) < "2025-11-23"]
    new = [c for c, d in by_customer.items() if min(d) >= "2026-05-23"]
    assert len(prospects) > 50 and len(past) > 50 and len(new) > 20


def test_build_refuses_an_archive_with_customers(tmp_path, built):
    path = tmp_path / "again.db"
    demo.build(path).close()
    with pytest.raises(RuleError) as refused:
        demo.build(path)
    assert refused.value.key == "demo.not_empty"


def test_a_fixture_class_off_its_scheme_is_refused(tmp_path):
    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "dimensions.csv").write_text(
        "code,name_zh,name_en,scheme,criteria\nmain,客户分类,Customer classes,2-3-4,客户性质|行业|业态\n",
        encoding="utf-8")
    (folder / "classes.csv").write_text("dimension,code,name,remark\nmain,01,个人,\nmain,0100,错,\n",
                                        encoding="utf-8")
    with pytest.raises(RuleError) as refused:
        demo.build(tmp_path / "bad.db", folder)
    assert refused.value.key.startswith("class.")


def test_generate_makes_a_consistent_archive(tmp_path):
    store = demo.generate(tmp_path / "big.db", 2000)
    try:
        assert Customer.select().count() == 2000
        prospects = Customer.select().where(Customer.mgmt_type == "潜在客户").count()
        sales = Sale.select().count()
        assert 4 * 2000 <= sales <= 6 * 2000
        assert _scalar(store, "SELECT count(DISTINCT customer_id) FROM sale") <= 2000 - prospects
        assert _scalar(store, """SELECT count(*) FROM sale s JOIN customer c ON c.id = s.customer_id
                                 WHERE s.date < c.dev_date OR s.date > '2026-11-23'
                                 OR (c.stop_date IS NOT NULL AND s.date >= c.stop_date)""") == 0
        main = Dimension.get(Dimension.code == MAIN_DIMENSION)
        assert _scalar(store, """
            SELECT count(*) FROM customer c WHERE NOT EXISTS (
                SELECT 1 FROM customer_class k
                WHERE k.dimension_id = ? AND k.code = c.class_code AND k.is_leaf)""", main.id) == 0
        per_dim = dict(store.database.execute_sql("""
            SELECT d.code, count(*) FROM membership m JOIN dimension d ON d.id = m.dimension_id
            GROUP BY d.code""").fetchall())
        assert per_dim["region"] == per_dim["ownership"] == 2000
        assert per_dim["product"] == 2000 - prospects
        bad = [t for (t,) in store.database.execute_sql("SELECT tax_id FROM customer WHERE tax_id <> ''")
               if not uscc.is_valid(t)]
        assert bad == []
        names = "".join(n for (n,) in store.database.execute_sql("SELECT name FROM customer"))
        assert "王" in names and "小明" in names
        indexes = {n for (n,) in store.database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sale'")}
        assert "sale_date" in indexes  # dropped for the load, built again after it
        from db.archive import search

        assert search.locate("王", limit=5)
        assert store.database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        _sorted_by_pinyin()
    finally:
        store.close()


def _sorted_by_pinyin():
    """Every customer carries the sort keys of its names: the name sorts are in pinyin order."""
    from db.lists import paging
    from db.values import collation

    for sort in ("name", "short_name"):
        shown = [r.values[sort] for r in paging.after(paging.ListQuery(sort=sort), None, 300, columns=(sort,))]
        assert shown == sorted(shown, key=collation.key) and len(shown) == 300
    stale = Customer.select().where((Customer.name_key == "") | (Customer.short_key == "")).count()
    assert stale == 0


def test_the_fixture_demo_sorts_names_by_pinyin(built):
    store = db.open_store(built.url, create=False)  # other tests of the module open archives of their own
    try:
        _sorted_by_pinyin()
    finally:
        store.close()


def test_generate_is_deterministic(tmp_path):
    first = demo.generate(tmp_path / "a.db", 300)
    a = first.database.execute_sql("SELECT * FROM customer ORDER BY id").fetchall()
    sa = first.database.execute_sql("SELECT customer_id, date, amount FROM sale ORDER BY id").fetchall()
    first.close()
    second = demo.generate(tmp_path / "b.db", 300)
    assert second.database.execute_sql("SELECT * FROM customer ORDER BY id").fetchall() == a
    assert second.database.execute_sql("SELECT customer_id, date, amount FROM sale ORDER BY id").fetchall() == sa
    second.close()


def test_uscc_check_characters():
    for serial in (0, 1, 9_999_999, 12_345_678, 99_999_999, 123_456_789):
        for head, division in (("91", "110105"), ("92", "440305"), ("11", "650102"), ("51", "510104")):
            assert uscc.is_valid(demo_parts.uscc(head, division, serial))


def test_cli_writes_the_demo_and_refuses_an_existing_path(tmp_path, capsys):
    path = tmp_path / "cli.db"
    assert cli.main(["--lang", "en", "demo", "--db", str(path)]) == 0
    assert path.exists()
    assert "3,000 customers" in capsys.readouterr().out
    assert cli.main(["--lang", "en", "demo", "--db", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "--db", str(path), "demo", "--customers", "50", "--force"]) == 0
    assert "50 customers" in capsys.readouterr().out


def test_cli_refuses_bad_input(tmp_path, capsys):
    assert cli.main(["--lang", "en", "demo"]) == 2
    assert "--db" in capsys.readouterr().err
    assert cli.main(["--lang", "en", "demo", "--db", str(tmp_path / "x.db"), "--customers", "0"]) == 2
    assert not (tmp_path / "x.db").exists()
    assert cli.main(["--lang", "en", "demo", "--db", str(tmp_path)]) == 2
