"""The floor for the first screen: a bare Textual app showing one line (run by bench.terminal)."""
from textual.app import App, ComposeResult
from textual.widgets import Static

READY = "minimal app ready"


class Minimal(App):
    def compose(self) -> ComposeResult:
        yield Static(READY)


if __name__ == "__main__":
    Minimal().run()
