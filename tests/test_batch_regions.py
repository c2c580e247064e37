"""A batch modify of 所属地区 (db.lists.batch): 所属地区码 follows the text with its own history
(old → new), and the rule province → 地区分类 class applies to the rows changed, with their
membership's history, as the card's save does. On SQLite and PostgreSQL."""
from __future__ import annotations

import json

from db.archive import classes, customers, dimensions
from db.core.models import ChangeLog, Customer
from db.lists import batch
from tests.pg import any_store, pg_store, pg_url  # noqa: F401  (fixtures)


def _archive():
    classes.add("main", "01", "批发")
    dimensions.create("region", "地区分类", "Regions", "2-2", ["大区", "省"])
    for code, name in (("01", "华东"), ("0101", "浙江"), ("0102", "广东省"), ("02", "华北"), ("0201", "北京")):
        classes.add("region", code, name)
    customers.create({"code": "C1", "name": "甲", "short_name": "甲", "class_code": "01", "region": "浙江"})
    customers.create({"code": "C2", "name": "乙", "short_name": "乙", "class_code": "01", "region": "华北"})
    customers.create({"code": "C3", "name": "丙", "short_name": "丙", "class_code": "01", "region": "北京"})
    dimensions.set_membership("C3", "region", "0201")  # a person's choice: kept
    dimensions.set_membership("C1", "region", None)  # C1 left out of the dimension


def _batch_history(code: str) -> list[dict]:
    return [json.loads(r.changes) for r in ChangeLog.select().where(
        ChangeLog.entity_code == code, ChangeLog.action == "batch").order_by(ChangeLog.id)]


def test_the_region_code_has_its_history_and_the_class_follows(any_store):
    _archive()
    before = {r.code: r.region_code for r in Customer.select()}
    assert before == {"C1": "330000", "C2": "", "C3": "110000"}
    marks = [(r.code, r.version) for r in Customer.select().order_by(Customer.code)]
    batch.apply("region", "广东", marks)
    assert {(r.region, r.region_code) for r in Customer.select()} == {("广东", "440000")}
    assert _batch_history("C1") == [{"region": ["浙江", "广东"], "region_code": ["330000", "440000"]},
                                    {"dimension:region": [None, "0102"]}]
    assert _batch_history("C2") == [{"region": ["华北", "广东"], "region_code": ["", "440000"]},
                                    {"dimension:region": [None, "0102"]}]
    assert _batch_history("C3") == [{"region": ["北京", "广东"], "region_code": ["110000", "440000"]}]
    assert dimensions.memberships("C1")["region"][0] == "0102"
    assert dimensions.memberships("C3")["region"][0] == "0201"  # chosen by a person, not replaced
    # the versions moved with each write, so a card opened before is refused, not overwritten
    versions = {r.code: r.version for r in Customer.select()}
    assert versions["C1"] > dict(marks)["C1"] + 1 and versions["C3"] == dict(marks)["C3"] + 1


def test_a_text_with_the_same_code_or_none_writes_the_text_alone(any_store):
    _archive()
    marks = [(r.code, r.version) for r in Customer.select().where(Customer.code == "C1")]
    batch.apply("region", "浙江省", marks)  # the same province: the code does not change
    assert _batch_history("C1") == [{"region": ["浙江", "浙江省"]}, {"dimension:region": [None, "0101"]}]
    marks = [(r.code, r.version) for r in Customer.select().where(Customer.code == "C2")]
    batch.apply("region", "华南", marks)  # no place of the national table: no code, no class
    assert _batch_history("C2") == [{"region": ["华北", "华南"]}]
    assert "region" not in dimensions.memberships("C2")


def test_a_region_text_holding_null_is_logged_as_typed(any_store):
    _archive()
    marks = [(r.code, r.version) for r in Customer.select().where(Customer.code == "C1")]
    batch.apply("region", "null镇", marks)
    assert _batch_history("C1") == [{"region": ["浙江", "null镇"], "region_code": ["330000", ""]}]
