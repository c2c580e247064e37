"""参照 (F2) for 所属地区: the national table (GB/T 2260, db.values.regions) searched as you
type, by code prefix (33), name (杭州) or pinyin (hz, hangzhou); Enter picks the highlighted
region, Esc leaves. Returns the region's code."""
from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets._input import Selection
from textual.widgets.option_list import Option

from db.values import regions
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import t
from tui.screens.base import KehuModal
from tui.widgets.fields import Field

SHOWN = 200  # rows listed: a prefix like 3 matches hundreds; typing more narrows them


class RegionPicker(KehuModal[str | None]):
    CSS_PATH = "picker.tcss"
    ACTIONS = (Command("picker.close", "escape", "close", "cmd.cancel"),)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, typed: str = "") -> None:
        super().__init__()
        self.typed = typed.strip()

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker-box") as box:
            box.border_title = t("picker.region_title")
            box.border_subtitle = t("picker.region_keys", cancel=key_of("picker.close"))
            yield Field(self.typed, id="region-search", max_length=30, placeholder=t("picker.region_hint"))
            yield OptionList(id="region-list")
            yield Static("", id="picker-message", markup=False)

    def on_mount(self) -> None:
        search = self.query_one("#region-search", Field)
        search.focus()
        # The box's text is the first search, selected: typing replaces it.
        search.selection = Selection(0, len(self.typed))
        self._list(self.typed)
        # The pinyin of some thousand names is read on the first search by letters: made
        # meanwhile, off the UI thread, so typing hz does not wait for it.
        background.start(self, "region-pinyin", lambda: regions.search("a", limit=1), lambda _: None,
                         lambda _: None)

    def _list(self, typed: str) -> None:
        found = regions.search(typed, limit=SHOWN)
        options = self.query_one("#region-list", OptionList)
        options.clear_options()
        options.add_options([Option(_line(r), id=r.code) for r in found])
        if found:
            options.highlighted = 0
        self.query_one("#picker-message", Static).update(
            "" if found else t("picker.region_none", text=typed))

    @on(Field.Changed, "#region-search")
    def _typed(self, event: Field.Changed) -> None:
        self._list(event.value)

    @on(Field.Submitted, "#region-search")
    def _enter(self) -> None:
        options = self.query_one("#region-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_key(self, event: events.Key) -> None:
        """Up and Down move through the list while the search box keeps the typing."""
        if event.key in ("up", "down", "pageup", "pagedown") and self.focused is self.query_one("#region-search"):
            options = self.query_one("#region-list", OptionList)
            getattr(options, {"up": "action_cursor_up", "down": "action_cursor_down",
                              "pageup": "action_page_up", "pagedown": "action_page_down"}[event.key])()
            event.stop()

    @on(OptionList.OptionSelected, "#region-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


def _line(region: regions.Region) -> Text:
    line = Text(f"{region.code}  {region.full_name}")
    if not region.current:
        line.append("  " + t("picker.region_historic"), style="dim")
    return line
