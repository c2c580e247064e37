"""Export: lists and the whole archive to CSV and xlsx, and the round trip through import."""
from __future__ import annotations

import csv
import datetime as dt
import sqlite3

import pytest
from openpyxl import load_workbook

import db
from db.archive import classes, customers, dimensions
from db.transfer import export_files, export_sql, exporter, importer
from db.core.errors import RuleError
from db.core.models import Customer, CustomerClass, Dimension, Membership, Sale
from db.lists.query import Filter, ListQuery
from tests.pg import pg_store, pg_url  # noqa: F401 - fixtures

SKIP = {"id", "created_at", "created_by", "modified_at", "modified_by", "version"}


def build(path):
    store = db.open_store(str(path))
    fill()
    return store


def fill():
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北", remark="京津冀")
    classes.add("main", "02", "零售")
    dimensions.create("region", "地区分类", "Regions", "2-2")
    classes.add("region", "11", "华北")
    customers.create({"code": "C001", "name": "北京华联综合超市股份有限公司", "short_name": "北京华联",
                      "class_code": "01001", "tax_id": "91110000802100433B", "dev_date": "2020-01-02",
                      "stop_date": "2025-06-30", "credit_limit": "1,234,567.89", "discount_rate": "12.5",
                      "credit_days": "30", "problem": "是", "mgmt_type": "重要客户",
                      "remark": "第一行\n第二行, 带逗号 \"引号\"", "phone": "010-12345678"})
    customers.create({"code": "C002", "name": "[bold red]上海一百", "short_name": "上海一百",
                      "class_code": "02", "mnemonic": "sy100"})
    customers.create({"code": "C003", "name": "=SUM(A1)", "short_name": "公式", "class_code": "01001"})
    dimensions.set_membership("C001", "region", "11")
    ids = {c.code: c.id for c in Customer.select()}
    Sale.create(customer=ids["C001"], date=dt.date(2024, 3, 5), doc_no="XS001", amount=100050, cost=80000)
    Sale.create(customer=ids["C001"], date=dt.date(2024, 4, 1), doc_no="XS002", amount=-5000, cost=0)
    Sale.create(customer=ids["C002"], date=dt.date(2024, 5, 1), doc_no="XS001", amount=1, cost=0)


def snapshot():
    custs = sorted(({k: v for k, v in row.items() if k not in SKIP}
                    for row in Customer.select().dicts()), key=lambda r: r["code"])
    typed = [d for d in Dimension.select() if not d.derived]
    dims = sorted((d.code, d.name_zh, d.name_en, d.scheme) for d in typed)
    klass = sorted((c.dimension.code, c.code, c.name, c.remark, c.level, c.is_leaf)
                   for c in CustomerClass.select().where(CustomerClass.dimension.in_([d.id for d in typed])))
    members = sorted((m.customer_code, m.dimension.code, m.class_code) for m in Membership.select())
    sales = sorted((s.customer.code, s.date, s.doc_no, s.amount, s.cost) for s in Sale.select())
    return custs, dims, klass, members, sales


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip(tmp_path, suffix):
    store = build(tmp_path / "a.db")
    before = snapshot()
    target = tmp_path / f"all{suffix}"
    result = exporter.export_archive(target)
    assert (result.customers, result.classes, result.sales) == (3, 4, 3)
    store.close()

    db.open_store(str(tmp_path / "b.db"))
    sources = {"classes": target, "customers": target, "sales": target}
    if suffix == ".csv":
        sources = {"classes": tmp_path / "all-classes.csv", "customers": target,
                   "sales": tmp_path / "all-sales.csv"}
    for kind in ("classes", "customers", "sales"):
        plan = importer.plan(sources[kind], kind=kind)
        assert not plan.rejected, [(p.line, p.key, p.values) for p in plan.rejected]
        importer.commit(plan)
    assert snapshot() == before


def test_list_export_csv(tmp_path):
    build(tmp_path / "a.db")
    query = ListQuery(prefix="01", show_stopped=True, sort="code")
    seen = []
    result = exporter.export_list(tmp_path / "l.csv", query, ["code", "short_name", "credit_limit", "dev_date"],
                                  lang="en", progress=lambda done, total: seen.append((done, total)))
    raw = (tmp_path / "l.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows == [["Code", "Short name", "Credit limit", "Development date"],
                    ["C001", "北京华联", "1234567.89", "2020-01-02"],
                    ["C003", "公式", "0.00", ""]]
    assert result.customers == 2 and seen[-1] == (2, 2)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_list_export_holds_the_class_name_the_list_shows(tmp_path, suffix):
    build(tmp_path / "a.db")
    query = ListQuery(show_stopped=True, sort="code")
    exporter.export_list(tmp_path / f"l{suffix}", query, ["code", "class_code", "class_name"])
    assert _rows(tmp_path / f"l{suffix}") == [["客户编码", "所属分类码", "分类名称"], ["C001", "01001", "华北"],
                                             ["C002", "02", "零售"], ["C003", "01001", "华北"]]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_list_export_by_another_dimension_holds_its_classes_and_reads_back(tmp_path, suffix):
    """A list by 地区分类 shows each customer's region class: so does its file, in a column
    headed by the dimension's name, which an import reads as that dimension's column."""
    build(tmp_path / "a.db")
    query = ListQuery(dimension="region", show_stopped=True, sort="code")
    target = tmp_path / f"l{suffix}"
    exporter.export_list(target, query, ["code", "short_name", "class_code", "class_name"])
    assert _rows(target) == [["客户编码", "客户简称", "地区分类", "分类名称"], ["C001", "北京华联", "11", "华北"]]
    plan = importer.plan(target)
    assert not plan.rejected and not plan.adds and not plan.updates and plan.unchanged == 1


def _rows(path) -> list[list[str]]:
    if path.suffix == ".csv":
        return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    sheet = load_workbook(path, read_only=True).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_list_export_filter_hides_stopped(tmp_path):
    build(tmp_path / "a.db")
    query = ListQuery(filter=Filter(mgmt_type="重要客户"), show_stopped=False, sort="code")
    assert exporter.export_list(tmp_path / "l.csv", query, ["code"]).customers == 0


def test_xlsx_dates_widths_numbers(tmp_path):
    build(tmp_path / "a.db")
    exporter.export_list(tmp_path / "l.xlsx", None, ["code", "name", "dev_date", "credit_limit", "discount_rate"])
    book = load_workbook(tmp_path / "l.xlsx")
    sheet = book.active
    assert sheet.title == "客户档案"
    assert [c.value for c in sheet[1]] == ["客户编码", "客户名称", "发展日期", "信用额度", "扣率"]
    assert sheet["C2"].is_date and sheet["C2"].value == dt.datetime(2020, 1, 2)
    assert sheet["D2"].value == 1234567.89 and sheet["E2"].value == 12.5
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_bad_targets(tmp_path):
    build(tmp_path / "a.db")
    with pytest.raises(RuleError) as err:
        exporter.export_list(tmp_path / "l.txt")
    assert err.value.key == "export.format"
    with pytest.raises(RuleError) as err:
        exporter.export_list(tmp_path / "no" / "l.csv")
    assert err.value.key == "export.cannot_write"
    with pytest.raises(RuleError) as err:
        exporter.export_list(tmp_path / "l.csv", None, ["code", "nonsense"])
    assert err.value.key == "export.unknown_column"
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*tmp"))


def _awkward():
    """fill()'s archive plus cells that test every rule of CSV quoting and formatting, some
    written raw (values the store's own rules never let in)."""
    fill()
    customers.create({"code": "C004", "name": "有限公司, 第二", "short_name": "空备注", "class_code": "02"})
    Customer.update(remark='a "q", b\r\nc\rd\ne\x1f', discount_rate=-1250, credit_limit=-5,
                    problem=True).where(Customer.code == "C002").execute()
    Customer.update(discount_rate=1205, credit_limit=7, email='"').where(Customer.code == "C003").execute()
    Customer.update(discount_rate=5, remark="", fax="x\ry", contact="p\nq").where(Customer.code == "C004").execute()


def _by_csv_module(monkeypatch, export):
    """export() as SQLite makes the lines, then as the csv module writes the same rows."""
    made = export("sql")
    with monkeypatch.context() as patch:
        patch.setattr(export_files, "sql_lines", lambda: False)
        written = export("module")
    return made, written


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sqlite_lines_are_the_csv_modules_bytes(tmp_path, monkeypatch, lang):
    db.open_store(str(tmp_path / "a.db"))
    _awkward()
    monkeypatch.setattr(export_sql, "PAGE", 2)  # pages joined, in order, across the read-ahead
    assert export_files.sql_lines()

    def every(name):
        exporter.export_list(tmp_path / f"{name}.csv", None, lang=lang)
        return (tmp_path / f"{name}.csv").read_bytes()

    made, written = _by_csv_module(monkeypatch, every)
    assert made == written
    assert b'"a ""q"", b\r\nc\rd\ne\x1f"' in made and b'"\xe6\x9c\x89\xe9\x99\x90' in made

    # One column: an empty cell is quoted, else its row would be a blank line.
    def remarks(name):
        query = ListQuery(show_stopped=True, sort="code", descending=True)
        exporter.export_list(tmp_path / f"{name}.csv", query, ["remark"], lang=lang)
        return (tmp_path / f"{name}.csv").read_bytes()

    made, written = _by_csv_module(monkeypatch, remarks)
    assert made == written and b'\r\n""\r\n' in made


def test_sqlite_lines_of_the_whole_archive(tmp_path, monkeypatch):
    db.open_store(str(tmp_path / "a.db"))
    _awkward()
    # Cells formatted in groups of 5: the limit on a function's arguments, exercised small.
    monkeypatch.setattr(export_sql, "PRINTF_CELLS", 5)
    monkeypatch.setattr(export_sql, "PAGE", 2)

    def archive(name):
        exporter.export_archive(tmp_path / f"{name}.csv")
        return [(tmp_path / f"{name}{part}.csv").read_bytes() for part in ("", "-classes", "-sales")]

    made, written = _by_csv_module(monkeypatch, archive)
    assert made == written
    assert b"-50.00" in made[2] and b"1000.50" in made[2]


def test_postgres_cells_are_the_texts_converters_give(pg_store):
    """Each cell of a COPY is made by pg_text; the csv module path writes converters' text."""
    cases = [("money", "bigint", [None, 0, 5, -5, 100, -12345, 123456789]),
             ("percent", "integer", [None, 0, 1250, 1205, 1200, -5, -1250, 10000]),
             ("flag", "boolean", [True, False, None]),
             ("date", "date", [dt.date(2026, 1, 2), None]),
             ("datetime", "timestamp", [dt.datetime(2026, 1, 2, 3, 4, 5), dt.datetime(2026, 1, 2, 3, 4, 5, 120000), None]),
             ("int", "integer", [0, -3, 42, None]),
             ("text", "text", ["", "a", None, "有限"])]
    for kind, sql_type, values in cases:
        convert = dict(export_sql.converters([kind], "csv", "zh")).get(0, lambda v: v)
        for value in values:
            made = pg_store.database.execute_sql(
                f"SELECT {export_sql.pg_text('v.x', kind, 'zh')} FROM (SELECT CAST(%s AS {sql_type}) AS x) v",
                [value]).fetchone()[0]
            want = convert(value)
            want = "" if want is None else str(want)
            assert ("" if made is None else str(made)) == want, (kind, value)


def test_postgres_writes_what_sqlite_makes(tmp_path, pg_store):
    """PostgreSQL's COPY (a list's rows: the csv module) and SQLite's lines: the same archive
    gives the same bytes."""
    columns = [c.field for c in exporter.customer_columns() if c.field not in ("created_at", "modified_at")]
    columns.append("class_name")
    _awkward()
    assert not export_files.sql_lines()
    exporter.export_list(tmp_path / "pg.csv", None, columns)
    exporter.export_archive(tmp_path / "pg-all.csv")
    db.open_store(str(tmp_path / "a.db"))
    _awkward()
    exporter.export_list(tmp_path / "lite.csv", None, columns)
    exporter.export_archive(tmp_path / "lite-all.csv")
    assert (tmp_path / "pg.csv").read_bytes() == (tmp_path / "lite.csv").read_bytes()
    for part in ("", "-classes", "-sales"):
        assert (tmp_path / f"pg-all{part}.csv").read_bytes() == (tmp_path / f"lite-all{part}.csv").read_bytes()


def _threads():
    import threading

    return [t for t in threading.enumerate() if t.name == "export-read-ahead"]


def test_read_ahead_gives_the_pages_in_order_and_closes_its_connection(tmp_path):
    db.open_store(str(tmp_path / "a.db"))
    from db.core.models import database

    opened = []

    def pages():
        opened.append(database.connection())  # the reading thread's own
        for n in range(7):
            yield n, f"page {n}"

    assert list(export_files.read_ahead(pages(), depth=2)) == [(n, f"page {n}") for n in range(7)]
    assert opened[0] is not database.connection() and not _threads()
    with pytest.raises(sqlite3.ProgrammingError):  # closed when the thread ended
        opened[0].execute("SELECT 1")
    database.execute_sql("SELECT 1")  # this thread's connection is untouched


def test_read_ahead_raises_the_readers_error_and_stops_with_the_writer(tmp_path):
    db.open_store(str(tmp_path / "a.db"))

    def failing():
        yield 1, "first"
        raise RuleError("store.locked", path="x")

    got = export_files.read_ahead(failing())
    assert next(got) == (1, "first")
    with pytest.raises(RuleError) as err:
        next(got)
    assert err.value.key == "store.locked" and not _threads()

    endless = export_files.read_ahead(((n, n) for n in iter(int, 1)), depth=1)
    assert next(endless) == (0, 0)
    endless.close()  # the writer gives up (a full disk): the reader ends too
    assert not _threads()


def test_an_export_that_fails_writing_leaves_no_file_and_no_reader(tmp_path, monkeypatch):
    build(tmp_path / "a.db")
    monkeypatch.setattr(export_sql, "PAGE", 1)

    def full(self, page):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_files.Writer, "lines", full)
    with pytest.raises(RuleError) as err:
        exporter.export_list(tmp_path / "out.csv", None)
    assert err.value.key == "export.cannot_write"
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*tmp")) and not _threads()
