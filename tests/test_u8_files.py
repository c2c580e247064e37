"""Issue 21 item 7: a customer file saved from U8's 客户档案 list imports under U8's own titles,
without renaming a column or naming its kind, as GBK CSV and as .xlsx; `kehu export --u8`
writes those titles, and its file reads back unchanged. On SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import datetime as dt

import pytest

import db
from db.archive import classes, customers
from db.transfer import importer
from db.values.columns import U8_CUSTOMER_TITLES
from tui import cli
from tests.pg import pg_url  # noqa: F401 - fixture

TITLES = [title for _, title in U8_CUSTOMER_TITLES]
ROW = ["C100", "测试商贸有限公司", "测试商贸", "01001", "北京", "91110105013311094W", "张三",
       "中信银行北京朝阳支行", "6222020200112233", "北京市朝阳区五一路420号", "100054", "李四",
       "010-49770167", "13800138000", "王五", "华北销售部", "2024-03-05", "", "A", "50000", "30",
       "5", "月结30天", "老客户介绍"]
EXPECTED = {"code": "C100", "name": "测试商贸有限公司", "short_name": "测试商贸", "class_code": "01001",
            "region": "北京市", "region_code": "110000", "tax_id": "91110105013311094W", "legal_person": "张三",
            "bank": "中信银行北京朝阳支行", "bank_account": "6222020200112233",
            "address": "北京市朝阳区五一路420号", "postcode": "100054", "contact": "李四",
            "phone": "010-49770167", "mobile": "13800138000", "salesperson": "王五",
            "department": "华北销售部", "dev_date": dt.date(2024, 3, 5), "stop_date": None,
            "credit_grade": "A", "credit_limit": 5_000_000, "credit_days": 30,
            "discount_rate": 500, "payment_terms": "月结30天", "remark": "老客户介绍"}


def test_the_titles_are_the_issue_s():
    assert TITLES == ("客户编码 客户名称 客户简称 所属分类码 所属地区码 税号 法人 开户银行 银行账号 地址 邮政编码 "
                      "联系人 电话 手机 专营业务员 分管部门 发展日期 停用日期 信用等级 信用额度 信用期限 扣率 "
                      "付款条件 备注").split()


@pytest.fixture(params=["sqlite", "pg"])
def url(request, tmp_path):
    if request.param == "pg":
        url = request.getfixturevalue("pg_url")
    else:
        url = str(tmp_path / "u8.db")
    store = db.open_store(url)
    classes.add("main", "01", "批发")
    classes.add("main", "01001", "华北")
    store.close()
    return url


def gbk_csv(tmp_path):
    path = tmp_path / "客户档案.csv"
    with open(path, "w", encoding="gbk", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(TITLES)
        writer.writerow(ROW)
    return path


def workbook(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "客户档案"
    sheet.append(TITLES)
    cells = list(ROW)
    # As Excel keeps them: the date a date, amounts and days numbers, codes text.
    cells[16], cells[17] = dt.datetime(2024, 3, 5), None
    cells[19], cells[20], cells[21] = 50000, 30, 5
    sheet.append(cells)
    path = tmp_path / "客户档案.xlsx"
    book.save(path)
    return path


def _stored(url) -> dict:
    store = db.open_store(url)
    try:
        row = customers.get("C100")
        return {k: getattr(row, k) for k in EXPECTED}
    finally:
        store.close()


@pytest.mark.parametrize("make", [gbk_csv, workbook])
def test_a_u8_customer_file_imports_as_it_is(url, tmp_path, make, capsys):
    path = make(tmp_path)
    assert cli.main(["import", str(path), "--db", url, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "1 added" in out and "ignored" not in out
    assert _stored(url) == EXPECTED


def test_export_u8_writes_its_titles_and_reads_back(url, tmp_path, capsys):
    assert cli.main(["import", str(gbk_csv(tmp_path)), "--db", url]) == 0
    out = tmp_path / "out.csv"
    assert cli.main(["export", str(out), "--u8", "--db", url, "--lang", "en"]) == 0
    lines = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0] == TITLES
    assert lines[1][:4] == ROW[:4] and lines[1][16] == "2024-03-05"
    book = tmp_path / "out.xlsx"
    assert cli.main(["export", str(book), "--u8", "--db", url]) == 0
    from openpyxl import load_workbook

    sheet = load_workbook(book, read_only=True).worksheets[0]
    assert [c for c in next(sheet.iter_rows(values_only=True))] == TITLES
    store = db.open_store(url)
    try:
        for path in (out, book):
            plan = importer.plan(path)
            assert plan.kind == "customers" and not plan.extra and not plan.rejected
            assert (len(plan.adds), len(plan.updates), plan.unchanged) == (0, 0, 1)
    finally:
        store.close()


def test_u8_and_columns_do_not_go_together(url, tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["export", str(tmp_path / "x.csv"), "--u8", "--columns", "code", "--db", url])
    assert done.value.code == 2
