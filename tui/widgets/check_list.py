"""A SelectionList whose boxes say whether they are ticked in the character itself: Textual
draws the same X on and off, only its colour differs, which a monochrome terminal (or a
colour-blind eye) cannot tell apart. Ticked boxes keep the X, unticked ones are blank."""
from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

BOX = 1  # the segment of the box's inside, after its left side (SelectionList.render_line)


class CheckList(SelectionList):
    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        if option.value in self.selected:
            return strip
        segments = list(strip)
        text, style, control = segments[BOX]
        segments[BOX] = Segment(" " * len(text), style, control)
        return Strip(segments, strip.cell_length)
