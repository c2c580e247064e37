"""The one-line footer (tui.widgets.footer): which keys it shows, how it fits, clicks."""
from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from tui.widgets.footer import KehuFooter


class Keys(App):
    BINDINGS = [
        Binding("f5", "add", "Add"),
        Binding("slash", "locate", "Locate"),
        Binding("ctrl+f", "locate", "Locate"),
        Binding("f3", "filter", "Filter"),
        Binding("f8", "hidden", "Hidden", show=False),
        Binding("f9", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input()
        yield KehuFooter()

    def action_add(self) -> None:
        self.done.append("add")

    def action_filter(self) -> None:
        self.done.append("filter")


def _line(app: App) -> str:
    return str(app.query_one(KehuFooter).render()).rstrip()


async def test_shows_each_action_once_and_the_palette_key_on_the_right():
    app = Keys()
    async with app.run_test(size=(100, 5)) as pilot:
        await pilot.pause()
        line = _line(app)
        assert line.startswith(" f5 Add  / Locate  f3 Filter  f9 Refresh")
        assert "^f" not in line and "Hidden" not in line
        assert line.endswith("▏^p palette")
        assert len(str(app.query_one(KehuFooter).render())) == 100


async def test_a_narrow_footer_shows_whole_keys_only():
    app = Keys()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        line = _line(app)
        assert line.startswith(" f5 Add  / Locate ") and "Filt" not in line
        assert line.endswith("▏^p palette")


async def test_a_click_presses_the_key_and_held_keeps_what_is_shown():
    app = Keys()
    async with app.run_test(size=(100, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KehuFooter)
        await pilot.click(KehuFooter, offset=(2, 0))  # on " f5 Add "
        await pilot.click(KehuFooter, offset=(20, 0))  # on " f3 Filter "
        assert app.done == ["add", "filter"]
        shown = _line(app)
        footer.held = True
        app.bind("f2", "other", description="Other")
        app.refresh_bindings()
        await pilot.pause()
        assert _line(app) == shown
        footer.held = False
        app.refresh_bindings()
        await pilot.pause()
        assert "f2 Other" in _line(app)


async def test_the_palette_key_is_named_in_the_language_in_force():
    from tui import i18n

    i18n.set_lang("zh")
    app = Keys()
    async with app.run_test(size=(100, 5)) as pilot:
        await pilot.pause()
        assert _line(app).endswith("▏^p 命令面板")
