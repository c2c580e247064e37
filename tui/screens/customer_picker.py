"""参照 (F2) a customer: the archive's locate box (code prefix, name fragment, mnemonic) in a
window of its own; Enter picks, Esc leaves. Stopped customers are not offered."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult

from tui.commands import Command, bindings, key_of
from tui.i18n import t
from tui.screens.base import KehuModal
from tui.widgets.locate_box import LocateBox


class CustomerPicker(KehuModal[str | None]):
    CSS_PATH = "picker.tcss"
    ACTIONS = (Command("picker.close", "escape", "close", "cmd.cancel"),)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, title_key: str) -> None:
        super().__init__()
        self.title_key = title_key

    def compose(self) -> ComposeResult:
        yield LocateBox(classes="picker-box")

    def on_mount(self) -> None:
        box = self.query_one(LocateBox)
        box.open(include_stopped=False)
        box.border_title = t(self.title_key)
        box.border_subtitle = t("head.pick_keys", go=key_of("locate.go"), close=key_of("locate.close"))

    @on(LocateBox.Chosen)
    def _chosen(self, event: LocateBox.Chosen) -> None:
        self.dismiss(event.hit.code)

    @on(LocateBox.Closed)
    def _closed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
