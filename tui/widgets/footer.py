"""The footer of every kehu screen: the keys of the focused screen on one line.

Textual's Footer is a container with a widget per key. Each of those widgets is styled, laid
out and, whenever the screen's bindings are refreshed, rebuilt: on every focus change and on
every keystroke in an Input (its cut/copy/paste availability follows the selection). With a
screen's worth of keys that cost about 150 ms of the first screen and tens of milliseconds
per keystroke in the locate box. This footer is one widget drawing one line, repainted only
when what it shows changes; it looks like Textual's (same colours, same command palette key
on the right) and a click on a key presses it, as there.
"""
from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from tui.i18n import t


class _Key(NamedTuple):
    key: str
    display: str
    description: str
    enabled: bool


class KehuFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer--key", "footer--description", "footer--palette-edge"}
    DEFAULT_CSS = """
    KehuFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer--palette-edge {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[_Key, ...] = ()
        self._palette: _Key | None = None
        # (first cell, last cell + 1, key) of each key as last drawn, for clicks.
        self._spans: list[tuple[int, int, _Key]] = []
        # Held while a box that takes the focus for a moment is open (locate): the keys
        # shown stay those of the screen.
        self.held = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if self.held or not self.is_attached or screen is not self.screen:
            return
        keys: dict[str, _Key] = {}
        palette = None
        app = self.app
        hidden = screen.footer_hidden() if hasattr(screen, "footer_hidden") else frozenset()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            # An action with several keys (/ and Ctrl+F: locate) shows its first one.
            if binding.show and binding.action not in keys and binding.action not in hidden:
                keys[binding.action] = _Key(binding.key, app.get_key_display(binding),
                                            binding.description, enabled)
        if app.ENABLE_COMMAND_PALETTE:
            found = screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                # Textual names it in English only.
                palette = _Key(binding.key, app.get_key_display(binding), t("cmd.palette"), enabled)
        keys = tuple(keys.values())
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def _item(self, key: _Key, styles: tuple[Style, Style], lead: str = " ") -> Text:
        item = Text.assemble((f"{lead}{key.display} ", styles[0]),
                             (f"{key.description} " if key.description else "", styles[1]))
        if not key.enabled:
            item.stylize("dim")
        return item

    def render(self) -> Text:
        width = self.size.width
        styles = (self.get_component_rich_style("footer--key"),
                  self.get_component_rich_style("footer--description"))
        tail = Text()
        if self._palette is not None:
            tail = Text.assemble(
                ("▏", self.get_component_rich_style("footer--palette-edge")),
                self._item(self._palette, styles, lead=""))
        room = max(width - tail.cell_len, 0)
        line, spans = Text(no_wrap=True, overflow="crop"), []
        for key in self._keys:
            item = self._item(key, styles)
            if line.cell_len + item.cell_len > room:
                break  # whole keys only: half a description reads as a different word
            spans.append((line.cell_len, line.cell_len + item.cell_len, key))
            line.append_text(item)
        line.pad_right(room - line.cell_len)
        if self._palette is not None and tail.cell_len <= width:
            spans.append((room + 1, width, self._palette))
            line.append_text(tail)
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                if key.enabled:
                    self.app.simulate_key(key.key)
                else:
                    self.app.bell()
                return
