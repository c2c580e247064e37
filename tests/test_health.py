"""The classification health check finds each kind of finding on a crafted database."""
from __future__ import annotations

import datetime as dt

import pytest

from db.archive import classes, dimensions
from db.evaluation import health, rules
from db.core.models import Customer, Dimension, Membership


def _customer(code: str, class_code: str = "01", **fields) -> Customer:
    return Customer.create(code=code, name=code, short_name=code, class_code=class_code, **fields)


def _kinds(findings) -> dict[tuple[str, str], health.Finding]:
    return {(f.kind, f.dimension): f for f in findings}


@pytest.fixture
def clean(store):
    """A small archive with nothing to report: every class used, every level named, every
    customer classified and evaluated."""
    classes.set_scheme("main", "2-3", ["客户性质", "行业"])
    for code, name in (("01", "个人消费者"), ("02", "中间商客户"), ("02001", "批发商"), ("02002", "零售商")):
        classes.add("main", code, name)
    dimensions.create("region", "地区分类", "Regions", "2", ["大区"])
    for code, name in (("01", "华北"), ("02", "华东")):
        classes.add("region", code, name)
    for code, main, region in (("C1", "01", "01"), ("C2", "02001", "02"), ("C3", "02002", "02")):
        _customer(code, main)
        dimensions.set_membership(code, "region", region)
    rules.apply(rules.evaluate().run_id)
    Customer.update(completeness=100).execute()  # 全面体检: complete cards, as far as it knows
    return store


def test_clean_archive_has_no_findings(clean):
    assert health.check() == []


def test_each_kind_is_found(clean):
    # uncovered: a customer with no region; misplaced: main class missing
    _customer("C4", "09")
    # empty leaf and a single child: 03 with the one child 03001, which holds nobody
    classes.add("main", "03", "制造商客户")
    classes.add("main", "03001", "电子")
    # a second level without criterion, not in use yet: no finding
    classes.set_scheme("region", "2-2", ["大区", ""])
    # sibling names differing only in spacing / full-width punctuation
    classes.add("region", "03", "华 南（广东）")
    classes.add("region", "04", "华南(广东)")
    # a stopped VIP
    Customer.update(mgmt_type="VIP客户", stop_date=dt.date(2026, 1, 1)).where(
        Customer.code == "C1").execute()
    # a customer not yet evaluated
    found = _kinds(health.check(samples=5))
    assert found[("uncovered", "region")].count == 1
    assert found[("uncovered", "region")].samples == ["C4"]
    assert found[("unevaluated", "history")].samples == ["C4"]
    assert found[("misplaced", "main")].samples == ["C4"]
    assert found[("empty_leaf", "main")].samples == ["03001"]
    assert found[("empty_leaf", "region")].samples == ["03", "04"]
    assert found[("single_child", "main")].samples == ["03"]
    assert ("criterion_missing", "region") not in found  # level 2 holds no class yet
    assert found[("similar_names", "region")].samples == ["03", "04"]
    assert found[("stopped_vip", "")].samples == ["C1"]
    assert found[("stopped_vip", "")].key == "health.stopped_vip"
    levels = [f.level for f in health.check()]
    assert levels == sorted(levels, key=lambda lv: lv != "error")
    assert health.has_errors(health.check())


def test_criterion_missing_for_a_level_in_use(clean):
    classes.set_scheme("region", "2-2", ["大区", ""])
    classes.add("region", "03", "华南")
    classes.add("region", "0301", "广东")
    found = _kinds(health.check())
    assert found[("criterion_missing", "region")].samples == ["2"]
    assert found[("criterion_missing", "region")].level == "warning"


def test_misplaced_membership(clean):
    classes.set_scheme("region", "2-2", ["大区", "省份"])
    dim = Dimension.get(Dimension.code == "region")
    Membership.update(class_code="09").where(Membership.dimension == dim.id,
                                              Membership.customer_code == "C2").execute()
    found = _kinds(health.check())
    assert found[("misplaced", "region")].samples == ["C2"]
    assert found[("misplaced", "region")].level == "error"


def test_stopped_vip_counts_only_from_the_stop_date(clean):
    Customer.update(mgmt_type="VIP客户", stop_date=dt.date(2026, 11, 24)).where(
        Customer.code == "C1").execute()
    assert ("stopped_vip", "") not in _kinds(health.check(as_of=dt.date(2026, 11, 23)))
    assert ("stopped_vip", "") in _kinds(health.check(as_of=dt.date(2026, 11, 24)))


@pytest.mark.parametrize("a, b", [
    ("华南", "华 南"), ("华南", "华南　"), ("华南(广东)", "华南（广东）"), ("华东、华南", "华东,华南"),
    ("《华南》", "华南"), ("Retail Shops", "retail-shops"), ("ＡＢＣ", "abc"),
])
def test_normalise_ignores_spacing_punctuation_and_width(a, b):
    assert health.normalise(a) == health.normalise(b)


def test_normalise_keeps_real_differences():
    assert health.normalise("华南") != health.normalise("华北")
    assert health.normalise("A1") != health.normalise("A2")


def test_personal_customers_with_a_bad_id_number_are_found(clean):
    """Issue 19 item 5 (b): numbers typed before the class was marked personal."""
    classes.set_personal("01", True, classes.get("main", "01").version)
    _customer("P1", "01", tax_id="360426199101010072")  # a wrong check character
    _customer("P2", "01", tax_id="11010519491231002X")  # valid
    _customer("P3", "01", tax_id="91110000802100433B")  # a company's code, not a person's
    _customer("P4", "01")  # empty: the completeness counts it, not this finding
    _customer("P5", "01", tax_id="92440104015241931G")  # a sole trader's USCC: theirs
    _customer("B1", "02001", tax_id="123")  # not personal: not this finding's
    found = _kinds(health.check(samples=5))[("bad_id_number", "")]
    assert (found.count, found.samples, found.level) == (2, ["P1", "P3"], "warning")
    classes.set_personal("01", False, classes.get("main", "01").version)
    assert health.bad_id_numbers() == []
