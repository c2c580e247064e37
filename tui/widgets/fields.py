"""Input fields that behave the same in every form: no cursor blink under test, a length
cap (pasting a thousand characters cannot overflow a column), and a label beside them."""
from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

# What macOS's Option+digit types (US layout), which is what Alt+digit arrives as from a
# Mac terminal that does not send Option as Meta: the Alt+digit key it stands for.
OPTION_DIGITS = dict(zip("º¡™£¢∞§¶•ª", "0123456789"))


def chord_refused(widget, event: events.Key) -> None:
    """An Alt chord types nothing: Esc+digit reaches Textual as alt+digit carrying the digit
    as its character, and Option+digit as ¡™£¢...; both went into the field and were saved.
    Option+digit is handed on as the Alt+digit key (a card's tab keys)."""
    digit = OPTION_DIGITS.get(event.character or "")
    if digit is None and not (event.key.startswith(("alt+", "meta+")) and event.is_printable):
        return
    event.prevent_default()  # the field's typing, not the bindings the key bubbles up to
    if digit is not None:
        event.stop()
        widget.app.simulate_key(f"alt+{digit}")


class Field(Input):
    """An Input whose blinking follows the app (snapshots need a still cursor)."""

    # An Input sets its scrollable size to its text's width on every keystroke, and in a
    # Widget that size change lays the whole screen out again (on every keystroke of the
    # locate box). A field shows no scroll bar and its size does not follow its text (an
    # Input of automatic size lays itself out anyway): the size is kept, the layout skipped.
    virtual_size = Reactive(Size(0, 0), layout=False)

    class Cut(Message):
        """A paste that did not fit: `kept` of its `length` characters went in."""

        def __init__(self, field: "Field", kept: int, length: int) -> None:
            super().__init__()
            self.field, self.kept, self.length = field, kept, length

    def __init__(self, value: str = "", *, max_length: int = 0, **kwargs) -> None:
        super().__init__(value, max_length=max_length, select_on_focus=False, **kwargs)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)

    def _on_key(self, event: events.Key) -> None:
        # Textual runs the Input's own handler after this one unless the default is prevented.
        chord_refused(self, event)

    def _on_paste(self, event: events.Paste) -> None:
        """Paste what fits: Textual's Input drops a paste that would pass max_length whole,
        which looks like the paste did nothing."""
        if self.max_length and event.text:
            start, end = sorted(self.selection)
            room = self.max_length - (len(self.value) - (end - start))
            line = event.text.splitlines()[0]
            if len(line) > room:  # said, not done silently: the rest is not saved
                self.post_message(self.Cut(self, max(room, 0), len(line)))
            event = events.Paste(line[:max(room, 0)])
        super()._on_paste(event)
