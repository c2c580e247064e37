"""Customer rules (db.archive.customers, db.values.fields): every field rule, versions, history, index."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

import db
from db.core import clock, dialect
from db.archive import customers, history, search
from db.core.errors import ConflictError, RuleError
from db.values.fields import BY_KEY, EDITABLE, FIELDS, TABS, on_tab, tab_label
from db.core.models import ChangeLog, Customer, Sale
from tui import i18n

NOW = dt.datetime(2025, 6, 1, 9, 0, 0)
VALID_USCC = "91110000600037341L"


@pytest.fixture
def archive(tmp_path):
    clock.fix(NOW)
    store = db.open_store(str(tmp_path / "t.db"))
    from db.archive import classes

    classes.add("main", "01", "中间商客户")
    classes.add("main", "01001", "批发商")
    classes.add("main", "01002", "零售商")
    classes.add("main", "02", "个人消费者")
    yield store
    store.close()
    clock.fix(None)


def card(**values) -> dict:
    base = {"code": "C001", "name": "北京华联综合超市股份有限公司", "short_name": "北京华联",
            "class_code": "01001"}
    return base | values


def refusal(values, existing=None) -> RuleError:
    with pytest.raises(RuleError) as caught:
        customers.validate(values, existing=existing)
    return caught.value


def fts_ids(fragment: str) -> list[int]:
    rows = db.core.session.current().database.execute_sql(
        "SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?",
        (dialect.fts_match(fragment),))
    return [r[0] for r in rows]


def log(code: str) -> list[tuple[str, dict]]:
    rows = ChangeLog.select().where(ChangeLog.entity == "customer", ChangeLog.entity_code == code)
    return [(r.action, json.loads(r.changes)) for r in rows.order_by(ChangeLog.id)]


# ---- fields as data


def test_fields_cover_the_model_and_every_tab():
    # the sort keys and the completeness: derived
    model_fields = set(Customer._meta.fields) - {"id", "version", "name_key", "short_key", "completeness"}
    assert {f.key for f in FIELDS} == model_fields
    assert {f.tab for f in FIELDS} == set(TABS)
    assert [f.key for f in on_tab("basic")][:5] == ["code", "name", "short_name", "mnemonic", "class_code"]
    required = {f.key for f in FIELDS if f.required}
    assert required == {"code", "name", "short_name", "class_code"}
    assert (BY_KEY["code"].max_length, BY_KEY["name"].max_length, BY_KEY["short_name"].max_length) == (20, 98, 60)


def test_max_lengths_fit_the_columns():
    for f in EDITABLE:
        column = Customer._meta.fields[f.key]
        if f.max_length is not None and hasattr(column, "max_length") and column.max_length:
            assert f.max_length <= column.max_length, f.key


# ---- create


def test_create_fills_defaults_stamps_index_and_history(archive):
    row = customers.create(card(tax_id="9111 0000 6000 3734 1l"))
    assert (row.code, row.mnemonic, row.currency, row.mgmt_type) == ("C001", "bjhl", "人民币", "一般客户")
    assert row.tax_id == VALID_USCC
    assert row.version == 1
    assert (row.created_by, row.created_at) == (clock.user(), NOW)
    assert (row.modified_by, row.modified_at) == (clock.user(), NOW)
    assert fts_ids("华联") == [row.id]
    [(action, changes)] = log("C001")
    assert action == "add"
    assert changes["name"] == [None, "北京华联综合超市股份有限公司"]
    assert changes["tax_id"] == [None, VALID_USCC]
    assert "region" not in changes and "credit_limit" not in changes  # empty fields left out


def test_create_keeps_a_typed_mnemonic_lowercased(archive):
    assert customers.create(card(mnemonic="BJHLCS")).mnemonic == "bjhlcs"


def test_mnemonic_of_a_person_uses_the_surname_reading(archive):
    row = customers.create(card(code="P01", class_code="02", name="曾小明", short_name="曾小明"))
    assert row.mnemonic == "zxm"


def test_create_from_blank_card(archive):
    values = customers.blank("01001") | {"code": "N1", "name": "新客户", "short_name": "新客户"}
    row = customers.create(values)
    assert (row.dev_date, row.currency, row.mgmt_type, row.class_code) == (NOW.date(), "人民币", "一般客户", "01001")
    assert (row.credit_limit, row.credit_days, row.discount_rate, row.problem) == (0, 0, 0, False)


def test_a_failing_save_leaves_no_customer_no_history_no_index(archive, monkeypatch):
    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(history, "record", broken)
    with pytest.raises(RuntimeError):
        customers.create(card())
    assert Customer.select().count() == 0
    assert ChangeLog.select().where(ChangeLog.entity == "customer").count() == 0
    assert fts_ids("华联") == []


def test_a_refused_save_writes_nothing(archive):
    with pytest.raises(RuleError):
        customers.create(card(email="not an email"))
    assert Customer.select().count() == 0
    assert ChangeLog.select().where(ChangeLog.entity == "customer").count() == 0


# ---- every field rule


@pytest.mark.parametrize("key", ["code", "name", "short_name", "class_code"])
@pytest.mark.parametrize("empty", ["", "   ", None])
def test_required(archive, key, empty):
    error = refusal(card(**{key: empty}))
    assert (error.key, error.field) == ("customer.required", key)
    assert error.values["label"] == f"customer.field.{key}"


def test_required_when_missing_on_a_new_card(archive):
    error = refusal({"name": "x", "short_name": "x", "class_code": "01001"})
    assert (error.key, error.field) == ("customer.required", "code")


@pytest.mark.parametrize("code", ["C 01", "C'01", 'C"01', "客户1", "C/01", "C.01", "C;01"])
def test_code_characters(archive, code):
    error = refusal(card(code=code))
    assert (error.key, error.field) == ("customer.code_chars", "code")


@pytest.mark.parametrize("code, stored", [("A-01_x", "A-01_x"), (" C01 ", "C01"), ("Ｃ０１", "C01")])
def test_code_accepted(archive, code, stored):
    assert customers.validate(card(code=code))["code"] == stored


def test_code_length(archive):
    assert customers.validate(card(code="C" * 20))["code"] == "C" * 20
    error = refusal(card(code="C" * 21))
    assert (error.key, error.field, error.values["max"], error.values["length"]) == (
        "customer.too_long", "code", 20, 21)


def test_code_unique(archive):
    customers.create(card())
    error = refusal(card(name="另一家", short_name="另一家"))
    assert (error.key, error.field, error.values["code"]) == ("customer.code_taken", "code", "C001")


@pytest.mark.parametrize("key, limit", [("name", 98), ("short_name", 60), ("region", 60),
                                        ("address", 200), ("phone", 40), ("remark", 2000)])
def test_text_lengths(archive, key, limit):
    assert customers.validate(card(**{key: "字" * limit}))[key] == "字" * limit
    error = refusal(card(**{key: "字" * (limit + 1)}))
    assert (error.key, error.field, error.values["max"]) == ("customer.too_long", key, limit)


def test_pasting_a_thousand_characters_into_a_one_line_field(archive):
    error = refusal(card(name="长" * 1000))
    assert (error.key, error.field, error.values["length"]) == ("customer.too_long", "name", 1000)


def test_class_typed_as_a_code_must_exist_and_be_a_leaf(archive):
    assert customers.validate(card(class_code=" 01002 "))["class_code"] == "01002"
    assert customers.validate(card(class_code="02"))["class_code"] == "02"
    for code, key in (("09", "customer.class_unknown"), ("01", "customer.class_not_leaf"),
                      ("01 001", "customer.class_unknown"), ("010019999", "customer.class_unknown")):
        error = refusal(card(class_code=code))
        assert (error.key, error.field) == (key, "class_code")


def test_class_of_another_dimension_is_not_a_main_class(archive):
    from db.core.models import CustomerClass, Dimension

    other = Dimension.create(code="region", name_zh="地区", name_en="Region", scheme="2")
    CustomerClass.create(dimension=other, code="77", name="华东", level=1)
    assert refusal(card(class_code="77")).key == "customer.class_unknown"


@pytest.mark.parametrize("text", ["91110000600037341L", "91110000600037341l", "9111 0000 6000 3734 1L",
                                  "911100-006000-37341L", "９１１１００００６０００３７３４１Ｌ"])
def test_tax_id_normalised(archive, text):
    assert customers.validate(card(tax_id=text))["tax_id"] == VALID_USCC


@pytest.mark.parametrize("text, key", [
    ("91110000600037341X", "customer.tax_id_checksum"),
    ("9111000060003734", "customer.tax_id_length"),
    ("91110000600037341LL", "customer.tax_id_length"),
    ("9111000060003734IL", "customer.tax_id_format"),
])
def test_tax_id_refused(archive, text, key):
    error = refusal(card(tax_id=text))
    assert (error.key, error.field) == (key, "tax_id")


def test_tax_id_optional(archive):
    assert customers.validate(card(tax_id=""))["tax_id"] == ""


def test_currency_defaults_to_rmb(archive):
    assert customers.validate(card(currency=""))["currency"] == "人民币"
    assert customers.validate(card(currency="美元"))["currency"] == "美元"


@pytest.mark.parametrize("text, stored", [("100080", "100080"), ("１０００８０", "100080"), ("", "")])
def test_postcode_accepted(archive, text, stored):
    assert customers.validate(card(postcode=text))["postcode"] == stored


@pytest.mark.parametrize("text", ["10008", "1000800", "10008a", "一〇〇〇八〇"])
def test_postcode_refused(archive, text):
    error = refusal(card(postcode=text))
    assert (error.key, error.field) == ("customer.postcode", "postcode")


@pytest.mark.parametrize("text", ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000"])
def test_mobile_accepted(archive, text):
    assert customers.validate(card(mobile=text))["mobile"] == "13800138000"


@pytest.mark.parametrize("text", ["1380013800", "138001380001", "23800138000", "1380013800a", "010-62345678"])
def test_mobile_refused(archive, text):
    error = refusal(card(mobile=text))
    assert (error.key, error.field) == ("customer.mobile", "mobile")


@pytest.mark.parametrize("text", ["li@example.com", "li.ming+crm@mail.example.com.cn", "王@例子.中国"])
def test_email_accepted(archive, text):
    assert customers.validate(card(email=text))["email"] == text


@pytest.mark.parametrize("text", ["li", "li@", "@example.com", "li@example", "li ming@example.com",
                                  "li@@example.com", "li@example..com", "li@.com", "li@example.com."])
def test_email_refused(archive, text):
    error = refusal(card(email=text))
    assert (error.key, error.field) == ("customer.email", "email")


@pytest.mark.parametrize("text, fen", [("1,234.50", 123450), ("¥5000", 500000), ("", 0)])
def test_credit_limit(archive, text, fen):
    assert customers.validate(card(credit_limit=text))["credit_limit"] == fen


@pytest.mark.parametrize("text, key", [("-1", "money.negative"), ("1.234", "money.decimals"),
                                       ("十万", "money.invalid"), ("1" * 30, "money.too_large")])
def test_credit_limit_refused(archive, text, key):
    error = refusal(card(credit_limit=text))
    assert (error.key, error.field, error.values["label"]) == (key, "credit_limit", "customer.field.credit_limit")


@pytest.mark.parametrize("text, days", [("30", 30), ("0", 0), ("", 0), ("９０", 90), (45, 45), ("9999", 9999)])
def test_credit_days(archive, text, days):
    assert customers.validate(card(credit_days=text))["credit_days"] == days


@pytest.mark.parametrize("text, key", [("-1", "customer.int_negative"), ("3.5", "customer.int_invalid"),
                                       ("三十", "customer.int_invalid"), ("10000", "customer.int_too_large"),
                                       ("9" * 5000, "customer.int_too_large")])
def test_credit_days_refused(archive, text, key):
    error = refusal(card(credit_days=text))
    assert (error.key, error.field) == (key, "credit_days")


@pytest.mark.parametrize("text, value", [("12.5", 1250), ("12.5%", 1250), ("100", 10000), ("0", 0), ("", 0)])
def test_discount(archive, text, value):
    assert customers.validate(card(discount_rate=text))["discount_rate"] == value


@pytest.mark.parametrize("text, key", [("100.5", "percent.range"), ("-3", "percent.range"),
                                       ("12.345", "percent.decimals"), ("八折", "percent.invalid")])
def test_discount_refused(archive, text, key):
    error = refusal(card(discount_rate=text))
    assert (error.key, error.field) == (key, "discount_rate")


def test_dates_parse_as_typed(archive):
    clean = customers.validate(card(dev_date="2024年3月5日", stop_date="20250101"))
    assert (clean["dev_date"], clean["stop_date"]) == (dt.date(2024, 3, 5), dt.date(2025, 1, 1))
    assert customers.validate(card(dev_date="3/5"))["dev_date"] == dt.date(2025, 3, 5)


@pytest.mark.parametrize("key", ["dev_date", "stop_date"])
def test_bad_dates_refused(archive, key):
    error = refusal(card(**{key: "2023-02-29"}))
    assert (error.key, error.field, error.values["label"]) == ("date.invalid", key, f"customer.field.{key}")


def test_stop_date_not_before_dev_date(archive):
    assert customers.validate(card(dev_date="2024-03-05", stop_date="2024-03-05"))["stop_date"] == dt.date(2024, 3, 5)
    error = refusal(card(dev_date="2024-03-05", stop_date="2024-03-04"))
    assert (error.key, error.field) == ("customer.stop_before_dev", "stop_date")
    assert error.values == {"label": "customer.field.stop_date", "stop": "2024-03-04", "dev": "2024-03-05"}


def test_stop_date_checked_against_the_stored_dev_date_on_update(archive):
    row = customers.create(card(dev_date="2024-03-05"))
    error = refusal({"stop_date": "2024-01-01"}, existing=row)
    assert error.key == "customer.stop_before_dev"


@pytest.mark.parametrize("text, stored", [("一般客户", "一般客户"), ("重要客户", "重要客户"), ("潜在客户", "潜在客户"),
                                          ("VIP客户", "VIP客户"), ("vip客户", "VIP客户"), ("", "一般客户")])
def test_mgmt_type(archive, text, stored):
    assert customers.validate(card(mgmt_type=text))["mgmt_type"] == stored


def test_mgmt_type_refused(archive):
    error = refusal(card(mgmt_type="大客户"))
    assert (error.key, error.field) == ("customer.choice", "mgmt_type")
    assert "VIP客户" in error.values["choices"]


@pytest.mark.parametrize("text, flag", [("是", True), ("1", True), ("yes", True), (True, True),
                                        ("否", False), ("", False), ("0", False), (False, False)])
def test_problem_flag(archive, text, flag):
    assert customers.validate(card(problem=text))["problem"] is flag


def test_problem_flag_refused(archive):
    assert refusal(card(problem="maybe")).key == "customer.flag_invalid"


@pytest.mark.parametrize("key", ["name", "short_name", "address", "contact", "code"])
@pytest.mark.parametrize("bad", ["\x1b[31m红\x1b[0m", "北京\t华联", "北京\n华联", "a\x00b", "a\x7fb", "a\x9bb", "a\u2028b"])
def test_control_characters_refused_in_single_line_fields(archive, key, bad):
    error = refusal(card(**{key: bad}))
    assert (error.key, error.field) == ("customer.control_char", key)
    assert re.fullmatch(r"U\+[0-9A-F]{4}", error.values["char"])


def test_remark_keeps_tabs_and_line_breaks_but_not_escapes(archive):
    clean = customers.validate(card(remark="第一行\r\n\t第二行\r第三行"))
    assert clean["remark"] == "第一行\n\t第二行\n第三行"
    error = refusal(card(remark="看这里\x1b[2J"))
    assert (error.key, error.field, error.values["char"]) == ("customer.control_char", "remark", "U+001B")


def test_markup_and_emoji_are_plain_text(archive):
    row = customers.create(card(name="[bold red]华联[/] 🛒", short_name="[/]华联"))
    assert (row.name, row.short_name) == ("[bold red]华联[/] 🛒", "[/]华联")


def test_blanks_trimmed(archive):
    clean = customers.validate(card(name="  北京华联  ", region="\u3000华北\u3000"))
    assert (clean["name"], clean["region"]) == ("北京华联", "华北")


def test_mnemonic_letters_and_digits_only(archive):
    assert customers.validate(card(mnemonic="BJHL2"))["mnemonic"] == "bjhl2"
    error = refusal(card(mnemonic="bj hl"))
    assert (error.key, error.field) == ("customer.mnemonic_chars", "mnemonic")


def test_unknown_field_refused(archive):
    error = refusal(card(colour="red"))
    assert (error.key, error.field) == ("customer.unknown_field", "colour")


def test_validate_all_names_every_bad_field_in_card_order(archive):
    customers.create(card())
    errors = customers.validate_all(card(name="", email="x", postcode="1", credit_limit="-1",
                                         dev_date="2024-03-05", stop_date="2024-01-01",
                                         remark="\x1b"))
    assert [(e.field, e.key) for e in errors] == [
        ("code", "customer.code_taken"), ("name", "customer.required"), ("postcode", "customer.postcode"),
        ("email", "customer.email"), ("credit_limit", "money.negative"),
        ("stop_date", "customer.stop_before_dev"), ("remark", "customer.control_char")]
    assert customers.validate_all(card(code="C002")) == []


def test_store_checks_can_be_left_to_a_bulk_import(archive):
    customers.create(card())
    assert customers.validate(card(class_code="99"), store_checks=False)["class_code"] == "99"
    assert customers.validate_all(card(), store_checks=False) == []


def test_check_field_one_at_a_time(archive):
    customers.create(card())
    assert customers.check_field("credit_limit", "1,000") == 100000
    with pytest.raises(RuleError) as caught:
        customers.check_field("code", "C001")
    assert caught.value.key == "customer.code_taken"
    row = customers.get("C001")
    assert customers.check_field("code", "C001", existing=row) == "C001"
    with pytest.raises(RuleError) as caught:
        customers.check_field("class_code", "01")
    assert caught.value.key == "customer.class_not_leaf"


# ---- update


def test_update_records_only_changed_fields(archive):
    row = customers.create(card(region="华北"))
    clock.fix(NOW + dt.timedelta(hours=1))
    form = customers.as_form(row) | {"region": "华东", "credit_limit": "5,000", "phone": "010-1234"}
    updated = customers.update("C001", form, row.version)
    assert (updated.region, updated.credit_limit, updated.phone) == ("华东", 500000, "010-1234")
    assert updated.version == 2
    assert updated.modified_at == NOW + dt.timedelta(hours=1)
    assert updated.created_at == NOW
    action, changes = log("C001")[-1]
    assert action == "change"
    assert changes == {"region": ["华北", "华东"], "credit_limit": [0, 500000], "phone": ["", "010-1234"]}


def test_saving_an_unchanged_card_changes_nothing(archive):
    row = customers.create(card(dev_date="2024-03-05", credit_limit="12.5", discount_rate="7.5", tax_id=VALID_USCC))
    same = customers.update("C001", customers.as_form(row), row.version)
    assert same.version == 1
    assert [a for a, _ in log("C001")] == ["add"]


def test_partial_update_validates_only_given_fields(archive):
    row = customers.create(card())
    updated = customers.update("C001", {"mgmt_type": "重要客户"}, row.version)
    assert (updated.mgmt_type, updated.name) == ("重要客户", row.name)


def test_code_cannot_change(archive):
    row = customers.create(card())
    with pytest.raises(RuleError) as caught:
        customers.update("C001", {"code": "C999"}, row.version)
    assert (caught.value.key, caught.value.field) == ("customer.code_immutable", "code")
    assert customers.get("C999") is None


def test_update_refused_field_writes_nothing(archive):
    row = customers.create(card())
    with pytest.raises(RuleError):
        customers.update("C001", {"region": "华东", "mobile": "12"}, row.version)
    assert customers.get("C001").region == ""
    assert customers.get("C001").version == 1


def test_update_over_a_stale_version_is_refused_with_who_and_when(archive, monkeypatch):
    row = customers.create(card())
    monkeypatch.setattr(clock, "user", lambda: "wangli")
    clock.fix(NOW + dt.timedelta(minutes=5))
    customers.update("C001", {"region": "华北"}, row.version)
    monkeypatch.setattr(clock, "user", lambda: "zhaoqiang")
    with pytest.raises(ConflictError) as caught:
        customers.update("C001", {"region": "华南"}, row.version)
    assert caught.value.key == "conflict.changed"
    assert caught.value.values == {"code": "C001", "who": "wangli", "when": "2025-06-01 09:05:00"}
    assert customers.get("C001").region == "华北"
    assert [a for a, _ in log("C001")] == ["add", "change"]


def test_update_of_a_deleted_customer(archive):
    row = customers.create(card())
    customers.delete("C001", row.version)
    with pytest.raises(ConflictError) as caught:
        customers.update("C001", {"region": "华南"}, row.version)
    assert (caught.value.key, caught.value.values) == ("conflict.deleted", {"code": "C001"})


def test_version_checked_in_the_update_statement(archive, monkeypatch):
    """A session that read the same version as us and saved first (possible on PostgreSQL
    at read committed) makes our UPDATE ... WHERE version match nothing."""
    row = customers.create(card())
    real = customers._current

    def read_then_lose_the_race(code, version):
        found = real(code, version)
        Customer.update(version=Customer.version + 1, modified_by="other").where(
            Customer.id == found.id).execute()
        return found

    monkeypatch.setattr(customers, "_current", read_then_lose_the_race)
    with pytest.raises(ConflictError) as caught:
        customers.update("C001", {"region": "华南"}, row.version)
    assert caught.value.values["who"] == "other"
    assert customers.get("C001").region == ""  # the whole transaction rolled back
    assert customers.get("C001").version == 1
    with pytest.raises(ConflictError):
        customers.delete("C001", row.version)
    assert customers.get("C001") is not None


def test_rename_keeps_the_index_in_step(archive):
    row = customers.create(card())
    customers.update("C001", {"name": "上海联华超市", "short_name": "联华超市"}, row.version)
    assert fts_ids("北京") == []
    assert fts_ids("上海") == [row.id] and fts_ids("联华超") == [row.id]
    assert [h.code for h in search.locate("上海")] == ["C001"]


def test_generated_mnemonic_follows_the_short_name(archive):
    row = customers.create(card())
    row = customers.update("C001", customers.as_form(row) | {"short_name": "联华超市"}, row.version)
    assert row.mnemonic == "lhcs"


def test_typed_mnemonic_kept_when_short_name_changes(archive):
    row = customers.create(card(mnemonic="hl"))
    row = customers.update("C001", {"short_name": "联华超市"}, row.version)
    assert row.mnemonic == "hl"
    row = customers.update("C001", {"mnemonic": ""}, row.version)
    assert row.mnemonic == "lhcs"


# ---- delete


def test_delete_removes_row_index_and_records_history(archive):
    row = customers.create(card(region="华北"))
    customers.delete("C001", row.version)
    assert customers.get("C001") is None
    assert fts_ids("华联") == []
    action, changes = log("C001")[-1]
    assert action == "delete"
    assert changes["region"] == ["华北", None] and changes["code"] == ["C001", None]


def test_delete_refused_when_the_customer_has_sales(archive):
    row = customers.create(card())
    Sale.create(customer=row.id, date=dt.date(2025, 1, 1), doc_no="S1", amount=100)
    Sale.create(customer=row.id, date=dt.date(2025, 2, 1), doc_no="S2", amount=100)
    with pytest.raises(RuleError) as caught:
        customers.delete("C001", row.version)
    assert (caught.value.key, caught.value.values) == ("customer.has_sales", {"code": "C001", "count": 2})
    assert customers.get("C001") is not None and fts_ids("华联") == [row.id]
    i18n.set_lang("en")
    assert "stop it instead" in i18n.error_text(caught.value)


def test_delete_with_a_stale_version(archive):
    row = customers.create(card())
    customers.update("C001", {"region": "华北"}, row.version)
    with pytest.raises(ConflictError) as caught:
        customers.delete("C001", row.version)
    assert caught.value.key == "conflict.changed"
    assert customers.get("C001") is not None


def test_delete_twice(archive):
    row = customers.create(card())
    customers.delete("C001", row.version)
    with pytest.raises(ConflictError) as caught:
        customers.delete("C001", row.version)
    assert caught.value.key == "conflict.deleted"


# ---- stop and enable


def test_stop_today_and_enable(archive):
    row = customers.create(card(dev_date="2024-01-01"))
    stopped = customers.stop("C001", row.version)
    assert stopped.stop_date == NOW.date() and stopped.version == 2
    assert customers.is_stopped(stopped, NOW.date())
    enabled = customers.enable("C001", stopped.version)
    assert enabled.stop_date is None and enabled.version == 3
    assert not customers.is_stopped(enabled, NOW.date())
    assert log("C001")[1:] == [("stop", {"stop_date": [None, "2025-06-01"]}),
                               ("enable", {"stop_date": ["2025-06-01", None]})]


def test_stop_on_a_typed_date(archive):
    row = customers.create(card(dev_date="2024-01-01"))
    assert customers.stop("C001", row.version, on="2025/7/1").stop_date == dt.date(2025, 7, 1)


def test_is_stopped_from_the_stop_date_on(archive):
    row = customers.create(card())
    row = customers.stop("C001", row.version, on=dt.date(2025, 7, 1))
    assert not customers.is_stopped(row, dt.date(2025, 6, 30))
    assert customers.is_stopped(row, dt.date(2025, 7, 1))
    assert customers.is_stopped(row, dt.date(2025, 7, 2))
    assert not customers.is_stopped(row)  # the clock says 2025-06-01


def test_stop_before_dev_date_refused(archive):
    row = customers.create(card(dev_date="2025-06-02"))
    with pytest.raises(RuleError) as caught:
        customers.stop("C001", row.version)
    assert (caught.value.key, caught.value.field) == ("customer.stop_before_dev", "stop_date")
    with pytest.raises(RuleError) as caught:
        customers.stop("C001", row.version, on="2025-13-01")
    assert (caught.value.key, caught.value.field) == ("date.invalid", "stop_date")
    assert customers.get("C001").stop_date is None


def test_stop_and_enable_check_the_version(archive):
    row = customers.create(card())
    customers.update("C001", {"region": "华北"}, row.version)
    with pytest.raises(ConflictError):
        customers.stop("C001", row.version)
    with pytest.raises(ConflictError):
        customers.enable("C001", row.version)


def test_enable_of_an_active_customer_changes_nothing(archive):
    row = customers.create(card())
    assert customers.enable("C001", row.version).version == 1
    assert [a for a, _ in log("C001")] == ["add"]


# ---- cards


def test_blank_card_defaults(archive):
    values = customers.blank("01001")
    assert {f.key for f in EDITABLE} == set(values)
    assert (values["class_code"], values["currency"], values["mgmt_type"], values["dev_date"]) == (
        "01001", "人民币", "一般客户", "2025-06-01")


def test_template_copy(archive):
    row = customers.create(card(region="华北", credit_limit="1,000", dev_date="2020-01-01"))
    customers.stop("C001", row.version, on="2024-01-01")
    copied = customers.template_copy("C001")
    assert (copied["code"], copied["stop_date"], copied["dev_date"]) == ("", "", "2025-06-01")
    assert (copied["name"], copied["region"], copied["credit_limit"]) == (row.name, "华北", "1,000.00")
    assert "created_by" not in copied and "version" not in copied
    new = customers.create(copied | {"code": "C002"})
    assert (new.region, new.credit_limit, new.stop_date) == ("华北", 100000, None)
    with pytest.raises(ConflictError):
        customers.template_copy("NOPE")


def test_as_form_shows_values_as_typed(archive):
    row = customers.create(card(credit_limit="1234.5", discount_rate="12.5", dev_date="2024/3/5", problem="是"))
    form = customers.as_form(row)
    assert (form["credit_limit"], form["discount_rate"], form["dev_date"], form["problem"]) == (
        "1,234.50", "12.5", "2024-03-05", "1")
    assert form["created_at"] == "2025-06-01 09:00:00"


# ---- words


RAISED = re.compile(r"""["']((?:customer|date|money|percent|conflict)\.[a-z_]+)["']""")


def test_every_key_raised_has_words_in_both_languages():
    sources = ["db/archive/customers.py", "db/values/fields.py", "db/values/dates.py", "db/values/money.py"]
    root = Path(__file__).resolve().parent.parent
    keys = {k for s in sources for k in RAISED.findall((root / s).read_text(encoding="utf-8"))}
    keys |= {f.label for f in FIELDS} | {tab_label(t) for t in TABS}
    assert "customer.has_sales" in keys and "date.invalid" in keys
    missing = sorted(k for k in keys if k not in i18n.CATALOG)
    assert missing == []
    for key in keys:
        zh, en = i18n.CATALOG[key]
        assert zh and en and "\n" not in zh + en


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_messages_name_the_field(archive, lang):
    i18n.set_lang(lang)
    customers.create(card())
    errors = customers.validate_all(card(name="", email="x", credit_limit="-1", dev_date="x",
                                         mobile="1", remark="\x1b", code="C001", class_code="01"))
    assert len(errors) == 8
    for error in errors:
        text = i18n.error_text(error)
        assert "{" not in text and "customer.field" not in text
        assert i18n.t(f"customer.field.{error.field}") in text


def test_save_card_writes_customer_and_classes_in_one_transaction(archive, monkeypatch):
    from db.archive import classes, dimensions
    from db.core.models import Membership

    dimensions.create("region", "地区")
    classes.add("region", "01", "华北")
    row = customers.create(card())
    before = (row.version, log("C001"))
    with pytest.raises(RuleError) as caught:
        customers.save_card("C001", {"name": "改了名"}, {"region": "99"}, row.version)
    assert caught.value.key == "dimension_member.unknown_class" and caught.value.field == "region"

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Membership, "create", broken)
    monkeypatch.setattr(dimensions, "place", broken)  # a new customer's classes
    with pytest.raises(RuntimeError):
        customers.save_card("C001", {"name": "改了名"}, {"region": "01"}, row.version)
    with pytest.raises(RuntimeError):
        customers.save_card(None, card(code="C002"), {"region": "01"})
    monkeypatch.undo()
    after = customers.get("C001")
    assert (after.name, after.version, log("C001")) == (row.name, *before), "nothing half-written"
    assert customers.get("C002") is None and dimensions.memberships("C001") == {}
    saved = customers.save_card("C001", {"name": "改了名"}, {"region": "01"}, row.version)
    assert (saved.name, saved.version) == ("改了名", row.version + 2)
    assert dimensions.memberships("C001") == {"region": ("01", "华北")}


def test_stop_date_is_checked_against_the_typed_development_date(archive):
    row = customers.create(card(dev_date="2020-01-01"))
    errors = customers.validate_all({"dev_date": "2019-13-01", "stop_date": "2019-06-01"}, existing=row)
    assert [e.field for e in errors] == ["dev_date"], "not refused against the stored 2020-01-01"
    errors = customers.validate_all({"dev_date": "2019-01-01", "stop_date": "2019-06-01"}, existing=row)
    assert errors == []
    errors = customers.validate_all({"dev_date": "2019-07-01", "stop_date": "2019-06-01"}, existing=row)
    assert [e.key for e in errors] == ["customer.stop_before_dev"]


def test_full_width_digits_are_taken_as_half_width(archive):
    from db.archive import classes, dimensions

    dimensions.create("region", "地区")
    classes.add("region", "01", "华北")
    row = customers.save_card(None, card(code="Ｃ００１", credit_limit="１，０００"), {"region": "０１"})
    assert (row.code, row.credit_limit) == ("C001", 100000)
    assert dimensions.memberships("C001") == {"region": ("01", "华北")}


def test_next_code_is_offered_on_a_new_card(archive):
    assert customers.next_code("01001") == "" and customers.blank("01001")["code"] == ""
    for code, class_code in (("C000041", "02"), ("C000007", "01001"), ("C000008", "02")):
        customers.create(card(code=code, class_code=class_code))
    assert customers.next_code("01001") == "C000042", "an archive numbered C + 6 digits"
    assert customers.blank("01002")["code"] == "C000042"
    customers.create(card(code="P0099", class_code="01002"))
    assert customers.next_code("01002") == "P0100", "the class's last code plus one, as wide"
    customers.create(card(code="P0100", class_code="02"))
    assert customers.next_code("01002") == "P0101", "past the codes other classes took"
    customers.create(card(code="ZZ", class_code="01002"))
    assert customers.next_code("01002") == "", "nothing to count on"


@pytest.mark.parametrize("save", [
    lambda row: customers.save_card(row.code, {"remark": "mine"}, {}, row.version),
    lambda row: customers.update(row.code, {"remark": "mine"}, row.version),
    lambda row: customers.stop(row.code, row.version),
])
def test_a_save_returns_the_row_it_wrote_not_a_later_one(archive, monkeypatch, save):
    """The card takes the returned row as its own (its version is the next save's check): a
    save that landed right after this one's commit must not be handed back as this one's."""
    from contextlib import contextmanager

    from db.archive import customers as module

    row = customers.create(card())
    real = module.writing
    depth = [0]

    @contextmanager
    def writing_then_another_save():
        depth[0] += 1
        try:
            with real():
                yield
        finally:
            depth[0] -= 1
        if depth[0] == 0:  # after the outermost commit: someone else's save lands
            Customer.update(remark="theirs", version=Customer.version + 1).where(
                Customer.code == row.code).execute()

    monkeypatch.setattr(module, "writing", writing_then_another_save)
    saved = save(row)
    assert saved.version == row.version + 1
    assert saved.remark != "theirs"
    assert Customer.get(Customer.code == row.code).version == row.version + 2
