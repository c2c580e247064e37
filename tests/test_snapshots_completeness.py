"""Snapshots of 完整度: the list's column sorted by it, the health check's finding (per class,
the least complete first), the weights on the rules screen and the filter's condition, at
80x24 and 120x40, Chinese and English, on the demo archive with a fixed clock."""
import pytest

from db.archive import completeness
from tests.ui import make_app, press, settle, type_text

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def column(pilot):
    await settle(pilot)
    screen = pilot.app.screen
    screen.columns = ["code", "short_name", "completeness", "class_code", "tax_id", "contact"]
    screen.listing.set_columns(screen.columns)
    screen.apply(sort="completeness")
    await settle(pilot)


async def finding(pilot):
    # The demo's cards are nearly complete: a heavy tax id sinks the persons without one.
    completeness.set_weights({"tax_id": 100})
    await settle(pilot)
    await press(pilot, "ctrl+k")
    await settle(pilot)
    screen = pilot.app.screen
    screen.query_one("#findings").highlighted = [f.kind for f in screen.findings].index("incomplete")
    await settle(pilot)


async def weights(pilot):
    await settle(pilot)
    await press(pilot, "ctrl+u")
    pilot.app.screen.query_one("#f-completeness-tax_id").focus()
    await settle(pilot)


async def weights_refused(pilot):
    await weights(pilot)
    pilot.app.screen.query_one("#f-completeness-tax_id").value = "500"
    await press(pilot, "f6")


async def filter_below(pilot):
    await settle(pilot)
    await press(pilot, "f3")
    pilot.app.screen.query_one("#f-completeness_below").focus()
    await type_text(pilot, "90")


STATES = [column, finding, weights, weights_refused, filter_below]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", STATES, ids=lambda f: f.__name__)
def test_completeness_screens(snap_compare, demo_store, size, state, lang):
    assert snap_compare(make_app(demo_store, lang=lang, start="archive"), terminal_size=size,
                        run_before=state)
