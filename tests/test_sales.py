"""The sales performance record: adding sales and the 业绩 figures."""
from __future__ import annotations

import datetime as dt

import pytest

from db.archive import sales
from db.core.errors import RuleError
from db.core.models import Customer

D = dt.date


@pytest.fixture
def buyer(store):
    Customer.create(code="C1", name="甲", short_name="甲", class_code="01")
    Customer.create(code="C2", name="乙", short_name="乙", class_code="01")
    return "C1"


def test_add_and_performance(buyer):
    sales.add("C1", D(2024, 12, 31), "S1", 100_00, 60_00)
    sales.add("C1", D(2025, 1, 1), "S2", 200_00, 150_00)
    sales.add("C1", D(2025, 11, 23), "S3", 300_00, 100_00)  # exactly 12 months before as_of
    sales.add("C1", D(2025, 11, 24), "S4", 400_00, 100_00)
    sales.add("C1", D(2026, 1, 1), "S5", 500_00, 0)
    sales.add("C1", D(2026, 11, 23), "S6", -50_00, -30_00)  # a return, on the as-of day
    p = sales.performance("C1", D(2026, 11, 23), recent=3)
    assert p.this_year == sales.Totals(450_00, -30_00, 2)
    assert p.last_year == sales.Totals(900_00, 350_00, 3)
    assert p.last_12_months == sales.Totals(850_00, 70_00, 3)
    assert p.last_12_months.profit == 780_00
    assert p.all_time.orders == 6 and p.all_time.amount == 1450_00
    assert (p.first_date, p.last_date) == (D(2024, 12, 31), D(2026, 11, 23))
    assert [r.doc_no for r in p.recent] == ["S6", "S5", "S4"]
    assert p.recent[0].profit == -20_00


def test_performance_as_of_an_earlier_date_ignores_later_sales(buyer):
    sales.add("C1", D(2024, 2, 29), "S1", 100, 0)
    sales.add("C1", D(2025, 6, 1), "S2", 100, 0)
    p = sales.performance("C1", D(2025, 2, 28))
    assert p.last_12_months.orders == 1  # 29 Feb 2024 is after 28 Feb 2024
    assert p.last_date == D(2024, 2, 29)
    assert sales.performance("C1", D(2025, 3, 1)).last_12_months.orders == 0


def test_performance_without_sales(buyer):
    p = sales.performance("C2", D(2026, 11, 23))
    assert p.all_time == sales.Totals() and p.first_date is None and p.recent == []


@pytest.mark.parametrize("args, key", [
    (("C9", D(2026, 1, 1), "X", 1), "sales.customer_unknown"),
    (("C1", D(2026, 11, 24), "X", 1), "sales.date_future"),
    (("C1", "2026-01-01", "X", 1), "sales.date_required"),
    (("C1", D(2026, 1, 1), " ", 1), "sales.doc_required"),
    (("C1", D(2026, 1, 1), "X" * 31, 1), "sales.doc_too_long"),
    (("C1", D(2026, 1, 1), "X", 1.5), "sales.money_type"),
    (("C1", D(2026, 1, 1), "X", True), "sales.money_type"),
    (("C1", D(2026, 1, 1), "X", 10**15), "sales.money_range"),
])
def test_add_refusals(buyer, args, key):
    with pytest.raises(RuleError) as caught:
        sales.add(*args)
    assert caught.value.key == key


def test_document_number_unique_per_customer(buyer):
    sales.add("C1", D(2026, 1, 1), "S1", 1)
    sales.add("C2", D(2026, 1, 1), "S1", 1)  # another customer's document may share it
    with pytest.raises(RuleError) as caught:
        sales.add("C1", D(2026, 2, 1), "S1", 1)
    assert caught.value.key == "sales.doc_taken"
