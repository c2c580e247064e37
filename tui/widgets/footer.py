"""The footer of every kehu screen: Textual's, rebuilt only when what it shows changes.

Textual's Footer rebuilds all its key widgets whenever the screen's bindings are refreshed,
and a focused Input refreshes them on every keystroke (its cut/copy/paste availability
follows the selection). With a screen's worth of keys that rebuild and the layout after it
cost tens of milliseconds per keystroke, which the locate box felt directly.
"""
from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KehuFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None
        # Held while a box that takes the focus for a moment is open (locate): the keys
        # shown stay those of the screen, and typing is not held up by a rebuild.
        self.held = False

    def _signature(self, screen: Screen) -> tuple:
        return tuple((binding.key, binding.description, enabled)
                     for _node, binding, enabled, _tooltip in screen.active_bindings.values()
                     if binding.show)

    def bindings_changed(self, screen: Screen) -> None:
        if self.held:
            return
        if self.is_attached and screen is self.screen:
            signature = self._signature(screen)
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)
