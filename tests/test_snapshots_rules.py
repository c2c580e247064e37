"""Snapshots of the rules screen (also with a refusal), the evaluation prompt, the review
screen, the health check and the statistics screen (also drilled into a class), at 80x24 and
120x40, on the demo archive with a fixed clock and a fixed "as of" date."""
import pytest

from tests.ui import make_app, press, settle

SIZES = [(80, 24), (120, 40)]
SIZE_IDS = ["80x24", "120x40"]


async def rules(pilot):
    await settle(pilot)
    await press(pilot, "ctrl+u")


async def rules_refused(pilot):
    await rules(pilot)
    pilot.app.screen.query_one("#f-scale-medium").value = "5,000,000"
    await press(pilot, "f6")


async def evaluate(pilot):
    await settle(pilot)
    await press(pilot, "ctrl+r")


async def review(pilot):
    await evaluate(pilot)
    pilot.app.screen.query_one("#f-as_of").value = "2026-06-30"
    await press(pilot, "enter")
    await settle(pilot)
    await press(pilot, "space")


async def health(pilot):
    await settle(pilot)
    await press(pilot, "ctrl+k")
    await settle(pilot)


async def statistics(pilot):
    await settle(pilot)
    await press(pilot, "ctrl+y")
    await settle(pilot)


async def statistics_drilled(pilot):
    await statistics(pilot)
    await press(pilot, "down", "enter")
    await settle(pilot)


STATES = [rules, rules_refused, evaluate, review, health, statistics, statistics_drilled]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("state", STATES, ids=lambda f: f.__name__)
def test_rules_screens(snap_compare, demo_store, size, state):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size, run_before=state)


def test_review_english(snap_compare, demo_store):
    assert snap_compare(make_app(demo_store, lang="en", start="archive"), terminal_size=(120, 40),
                        run_before=review)
