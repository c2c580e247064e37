"""Input fields that behave the same in every form: no cursor blink under test, a length
cap (pasting a thousand characters cannot overflow a column), and a label beside them."""
from __future__ import annotations

from textual.widgets import Input


class Field(Input):
    """An Input whose blinking follows the app (snapshots need a still cursor)."""

    def __init__(self, value: str = "", *, max_length: int = 0, **kwargs) -> None:
        super().__init__(value, max_length=max_length, select_on_focus=False, **kwargs)

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)
