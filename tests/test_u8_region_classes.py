"""U8's 所属地区码 is U8's own 地区分类 class code (01 = 华北), not a GB/T 2260 code: in an
import, a cell that is no national code but a class code of the 地区分类 dimension puts the
customer in that class (the file's own 地区分类 cell, when filled, wins); a national code or a
region name stays 所属地区码, and a value that is neither is refused as before."""
from __future__ import annotations

import csv

from db.archive import classes, customers, dimensions
from db.transfer import importer
from db.values.columns import U8_CUSTOMER_TITLES
from tests.pg import any_store, pg_store, pg_url  # noqa: F401  (fixtures)

TITLES = [title for _, title in U8_CUSTOMER_TITLES]


def _archive():
    classes.add("main", "01", "批发")
    dimensions.create("region", "地区分类", "Regions", "2-2", ["大区", "省"])
    for code, name in (("01", "华北"), ("0101", "北京"), ("02", "华东")):
        classes.add("region", code, name)


def _file(tmp_path, rows: list[tuple[str, str]], titles=TITLES):
    """A U8 customer file: (code, 所属地区码) per row, the other cells empty but the names."""
    path = tmp_path / "u8.csv"
    with open(path, "w", encoding="gbk", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(titles)
        for code, region in rows:
            cells = [""] * len(titles)
            cells[:5] = [code, f"客户{code}", f"客户{code}", "01", region]
            writer.writerow(cells)
    return path


def test_a_u8_region_class_code_places_the_customer_in_that_class(any_store, tmp_path):
    _archive()
    path = _file(tmp_path, [("C1", "02"), ("C2", "110000"), ("C3", "北京"), ("C4", "0101")])
    plan = importer.plan(path)
    assert plan.rejected == []
    importer.commit(plan)
    got = {r.code: (r.region, r.region_code) for r in
           customers.Customer.select().order_by(customers.Customer.code)}
    assert got == {"C1": ("", ""), "C2": ("北京市", "110000"), "C3": ("北京市", "110000"), "C4": ("", "")}
    assert dimensions.memberships("C1") == {"region": ("02", "华东")}
    assert dimensions.memberships("C4") == {"region": ("0101", "北京")}
    assert "region" not in dimensions.memberships("C2")


def test_an_update_keeps_its_code_and_a_non_leaf_or_unknown_value_is_refused(any_store, tmp_path):
    _archive()
    customers.create({"code": "C1", "name": "甲", "short_name": "甲", "class_code": "01", "region": "浙江"})
    plan = importer.plan(_file(tmp_path, [("C1", "02"), ("C5", "01"), ("C6", "99")]))
    assert plan.updates[0].changes["dim:region"] == ("", "02")
    assert "region_code" not in plan.updates[0].changes  # 330000 stays with 浙江
    refused = {p.line: (p.field, p.key) for p in plan.rejected}
    assert refused[3] == ("dim:region", "customer.class_not_leaf")  # 01 华北 has sub-classes: it holds no customers
    assert refused[4] == ("region_code", "customer.region_code")  # no code, no class: as before


def test_without_a_region_dimension_a_class_code_is_refused_as_before(any_store, tmp_path):
    classes.add("main", "01", "批发")
    plan = importer.plan(_file(tmp_path, [("C1", "01")]))
    assert [(p.field, p.key) for p in plan.rejected] == [("region_code", "customer.region_code")]


def test_a_file_with_the_region_text_alone_is_read_as_before(any_store, tmp_path):
    _archive()
    path = tmp_path / "text.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类码,所属地区\nC1,甲,甲,01,北京\n", encoding="utf-8")
    plan = importer.plan(path)
    assert plan.rejected == [] and "dim:region" not in plan.fields
    importer.commit(plan)
    assert customers.get("C1").region_code == "110000"
