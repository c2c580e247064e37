"""The filter (F3): F2 looks values up as on the card; management types and the stopped
condition are shown and taken in the language in force (stored in Chinese / as only, not)."""
import pytest

from db.archive import customers
from db.lists.query import Filter
from tests.ui import make_app, press, settle
from tui.screens.choice_picker import ChoicePicker
from tui.screens.filter import FilterScreen
from tui.widgets.fields import Field


async def open_filter(pilot):
    await settle(pilot)
    await press(pilot, "f3")
    assert isinstance(pilot.app.screen, FilterScreen)
    return pilot.app.screen


async def pick(pilot, field_id: str, choice: str) -> None:
    pilot.app.screen.query_one(f"#{field_id}", Field).focus()
    await press(pilot, "f2")
    picker = pilot.app.screen
    assert isinstance(picker, ChoicePicker)
    picker.query_one("OptionList").highlighted = picker.choices.index(choice)
    await press(pilot, "enter")


async def test_f2_picks_management_type_region_and_salesperson(demo_store):
    region = customers.values_in_use("region")[0]
    salesperson = customers.values_in_use("salesperson")[0]
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_filter(pilot)
        await pick(pilot, "f-mgmt_type", "VIP客户")
        await pick(pilot, "f-region", region)
        await pick(pilot, "f-salesperson", salesperson)
        await pick(pilot, "f-stopped", "仅在用")
        assert app.screen is screen
        assert screen.build() == Filter(mgmt_type="VIP客户", region=region, salesperson=salesperson,
                                        stopped="not")


async def test_f2_elsewhere_says_where_it_works(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_filter(pilot)
        screen.query_one("#f-dev_from", Field).focus()
        await press(pilot, "f2")
        assert app.screen is screen
        assert "F2" in str(screen.query_one("#filter-error").render())


async def test_english_filter_shows_and_takes_english_management_types(demo_store):
    app = make_app(demo_store, start="archive", lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_filter(pilot)
        field = screen.query_one("#f-mgmt_type", Field)
        field.value = "important"
        screen.query_one("#f-stopped", Field).value = "stopped only"
        assert screen.build() == Filter(mgmt_type="重要客户", stopped="only")
        field.value = "nonsense"
        await press(pilot, "f6")
        said = str(screen.query_one("#filter-error").render())
        assert "general / important / potential / VIP" in said and "一般客户" not in said
        screen.fill(Filter(mgmt_type="潜在客户", stopped="not"))
        assert field.value == "potential"
        assert screen.query_one("#f-stopped", Field).value == "active only"


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_filter_hint_is_in_one_language(demo_store, lang):
    app = make_app(demo_store, start="archive", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_filter(pilot)
        hint = str(screen.query_one("#f-stopped", Field).placeholder)
        if lang == "zh":
            assert "only" not in hint and "not" not in hint and "仅停用" in hint
        else:
            assert "stopped only" in hint
