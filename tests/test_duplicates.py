"""查重: the rules (db.values.likeness) and the look-up on entry (db.archive.duplicates), on
SQLite and on PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

import db
from db.archive import classes, customers, duplicates
from db.core import clock
from db.core.errors import RuleError
from db.core.models import SCHEMA_VERSION, Customer
from db.values import likeness
from db.values.likeness import Card, compare, name_of, numbers_of
from tests.pg import PG_URL, fresh_schema

NOW = dt.datetime(2025, 6, 1, 9, 0, 0)
USCC_A = "91110000600037341L"
USCC_B = "91350203077508638G"


# ---- names


@pytest.mark.parametrize("text", ["北京华联综合超市股份有限公司", "北京华联综合超市有限公司",
                                  "北京华联综合超市有限责任公司", "（北京）华联综合超市有限公司",
                                  "北京市华联综合超市", "北京华联综合超市集团", "北京 华联综合超市 有限公司"])
def test_legal_forms_brackets_places_and_spaces_leave_one_core(text):
    assert name_of(text) == likeness.Name("北京", "华联综合超市", "hua lian zong he chao shi")


def test_full_width_forms_fold_into_plain_ones():
    assert name_of("ＡＢＣ贸易（集团）有限公司").core == "abc贸易"
    assert name_of("ABC Trading Co., Ltd.").core == "abctrading"


def test_a_province_then_a_city_keeps_the_city():
    assert name_of("浙江省杭州市娃哈哈集团有限公司") == likeness.Name("杭州", "娃哈哈", "wa ha ha")


def test_a_name_that_is_only_a_place_keeps_it_as_its_core():
    assert name_of("北京市").core == "北京市"
    assert name_of("有限公司").core  # never empty


def test_a_bracket_that_is_no_place_keeps_its_words():
    assert name_of("华联(超市)有限公司").core == "华联超市"


# ---- numbers


@pytest.mark.parametrize("text", ["010-49770167", "010 4977 0167", "+86 10 4977 0167",
                                  "0086-10-49770167", "(010)49770167", "８６１０４９７７０１６７"])
def test_landline_forms_are_one_number(text):
    assert numbers_of(text) == {"010-49770167"}


def test_mobile_forms_and_several_numbers_in_one_field():
    assert numbers_of("+86 139-1234-5678") == {"13912345678"}
    assert numbers_of("0571-88886666 / 13912345678；7654321") == {
        "0571-88886666", "13912345678", "-7654321"}


def test_an_area_code_missing_on_one_side_still_matches_but_another_one_does_not():
    assert likeness.same_number("010-49770167", "-49770167")
    assert not likeness.same_number("010-49770167", "021-49770167")


# ---- scores


def test_same_tax_id_scores_highest_and_more_reasons_add_a_bonus():
    assert compare(Card.of("甲公司", USCC_A), Card.of("乙商店", USCC_A)) == (100, ["tax_id"])
    score, reasons = compare(Card.of("北京华联综合超市股份有限公司", phone="010-49770167"),
                             Card.of("北京华联综合超市有限公司", phone="+86 10 49770167"))
    assert (score, reasons) == (100, ["name", "phone"])


def test_mobile_scores_above_phone():
    assert compare(Card.of("甲", mobile="13912345678"), Card.of("乙", phone="139 1234 5678")) == (90, ["mobile"])
    assert compare(Card.of("甲", phone="010-49770167"), Card.of("乙", phone="49770167")) == (85, ["phone"])


def test_homophones_are_found_by_pinyin():
    assert compare(Card.of("北京华联超市"), Card.of("北京华连超市")) == (90, ["sound"])


def test_a_typo_scores_by_ratio_below_the_same_core():
    score, reasons = compare(Card.of("北京华联综合超市"), Card.of("北京华联宗合百货超市"))
    assert reasons in (["name"], ["sound"]) and likeness.NAME_FLOOR <= score < likeness.SAME_SOUND


def test_the_same_core_in_two_places_is_two_companies():
    assert compare(Card.of("遵义聚丰饮料有限公司"), Card.of("厦门聚丰饮料股份有限公司")) == (0, [])
    # One side naming no place does not count against the match.
    assert compare(Card.of("聚丰饮料有限公司"), Card.of("厦门聚丰饮料股份有限公司"))[0] == likeness.SAME_CORE


def test_unrelated_names_are_no_match():
    assert compare(Card.of("北京华联综合超市"), Card.of("上海宝钢集团")) == (0, [])


def test_blocking_keys_are_shared_by_likely_duplicates():
    a = Card.of("北京华联综合超市股份有限公司", phone="010-49770167")
    assert likeness.blocking_keys(a) & likeness.blocking_keys(Card.of("华连综合超市"))  # sound
    assert likeness.blocking_keys(a) & likeness.blocking_keys(Card.of("华联综合百货超市"))  # head
    assert likeness.blocking_keys(a) & likeness.blocking_keys(Card.of("某某", phone="49770167"))


# ---- the look-up on entry, both databases


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request, tmp_path):
    if request.param == "sqlite":
        store = db.open_store(str(tmp_path / "t.db"))
    else:
        if not PG_URL:
            pytest.skip("KEHU_TEST_PG_URL is not set (.ci/run sets it)")
        fresh_schema()
        store = db.open_store(PG_URL)
    clock.fix(NOW)
    classes.add("main", "01", "客户")
    add("C001", "北京华联综合超市股份有限公司", tax_id=USCC_A, phone="010-4977 0167", mobile="13912345678")
    add("C002", "厦门协力贸易发展股份有限公司", tax_id=USCC_B, phone="0592-47498020")
    add("C003", "北京华连商厦有限公司", stop_date="2025-01-01")
    add("C004", "上海宝钢集团", phone="021-88886666")
    yield store
    clock.fix(None)
    store.close()


def add(code, name, **values):
    customers.create({"code": code, "name": name, "short_name": name[:4], "class_code": "01", **values})


def codes(found):
    return [c.code for c in found]


def test_a_new_card_with_a_similar_name_finds_the_customer(archive):
    found = duplicates.candidates({"name": "北京华联综合超市有限公司"})
    assert codes(found) == ["C001"] and found[0].reasons == ("name",)


def test_the_phone_alone_finds_it_in_another_form(archive):
    found = duplicates.candidates({"name": "某某商店", "phone": "+86 10 49770167"})
    assert codes(found) == ["C001"] and found[0].reasons == ("phone",)


def test_the_mobile_typed_in_the_phone_field_finds_it(archive):
    assert codes(duplicates.candidates({"name": "某某商店", "phone": "139-1234-5678"})) == ["C001"]


def test_the_tax_id_finds_it_typed_in_any_case_with_blanks(archive):
    found = duplicates.candidates({"name": "某某商店", "tax_id": "9111 0000 6000 3734 1l"})
    assert codes(found) == ["C001"] and found[0].score == 100


def test_stopped_customers_are_candidates_and_marked(archive):
    found = duplicates.candidates({"name": "北京华连商厦"})
    assert codes(found) == ["C003"] and found[0].stopped


def test_a_homophone_is_found_through_the_mnemonic(archive):
    found = duplicates.candidates({"name": "北京华连综合超市", "short_name": "北京华联"})
    assert "C001" in codes(found)


def test_the_card_itself_is_no_candidate(archive):
    assert duplicates.candidates({"name": "北京华联综合超市股份有限公司"}, own_code="C001") == []


def test_nothing_alike_finds_nothing(archive):
    assert duplicates.candidates({"name": "深圳某某科技有限公司", "phone": "0755-12345678"}) == []


def test_the_phone_look_up_reads_its_index(archive):
    sql = f"SELECT id FROM customer WHERE {duplicates.phone_tail_sql(archive.dialect)} = '9770167'"
    if archive.dialect == "sqlite":
        plan = " ".join(str(r) for r in archive.database.execute_sql("EXPLAIN QUERY PLAN " + sql))
    else:
        archive.database.execute_sql("SET enable_seqscan = off")
        plan = " ".join(str(r) for r in archive.database.execute_sql("EXPLAIN " + sql))
    assert "customer_phone_tail" in plan


def test_needs_check_on_a_new_card_or_a_watched_change():
    assert duplicates.needs_check({"name": "甲"}, None)
    before = {"name": "甲", "phone": "1", "remark": ""}
    assert not duplicates.needs_check({"name": "甲", "remark": "x"}, before)
    assert duplicates.needs_check({"name": "甲", "phone": "2"}, before)


# ---- one tax id, one active customer


def test_the_same_tax_id_on_a_second_active_customer_is_refused(archive):
    with pytest.raises(RuleError) as caught:
        add("C009", "另一家公司", tax_id=USCC_A)
    assert caught.value.field == "tax_id" and caught.value.key == "customer.tax_id_taken"
    assert caught.value.values["code"] == "C001"
    assert Customer.get_or_none(Customer.code == "C009") is None


def test_its_own_tax_id_is_kept_on_a_change(archive):
    row = customers.get("C001")
    customers.update("C001", {"tax_id": USCC_A, "remark": "x"}, row.version)


def test_a_stopped_customer_s_tax_id_may_be_taken_again(archive):
    row = customers.get("C001")
    customers.stop("C001", row.version, "2025-05-01")
    add("C009", "另一家公司", tax_id=USCC_A)


def test_the_rule_allows_one_tax_id_on_several_customers(archive):
    duplicates.allow_same_tax_id(True)
    add("C009", "北京华联综合超市分店", tax_id=USCC_A)
    duplicates.allow_same_tax_id(False)
    with pytest.raises(RuleError):
        add("C010", "北京华联综合超市二店", tax_id=USCC_A)


def test_an_archive_of_the_previous_version_gains_the_indexes_and_the_marks_table(tmp_path):
    from db.core.models import SchemaInfo

    path = str(tmp_path / "old.db")
    store = db.open_store(path)
    for name in ("customer_tax_id", "customer_mobile", "customer_phone_tail"):
        store.database.execute_sql(f"DROP INDEX {name}")
    store.database.execute_sql("DROP TABLE not_duplicate")
    SchemaInfo.update(value="8").where(SchemaInfo.key == "schema_version").execute()  # before them
    store.close()
    store = db.open_store(path)
    names = {r[0] for r in store.database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"customer_tax_id", "customer_mobile", "customer_phone_tail"} <= names
    assert SchemaInfo.get(SchemaInfo.key == "schema_version").value == str(SCHEMA_VERSION)
    assert store.database.table_exists("not_duplicate")
    store.close()


def test_numbered_names_are_kept_apart():
    assert compare(Card.of("上海第一人民医院"), Card.of("上海第二人民医院")) == (0, [])
    assert compare(Card.of("华联超市一分店"), Card.of("华联超市二分店")) == (0, [])


def test_a_person_s_name_alone_scores_low():
    assert compare(Card.of("张涛"), Card.of("张涛")) == (likeness.SHORT_SCORE, ["name"])
    assert compare(Card.of("张涛", mobile="13912345678"), Card.of("张涛", mobile="13912345678"))[0] == 95


def test_two_shops_of_one_trade_are_not_alike_by_their_trade_alone():
    assert compare(Card.of("上海联华电器销售有限公司"), Card.of("上海华盛电器销售有限公司")) == (0, [])
    assert compare(Card.of("北京华联综合超市"), Card.of("北京华联综和百货超市"))[0] >= likeness.NAME_FLOOR
