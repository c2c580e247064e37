"""Snapshots of the card's sub-record tabs, each with its form open (the default record in
it, or a new one where the customer has none), at 80x24 and 120x40, in both languages, on
the demo archive's C000355 with a fixed clock."""
import pytest

from db.values.subfields import KINDS
from tests.ui import make_app, press, settle

SIZES = [(80, 24), (120, 40)]


def tab_with_form(kind):
    async def run(pilot):
        await settle(pilot)
        pilot.app.screen.jump_to("C000355")
        await settle(pilot)
        await press(pilot, "enter")
        card = pilot.app.screen
        card.action_tab(card.panes.index(kind))
        await settle(pilot)
        await press(pilot, "enter" if card.query_one(f"#sub-{kind}").rows else "f5")
    return run


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("kind", KINDS)
def test_subrecord_tabs(snap_compare, demo_store, kind, size, lang):
    assert snap_compare(make_app(demo_store, lang=lang, start="archive"), terminal_size=size,
                        run_before=tab_with_form(kind))
