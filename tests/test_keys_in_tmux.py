"""Every command has a key that reaches kehu through a real terminal (tmux, as over SSH):
each key of every command is sent by tmux to a bare Textual app, which shows what it read
(issue 16 item 40: Ctrl+F3 never arrived)."""
from __future__ import annotations

import importlib
import pkgutil
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tui.screens
import tui.widgets
from tui.commands import GLOBAL, Command

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

APP = Path(__file__).with_name("key_echo_app.py")
# Keys that do not arrive as themselves, each with why that is fine.
NOT_ARRIVING = {
    # xterm's Ctrl+F3 (ESC [1;5R) is also a cursor position report, which Textual takes it
    # for: locate keeps / and Ctrl+F, which arrive everywhere.
    "ctrl+f3",
    # Alt+digit arrives as the character macOS's Option+digit types (¡ ™ £ ...); the card
    # takes those characters as its tab keys (tests/test_card_ui.py).
    *(f"alt+{n}" for n in range(1, 10)),
}
SEPARATOR = "x"
MODIFIERS = {"alt": "M-", "ctrl": "C-", "shift": "S-"}
NAMES = {"backspace": "BSpace", "delete": "DC", "enter": "Enter", "space": "Space", "tab": "Tab",
         "left": "Left", "right": "Right", "down": "Down", "up": "Up", "pagedown": "NPage",
         "pageup": "PPage", "slash": "/", "home": "Home", "end": "End"}


def commands() -> list[Command]:
    found = list(GLOBAL)
    for package in (tui.screens, tui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                found += [c for c in getattr(value, "ACTIONS", ()) or () if isinstance(c, Command)]
    return found


def tmux_name(key: str) -> str:
    *mods, name = key.split("+")
    name = NAMES.get(name, name.upper() if name[0] == "f" and name[1:].isdigit() else name)
    return "".join(MODIFIERS[m] for m in mods) + name


def arrived(keys: list[str]) -> dict[str, str]:
    """What the echo app read for each key, sent one at a time through a private tmux."""
    socket = f"kehu-keys-{time.monotonic_ns()}"
    tmux = ["tmux", "-L", socket]
    subprocess.run([*tmux, "-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24",
                    f"{sys.executable} {APP}"], check=True)
    try:
        def screen() -> str:
            return subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True,
                                  text=True).stdout.strip()

        deadline = time.monotonic() + 20
        while screen() != "ready" and time.monotonic() < deadline:
            time.sleep(0.1)
        seen = {}
        for key in keys:
            # A key no command uses, between two, so that each key's answer is seen to arrive.
            subprocess.run([*tmux, "send-keys", SEPARATOR])
            deadline = time.monotonic() + 2
            while screen() != SEPARATOR and time.monotonic() < deadline:
                time.sleep(0.02)
            subprocess.run([*tmux, "send-keys", tmux_name(key)])
            deadline = time.monotonic() + 2
            while (got := screen()) == SEPARATOR and time.monotonic() < deadline:
                time.sleep(0.02)
            seen[key] = got
        return seen
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def test_every_command_has_a_key_that_arrives_through_tmux():
    every = commands()
    keys = sorted({k.strip() for c in every for k in c.keys.split(",")} - {"escape"})
    assert SEPARATOR not in keys
    seen = arrived(keys)
    lost = {k: got for k, got in seen.items() if got != k and k not in NOT_ARRIVING}
    assert lost == {}
    for command in every:
        own = [k.strip() for k in command.keys.split(",")]
        assert any(k == "escape" or seen.get(k) == k or k.startswith("alt+") for k in own), command.id
