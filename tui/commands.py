"""Each action defined once: its id, keys, label and action. Bindings, the footer, the F1
help and the command palette all come from here, and users remap keys by id (keymap.toml).
"""
from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding


class Command(NamedTuple):
    """One thing a user can do on a screen.

    `id` is what a keymap names (for example "class.add"), `keys` the default keys
    (comma-separated, Textual names), `label` a catalog key, `action` the Textual action.
    `show=False` keeps it out of the footer (still in help and the palette).
    """

    id: str
    keys: str
    action: str
    label: str
    show: bool = True
    priority: bool = False
    palette: bool = True


def bindings(commands: tuple[Command, ...]) -> list[Binding]:
    return [
        Binding(c.keys, c.action, c.label, show=c.show, id=c.id, priority=c.priority)
        for c in commands
    ]


# Keys every screen shares. Ctrl+Q is Textual's own quit; it is listed here to be named and
# remappable like the rest.
HELP = Command("app.help", "f1", "app.help", "cmd.help")
QUIT = Command("app.quit", "ctrl+q", "app.quit", "cmd.quit", priority=True)
ARCHIVE = Command("app.archive", "f10", "app.go('archive')", "cmd.archive")
CLASSIFICATION = Command("app.classification", "f11", "app.go('classification')", "cmd.classification")
SCHEME = Command("app.scheme", "f12", "app.go('scheme')", "cmd.scheme")
HISTORY = Command("app.history", "alt+h", "app.go('history')", "archive.history")
GLOBAL = (HELP, ARCHIVE, CLASSIFICATION, SCHEME, HISTORY, QUIT)


_KEY_NAMES = {"escape": "Esc", "delete": "Del", "enter": "Enter", "space": "Space",
              "pagedown": "PgDn", "pageup": "PgUp", "slash": "/", "question_mark": "?"}


def key_label(key: str) -> str:
    """How a key is written in help and hints: "ctrl+s" -> "Ctrl+S", "escape" -> "Esc"."""
    *mods, name = key.strip().split("+")
    name = _KEY_NAMES.get(name, name.upper() if len(name) <= 3 else name.capitalize())
    return "+".join([m.capitalize() for m in mods] + [name])
