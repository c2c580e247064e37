"""所属地区 on screen: F2 on the card's region opens the national table, searched by pinyin, and
the pick fills text and code, saved; a typed name fills the code; the filter's 所属地区码 takes a
province from the picker and the list keeps its cities' customers only."""
from db.archive import customers
from db.core.models import Customer
from db.lists import paging
from tests.ui import make_app, press, settle, type_text
from tui.screens.card import CardScreen
from tui.screens.filter import FilterScreen
from tui.screens.region_picker import RegionPicker
from tui.widgets.fields import Field


async def open_card(pilot, code="C000008"):
    await settle(pilot)
    pilot.app.screen.jump_to(code)
    await settle(pilot)
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, CardScreen)
    return pilot.app.screen


async def test_f2_on_the_region_picks_from_the_national_table_and_saves(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_card(pilot)
        card.query_one("#f-region", Field).focus()
        await press(pilot, "f2")
        assert isinstance(app.screen, RegionPicker)
        await type_text(pilot, "hz")  # replaces the selected 广东
        await settle(pilot)
        await press(pilot, "down", "enter")  # 330100 杭州市, then 330500 湖州市
        assert app.screen is card
        assert card.query_one("#f-region_code", Field).value == "330500"
        assert card.query_one("#f-region", Field).value == "浙江省湖州市"
        await press(pilot, "f6")
    row = customers.get("C000008")
    assert (row.region, row.region_code) == ("浙江省湖州市", "330500")


async def test_a_typed_name_fills_the_code_and_esc_leaves_the_picker(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        card = await open_card(pilot)
        card.query_one("#f-region", Field).value = "浙江 杭州"
        await settle(pilot)
        assert card.query_one("#f-region_code", Field).value == "330100"
        card.query_one("#f-region_code", Field).focus()
        await press(pilot, "f2")
        await type_text(pilot, "zzzz")
        await settle(pilot)
        assert "zzzz" in str(app.screen.query_one("#picker-message").render())
        await press(pilot, "escape")
        assert app.screen is card and card.query_one("#f-region_code", Field).value == "330100"


async def test_the_filter_picks_a_province_and_keeps_its_customers(demo_store):
    app = make_app(demo_store, start="archive")
    zhejiang = Customer.select().where(Customer.region_code.startswith("33"), Customer.stop_date.is_null()).count()
    assert zhejiang > 0
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        screen = app.screen
        assert isinstance(screen, FilterScreen)
        screen.query_one("#f-region_code", Field).focus()
        await press(pilot, "f2")
        await type_text(pilot, "33")
        await settle(pilot)
        await press(pilot, "enter")
        assert screen.query_one("#f-region_code", Field).value == "330000"
        await press(pilot, "f6")
        query = app.screen.query_state
        assert query.filter.region_code == "330000"
        assert paging.count(query) == zhejiang
