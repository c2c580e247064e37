"""总公司 Head office and branches: the rules (exists, not stopped, no loop), the card's save,
delete, merge, import, the group roll-up of sales, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest

import db
from db.archive import branches, customers, history, merge, sales
from db.core.errors import RuleError
from db.core.models import Customer, Sale
from db.transfer import importer
from tests.pg import pg_store, pg_url  # noqa: F401  (fixtures)


def _group(seeded_store=None):
    """H head of B1 and B2; B2 head of B21."""
    for code, head in (("H", ""), ("B1", "H"), ("B2", "H"), ("B21", "B2")):
        customers.create({"code": code, "name": f"华联{code}", "short_name": f"华联{code}",
                          "class_code": "01", "head_office": head})


@pytest.fixture
def group(seeded):
    _group()
    return seeded


def test_the_card_names_a_head_and_the_history_keeps_it(group):
    assert customers.get("B1").head_office == "H"
    assert customers.get("H").head_office is None
    assert [b.code for b in branches.branches("H")] == ["B1", "B2"]
    assert branches.head_of("B21") == ("B2", "华联B2")
    customers.update("B1", {"head_office": "B2"}, 1)
    top = history.for_entity("customer", "B1")[0]
    assert top.changes["head_office"] == ("H", "B2")
    customers.update("B1", {"head_office": ""}, 2)
    assert customers.get("B1").head_office is None
    assert customers.as_form(customers.get("B1"))["head_office"] == ""


@pytest.mark.parametrize("head, key", [("H", "head.loop"), ("B21", "head.loop"), ("X9", "head.unknown"),
                                        ("H", "head.self")])
def test_refusals(group, head, key):
    code = "H" if key == "head.self" else ("B2" if head == "B21" else "H")
    if key == "head.loop" and head == "H":
        code, head = "H", "B21"  # H under its own grand-branch
    version = customers.get(code).version
    with pytest.raises(RuleError) as caught:
        customers.update(code, {"head_office": head}, version)
    assert caught.value.key == key
    assert customers.get(code).version == version  # nothing changed


def test_a_loop_is_named_in_the_message(group):
    from tui.i18n import error_text, set_lang

    with pytest.raises(RuleError) as caught:
        customers.update("H", {"head_office": "B21"}, 1)
    assert caught.value.values["loop"] == "H → B21 → B2 → H"
    set_lang("zh")
    assert "H → B21 → B2 → H" in error_text(caught.value)


def test_a_stopped_customer_cannot_be_named_but_a_branch_keeps_it(group):
    customers.stop("B2", customers.get("B2").version)
    with pytest.raises(RuleError) as caught:
        customers.update("B1", {"head_office": "B2"}, 1)
    assert caught.value.key == "head.stopped"
    # B21's card saved with its head unchanged: no refusal
    customers.update("B21", {"head_office": "B2", "remark": "x"}, 1)
    assert customers.get("B21").remark == "x"


def test_a_head_with_branches_cannot_be_deleted(group):
    with pytest.raises(RuleError) as caught:
        customers.delete("B2", 1)
    assert caught.value.key == "customer.has_branches"
    customers.delete("B21", 1)
    customers.delete("B2", 1)


def test_the_group_rolls_up_sales_recursively(group):
    for i, code in enumerate(("H", "B1", "B21")):
        Sale.create(customer=customers.get(code).id, date=dt.date(2026, 3, i + 1), doc_no=f"D{i}",
                    amount=100 * (i + 1))
    assert sorted(Customer.get_by_id(i).code for i in branches.group_ids("H")) == ["B1", "B2", "B21", "H"]
    assert sales.performance("H").all_time.amount == 100
    whole = sales.performance("H", group=True)
    assert (whole.all_time.amount, whole.all_time.orders) == (600, 3)
    assert sales.performance("B2", group=True).all_time.amount == 300


def test_merge_moves_the_branches_to_the_target(group):
    customers.create({"code": "T", "name": "联华", "short_name": "联华", "class_code": "01"})
    merge.merge("T", ["B2"])
    assert customers.get("B21").head_office == "T"
    assert customers.get("B21").version == 2
    assert history.for_entity("customer", "B21")[0].changes["head_office"] == ("B2", "T")


def test_a_merge_that_makes_a_loop_is_refused(group):
    # B21 under B2 under H: merging B2 into B21 would make B21 its own head.
    with pytest.raises(RuleError) as caught:
        merge.merge("B21", ["B2"])
    assert caught.value.key == "head.loop"
    assert customers.get("B2") is not None and customers.get("B21").head_office == "B2"
    # Taking B2's own head office for B21 makes it a plain merge.
    merge.merge("B21", ["B2"], {"head_office": "B2"})
    assert customers.get("B21").head_office == "H"


def test_import_reads_heads_by_code_forward_and_refuses_loops(group, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("客户编码,客户名称,客户简称,所属分类码,总公司编码\n"
                    "N1,新一,新一,01,N2\n"       # its head comes later in the file
                    "N2,新二,新二,01,H\n"
                    "N3,新三,新三,01,NOPE\n"
                    "H,华联H,华联H,01,B21\n"      # H under its own grand-branch
                    "N4,新四,新四,01,N4\n", encoding="utf-8")
    plan = importer.plan(path)
    assert sorted((p.line, p.key) for p in plan.rejected) == [
        (4, "head.unknown"), (5, "head.loop"), (6, "head.self")]
    importer.commit(plan, only_valid=True)
    assert customers.get("N1").head_office == "N2" and customers.get("N2").head_office == "H"
    assert customers.get("H").head_office is None


def test_export_writes_the_head_code(group, tmp_path):
    from db.transfer import exporter

    out = tmp_path / "out.csv"
    exporter.export_list(out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    heads = lines[0].split(",").index("总公司编码")
    assert {line.split(",")[0]: line.split(",")[heads] for line in lines[1:]}["B21"] == "B2"


def test_postgresql_group_and_loop(pg_store):  # noqa: F811
    from db.archive import classes

    classes.add("main", "01", "个人消费者")
    _group()
    assert len(branches.group_ids("H")) == 4
    with pytest.raises(RuleError):
        customers.update("H", {"head_office": "B21"}, 1)
    customers.create({"code": "T", "name": "联华", "short_name": "联华", "class_code": "01"})
    merge.merge("T", ["B2"])
    assert customers.get("B21").head_office == "T"
    from db.lists import batch

    result = batch.apply("head_office", "B21", [(c, customers.get(c).version) for c in ("T", "B1")])
    assert result.changed == 1 and result.skipped == {"head_loop": 1}
    assert sales.performance("T", group=True).all_time.orders == 0
    from db.evaluation import stats

    Sale.create(customer=customers.get("B21").id, date=dt.date(2026, 3, 1), doc_no="D1", amount=100)
    assert [(r.code, r.customers, r.amount_all) for r in stats.by_class(groups=True)] == [("01", 4, 100)]


HEAD_UPGRADE = 11  # the schema version that added customer.head_office


def _made_older(run_sql) -> None:
    run_sql("DROP INDEX customer_head_office; ALTER TABLE customer DROP COLUMN head_office;"
            f"UPDATE schema_info SET value = '{HEAD_UPGRADE - 1}' WHERE key = 'schema_version'")


def _opens_with_heads(url: str) -> None:
    from db.core.models import SCHEMA_VERSION, SchemaInfo, database

    db.open_store(url)
    assert SchemaInfo.get_by_id("schema_version").value == str(SCHEMA_VERSION)
    assert customers.get("C1").head_office is None
    assert "customer_head_office" in {i.name for i in database.get_indexes("customer")}
    customers.create({"code": "C2", "name": "分店", "short_name": "分店", "class_code": "01",
                      "head_office": "C1"})
    assert [b.code for b in branches.branches("C1")] == ["C2"]


def _one_customer(url: str) -> None:
    from db.archive import classes

    store = db.open_store(url)
    classes.add("main", "01", "个人消费者")
    customers.create({"code": "C1", "name": "总店", "short_name": "总店", "class_code": "01"})
    store.close()


def test_a_version_10_sqlite_archive_gets_the_head_office_column(tmp_path):
    import sqlite3

    path = str(tmp_path / "old.db")
    _one_customer(path)
    con = sqlite3.connect(path)
    _made_older(con.executescript)
    con.close()
    _opens_with_heads(path)


def test_a_version_10_postgresql_archive_gets_the_head_office_column(pg_url):  # noqa: F811
    from tests.pg import admin_sql

    _one_customer(pg_url)
    _made_older(admin_sql)
    _opens_with_heads(pg_url)


def test_batch_modify_makes_branches_and_skips_a_loop(group):
    from db.lists import batch

    customers.create({"code": "N1", "name": "新店", "short_name": "新店", "class_code": "01"})
    marks = [(c, customers.get(c).version) for c in ("N1", "H", "B2", "B21")]
    result = batch.apply("head_office", "B2", marks)
    # H is B2's head and B2 itself: skipped; B21 already has B2.
    assert result.changed == 1 and result.skipped == {"head_loop": 2, "same": 1}
    assert customers.get("N1").head_office == "B2"
    assert history.for_entity("customer", "N1")[0].changes["head_office"] == (None, "B2")
    with pytest.raises(RuleError) as caught:
        batch.apply("head_office", "NOPE", [("N1", customers.get("N1").version)])
    assert caught.value.key == "head.unknown"


def test_statistics_roll_a_group_up_to_its_head(group):
    from db.evaluation import stats

    customers.update("H", {"class_code": "04"}, 1)  # the head elsewhere than its branches
    for i, code in enumerate(("H", "B1", "B21")):
        Sale.create(customer=customers.get(code).id, date=dt.date(2026, 3, i + 1), doc_no=f"D{i}",
                    amount=100 * (i + 1))
    plain = {r.code: (r.customers, r.amount_all) for r in stats.by_class()}
    rolled = {r.code: (r.customers, r.amount_all) for r in stats.by_class(groups=True)}
    assert plain["01"][1] == 500 and plain["04"][1] == 100
    assert rolled["01"] == (plain["01"][0], 0) and rolled["04"] == (1, 600)
    assert sum(s.amount_12 for s in stats.by_mgmt_type(groups=True)) == 600


async def test_the_statistics_screen_rolls_groups_up_with_g(demo_store):
    from db.evaluation import stats
    from tests.ui import make_app, press, settle
    from tui.i18n import t

    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+y")
        await settle(pilot)
        screen = app.screen
        await press(pilot, "g")
        await settle(pilot)
        assert screen.groups and t("stats.groups_on") in str(screen.query_one("#title").render())
        rolled = stats.by_class("main", 1, groups=True)
        assert [(r.code, r.amount_12) for r in screen.rows] == [(r.code, r.amount_12) for r in rolled]
        # 宁波华联 (批发商) is a branch of 上海华联, itself of 北京华联 (零售商)
        assert stats.by_class("main", parent="02", groups=True) != stats.by_class("main", parent="02")
        await press(pilot, "g")
        await settle(pilot)
        assert not screen.groups


async def test_the_card_picks_a_head_with_f2_and_refuses_a_loop(group):
    from tests.ui import make_app, press, settle, type_text
    from tui.i18n import t
    from tui.screens.card import CardScreen
    from tui.screens.customer_picker import CustomerPicker

    app = make_app(group)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CardScreen("C002"))
        await settle(pilot)
        card = app.screen
        card.query_one("#f-head_office").focus()
        await press(pilot, "f2")
        await settle(pilot)
        assert isinstance(app.screen, CustomerPicker)
        await type_text(pilot, "B21")
        await settle(pilot)
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen is card and card.query_one("#f-head_office").value == "B21"
        assert "华联B21" in str(card.query_one("#head-name").render())
        await press(pilot, "f6")
        await settle(pilot)
        assert customers.get("C002").head_office == "B21"

        app.push_screen(CardScreen("H"))
        await settle(pilot)
        card = app.screen
        assert "B1" in str(card.query_one("#branches").render())
        assert t("head.branch_count", count=2) in str(card.query_one("#row-branches").query_one("Label").render())
        card.query_one("#f-head_office").value = "B21"
        await press(pilot, "f6")
        await settle(pilot)
        assert app.screen is card
        assert "H → B21 → B2 → H" in str(card.query_one("#message").render())
        assert customers.get("H").head_office is None
