"""Issue 19 item 5 (a): the Classes sheet carries the 个人消费者 flag of each class (是 / 否),
and a restore or class import sets it again; a bad cell, or a personal class outside the
customer classes, is refused with its line."""
from __future__ import annotations

import db
from db.archive import classes, dimensions
from db.core.models import CustomerClass, Dimension
from db.transfer import importer
from tui import cli


def _personal() -> dict[tuple[str, str], bool]:
    return {(d, c): bool(p) for d, c, p in CustomerClass.select(
        Dimension.code, CustomerClass.code, CustomerClass.personal).join(Dimension).tuples()}


def test_the_personal_flag_goes_out_and_comes_back(tmp_path, capsys):
    source = str(tmp_path / "a.db")
    db.open_store(source)
    classes.add("main", "01", "个人消费者")
    classes.add("main", "01001", "城镇居民")
    classes.add("main", "02", "中间商客户")
    dimensions.create("region", "地区分类", "Regions", "2")
    classes.add("region", "11", "华北")
    classes.set_personal("01", True, classes.get("main", "01").version)
    marked = _personal()
    db.core.session.current().close()
    out = tmp_path / "all.xlsx"
    assert cli.main(["export", str(out), "--all", "--db", source, "--lang", "zh"]) == 0
    target = str(tmp_path / "b.db")
    assert cli.main(["import", str(out), "--db", target, "--lang", "en"]) == 0
    capsys.readouterr()
    db.open_store(target)
    assert _personal() == marked and marked[("main", "01")] and not marked[("main", "01001")]


def test_a_class_import_sets_and_clears_the_flag_and_refuses_bad_cells(tmp_path):
    db.open_store(str(tmp_path / "t.db"))
    classes.add("main", "01", "个人消费者")
    classes.add("main", "02", "中间商客户")
    dimensions.create("region", "地区分类", "Regions", "2")
    path = tmp_path / "classes.csv"
    path.write_text("维度编码,分类编码,分类名称,个人消费者\n"
                    "main,01,个人消费者,是\nmain,02,中间商客户,\nmain,03,制造商客户,也许\n"
                    "region,11,华北,yes\nmain,04,政府,no\n", encoding="utf-8")
    plan = importer.plan(path, kind="classes")
    assert sorted((p.line, p.field, p.key) for p in plan.rejected) == [
        (4, "personal", "customer.flag_invalid"), (5, "personal", "import.personal_main_only")]
    assert [(r.code, r.changes) for r in plan.updates] == [("01", {"personal": (False, True)})]
    importer.commit(plan, only_valid=True)
    assert {k: v for k, v in _personal().items() if k[0] == "main"} == {
        ("main", "01"): True, ("main", "02"): False, ("main", "04"): False}
    # an empty cell keeps the flag; with blank_clears it clears it
    path.write_text("维度编码,分类编码,分类名称,个人消费者\nmain,01,个人消费者,\n", encoding="utf-8")
    assert not importer.plan(path, kind="classes").updates
    cleared = importer.plan(path, kind="classes", blank_clears=True)
    importer.commit(cleared)
    assert not _personal()[("main", "01")]
