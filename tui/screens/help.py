"""F1 帮助: every key of the screen the user came from, with what it does."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.commands import Command, bindings, key_label, key_of
from tui.i18n import t
from tui.screens.base import KehuModal


def key_names(app, command: Command) -> str:
    """The keys a command has now, after the user's keymap."""
    keys = app._keymap.get(command.id, command.keys)
    return ", ".join(key_label(k) for k in keys.split(",") if k)


class HelpScreen(KehuModal[None]):
    CSS_PATH = "help.tcss"
    ACTIONS = (Command("help.close", "escape,f1,q", "close", "cmd.close"),)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title: str, commands: tuple[Command, ...]) -> None:
        super().__init__()
        self.title_text = title
        self.commands = commands

    def compose(self) -> ComposeResult:
        rows = [(key_names(self.app, c), t(c.label)) for c in self.commands]
        width = max((cell_len(k) for k, _ in rows), default=0) + 2
        body = Text()
        for keys, label in rows:
            body.append(keys, style="bold")
            body.append(" " * (width - cell_len(keys)))
            body.append(label + "\n")
        with VerticalScroll(id="help-box") as box:
            box.border_title = t("help.title", screen=self.title_text)
            box.border_subtitle = t("help.close", close=key_of("help.close"))
            yield Static(body)

    def action_close(self) -> None:
        self.dismiss(None)
