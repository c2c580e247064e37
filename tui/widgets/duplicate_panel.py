"""The card's 查重 panel: before a new card, or a change of its name, tax id, phone or
mobile, is saved, the customers it may duplicate (db.archive.duplicates), each with its score
and reasons, stopped ones marked (one could be enabled instead of typed again).

`gate` is what the card's save asks: True to save now. The first save of such a card shows
the candidates instead and returns False; Enter on one opens its card; saving again with the same values saves anyway, and `reason` then names what was
shown, for the history. Changing a watched field asks again.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from db.archive import duplicates
from tui import background
from tui.commands import key_of
from tui.i18n import t


def reasons_text(reasons) -> str:
    return ", ".join(t(f"dup.reason.{r}") for r in reasons)


def seen_text(found: list[duplicates.Candidate]) -> str:
    """What the history keeps of the candidates saved past: code, score and reasons each."""
    return "; ".join(f"{c.code} {c.score} {'/'.join(c.reasons)}" for c in found)


class DuplicatePanel(Vertical, can_focus=False):
    DEFAULT_CSS = """
    DuplicatePanel {
        display: none;
        height: auto;
        max-height: 8;
        border-top: solid $warning;
        & > #dup-title { height: 1; color: $warning; padding: 0 1; }
        & > OptionList, & > OptionList:focus { height: auto; max-height: 6; border: none; padding: 0; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.shown_for: dict | None = None  # the watched values the candidates are for
        self.found: list[duplicates.Candidate] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="dup-title", markup=False)
        yield OptionList(id="dup-list")

    @property
    def reason(self) -> str:
        """The candidates the user is saving past ("" none)."""
        return seen_text(self.found) if self.shown_for is not None else ""

    async def gate(self, values: dict, before: dict | None, own_code: str) -> bool:
        """Whether the card's save may go on (see the module's docstring)."""
        if not duplicates.needs_check(values, before):
            self.hide()
            return True
        watched = {k: (values.get(k) or "").strip() for k in duplicates.WATCHED}
        if self.shown_for == watched:
            return True  # the second save: saved anyway, `reason` says past what
        found = await background.run(duplicates.candidates, values, own_code, urgent=True)
        if not found:
            self.hide()
            return True
        self.show(found, watched)
        return False

    def show(self, found: list[duplicates.Candidate], watched: dict) -> None:
        self.found, self.shown_for = found, watched
        # Enter is the option list's own key (no command to remap it); saving is the card's.
        self.query_one("#dup-title", Static).update(
            t("dup.panel_title", count=len(found), open="Enter", save=key_of("card.save")))
        options = self.query_one(OptionList)
        options.clear_options()
        for c in found:
            line = Text(f"{c.score:>3}  ")
            line.append(c.code, style="bold")
            line.append(f"  {c.name}")
            if c.stopped:
                line.append(f"  {t('dup.stopped')}", style="bold")
            line.append(f"  {reasons_text(c.reasons)}", style="italic")
            options.add_option(Option(line, id=c.code))
        self.display = True
        options.highlighted = 0
        options.focus()

    def hide(self) -> None:
        self.found, self.shown_for = [], None
        self.display = False

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        # The card holding the panel opens the candidate's card, a card of its own kind (a
        # name imported here would be a circle: the card imports this panel).
        self.app.push_screen(type(self.screen)(event.option.id))
