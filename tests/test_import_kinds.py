"""Issue 21 item 2: the kind of a file told by its titles (U8's, Chinese, English), and one
line naming the titles found and the kinds expected when none fits."""
from __future__ import annotations

import pytest

import db
from db.archive import classes
from db.core.errors import RuleError
from db.transfer import importer
from db.transfer.importer import kinds
from tui import cli
from tests.pg import pg_url  # noqa: F401 - fixture


@pytest.mark.parametrize("titles, kind", [
    (["分类编码", "分类名称"], "classes"),  # U8's class list
    (["Class code", "Class name"], "classes"),
    (["维度编码", "维度名称", "维度英文名称", "编码方案", "分类编码", "分类名称", "备注"], "classes"),
    (["Dimension", "Dimension name", "Dimension name (English)", "Coding scheme", "Class code",
      "Class name", "Remark"], "classes"),
    (["客户编码", "客户名称", "客户简称", "所属分类码"], "customers"),
    (["Code", "Name", "Short name", "Class"], "customers"),
    (["code", "name", "class_code"], "customers"),  # an update: no short name, adds nobody
    (["客户编码", "电话"], "customers"),
    (["客户编码", "单据日期", "单据号", "金额"], "sales"),
    (["Customer code", "Date", "Document no", "Amount", "Cost"], "sales"),
])
def test_the_kind_is_told_by_the_titles(store, titles, kind):
    assert kinds.detect("f.csv", titles) == kind


@pytest.mark.parametrize("titles", [["名字", "年龄"], ["客户编码", "不知道"], ["备注"]])
def test_no_kind_fits_names_the_titles_and_the_kinds(store, titles):
    with pytest.raises(RuleError) as err:
        kinds.detect("f.csv", titles)
    exc = err.value
    assert exc.key == "import.no_kind" and exc.values["headers"] == ", ".join(titles)
    assert "客户分类: 分类编码, 分类名称" in exc.values["expected_zh"]
    assert "Customers: Code, Name, Short name, Class" in exc.values["expected_en"]


def test_a_dimension_column_tells_a_customer_file(store):
    from db.archive import dimensions

    dimensions.create("region", "地区分类", "Regions", "2-2")
    assert kinds.detect("f.csv", ["客户编码", "地区分类"]) == "customers"


def _u8_class_file(tmp_path):
    path = tmp_path / "u8分类.csv"
    path.write_bytes("分类编码,分类名称\r\n05,新的一类\r\n05001,新的二级\r\n".encode("gbk"))
    return path


def test_a_gbk_class_file_with_u8_titles_imports_without_kind(store, tmp_path):
    plan = importer.plan(_u8_class_file(tmp_path))
    assert plan.kind == "classes" and plan.encoding == "gb18030" and len(plan.adds) == 2
    importer.commit(plan)
    assert classes.get("main", "05001").name == "新的二级"


def _shell(url, tmp_path, capsys):
    assert cli.main(["import", str(_u8_class_file(tmp_path)), "--db", url, "--lang", "en"]) == 0
    assert "2 added" in capsys.readouterr().out
    store = db.open_store(url)
    try:
        assert classes.get("main", "05001").name == "新的二级"
    finally:
        store.close()
    junk = tmp_path / "junk.csv"
    junk.write_text("名字,年龄\n甲,3\n", encoding="utf-8")
    assert cli.main(["import", str(junk), "--db", url, "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "名字, 年龄" in err and "Classes: Class code, Class name" in err


def test_shell_import_tells_the_kind(tmp_path, capsys):
    url = str(tmp_path / "k.db")
    db.open_store(url).close()
    _shell(url, tmp_path, capsys)


def test_shell_import_tells_the_kind_on_postgres(pg_url, tmp_path, capsys):  # noqa: F811
    db.open_store(pg_url).close()
    _shell(pg_url, tmp_path, capsys)
