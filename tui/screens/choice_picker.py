"""参照 (F2) for a field with a fixed list of values (管理类型 ...)."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList

from tui.commands import Command, bindings, key_of
from tui.i18n import t
from tui.screens.base import KehuModal


class ChoicePicker(KehuModal[str | None]):
    CSS_PATH = "picker.tcss"
    ACTIONS = (Command("picker.close", "escape", "close", "cmd.cancel"),)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, choices: tuple[str, ...]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker-box small") as box:
            box.border_title = self.title_text
            box.border_subtitle = t("picker.choice_keys", cancel=key_of("picker.close"))
            yield OptionList(*self.choices)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
