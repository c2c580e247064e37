"""Statistics per class at a level, drill-down, the unclassified row, per management type."""
from __future__ import annotations

import datetime as dt

import pytest

from db.archive import classes, dimensions
from db.evaluation import stats
from db.core.models import Customer, Sale

D = dt.date


@pytest.fixture
def archive(store):
    for code, name in (("01", "个人"), ("02", "中间商"), ("02001", "批发"), ("02002", "零售"), ("03", "政府")):
        classes.add("main", code, name)
    dimensions.create("region", "地区分类", "Regions", "2", ["大区"])
    classes.add("region", "01", "华北")
    rows = [("C1", "01", "VIP客户"), ("C2", "02001", "一般客户"), ("C3", "02002", "一般客户"),
            ("C4", "02002", "潜在客户")]
    for code, class_code, kind in rows:
        c = Customer.create(code=code, name=code, short_name=code, class_code=class_code, mgmt_type=kind)
        for n, (day, amount) in enumerate({"C1": [("2026-01-01", 100)],
                                           "C2": [("2025-01-01", 10), ("2026-05-01", 20)],
                                           "C3": [("2026-11-24", 1000)]}.get(code, [])):
            Sale.create(customer=c.id, date=D.fromisoformat(day), doc_no=f"{code}{n}", amount=amount)
    dimensions.set_membership("C1", "region", "01")
    return store


def test_by_class_level_one(archive):
    rows = stats.by_class("main", 1, as_of=D(2026, 11, 23))
    got = [(r.code, r.customers, r.amount_12, r.amount_all) for r in rows]
    # C3's sale is after the as-of date; 02 sums its sub-classes.
    assert got == [("01", 1, 100, 100), ("02", 3, 20, 30), ("03", 0, 0, 0)]


def test_drill_down_lists_the_children(archive):
    rows = stats.by_class("main", parent="02", as_of=D(2026, 11, 23))
    assert [(r.code, r.name, r.customers, r.amount_all) for r in rows] == [
        ("02001", "批发", 1, 30), ("02002", "零售", 2, 0)]
    assert stats.by_class("main", parent="02001") == []  # a leaf has no children


def test_other_dimension_has_an_unclassified_row(archive):
    rows = stats.by_class("region", 1, as_of=D(2026, 11, 30))
    assert [(r.code, r.customers, r.amount_12, r.amount_all) for r in rows] == [
        ("01", 1, 100, 100), ("", 3, 1020, 1030)]


def test_by_mgmt_type(archive):
    got = {s.mgmt_type: (s.customers, s.amount_12) for s in stats.by_mgmt_type(D(2026, 11, 23))}
    assert got == {"VIP客户": (1, 100), "一般客户": (2, 20), "潜在客户": (1, 0)}
