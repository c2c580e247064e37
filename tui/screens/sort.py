"""排序 Sort (Ctrl+O): the column the list is ordered by; Enter ascending, D descending."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from db.lists.query import SORTS
from tui.commands import Command, bindings, key_of
from tui.i18n import t
from tui.screens.base import KehuModal


class SortScreen(KehuModal[tuple[str, bool] | None]):
    CSS_PATH = "columns.tcss"
    ACTIONS = (
        Command("sort.descending", "d", "choose(True)", "sort.descending"),
        Command("sort.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, current: str, descending: bool) -> None:
        super().__init__()
        self.current = current
        self.descending = descending

    def compose(self) -> ComposeResult:
        with Vertical(id="sort-box") as box:
            box.border_title = t("sort.title")
            box.border_subtitle = t("sort.keys", descending=key_of("sort.descending"), cancel=key_of("sort.cancel"))
            yield OptionList(*[Option(t(f"column.{s}"), id=s) for s in SORTS], id="sorts")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = SORTS.index(self.current) if self.current in SORTS else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((SORTS[event.option_index], False))

    def action_choose(self, descending: bool) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss((SORTS[index], descending))

    def action_cancel(self) -> None:
        self.dismiss(None)
