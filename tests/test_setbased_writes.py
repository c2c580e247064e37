"""The set-based writes of import and batch modify (db.core.bulk: COPY on PostgreSQL,
executemany on SQLite, then INSERT ... SELECT / UPDATE ... FROM) on both databases: the
rows and history they write are those the statement-per-row paths wrote (EXPECTED_LOG was
taken from them), a row changed since the preview is refused naming who and when, and a
failure part-way leaves the archive as it was."""
from __future__ import annotations

import datetime as dt
import json

import pytest

import db
from db.archive import classes, customers, dimensions
from db.core import clock
from db.core.errors import ConflictError, RuleError
from db.core.models import ChangeLog, Customer, Membership, Sale, database
from db.core.session import current
from db.lists import batch
from db.transfer import importer
from tests.pg import any_store, pg_store, pg_url  # noqa: F401 - fixtures


@pytest.fixture
def fixed_clock():
    clock.fix(dt.datetime(2026, 3, 1, 9, 30, 15, 250000))
    yield
    clock.fix(None)


def _archive():
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    classes.add("main", "02", "零售")
    dimensions.create("region", "地区分类", "Regions", "2-2")
    classes.add("region", "11", "华北")
    classes.add("region", "12", "华东")
    customers.create({"code": "C001", "name": "北京华联综合超市股份有限公司", "short_name": "华联",
                      "class_code": "01001", "phone": "010-1"})
    dimensions.set_membership("C001", "region", "11")


ADDS = ("客户编码,客户名称,客户简称,所属分类码,地区分类,发展日期,信用额度,地址,备注\n"
        "C002,上海第一百货商店,\"上海\"\"一百\"\"\",02,12,2023/7/1,\"1,234.50\",\"南京路1号, 2楼\",\"两行\n备注\\\\\"\n"
        "C003,天津劝业场,劝业场,01001,,,0,,制表\t符\n")
UPDATES = ("客户编码,客户名称,客户简称,所属分类码,地区分类,电话\n"
           "C001,北京华联综合超市股份有限公司,北京华联,02,12,010-2\n"
           "C002,上海第一百货商店,上海一百,02,,\n")
SALES = ("客户编码,单据日期,单据号,金额,成本\n"
         "C001,2024-03-05,XS001,\"1,000.00\",800\n"
         "C002,2024-03-06,XS002,-50,0\n"
         "C003,2024-03-07,XS003,10.5,\n")
SALES_UPDATE = "客户编码,单据日期,单据号,金额,成本\nC001,2024-03-06,XS001,999,800\n"

# The history the statement-per-row paths wrote for the scenario (action, entity, code,
# changes), taken from them before they were made set-based.
EXPECTED_LOG = [
    ("add", "customer", "C002", {"name": [None, "上海第一百货商店"], "short_name": [None, '上海"一百"'],
                                 "class_code": [None, "02"]}),
    ("add", "customer", "C003", {"name": [None, "天津劝业场"], "short_name": [None, "劝业场"],
                                 "class_code": [None, "01001"]}),
    ("change", "customer", "C001", {"short_name": ["华联", "北京华联"], "class_code": ["01001", "02"],
                                    "dim:region": ["11", "12"], "phone": ["010-1", "010-2"],
                                    "mnemonic": ["hl", "bjhl"]}),
    ("change", "customer", "C002", {"short_name": ['上海"一百"', "上海一百"], "dim:region": ["12", ""]}),
    ("add", "sale", "C001:XS001", {"customer": [None, "C001"], "date": [None, "2024-03-05"],
                                   "doc_no": [None, "XS001"], "amount": [None, 100000], "cost": [None, 80000]}),
    ("add", "sale", "C002:XS002", {"customer": [None, "C002"], "date": [None, "2024-03-06"],
                                   "doc_no": [None, "XS002"], "amount": [None, -5000]}),
    ("add", "sale", "C003:XS003", {"customer": [None, "C003"], "date": [None, "2024-03-07"],
                                   "doc_no": [None, "XS003"], "amount": [None, 1050]}),
    ("change", "sale", "C001:XS001", {"date": ["2024-03-05", "2024-03-06"], "amount": [100000, 99900]}),
]


def _import(tmp_path, name, text, kind="customers", **options):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    plan = importer.plan(path, kind=kind, **options)
    importer.commit(plan)
    return plan


def _structure() -> set:
    """The archive's indexes and foreign keys, as the database describes them."""
    if current().dialect == "sqlite":
        return set(database.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall())
    return set(database.execute_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "UNION SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f'").fetchall())


def _state() -> dict:
    """Everything the scenario writes, in a form both databases give alike."""
    logs = [(l.action, l.entity, l.entity_code, l.changes, l.who, l.batch.split("-")[0])
            for l in ChangeLog.select().where(ChangeLog.action != "dimension").order_by(ChangeLog.id)]
    rows = [(c.code, c.name, c.short_name, c.mnemonic, c.class_code, c.phone, c.address, c.remark,
             c.credit_limit, c.dev_date, c.version, c.modified_by)
            for c in Customer.select().order_by(Customer.code)]
    members = sorted((m.customer_code, m.class_code, m.customer.code) for m in Membership.select())
    sales = sorted((s.customer.code, s.doc_no, s.date, s.amount, s.cost) for s in Sale.select())
    return {"logs": logs, "customers": rows, "members": members, "sales": sales}


def test_import_writes_the_history_it_wrote_row_by_row(any_store, tmp_path, fixed_clock):
    _archive()
    structure = _structure()
    before = ChangeLog.select().count()
    for name, text, kind in (("a.csv", ADDS, "customers"), ("u.csv", UPDATES, "customers"),
                             ("s.csv", SALES, "sales"), ("s2.csv", SALES_UPDATE, "sales")):
        _import(tmp_path, name, text, kind, blank_clears=name == "u.csv")
    # The adds are most of the archive: they went in with the indexes and keys dropped
    # (db.core.bulk.indexes_rebuilt), which are all back.
    assert _structure() == structure
    logs = list(ChangeLog.select().order_by(ChangeLog.id))[before:]
    assert [(l.action, l.entity, l.entity_code, json.loads(l.changes)) for l in logs] == EXPECTED_LOG
    assert {(l.at, l.who) for l in logs} == {(clock.now(), clock.user())}
    # The JSON text itself, as the encoder writes it (both databases store it as given).
    assert logs[4].changes == ('{"customer": [null, "C001"], "date": [null, "2024-03-05"], '
                               '"doc_no": [null, "XS001"], "amount": [null, 100000], "cost": [null, 80000]}')
    c2 = customers.get("C002")
    assert (c2.address, c2.remark, c2.credit_limit, c2.dev_date, c2.version) == (
        "南京路1号, 2楼", "两行\n备注\\\\", 123450, dt.date(2023, 7, 1), 2)
    c3 = customers.get("C003")
    assert (c3.dev_date, c3.stop_date, c3.problem, c3.currency, c3.created_at) == (
        None, None, False, "人民币", clock.now())
    assert dimensions.memberships("C001") == {"region": ("12", "华东")}
    assert dimensions.memberships("C002") == {} and dimensions.memberships("C003") == {}
    assert customers.get("C001").version == 3  # created, put in a region, imported
    assert sorted((s.doc_no, s.date, s.amount, s.cost) for s in Sale.select()) == [
        ("XS001", dt.date(2024, 3, 6), 99900, 80000), ("XS002", dt.date(2024, 3, 6), -5000, 0),
        ("XS003", dt.date(2024, 3, 7), 1050, 0)]


def test_an_update_import_refuses_a_row_changed_since_the_preview(any_store, tmp_path, monkeypatch):
    _archive()
    _import(tmp_path, "a.csv", ADDS)
    path = tmp_path / "u.csv"
    path.write_text(UPDATES, encoding="utf-8")
    plan = importer.plan(path)
    with monkeypatch.context() as patch:
        patch.setattr(clock, "user", lambda: "李四")
        customers.update("C002", {"phone": "021-9"}, 1)
    state = _state()
    with pytest.raises(ConflictError) as err:
        importer.commit(plan)
    assert err.value.key == "conflict.changed"
    assert err.value.values["code"] == "C002" and err.value.values["who"] == "李四"
    assert _state() == state  # C001, which had not changed, was not written either
    customers.delete("C002", 2)
    with pytest.raises(ConflictError) as err:
        importer.commit(plan)
    assert err.value.key == "conflict.deleted" and err.value.values["code"] == "C002"
    assert _state() != state and _state()["customers"][0][5] == "010-1"


def test_an_import_failing_part_way_leaves_the_archive_as_it_was(any_store, tmp_path):
    _archive()
    path = tmp_path / "a.csv"
    path.write_text(ADDS, encoding="utf-8")
    plan = importer.plan(path)
    structure = _structure()
    customers.create({"code": "C003", "name": "别人先建的", "short_name": "别人", "class_code": "02"})
    state = _state()
    with pytest.raises(RuleError) as err:
        importer.commit(plan)  # C002 goes in, then C003's code is found taken
    assert err.value.key == "import.changed_since_plan"
    assert _state() == state and _structure() == structure
    # Sales: a customer deleted since the preview refuses the whole file (the row-by-row
    # path left that customer's documents out and still wrote their history).
    customers.delete("C003", 1)
    importer.commit(importer.plan(path))
    sales = tmp_path / "s.csv"
    sales.write_text(SALES, encoding="utf-8")
    plan = importer.plan(sales, kind="sales")
    customers.delete("C003", 1)
    state = _state()
    with pytest.raises(ConflictError) as err:
        importer.commit(plan)
    assert (err.value.key, err.value.values["code"]) == ("conflict.deleted", "C003")
    assert _state() == state


def test_batch_writes_its_results_and_history_as_before(any_store, fixed_clock):
    _archive()
    for code in ("C002", "C003", "C004"):
        customers.create({"code": code, "name": f"客户{code}", "short_name": code, "class_code": "02"})
    customers.update("C003", {"phone": "1"}, 1)  # changed since it was marked
    customers.delete("C004", 1)  # deleted since
    customers.update("C002", {"region": "华东"}, 1)  # already has the value: version 2
    marks = [("C001", 2), ("C002", 2), ("C003", 1), ("C004", 1), ("C005", 1)]
    result = batch.apply("region", "华东", marks)
    assert (result.total, result.changed, result.skipped) == (5, 1, {"changed": 1, "deleted": 2, "same": 1})
    assert [(r.code, r.outcome, r.reason, r.old) for r in batch.rows(result.run)] == [
        ("C001", "changed", "", ""), ("C002", "skipped", "same", "华东"), ("C003", "skipped", "changed", ""),
        ("C004", "skipped", "deleted", None), ("C005", "skipped", "deleted", None)]
    log = ChangeLog.select().where(ChangeLog.batch == result.batch).get()
    assert (log.action, log.entity_code, log.changes, log.at) == (
        "batch", "C001", '{"region": ["", "华东"]}', clock.now())
    assert customers.get("C001").version == 3 and customers.get("C001").region == "华东"


def test_a_batch_failing_part_way_leaves_the_archive_as_it_was(any_store, monkeypatch):
    _archive()
    before = _state()

    def broken(*args):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(batch, "_update", broken)
        with pytest.raises(RuntimeError):
            batch.apply("region", "华东", [("C001", 2)])
    assert _state() == before
    assert batch.apply("region", "华东", [("C001", 2)]).changed == 1  # no temporary table left behind


ODD_TEXTS = ["", "a\rb", "x\r\ny", "\n", "\\.", "\\N", '"q"', "a,b", " lead", "北京\t华联", "\\"]


def test_bulk_rows_come_back_as_they_went_in(any_store):
    """COPY's CSV on PostgreSQL (executemany on SQLite): text with what CSV and COPY treat
    specially, the empty string beside NULL, dates, booleans and large integers."""
    from db.core import bulk
    from db.core.session import writing

    rows = [(i, text, None if i % 2 else dt.date(2024, 2, 29), i % 3 == 0, 10**15 + i)
            for i, text in enumerate(ODD_TEXTS)]
    shape = "SELECT 0 AS pos, remark AS text, dev_date AS day, problem AS flag, credit_limit AS big FROM customer"
    with writing(), bulk.temp_table("odd", shape, ["pos", "text", "day", "flag", "big"], iter(rows), ["text"]):
        back = list(bulk.stream("SELECT pos, text, day, flag, big FROM odd ORDER BY pos"))
    fields = Customer._meta.fields
    assert [(p, t, fields["dev_date"].python_value(d), bool(f), b) for p, t, d, f, b in back] == rows


def test_history_json_is_the_encoders_text():
    """The import's own writer of {field: [old, new]} gives json's text, character for
    character, for every kind of value (and hands what it does not know to json)."""
    from db.transfer.importer.write import _ENCODE, changes_json

    values = ["", 'a"b\\c\n\t\x01\u2028', "北京", 0, -5, 10**20, None, True, False,
              dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5, 6), 1.5, [1]]
    for i, old in enumerate(values):
        for new in values:
            changes = {f"名{i}": (old, new), 'q"': (new, old)}
            assert changes_json(changes) == _ENCODE(changes)
    assert changes_json({}) == "{}"
