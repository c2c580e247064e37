"""The approver's queue (Alt+R) by keyboard: Enter shows the request, Y approves, N asks a
reason and rejects; an editor is refused one line; snapshots at 80x24 and 120x40."""
import pytest

from db.archive import approval, customers, operators
from tests.ui import make_app, press, settle, type_text
from tui.screens.requests import ReasonPrompt, RequestScreen, RequestsScreen

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


@pytest.fixture
def queue(demo_store, monkeypatch):
    monkeypatch.setenv("LOGNAME", "boss")
    operators.add("boss", "张总")
    operators.add("lisi", "李四", "华北销售部", "editor")
    operators.add("zhangsan", "张三", role="approver")
    approval.set_approval(True)
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    customers.create({"code": "N1", "name": "北京新华联商贸有限公司", "short_name": "新华联",
                      "class_code": "020010001", "department": "华北销售部"})
    row = customers.get("C000001")
    customers.update("C000001", {"credit_limit": "250000", "credit_days": "60"}, row.version)
    monkeypatch.setenv("LOGNAME", "zhangsan")
    operators._forget()
    return demo_store


async def test_approve_with_y_and_reject_with_a_reason(queue):
    app = make_app(queue, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "alt+r")
        assert isinstance(app.screen, RequestsScreen) and len(app.screen.rows) == 2
        await press(pilot, "enter")
        assert isinstance(app.screen, RequestScreen) and app.screen.req.code == "N1"
        await press(pilot, "y")
        assert isinstance(app.screen, RequestsScreen) and [r.code for r in app.screen.rows] == ["C000001"]
        await press(pilot, "enter", "n")
        assert isinstance(app.screen, ReasonPrompt)
        await press(pilot, "enter")  # no reason: refused on the request, nothing decided
        assert "原因" in str(app.screen.query_one("#request-message").render())
        await press(pilot, "n")
        await type_text(pilot, "额度过高")
        await press(pilot, "enter")
        assert isinstance(app.screen, RequestsScreen) and app.screen.rows == []
    assert not approval.is_pending("N1")
    assert approval.requests(status="rejected")[0].reason == "额度过高"
    assert customers.get("C000001").credit_days != 60


async def test_an_editor_sees_the_queue_but_cannot_decide(queue, monkeypatch):
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    app = make_app(queue, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "alt+r", "enter", "y")
        assert "不是审核人" in str(app.screen.query_one("#request-message").render())
    assert approval.is_pending("N1")


async def queue_shown(pilot):
    await settle(pilot)
    await press(pilot, "alt+r")
    await settle(pilot)


async def change_shown(pilot):
    await queue_shown(pilot)
    await press(pilot, "down", "enter")
    await settle(pilot)


async def reason_asked(pilot):
    await change_shown(pilot)
    await press(pilot, "n")
    await type_text(pilot, "额度过高")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", [queue_shown, change_shown, reason_asked], ids=lambda f: f.__name__)
def test_requests_snapshots(snap_compare, queue, size, state):
    assert snap_compare(make_app(queue, start="archive"), terminal_size=size, run_before=state)


async def test_a_pending_customer_is_marked_in_the_list(queue):
    app = make_app(queue, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.tree.select_code("020010001")
        await settle(pilot)
        listing = app.screen.listing
        last = listing.count - 1  # N1 sorts after every C code: the class's last row
        listing.row_at(last)
        await settle(pilot)
        assert listing.row_at(last).code == "N1" and "N1" in listing._waiting
        strip, _ = listing.render_row(last, listing.row_at(last), listing.rich_style)
        assert strip.text.startswith(" 待")


async def card_of_the_change(pilot):
    from tui.screens.card import CardScreen

    await settle(pilot)
    pilot.app.push_screen(CardScreen("C000001"))
    await settle(pilot)


async def test_the_card_shows_what_waits_for_approval(queue, monkeypatch):
    """The editor's card of a customer with a change waiting: the title counts the requests,
    the message line says each one, old -> new; the card keeps the values it has."""
    monkeypatch.setenv("LOGNAME", "lisi")
    operators._forget()
    read = []
    requests = approval.requests
    monkeypatch.setattr(approval, "requests", lambda *a, **k: read.append(k.get("code")) or requests(*a, **k))
    app = make_app(queue, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await card_of_the_change(pilot)
        assert read.count("C000001") == 1  # the card reads its requests once, not per use
        assert "待审核 1" in str(app.screen.query_one("#title").render())
        message = str(app.screen.query_one("#message").render())
        assert message.startswith("待审核: #") and "250,000.00" in message and "60" in message
        assert app.screen.query_one("#f-credit_limit").value != "250,000.00"
        monkeypatch.setenv("LOGNAME", "zhangsan")
        operators._forget()
        approval.approve(approval.requests()[1].id)
        app.pop_screen()
        await card_of_the_change(pilot)
        assert "待审核" not in str(app.screen.query_one("#title").render())


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_card_waiting_snapshot(snap_compare, queue, size):
    assert snap_compare(make_app(queue, start="archive"), terminal_size=size, run_before=card_of_the_change)
