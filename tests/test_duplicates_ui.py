"""Pilot flows of the 查重 triage queue (tui.screens.duplicates) on the demo archive: M merges
a pair through 并户, N marks one "not a duplicate" (never proposed again), U takes it back,
S skips; snapshots at 80x24 and 120x40."""
from __future__ import annotations

import pytest

from db.archive import customers, duplicate_marks, duplicate_report
from tests.ui import make_app, press, settle
from tui.screens.confirm import ConfirmScreen
from tui.screens.duplicates import DuplicatesScreen
from tui.screens.merge import MergeScreen


async def opened(pilot):
    await press(pilot, "alt+d")
    for _ in range(100):
        await settle(pilot)
        if isinstance(pilot.app.screen, DuplicatesScreen) and pilot.app.screen.queue.pairs:
            return pilot.app.screen
    raise AssertionError("the queue never filled")


async def test_the_queue_merges_one_pair_and_marks_another_never_proposed_again(demo_store):
    async with make_app(demo_store, start="archive").run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        first = screen.queue.current_row
        assert first.score >= 95
        assert screen.sides_for == first
        await press(pilot, "n")  # not a duplicate
        assert duplicate_marks.is_marked(first.first.code, first.second.code)
        assert all(p.key != first.key for p in screen.queue.pairs)
        await press(pilot, "u")  # taken back
        assert not duplicate_marks.is_marked(first.first.code, first.second.code)
        assert screen.queue.current_row == first
        await press(pilot, "n")
        await press(pilot, "s")  # skip one
        skipped = screen.queue.pairs[0]
        to_merge = screen.queue.current_row
        assert to_merge != skipped
        await press(pilot, "m")
        assert isinstance(pilot.app.screen, MergeScreen)
        await press(pilot, "f6")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await press(pilot, "enter")
        await settle(pilot)
        assert customers.get(to_merge.second.code) is None, "merged away"
        assert customers.get(to_merge.first.code) is not None
        assert all(to_merge.second.code not in (p.first.code, p.second.code) for p in screen.queue.pairs)
    groups = [{m.code for m in g.members} for g in duplicate_report.report().groups]
    assert not any({first.first.code, first.second.code} <= g for g in groups), "never again"


async def _opened(pilot):
    await opened(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_triage_snapshot(snap_compare, demo_store, size):
    assert snap_compare(make_app(demo_store, start="archive"), terminal_size=size, run_before=_opened)
