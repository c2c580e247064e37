"""A yes/no question (删除? 放弃修改?), answered by key: Y / Enter yes, N / Esc no."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.commands import Command, bindings, keys_of
from tui.i18n import t
from tui.screens.base import KehuModal


class ConfirmScreen(KehuModal[bool]):
    CSS_PATH = "confirm.tcss"
    ACTIONS = (
        Command("confirm.yes", "y,enter", "answer(True)", "confirm.yes"),
        Command("confirm.no", "n,escape", "answer(False)", "confirm.no"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            keys = t("confirm.keys", yes=keys_of("confirm.yes"), no=keys_of("confirm.no"))
            yield Static(keys, id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
