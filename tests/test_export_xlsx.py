"""The workbooks kehu writes (db.transfer.xlsx_stream) opened by a second library (openpyxl):
dates are dates, codes text, numbers numbers, on both ways a row is made (by SQLite, or from
Python values on PostgreSQL and for the small sheets); and read back by kehu's own reader
(db.transfer.xlsx_read) as openpyxl reads them."""
from __future__ import annotations

import datetime as dt
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

import db
from db.archive import classes, customers
from db.core.errors import RuleError
from db.core.models import Customer
from db.transfer import export_files, exporter, importer, tabular, xlsx_read
from db.transfer.importer.common import cell_text
from db.values.columns import COLUMNS, SHEETS
from tests.pg import pg_store, pg_url  # noqa: F401 - fixtures


def fill():
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    customers.create({"code": "007", "name": "北京 & <华联> 综合超市", "short_name": "华联",
                      "class_code": "01001", "dev_date": "2020-01-02", "credit_limit": "1,234,567.89",
                      "discount_rate": "12.5", "credit_days": "30", "bank_account": "0012345678901234567",
                      "postcode": "010010", "remark": "第一行\n第二行"})
    customers.create({"code": "008", "name": "=SUM(A1)", "short_name": "公式", "class_code": "01001"})
    # Values the store's own rules never let in, written raw: spaces at the ends, a control
    # character XML cannot hold.
    Customer.update(contact="  张三 ", fax="a\x1bb").where(Customer.code == "008").execute()


def _sheet(path):
    book = load_workbook(path)  # the full reader: cell types and number formats
    return book, {c.value: i for i, c in enumerate(book.active[1])}


def _check_types(path):
    book, at = _sheet(path)
    first, second = list(book.active.iter_rows(min_row=2, max_row=3))
    code = first[at["客户编码"]]
    assert code.data_type == "s" and code.value == "007"
    assert first[at["邮政编码"]].value == "010010" and first[at["银行账号"]].value == "0012345678901234567"
    dev = first[at["发展日期"]]
    assert dev.is_date and dev.value == dt.datetime(2020, 1, 2) and dev.number_format == "yyyy-mm-dd"
    made = first[at["建档日期"]]
    assert made.is_date and made.number_format == "yyyy-mm-dd hh:mm:ss"
    stored = Customer.get(Customer.code == "007").created_at
    assert abs(made.value - stored.replace(microsecond=0)) < dt.timedelta(seconds=1)
    limit = first[at["信用额度"]]
    assert limit.data_type == "n" and limit.value == 1234567.89
    assert first[at["扣率"]].value == 12.5 and first[at["信用期限"]].value == 30
    assert first[at["客户名称"]].value == "北京 & <华联> 综合超市"
    assert first[at["备注"]].value == "第一行\n第二行"
    assert first[at["停用日期"]].value is None
    formula = second[at["客户名称"]]
    assert formula.data_type == "s" and formula.value == "=SUM(A1)"
    assert second[at["联系人"]].value == "  张三 " and second[at["传真"]].value == "a\\x1bb"
    assert book.active.freeze_panes == "A2"
    assert book.active.column_dimensions["B"].width > book.active.column_dimensions["A"].width


@pytest.mark.parametrize("by_sql", [True, False])
def test_the_cells_keep_their_types(tmp_path, monkeypatch, by_sql):
    db.open_store(str(tmp_path / "a.db"))
    fill()
    monkeypatch.setattr(export_files, "sql_lines", lambda: by_sql)
    exporter.export_list(tmp_path / "l.xlsx", None)
    _check_types(tmp_path / "l.xlsx")


def test_postgres_cells_keep_their_types(tmp_path, pg_store):
    fill()
    exporter.export_list(tmp_path / "pg.xlsx", None)
    _check_types(tmp_path / "pg.xlsx")


def test_every_sheet_of_the_whole_archive_opens(tmp_path):
    from tests.test_export import build

    build(tmp_path / "a.db")
    exporter.export_archive(tmp_path / "all.xlsx")
    book = load_workbook(tmp_path / "all.xlsx")
    assert book.sheetnames == [SHEETS[k][0] for k in ("customers", "classes", "sales", "contacts", "addresses", "banks", "invoices")]
    sales = list(book["销售"].iter_rows(min_row=2, values_only=True))
    assert sales[0][1] == dt.datetime(2024, 3, 5) and sales[0][3] == 1000.5
    with zipfile.ZipFile(tmp_path / "all.xlsx") as zf:
        assert zf.testzip() is None


def _text(value) -> str:
    """A cell as the importer reads it, a number's text as its value (kehu's reader gives a
    number as written, "0.0"; openpyxl as a number, 0)."""
    text = cell_text(value)
    try:
        return cell_text(float(text))
    except ValueError:
        return text


def _read_both(path, sheet_names=()):
    """The rows kehu's reader gives and openpyxl's (its read path in tabular), as text."""
    opener = tabular._opened(path, sheet_names)[0]
    own = [(line, tuple(_text(c) for c in cells)) for line, cells in opener()]
    book = load_workbook(path, read_only=True, data_only=True)
    sheet = next(ws for ws in book.worksheets if ws.title == tabular._opened(path, sheet_names)[3])
    theirs = [(n, tuple(_text(c) for c in cells)) for n, cells in tabular._sheet_rows(sheet)]
    book.close()
    return own, theirs


@pytest.mark.parametrize("by_sql, second_process", [(True, False), (False, False), (True, True)])
def test_kehus_reader_reads_what_openpyxl_reads(tmp_path, monkeypatch, by_sql, second_process):
    db.open_store(str(tmp_path / "a.db"))
    fill()
    monkeypatch.setattr(export_files, "sql_lines", lambda: by_sql)
    if second_process:  # as a large sheet is read
        monkeypatch.setattr(xlsx_read, "PARALLEL_SIZE", 0)
    exporter.export_archive(tmp_path / "all.xlsx")
    with zipfile.ZipFile(tmp_path / "all.xlsx") as zf:
        assert xlsx_read.own_sheets(zf) is not None
    for sheet in ("客户档案", "客户分类"):
        own, theirs = _read_both(tmp_path / "all.xlsx", (sheet,))
        width = max(len(c) for _, c in own)
        pad = [(n, c + ("",) * (width - len(c))) for n, c in theirs]
        # openpyxl gives a date cell as a datetime, which cell_text makes ISO text too.
        assert own == pad


def test_a_workbook_another_program_saved_is_read_by_the_general_reader(tmp_path):
    book = Workbook()
    book.active.append(["客户编码", "客户名称", "发展日期"])
    book.active.append(["007", "甲", dt.date(2020, 1, 2)])
    book.save(tmp_path / "other.xlsx")
    with zipfile.ZipFile(tmp_path / "other.xlsx") as zf:
        assert xlsx_read.own_sheets(zf) is None
    table = tabular.open_table(tmp_path / "other.xlsx", COLUMNS["customers"])
    assert [cells for _, cells in table.rows()] == [("007", "甲", dt.datetime(2020, 1, 2))]


@pytest.mark.parametrize("second_process", [False, True])
def test_a_damaged_own_workbook_is_one_line(tmp_path, monkeypatch, second_process):
    if second_process:
        monkeypatch.setattr(xlsx_read, "PARALLEL_SIZE", 0)
    db.open_store(str(tmp_path / "a.db"))
    fill()
    exporter.export_list(tmp_path / "good.xlsx", None)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(tmp_path / "good.xlsx") as src, zipfile.ZipFile(bad, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data.replace(b"<c><v>", b"<c r=\"X\"><v>", 1)
            out.writestr(item, data)
    with pytest.raises(RuleError) as caught:
        importer.plan(bad)
    assert caught.value.key == "tabular.damaged" and "unexpected markup" in caught.value.values["reason"]


def test_the_round_trip_through_kehus_reader(tmp_path):
    db.open_store(str(tmp_path / "a.db"))
    fill()
    exporter.export_list(tmp_path / "l.xlsx", None)
    before = [(c.code, c.name, c.dev_date, c.credit_limit, c.discount_rate, c.bank_account, c.remark)
              for c in Customer.select().order_by(Customer.code)]
    db.open_store(str(tmp_path / "b.db"))
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    plan = importer.plan(tmp_path / "l.xlsx")
    assert not plan.rejected, [(p.line, p.key) for p in plan.rejected]
    importer.commit(plan)
    after = [(c.code, c.name, c.dev_date, c.credit_limit, c.discount_rate, c.bank_account, c.remark)
             for c in Customer.select().order_by(Customer.code)]
    assert after == before


def test_an_export_streams(tmp_path):
    """Memory flat with size: four times the rows, about the same peak (a page at a time:
    export_sql.PAGE rows, so both are larger than a page)."""
    from db import demo

    peaks = []
    for n in (6_000, 24_000):
        demo.generate(tmp_path / f"{n}.db", n, sales_per_customer=0).close()
        db.open_store(str(tmp_path / f"{n}.db"))
        tracemalloc.start()
        exporter.export_list(tmp_path / f"{n}.xlsx", None)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks
