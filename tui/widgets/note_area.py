"""The card's multi-line field (备注): a TextArea where an Alt chord types nothing either.

Apart from tui.widgets.fields so that the archive's start (which uses Field) does not import
Textual's TextArea and its document machinery; only the card needs it."""
from __future__ import annotations

from textual import events
from textual.widgets import TextArea

from tui.widgets.fields import chord_refused


class NoteArea(TextArea):
    """A TextArea where an Alt chord types nothing either (see chord_refused)."""

    def _on_key(self, event: events.Key) -> None:
        # Textual runs the TextArea's own handler after this one unless the default is prevented.
        chord_refused(self, event)
