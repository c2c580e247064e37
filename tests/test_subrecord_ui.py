"""Pilot flows on the card's sub-record tabs (联系人, 地址, 银行, 开票信息): add with F5 and save
with F6, refusals beside the field, edit with Enter, F8 the default, Del with a question, Esc
closing the form; the card takes the customer's new version and copied fields."""
import pytest
from textual.widgets import TabbedContent

from db.archive import customers, subrecords
from tests.ui import make_app, press, settle, type_text
from tui.screens.card import CardScreen
from tui.screens.confirm import ConfirmScreen


@pytest.fixture
def app(seeded):
    customers.update("C002", {"contact": "王经理", "phone": "010-1"}, 1)
    return make_app(seeded)


async def open_tab(pilot, kind):
    pilot.app.push_screen(CardScreen("C002"))
    await settle(pilot)
    card = pilot.app.screen
    card.action_tab(card.panes.index(kind))
    await settle(pilot)
    assert card.query_one(TabbedContent).active == f"tab-{kind}"
    return card


def form(card, kind, key):
    return card.query_one(f"#f-{kind}-{key}")


async def test_add_a_contact_and_make_it_the_default(app):
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_tab(pilot, "contacts")
        assert [r.name for r in subrecords.records("C002", "contacts")] == ["王经理"]
        await press(pilot, "f5")
        assert pilot.app.focused is form(card, "contacts", "name")
        await type_text(pilot, "李四")
        form(card, "contacts", "mobile").value = "139 0000 1111"
        await press(pilot, "f6")
        assert isinstance(pilot.app.screen, CardScreen), "F6 saved the record, not the card"
        rows = subrecords.records("C002", "contacts")
        assert [(r.name, r.mobile, r.is_default) for r in rows] == [
            ("王经理", "", True), ("李四", "13900001111", False)]
        assert pilot.app.focused is card.query_one("#list-contacts")
        assert card.query_one("#list-contacts").cursor_row == 1
        await press(pilot, "f8")
        row = customers.get("C002")
        assert (row.contact, row.mobile) == ("李四", "13900001111")
        assert card.query_one("#f-contact").value == "李四", "the card shows the new default"
        assert card.row.version == row.version
        # The card's own save goes on from the version the tab left.
        card.query_one("#f-fax").value = "010-2"
        await press(pilot, "f6")
        assert customers.get("C002").fax == "010-2"


async def test_a_bad_field_is_refused_beside_it_and_nothing_is_saved(app):
    async with app.run_test(size=(120, 40)) as pilot:
        card = await open_tab(pilot, "banks")
        await press(pilot, "f5")
        await type_text(pilot, "工行")
        form(card, "banks", "cnaps").value = "1021"
        await press(pilot, "f6")
        assert subrecords.records("C002", "banks") == []
        assert "12" in str(card.query_one("#e-banks-cnaps").render())
        assert pilot.app.focused is form(card, "banks", "cnaps")
        form(card, "banks", "cnaps").value = "102100000018"
        await press(pilot, "f6")
        assert [(b.bank, b.cnaps, b.is_default) for b in subrecords.records("C002", "banks")] == [
            ("工行", "102100000018", True)]


async def test_enter_edits_esc_closes_del_asks(app):
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_tab(pilot, "contacts")
        await press(pilot, "enter")
        assert form(card, "contacts", "name").value == "王经理"
        form(card, "contacts", "title").value = "总经理"
        await press(pilot, "escape")
        assert not card.query_one("#form-contacts").display
        assert isinstance(pilot.app.screen, CardScreen), "Esc closed the form, not the card"
        assert subrecords.records("C002", "contacts")[0].title == ""
        await press(pilot, "f7")
        form(card, "contacts", "title").value = "总经理"
        await press(pilot, "ctrl+s")
        assert subrecords.records("C002", "contacts")[0].title == "总经理"
        await press(pilot, "delete")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await press(pilot, "y")
        await settle(pilot)
        assert subrecords.records("C002", "contacts") == []
        assert customers.get("C002").contact == ""
        assert card.query_one("#f-contact").value == ""


async def test_an_address_kind_is_typed_in_the_language_in_force(seeded):
    app = make_app(seeded, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        card = await open_tab(pilot, "addresses")
        await press(pilot, "f5")
        assert form(card, "addresses", "kind").value == "ship-to"
        form(card, "addresses", "kind").value = "bill-to"
        form(card, "addresses", "address").value = "上海市浦东新区世纪大道 100 号"
        await press(pilot, "f6")
        (address,) = subrecords.records("C002", "addresses")
        assert (address.kind, address.is_default) == ("开票", True)


async def test_read_only_refuses_at_once(seeded, tmp_path):
    import db

    path = seeded.path
    seeded.close()
    store = db.open_store(str(path), read_only=True)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_tab(pilot, "contacts")
        await press(pilot, "f5")
        assert not card.query_one("#form-contacts").display
        assert "只读" in str(card.query_one("#message").render())


async def test_the_tabs_keys_are_in_the_palette_and_act_on_the_tab_shown(app):
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_tab(pilot, "contacts")
        entries = {c.help: c for c in pilot.app.get_system_commands(card)}
        from tui.i18n import t

        for label in ("cmd.add", "cmd.edit", "cmd.delete", "sub.make_default"):
            assert t(label) in entries
        await entries[t("cmd.add")].callback()
        await settle(pilot)
        assert card.query_one("#sub-contacts").editing is not None
        assert pilot.app.focused is form(card, "contacts", "name")
        await press(pilot, "escape")
        card.action_tab(0)
        await settle(pilot)
        await entries[t("cmd.add")].callback()
        await settle(pilot)
        assert card.query_one("#message").render().plain == t("sub.palette_hint")
