"""Dimensions: listing, creating typed ones, the derived ones, and membership rules."""
from __future__ import annotations

import json

import pytest

from db.archive import classes, dimensions
from db.core.errors import ConflictError, RuleError
from db.core.models import ChangeLog, Customer, CustomerClass, Dimension


def _customer(code: str) -> Customer:
    return Customer.create(code=code, name=code, short_name=code, class_code="01")


def _region(store) -> None:
    dimensions.create("region", "地区分类", "Regions", "2-2", ["大区", "省份"])
    for code, name in (("01", "华北"), ("0101", "北京"), ("0102", "天津"), ("02", "华东")):
        classes.add("region", code, name)


def test_new_archive_has_main_then_derived_dimensions(store):
    codes = [d.code for d in dimensions.all_dimensions()]
    assert codes == ["main", "history", "scale", "profit"]
    names = {c.code: c.name for c in CustomerClass.select().join(Dimension)
             .where(Dimension.code == "history")}
    assert names == {"01": "新客户", "02": "老客户", "03": "过去的客户", "04": "潜在客户", "05": "问题客户"}


def test_ensure_derived_is_idempotent(store):
    with store.writing():
        dimensions.ensure_derived()
        dimensions.ensure_derived()
    assert Dimension.select().where(Dimension.derived == True).count() == 3  # noqa: E712
    assert CustomerClass.select().join(Dimension).where(Dimension.code == "profit").count() == 4


def test_typed_dimensions_come_before_derived(store):
    _region(store)
    dimensions.create("ownership", "所有制", "Ownership", "2", ["所有制"])
    codes = [d.code for d in dimensions.all_dimensions()]
    assert codes == ["main", "region", "ownership", "history", "scale", "profit"]
    assert dimensions.all_dimensions()[1].criteria == "大区\n省份"


@pytest.mark.parametrize("args, key", [
    (("Region", "地区"), "dimension_code.format"),
    (("main", "主"), "dimension_code.taken"),
    (("x", ""), "dimension_name.required"),
    (("x", "客户分类"), "dimension_name.taken"),
    (("x", "名" * 61), "dimension_name.too_long"),
])
def test_create_refusals(store, args, key):
    with pytest.raises(RuleError) as caught:
        dimensions.create(*args)
    assert caught.value.key == key


def test_create_checks_the_scheme(store):
    with pytest.raises(RuleError) as caught:
        dimensions.create("x", "某维度", scheme="2-9-9")
    assert caught.value.key == "scheme.too_long"


def test_set_membership_rules(store):
    _region(store)
    c = _customer("C1")
    version = dimensions.set_membership("C1", "region", "0101")
    assert version == c.version + 1
    assert dimensions.memberships("C1") == {"region": ("0101", "北京")}
    # Moving replaces: one class per dimension.
    dimensions.set_membership("C1", "region", "0102", version=version)
    assert dimensions.memberships("C1") == {"region": ("0102", "天津")}
    dimensions.set_membership("C1", "region", None)
    assert dimensions.memberships("C1") == {}
    logs = [json.loads(r.changes) for r in ChangeLog.select().where(ChangeLog.entity_code == "C1")
            .order_by(ChangeLog.id)]
    assert logs == [{"dimension:region": [None, "0101"]}, {"dimension:region": ["0101", "0102"]},
                    {"dimension:region": ["0102", None]}]


@pytest.mark.parametrize("dim, code, key", [
    ("region", "01", "dimension_member.not_leaf"),
    ("region", "09", "dimension_member.unknown_class"),
    ("history", "01", "dimension_member.derived"),
    ("main", "01", "dimension_member.main"),
    ("nowhere", "01", "dimension.unknown"),
])
def test_set_membership_refusals(store, dim, code, key):
    _region(store)
    _customer("C1")
    with pytest.raises(RuleError) as caught:
        dimensions.set_membership("C1", dim, code)
    assert caught.value.key == key


def test_set_membership_checks_version_and_customer(store):
    _region(store)
    _customer("C1")
    with pytest.raises(ConflictError):
        dimensions.set_membership("C1", "region", "0101", version=99)
    with pytest.raises(ConflictError):
        dimensions.set_membership("C9", "region", "0101")


def test_a_class_holding_members_cannot_get_children(store):
    _region(store)
    _customer("C1")
    dimensions.set_membership("C1", "region", "02")
    with pytest.raises(RuleError) as caught:
        classes.add("region", "0201", "上海")
    assert caught.value.key == "class.parent_has_customers"
