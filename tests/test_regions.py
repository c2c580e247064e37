"""db.values.regions: the GB/T 2260 table python-stdnum ships, its search and the matching of
所属地区 texts; the card's and the batch's writes keep 所属地区码 telling the text's place;
the upgrade to 13 matches old texts and the health check lists what matched nothing."""
import sqlite3

import pytest

import db
from db.archive import classes, customers
from db.core.errors import RuleError
from db.core.models import SCHEMA_VERSION, Customer, SchemaInfo
from db.evaluation import health
from db.values import regions
from tests.pg import admin_sql, pg_url  # noqa: F401 (a fixture)


def test_a_code_gives_province_city_and_county():
    r = regions.get("330106")
    assert (r.province, r.city, r.county, r.current) == ("浙江省", "杭州市", "西湖区", True)
    assert r.full_name == "浙江省杭州市西湖区" and r.level == 3
    assert regions.get("330000").full_name == "浙江省"
    assert regions.get("110101").full_name == "北京市东城区"  # 市辖区 names no place
    assert regions.get("810000").province == "香港特别行政区"  # simplified from the table's 香港特別行政區


def test_historic_codes_are_valid_but_not_current():
    old = regions.get("110103")  # [-2010]崇文区
    assert old.county == "崇文区" and not old.current
    assert regions.is_code("110103") and not regions.is_code("119999") and not regions.is_code("33")
    assert regions.get("120110").county == "东丽区"  # the name in use of [-1991]东郊区,[1992-]东丽区


@pytest.mark.parametrize("text, code", [
    ("浙江", "330000"), ("浙江省", "330000"), ("内蒙古", "150000"), ("广西", "450000"),
    ("杭州", "330100"), ("杭州市", "330100"), ("浙江 杭州", "330100"), ("浙江省杭州市", "330100"),
    ("浙江省杭州市西湖区", "330106"), ("浙江杭州西湖区", "330106"), ("330106", "330106"),
    ("吉林", "220000"),  # the province over 吉林市
    ("重庆", "500000"),  # the current code over the historic 510200 of 四川
    ("香港", "810000"),
])
def test_a_text_naming_one_region_matches_it(text, code):
    assert regions.match(text).code == code


@pytest.mark.parametrize("text", ["华北", "朝阳区", "", "  ", "火星", "999999"])
def test_a_text_naming_none_or_several_matches_nothing(text):
    assert regions.match(text) is None


def test_search_by_code_prefix_name_and_pinyin():
    assert [r.code for r in regions.search("3301")][:2] == ["330100", "330102"]
    assert all(r.code.startswith("33") for r in regions.search("33"))
    by_name = regions.search("杭州")
    assert by_name[0].code == "330100" and all("杭州" in r.full_name for r in by_name)
    assert regions.search("zj")[0].code == "330000"  # initials, a province first
    assert regions.search("hangzhou")[0].code == "330100"
    assert [r.code for r in regions.search("崇文")] == ["110103"]  # historic codes still found
    assert regions.search("崇文", current_only=True) == []


def test_reconcile_keeps_text_and_code_telling_one_place():
    assert regions.reconcile("浙江", "") == ("浙江", "330000")  # typed text brings its code
    assert regions.reconcile("", "330106") == ("浙江省杭州市西湖区", "330106")  # a code its name
    assert regions.reconcile("杭州", "330100") == ("杭州", "330100")  # a text naming it is kept
    # a text changed on its own takes its own code along, or none
    assert regions.reconcile("江苏", "330000", "浙江", "330000") == ("江苏", "320000")
    assert regions.reconcile("华北", "330000", "浙江", "330000") == ("华北", "")
    # a code picked replaces a text that names another place
    assert regions.reconcile("浙江", "320000", "浙江", "330000") == ("江苏省", "320000")
    assert regions.reconcile("", "", "浙江", "330000") == ("", "")


def _class():
    classes.add("main", "01", "批发")


def test_the_card_fills_the_code_and_refuses_a_bad_one(store):
    _class()
    row = customers.create({"code": "C1", "name": "甲", "short_name": "甲", "class_code": "01", "region": "浙江"})
    assert (row.region, row.region_code) == ("浙江", "330000")
    row = customers.update("C1", {"region_code": "320100"}, row.version)
    assert (row.region, row.region_code) == ("江苏省南京市", "320100")
    with pytest.raises(RuleError) as refused:
        customers.update("C1", {"region_code": "999999"}, row.version)
    assert refused.value.key == "customer.region_code" and refused.value.field == "region_code"
    # a name in the code's box (a U8 file's 所属地区码 column may hold 北京) is its code
    row = customers.update("C1", {"region_code": "北京"}, row.version)
    assert (row.region, row.region_code) == ("北京市", "110000")


def test_the_batch_sets_the_code_with_the_text(store):
    from db.lists import batch

    _class()
    for code in ("C1", "C2"):
        customers.create({"code": code, "name": code, "short_name": code, "class_code": "01", "region": "浙江"})
    marks = [(r.code, r.version) for r in Customer.select()]
    batch.apply("region", "广东", marks)
    assert {(r.region, r.region_code) for r in Customer.select()} == {("广东", "440000")}


def _old_archive_texts():
    _class()
    for i, text in enumerate(["浙江", "浙江", "北京市", "浙江 杭州", "华北", "华北", "朝阳区", ""]):
        customers.create({"code": f"C{i}", "name": f"客户{i}", "short_name": f"客户{i}", "class_code": "01",
                          "region": text})


def _check_upgraded():
    got = {r.code: r.region_code for r in Customer.select()}
    assert got == {"C0": "330000", "C1": "330000", "C2": "110000", "C3": "330100", "C4": "", "C5": "",
                   "C6": "", "C7": ""}
    found = [f for f in health.check() if f.kind == "region_unmatched"]
    assert len(found) == 1 and found[0].count == 3 and found[0].samples == ["华北 (2)", "朝阳区 (1)"]


def test_an_archive_at_10_opens_upgraded_with_codes_on_sqlite(tmp_path):
    path = str(tmp_path / "old.db")
    store = db.open_store(path)
    _old_archive_texts()
    store.close()
    con = sqlite3.connect(path)
    con.executescript("DROP INDEX customer_region_code_stop_date_region;"
                      "ALTER TABLE customer DROP COLUMN region_code;"
                      "UPDATE schema_info SET value = '10' WHERE key = 'schema_version';")
    con.close()
    db.open_store(path)
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    _check_upgraded()


def test_an_archive_at_10_opens_at_13_with_codes_on_postgresql(pg_url):  # noqa: F811
    store = db.open_store(pg_url)
    _old_archive_texts()
    store.close()
    admin_sql("ALTER TABLE customer DROP COLUMN region_code;"
              "UPDATE schema_info SET value = '10' WHERE key = 'schema_version'")
    db.open_store(pg_url)
    _check_upgraded()


def _region_dimension():
    from db.archive import dimensions

    dimensions.create("region", "地区分类", "Regions", "2-2", ["大区", "省"])
    for code, name in (("01", "华东"), ("0101", "浙江"), ("0102", "江苏省"), ("02", "华北"), ("0201", "北京")):
        classes.add("region", code, name)


def test_the_mapping_names_each_province_s_class(store):
    from db.archive import region_classes

    _region_dimension()
    got = {p: c for p, _, c, _ in region_classes.mapping()}
    assert (got["33"], got["32"], got["11"], got["44"]) == ("0101", "0102", "0201", None)


def test_typing_a_province_on_the_card_fills_the_region_dimension(store):
    from db.archive import dimensions

    _class()
    _region_dimension()
    customers.save_card(None, {"code": "C1", "name": "甲", "short_name": "甲", "class_code": "01",
                               "region": "浙江"}, {})
    assert dimensions.memberships("C1") == {"region": ("0101", "浙江")}
    # a class chosen with it, or emptied on purpose, is what the card said
    customers.save_card(None, {"code": "C2", "name": "乙", "short_name": "乙", "class_code": "01",
                               "region": "浙江"}, {"region": "0201"})
    assert dimensions.memberships("C2") == {"region": ("0201", "北京")}


def _fill_archive():
    from tests.conftest import add_customer

    _class()
    _region_dimension()
    add_customer("C1", "01", region="浙江", region_code="330000")
    add_customer("C2", "01", region="杭州", region_code="330100")
    add_customer("C3", "01", region="广东", region_code="440000")  # no class named after 广东
    add_customer("C4", "01", region="华北")
    add_customer("C5", "01", region="北京", region_code="110000")
    from db.archive import dimensions
    dimensions.set_membership("C5", "region", "0102")  # a person's choice stays


def _check_filled():
    from db.archive import dimensions, region_classes

    assert region_classes.fill() == 2
    assert {c: dimensions.memberships(c).get("region", ("",))[0] for c in ("C1", "C2", "C3", "C4", "C5")} == {
        "C1": "0101", "C2": "0101", "C3": "", "C4": "", "C5": "0102"}
    assert Customer.get(Customer.code == "C1").version == 2
    from db.archive import history
    assert history.for_entity("customer", "C2")[0].changes == {"dimension:region": (None, "0101")}
    assert region_classes.fill() == 0


def test_the_rule_fills_the_empty_region_classes_set_based(store):
    _fill_archive()
    _check_filled()


def test_the_rule_fills_the_empty_region_classes_on_postgresql(pg_url):  # noqa: F811
    db.open_store(pg_url)
    _fill_archive()
    _check_filled()


def test_the_filter_takes_a_province_with_its_cities(store):
    _filter_by_province()


def test_the_filter_takes_a_province_with_its_cities_on_postgresql(pg_url):  # noqa: F811
    db.open_store(pg_url)
    _filter_by_province()


def _filter_by_province():
    from db.lists import paging
    from db.lists.query import Filter, ListQuery
    from tests.conftest import add_customer

    _class()
    add_customer("C1", "01", region_code="330000")
    add_customer("C2", "01", region_code="330106")
    add_customer("C3", "01", region_code="320100")
    add_customer("C4", "01", region_code="330100")

    def codes(code):
        return [r.code for r in paging.fetch(ListQuery(filter=Filter(region_code=code), sort="code"), 0, 10)]
    assert codes("330000") == ["C1", "C2", "C4"]
    assert codes("330100") == ["C2", "C4"]
    assert codes("330106") == ["C2"]
    with pytest.raises(RuleError):
        Filter(region_code="999999")


def test_the_import_fills_the_code_from_the_text_and_refuses_a_bad_code(store, tmp_path):
    from db.transfer import importer

    _class()
    path = tmp_path / "c.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类码,所属地区\nC1,甲,甲,01,浙江\nC2,乙,乙,01,华北\n", encoding="utf-8")
    importer.commit(importer.plan(path))
    assert {r.code: (r.region, r.region_code) for r in Customer.select()} == {
        "C1": ("浙江", "330000"), "C2": ("华北", "")}
    # an update of the code alone: the text follows; a blank cell keeps what is stored
    path.write_text("客户编码,所属地区码\nC1,320100\nC2,\nC3,999999\n", encoding="utf-8")
    plan = importer.plan(path)
    bad = [p for p in plan.rejected if p.field == "region_code"]
    assert [(p.line, p.key, p.values["code"]) for p in bad] == [(4, "customer.region_code", "999999")]
    importer.commit(plan, only_valid=True)
    assert {r.code: (r.region, r.region_code) for r in Customer.select()} == {
        "C1": ("江苏省南京市", "320100"), "C2": ("华北", "")}


def _three_places():
    from tests.conftest import add_customer

    _class()
    add_customer("C1", "01", region="浙江", region_code="330000")
    add_customer("C2", "01", region="华北")  # names no place: no code
    add_customer("C3", "01", region="崇文区", region_code="110103")  # historic, still valid


PLACES = {"C1": ("浙江", "330000"), "C2": ("华北", ""), "C3": ("崇文区", "110103")}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_whole_archive_export_and_restore_carry_the_code(store, tmp_path, suffix):
    from tui import cli

    _three_places()
    path = tmp_path / "out" / f"all{suffix}"
    path.parent.mkdir()
    assert cli.main(["export", str(path), "--all", "--db", store.url, "--lang", "en"]) == 0
    target = str(tmp_path / "new.db")
    given = path if suffix == ".xlsx" else path.parent
    assert cli.main(["import", str(given), "--db", target, "--lang", "en"]) == 0
    restored = db.open_store(target)
    try:
        assert {r.code: (r.region, r.region_code) for r in Customer.select()} == PLACES
    finally:
        restored.close()


def test_kehu_copy_carries_the_code(store, tmp_path):
    from db.transfer.copy import copy_archive

    _three_places()
    store.close()
    target = str(tmp_path / "copy.db")
    copy_archive(store.url, target)
    copied = db.open_store(target)
    try:
        assert {r.code: (r.region, r.region_code) for r in Customer.select()} == PLACES
    finally:
        copied.close()


def test_a_merge_taking_the_other_s_region_takes_its_code(store):
    from db.archive import merge

    _class()
    for code, text in (("C1", "浙江"), ("C2", "江苏")):
        customers.create({"code": code, "name": code, "short_name": code, "class_code": "01", "region": text})
    kept = merge.merge("C1", ["C2"], {"region": "C2"})
    assert (kept.region, kept.region_code) == ("江苏", "320000")
