"""查重 in an import's plan (db.transfer.importer.duplicates): rows marked as likely duplicates
of a customer of the archive or of an earlier row of the file, with the code or the line and
the reason; warnings only, the rows still import. On SQLite and PostgreSQL."""
from __future__ import annotations

import json

from db.archive import classes, customers
from db.transfer import importer
from db.transfer.importer import duplicates as marks
from tests.pg import any_store, pg_store, pg_url  # noqa: F401  (fixtures)
from tui.cli import main as cli_main

HEADER = "客户编码,客户名称,客户简称,所属分类码,税号,电话,手机\n"


def _archive():
    classes.add("main", "01", "批发")
    customers.create({"code": "C000355", "name": "北京华联综合超市股份有限公司", "short_name": "北京华联",
                        "class_code": "01", "phone": "010-65123456", "mobile": "13912345678",
                        "tax_id": "91110000802100433B"})
    customers.create({"code": "C000400", "name": "广州正大商贸发展有限公司", "short_name": "广州正大",
                        "class_code": "01"})


def _plan(tmp_path, rows: str):
    path = tmp_path / "in.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return importer.plan(path)


def _marks(plan) -> dict[int, tuple]:
    return {m.line: (m.other_code, m.other_line, m.reasons) for m in plan.duplicates}


def test_rows_like_customers_of_the_archive_are_marked(any_store, tmp_path):
    _archive()
    plan = _plan(tmp_path, "C1,某某商店,某某,01,,6512 3456,\n"  # the phone without its area code
                           "C2,华联超市,华联,01,,,+86 139 1234 5678\n"  # the mobile, written otherwise
                           "C3,随便公司,随便,01,91110000802100433B,,\n"  # the tax id
                           "C4,北京华联综合超市有限公司,华联超市,01,,,\n"  # the name, another legal form
                           "C5,杭州新华书店,新华书店,01,,,\n"  # nothing alike
                           "C000400,广州正大商贸发展有限公司,广州正大,01,,,\n")  # an update of itself
    found = _marks(plan)
    assert found[2] == ("C000355", 0, ("phone",))
    assert found[3][0] == "C000355" and "mobile" in found[3][2]
    assert found[4] == ("C000355", 0, ("tax_id",))
    assert found[5] == ("C000355", 0, ("name",))
    assert 6 not in found and 7 not in found
    assert plan.duplicate_count == 4
    assert len(plan.adds) == 5  # warnings, not refusals: every new row still imports
    result = importer.commit(plan)
    assert result.added == 5


def test_rows_like_earlier_rows_of_the_file_are_marked(any_store, tmp_path):
    classes.add("main", "01", "批发")
    plan = _plan(tmp_path, "C1,杭州新华书店有限公司,新华书店,01,,0571-88881234,\n"
                           "C2,杭州新华书店股份有限公司,新华书店,01,,,\n"
                           "C3,某某公司,某某,01,,88881234,\n"
                           "C4,成都红旗连锁,红旗连锁,01,,,\n"
                           "C5,成都红旗连锁股份有限公司,红旗,99,,,\n")  # refused (class): not marked
    found = _marks(plan)
    assert found == {3: ("C1", 2, ("name",)), 4: ("C1", 2, ("phone",))}
    assert plan.rejected_lines == [6]


def test_marks_held_are_bounded_and_counted(any_store, tmp_path, monkeypatch):
    classes.add("main", "01", "批发")
    monkeypatch.setattr(marks, "SHOWN", 3)
    rows = "".join(f"C{i},上海万佳百货股份有限公司,万佳,01,,,\n" for i in range(8))
    plan = _plan(tmp_path, rows)
    assert plan.duplicate_count == 7  # every row but the first
    assert [m.line for m in plan.duplicates] == [3, 4, 5]


def test_kehu_import_prints_the_marks(tmp_path, capsys):
    import db

    store = db.open_store(str(tmp_path / "a.db"))
    _archive()
    store.close()
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "C1,某某商店,某某,01,,010-65123456,\n", encoding="utf-8")
    assert cli_main(["--db", str(tmp_path / "a.db"), "--lang", "zh", "import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 行可能重复 (仍会导入)" in out
    assert "第 2 行 某某商店: 可能重复 C000355（电话相同）" in out
    assert cli_main(["--db", str(tmp_path / "a.db"), "--lang", "en", "import", str(path), "--dry-run",
                     "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["duplicate_rows"] == 1
    assert found["duplicates"][0] | {} == {"line": 2, "code": "C1", "name": "某某商店", "other_code": "C000355",
                                           "other_name": "北京华联综合超市股份有限公司", "other_line": None,
                                           "score": 85, "reasons": ["phone"], "stopped": False}


def test_a_read_only_store_marks_rows_like_its_customers(tmp_path):
    import db

    store = db.open_store(str(tmp_path / "a.db"))
    _archive()
    store.close()
    db.open_store(str(tmp_path / "a.db"), read_only=True)
    plan = _plan(tmp_path, "C1,某某商店,某某,01,,010-65123456,\nC2,某某商店,某某,01,,,\n")
    assert _marks(plan) == {2: ("C000355", 0, ("phone",))}  # no temporary table for the file's own rows
