"""The card as one entry of its history left it (the 历史 tab's Enter): every field by tab,
read-only, from db.archive.blame.as_of_entry; Esc goes back to the card."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from db.archive import blame
from db.archive.history import Entry
from db.values.fields import BY_KEY, TABS, on_tab, tab_label
from tui.change_values import field_name
from tui.commands import Command, bindings, key_of
from tui.i18n import t
from tui.screens.base import KehuModal
from tui.shell.blame import texts
from tui.widgets.history_view import entry_text


def as_of_text(code: str, entry: Entry) -> Text:
    """The fields with a value, under their tab's name, labels padded to one column."""
    state = blame.as_of_entry(code, entry.id)
    if state is None:
        return Text(t("as_of.none", code=code))
    shown = texts(code, state)
    groups = [(t(tab_label(tab)), [(t(f.label), shown.get(f.key, "")) for f in on_tab(tab)]) for tab in TABS]
    groups.append((t("lookup.dimensions"), [(field_name(k), shown.get(k, "")) for k in state if k not in BY_KEY]))
    out = Text()
    width = max((Text(label).cell_len for _, rows in groups for label, value in rows if value), default=0) + 2
    for title, rows in groups:
        rows = [(label, value) for label, value in rows if value]
        if not rows:
            continue
        if out:
            out.append("\n")
        out.append(title + "\n", style="bold")
        for label, value in rows:
            out.append("  " + label + " " * (width - Text(label).cell_len), style="dim")
            out.append(value + "\n")
    return out


class AsOfScreen(KehuModal[None]):
    CSS_PATH = "as_of.tcss"
    ACTIONS = (Command("as_of.close", "escape,enter", "close", "cmd.close"),)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, code: str, entry: Entry) -> None:
        super().__init__()
        self.code, self.entry = code, entry

    def compose(self) -> ComposeResult:
        with Vertical(id="as-of-box") as box:
            box.border_title = t("as_of.title", code=self.code, at=self.entry.at.strftime("%Y-%m-%d %H:%M"))
            box.border_subtitle = t("as_of.keys", close=key_of("as_of.close"))
            yield Static(entry_text(self.entry), id="as-of-entry")
            with VerticalScroll():
                yield Static(as_of_text(self.code, self.entry), id="as-of-fields")

    def action_close(self) -> None:
        self.dismiss(None)
