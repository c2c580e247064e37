"""Someone else changes the customer while the card is open: the save is refused with who
and when, the card offers to reload, keeps what was typed visible, and then saves."""
from db.archive import customers
from db.core.models import Customer
from tests.ui import make_app, press, settle, type_text
from tui.screens.card import CardScreen
from tui.screens.confirm import ConfirmScreen


def someone_else_changes(code: str, **values) -> None:
    row = customers.get(code)
    Customer.update(modified_by="lisi", version=row.version).where(Customer.id == row.id).execute()
    customers.update(code, values, row.version)
    Customer.update(modified_by="lisi").where(Customer.code == code).execute()


async def reach_conflict(pilot):
    await settle(pilot)
    pilot.app.push_screen(CardScreen("C002"))
    await settle(pilot)
    await press(pilot, "alt+2")
    await type_text(pilot, "上海市静安区")
    someone_else_changes("C002", phone="021-5555")
    await press(pilot, "f6")


async def test_second_save_is_refused_then_reload_and_save(seeded):
    app = make_app(seeded)
    async with app.run_test(size=(120, 40)) as pilot:
        await reach_conflict(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "lisi" in app.screen.question and "C002" in app.screen.question
        assert customers.get("C002").address == "", "the first change survives, nothing overwritten"
        await press(pilot, "y")
        card = app.screen
        assert isinstance(card, CardScreen)
        assert card.query_one("#f-phone").value == "021-5555", "reloaded"
        assert "上海市静安区" in str(card.query_one("#message").render()), "what was typed stays visible"
        card.query_one("#f-address").value = "上海市静安区"
        await press(pilot, "f6")
        row = customers.get("C002")
        assert (row.address, row.phone) == ("上海市静安区", "021-5555")


def test_conflict_snapshot(snap_compare, seeded):
    assert snap_compare(make_app(seeded), terminal_size=(80, 24), run_before=reach_conflict)


async def markup_card(pilot):
    await settle(pilot)
    pilot.app.screen.jump_to("M001")
    await settle(pilot)


def test_markup_and_escapes_shown_literally(snap_compare, seeded):
    """Names with Rich markup, emoji and a tab pasted into the remark show as typed."""
    customers.create({"code": "M001", "name": "[bold red]红字[/] 公司 🚀", "short_name": "[/]简称",
                      "class_code": "01", "remark": "第一行\t制表\n第二行 [link]x[/link]"})
    assert snap_compare(make_app(seeded, start="archive"), terminal_size=(80, 24), run_before=markup_card)
