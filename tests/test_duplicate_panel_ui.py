"""Pilot flows of the card's 查重 panel (tui.widgets.duplicate_panel) on the demo archive:
the candidates shown before a save, Enter opening one, a second save saving anyway with the
reason in the history; snapshots at 80x24 and 120x40."""
from __future__ import annotations

import json

import pytest

from db.archive import customers
from db.core.models import ChangeLog
from tests.ui import make_app, press, settle
from tui.screens.card import CardScreen
from tui.widgets.duplicate_panel import DuplicatePanel

NAME = "北京华联综合超市有限公司"


async def new_card(pilot, **values):
    pilot.app.push_screen(CardScreen(None, class_code="020020002"))
    await settle(pilot)
    for key, value in {"code": "C900001", "name": NAME, "short_name": "华联综超", **values}.items():
        pilot.app.screen.query_one(f"#f-{key}").value = value


def panel(app) -> DuplicatePanel:
    return app.screen.query_one(DuplicatePanel)


async def test_the_demo_check_shows_c000355_before_saving(demo_store):
    phone = customers.get("C000355").phone
    async with make_app(demo_store, start="archive").run_test(size=(80, 24)) as pilot:
        await new_card(pilot, phone=phone)
        await press(pilot, "f6")
        assert customers.get("C900001") is None, "nothing saved yet"
        shown = panel(pilot.app)
        assert shown.display and shown.found[0].code == "C000355"
        assert set(shown.found[0].reasons) == {"name", "phone"}
        await press(pilot, "enter")
        assert isinstance(pilot.app.screen, CardScreen) and pilot.app.screen.code == "C000355"
        await press(pilot, "escape")
        await press(pilot, "f6")  # the second save saves anyway
        assert customers.get("C900001") is not None
        row = ChangeLog.get(ChangeLog.entity_code == "C900001", ChangeLog.action == "duplicate")
        assert json.loads(row.changes)["duplicates"][1].startswith("C000355 100 name/phone")


async def test_a_changed_watched_field_asks_again(demo_store):
    async with make_app(demo_store, start="archive").run_test(size=(80, 24)) as pilot:
        await new_card(pilot)
        await press(pilot, "f6")
        assert panel(pilot.app).display
        pilot.app.screen.query_one("#f-name").value = "北京华联综合超市总店"
        await press(pilot, "f6")
        assert customers.get("C900001") is None, "the new name is checked first"
        await press(pilot, "f6")
        assert customers.get("C900001").name == "北京华联综合超市总店"


async def test_a_card_like_no_other_saves_at_once(demo_store):
    async with make_app(demo_store, start="archive").run_test(size=(80, 24)) as pilot:
        await new_card(pilot, name="乌鲁木齐完全不同测试有限公司", short_name="完全不同")
        await press(pilot, "f6")
        assert customers.get("C900001") is not None
        assert not ChangeLog.select().where(ChangeLog.action == "duplicate").exists()


async def test_a_change_of_other_fields_is_not_checked(demo_store):
    async with make_app(demo_store, start="archive").run_test(size=(80, 24)) as pilot:
        pilot.app.push_screen(CardScreen("C000355"))
        await settle(pilot)
        pilot.app.screen.query_one("#f-remark").text = "改了备注"
        await press(pilot, "f6")
        assert customers.get("C000355").remark == "改了备注"


async def _panel_shown(pilot):
    await new_card(pilot, phone="010-49770167")
    await press(pilot, "f6")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_panel_snapshot(snap_compare, demo_store, size):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size,
                        run_before=_panel_shown)
