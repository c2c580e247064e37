"""Pilot flows on the archive screen: class selection, locate, filter, columns, sort, add,
edit, delete, stop and enable, all by keyboard, on the demo archive."""
import pytest

from db.archive import classes, customers
from db.core import clock
from db.lists import paging
from db.core.models import Customer, Sale
from db.lists.query import Filter, ListQuery
from tests.ui import make_app, press, settle, type_text
from tui import config
from tui.screens.card import CardScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.locate_box import LocateBox


@pytest.fixture
def app(demo_store):
    return make_app(demo_store, start="archive")


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


def shown(q: ListQuery) -> int:
    return paging.count(q)


async def test_opens_on_the_archive_with_the_count(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.SCREEN_NAME == "archive"
        assert f"记录数 {shown(ListQuery())}" in status(app)


async def test_selecting_a_class_lists_it_and_its_sub_classes(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.tree.select_code("02")
        await settle(pilot)
        expected = shown(ListQuery(prefix="02"))
        assert f"记录数 {expected}" in status(app)
        assert app.screen.listing.current_code.startswith("C")
        row = customers.get(app.screen.listing.current_code)
        assert row.class_code.startswith("02")


@pytest.mark.parametrize("query", ["C00035", "王", "小明", "王小明", "bjhl"])
async def test_locate_jumps_to_the_customer_and_its_class(app, query):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *query)  # typed at once, as a fast typist does
        await settle(pilot)
        box = app.screen.query_one(LocateBox)
        assert box.visible and app.focused.id == "locate-input"
        hits = box.hits
        assert hits, "results as you type"
        await press(pilot, "down")
        target = hits[1] if len(hits) > 1 else hits[0]
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen.SCREEN_NAME == "archive"
        assert app.screen.listing.current_code == target.code
        assert app.screen.tree.selected_code == target.class_code
        hit = customers.get(target.code)
        text = query.lower()
        assert (hit.code.startswith(query) or query in hit.name or query in hit.short_name
                or hit.mnemonic.startswith(text))


async def test_locate_typed_at_once_when_the_screen_first_shows(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "b", "j", "h", "l")  # before anything has settled
        await settle(pilot)
        box = app.screen.query_one(LocateBox)
        assert box.visible and app.screen.query_one("#locate-input").value == "bjhl"
        assert box.hits


async def test_a_locate_box_opened_before_its_results_list_is_mounted_mounts_it(store):
    """The results list follows the first frame; a box opened sooner adds it itself."""
    from textual.app import App

    from db.archive.search import Hit

    hit = Hit(1, "C1", "华联", "北京华联超市", "01", "北京", "", "bjhl", "name")

    class Early(App):
        def compose(self):
            yield LocateBox(id="locate")

        def on_mount(self) -> None:
            box = self.query_one(LocateBox)
            box.open(include_stopped=False)
            box._show("", [hit])  # as an answer to what the box holds

    early = Early()
    async with early.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        box = early.query_one(LocateBox)
        assert len(box.query("#locate-results")) == 1 and box.hits == [hit]
        assert box.query_one("#locate-results").highlighted == 0
        assert len(box.query("#locate-status")) == 1
        await press(pilot, "enter")
        assert not box.visible


async def status_once(pilot, ready, seconds: float = 5.0) -> str:
    """The locate status line once `ready(line)` holds (the search answers on its own thread)."""
    for _ in range(int(seconds / 0.05)):
        await settle(pilot)
        line = str(pilot.app.screen.query_one("#locate-status").render())
        if ready(line):
            return line
        await pilot.pause(0.05)
    return line


async def test_locate_says_a_match_is_stopped_and_when_there_are_more(app):
    """Issue 16 item 22: a stopped customer was 'not found', and 50 shown read as 50 found."""
    stopped = Customer.select().where(Customer.stop_date <= clock.today()).order_by(Customer.code).first()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, stopped.code)
        line = await status_once(pilot, lambda line: "9 个" not in line and "找到" not in line)
        assert "停用" in line and "Ctrl+G" in line and "没有找到" not in line
        await press(pilot, "escape", "slash")
        await type_text(pilot, "C")
        line = await status_once(pilot, lambda line: "个" in line)
        assert len(app.screen.query_one(LocateBox).hits) == 50 and "50 个以上" in line


async def test_locate_with_ctrl_f_and_nothing_found(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+f")
        await type_text(pilot, "没有这种名字")
        await settle(pilot)
        assert "没有找到" in str(app.screen.query_one("#locate-status").render())
        await press(pilot, "escape")
        assert not app.screen.query_one(LocateBox).visible
        assert app.focused is app.screen.listing


async def test_filter_then_save_by_name_and_reapply(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        await type_text(pilot, "VIP客户")
        app.screen.query_one("#f-dev_from").value = "2020/1/1"
        app.screen.query_one("#f-name").value = "新VIP"
        await press(pilot, "ctrl+w")
        f = Filter(mgmt_type="VIP客户", dev_from=clock.today().replace(2020, 1, 1))
        assert f"记录数 {shown(ListQuery(filter=f))}" in status(app)
        assert "已过滤" in status(app)
        assert config.load_settings()["filters"]["新VIP"] == f.to_dict()
        await press(pilot, "f3", "ctrl+r", "f6")
        assert "已过滤" not in status(app)
        await press(pilot, "f3")
        app.screen.query_one("#saved").focus()
        await press(pilot, "enter")
        assert f"记录数 {shown(ListQuery(filter=f))}" in status(app)


async def test_filter_refuses_a_bad_date(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        app.screen.query_one("#f-dev_to").value = "2024-13-01"
        await press(pilot, "f6")
        assert app.screen.query_one("#filter-error").render()
        assert app.focused.id == "f-dev_to"


async def test_columns_are_chosen_ordered_and_remembered(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f4")
        await press(pilot, "space")  # untick the first column (code)
        await press(pilot, "down", "ctrl+up")  # move short_name to the top
        await press(pilot, "f6")
        columns = list(app.screen.listing.columns)
        assert columns[0] == "short_name" and "code" not in columns
        assert config.load_settings()["columns"] == columns


async def test_sort_by_short_name_descending(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+o")
        app.screen.query_one("#sorts").highlighted = 2
        await press(pilot, "d")
        q = app.screen.query_state
        assert (q.sort, q.descending) == ("short_name", True)
        first = paging.fetch(q, 0, 1)[0]
        assert app.screen.listing.current_code == first.code


async def test_add_from_the_archive_lands_on_the_new_customer(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.tree.select_code("020020002")
        await settle(pilot)
        await press(pilot, "f5")
        assert isinstance(app.screen, CardScreen)
        assert app.screen.query_one("#f-class_code").value == "020020002"
        await type_text(pilot, "N0001")
        await press(pilot, "tab")
        await type_text(pilot, "北京新华联超市有限公司")
        await press(pilot, "tab")
        await type_text(pilot, "新华联超市")
        await press(pilot, "f6")
        await settle(pilot)
        assert app.screen.SCREEN_NAME == "archive"
        assert app.screen.listing.current_code == "N0001"
        # Found again by locate, then edited.
        await press(pilot, "slash")
        await type_text(pilot, "xhlcs")
        await settle(pilot)
        await press(pilot, "enter")
        await press(pilot, "f7")
        assert isinstance(app.screen, CardScreen) and app.screen.row.code == "N0001"
        await press(pilot, "alt+2")
        await type_text(pilot, "北京市海淀区")
        await press(pilot, "f6")
        assert customers.get("N0001").address == "北京市海淀区"


async def test_delete_stop_and_show_stopped(app):
    spare = (Customer.select().where(~Customer.id.in_(Sale.select(Sale.customer)),
                                     Customer.stop_date.is_null()).order_by(Customer.code).first())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.jump_to(spare.code)
        await settle(pilot)
        before = shown(ListQuery(prefix=spare.class_code))
        await press(pilot, "ctrl+t")
        assert customers.get(spare.code).stop_date == clock.today()
        assert f"记录数 {before - 1}" in status(app), "a stopped customer is hidden"
        await press(pilot, "ctrl+g")
        with_stopped = shown(ListQuery(prefix=spare.class_code, show_stopped=True))
        assert f"记录数 {with_stopped}" in status(app) and "含停用" in status(app)
        app.screen.listing.goto_code(spare.code)
        await settle(pilot)
        await press(pilot, "ctrl+t")
        assert customers.get(spare.code).stop_date is None
        await press(pilot, "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        assert customers.get(spare.code) is None


async def test_delete_refused_for_a_customer_with_sales(app):
    sold = Customer.select().where(Customer.id.in_(Sale.select(Sale.customer))).first()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.jump_to(sold.code)
        await settle(pilot)
        await press(pilot, "delete")  # refused at once, not after a yes (issue 16 item 27)
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("销售" in n.message for n in app._notifications)
        await press(pilot, "y")
        assert customers.get(sold.code) is not None


async def test_screens_are_reachable_by_keys(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f11")
        assert app.screen.SCREEN_NAME == "classification"
        await press(pilot, "f12")
        assert app.screen.SCREEN_NAME == "scheme"
        await press(pilot, "f10")
        assert app.screen.SCREEN_NAME == "archive"
        await press(pilot, "f1")
        text = str(app.screen.query_one("Static").render())
        assert "F3" in text and "过滤" in text and "Ctrl+F" in text


async def test_back_from_another_screen_the_archive_is_where_it_was_and_shows_changes(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        archive = app.screen
        leaf = classes.children("main", "01")[0]
        archive.tree.select_code(leaf.code)
        await settle(pilot)
        await press(pilot, "down", "down")
        code = archive.listing.current_code
        tree_width = archive.tree.size.width
        await press(pilot, "f11")
        assert app.screen.SCREEN_NAME == "classification" and len(app.screen_stack) == 2
        classes.update("main", leaf.code, "改过名的分类", leaf.remark, leaf.version)
        customers.create({"code": "Z999", "name": "回来之前加的", "short_name": "回来",
                       "class_code": leaf.code})
        await press(pilot, "f10")
        await settle(pilot)
        assert app.screen is archive and app.screen_stack == [archive]
        assert archive.tree.size.width == tree_width  # no other screen's styles leak into it
        assert archive.tree.selected_code == leaf.code and archive.listing.current_code == code
        assert "改过名的分类" in str(archive.tree.cursor_node.label)
        assert f"记录数 {shown(ListQuery(prefix=leaf.code))}" in status(app)


async def test_a_screen_looks_the_same_after_other_screens_were_shown(app):
    """Every screen's stylesheet is its own: the card's message line keeps its colour and the
    archive's status bar its background after screens that style lines of the same ids."""
    async def card_message():
        await press(pilot, "f7")
        color = app.screen.query_one("#message").styles.color
        await press(pilot, "escape")
        return color

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        archive = app.screen
        before = (await card_message(), archive.query_one("#status").styles.background)
        for key in ("f11", "f12", "ctrl+u", "ctrl+k"):  # classification, scheme, rules, health
            await press(pilot, key)
        await press(pilot, "f10")
        await settle(pilot)
        assert app.screen is archive
        assert (await card_message(), archive.query_one("#status").styles.background) == before


async def test_switch_dimension_to_region_and_transaction_history(app):
    from tui.screens.choice_picker import ChoicePicker

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "f2")
        assert isinstance(app.screen, ChoicePicker)
        options = app.screen.choices
        app.screen.query_one("OptionList").highlighted = options.index("地区分类")
        await press(pilot, "enter")
        assert app.screen.dimension == "region" and app.screen.tree.dimension == "region"
        assert "按地区分类" in str(app.screen.query_one("#title").render())
        first = classes.children("region", None)[0]
        app.screen.tree.select_code(first.code)
        await settle(pilot)
        assert f"记录数 {shown(ListQuery(dimension='region', prefix=first.code))}" in status(app)
        app.screen.switch_dimension("history")
        await settle(pilot)
        assert app.screen.query_state.dimension == "history"


async def test_after_f2_the_status_and_f5_follow_the_class_the_list_shows(app):
    """Issue 16 item 20: after F2 the status line named a class of the old dimension, and F5
    added into a class the user did not see selected."""
    leaf = next(code for code, _ in classes.leaves("main"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.screen.tree.select_code(leaf)
        await settle(pilot)
        assert leaf in status(app)
        app.screen.switch_dimension("region")
        assert leaf not in status(app)
        await settle(pilot)
        assert leaf not in status(app) and "全部分类" in status(app)
        region_leaf = next(code for code, _ in classes.leaves("region"))
        app.screen.tree.select_code(region_leaf)
        await settle(pilot)
        assert region_leaf in status(app)
        await press(pilot, "f5")
        await settle(pilot)
        assert isinstance(app.screen, CardScreen)
        assert app.screen.query_one("#f-class_code").value == ""
        await press(pilot, "escape")
        await settle(pilot)
        app.screen.switch_dimension("main")
        await settle(pilot)
        assert region_leaf not in status(app) and "全部分类" in status(app)


async def test_after_f6_the_cursor_is_on_the_saved_customer(app):
    """Issue 16 item 39: an edited customer deep in the list, and a new one."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.listing.focus()
        await press(pilot, "pagedown", "pagedown", "down")
        code = app.screen.listing.current_code
        await press(pilot, "f7")
        app.screen.query_one("#f-phone").value = "010-1"
        await press(pilot, "f6")
        assert app.screen.SCREEN_NAME == "archive" and app.screen.listing.current_code == code


async def test_a_setting_keeps_the_card_open_after_f6(app):
    """Issue 16 item 39 (U8 offers it): F4 on the card switches 保存后留在卡片, remembered; F6
    then saves and stays (a new customer's card becomes its card), Esc goes back to it."""
    from tui.screens.card import STAY_SETTING

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.tree.select_code("020020002")
        await settle(pilot)
        await press(pilot, "f5")
        await press(pilot, "f4")
        assert config.load_settings()[STAY_SETTING] is True
        assert "保存后将留在卡片上" in str(app.screen.query_one("#message").render())
        await type_text(pilot, "N0001")
        await press(pilot, "tab")
        await type_text(pilot, "北京新华联超市有限公司")
        await press(pilot, "tab")
        await type_text(pilot, "新华联超市")
        await press(pilot, "f6")
        assert isinstance(app.screen, CardScreen) and app.screen.row.code == "N0001"
        assert app.screen.query_one("#f-code").disabled and "tab-history" in [
            p.id for p in app.screen.query("TabPane")]
        assert "已保存 N0001" in str(app.screen.query_one("#message").render())
        app.screen.query_one("#f-phone").value = "010-2"
        await press(pilot, "f6")  # checked against the version the first save wrote
        assert isinstance(app.screen, CardScreen) and customers.get("N0001").phone == "010-2"
        await press(pilot, "escape")
        assert app.screen.SCREEN_NAME == "archive" and app.screen.listing.current_code == "N0001"
        await press(pilot, "f7", "f4", "escape")  # off again: F6 goes back to the list
        assert config.load_settings()[STAY_SETTING] is False


def tree_lines(app) -> list[str]:
    tree = app.screen.tree
    return [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]


async def test_a_tree_label_too_long_for_the_pane_ends_in_an_ellipsis(app):
    """Issue 16 item 35: `02 中间商客户 (1110` and `04 政府和社会团体客` were cut bare."""
    from rich.cells import cell_len

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = [line for line in tree_lines(app) if line.strip()]
        width = app.screen.tree.scrollable_content_region.width
        cut = [line for line in lines if line.endswith("…")]
        assert any("04 政府" in line for line in cut) and any("02 中间商客户" in line for line in cut)
        assert all(cell_len(line) <= width for line in lines)


async def test_the_tree_pane_widens_and_narrows_by_key_and_is_remembered(demo_store):
    async with make_app(demo_store, start="archive").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app = pilot.app
        before = app.screen.tree.outer_size.width
        await press(pilot, "alt+right", "alt+right")
        assert app.screen.tree.outer_size.width == before + 8
        assert config.load_settings()["tree_width"] == before + 8
        assert any(line.endswith("(1110)") for line in tree_lines(app))
        await press(pilot, "alt+left")
        assert app.screen.tree.outer_size.width == before + 4
    async with make_app(demo_store, start="archive").run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert pilot.app.screen.tree.outer_size.width == before + 4
