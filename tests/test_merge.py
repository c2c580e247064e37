"""并户 Merge: differences, picks, sales and dimension classes moving, history re-pointed,
sources gone from the archive and from locate, refusals."""
from __future__ import annotations

import datetime as dt

import pytest

from db.archive import classes, customers, dimensions, history, merge, search
from db.core.errors import ConflictError, RuleError
from db.core.models import Customer, Membership, Sale


@pytest.fixture
def three(seeded):
    dimensions.create("region", "地区分类", "Regions", "2-2")
    classes.add("region", "11", "华北")
    classes.add("region", "12", "华东")
    customers.create({"code": "T", "name": "北京华联商厦", "short_name": "华联", "class_code": "01",
                      "phone": "010-1"})
    customers.create({"code": "S1", "name": "华联商厦北京分店", "short_name": "华联北京",
                      "class_code": "02001", "region": "北京", "phone": "010-2"})
    customers.create({"code": "S2", "name": "华联商厦", "short_name": "华联", "class_code": "01"})
    customers.update("S1", {"email": "a@b.cn"}, 1)
    for code, day in (("S1", 1), ("S1", 2), ("S2", 3), ("T", 4)):
        Sale.create(customer=customers.get(code).id, date=dt.date(2026, 1, day), doc_no=f"D{day}",
                    amount=100)
    Membership.create(customer=customers.get("S1").id, dimension=classes.dimension("region").id,
                      class_code="11", customer_code="S1")
    Membership.create(customer=customers.get("S2").id, dimension=classes.dimension("region").id,
                      class_code="12", customer_code="S2")
    return seeded


def versions():
    return {c: customers.get(c).version for c in ("T", "S1", "S2")}


def test_differences(three):
    diff = {d.field: (d.target, d.sources) for d in merge.differences("T", ["S1", "S2"])}
    assert diff["name"] == ("北京华联商厦", ("华联商厦北京分店", "华联商厦"))
    assert diff["region"] == ("", ("北京", ""))
    assert "short_name" in diff and "code" not in diff and "currency" not in diff


def test_merge_moves_everything_and_records_it(three):
    kept = merge.merge("T", ["S1", "S2"], {"region": "S1", "email": "S1", "name": "华联集团"}, versions())
    assert (kept.code, kept.region, kept.email, kept.name, kept.phone) == ("T", "北京", "a@b.cn", "华联集团", "010-1")
    assert kept.version == 2
    assert Customer.select().where(Customer.code.in_(["S1", "S2"])).count() == 0
    assert Sale.select().where(Sale.customer == kept.id).count() == 4
    assert dimensions.memberships("T") == {"region": ("11", "华北")}  # the first source's
    assert Membership.select().count() == 1
    assert [h.code for h in search.locate("华联商厦")] == []
    assert [h.code for h in search.locate("华联集团")] == ["T"]
    entries = history.for_entity("customer", "T")
    top = entries[0]
    assert top.action == "merge" and top.changes[history.MERGED] == (None, ["S1", "S2"])
    assert top.changes["name"] == ("北京华联商厦", "华联集团")
    assert {e.origin for e in entries if e.action == "merged"} == {"S1", "S2"}
    assert [e.action for e in entries if e.origin == "S1"] == ["merged", "change", "add"]
    assert history.for_entity("customer", "S1") == []


@pytest.mark.parametrize("target, sources, key", [
    ("T", ["T"], "merge.self"), ("T", ["S1", "T"], "merge.self"), ("T", [], "merge.no_sources"),
    ("T", ["NOPE"], "conflict.deleted"), ("NOPE", ["S1"], "conflict.deleted"),
])
def test_refusals(three, target, sources, key):
    with pytest.raises(RuleError) as err:
        merge.merge(target, sources)
    assert err.value.key == key
    assert Customer.select().count() == 6


def test_changed_source_refuses_the_whole_merge(three):
    seen = versions()
    customers.update("S2", {"phone": "9"}, seen["S2"])
    with pytest.raises(ConflictError) as err:
        merge.merge("T", ["S1", "S2"], {"region": "S1"}, seen)
    assert err.value.key == "conflict.changed" and err.value.values["code"] == "S2"
    assert customers.get("S1") is not None and customers.get("T").region == ""
    assert Sale.select().where(Sale.customer == customers.get("T").id).count() == 1


def test_bad_typed_choice_is_refused_like_the_card(three):
    with pytest.raises(RuleError) as err:
        merge.merge("T", ["S1"], {"class_code": "02"}, versions())
    assert err.value.key == "customer.class_not_leaf"
    with pytest.raises(RuleError) as err:
        merge.merge("T", ["S1"], {"code": "S1"})
    assert err.value.key == "merge.field"


def test_the_target_takes_a_sources_tax_id(three):
    """The source leaves with the merge: its tax id is not "taken" from the one keeping it;
    a third customer's still is."""
    tax = "91110000802100433B"
    customers.update("S2", {"tax_id": tax}, customers.get("S2").version)
    kept = merge.merge("T", ["S2"], {"tax_id": "S2"})
    assert kept.tax_id == tax
    customers.update("S1", {"tax_id": "91110000600037341L"}, customers.get("S1").version)
    customers.create({"code": "S3", "name": "华联三店", "short_name": "华联三", "class_code": "01"})
    with pytest.raises(RuleError) as err:  # S1's number is still S1's while S3 is merged
        merge.merge("T", ["S3"], {"tax_id": "91110000600037341L"})
    assert err.value.key == "customer.tax_id_taken" and err.value.values["code"] == "S1"
