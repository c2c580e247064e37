"""栏目 Columns (F4): which columns the list shows and in what order; saved per user."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual.widgets.selection_list import Selection

from db.lists.query import COLUMNS
from tui.commands import Command, bindings, key_of, pair_of
from tui.i18n import t
from tui.screens.base import KehuModal
from tui.widgets.check_list import CheckList


class ColumnsScreen(KehuModal[list[str] | None]):
    CSS_PATH = "columns.tcss"
    ACTIONS = (
        Command("columns.ok", "f6,ctrl+s", "ok", "columns.ok", priority=True),
        Command("columns.up", "ctrl+up", "move(-1)", "columns.up", priority=True),
        Command("columns.down", "ctrl+down", "move(1)", "columns.down", priority=True),
        Command("columns.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, shown: list[str]) -> None:
        super().__init__()
        self.order = [c for c in shown if c in COLUMNS] + [c for c in COLUMNS if c not in shown]
        self.shown = set(shown)

    def compose(self) -> ComposeResult:
        with Vertical(id="columns-box") as box:
            box.border_title = t("columns.title")
            box.border_subtitle = t("columns.keys", ok=key_of("columns.ok"), cancel=key_of("columns.cancel"),
                                    move=pair_of("columns.up", "columns.down"))
            yield CheckList(*self._selections(), id="columns")
            yield Static("", id="columns-error")

    def _selections(self) -> list[Selection]:
        return [Selection(t(f"column.{c}"), c, c in self.shown) for c in self.order]

    def on_mount(self) -> None:
        self.query_one(CheckList).focus()

    def action_move(self, step: int) -> None:
        """Move the highlighted column up or down, keeping what is ticked."""
        selection = self.query_one(CheckList)
        index = selection.highlighted
        if index is None or not 0 <= index + step < len(self.order):
            return
        self.shown = set(selection.selected)
        self.order[index], self.order[index + step] = self.order[index + step], self.order[index]
        selection.clear_options()
        selection.add_options(self._selections())
        selection.highlighted = index + step

    def action_ok(self) -> None:
        chosen = set(self.query_one(CheckList).selected)
        if not chosen:
            self.query_one("#columns-error", Static).update(t("columns.none"))
            return
        self.dismiss([c for c in self.order if c in chosen])

    def action_cancel(self) -> None:
        self.dismiss(None)
