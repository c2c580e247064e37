"""Shown while the terminal is smaller than 80x24; the app resumes when it grows."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.i18n import t


class TooSmallScreen(ModalScreen[None]):
    """Names the terminal's size and the smallest the app lines up in (tui.app)."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen Static { width: auto; max-width: 100%; height: auto; }
    """

    def __init__(self, min_width: int, min_height: int) -> None:
        super().__init__()
        self.min_width, self.min_height = min_width, min_height

    def compose(self) -> ComposeResult:
        yield Static("", id="too-small")

    def on_mount(self) -> None:
        self.show_size(self.app.size)

    def show_size(self, size) -> None:
        width, height = size
        self.query_one("#too-small", Static).update(
            t("app.too_small", width=width, height=height, min_width=self.min_width,
              min_height=self.min_height))
