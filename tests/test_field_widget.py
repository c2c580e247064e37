"""tui.widgets.fields.Field: a keystroke repaints the field without laying the screen out,
and a text longer than the field still scrolls to keep the cursor in view."""
from textual.app import App

from tests.ui import settle
from tui.widgets.fields import Field


class Form(App):
    CSS = "Field { width: 12; border: none; height: 1; }"

    def compose(self):
        yield Field("", id="f")


async def test_typing_lays_nothing_out_and_a_long_text_scrolls():
    app = Form()
    async with app.run_test(size=(40, 5)) as pilot:
        await settle(pilot)
        laid_out = []
        real = app.screen._refresh_layout

        def counted(*args, **kwargs):
            laid_out.append(1)
            return real(*args, **kwargs)

        app.screen._refresh_layout = counted
        await pilot.press(*"abcdefghijklmnopqrstuvwxyz")
        await settle(pilot)
        field = app.query_one(Field)
        assert field.value == "abcdefghijklmnopqrstuvwxyz"
        assert laid_out == []
        assert field.virtual_size.width >= 26 and field.scroll_x > 0  # the cursor end in view
