"""The base of every list that reads its rows from the store a page at a time: only the
visible lines are drawn (a ScrollView with the line API), line 0 is the header.

The base keeps the cursor, the scrolling, the page keys, the drawing of the header and the
rows, the marks (one db.lists.paging.Selection of row keys) and the messages. A subclass
says only what differs:
- `count`, the rows the list spans, and `row_at(index)`, the page-fetch hook: the row at
  `index`, reading its page (or asking a worker for it, None until it arrives);
- `row_key(row)`, what a mark names (a customer code);
- `render_header(style)` and `render_row(index, row, base)`, the row-render hook;
- `empty_text()`, what the list says under its header when it holds no rows: why it is
  empty and what to press ("" while that is not known yet, e.g. the count still runs);
- its messages, each a `ListMessage` subclass with only a docstring: Highlighted, Selected,
  CountChanged, MarksChanged (declared on the subclass, so a handler is named after it:
  on_customer_list_highlighted);
- `COMPONENT_PREFIX`: its component classes are PREFIX--header, --cursor and --marked.

The keys are Bindings with ids (list.cursor_up, …), so keymap.toml can remap them.
Values are drawn as plain Segments (never markup), see tui.widgets.cells.visible_text.
"""
from __future__ import annotations

from typing import Any, ClassVar, Iterable

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from db.lists.paging import Selection
from tui.widgets.cells import visible_text


class VirtualList(ScrollView, can_focus=True):
    """A list of `count` rows under a header, a cursor on one of them."""

    COMPONENT_PREFIX: ClassVar[str] = ""
    COMPONENT_CLASSES: ClassVar[set[str]] = {"virtual-list--empty"}
    DEFAULT_CSS = """
    VirtualList > .virtual-list--empty {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor_up", show=False, id="list.cursor_up"),
        Binding("down,j", "cursor_down", show=False, id="list.cursor_down"),
        Binding("pageup", "page_up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", show=False, id="list.page_down"),
        Binding("home", "first", show=False, id="list.first"),
        Binding("end", "last", show=False, id="list.last"),
    ]

    class ListMessage(Message):
        """Something happened on `virtual_list`; `row` is the row under its cursor then (None
        while it loads or when the list is empty), `key` that row's key, `count` its rows."""

        def __init__(self, virtual_list: VirtualList) -> None:
            super().__init__()
            self.virtual_list = virtual_list
            self.row = virtual_list.current_row
            self.key = None if self.row is None else virtual_list.row_key(self.row)
            self.count = virtual_list.count

        @property
        def control(self) -> VirtualList:
            return self.virtual_list

    def __init__(self, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._cursor = 0
        self._base_style = Style()  # the widget's style, as of the latest drawing pass
        self.selection = Selection()

    # -- the subclass's hooks ------------------------------------------------------------------

    @property
    def count(self) -> int:
        raise NotImplementedError

    def row_at(self, index: int, load: bool = True) -> Any | None:
        """The row at `index`; `load`: read its page when it is not at hand."""
        raise NotImplementedError

    def row_key(self, row: Any) -> str:
        raise NotImplementedError

    def render_header(self, style: Style) -> Strip:
        raise NotImplementedError

    def render_row(self, index: int, row: Any | None, base: Style) -> tuple[Strip, Style]:
        """Line `index` (row None: still loading) and the style to extend it with."""
        raise NotImplementedError

    def empty_text(self) -> str:
        """Why the list is empty and what to press; an empty list without it says nothing."""
        return ""

    # -- cursor --------------------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def position(self) -> int:
        """Where the cursor is in the whole list (a subclass showing one page of it adds the
        page's start)."""
        return self._cursor

    @property
    def current_row(self) -> Any | None:
        return self.row_at(self._cursor, load=False)

    def move_cursor(self, index: int) -> None:
        self._cursor = min(max(index, 0), max(self.count - 1, 0))
        self.row_at(self._cursor)  # read its page now (or ask for it) so Highlighted can follow
        self._scroll_to_cursor()
        self.refresh()
        self._announce()

    def move_by(self, delta: int) -> None:
        self.move_cursor(self._cursor + delta)

    def _announce(self) -> None:
        self.post_message(self.Highlighted(self))

    @property
    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        height = self._body_height
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False)

    def action_cursor_up(self) -> None:
        self.move_by(-1)

    def action_cursor_down(self) -> None:
        self.move_by(1)

    def action_page_up(self) -> None:
        self.move_by(-self._body_height)

    def action_page_down(self) -> None:
        self.move_by(self._body_height)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.count - 1)

    def on_click(self, event) -> None:
        if event.y >= 1:
            self.move_cursor(int(self.scroll_y) + event.y - 1)

    # -- marks ---------------------------------------------------------------------------------

    def action_toggle_mark(self) -> None:
        """Mark or unmark the row's key, then on to the next row of another key (every row
        of this key just changed with it)."""
        row = self.current_row
        if row is None:
            self.move_by(1)
            return
        key = self.row_key(row)
        self.selection = self.selection.toggled(key)
        self.post_message(self.MarksChanged(self))
        while True:
            before = self.position
            self.move_by(1)
            row = self.current_row
            if self.position == before or row is None or self.row_key(row) != key:
                break
        self.refresh()

    def add_marks(self, keys: Iterable[str]) -> None:
        self.selection = self.selection.with_marked(keys)
        self.refresh()
        self.post_message(self.MarksChanged(self))

    def clear_marks(self) -> None:
        self.selection = Selection()
        self.refresh()
        self.post_message(self.MarksChanged(self))

    # -- drawing -------------------------------------------------------------------------------

    def row_style(self, index: int, base: Style, marked: bool, *states: str) -> Style:
        """`base`, then the component styles of the row's `states` (names after the
        prefix), of a mark and of the cursor."""
        style = base
        for state in (*states, "marked" if marked else None, "cursor" if index == self._cursor else None):
            if state is not None:
                style += self.get_component_rich_style(f"{self.COMPONENT_PREFIX}--{state}")
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's own style is the same on every line of a pass (working it out walks
        # the widget's ancestors): looked up once per pass.
        self._base_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._base_style
        if y == 0:
            style = base + self.get_component_rich_style(f"{self.COMPONENT_PREFIX}--header")
            strip = self.render_header(style)
        else:
            index = scroll_y + y - 1
            if index >= self.count:
                if index == 0 and (empty := self.empty_text()):
                    style = base + self.get_component_rich_style("virtual-list--empty")
                    return Strip([Segment(" " + visible_text(empty), style)]).crop_extend(
                        scroll_x, scroll_x + width, base)
                return Strip.blank(width, base)
            strip, style = self.render_row(index, self.row_at(index), base)
        return strip.crop_extend(scroll_x, scroll_x + width, style)
