"""The card's 所属地区 and 所属地区码 boxes kept telling one place as they are typed or picked
(the save does the same in the store: db.values.regions.reconcile)."""
from __future__ import annotations

from db.values import regions
from tui.widgets.fields import Field

# The boxes whose F2 opens the national table.
REGION_BOXES = ("f-region", "f-region_code")


def picked(screen, code: str | None) -> None:
    """A region chosen in the picker: its code and its full name."""
    if code:
        screen.query_one("#f-region_code", Field).value = code
        screen.query_one("#f-region", Field).value = regions.get(code).full_name


def typed(screen, text: str) -> None:
    """A text that names one region fills its code (a text naming none leaves the code to
    the save, which clears it)."""
    found = regions.match(text) if text.strip() else None
    box = screen.query_one("#f-region_code", Field)
    if found is not None and box.value != found.code and not regions.names(text, box.value):
        box.value = found.code
