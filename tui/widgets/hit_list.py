"""The locate box's results: one line per customer found, the highlighted one marked.

Not an OptionList: that is a scrolling widget whose scrollable size follows its options, and
in Textual a change of that size lays the whole screen out again, so every answer to a
keystroke cost a layout and a repaint of everything under the box. This
list never scrolls by itself: it shows the window of lines that holds the highlighted one
(locate answers 50 customers at most), and a new answer only repaints it.
"""
from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget


class HitList(Widget, can_focus=False):
    COMPONENT_CLASSES = {"hit-list--highlighted"}
    DEFAULT_CSS = """
    HitList {
        height: 1fr;
        padding: 0 1;
        color: $foreground;
        background: $surface;
        & > .hit-list--highlighted {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
    }
    """

    class Picked(Message):
        """A line was clicked."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Text] = []
        self._top = 0  # the first line shown
        self.highlighted: int | None = None

    def show(self, lines: list[Text]) -> None:
        """New lines, the first one highlighted."""
        self._lines = lines
        self._top = 0
        self.highlighted = 0 if lines else None
        self.refresh()

    def move(self, step: int) -> None:
        """The highlight `step` lines down (up when negative), kept in view."""
        if not self._lines:
            return
        self.highlighted = max(0, min(len(self._lines) - 1, (self.highlighted or 0) + step))
        height = self.content_size.height
        if self.highlighted < self._top:
            self._top = self.highlighted
        elif height and self.highlighted >= self._top + height:
            self._top = self.highlighted - height + 1
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.rich_style
        index = self._top + y
        if index >= len(self._lines):
            return Strip.blank(width, base)
        style = base
        if index == self.highlighted:
            style = base + self.get_component_rich_style("hit-list--highlighted")
        segments = self._lines[index].render(self.app.console)
        return Strip(Segment.apply_style(segments, style)).crop_extend(0, width, style)

    def on_click(self, event: events.Click) -> None:
        index = self._top + event.y
        if 0 <= index < len(self._lines):
            self.post_message(self.Picked(index))
