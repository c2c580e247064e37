"""Textual's command palette in the user's language: its search line and its "no match" line
(Textual writes the latter in English inside the method that shows it, with no hook)."""
from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from tui.i18n import t


class KehuPalette(CommandPalette):
    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder=t("palette.search"), **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """Textual's own, but its line from the catalog: after a short wait, a search that
        found nothing says so (an empty search, listing what can be discovered, says nothing)."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(t("palette.no_matches"), style="not bold")),
                    disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
