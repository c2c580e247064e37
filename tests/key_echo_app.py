"""A bare Textual app that shows the name of the last key it read: what a key pressed in a
real terminal (tmux) arrives as (tests/test_keys_in_tmux.py)."""
from textual import events
from textual.app import App
from textual.widgets import Static


class KeyEcho(App):
    ENABLE_COMMAND_PALETTE = False

    def compose(self):
        yield Static("ready", id="key")

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):  # every key, Ctrl+Q and Tab included, only shown
            event.prevent_default()
            event.stop()
            self.query_one("#key", Static).update(event.key)
            return
        await super().on_event(event)


if __name__ == "__main__":
    KeyEcho().run()
