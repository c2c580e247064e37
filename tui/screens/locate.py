"""定位 Locate (/, Ctrl+F, Ctrl+F3): one box, results as you type; Enter jumps to the
customer in the archive list. Matching is db.search.locate: code prefix, any fragment of
the name or short name, or the mnemonic."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from db import search
from db.search import Hit
from tui.commands import Command, bindings
from tui.i18n import t
from tui.screens.base import KehuModal
from tui.widgets.fields import Field

LIMIT = 50


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
    return line


class LocateScreen(KehuModal[Hit | None]):
    CSS_PATH = "locate.tcss"
    ACTIONS = (
        Command("locate.go", "enter", "go", "locate.go", priority=True),
        Command("locate.down", "down", "move(1)", "locate.next", show=False, priority=True),
        Command("locate.up", "up", "move(-1)", "locate.prev", show=False, priority=True),
        Command("locate.close", "escape", "close", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, query: str = "", include_stopped: bool = False) -> None:
        super().__init__()
        self.initial_query = query
        self.include_stopped = include_stopped
        self.hits: list[Hit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="locate-box") as box:
            box.border_title = t("locate.title")
            box.border_subtitle = t("locate.keys")
            yield Field(self.initial_query, id="locate-input", placeholder=t("locate.placeholder"),
                        max_length=60)
            yield OptionList(id="locate-results")
            yield Static("", id="locate-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#locate-input").focus()
        if self.initial_query:
            self._search(self.initial_query)

    @on(Field.Changed, "#locate-input")
    def _changed(self, event: Field.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="locate", exit_on_error=False)
    def _search(self, query: str) -> None:
        hits = search.locate(query, LIMIT, self.include_stopped) if query.strip() else []
        self.app.call_from_thread(self._show, query, hits)

    def _show(self, query: str, hits: list[Hit]) -> None:
        if query != self.query_one("#locate-input", Field).value:
            return  # an older answer arriving after a newer keystroke
        self.hits = hits
        results = self.query_one("#locate-results", OptionList)
        results.clear_options()
        results.add_options([Option(hit_line(h)) for h in hits])
        if hits:
            results.highlighted = 0
        status = self.query_one("#locate-status", Static)
        if not query.strip():
            status.update(t("locate.hint"))
        elif not hits:
            status.update(t("locate.none", query=query))
        else:
            more = t("locate.more") if len(hits) >= LIMIT else ""
            status.update(t("locate.count", count=len(hits)) + more)

    def action_move(self, step: int) -> None:
        results = self.query_one("#locate-results", OptionList)
        if self.hits:
            current = results.highlighted or 0
            results.highlighted = max(0, min(len(self.hits) - 1, current + step))

    def action_go(self) -> None:
        results = self.query_one("#locate-results", OptionList)
        if self.hits and results.highlighted is not None:
            self.dismiss(self.hits[results.highlighted])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
