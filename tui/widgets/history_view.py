"""操作日志 as text: who, when, what, and each field's old and new value. Used by the card's
历史 tab and the history screen; values are appended as plain text, never as markup."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from db.archive.history import Entry
from tui.change_values import field_name, merged_codes, values_text
from tui.i18n import CATALOG, t


def shown(text: str) -> str:
    return text or "—"


def entry_text(entry: Entry, *, with_code: bool = False) -> Text:
    line = Text(no_wrap=False)
    line.append(entry.at.strftime("%Y-%m-%d %H:%M"), style="dim")
    line.append("  ")
    line.append(entry.who, style="bold")
    line.append("  ")
    action = f"history.action.{entry.action}"
    line.append(t(action) if action in CATALOG else entry.action, style="bold")
    # A merged customer's rows are filed under the code it was merged into but hold its own
    # fields: they are named by its own code.
    if with_code:
        kind = f"history.entity.{entry.entity}"
        line.append("  " + (t(kind) if kind in CATALOG else entry.entity) + " " + (entry.origin or entry.code))
        if entry.origin:
            line.append("\n    " + t("history.now_in", code=entry.code))
    elif entry.origin:
        line.append("\n    " + t("history.record_of", code=entry.origin))
    merged = merged_codes(entry.changes)
    if merged:
        line.append("\n    " + t("history.merged", codes=merged))
    for field, (old, new) in values_text(entry.entity, entry.code, entry.changes).items():
        line.append("\n    ")
        line.append(field_name(field) + ": ")
        line.append(shown(old))
        line.append(" → ")
        line.append(shown(new))
    return line


def history_text(entries: list[Entry], *, with_code: bool = False) -> Text:
    if not entries:
        return Text(t("history.none"))
    return Text("\n").join(entry_text(e, with_code=with_code) for e in entries)


class HistoryList(OptionList):
    """A customer's history, newest first, one option per entry (its id the option's): the
    card's 历史 tab, where Enter shows the card as that entry left it."""

    def __init__(self, entries: list[Entry], **kwargs) -> None:
        options = [Option(entry_text(e), id=str(e.id)) for e in entries] or [Option(t("history.none"), disabled=True)]
        super().__init__(*options, **kwargs)
        self.entries = {str(e.id): e for e in entries}
        if entries:
            self.border_subtitle = t("history.as_of_hint")

    @property
    def chosen(self) -> Entry | None:
        if self.highlighted is None:
            return None
        return self.entries.get(self.get_option_at_index(self.highlighted).id or "")
