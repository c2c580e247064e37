"""Issue 16: the import's defects (empty cells, row versions, CSV shapes, broken files, messages)."""
from __future__ import annotations

import datetime as dt

import pytest

import db
from db.archive import classes, customers
from db.core.errors import ConflictError, RuleError
from db.core.models import ChangeLog
from db.transfer import importer
from tests.pg import pg_store, pg_url  # noqa: F401  (fixtures)

HEADER = "客户编码,客户名称,客户简称,所属分类码,所属地区,税号,发展日期,Email\n"
ROW = "C000005,王小明改名,王小明,01003,广东,,,\n"


@pytest.fixture
def wang(tmp_path):
    s = db.open_store(str(tmp_path / "t.db"))
    classes.add("main", "01", "批发")
    classes.add("main", "01003", "华南")
    customers.create({"code": "C000005", "name": "王小明", "short_name": "王小明", "class_code": "01003",
                      "region": "广东", "tax_id": "91110000802100433B", "dev_date": dt.date(2024, 3, 5),
                      "email": "wxm@example.com", "credit_limit": "100"})
    yield s
    s.close()


def write(tmp_path, text, name="c.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_empty_cell_keeps_the_stored_value_by_default(wang, tmp_path):
    plan = importer.plan(write(tmp_path, HEADER + ROW))
    assert not plan.blank_clears
    assert [r.changes for r in plan.updates] == [{"name": ("王小明", "王小明改名")}]
    importer.commit(plan)
    row = customers.get("C000005")
    assert (row.name, row.tax_id, row.dev_date, row.email) == (
        "王小明改名", "91110000802100433B", dt.date(2024, 3, 5), "wxm@example.com")


def test_an_empty_required_cell_keeps_the_stored_value_too(wang, tmp_path):
    plan = importer.plan(write(tmp_path, "客户编码,客户名称,客户简称,信用额度\nC000005,,王小明,\n"))
    assert plan.rejected == [] and plan.unchanged == 1


def test_clearing_is_an_explicit_choice(wang, tmp_path):
    plan = importer.plan(write(tmp_path, HEADER + ROW), blank_clears=True)
    assert plan.blank_clears
    assert set(plan.updates[0].changes) == {"name", "tax_id", "dev_date", "email"}
    importer.commit(plan)
    row = customers.get("C000005")
    assert (row.tax_id, row.dev_date, row.email) == ("", None, "")


@pytest.fixture
def archive(wang, tmp_path, monkeypatch):
    """The store's file, closed, for the shell to open."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("KEHU_DB", raising=False)
    wang.close()
    return tmp_path / "t.db"


def run(archive, *args):
    from tui import cli

    return cli.main(["--db", str(archive), "--lang", "en", *args])


def test_the_shell_keeps_empty_cells_unless_blank_clears(archive, tmp_path, capsys):
    src = write(tmp_path, HEADER + ROW)
    assert run(archive, "import", str(src), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Empty cells keep the stored values (--blank-clears clears them)" in out
    assert "0 to add, 1 to update" in out and "tax_id" not in out and "税号" not in out
    assert run(archive, "import", str(src), "--blank-clears", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Empty cells clear the stored values" in out and "Tax ID: 91110000802100433B -> " in out


def test_the_shell_s_refusal_names_only_valid(archive, tmp_path, capsys):
    src = write(tmp_path, HEADER + "C9,新,新,09,,,,\n")
    assert run(archive, "import", str(src)) == 2
    assert "add --only-valid to import only the valid ones" in capsys.readouterr().err


async def test_f7_on_the_prompt_chooses_to_clear(seeded, tmp_path, monkeypatch):
    from tests.ui import make_app, press, settle, type_text
    from tui.screens.import_screen import ImportPreviewScreen, ImportPromptScreen

    monkeypatch.chdir(tmp_path)
    code = seeded_code()
    write(tmp_path, "客户编码,税号\n" + code + ",\n")
    app = make_app(seeded, start="archive")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+l")
        assert isinstance(app.screen, ImportPromptScreen)
        assert "保留原值" in str(app.screen.query_one("#import-blanks").render())
        await type_text(pilot, "c.csv")
        await press(pilot, "f7")
        assert "清空原值" in str(app.screen.query_one("#import-blanks").render())
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportPreviewScreen)
        assert app.screen.plan.blank_clears
        assert "空单元格清空原值" in str(app.screen.query_one("#preview-counts").render())


def seeded_code() -> str:
    from db.core.models import Customer

    return Customer.select(Customer.code).order_by(Customer.code).first().code


def test_a_row_changed_since_the_preview_is_refused_as_the_card_s_save(wang, tmp_path, monkeypatch):
    plan = importer.plan(write(tmp_path, HEADER + ROW))
    row = customers.get("C000005")
    monkeypatch.setattr("db.core.clock.user", lambda: "李会计")
    customers.update("C000005", {"email": "new@example.com"}, row.version)
    with pytest.raises(ConflictError) as caught:
        importer.commit(plan)
    assert caught.value.key == "conflict.changed" and caught.value.values["who"] == "李会计"
    assert caught.value.values["when"]
    assert customers.get("C000005").name == "王小明"  # nothing written
    assert not ChangeLog.select().where(ChangeLog.batch == plan.batch).exists()


def test_a_row_deleted_since_the_preview_is_refused(wang, tmp_path):
    plan = importer.plan(write(tmp_path, HEADER + ROW))
    customers.delete("C000005", customers.get("C000005").version)
    with pytest.raises(ConflictError) as caught:
        importer.commit(plan)
    assert caught.value.key == "conflict.deleted"


def test_two_imports_of_one_customer_never_lose_an_update(wang, tmp_path):
    first = importer.plan(write(tmp_path, HEADER + ROW, "a.csv"))
    second = importer.plan(write(tmp_path, HEADER + "C000005,王小明二改,王小明,01003,广东,,,\n", "b.csv"))
    importer.commit(first)
    with pytest.raises(ConflictError):
        importer.commit(second)
    assert customers.get("C000005").name == "王小明改名"


def test_the_history_holds_the_values_the_commit_replaced(wang, tmp_path):
    from db.core.models import Customer

    plan = importer.plan(write(tmp_path, "客户编码,Email\nC000005,new@example.com\n"))
    # A write that left the version as it was (another program on the database, say).
    Customer.update(email="raw@example.com").where(Customer.code == "C000005").execute()
    importer.commit(plan)
    entry = ChangeLog.get(ChangeLog.batch == plan.batch)
    assert '"email": ["raw@example.com", "new@example.com"]' in entry.changes


def test_a_stale_row_is_refused_on_postgres_too(pg_store, tmp_path):  # noqa: F811
    classes.add("main", "01", "批发")
    customers.create({"code": "C1", "name": "甲", "short_name": "甲", "class_code": "01"})
    plan = importer.plan(write(tmp_path, "客户编码,客户名称\nC1,甲改\n"))
    customers.update("C1", {"name": "甲二"}, 1)
    with pytest.raises(ConflictError):
        importer.commit(plan)
    assert customers.get("C1").name == "甲二"


def test_a_csv_row_with_more_fields_than_the_header_is_refused(wang, tmp_path):
    path = write(tmp_path, "客户编码,客户名称,客户简称,所属分类码\nC7,甲,甲,01003\nC8,广州,天河,乙,乙,01003\n")
    with pytest.raises(RuleError) as caught:
        importer.plan(path)
    assert caught.value.key == "tabular.too_many_fields"
    assert caught.value.values == {"path": str(path), "line": 3, "fields": 6, "titles": 4}
    # Empty fields past the header (a trailing comma) move nothing: read as before.
    assert [r.code for r in importer.plan(write(tmp_path, "客户编码,客户名称,客户简称,所属分类码\n"
                                                          "C7,甲,甲,01003,,\n")).adds] == ["C7"]


def test_a_multi_line_record_is_named_by_its_first_line(wang, tmp_path):
    text = '客户编码,客户名称,客户简称,所属分类码,备注\nC7,甲,甲,01003,"一\n二\n三"\nC9,丙,丙,02,\n'
    plan = importer.plan(write(tmp_path, text))
    assert [(r.line, r.code) for r in plan.adds] == [(2, "C7")]
    assert [p.line for p in plan.rejected] == [5]  # C9, after the three lines of C7


def test_a_csv_error_names_the_record_s_first_line(wang, tmp_path):
    import csv

    path = write(tmp_path, '客户编码,备注\nC1,"长长的\n备注\n写了三行"\n', "q.csv")
    limit = csv.field_size_limit(8)  # a field the csv module refuses, from line 2 to line 4
    try:
        with pytest.raises(RuleError) as caught:
            importer.plan(path)
    finally:
        csv.field_size_limit(limit)
    assert caught.value.key == "tabular.csv_error" and caught.value.values["line"] == 2


def broken_xlsx(tmp_path, part):
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["客户编码", "客户名称"])
    book.active.append(["C1", "甲"])
    good = tmp_path / "good.xlsx"
    book.save(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item, data[: len(data) // 2] + b"<<" if item.filename == part else data)
    return bad


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_a_damaged_xlsx_is_one_line(wang, tmp_path, part):
    with pytest.raises(RuleError) as caught:
        importer.plan(broken_xlsx(tmp_path, part))
    assert caught.value.key == "tabular.damaged" and "not well-formed" in caught.value.values["reason"]


def test_utf16_and_nul_bytes_say_what_and_where(wang, tmp_path):
    text = "客户编码,客户名称\nC1,甲\n"
    for encoding in ("utf-16", "utf-16-le"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding) if encoding == "utf-16" else "code,name\nC1,x\n".encode(encoding))
        with pytest.raises(RuleError) as caught:
            importer.plan(path)
        assert caught.value.key == "tabular.utf16"
    path = tmp_path / "nul.csv"
    path.write_bytes("客户编码,客户名称\nC1,甲\nC2,乙\x00\n".encode())
    with pytest.raises(RuleError) as caught:
        importer.plan(path)
    assert caught.value.key == "tabular.nul_byte"
    assert caught.value.values["line"] == 3
    assert caught.value.values["offset"] == len("客户编码,客户名称\nC1,甲\nC2,乙".encode()) + 1


def test_an_unknown_dimension_is_refused_naming_the_valid_ones(archive, tmp_path, capsys):
    src = write(tmp_path, HEADER + ROW)
    for kind in ("customers", "sales"):
        assert run(archive, "import", str(src), "--kind", kind, "--dimension", "nosuch", "--dry-run") == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "There is no dimension nosuch" in err and "main" in err
    assert run(archive, "import", str(src), "--dimension", "main", "--dry-run") == 0


def formula_xlsx(tmp_path):
    """C000005's 税号 a formula Excel never computed (as openpyxl writes it), and a formula
    whose saved result is an empty text (t="str", not a missing value)."""
    import zipfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["客户编码", "客户名称", "税号", "Email"])
    book.active.append(["C000005", "王小明改名", "=A1&A1", "=A1"])
    good = tmp_path / "raw.xlsx"
    book.save(good)
    path = tmp_path / "formula.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="D2"><f>A1</f><v /></c>', b'<c r="D2" t="str"><f>A1</f><v></v></c>')
                assert b't="str"' in data
            out.writestr(item, data)
    return path


def test_a_formula_with_no_saved_value_is_named(wang, tmp_path):
    plan = importer.plan(formula_xlsx(tmp_path))
    assert plan.unsaved == [(2, "税号")]
    assert [r.changes for r in plan.updates] == [{"name": ("王小明", "王小明改名")}]


def test_the_shell_names_the_formula_cell(archive, tmp_path, capsys):
    assert run(archive, "import", str(formula_xlsx(tmp_path)), "--dry-run") == 0
    out = capsys.readouterr().out
    assert ("row 2, column 税号: a formula without a saved value, read as empty; "
            "open and save the file in Excel first") in out


async def test_the_preview_names_the_formula_cell(wang, tmp_path):
    from tests.ui import make_app, settle
    from tui.screens.import_screen import ImportPreviewScreen

    app = make_app(wang, start="archive")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ImportPreviewScreen(importer.plan(formula_xlsx(tmp_path))))
        await settle(pilot)
        counts = str(app.screen.query_one("#preview-counts").render())
        assert "1 个单元格的公式没有保存的值, 按空值读取: 请先在 Excel 中打开并保存文件" in counts
        rows = app.screen.query_one("#preview-rows")
        texts = [str(rows.get_option_at_index(i).prompt) for i in range(rows.option_count)]
        assert texts[:2] == ["公式没有保存的值 (1)", "第 2 行   税号        公式没有保存的值, 按空值读取"]


@pytest.mark.parametrize("lang, header, labels, others", [
    ("zh", "code,name,short_name,class_code\n", ("客户名称: 王小明 -> 王小明改名", "[所属分类]"), ("name:", "class_code")),
    ("en", "客户编码,客户名称,客户简称,所属分类码\n", ("Name: 王小明 -> 王小明改名", "[Class]"), ("客户名称", "所属分类码")),
])
def test_the_preview_names_fields_in_its_own_language(archive, tmp_path, capsys, lang, header, labels, others):
    """Issue 16 item 41: the English preview named fields in Chinese (the file's headers),
    the Chinese one `class_code`."""
    from tui import cli

    src = write(tmp_path, header + "C000005,王小明改名,王小明,01003\nC9,新,新,09\n")
    assert cli.main(["--db", str(archive), "--lang", lang, "import", str(src), "--dry-run"]) == 2
    out = capsys.readouterr().out
    assert all(label in out for label in labels), out
    assert not any(other in out for other in others), out


def test_the_screen_s_preview_names_fields_in_its_own_language(wang, tmp_path):
    from tui.i18n import set_lang
    from tui.screens.import_screen import column_name

    plan = importer.plan(write(tmp_path, "客户编码,客户名称,所属分类码\nC000005,王小明改名,01003\n"))
    set_lang("en")
    assert (column_name(plan, "name"), column_name(plan, "class_code")) == ("Name", "Class")
    set_lang("zh")
    plan = importer.plan(write(tmp_path, "code,name,class_code\nC000005,王小明改名,01003\n"))
    assert (column_name(plan, "name"), column_name(plan, "class_code")) == ("客户名称", "所属分类")


def test_missing_columns_are_named_in_the_language_in_force(archive, tmp_path, capsys):
    from tui import cli

    src = write(tmp_path, "客户编码,客户名称\nC000005,王小明改名\n")
    assert cli.main(["--db", str(archive), "--lang", "zh", "import", str(src), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "客户简称, 所属分类" in out and "short_name" not in out
