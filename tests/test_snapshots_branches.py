"""Snapshots of the card of a customer that has a head office and a branch (总公司: the demo's
C001279, under C000355, over C001045), its basic tab and its 业绩 tab rolled up to the group,
at 80x24 and 120x40, in both languages, with a fixed clock."""
import pytest

from tests.ui import make_app, press, settle

SIZES = [(80, 24), (120, 40)]


def card_of(code, *keys):
    async def run(pilot):
        await settle(pilot)
        pilot.app.screen.jump_to(code)
        await settle(pilot)
        await press(pilot, "enter")
        for key in keys:
            await press(pilot, key)
        await settle(pilot)
    return run


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_card_with_head_and_branches(snap_compare, demo_store, size, lang):
    assert snap_compare(make_app(demo_store, lang=lang, start="archive"), terminal_size=size,
                        run_before=card_of("C001279"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_sales_of_the_group(snap_compare, demo_store, size, lang):
    assert snap_compare(make_app(demo_store, lang=lang, start="archive"), terminal_size=size,
                        run_before=card_of("C000355", "ctrl+g"))
