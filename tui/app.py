"""The kehu App: installs the screens, the keymap and the language; stays thin."""
from __future__ import annotations

import importlib
from functools import partial
from typing import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen

from db import Store, StoreError
from db.core.session import store_error
from tui import config
from tui.commands import GLOBAL, bindings
from tui.head_start import HeadStart
from tui.i18n import both, t
from tui.collector import started
from tui.screens.base import translate_bindings
from tui import wide_chars

# Below this the screens cannot line up (tui.screens.too_small says so).
MIN_WIDTH, MIN_HEIGHT = 80, 24


# The rules, evaluation, health check and statistics screens (module, class), opened by name.
ANALYSIS_SCREENS = {
    "rules": ("tui.screens.rules", "RulesScreen"),
    "evaluate": ("tui.screens.evaluate", "EvaluateScreen"),
    "health": ("tui.screens.health", "HealthScreen"),
    "statistics": ("tui.screens.statistics", "StatisticsScreen"),
    "operators": ("tui.screens.operators", "OperatorsScreen"),
    "requests": ("tui.screens.requests", "RequestsScreen"),
    "duplicates": ("tui.screens.duplicates", "DuplicatesScreen"),
}


# Textual's own palette entries, by their English title: worded from the catalog. Its Quit
# is left out, as GLOBAL's Ctrl+Q entry is the one.
TEXTUAL_COMMANDS = {"Theme": "palette.theme", "Keys": "palette.keys", "Maximize": "palette.maximize",
                    "Minimize": "palette.minimize", "Screenshot": "palette.screenshot"}


class KehuApp(App):
    TITLE = "kehu"
    BINDINGS = bindings(GLOBAL)
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, store: Store, *, start: str = "archive", blink: bool = True,
                 head_start: HeadStart | None = None) -> None:
        super().__init__()
        wide_chars.install()  # before the first frame: a dialog's Chinese text kept whole
        self.store = store
        self.head_start = head_start
        self.start = start
        self.blink = blink
        self._too_small: Screen | None = None
        # What ended the app as a refusal, said by tui.cli.run_app as the shell says it.
        self.refusal: StoreError | None = None
        translate_bindings(self)

    async def on_event(self, event: events.Event) -> None:
        # A screen still opening (the card, whose data may take seconds under load) takes the
        # keys typed meanwhile and hands them back in order once it can act on them.
        if isinstance(event, events.Key) and not event.is_forwarded and self._screen_stack:
            hold = getattr(self.screen, "hold_key", None)
            if hold is not None and hold(event):
                return
        await super().on_event(event)

    def _handle_exception(self, error: Exception) -> None:
        """A damaged archive met by any read (a screen's, a worker's) ends the app with the
        shell's one line and exit status 2, not Textual's traceback."""
        refusal = store_error(error, self.store.url)
        if refusal is not None and refusal.key == "store.damaged":
            self.refusal = refusal
            self.exit(return_code=2)
            return
        super()._handle_exception(error)

    def on_mount(self) -> None:
        keymap, problem = config.load_keymap()
        if keymap:
            self.set_keymap(keymap)
        if problem:
            self.notify(t("config.keymap_broken", problem=problem), severity="warning")
        self.on_resize()
        self.call_after_refresh(started)  # the first frame is out: the collector may resume

    def get_default_screen(self) -> Screen:
        # The start screen is the bottom of the stack itself, not pushed over Textual's blank
        # default one: a screen fewer to compose, style and lay out before the first frame.
        # Textual reads a pushed screen's CSS_PATH itself, but not the default screen's.
        screen = self.make_screen(self.start)
        for path in screen.css_path:
            self.stylesheet.read(path)
        return screen

    def on_resize(self, event: events.Resize | None = None) -> None:
        """Below 80x24 the screens cannot line up: say so, and resume when it grows."""
        size = event.size if event is not None else self.size
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        showing = self._too_small is not None and self.screen is self._too_small
        if small and not showing:
            from tui.screens.too_small import TooSmallScreen  # imported when first needed

            self._too_small = TooSmallScreen(MIN_WIDTH, MIN_HEIGHT)
            self.push_screen(self._too_small)
        elif small:
            self.screen.show_size(size)
        elif showing:
            self._too_small = None
            self.pop_screen()

    def make_screen(self, name: str) -> Screen:
        if name == "classification":
            from tui.screens.classification import ClassificationScreen

            return ClassificationScreen()
        if name == "history":
            from tui.screens.history import HistoryScreen

            return HistoryScreen()
        if name == "scheme":
            from tui.screens.scheme import SchemeScreen

            return SchemeScreen()
        if name in ANALYSIS_SCREENS:
            module, cls = ANALYSIS_SCREENS[name]
            return getattr(importlib.import_module(module), cls)()
        from tui.screens.archive import ArchiveScreen

        return ArchiveScreen()

    def action_go(self, name: str) -> None:
        """Switch to a main screen (archive, classification, scheme, ...), one of each at most.

        The start screen lies at the bottom of the stack, under whichever other one is open:
        going back to it closes what is above it and refreshes it (as F9 does), so it shows
        what was changed meanwhile, where the user left it."""
        if getattr(self.screen, "SCREEN_NAME", None) == name:
            return
        start = self.screen_stack[0]
        if getattr(start, "SCREEN_NAME", None) == name:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            start.action_refresh()
        else:
            self.show_screen(self.make_screen(name))

    def show_screen(self, screen: Screen) -> None:
        """`screen` in place of the current one; over the start screen when that is the
        current one (the bottom of the stack cannot be switched away)."""
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        screen = self.screen
        commands = getattr(screen, "all_commands", lambda: GLOBAL)()
        title = t(f"screen.{getattr(screen, 'SCREEN_NAME', 'app')}")
        self.push_screen(HelpScreen(title, commands))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every command of the current screen, named in both languages."""
        commands = getattr(screen, "all_commands", lambda: GLOBAL)()
        for command in commands:
            if command.palette:
                yield SystemCommand(both(command.label), t(command.label),
                                    partial(screen.run_action, command.action))
        for command in super().get_system_commands(screen):
            key = TEXTUAL_COMMANDS.get(command.title)
            if key:
                yield SystemCommand(both(key), t(f"{key}.help"), command.callback, command.discover)

    def action_command_palette(self) -> None:
        """Textual's palette, its words in the user's language (tui.palette)."""
        from textual.command import CommandPalette

        from tui.palette import KehuPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(KehuPalette(id="--command-palette"))
