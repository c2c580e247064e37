"""Snapshots of the archive screen, each card tab, locate with results, the filter form and
a field error, at 80x24 and 120x40, on the demo archive with a fixed clock."""
import pytest

from tests.ui import make_app, press, settle, type_text

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def archive(pilot):
    await settle(pilot)


async def archive_class(pilot):
    await settle(pilot)
    pilot.app.screen.tree.select_code("020020002")
    await settle(pilot)
    await press(pilot, "down", "down")


def card_tab(key):
    async def run(pilot):
        await settle(pilot)
        pilot.app.screen.jump_to("C000355")
        await settle(pilot)
        await press(pilot, "enter")
        if key:
            await press(pilot, key)
    run.__name__ = f"card_{key or 'basic'}"
    return run


async def locate_results(pilot):
    await settle(pilot)
    await press(pilot, "slash")
    await type_text(pilot, "华联")
    await settle(pilot)


async def filter_form(pilot):
    await settle(pilot)
    await press(pilot, "f3")
    await type_text(pilot, "VIP客户")


async def field_error(pilot):
    await settle(pilot)
    pilot.app.screen.tree.select_code("020020002")
    await settle(pilot)
    await press(pilot, "f5")
    await type_text(pilot, "C000355")
    pilot.app.screen.query_one("#f-tax_id").value = "91110000123456789X"
    await press(pilot, "f6")


async def dimension_switcher(pilot):
    await settle(pilot)
    await press(pilot, "f2")


async def archive_by_region(pilot):
    await settle(pilot)
    pilot.app.screen.switch_dimension("region")
    await settle(pilot)
    pilot.app.screen.tree.select_code("01")
    await settle(pilot)


async def columns_form(pilot):
    """F4 with one column ticked off, so both kinds of box show (issue 16 item 36)."""
    await settle(pilot)
    await press(pilot, "f4", "space", "down")


STATES = [archive, archive_class, card_tab(None), card_tab("alt+2"), card_tab("alt+3"),
          card_tab("alt+4"), card_tab("alt+5"), card_tab("alt+6"), locate_results, filter_form,
          field_error, dimension_switcher, archive_by_region, columns_form]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", STATES, ids=lambda f: f.__name__)
def test_archive_screens(snap_compare, demo_store, size, state):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size, run_before=state)


def test_archive_english(snap_compare, demo_store):
    assert snap_compare(make_app(demo_store, lang="en", start="archive"), terminal_size=(120, 40),
                        run_before=archive_class)


@pytest.mark.parametrize("key", [None, "alt+4"], ids=["basic", "other"])
def test_card_english_labels_fit_their_column(snap_compare, demo_store, key):
    """English labels are longer than Chinese ones (Legal representative, Development date):
    the label column widens to them instead of wrapping them over lines."""
    assert snap_compare(make_app(demo_store, lang="en", start="archive"), terminal_size=(80, 24),
                        run_before=card_tab(key))
