"""Input fields that behave the same in every form: no cursor blink under test, a length
cap (pasting a thousand characters cannot overflow a column), and a label beside them."""
from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class Field(Input):
    """An Input whose blinking follows the app (snapshots need a still cursor)."""

    # An Input sets its scrollable size to its text's width on every keystroke, and in a
    # Widget that size change lays the whole screen out again (about 10 ms of the locate
    # box's answer). A field shows no scroll bar and its size does not follow its text (an
    # Input of automatic size lays itself out anyway): the size is kept, the layout skipped.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, value: str = "", *, max_length: int = 0, **kwargs) -> None:
        super().__init__(value, max_length=max_length, select_on_focus=False, **kwargs)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)

    def _on_paste(self, event: events.Paste) -> None:
        """Paste what fits: Textual's Input drops a paste that would pass max_length whole,
        which looks like the paste did nothing."""
        if self.max_length and event.text:
            start, end = sorted(self.selection)
            room = self.max_length - (len(self.value) - (end - start))
            event = events.Paste(event.text.splitlines()[0][:max(room, 0)])
        super()._on_paste(event)
