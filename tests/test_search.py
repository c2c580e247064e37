"""Locate (db.archive.search): each kind of match, 1- and 2-character Chinese against a brute-force
scan, order and dedupe, stopped customers, hostile queries, and the index kept in step."""
from __future__ import annotations

import datetime as dt
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import db
from db.core import clock, dialect, models
from db.archive import search
from db.core.dialect import HIT_COLUMNS, fts_match, pieces
from db.core.models import Customer


def add(code: str, name: str, short_name: str | None = None, *, mnemonic: str = "",
        stop_date: dt.date | None = None, index: bool = True) -> Customer:
    row = Customer.create(code=code, name=name, short_name=short_name or name, mnemonic=mnemonic,
                          class_code="01", region="北京", phone="010-1234", stop_date=stop_date)
    if index:
        search.index(row.id, row.name, row.short_name)
    return row


def codes(query: str, **options) -> list[str]:
    return [h.code for h in search.locate(query, **options)]


@pytest.fixture
def archive(store):
    add("C001", "北京华联综合超市股份有限公司", "北京华联", mnemonic="bjhl")
    add("C002", "王小明", mnemonic="wxm")
    add("C010", "上海联华超市", "联华超市", mnemonic="lhcs")
    add("C011", "王府井百货", mnemonic="wfjbh")
    add("C100", "ACME Trading (Asia) Ltd.", "ACME", mnemonic="amt")
    return store


def test_hit_carries_the_listed_fields(archive):
    hit = search.locate("C002")[0]
    assert hit == search.Hit(id=hit.id, code="C002", short_name="王小明", name="王小明",
                             class_code="01", region="北京", phone="010-1234", mnemonic="wxm",
                             matched="code")
    assert list(search.Hit.__dataclass_fields__)[:-2] == list(HIT_COLUMNS)  # then matched, contact


def test_code_prefix_in_code_order(archive):
    assert codes("C01") == ["C010", "C011"]
    assert codes("C0") == ["C001", "C002", "C010", "C011"]
    assert codes("C1") == ["C100"]


def test_exact_code_first(archive):
    add("C0100", "另一家", mnemonic="lyj")
    hits = search.locate("C010")
    assert [h.code for h in hits] == ["C010", "C0100"] and hits[0].matched == "code"


@pytest.mark.parametrize("query, expected", [
    ("王", ["C002", "C011"]),                 # 1 character
    ("小明", ["C002"]),                       # 2 characters
    ("王小明", ["C002"]),                     # 3 characters
    ("华联", ["C001"]),                       # in the name and the short name: listed once
    ("联华超", ["C010"]),
    ("超市", ["C001", "C010"]),
    ("股份有限", ["C001"]),
    ("acme", ["C100"]),                       # Latin, any case
    ("Trading Asia", ["C100"]),               # spaces and punctuation are not searched
    ("明王", []),
])
def test_name_fragments(archive, query, expected):
    hits = search.locate(query)
    assert [h.code for h in hits] == expected
    assert all(h.matched == "name" for h in hits)


def test_a_phrase_does_not_run_from_name_into_short_name(archive):
    # name ends 有限公司, short name starts 北京: 司北 is in neither
    assert codes("司北") == []


def test_a_code_typed_in_lower_case_is_tried_in_upper_case_when_nothing_matches(archive):
    add("c900", "小写编码的客户")  # stored as typed: found as typed, before any upper case
    assert codes("c00") == ["C001", "C002"]
    assert codes("c900") == ["c900"]
    assert [h.code for h in search.find("c010")] == ["C010"]
    assert codes("acme") == ["C100"]  # a name in other case is found as before


def test_mnemonic_prefix(archive):
    hits = search.locate("bjhl")
    assert [(h.code, h.matched) for h in hits] == [("C001", "mnemonic")]
    assert codes("BJH") == ["C001"]
    assert codes("w") == ["C011", "C002"]  # in mnemonic order: wfjbh, wxm


def test_order_code_then_mnemonic_then_name_each_once(store):
    add("C5", "甲", mnemonic="c5x")        # code prefix and mnemonic prefix: listed once, as code
    add("X1", "乙", mnemonic="c5")         # mnemonic
    add("X2", "名称C5", mnemonic="mc")     # name fragment only
    add("C50", "丙", mnemonic="")          # code prefix
    hits = search.locate("c5".upper())
    assert [(h.code, h.matched) for h in hits] == [
        ("C5", "code"), ("C50", "code"), ("X1", "mnemonic"), ("X2", "name")]


def test_limit_and_dedupe_keep_the_list_full(store):
    # Every customer matches by code, mnemonic and name: the limit still fills, once each.
    for n in range(30):
        add(f"K{n:03d}", f"K{n:03d}号", mnemonic=f"k{n:03d}")
    hits = search.locate("K0", limit=20)
    assert [h.code for h in hits] == [f"K{n:03d}" for n in range(20)]
    assert len({h.id for h in search.locate("k", limit=25)}) == 25


def test_stopped_customers_hidden_unless_asked(store):
    today = clock.today()
    add("S1", "停用客户甲", stop_date=today)                         # stopped today
    add("S2", "停用客户乙", stop_date=today - dt.timedelta(days=9))
    add("S3", "停用客户丙", stop_date=today + dt.timedelta(days=1))  # stops tomorrow
    add("S4", "停用客户丁")
    assert codes("停用") == ["S3", "S4"]
    assert codes("S") == ["S3", "S4"]
    assert codes("停用", include_stopped=True) == ["S1", "S2", "S3", "S4"]
    assert [h.code for h in search.find("停用")] == ["S1", "S2", "S3", "S4"]


@pytest.mark.parametrize("query", [
    '"', '""', "'", "*", "AND", "OR", "NOT", "(", ")", "[bold]", "^", "-", "+", ":", "NEAR(a b)",
    "name:王", "{name}:王", '王"', '"王 OR 小"', "%", "_", "\\", "王*", "C0%", "\U0010ffff",
    "a\U0010ffff", "\ud800", "x\ud7ff", "\x00", "  ", "", "😀", "　", "王 AND 明",
])
def test_hostile_queries_do_not_raise(archive, query):
    for hit in search.locate(query) + search.find(query):
        assert isinstance(hit, search.Hit)


def test_punctuation_inside_a_query_is_ignored_like_in_names(archive):
    assert codes("王*") == ["C002", "C011"]
    assert codes('"小明"') == ["C002"]


def test_empty_query_and_zero_limit(archive):
    assert search.locate("") == [] and search.locate("   ") == [] and search.locate("王", limit=0) == []


def test_one_and_two_character_chinese_match_a_brute_force_scan(store):
    """SQLite 3.40's trigram index wrongly answers nothing below 3 characters: check every
    1- and 2-character fragment (and some longer ones) against a plain scan."""
    rnd = random.Random(3)
    alphabet = "王李张小明华联北京上海超市有限公司司有"
    names = {}
    with store.writing():
        for n in range(3000):
            name = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 9)))
            short = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 4)))
            names[add(f"N{n:05d}", name, short).id] = (name, short)
    fragments = set(alphabet) | {a + b for a in alphabet for b in alphabet}
    fragments |= {"".join(rnd.choice(alphabet) for _ in range(k)) for k in (3, 4, 5) for _ in range(30)}
    for fragment in sorted(fragments):
        expected = [i for i, (name, short) in names.items() if fragment in name or fragment in short]
        got = [h.id for h in search.locate(fragment, limit=10_000, include_stopped=True)]
        assert got == expected, fragment  # every match, in the order they were added


def index_matches_customers() -> None:
    """The index holds exactly the pieces of every customer's names as they are now, each
    under its customer's id. The index keeps no copy of the names, so a 'delete' given
    other names than those indexed would leave stale terms behind: this finds them."""
    models.database.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms "
                                f"USING fts5vocab(main, {dialect.FTS_TABLE}, instance)")
    held = sorted(models.database.execute_sql("SELECT doc, col, term FROM temp.fts_terms"))
    expected = sorted(
        (row_id, column, term)
        for row_id, name, short in Customer.select(Customer.id, Customer.name, Customer.short_name).tuples()
        for column, text in (("name", pieces(name)), ("short_name", dialect.short_pieces(name, short)))
        for term in text.lower().split())
    assert held == expected


def test_index_follows_rename_and_delete(archive):
    row = Customer.get(Customer.code == "C001")
    Customer.update(name="广州友谊商店", short_name="友谊商店").where(Customer.id == row.id).execute()
    search.unindex(row.id, row.name, row.short_name)
    search.index(row.id, "广州友谊商店", "友谊商店")
    assert codes("北京") == []
    assert codes("友谊") == ["C001"] and codes("州") == ["C001"]
    index_matches_customers()
    search.unindex(row.id, "广州友谊商店", "友谊商店")
    Customer.delete().where(Customer.id == row.id).execute()
    assert codes("友谊") == [] and codes("州") == []
    assert codes("联华") == ["C010"]
    index_matches_customers()


def test_card_edits_merges_and_imports_keep_the_index_exact(archive, tmp_path):
    from db.archive import classes, customers, merge
    from db.transfer import importer

    classes.add("main", "01", "个人消费者")
    C = customers.get
    customers.update("C002", {"name": "王小明商行", "short_name": "小明"}, C("C002").version)
    customers.update("C011", {"region": "上海"}, C("C011").version)  # no rename: no index write
    customers.delete("C100", C("C100").version)
    index_matches_customers()
    merge.merge("C010", ["C011"], {"name": "C011"})
    index_matches_customers()
    assert codes("王府井") == ["C010"]
    sheet = tmp_path / "renames.csv"
    sheet.write_text("客户编码,客户名称,客户简称,所属分类码\n"
                     "C001,北京华联商厦,华联商厦,01\n"
                     "C777,新来的客户,新客,01\n", encoding="utf-8")
    importer.commit(importer.plan(sheet))
    index_matches_customers()
    assert codes("商厦") == ["C001"] and codes("新来") == ["C777"] and codes("综合") == []


def test_rebuild_indexes_a_bulk_load(store):
    for n in range(50):
        add(f"B{n:02d}", f"批量客户{n:02d}", index=False)
    assert codes("批量") == []
    with store.writing():
        search.rebuild()
    assert codes("批量", limit=100) == [f"B{n:02d}" for n in range(50)]
    assert codes("量客户07") == ["B07"]


def test_index_form():
    assert pieces("北京 华联") == "北京 京华 华联 联"
    assert pieces("王") == "王" and pieces("（）") == ""
    assert fts_match("王") == '"王"*'
    assert fts_match("王小明") == '"王小 小明"'
    assert fts_match('"*()') is None


def test_locate_runs_the_statements_it_publishes(archive):
    kinds = [kind for kind, _, _ in search.statements("王")]
    assert kinds == ["code", "mnemonic", "name"]
    rows = [r for _, sql, params in search.statements("王")
            for r in models.database.execute_sql(sql, params)]
    assert sorted(r[1] for r in rows) == ["C002", "C011"]


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("KEHU_TEST_PG_URL"), reason="KEHU_TEST_PG_URL not set")
def test_postgres_locate_by_pieces():
    """The same kinds of match through PostgreSQL's statements (customer.pieces)."""
    store = db.open_store(os.environ["KEHU_TEST_PG_URL"])
    try:
        with store.writing():
            Customer.delete().execute()
            add("C001", "北京华联综合超市股份有限公司", "北京华联", mnemonic="bjhl")
            add("C002", "王小明", mnemonic="wxm")
            add("C010", "上海联华超市", "联华超市", mnemonic="lhcs", stop_date=clock.today())
            add("C011", "王府井百货", mnemonic="wfjbh")
            add("C100", "ACME 100% Trading", "ACME", mnemonic="amt")
        assert codes("C0") == ["C001", "C002", "C011"]
        assert codes("C0", include_stopped=True) == ["C001", "C002", "C010", "C011"]
        assert codes("王") == ["C002", "C011"] and codes("小明") == ["C002"]
        assert codes("王小明") == ["C002"] and codes("acme") == ["C100"]
        assert [(h.code, h.matched) for h in search.locate("BJHL")] == [("C001", "mnemonic")]
        assert codes("100%") == ["C100"] and codes("_") == []  # punctuation is not searched
        for query in ('"', "*", "(", "[bold]", "%", "\\", "'", "\U0010ffff", "AND"):
            search.locate(query)
    finally:
        with store.writing():
            Customer.delete().execute()
        store.close()


def test_bulk_indexing_of_added_and_renamed_rows(archive):
    added = [add(f"N{n}", f"新增客户{n}", index=False) for n in range(3)]
    with archive.writing():
        search.index_many([(c.id, c.name, c.short_name) for c in added])
    assert codes("增客") == ["N0", "N1", "N2"]
    with archive.writing():
        search.unindex_codes(["C002", "N1"], chunk=1)
        Customer.update(name="改名商行", short_name="改名").where(Customer.code.in_(["C002", "N1"])).execute()
        search.index_codes(["C002", "N1"], chunk=1)
    assert codes("改名") == ["C002", "N1"] and codes("增客") == ["N0", "N2"]
    index_matches_customers()


@given(st.text(), st.text())
def test_a_short_name_inside_the_name_is_not_indexed_again(name, short):
    inside = "".join(dialect.searchable(short)) in "".join(dialect.searchable(name))
    expected = "" if inside else dialect.pieces(short)
    assert dialect.short_pieces(name, short) == expected


def test_short_pieces_examples():
    assert dialect.short_pieces("遵义聚丰饮料有限公司", "遵义聚丰") == ""
    assert dialect.short_pieces("遵义聚丰饮料有限公司", "聚丰 饮料") == ""
    assert dialect.short_pieces("遵义聚丰饮料有限公司", "黔聚丰") == "黔聚 聚丰 丰"


@given(st.text())
def test_pieces_are_the_neighbouring_pairs_of_the_searchable_characters(text):
    chars = dialect.searchable(text)
    expected = " ".join([a + b for a, b in zip(chars, chars[1:])] + chars[-1:])
    assert dialect.pieces(text) == expected


_CHARS = st.sampled_from("北京华联超市王小明上海百货AB12 ·")


# The store is emptied at the start of each example, so sharing the fixture is safe.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(name=st.text(_CHARS, min_size=1, max_size=8), short=st.text(_CHARS, min_size=1, max_size=5),
       start=st.integers(0, 4), length=st.integers(1, 3))
def test_every_fragment_of_the_short_name_is_found_however_it_is_indexed(
        store, name, short, start, length):
    """The short name is left out of the index when it runs inside the name: a fragment of
    it must still find the customer (through the name) either way."""
    Customer.delete().execute()
    models.database.execute_sql(f"INSERT INTO {dialect.FTS_TABLE}({dialect.FTS_TABLE}) VALUES ('delete-all')")
    add("P1", name, short)
    chars = "".join(dialect.searchable(short))
    fragment = chars[start:start + length]
    if fragment:
        assert codes(fragment) == ["P1"]
