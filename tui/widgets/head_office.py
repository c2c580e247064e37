"""总公司 on the card: the head office's box with the head's name beside it, and under it the
customer's own branches (db.archive.branches), the first few and how many more."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from db.archive import branches, customers
from tui.i18n import t
from tui.widgets.card_fields import FieldRow, field_label

# Branches listed on the card; the rest are counted (`kehu show CODE` lists them all).
SHOWN = 5


def head_name(code: str) -> Text:
    """The name of the customer `code` names as its head, as typed so far ("" for none)."""
    code = code.strip()
    if not code:
        return Text("")
    row = customers.get(code)
    return Text(row.name if row else "?", style="" if row else "bold")


class HeadOfficeRow(FieldRow):
    """The 总公司编码 box (F2 picks a customer) and the head's name after it."""

    def compose(self) -> ComposeResult:
        label, box, error = list(super().compose())
        yield label
        yield box
        yield Static(head_name(self.value), classes="dim-name", id="head-name")
        yield error

    def show_name(self, code: str) -> None:
        self.query_one("#head-name", Static).update(head_name(code))


def branch_rows(code: str | None, label_width: int) -> ComposeResult:
    """分支机构: the customer's branches, one a line (none on a new card, nor without any)."""
    if not code:
        return
    count = branches.branch_count(code)
    if not count:
        return
    text = Text()
    for i, branch in enumerate(branches.branches(code, SHOWN)):
        text.append(("\n" if i else "") + f"{branch.code}  ", style="bold")
        text.append(branch.name)
        if branch.stopped:
            text.append(" " + t("head.stopped_mark"), style="dim")
    if count > SHOWN:
        text.append("\n" + t("head.more", count=count - SHOWN), style="dim")
    yield Horizontal(field_label(t("head.branch_count", count=count), label_width),
                     Static(text, classes="auto-value", id="branches"),
                     classes="field-row", id="row-branches")
