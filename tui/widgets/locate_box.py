"""定位 Locate (/, Ctrl+F, Ctrl+F3): one box over the archive list, results as you type;
Enter jumps to the customer. Matching is db.archive.search.locate: code prefix, any fragment of the
name or short name, or the mnemonic.

It is a widget of the archive screen, not a screen of its own: opening it moves the focus at
once, so what a fast typist types right after "/" lands in the box.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static

from tui import background
from tui.commands import Command, bindings, key_of, pair_of
from tui.i18n import t
from tui.widgets.fields import Field
from tui.widgets.hit_list import HitList

if TYPE_CHECKING:
    from db.archive.search import Hit

LIMIT = 50
# Its thread is started (and db.archive.search imported) on the first keystroke: the first
# screen does without.
_searcher = background.Lane("kehu-locate")


def pad(text: str, width: int) -> str:
    """Cut or pad to `width` terminal cells (Chinese characters take two)."""
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


def hit_line(hit: Hit) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(pad(hit.code, 12), style="bold")
    line.append(pad(hit.short_name, 16))
    line.append(" ")
    line.append(pad(hit.class_code, 10), style="dim")
    line.append(pad(hit.name, 40).rstrip())
    if hit.matched == "contact":  # found by a contact's name or mobile, not by its own names
        line.append("  " + t("sub.found_by_contact", name=hit.contact), style="italic")
    return line


class LocateBox(Vertical):
    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    # Enter reaches the input's submit first; locate.go makes a remapped key do the same.
    ACTIONS = (
        Command("locate.go", "enter", "go", "locate.cmd.go", show=False),
        Command("locate.down", "down", "move(1)", "locate.cmd.down", show=False, priority=True),
        Command("locate.up", "up", "move(-1)", "locate.cmd.up", show=False, priority=True),
        Command("locate.close", "escape", "close", "cmd.close", show=False),
    )
    BINDINGS = bindings(ACTIONS)

    class Chosen(Message):
        def __init__(self, hit: Hit) -> None:
            super().__init__()
            self.hit = hit

    class Closed(Message):
        """The box was closed without a choice."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hits: list[Hit] = []
        self.include_stopped = False
        self._latest = ""

    def compose(self) -> ComposeResult:
        self.border_title = t("locate.title")
        self.border_subtitle = t("locate.keys", go=key_of("locate.go"), close=key_of("locate.close"),
                                 move=pair_of("locate.up", "locate.down"))
        # Only the line typed into is part of the first frame: it must take the keys a fast
        # typist sends after "/". The results and their status line follow that frame.
        yield Field("", id="locate-input", placeholder=t("locate.placeholder"), max_length=60)

    def on_mount(self) -> None:
        self.call_after_refresh(self._results)

    def _results(self) -> HitList:
        """The results list, mounted with the status line below it when first needed (a box
        opened before the first frame is out mounts them itself)."""
        try:
            return self.query_one("#locate-results", HitList)
        except NoMatches:
            results = HitList(id="locate-results")
            self.mount(results, Static("", id="locate-status", markup=False))
            return results

    def open(self, include_stopped: bool) -> None:
        self.include_stopped = include_stopped
        # Shown and hidden by visibility, not display: the box is laid out once, so opening
        # it repaints its region instead of laying the whole screen out again.
        self.visible = True
        box = self.query_one("#locate-input", Field)
        box.value = ""
        box.focus()
        self._show("", [])

    @on(Field.Changed, "#locate-input")
    def _changed(self, event: Field.Changed) -> None:
        self._search(event.value)

    def _search(self, query: str) -> None:
        """Search on the locate box's lane, which keeps its connection warm."""
        stopped = self.include_stopped

        def run() -> None:
            from db.archive import search

            if query != self._latest:
                return  # a newer keystroke is already queued behind this one
            # One more than is shown, to know whether there are more; and when nothing active
            # matches, whether a stopped customer would, so the line can say so.
            hits = search.locate(query, LIMIT + 1, stopped) if query.strip() else []
            hidden = bool(query.strip() and not hits and not stopped and search.locate(query, 1, True))
            self.app.call_from_thread(self._show, query, hits, hidden)

        self._latest = query
        _searcher.submit(run, lambda exc: self.app.call_from_thread(self.screen.show_error, exc))

    def _show(self, query: str, hits: list[Hit], hidden: bool = False) -> None:
        if query != self.query_one("#locate-input", Field).value:
            return  # an older answer arriving after a newer keystroke
        more = len(hits) > LIMIT
        self.hits = hits = hits[:LIMIT]
        self._results().show([hit_line(h) for h in hits])
        if not query.strip():
            line = t("locate.hint")
        elif hidden:
            line = t("locate.only_stopped", query=query, show=key_of("archive.stopped"))
        elif not hits:
            line = t("locate.none", query=query)
        elif more:
            line = t("locate.count_more", count=len(hits))
        else:
            line = t("locate.count", count=len(hits))
        # One line of fixed size: repainted, not laid out with the whole screen per keystroke.
        self.query_one("#locate-status", Static).update(line, layout=False)

    def action_move(self, step: int) -> None:
        self._results().move(step)

    @on(Field.Submitted, "#locate-input")
    def action_go(self) -> None:
        results = self._results()
        if self.hits and results.highlighted is not None:
            self._choose(self.hits[results.highlighted])

    @on(HitList.Picked)
    def _picked(self, event: HitList.Picked) -> None:
        self._choose(self.hits[event.index])

    def _choose(self, hit: Hit) -> None:
        self.visible = False
        self.post_message(self.Chosen(hit))

    def action_close(self) -> None:
        self.visible = False
        self.post_message(self.Closed())
