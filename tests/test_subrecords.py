"""The card's sub-records (db.archive.subrecords) on SQLite and PostgreSQL: validation with
one-line refusals, a default per kind, the version check, the history field by field, the
customer row's copy of the defaults kept in step both ways, and the upgrade of an archive of
the previous schema."""
from __future__ import annotations

import json
import sqlite3

import peewee
import pytest

import db
from db.archive import classes, customers, history, subrecords
from db.core.session import writing
from db.core.errors import ConflictError, RuleError
from db.core.models import SCHEMA_VERSION, Address, ChangeLog, Contact, Customer, SchemaInfo
from tests.pg import admin_sql, any_store, pg_store, pg_url  # noqa: F401 - fixtures


def _customer(code="C1", **fields):
    return customers.create({"code": code, "name": f"客户{code}", "short_name": f"客户{code}",
                             "class_code": "01", **fields})


@pytest.fixture
def one(any_store):
    classes.add("main", "01", "批发")
    return _customer()


def _last_history():
    row = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    return row.action, json.loads(row.changes)


def test_the_first_record_is_the_default_and_its_copy_is_on_the_customer(one):
    saved = subrecords.add("C1", "contacts", {"name": "张三", "mobile": "138 0013 8000"})
    assert saved.record.is_default and saved.record.mobile == "13800138000"
    assert (saved.customer.contact, saved.customer.mobile) == ("张三", "13800138000")
    assert saved.customer.version == one.version + 1
    assert _last_history() == ("contacts.add", {"contacts.name": [None, "张三"],
                                                "contacts.mobile": [None, "13800138000"]})
    second = subrecords.add("C1", "contacts", {"name": "李四"})
    assert not second.record.is_default
    assert second.customer.version == saved.customer.version  # no copied value changed


def test_making_another_record_the_default_moves_the_copy(one):
    subrecords.add("C1", "contacts", {"name": "张三", "phone": "010-1"})
    li = subrecords.add("C1", "contacts", {"name": "李四", "email": "li@x.cn"}).record
    saved = subrecords.make_default("C1", "contacts", li.id, li.version)
    assert [(r.name, r.is_default) for r in subrecords.records("C1", "contacts")] == [
        ("张三", False), ("李四", True)]
    assert (saved.customer.contact, saved.customer.phone, saved.customer.email) == ("李四", "", "li@x.cn")
    assert _last_history() == ("contacts.default", {"contacts": [None, "李四"]})


def test_an_address_has_a_default_per_kind(one):
    ship = subrecords.add("C1", "addresses", {"kind": "收货", "address": "仓库路 1 号"}).record
    bill = subrecords.add("C1", "addresses", {"kind": "开票", "address": "财务路 2 号"})
    assert ship.is_default and bill.record.is_default
    office = subrecords.add("C1", "addresses", {"kind": "办公", "address": "大厦 3 层",
                                                "postcode": "100000"})
    row = office.customer
    assert (row.ship_address, row.address, row.postcode) == ("仓库路 1 号", "大厦 3 层", "100000")
    # An address moved to another kind takes its copy along.
    moved = subrecords.change("C1", "addresses", ship.id, {"kind": "办公"}, ship.version)
    assert not moved.record.is_default  # 办公 has its default already
    assert (moved.customer.ship_address, moved.customer.address) == ("", "大厦 3 层")


def test_refusals_are_one_line_and_write_nothing(one):
    before = ChangeLog.select().count()
    cases = [
        ("banks", {"bank": "工行", "cnaps": "1234"}, "sub.cnaps", "cnaps"),
        ("contacts", {"mobile": "12345"}, "customer.mobile", "mobile"),
        ("contacts", {"email": "no-at"}, "customer.email", "email"),
        ("contacts", {}, "sub.empty", "name"),
        ("contacts", {"name": "x" * 41}, "customer.too_long", "name"),
        ("contacts", {"name": "a\x1b[2J"}, "customer.control_char", "name"),
        ("addresses", {"kind": "别处", "address": "某路"}, "customer.choice", "kind"),
        ("addresses", {"kind": "收货"}, "customer.required", "address"),
        ("invoices", {"title": "某公司", "tax_id": "91110000123"}, "customer.tax_id_length", "tax_id"),
        ("invoices", {"tax_id": "91350100M000100Y43"}, "customer.required", "title"),
        ("contacts", {"nickname": "x"}, "sub.unknown_field", "nickname"),
    ]
    for kind, values, key, field in cases:
        with pytest.raises(RuleError) as caught:
            subrecords.add("C1", kind, values)
        assert (caught.value.key, caught.value.field) == (key, field), values
    assert ChangeLog.select().count() == before
    assert Contact.select().count() == 0


def test_validate_all_names_every_bad_field(one):
    errors = subrecords.validate_all("contacts", {"mobile": "1", "email": "x", "birthday": "13/45"})
    assert [e.field for e in errors] == ["mobile", "email", "birthday"]


def test_a_cnaps_code_is_twelve_digits_typed_with_blanks_or_full_width(one):
    saved = subrecords.add("C1", "banks", {"bank": "中国工商银行北京分行", "account": "0200 0045",
                                           "cnaps": "１０２１ 0000 0018"})
    assert saved.record.cnaps == "102100000018"
    assert (saved.customer.bank, saved.customer.bank_account) == ("中国工商银行北京分行", "0200 0045")


def test_a_change_over_someone_elses_is_refused(one):
    rec = subrecords.add("C1", "contacts", {"name": "张三"}).record
    subrecords.change("C1", "contacts", rec.id, {"title": "经理"}, rec.version)
    with pytest.raises(ConflictError) as caught:
        subrecords.change("C1", "contacts", rec.id, {"title": "总监"}, rec.version)
    assert caught.value.key == "sub.changed"
    with pytest.raises(ConflictError):
        subrecords.delete("C1", "contacts", rec.id, rec.version)
    with pytest.raises(ConflictError):
        subrecords.make_default("C1", "contacts", rec.id, rec.version)
    assert Contact.get_by_id(rec.id).title == "经理"


def test_a_card_saved_over_a_changed_default_is_refused(one):
    """The copy raises the customer's version: the card read before cannot save its stale
    copy over the new default."""
    rec = subrecords.add("C1", "contacts", {"name": "张三"})
    subrecords.change("C1", "contacts", rec.record.id, {"name": "张三丰"}, rec.record.version)
    with pytest.raises(ConflictError):
        customers.update("C1", {"contact": "张三", "fax": "1"}, rec.customer.version)
    assert Customer.get(Customer.code == "C1").contact == "张三丰"


def test_the_history_records_each_field_really_replaced(one):
    rec = subrecords.add("C1", "contacts", {"name": "张三", "phone": "1"}).record
    subrecords.change("C1", "contacts", rec.id, {"name": "张三", "phone": "2"}, rec.version)
    assert _last_history() == ("contacts.change", {"contacts": ["张三", "张三"],
                                                   "contacts.phone": ["1", "2"]})
    rec = Contact.get_by_id(rec.id)
    subrecords.delete("C1", "contacts", rec.id, rec.version)
    assert _last_history() == ("contacts.delete", {"contacts.name": ["张三", None],
                                                   "contacts.phone": ["2", None]})
    entries = history.for_entity("customer", "C1")
    assert [e.action for e in entries[:3]] == ["contacts.delete", "contacts.change", "contacts.add"]


def test_deleting_the_default_empties_the_copy(one):
    rec = subrecords.add("C1", "banks", {"bank": "工行", "account": "1"}).record
    subrecords.add("C1", "banks", {"bank": "建行", "account": "2"})
    saved = subrecords.delete("C1", "banks", rec.id, rec.version)
    assert (saved.customer.bank, saved.customer.bank_account) == ("", "")
    assert [r.is_default for r in subrecords.records("C1", "banks")] == [False]


def test_the_cards_save_writes_the_default_it_copies(one):
    row = customers.update("C1", {"contact": "王五", "mobile": "13900000000",
                                  "ship_address": "码头 9 号"}, one.version)
    contact = subrecords.default("C1", "contacts")
    assert (contact.name, contact.mobile, contact.is_default) == ("王五", "13900000000", True)
    assert subrecords.default("C1", "addresses", "收货").address == "码头 9 号"
    customers.update("C1", {"ship_address": ""}, row.version)
    assert subrecords.records("C1", "addresses") == []  # nothing left in it


def test_a_new_customer_gets_defaults_from_its_card(one):
    _customer("C2", contact="赵六", bank="农行", bank_account="622")
    assert subrecords.default("C2", "contacts").name == "赵六"
    assert subrecords.default("C2", "banks").account == "622"


def test_one_default_per_kind_is_held_by_the_database(one):
    subrecords.add("C1", "contacts", {"name": "张三"})
    second = subrecords.add("C1", "contacts", {"name": "李四"}).record
    with pytest.raises(peewee.IntegrityError):
        with writing():
            Contact.update(is_default=True).where(Contact.id == second.id).execute()


def test_deleting_a_customer_deletes_its_records(one):
    subrecords.add("C1", "contacts", {"name": "张三"})
    row = Customer.get(Customer.code == "C1")
    customers.delete("C1", row.version)
    assert Contact.select().count() == 0


# ---- the upgrade from the previous schema


def _old_archive_rows():
    classes.add("main", "01", "批发")
    _customer("C1", contact="张三", phone="010-1", mobile="13800138000", email="z@x.cn",
              address="办公楼", postcode="100000", ship_address="仓库", bank="工行",
              bank_account="0200", tax_id="91110105013311094W")
    _customer("C2")  # nothing to move
    _customer("C3", ship_address="只有仓库")


def _as_previous_schema(sql):
    sql("DROP TABLE contact; DROP TABLE address; DROP TABLE bank_account; DROP TABLE invoice_info;"
        "UPDATE schema_info SET value = '6' WHERE key = 'schema_version'")  # the version before them


def _check_upgraded():
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    c = subrecords.default("C1", "contacts")
    assert (c.name, c.phone, c.mobile, c.email) == ("张三", "010-1", "13800138000", "z@x.cn")
    office = subrecords.default("C1", "addresses", "办公")
    assert (office.address, office.postcode) == ("办公楼", "100000")
    assert subrecords.default("C1", "addresses", "收货").address == "仓库"
    bank = subrecords.default("C1", "banks")
    assert (bank.bank, bank.account, bank.currency) == ("工行", "0200", "人民币")
    invoice = subrecords.default("C1", "invoices")
    assert (invoice.title, invoice.tax_id, invoice.address_phone, invoice.bank_account) == (
        "客户C1", "91110105013311094W", "办公楼 010-1", "工行 0200")
    assert all(subrecords.records("C2", k) == [] for k in subrecords.MODELS)
    assert [(a.kind, a.address) for a in subrecords.records("C3", "addresses")] == [("收货", "只有仓库")]
    # The records are ordinary ones: they change with their versions.
    saved = subrecords.change("C1", "contacts", c.id, {"name": "张三丰"}, c.version)
    assert saved.customer.contact == "张三丰"


def test_an_archive_of_the_previous_schema_finds_its_card_fields_as_the_defaults(tmp_path):
    path = str(tmp_path / "old.db")
    store = db.open_store(path)
    _old_archive_rows()
    store.close()

    def sql(script):
        con = sqlite3.connect(path)
        con.executescript(script)
        con.close()

    _as_previous_schema(sql)
    told = []
    db.open_store(path, notice=lambda key, **values: told.append(key))
    assert told == ["store.upgrading_subrecords"]
    _check_upgraded()
    assert Address.select().count() == 3


def test_the_upgrade_on_postgresql(pg_url):  # noqa: F811
    store = db.open_store(pg_url)
    _old_archive_rows()
    store.close()
    _as_previous_schema(admin_sql)
    db.open_store(pg_url)
    _check_upgraded()


def test_an_import_keeps_the_defaults_in_step(one, tmp_path):
    from db.transfer import importer

    subrecords.add("C1", "contacts", {"name": "张三", "title": "经理"})
    path = tmp_path / "in.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类,联系人,手机,发货地址\n"
                    "C1,客户C1,客户C1,01,张三丰,13900000001,\n"
                    "C9,新客户,新客户,01,钱七,,港口 1 号\n", encoding="utf-8")
    importer.commit(importer.plan(str(path)))
    contact = subrecords.default("C1", "contacts")
    assert (contact.name, contact.mobile, contact.title, contact.version) == ("张三丰", "13900000001", "经理", 2)
    assert subrecords.default("C9", "contacts").name == "钱七"
    assert subrecords.default("C9", "addresses", "收货").address == "港口 1 号"

    # emptying every copied field (--blank-clears) leaves no empty default, as the card's save
    path.write_text("客户编码,客户名称,客户简称,所属分类,发货地址\nC9,新客户,新客户,01,\n", encoding="utf-8")
    importer.commit(importer.plan(str(path), blank_clears=True))
    assert subrecords.default("C9", "addresses", "收货") is None
    assert subrecords.default("C9", "contacts").name == "钱七"  # not in the file: kept


def test_a_merge_moves_the_sources_records_and_keeps_the_targets_defaults(one):
    from db.archive import merge

    subrecords.add("C1", "contacts", {"name": "张三"})
    _customer("C2", contact="李四", mobile="13900000002", bank="建行", bank_account="622")
    subrecords.add("C2", "invoices", {"title": "客户C2有限公司"})
    subrecords.add("C2", "addresses", {"kind": "开票", "address": "财务部"})
    merge.merge("C1", ["C2"])
    contacts = subrecords.records("C1", "contacts")
    assert [(c.name, c.is_default) for c in contacts] == [("张三", True), ("李四", False)]
    # Kinds the target had no default of take the source's, and the target's copy follows.
    assert subrecords.default("C1", "banks").bank == "建行"
    assert subrecords.default("C1", "invoices").title == "客户C2有限公司"
    assert subrecords.default("C1", "addresses", "开票").address == "财务部"
    row = Customer.get(Customer.code == "C1")
    assert (row.contact, row.mobile, row.bank, row.bank_account) == ("张三", "", "建行", "622")


def test_a_merge_that_picks_the_sources_contact_writes_the_targets_default(one):
    from db.archive import merge

    subrecords.add("C1", "contacts", {"name": "张三", "title": "经理"})
    _customer("C2", contact="李四", mobile="13900000002")
    merge.merge("C1", ["C2"], {"contact": "C2", "mobile": "C2"})
    # Every copied contact field taken from C2: C2's contact becomes the default, whole.
    assert [(c.name, c.title, c.is_default) for c in subrecords.records("C1", "contacts")] == [
        ("张三", "经理", False), ("李四", "", True)]
    assert (Customer.get(Customer.code == "C1").contact, Customer.get(Customer.code == "C1").mobile) == (
        "李四", "13900000002")
    # A value typed on the merge's card goes to the default it copies.
    _customer("C3", contact="王五")
    merge.merge("C1", ["C3"], {"contact": "赵六"})
    assert [(c.name, c.is_default) for c in subrecords.records("C1", "contacts")] == [
        ("张三", False), ("赵六", True), ("王五", False)]


def test_the_demo_holds_records_a_person_would_believe(demo_store):
    from db.core.models import BankAccount, InvoiceInfo

    for kind, model in subrecords.MODELS.items():
        for record in model.select():
            subrecords.validate(kind, subrecords.as_form(kind, record))  # every one passes the rules
    assert [c.name for c in subrecords.records("C000355", "contacts")] == ["蒋玉兰"]
    assert subrecords.default("C000355", "addresses", "开票") is None  # for the walk-through
    invoice = subrecords.default("C000355", "invoices")
    assert (invoice.title, invoice.tax_id) == ("北京华联综合超市股份有限公司", "91110105013311094W")
    assert BankAccount.select().where(BankAccount.cnaps != "").count() > 2000
    assert InvoiceInfo.select().count() > 2000
    assert Contact.select().where(Contact.is_default == False).count() > 500  # noqa: E712


def test_batch_modify_sets_the_default_contacts_name(one):
    from db.lists import batch

    subrecords.add("C1", "contacts", {"name": "张三", "mobile": "13800138000"})
    _customer("C2")
    row1, row2 = (Customer.get(Customer.code == c) for c in ("C1", "C2"))
    batch.apply("contact", "客服中心", [("C1", row1.version), ("C2", row2.version)])
    c1 = subrecords.default("C1", "contacts")
    assert (c1.name, c1.mobile) == ("客服中心", "13800138000")
    assert subrecords.default("C2", "contacts").name == "客服中心"


def test_locate_finds_a_customer_by_a_contacts_name_or_mobile(one):
    from db.archive import search

    subrecords.add("C1", "contacts", {"name": "欧阳娜娜", "mobile": "13911112222"})
    subrecords.add("C1", "contacts", {"name": "钱多多"})
    (hit,) = search.locate("欧阳娜娜")
    assert (hit.code, hit.matched, hit.contact) == ("C1", "contact", "欧阳娜娜")
    (hit,) = search.locate("139 1111 2222")
    assert (hit.code, hit.matched) == ("C1", "contact")
    assert search.locate("客户C1")[0].matched == "name"  # its own name first, once
    assert len(search.locate("C1")) == 1


def test_locate_finds_a_customer_by_the_start_of_a_contacts_name_or_mobile(one):
    from db.archive import search

    subrecords.add("C1", "contacts", {"name": "欧阳娜娜", "mobile": "13911112222"})
    _customer("C2")
    subrecords.add("C2", "contacts", {"name": "欧阳", "mobile": "13911113333"})
    # The whole name first (C2's 欧阳), then the names it starts (C1's 欧阳娜娜).
    assert [(h.code, h.contact) for h in search.locate("欧阳")] == [("C2", "欧阳"), ("C1", "欧阳娜娜")]
    assert [h.code for h in search.locate("欧阳娜")] == ["C1"]
    assert [h.code for h in search.locate("1391111")] == ["C1", "C2"]
    assert search.locate("欧") == [] and search.locate("139") == []  # too short to narrow
    assert search.locate("欧阳%") == []
