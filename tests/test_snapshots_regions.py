"""Snapshots of the national-table picker (F2 on 所属地区, pinyin typed) at 80x24 and 120x40 in
both languages, and of the filter's 所属地区码 with a province picked."""
import pytest

from tests.ui import make_app, press, settle, type_text

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def region_picker(pilot):
    await settle(pilot)
    pilot.app.screen.jump_to("C000355")
    await settle(pilot)
    await press(pilot, "enter")
    pilot.app.screen.query_one("#f-region").focus()
    await press(pilot, "f2")
    await type_text(pilot, "hz")
    await settle(pilot)
    await press(pilot, "down")


async def filter_region(pilot):
    await settle(pilot)
    await press(pilot, "f3")
    pilot.app.screen.query_one("#f-region_code").focus()
    await press(pilot, "f2")
    await type_text(pilot, "33")
    await settle(pilot)
    await press(pilot, "enter")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_region_picker(snap_compare, demo_store, size, lang):
    assert snap_compare(make_app(demo_store, lang=lang, start="archive"), terminal_size=size,
                        run_before=region_picker)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_filter_with_a_region_code(snap_compare, demo_store, size):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size, run_before=filter_region)
