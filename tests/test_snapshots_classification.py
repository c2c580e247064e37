"""Snapshots of the classification and coding-scheme screens, at 80x24 and 120x40."""
import pytest

from tests.ui import make_app, press, settle, type_text

SIZES = [(80, 24), (120, 40)]


async def first_view(pilot):
    await settle(pilot)


async def add_form(pilot):
    await settle(pilot)
    pilot.app.screen.tree.select_code("02")
    await settle(pilot)
    await press(pilot, "f5")
    await type_text(pilot, "003")


async def error_shown(pilot):
    await settle(pilot)
    await press(pilot, "f5")
    await type_text(pilot, "123")
    await press(pilot, "tab")
    await type_text(pilot, "坏编码")
    await press(pilot, "f6")


async def help_shown(pilot):
    await settle(pilot)
    await press(pilot, "f1")


async def scheme_screen(pilot):
    await settle(pilot)
    await press(pilot, "f12")


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("state", [first_view, add_form, error_shown, help_shown, scheme_screen],
                         ids=lambda f: f.__name__)
def test_classification_zh(snap_compare, seeded, size, state):
    assert snap_compare(make_app(seeded), terminal_size=size, run_before=state)


@pytest.mark.parametrize("state", [first_view, error_shown], ids=lambda f: f.__name__)
def test_classification_en(snap_compare, seeded, state):
    assert snap_compare(make_app(seeded, lang="en"), terminal_size=(80, 24), run_before=state)
