"""The proposals of an evaluation, page by page from the store (db.evaluation.rules.proposals, keyset on
customer code and target), never all at once: a run over 1,000,000 customers holds millions.

The widget keeps one page of PAGE rows and the start key of every page seen so far, so moving
past either end of the page reads the next or previous page by key (under a millisecond on
the (run, customer code, target) index). Marks are customer codes: applying works per
customer (db.evaluation.rules.apply), so every row of a marked customer shows marked. Cursor, keys,
drawing and marks are tui.widgets.virtual_list's.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip

from db.evaluation.rules import END, ProposalRow
from tui.commands import key_of
from tui.i18n import t
from tui.widgets.cells import fit, visible_text
from tui.widgets.virtual_list import VirtualList

PAGE = 50
START = ("", "")

# fetch(after, limit) reads forward; fetch(after, limit, before=key) the rows before key
# (db.evaluation.rules.END: the last ones), as db.evaluation.rules.proposals does.
Fetch = Callable[..., list[ProposalRow]]


def target_name(target: str) -> str:
    return t(f"rules.target.{target}")


def change_text(row: ProposalRow) -> str:
    return f"{row.from_name or t('rules.none')} → {row.to_name}"


def reason_text(row: ProposalRow) -> str:
    """The figures that decided, in the current language; applied or skipped rows say so."""
    tag = t(f"rules_ui.tag.{row.status}") if row.status in ("applied", "stale") else ""
    return tag + t(row.reason, **row.values)


class ProposalList(VirtualList):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    COMPONENT_PREFIX = "proposal-list"
    COMPONENT_CLASSES = {
        "proposal-list--header",
        "proposal-list--cursor",
        "proposal-list--marked",
        "proposal-list--done",
    }

    class Highlighted(VirtualList.ListMessage):
        """The cursor is on `row` (None when the list is empty)."""

    class MarksChanged(VirtualList.ListMessage):
        """The marks changed: read `selection` (customer codes)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fetch: Fetch | None = None
        self.rows: list[ProposalRow] = []
        self.starts: dict[int, tuple[str, str]] = {0: START}  # the key a page starts after
        self.firsts: dict[int, tuple[str, str]] = {}  # the key of a page's first row
        self.total: int | None = None  # the run's (or change's) proposals, for End
        self.page = 0
        self.has_next = False

    # -- public API ----------------------------------------------------------------------------

    def show(self, fetch: Fetch, first: list[ProposalRow] | None = None,
             total: int | None = None) -> None:
        """List what `fetch(after, limit)` returns, from the first page; `first` is that
        page when the caller has read it already (fetch(START, PAGE + 1), in a worker: with
        a rare change chosen, the first read walks the run's index to its end). `total`:
        the rows in all, which places the last page for End."""
        self._fetch = fetch
        self.total = total
        self.starts = {0: START}
        self.firsts = {}
        if first is None:
            self._read(0)
        else:
            self._take(first, 0)
        self.move_cursor(0)

    def reload(self) -> None:
        """Read the current page again (after an apply), cursor kept."""
        if self._fetch is not None:
            self._read(self.page)
            self.move_cursor(self._cursor)

    @property
    def first_index(self) -> int:
        """The position of the page's first row in the whole list (pages are all PAGE long
        but the last)."""
        return self.page * PAGE

    @property
    def position(self) -> int:
        return self.first_index + self._cursor

    # -- the base's hooks ----------------------------------------------------------------------

    @property
    def count(self) -> int:
        """Rows of the page shown."""
        return len(self.rows)

    def row_at(self, index: int, load: bool = True) -> ProposalRow | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def row_key(self, row: ProposalRow) -> str:
        return row.customer_code

    def empty_text(self) -> str:
        return t("rules_ui.list_empty", back=key_of("review.back")) if self._fetch is not None else ""

    # -- reading -------------------------------------------------------------------------------

    def _read(self, page: int) -> None:
        """Read `page` forward from where it starts, or backward from the page after it
        (after End, the pages above the last are read that way)."""
        if page in self.starts:
            self._take(self._fetch(self.starts[page], PAGE + 1), page)
        else:
            self._take(self._fetch(START, PAGE, before=self.firsts[page + 1]), page, has_next=True)

    def _take(self, rows: list[ProposalRow], page: int, has_next: bool | None = None) -> None:
        self.has_next = len(rows) > PAGE if has_next is None else has_next
        self.rows = rows[:PAGE]
        self.page = page
        if self.rows:
            self.firsts[page] = (self.rows[0].customer_code, self.rows[0].target)
        if self.has_next and has_next is None:
            self.starts[page + 1] = (self.rows[-1].customer_code, self.rows[-1].target)
        self.virtual_size = Size(0, len(self.rows) + 1)

    # -- actions -------------------------------------------------------------------------------

    def move_by(self, delta: int) -> None:
        """Move the cursor; past the end of the page, on to the next or previous one."""
        if self._fetch is None or not self.rows:
            return
        target = self._cursor + delta
        while target >= len(self.rows) and self.has_next:
            target -= len(self.rows)
            self._read(self.page + 1)
        while target < 0 and self.page > 0:
            self._read(self.page - 1)
            target += len(self.rows)
        self.move_cursor(target)

    def action_first(self) -> None:
        if self._fetch is not None:
            self._read(0)
            self.move_cursor(0)

    def action_last(self) -> None:
        """The last proposal of the whole list: its last page read backward from the end."""
        if self._fetch is None or not self.rows:
            return
        if self.total and self.has_next:
            last = max(self.total - 1, 0) // PAGE
            self.starts = {p: key for p, key in self.starts.items() if p <= last}
            self.firsts = {p: key for p, key in self.firsts.items() if p < last}
            self._take(self._fetch(START, max(self.total - last * PAGE, 1), before=END), last,
                       has_next=False)
        self.move_cursor(len(self.rows) - 1)

    # -- drawing -------------------------------------------------------------------------------

    def _widths(self, width: int) -> tuple[int, int, int, int, int]:
        """Cells of code, name, what, change, reason for a line `width` cells wide."""
        code = max([cell_len(r.customer_code) for r in self.rows] + [cell_len(t("rules_ui.col.code"))])
        code = min(code, 20)
        wide = width >= 110
        what = min(max(cell_len(target_name(x)) for x in ("history", "scale", "profit", "mgmt_type")),
                   20 if wide else 10)
        name = 20 if wide else 12
        change = 24 if wide else 20
        reason = max(width - 2 - code - name - what - change - 4, 10)
        return code, name, what, change, reason

    def render_header(self, style: Style) -> Strip:
        code_w, name_w, what_w, change_w, reason_w = self._widths(self.scrollable_content_region.width)
        cells = ["  ", fit(t("rules_ui.col.code"), code_w), fit(t("rules_ui.col.name"), name_w),
                 fit(t("rules_ui.col.target"), what_w), fit(t("rules_ui.col.change"), change_w),
                 fit(t("rules_ui.col.reason"), reason_w)]
        return Strip([Segment(" ".join(cells), style)])

    def render_row(self, index: int, row: ProposalRow | None, base: Style) -> tuple[Strip, Style]:
        code_w, name_w, what_w, change_w, reason_w = self._widths(self.scrollable_content_region.width)
        marked = self.selection.is_marked(row.customer_code)
        style = self.row_style(index, base, marked, *(("done",) if row.status else ()))
        cells = ["✓ " if marked else "  ", fit(visible_text(row.customer_code), code_w),
                 fit(visible_text(row.customer_name), name_w), fit(target_name(row.target), what_w),
                 fit(visible_text(change_text(row)), change_w),
                 fit(visible_text(reason_text(row)), reason_w)]
        return Strip([Segment(" ".join(cells), style)]), style
