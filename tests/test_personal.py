"""Personal customers (个人消费者): the 身份证 rule in 税号, the class flag, the card's store
rules, the import per row, and the old-style 15-character 税务登记号 of a company."""
from __future__ import annotations

import datetime as dt

import pytest

import db
from db.archive import classes, customers, history
from db.core.errors import ConflictError, RuleError
from db.core.models import SCHEMA_VERSION, CustomerClass, SchemaInfo
from db.transfer import importer
from db.values.fields import BY_KEY, PERSONAL_TAX_ID, field_for
from db.values.idnumbers import Person, is_old_tax_id, person_of
from tests.pg import PG_URL, fresh_schema

RIC = "360426199101010071"  # python-stdnum's own example: 江西 德安, 1991-01-01, male
RIC_FEMALE = "11010519491231002X"
OLD_TAX_ID = "110108600002173"  # region 110108, organisation code 60000217-3
USCC = "91110000600037341L"


# ---- the rules of the values alone


def test_a_valid_id_number_is_kept_compact():
    assert PERSONAL_TAX_ID.clean(" 3604 2619 9101 0100 71 ") == RIC
    assert PERSONAL_TAX_ID.clean("11010519491231002x") == RIC_FEMALE
    assert PERSONAL_TAX_ID.clean("３６０４２６１９９１０１０１００７１") == RIC  # full-width


@pytest.mark.parametrize("text, key", [
    ("360426199101010072", "customer.ric_checksum"),
    ("36042619910101007", "customer.ric_length"),
    ("3604261991010100711", "customer.ric_length"),
    ("360426199113010071", "customer.ric_birth_date"),
    ("990426199101010079", "customer.ric_birth_place"),  # a right check character, no such place
    ("36042619910101007A", "customer.ric_format"),
    ("36042A199101010071", "customer.ric_format"),
])
def test_a_wrong_id_number_is_refused_with_its_reason(text, key):
    with pytest.raises(RuleError) as refused:
        PERSONAL_TAX_ID.clean(text)
    assert refused.value.key == key and refused.value.field == "tax_id"


def test_birthday_and_gender_come_from_the_number():
    assert person_of(RIC) == Person(dt.date(1991, 1, 1), "male")
    assert person_of(RIC_FEMALE) == Person(dt.date(1949, 12, 31), "female")
    assert person_of("") is None and person_of(USCC) is None and person_of("360426199101010072") is None


def test_the_personal_rule_applies_to_tax_id_only():
    assert field_for("tax_id", True) is PERSONAL_TAX_ID
    assert field_for("tax_id", False) is BY_KEY["tax_id"] and field_for("name", True) is BY_KEY["name"]


def test_a_company_s_old_15_character_tax_number_is_accepted():
    assert is_old_tax_id(OLD_TAX_ID)
    assert BY_KEY["tax_id"].clean("110108-60000217-3") == OLD_TAX_ID
    assert BY_KEY["tax_id"].clean(USCC) == USCC


def test_a_15_character_number_with_a_wrong_check_character_is_refused():
    with pytest.raises(RuleError) as refused:
        BY_KEY["tax_id"].clean("110108600002174")
    assert refused.value.key == "customer.tax_id_old_invalid"


def test_an_id_number_is_no_company_tax_id():
    with pytest.raises(RuleError) as refused:
        BY_KEY["tax_id"].clean(RIC)
    assert refused.value.key == "customer.tax_id_checksum"


# ---- the store, on SQLite and PostgreSQL


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request, tmp_path):
    if request.param == "sqlite":
        store = db.open_store(str(tmp_path / "t.db"))
    else:
        if not PG_URL:
            pytest.skip("KEHU_TEST_PG_URL is not set (.ci/run sets it)")
        fresh_schema()
        store = db.open_store(PG_URL)
    classes.add("main", "01", "个人消费者")
    classes.add("main", "01001", "城镇居民")
    classes.add("main", "02", "企业")
    node = classes.get("main", "01")
    classes.set_personal("01", True, node.version)
    yield store
    store.close()


def person(code, tax_id, class_code="01001"):
    return customers.create({"code": code, "name": "张三", "short_name": "张三",
                             "class_code": class_code, "tax_id": tax_id})


def test_a_sub_class_follows_its_marked_parent(archive):
    assert classes.is_personal("01") and classes.is_personal("01001")
    assert not classes.is_personal("02") and not classes.is_personal("")
    assert classes.get("main", "01").personal and not classes.get("main", "01001").personal
    assert classes.personal_codes() == ["01"]


def test_marking_is_recorded_and_checks_the_version(archive):
    node = classes.get("main", "02")
    classes.set_personal("02", True, node.version)
    assert classes.is_personal("02")
    with pytest.raises(ConflictError):
        classes.set_personal("02", False, node.version)  # the version read before the change
    rows = [r for r in history.for_entity("class", "02") if r.action == "change"]
    assert rows and "personal" in rows[0].changes


def test_a_person_s_id_number_is_saved_and_a_wrong_one_refused(archive):
    assert person("P1", RIC).tax_id == RIC
    with pytest.raises(RuleError) as refused:
        person("P2", "360426199101010072")
    assert refused.value.key == "customer.ric_checksum" and refused.value.field == "tax_id"
    assert customers.get("P2") is None


def test_a_company_s_tax_id_is_refused_on_a_person(archive):
    with pytest.raises(RuleError) as refused:
        person("P3", USCC)
    assert refused.value.key.startswith("customer.ric_")


def test_a_sole_trader_s_uscc_is_accepted_on_a_person(archive):
    """个体工商户 (the demo's 01003 under 个人): their 统一社会信用代码 starts 92; a wrong one
    is still refused."""
    assert person("P4", "92440104015241931G").tax_id == "92440104015241931G"
    with pytest.raises(RuleError):
        person("P5", "92440104015241931H")


def test_a_company_keeps_its_rules_and_its_old_number(archive):
    assert person("E1", OLD_TAX_ID, class_code="02").tax_id == OLD_TAX_ID
    with pytest.raises(RuleError):
        person("E2", RIC, class_code="02")


def test_a_change_is_checked_against_the_class_kept(archive):
    row = person("P4", RIC)
    with pytest.raises(RuleError) as refused:
        customers.update("P4", {"tax_id": USCC}, row.version)
    assert refused.value.key.startswith("customer.ric_")
    customers.update("P4", {"tax_id": RIC_FEMALE}, row.version)
    assert customers.get("P4").tax_id == RIC_FEMALE


def test_the_import_checks_each_row_by_its_class(archive, tmp_path):
    person("P5", "")
    path = tmp_path / "c.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类,税号\n"
                    f"N1,李四,李四,01001,{RIC}\n"
                    "N2,王五,王五,01001,360426199101010072\n"
                    f"N3,某公司,某公司,02,{OLD_TAX_ID}\n"
                    f"N4,另一公司,另一公司,02,{RIC}\n", encoding="utf-8")
    plan = importer.plan(path)
    assert [a.code for a in plan.adds] == ["N1", "N3"]
    assert [(p.line, p.field, p.key) for p in plan.rejected] == [
        (3, "tax_id", "customer.ric_checksum"), (5, "tax_id", "customer.tax_id_checksum")]
    # An update's row without a class column: the stored class says it is a person.
    path.write_text(f"客户编码,税号\nP5,{USCC}\n", encoding="utf-8")
    plan = importer.plan(path)
    assert [(p.line, p.key) for p in plan.rejected] == [(2, "customer.ric_birth_date")]  # a USCC: no date of birth in it


def test_an_archive_of_version_9_gains_the_personal_flag(tmp_path):
    path = str(tmp_path / "old.db")
    store = db.open_store(path)
    classes.add("main", "01", "个人消费者")
    table = CustomerClass._meta.table_name
    store.database.execute_sql(f"ALTER TABLE {table} DROP COLUMN personal")
    SchemaInfo.update(value="9").where(SchemaInfo.key == "schema_version").execute()
    store.close()
    store = db.open_store(path)
    columns = {r[1] for r in store.database.execute_sql(f"PRAGMA table_info({table})")}
    assert "personal" in columns
    assert SchemaInfo.get(SchemaInfo.key == "schema_version").value == str(SCHEMA_VERSION)
    assert not classes.get("main", "01").personal
    store.close()
