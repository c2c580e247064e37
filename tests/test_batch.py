"""批改 Batch modify: values checked like the card, marks and whole lists, every skip reason,
one history row per changed customer, result paging, all or nothing."""
from __future__ import annotations

import pytest

from db.lists import batch, paging
from db.archive import customers, history
from db.core.errors import RuleError, StoreError
from db.core.models import BatchRow, ChangeLog, Customer


@pytest.fixture
def archive(seeded):
    for n, cls in enumerate(["01", "01", "02001", "02001", "020020002"]):
        customers.create({"code": f"K{n}", "name": f"客户{n}", "short_name": f"客户{n}",
                          "class_code": cls, "dev_date": "2024-06-01"})
    return seeded


def marks(*codes):
    return [(c, customers.get(c).version) for c in codes]


@pytest.mark.parametrize("field, raw, key", [
    ("class_code", "02", "customer.class_not_leaf"),
    ("class_code", "99", "customer.class_unknown"),
    ("class_code", "", "customer.required"),
    ("mgmt_type", "超级客户", "customer.choice"),
    ("stop_date", "2024-02-30", "date.invalid"),
    ("name", "x", "batch.field"),
])
def test_value_checked_like_the_card(archive, field, raw, key):
    with pytest.raises(RuleError) as err:
        batch.apply(field, raw, marks("K0"))
    assert err.value.key == key
    assert not BatchRow.select().exists()


def test_preview_and_clean_values(archive):
    p = batch.preview("stop_date", "2025/1/2", paging.ListQuery(prefix="01"))
    assert (p.text, p.total) == ("2025-01-02", 2 + 1)  # C001 of conftest is in 01 too
    assert batch.validate_value("mgmt_type", "vip客户") == "VIP客户"


def test_marks_every_outcome(archive):
    stale = marks("K0", "K1", "K2", "K3")
    customers.update("K1", {"region": "上海"}, stale[1][1])  # changed by someone else
    customers.delete("K2", stale[2][1])  # deleted
    customers.update("K3", {"region": "北京"}, stale[3][1])  # will already hold the value
    stale[3] = ("K3", customers.get("K3").version)
    result = batch.apply("region", "北京", stale + [("K9", 1)])
    assert (result.total, result.changed) == (5, 1)
    assert result.skipped == {"changed": 1, "deleted": 2, "same": 1}
    got = {r.code: (r.outcome, r.reason) for r in batch.rows(result.run)}
    assert got == {"K0": ("changed", ""), "K1": ("skipped", "changed"), "K2": ("skipped", "deleted"),
                   "K3": ("skipped", "same"), "K9": ("skipped", "deleted")}
    k0 = customers.get("K0")
    assert k0.region == "北京" and k0.version == 2 and k0.modified_by
    logged = history.for_entity("customer", "K0")[0]
    # 所属地区码 follows the text, its old value in the history too (tests/test_batch_regions.py)
    assert (logged.action, logged.changes, logged.batch) == (
        "batch", {"region": ("", "北京"), "region_code": ("", "110000")}, result.batch)
    assert ChangeLog.select().where(ChangeLog.batch == result.batch).count() == 1


def test_stop_date_rule_per_row(archive):
    customers.update("K4", {"dev_date": "2026-01-01"}, 1)
    result = batch.apply("stop_date", "2025-06-30", marks("K0", "K4"))
    assert result.skipped == {"stop_before_dev": 1} and result.changed == 1
    assert str(customers.get("K0").stop_date) == "2025-06-30" and customers.get("K4").stop_date is None
    again = batch.apply("stop_date", "", marks("K0"))  # cleared: enabled again
    assert again.changed == 1 and customers.get("K0").stop_date is None


def test_whole_list_with_watermark(archive):
    q = paging.ListQuery(prefix="02")
    mark = history.watermark()
    customers.update("K3", {"phone": "1"}, 1)  # changed after marking
    result = batch.apply("class_code", "03002", q, since=mark)
    assert (result.total, result.changed, result.skipped) == (5, 4, {"changed": 1})
    assert paging.count(paging.ListQuery(prefix="03002")) == 4
    assert customers.get("K3").class_code == "02001"
    assert [r.code for r in batch.rows(result.run, outcome="skipped")] == ["K3"]
    page = batch.rows(result.run, limit=2)
    assert len(page) == 2 and len(batch.rows(result.run, after_id=page[-1].id)) == 3
    with pytest.raises(RuleError) as err:
        batch.apply("region", "x", q)
    assert err.value.key == "batch.no_watermark"


def test_rows_added_after_marking_are_not_counted_as_changed(archive, tmp_path):
    """Issue 16 item 19: an import after Ctrl+A added rows to the class; they were counted as
    "changed since marked". Only rows that existed when marked and changed since are; the
    new ones are left as they are, under their own reason."""
    from db.transfer import importer

    q = paging.ListQuery(prefix="02")
    mark = history.watermark()
    src = tmp_path / "new.csv"
    src.write_text("客户编码,客户名称,客户简称,所属分类码\nK7,新客户,新客户,02001\n", encoding="utf-8")
    importer.commit(importer.plan(src))
    customers.update("K3", {"phone": "1"}, 1)  # changed after marking
    result = batch.apply("region", "上海", q, since=mark)
    got = {r.code: r.reason for r in batch.rows(result.run, outcome="skipped")}
    assert got == {"K3": "changed", "K7": "added"}
    assert result.skipped == {"changed": 1, "added": 1} and customers.get("K7").region == ""


def test_selection_leaves_out_unmarked_rows(archive):
    sel = paging.Selection().with_all(paging.ListQuery(prefix="01")).toggled("K0")
    result = batch.apply("industry", "零售", sel, since=history.watermark())
    assert result.changed == 2 and customers.get("K0").industry == ""


def test_empty_target_and_read_only(archive, tmp_path):
    with pytest.raises(RuleError) as err:
        batch.apply("region", "x", [])
    assert err.value.key == "batch.empty"
    archive.read_only = True
    with pytest.raises(StoreError) as err:
        batch.apply("region", "x", marks("K0"))
    assert err.value.key == "store.read_only"
    assert customers.get("K0").region == ""


def test_failure_half_way_writes_nothing(archive, monkeypatch):
    before = list(Customer.select().order_by(Customer.id).tuples())
    logs = ChangeLog.select().count()
    monkeypatch.setattr(batch, "CHUNK", 1)

    def boom(done, total):
        if done == 3:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        batch.apply("region", "北京", marks("K0", "K1", "K2", "K3", "K4"), progress=boom)
    assert list(Customer.select().order_by(Customer.id).tuples()) == before
    assert ChangeLog.select().count() == logs and not BatchRow.select().exists()


def test_old_results_are_dropped(archive, monkeypatch):
    monkeypatch.setattr(batch, "KEEP_RUNS", 2)
    runs = [batch.apply("region", f"r{n}", marks("K0")).run for n in range(4)]
    assert {r.run_id for r in BatchRow.select()} == set(runs[-2:])
    batch.discard(runs[-1])
    with pytest.raises(RuleError):
        batch.result(runs[-1])
