"""参照 (F2): choose a leaf class from the tree; Enter picks, Esc leaves."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.commands import Command, bindings, key_of
from tui.i18n import t
from tui.screens.base import KehuModal
from tui.widgets.class_tree import ClassTree


class ClassPicker(KehuModal[str | None]):
    CSS_PATH = "picker.tcss"
    ACTIONS = (Command("picker.close", "escape", "close", "cmd.cancel"),)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, current: str = "", dimension: str = "main") -> None:
        super().__init__()
        self.current = current
        self.dimension = dimension

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker-box") as box:
            box.border_title = t("picker.class_title")
            box.border_subtitle = t("picker.class_keys", cancel=key_of("picker.close"))
            yield ClassTree(self.dimension)
            yield Static("", id="picker-message", markup=False)

    def on_mount(self) -> None:
        tree = self.query_one(ClassTree)
        tree.focus()
        if self.current:
            tree.select_code(self.current)

    @on(ClassTree.NodeSelected)
    def _selected(self, event: ClassTree.NodeSelected) -> None:
        node = event.node.data
        if node is not None and node.is_leaf:
            self.dismiss(node.code)
        elif node is not None:
            self.query_one("#picker-message", Static).update(t("picker.not_leaf", code=node.code))
            event.node.expand()

    def action_close(self) -> None:
        self.dismiss(None)
