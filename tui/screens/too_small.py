"""Shown while the terminal is smaller than 80x24; the app resumes when it grows."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.i18n import t

MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmallScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen Static { width: auto; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="too-small")

    def on_mount(self) -> None:
        self.show_size(self.app.size)

    def show_size(self, size) -> None:
        width, height = size
        self.query_one("#too-small", Static).update(
            t("app.too_small", width=width, height=height, min_width=MIN_WIDTH, min_height=MIN_HEIGHT))
