"""Pilot flows on the customer card: add, copy, edit, save, save-and-new, cancel, stop and
enable, delete, field errors beside the field."""
import pytest
from textual.widgets import TabbedContent

from db.archive import classes, customers
from db.core.models import Customer
from tests.ui import make_app, press, settle, type_text, until
from tui.screens.card import CardScreen
from tui.screens.confirm import ConfirmScreen


async def open_card(pilot, *args, **kwargs):
    result = {}
    pilot.app.push_screen(CardScreen(*args, **kwargs), lambda code: result.setdefault("code", code))
    await settle(pilot)
    return result


def set_field(app, key, value):
    app.screen.query_one(f"#f-{key}").value = value


def error_of(app, key) -> str:
    return str(app.screen.query_one(f"#e-{key}").render())


@pytest.fixture
def card_app(seeded):
    return make_app(seeded)


async def test_add_by_typing_and_save(card_app):
    async with card_app.run_test(size=(80, 24)) as pilot:
        result = await open_card(pilot, None, class_code="01")
        await type_text(pilot, "C100")
        await press(pilot, "tab")
        await type_text(pilot, "曾小明个体店")
        await press(pilot, "tab")
        await type_text(pilot, "曾小明")
        await press(pilot, "f6")
        saved = customers.get("C100")
        assert saved.name == "曾小明个体店" and saved.mnemonic == "zxm" and saved.class_code == "01"
        assert saved.created_by and saved.currency == "人民币"
        assert result["code"] == "C100"


async def test_bad_fields_are_refused_beside_the_field(card_app):
    async with card_app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, None, class_code="02")
        for key, value in {"code": "C101", "name": "坏资料", "short_name": "坏",
                           "tax_id": "91110000123456789X", "dev_date": "2024-02-30"}.items():
            set_field(pilot.app, key, value)
        await press(pilot, "ctrl+s")
        assert customers.get("C101") is None, "nothing saved"
        assert "末级" in error_of(pilot.app, "class_code")
        assert error_of(pilot.app, "tax_id")
        assert error_of(pilot.app, "dev_date")
        assert pilot.app.focused.id == "f-class_code", "focus on the first bad field"


async def test_save_and_new_then_copy(card_app):
    async with card_app.run_test(size=(80, 24)) as pilot:
        await open_card(pilot, None, class_code="01")
        for key, value in {"code": "C200", "name": "王小明", "short_name": "王小明",
                           "phone": "010-1234"}.items():
            set_field(pilot.app, key, value)
        await press(pilot, "ctrl+n")
        assert customers.get("C200").phone == "010-1234"
        assert pilot.app.screen.query_one("#f-code").value == "C201", "the next code of the class"
        assert pilot.app.screen.query_one("#f-class_code").value == "01", "next customer in the same class"
        assert pilot.app.focused.id == "f-code"
        set_field(pilot.app, "name", "王小明二店")
        set_field(pilot.app, "phone", "010-5678")
        await press(pilot, "ctrl+d")
        assert pilot.app.screen.query_one("#f-phone").value == "010-5678", "copy keeps the fields"
        assert pilot.app.screen.query_one("#f-code").value == ""
        set_field(pilot.app, "code", "C201")
        set_field(pilot.app, "short_name", "王小明二")
        await press(pilot, "f6")
        assert customers.get("C201").name == "王小明二店"


async def test_edit_and_tabs_by_key(card_app):
    async with card_app.run_test(size=(80, 24)) as pilot:
        await open_card(pilot, "C002")
        assert pilot.app.screen.query_one("#f-code").disabled, "a saved code cannot change"
        await press(pilot, "alt+2")
        assert pilot.app.screen.query_one(TabbedContent).active == "tab-contact"
        assert pilot.app.focused.id == "f-address"
        await type_text(pilot, "北京市朝阳区")
        await press(pilot, "alt+3")
        assert pilot.app.screen.query_one(TabbedContent).active == "tab-credit"
        await press(pilot, "ctrl+pagedown")
        assert pilot.app.screen.query_one(TabbedContent).active == "tab-other"
        await press(pilot, "f6")
        assert customers.get("C002").address == "北京市朝阳区"
        assert customers.get("C002").version == 2


async def test_cancel_asks_when_changed(card_app):
    async with card_app.run_test(size=(80, 24)) as pilot:
        await open_card(pilot, "C002")
        await press(pilot, "escape")
        assert not isinstance(pilot.app.screen, CardScreen), "unchanged card closes at once"
        await open_card(pilot, "C002")
        await type_text(pilot, "改")
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert isinstance(pilot.app.screen, CardScreen)
        await press(pilot, "escape", "y")
        assert not isinstance(pilot.app.screen, CardScreen)
        assert customers.get("C002").version == 1


async def test_stop_enable_and_delete(card_app):
    async with card_app.run_test(size=(80, 24)) as pilot:
        await open_card(pilot, "C003")
        await press(pilot, "ctrl+t")
        assert customers.get("C003").stop_date is not None
        assert "已停用" in str(pilot.app.screen.query_one("#title").render())
        await press(pilot, "ctrl+t")
        assert customers.get("C003").stop_date is None
        await press(pilot, "ctrl+r")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await press(pilot, "y")
        assert Customer.get_or_none(Customer.code == "C003") is None


async def test_class_picker_on_f2(card_app):
    async with card_app.run_test(size=(80, 24)) as pilot:
        await open_card(pilot, None)
        pilot.app.screen.query_one("#f-class_code").focus()
        await press(pilot, "f2")
        tree = pilot.app.screen.query_one("ClassTree")
        tree.select_code("020020003")
        await settle(pilot)
        await press(pilot, "enter")
        assert pilot.app.screen.query_one("#f-class_code").value == "020020003"


async def test_dimension_classes_saved_with_the_card(demo_store):
    from db.archive import dimensions

    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        code = "C000355"
        before = dimensions.memberships(code)
        await open_card(pilot, code)
        await press(pilot, "alt+5")
        region = pilot.app.screen.query_one("#f-dim-region")
        assert region.value == before["region"][0]
        other = next(c for c, _ in classes.leaves("region") if c != region.value)
        region.value = other
        pilot.app.screen.query_one("#f-dim-ownership").value = "99"
        await press(pilot, "f6")
        assert error_of(pilot.app, "dim-ownership"), "an unknown class is refused beside its field"
        assert dimensions.memberships(code) == before, "nothing half-saved"
        pilot.app.screen.query_one("#f-dim-ownership").value = before["ownership"][0]
        await press(pilot, "f6")
        assert dimensions.memberships(code)["region"][0] == other


async def test_sales_tab_shows_the_performance(demo_store):
    from db.archive import sales

    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, "C000355")
        await press(pilot, "alt+6")
        text = str(pilot.app.screen.query_one("#performance").render())
        perf = sales.performance("C000355")
        assert "近12个月" in text and str(perf.last_date) in text
        assert f"{perf.last_12_months.orders}" in text


async def test_history_tab_lists_changes_with_old_and_new(card_app):
    async with card_app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, "C002")
        set_field(pilot.app, "phone", "010-8888")
        await press(pilot, "f6")
        await open_card(pilot, "C002")
        await press(pilot, "alt+7")
        history = pilot.app.screen.query_one("#history")
        text = "\n".join(str(history.get_option_at_index(i).prompt) for i in range(history.option_count))
        assert "修改" in text and "电话: — → 010-8888" in text


async def test_history_tab_shows_the_card_as_of_an_entry(card_app):
    """Enter on an entry of the 历史 tab: the card as that entry left it, read-only."""
    from tui.screens.as_of import AsOfScreen

    async with card_app.run_test(size=(80, 24)) as pilot:
        await open_card(pilot, "C002")
        set_field(pilot.app, "phone", "010-8888")
        await press(pilot, "f6")
        await open_card(pilot, "C002")
        set_field(pilot.app, "phone", "010-9999")
        await press(pilot, "f6")
        await open_card(pilot, "C002")
        await press(pilot, "alt+7")
        assert pilot.app.focused.id == "history"
        await press(pilot, "down", "enter")  # the entry before the newest: the first change
        screen = pilot.app.screen
        assert isinstance(screen, AsOfScreen)
        text = str(screen.query_one("#as-of-fields").render())
        assert "010-8888" in text and "010-9999" not in text
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, CardScreen)
        await press(pilot, "ctrl+o")  # the palette's key: the entry under the cursor
        assert isinstance(pilot.app.screen, AsOfScreen)


async def test_read_only_card_is_refused_by_the_store(seeded):
    import db

    path = str(seeded.path)
    seeded.close()
    app = make_app(db.open_store(path, read_only=True), start="archive")
    async with app.run_test(size=(100, 30)) as pilot:
        before = customers.get("C002")
        await open_card(pilot, "C002")
        for key in ("f6", "ctrl+t"):
            await press(pilot, key)
            assert str(app.screen.query_one("#message").render()) == "档案为只读, 不能修改"
        after = customers.get("C002")
        assert (after.version, after.stop_date) == (before.version, before.stop_date)


async def test_alt_digit_chords_switch_tabs_and_type_nothing(card_app):
    from textual import events

    async with card_app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, "C002")
        tabs = pilot.app.screen.query_one(TabbedContent)
        # What a terminal hands Textual: Esc+4 as alt+4 carrying "4"; Option+3 as "£".
        for key, char, tab in (("cent_sign", "¢", "tab-other"), ("pound_sign", "£", "tab-credit"),
                               ("alt+1", "1", "tab-basic"), ("alt+9", "9", "tab-basic")):
            field = pilot.app.focused
            before = field.value
            pilot.app.post_message(events.Key(key, char))  # as the driver hands it in
            await settle(pilot)
            assert tabs.active == tab and field.value == before, key
        await press(pilot, "alt+4")
        remark = pilot.app.screen.query_one("#f-remark")
        remark.focus()
        pilot.app.post_message(events.Key("trade_mark_sign", "™"))
        await settle(pilot)
        assert tabs.active == "tab-contact" and "™" not in remark.text
        await press(pilot, "ctrl+pageup")
        assert tabs.active == "tab-basic"
        await press(pilot, "f6")
        assert customers.get("C002").name == "北京华联批发"


async def test_keys_typed_while_the_card_opens_reach_it_in_order(card_app, monkeypatch):
    import time

    from textual import events

    from db.archive import history

    async with card_app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        real = history.for_entity

        def slow(*args):  # the card's data under load
            time.sleep(0.5)
            return real(*args)

        monkeypatch.setattr(history, "for_entity", slow)
        pilot.app.push_screen(CardScreen("C002"))
        # As a terminal hands them in while the card is still reading: none may be lost,
        # and the F6 at the end saves what was typed before it.
        for key, char in (("end", None), ("x", "x"), ("y", "y"), ("tab", None), ("home", None),
                          ("z", "z"), ("f6", None)):
            pilot.app.post_message(events.Key(key, char))
        await settle(pilot)
        row = customers.get("C002")
        assert (row.name, row.short_name[0]) == ("北京华联批发xy", "z")
        assert not isinstance(pilot.app.screen, CardScreen)


@pytest.mark.parametrize("key", ["ctrl+d", "ctrl+n"])
async def test_a_new_card_from_a_customer_shows_no_sales(demo_store, key):
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, "C000355")
        assert pilot.app.screen.query("#performance")
        await press(pilot, key)
        screen = pilot.app.screen
        assert screen.row is None and not screen.query("#performance") and not screen.query("#history")
        assert "sales" not in screen.panes and "history" not in screen.panes


async def test_a_paste_cut_to_the_field_says_so(card_app):
    from textual import events

    async with card_app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, "C002")
        short = pilot.app.screen.query_one("#f-short_name")
        short.value = ""
        short.focus()
        short.post_message(events.Paste("长" * 5000))
        await settle(pilot)
        assert len(short.value) == 60
        message = str(pilot.app.screen.query_one("#message").render())
        assert "60" in message and "5000" in message and "简称" in message


async def test_a_save_waiting_on_a_lock_says_so(card_app, monkeypatch):
    """Held in step with the save by events, not by sleeps: on a loaded machine the card's
    checks before the save (validation, the duplicate check) outlasted the 0.3 s the test
    once gave them before it looked for 正在保存."""
    import threading

    from textual import events

    async with card_app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, "C002")
        card = pilot.app.screen
        real = customers.save_card
        started, release = threading.Event(), threading.Event()

        def waiting(*args):  # another session holds the write lock until the test lets go
            started.set()
            release.wait(10)
            return real(*args)

        monkeypatch.setattr(customers, "save_card", waiting)
        await press(pilot, "end", "q")
        pilot.app.post_message(events.Key("f6", None))
        await until(started.is_set)
        assert "正在保存" in str(card.query_one("#message").render())
        pilot.app.post_message(events.Key("x", "x"))  # typed while it waits
        release.set()
        await until(lambda: not isinstance(pilot.app.screen, CardScreen))
        await settle(pilot)
        assert customers.get("C002").name == "北京华联批发q"


async def test_a_new_card_offers_the_next_code_and_typing_replaces_it(card_app):
    async with card_app.run_test(size=(120, 40)) as pilot:
        await open_card(pilot, None, class_code="01")
        code = pilot.app.screen.query_one("#f-code")
        assert code.value == "C004" and pilot.app.focused is code
        await type_text(pilot, "X9")
        assert code.value == "X9"


async def test_the_english_card_shows_management_types_in_english(seeded):
    """Issue 16 item 41: the English card showed 一般客户; stored values stay Chinese."""
    app = make_app(seeded, lang="en", start="archive")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        result = await open_card(pilot, "C002")
        field = app.screen.query_one("#f-mgmt_type")
        assert field.value == "general" and not app.screen.dirty
        field.value = "VIP"
        await press(pilot, "f6")
        assert result["code"] == "C002" and customers.get("C002").mgmt_type == "VIP客户"


async def _history_with_two_changes(pilot):
    await settle(pilot)
    for phone in ("010-8888", "010-9999"):
        row = customers.get("C000355")
        customers.update("C000355", {"phone": phone}, row.version)
    await open_card(pilot, "C000355")
    await press(pilot, "alt+7")
    await settle(pilot)


async def _as_of_the_first_change(pilot):
    await _history_with_two_changes(pilot)
    await press(pilot, "down", "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("state", [_history_with_two_changes, _as_of_the_first_change],
                         ids=["history_tab", "as_of"])
def test_history_tab_snapshots(snap_compare, demo_store, size, state):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size, run_before=state)
