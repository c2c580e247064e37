"""The customer list: a virtual list over db.lists.paging, instant at 1,000,000 customers.

Only the visible lines are drawn (a ScrollView with the line API); rows come from the store
in pages of PAGE, kept in a small LRU cache. A page next to a cached one is read by key, any
other through the query's anchors (db.lists.paging.anchors, read after the count on the
lower-priority background thread, tui.background), so every page costs the same wherever
it is. A page is read in the UI thread while
that stays under SYNC_BUDGET; once a read of the query takes longer, misses go to a thread
worker and the row shows a placeholder until its page arrives.

Cursor, keys, drawing and marks are tui.widgets.virtual_list's. Values are drawn as plain
Segments (never markup) and control characters become visible symbols, so a name holding
"[bold red]", "[/]" or an ESC shows literally and cannot repaint the terminal. Widths are
terminal cells (tui.widgets.cells), so Chinese columns line up.
"""
from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from functools import partial
from pathlib import Path
from typing import Callable, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip

from db import StoreError
from db.archive import approval
from db.archive.dimensions import DERIVED
from db.lists import paging
from db.lists.paging import DEFAULT_COLUMNS, PAGE, Anchors, ListQuery, Row, Selection
from tui import background
from tui.commands import key_of
from tui.head_start import HeadStart
from tui.i18n import CATALOG, error_text, t
from tui.widgets.cells import Align, fit, visible_text
from tui.widgets.virtual_list import VirtualList

CACHE_PAGES = 8
SYNC_BUDGET = 0.001  # seconds: a page read slower than this moves the query's reads to a worker
# The mark column: "*" for a marked row, then the stopped mark (one wide character or one
# narrow one), which says "stopped" where the grey cannot (a monochrome terminal).
GUTTER = 4  # with a cell between it and the first column
GAP = 1  # cells between columns


class ColumnSpec(NamedTuple):
    key: str
    width: int
    align: Align = "left"

    @property
    def title(self) -> str:
        """The column's header: its own short title when the field's name is wider than it."""
        short = f"list.col.{self.key}"
        return t(short) if short in CATALOG else t(f"customer.field.{self.key}")


COLUMN_SPECS = {spec.key: spec for spec in (
    ColumnSpec("code", 12), ColumnSpec("short_name", 16), ColumnSpec("name", 30),
    ColumnSpec("mnemonic", 10), ColumnSpec("class_code", 12), ColumnSpec("class_name", 14),
    ColumnSpec("region", 10), ColumnSpec("region_code", 8), ColumnSpec("industry", 10), ColumnSpec("mgmt_type", 10),
    ColumnSpec("dev_date", 10), ColumnSpec("stop_date", 10), ColumnSpec("salesperson", 10),
    ColumnSpec("department", 10), ColumnSpec("contact", 8), ColumnSpec("phone", 14),
    ColumnSpec("mobile", 11), ColumnSpec("email", 22), ColumnSpec("address", 30),
    ColumnSpec("tax_id", 18), ColumnSpec("credit_grade", 8),
    ColumnSpec("credit_limit", 14, "right"), ColumnSpec("credit_days", 8, "right"),
    ColumnSpec("completeness", 6, "right"),
)}


def cell_text(key: str, value) -> str:
    if value is None or value == "":
        return ""
    if key == "credit_limit":
        from db.values.money import format_money  # not among the columns the list opens with

        return format_money(value)
    if key == "completeness":
        return f"{value}%"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return visible_text(str(value))


class CustomerList(VirtualList):
    """A page-by-page list of the customers of a `ListQuery`."""

    # Whether approval is on (read at each restart of the list), and the codes of the rows
    # read so far that are new customers waiting for it (marked like stopped ones).
    _approval = False
    _waiting: frozenset | set = frozenset()

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    COMPONENT_PREFIX = "customer-list"
    COMPONENT_CLASSES = {
        "customer-list--header",
        "customer-list--cursor",
        "customer-list--marked",
        "customer-list--stopped",
        "customer-list--loading",
    }

    BINDINGS = [
        Binding("space", "toggle_mark", show=False, id="list.mark"),
        Binding("enter", "select", show=False, id="list.select"),
    ]

    class Highlighted(VirtualList.ListMessage):
        """The cursor is on customer `key`."""

    class Selected(VirtualList.ListMessage):
        """Enter on customer `key`."""

    class CountChanged(VirtualList.ListMessage):
        """The list now holds `count` customers (exact)."""

    class MarksChanged(VirtualList.ListMessage):
        """The marks changed: read `selection` (and db.lists.paging.selection_count for a number)."""

    def __init__(self, query: ListQuery | None = None, columns=DEFAULT_COLUMNS, *,
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._query = query
        self._columns: tuple[ColumnSpec, ...] = ()
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._anchors: Anchors | None = None
        self._total = 0
        self._counted = False  # the anchors are in
        self._exact = False  # the count is exact
        self._after_count: list = []  # moves waiting for the anchors
        self._end_waits = False  # End waiting for the exact count
        self._sync = True
        self._announced: str | None = None
        self.empty_reason = ""  # a catalog key once the list is known to be empty
        self.set_columns(columns, reload=False)

    # -- public API ------------------------------------------------------------------------

    @property
    def list_query(self) -> ListQuery | None:
        return self._query

    @property
    def count(self) -> int:
        """Rows in the list (provisional until CountChanged)."""
        return self._total

    @property
    def current_code(self) -> str | None:
        row = self.current_row
        return row.code if row else None

    def row_key(self, row: Row) -> str:
        return row.code

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self._columns)

    def set_columns(self, keys, reload: bool = True) -> None:
        """Show these columns (keys of db.lists.paging.COLUMNS), in this order."""
        self._columns = tuple(COLUMN_SPECS[key] for key in keys)
        width = GUTTER + sum(spec.width + GAP for spec in self._columns)
        self.virtual_size = Size(width, self._total + 1)
        if reload and self._query is not None:
            self._pages.clear()
            self._pending.clear()
            self._generation += 1
            self.refresh()

    def set_query(self, query: ListQuery, head: HeadStart | None = None) -> None:
        """Show `query`: recount (or take the count `head` has taken), cursor on the first
        row, marks cleared."""
        self._query = query
        self.selection = Selection()
        self._restart(keep=None, head=head)

    def reload(self, keep: str | None = None) -> None:
        """Read the list again (after a write), keeping the cursor on the same customer, or
        moving it to customer `keep`."""
        if self._query is not None:
            self._restart(keep=keep or self.current_code)

    def goto_code(self, code: str) -> bool:
        """Put the cursor on customer `code`; False when the list does not show it. Before the
        count is known, the move waits for it."""
        if not self._counted:
            self._after_count.append(lambda: self.goto_code(code))
            return True
        position = paging.position_of(self._query, code, self._anchors)
        if position is None:
            return False
        self.move_cursor(position)
        return True

    def mark_all(self) -> None:
        """Mark every row the query shows, symbolically (no code is loaded)."""
        if self._query is not None:
            self.selection = self.selection.with_all(self._query)
            self.refresh()
            self.post_message(self.MarksChanged(self))

    # -- actions -----------------------------------------------------------------------------

    def action_last(self) -> None:
        # The last row needs only the exact count: its page is read back from the list's end
        # by key (_reader), so End does not wait for the anchors' walk, which on a large list
        # queues behind the tree's counts.
        if not self._exact:
            self._end_waits = True
            return
        self._end_waits = False
        self._after_count = []  # a jump still waiting for the anchors gives way to the key
        self.move_cursor(self._total - 1)

    def action_select(self) -> None:
        if self.current_row is not None:
            self.post_message(self.Selected(self))

    # -- loading -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self._query is not None:
            self._restart(keep=None)

    def _restart(self, keep: str | None, head: HeadStart | None = None) -> None:
        self._generation += 1
        self._pages.clear()
        self._approval, self._waiting = approval.enabled(), set()
        self._pending.clear()
        self._anchors = None
        self._counted = False
        self._exact = False
        self._after_count = []
        self._end_waits = False
        self._sync = True
        self._announced = None
        self._cursor = 0
        self.scroll_to(0, 0, animate=False)
        read = head.first_page(self._query, self.columns) if head else None
        if read is not None:
            self._keep(0, read)
        first = self.row_at(0)  # page 0, read now unless read ahead
        page = self._pages.get(0)
        if page is not None and len(page) < PAGE:
            self._set_total(len(page), None)
        else:
            known = head.total(self._query, wait=False) if head else None
            self._set_total(known if known is not None else len(page or ()), None, final=False,
                            exact=known is not None)
            if known is not None:
                self.post_message(self.CountChanged(self))
            self.run_worker(self._count_worker(self._query, self._generation, known, head),
                            group="customer-list-count", exclusive=True, exit_on_error=False)
        if keep is not None:
            self.goto_code(keep)
        elif first is not None:
            self._announce()

    def _count_worker(self, query: ListQuery, generation: int, known: int | None,
                      head: HeadStart | None):
        async def work() -> None:
            # The count first, at the UI's priority: the status line waits for it. The
            # anchors walk takes longer and serves jumps: in the background, unless a jump
            # already waits for it (the customer just saved or located).
            try:
                if known is None:
                    total = await background.run(self._count_of, query, head, urgent=True)
                    self._count_known(generation, total)
                found = await background.run(paging.anchors, query, urgent=bool(self._after_count))
            except StoreError as exc:
                self.notify(error_text(exc), severity="error")
                return
            self._counted_arrived(generation, found)
        return work

    @staticmethod
    def _count_of(query: ListQuery, head: HeadStart | None) -> int:
        total = head.total(query, wait=True) if head else None
        return paging.count(query) if total is None else total

    def _count_known(self, generation: int, total: int) -> None:
        if generation == self._generation and not self._counted:
            self._set_total(total, None, final=False)
            self.post_message(self.CountChanged(self))

    def _counted_arrived(self, generation: int, found: Anchors) -> None:
        if generation != self._generation:
            return
        self._set_total(found.total, found)

    def _set_total(self, total: int, anchors: Anchors | None, final: bool = True,
                   exact: bool = True) -> None:
        self._total = total
        self._anchors = anchors
        self._exact = exact
        self.empty_reason = self._why_empty() if exact and total == 0 else ""
        self.virtual_size = Size(self.virtual_size.width, total + 1)
        self.refresh()
        if final:
            self._counted = True
            self.post_message(self.CountChanged(self))
            waiting, self._after_count = self._after_count, []
            for step in waiting:
                step()
            if self._cursor >= total:
                self.move_cursor(total - 1)
        if exact and self._end_waits:
            self.action_last()

    def row_at(self, index: int, load: bool = True) -> Row | None:
        number, at = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None and load:
            page = self._load(number)
        if page is None:
            return None
        self._pages.move_to_end(number)
        return page[at] if at < len(page) else None

    def _load(self, number: int) -> list[Row] | None:
        """Page `number` now when reads are quick, else ask a worker for it (None)."""
        if number in self._pending or self._query is None:
            return None
        read, cheap = self._reader(self._query, number, self._anchors)
        if cheap and (self._sync or number == 0):
            began = time.perf_counter()
            rows = read()
            self._sync = time.perf_counter() - began < SYNC_BUDGET
            self._keep(number, rows)
            return rows
        self._pending.add(number)
        self.run_worker(self._page_worker(read, number, self._generation),
                        thread=True, group="customer-list-page", exit_on_error=False)
        return None

    def _reader(self, query: ListQuery, number: int,
                anchors: Anchors | None) -> tuple[Callable[[], list[Row]], bool]:
        """How to read page `number`, and whether that is cheap: by key from a cached
        neighbour or, the last page once the count is exact, from the list's end; else by
        offset, cheap with anchors, a slow OFFSET scan without."""
        columns = self.columns
        before_page = self._pages.get(number - 1)
        if before_page and len(before_page) == PAGE:
            return partial(paging.after, query, before_page[-1].key, PAGE, columns), True
        after_page = self._pages.get(number + 1)
        if after_page:
            return partial(paging.before, query, after_page[0].key, PAGE, columns), True
        if self._exact and number == (self._total - 1) // PAGE:
            return partial(paging.before, query, None, self._total - number * PAGE, columns), True
        return (partial(paging.fetch, query, number * PAGE, PAGE, columns, anchors),
                number == 0 or anchors is not None)

    def _page_worker(self, read: Callable[[], list[Row]], number: int, generation: int):
        def work() -> None:
            try:
                with background.thread_connection():
                    rows = read()
            except StoreError as exc:  # the row stays "loading"; the next list asks again
                self.app.call_from_thread(self.notify, error_text(exc), severity="error")
                return
            self.app.call_from_thread(self._page_arrived, generation, number, rows)
        return work

    def _page_arrived(self, generation: int, number: int, rows: list[Row]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
        self._keep(number, rows)
        self.refresh()
        self._announce()

    def _keep(self, number: int, rows: list[Row]) -> None:
        self._pages[number] = rows
        if self._approval:  # 待审核: new customers waiting for an approver, marked
            self._waiting |= approval.pending_codes(r.code for r in rows)
        # never fewer pages than one screen spans, or drawing it would evict its own rows
        while len(self._pages) > max(CACHE_PAGES, self._body_height // PAGE + 3):
            self._pages.popitem(last=False)

    def _announce(self) -> None:
        code = self.current_code
        if code is not None and code != self._announced:
            self._announced = code
            self.post_message(self.Highlighted(self))

    # -- drawing -----------------------------------------------------------------------------

    def _why_empty(self) -> str:
        q = self._query
        if q is None:
            return ""
        if not q.filter.is_empty():
            return "list.empty.filtered"
        # One row read, not a count: a derived dimension may hold a million members.
        if q.dimension in DERIVED and not paging.ids_after(ListQuery(dimension=q.dimension, show_stopped=True),
                                                          None, 1):
            return "list.empty.not_evaluated"  # a derived dimension is filled by an evaluation
        if not q.show_stopped and paging.ids_after(dataclasses.replace(q, show_stopped=True), None, 1):
            return "list.empty.all_stopped"
        return "list.empty.class" if q.prefix else "list.empty.none"

    def empty_text(self) -> str:
        # The keys are other screens' commands (the evaluation's Ctrl+R too): named by id.
        return t(self.empty_reason, filter=key_of("archive.filter"), evaluate=key_of("analysis.evaluate"),
                 stopped=key_of("archive.stopped"), add=key_of("archive.add"),
                 import_=key_of("archive.import")) if self.empty_reason else ""

    def render_header(self, style: Style) -> Strip:
        segments = [Segment(" " * GUTTER, style)]
        for spec in self._columns:
            segments.append(Segment(fit(visible_text(spec.title), spec.width, spec.align), style))
            segments.append(Segment(" " * GAP, style))
        return Strip(segments)

    def render_row(self, index: int, row: Row | None, base: Style) -> tuple[Strip, Style]:
        marked = row is not None and self.selection.is_marked(row.code)
        stopped = row is not None and row.stopped
        style = self.row_style(index, base, marked, *(("stopped",) if stopped else ()))
        waiting = row is not None and row.code in self._waiting
        sign = t("list.stopped_mark") if stopped else t("request.pending_mark") if waiting else ""
        gutter = Segment(fit(("*" if marked else " ") + sign, GUTTER), style)
        if row is None:
            loading = style + self.get_component_rich_style("customer-list--loading")
            return Strip([gutter, Segment(t("list.loading"), loading)]), style
        segments = [gutter]
        for spec in self._columns:
            text = cell_text(spec.key, row.values.get(spec.key))
            segments.append(Segment(fit(text, spec.width, spec.align), style))
            segments.append(Segment(" " * GAP, style))
        return Strip(segments), style
