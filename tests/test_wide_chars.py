"""A dialog's wide (Chinese) characters stay whole where the dialog crosses the edge of a widget
beneath it (tui/wide_chars.py; issue 16 item 34), and the compositor otherwise paints the
same cells as Textual's own."""
from __future__ import annotations

import pytest
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from tests.ui import make_app, press, settle
from tui import wide_chars

ORIGINAL = wide_chars.TEXTUALS


class Crossing(App):
    """A tree-like pane 23 cells wide beside a list, and over both a dialog whose text puts
    a Chinese character on columns 22-23, across the pane's edge."""

    CSS = """
    Horizontal { height: 100%; }
    Horizontal Static { height: 100%; }
    #left { width: 23; }
    #dialog { layer: above; offset: 0 2; width: 60; height: 3; }
    Screen { layers: base above; }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Static("左" * 11 + "x", id="left")
            yield Static("right " * 10, id="right")
        yield Static(self.text, id="dialog")


def _lines(app: App) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _cells(app: App) -> list[list[tuple[str, object]]]:
    return [[(seg.text, seg.style) for seg in strip] for strip in app.screen._compositor.render_strips()]


async def _render(text: str, chops) -> tuple[list[str], list]:
    app = Crossing(text)
    previous = Compositor._render_chops
    Compositor._render_chops = chops
    try:
        async with app.run_test(size=(60, 8)) as pilot:
            await pilot.pause()
            app.screen._compositor._cuts = None
            return _lines(app), _cells(app)
    finally:
        Compositor._render_chops = previous


async def test_a_wide_character_on_the_edge_beneath_is_painted_whole():
    text = "输入编码开头, 名称或简称中的任意字"  # 称 on columns 22-23, across the pane's edge
    before, _ = await _render(text, ORIGINAL)
    after, _ = await _render(text, wide_chars._render_chops)
    assert "名称或简称中" not in before[2]  # Textual 8.2.8's own split it into two spaces
    assert "名称或简称中" in after[2]


@pytest.mark.parametrize("text", ["plain ascii dialog text crossing the edge", "", "x" * 60])
async def test_without_wide_characters_the_cells_are_textuals_own(text):
    _, before = await _render(text, ORIGINAL)
    _, after = await _render(text, wide_chars._render_chops)
    join = lambda lines: ["".join(t for t, _ in line) for line in lines]  # noqa: E731
    assert join(after) == join(before)
    styles = lambda lines: [[s for t, s in line for _ in t] for line in lines]  # noqa: E731
    assert styles(after) == styles(before)


async def test_the_locate_hint_reads_whole_at_80x24(demo_store):
    """The case the walk found: the locate box's hint over the tree / list border, in Chinese."""
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        assert "名称或简称中的任意字" in "\n".join(_lines(app))


@pytest.mark.parametrize("x", [30, 22, 40])
async def test_a_partial_update_inside_a_run_paints_it(x):
    """A dirty span that starts right of the pane's edge, inside the dialog's one strip:
    the update writes the dialog's cells there (Textual's own ends would skip the strip)."""
    import re

    from textual.geometry import Region

    text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"
    app = Crossing(text)
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        compositor = app.screen._compositor
        compositor._dirty_regions.clear()
        compositor._dirty_regions.add(Region(x, 2, 8, 1))
        update = compositor.render_partial_update()
        written = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", update.render_segments(app.console))
        assert text[x:x + 8] in written
