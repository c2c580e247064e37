"""The duplicates report (db.archive.duplicate_report) and the "not a duplicate" marks
(db.archive.duplicate_marks), on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

import db
from db.archive import classes, customers, duplicate_marks, duplicate_report
from db.core import clock
from db.core.errors import RuleError
from db.core.models import ChangeLog
from tests.pg import PG_URL, fresh_schema

NOW = dt.datetime(2025, 6, 1, 9, 0, 0)
USCC = "91110000600037341L"


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request, tmp_path):
    if request.param == "sqlite":
        store = db.open_store(str(tmp_path / "t.db"))
    else:
        if not PG_URL:
            pytest.skip("KEHU_TEST_PG_URL is not set (.ci/run sets it)")
        fresh_schema()
        store = db.open_store(PG_URL)
    clock.fix(NOW)
    classes.add("main", "01", "客户")
    duplicates = [
        ("C001", "北京华联综合超市股份有限公司", {"phone": "010-49770167"}),
        ("C002", "（北京）华联综合超市有限公司", {}),  # same core and place
        ("C003", "某某商店", {"phone": "+86 10 4977 0167"}),  # same phone as C001
        ("C004", "厦门协力贸易有限公司", {"tax_id": USCC}),
        ("C005", "协力贸易发展公司", {"tax_id": USCC, "stop_date": "2025-01-01", "dev_date": "2024-01-01"}),
        ("C006", "遵义聚丰饮料有限公司", {}),  # same core as C007, another city: no duplicate
        ("C007", "厦门聚丰饮料有限公司", {}),
        ("C008", "聚丰饮料有限公司", {}),  # no place: meets both
        ("C009", "上海宝钢集团", {}),
    ]
    for code, name, values in duplicates:
        customers.create({"code": code, "name": name, "short_name": name[:4], "class_code": "01", **values})
    yield store
    clock.fix(None)
    store.close()


def groups(report):
    return [[m.code for m in g.members] for g in report.groups]


def test_the_report_groups_likely_duplicates_best_first(archive):
    seen = []
    report = duplicate_report.report(progress=lambda *a: seen.append(a))
    assert report.customers == 9
    found = groups(report)
    assert ["C001", "C002"] in found  # the name
    assert ["C001", "C003"] in found  # the phone alone: a pair of its own
    assert ["C004", "C005"] in found
    assert report.groups[0].score == 100
    assert ["C006", "C007", "C008"] in found  # joined through the one without a place
    assert not any(set(g) == {"C006", "C007"} for g in found)
    assert ["C009"] not in found and all("C009" not in g for g in found)
    assert {stage for stage, *_ in seen} == {"keys", "score"}
    stopped = [m for g in report.groups for m in g.members if m.code == "C005"]
    assert stopped[0].stopped


def test_two_customers_of_one_name_in_two_cities_are_no_group(archive):
    customers.delete("C008", customers.get("C008").version)
    assert all(not {"C006", "C007"} & set(g) for g in groups(duplicate_report.report()))


def test_min_score_leaves_out_weaker_groups(archive):
    found = groups(duplicate_report.report(min_score=100))
    assert found == [["C004", "C005"]]  # the tax id; names (95) and phones (85) score less


def test_a_pair_marked_not_a_duplicate_is_never_proposed_again_until_unmarked(archive):
    duplicate_marks.mark("C005", "C004")
    assert duplicate_marks.is_marked("C004", "C005")
    assert all(set(g) != {"C004", "C005"} for g in groups(duplicate_report.report()))
    row = ChangeLog.get(ChangeLog.action == "not_duplicate")
    assert row.entity_code == "C004"
    duplicate_marks.unmark("C004", "C005")
    assert ["C004", "C005"] in groups(duplicate_report.report())


def test_marking_twice_keeps_one_mark_and_bad_marks_are_refused(archive):
    duplicate_marks.mark("C004", "C005")
    duplicate_marks.mark("C004", "C005")
    assert len(duplicate_marks.marked_pairs()) == 2  # one pair, both ways round
    with pytest.raises(RuleError):
        duplicate_marks.mark("C004", "C004")
    with pytest.raises(RuleError):
        duplicate_marks.mark("C004", "C404")


def test_a_key_too_common_is_skipped(archive, monkeypatch):
    monkeypatch.setattr(duplicate_report, "BLOCK_CAP", 2)
    report = duplicate_report.report()
    assert report.skipped_keys >= 1  # 聚丰饮料 sounds alike in three customers
    assert ["C006", "C007", "C008"] not in groups(report)


def test_a_shared_number_alone_pairs_two_customers_but_joins_no_groups(archive):
    customers.create({"code": "C010", "name": "厦门协力贸易股份有限公司", "short_name": "厦门协力",
                      "class_code": "01", "phone": "010-49770167"})  # C004's name, C001's phone
    found = groups(duplicate_report.report())
    assert ["C004", "C005", "C010"] in found  # joined by name and tax id
    assert ["C001", "C010"] in found and ["C003", "C010"] in found  # the number alone: pairs
    assert ["C001", "C002"] in found
