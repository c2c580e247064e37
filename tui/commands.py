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


# Each command's default keys by id, as the screens' bindings are made: what a hint names
# when the keymap does not move the command.
_DEFAULTS: dict[str, str] = {}


def bindings(commands: tuple[Command, ...]) -> list[Binding]:
    _DEFAULTS.update((c.id, c.keys) for c in commands)
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
              "pagedown": "PgDn", "pageup": "PgUp", "slash": "/", "question_mark": "?",
              "tab": "Tab", "up": "↑", "down": "↓", "left": "←", "right": "→"}


def key_label(key: str) -> str:
    """How a key is written in help and hints: "ctrl+s" -> "Ctrl+S", "escape" -> "Esc"."""
    *mods, name = key.strip().split("+")
    name = _KEY_NAMES.get(name, name.upper() if len(name) <= 3 else name.capitalize())
    return "+".join([m.capitalize() for m in mods] + [name])


def current_keys(command_id: str) -> list[str]:
    """A command's keys now: the user's keymap (Textual's set_keymap) over the defaults."""
    from textual._context import active_app

    keys = _DEFAULTS.get(command_id, "")
    try:
        keys = active_app.get()._keymap.get(command_id, keys)
    except LookupError:
        pass  # no app running (a shell command): the defaults
    return [k for k in keys.split(",") if k.strip()]


def key_of(command_id: str, nth: int = 0) -> str:
    """The key a hint names for a command: its first key after the keymap ("F6"), or its
    `nth` where the hint names a plainer one (F4 over Ctrl+PgDn) and the keymap still has it."""
    keys = current_keys(command_id)
    return key_label(keys[min(nth, len(keys) - 1)]) if keys else ""


def pair_of(first_id: str, second_id: str) -> str:
    """Two commands' keys as one hint: "↑↓", "Ctrl+↑↓" while they differ only in the arrow,
    else "K/J"."""
    first, second = key_of(first_id), key_of(second_id)
    *mods, a = first.split("+")
    *other, b = second.split("+")
    arrows = "↑↓←→"
    if mods == other and a in arrows and b in arrows:
        return first + b
    return f"{first}/{second}"


def keys_of(command_id: str) -> str:
    """All its keys, as a hint that names them all writes them ("F6/Ctrl+S")."""
    return "/".join(key_label(k) for k in current_keys(command_id))
