"""The card's field rows: label, input and the refusal beside it, shared by the card's tabs
and the forms of its sub-records (tui.widgets.subrecord_pane)."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.suggester import SuggestFromList
from textual.widgets import Label, Static

from tui.i18n import name_of, t
from tui.screens.filter import shown_mgmt
from tui.widgets.fields import Field
from tui.widgets.note_area import NoteArea

# The label column is never narrower than this, which Chinese labels fit (所属分类 *).
LABEL_WIDTH = 14


def shown(key: str, value: str) -> str:
    """A field's value as the card shows it: a management type in the language in force."""
    return shown_mgmt(value) if key == "mgmt_type" else value


def label_text(field) -> str:
    return t(field.label) + (" *" if field.required else "")


def field_label(text: str, width: int, required: bool = False) -> Label:
    label = Label(text, classes="field-label" + (" required" if required else ""))
    label.styles.width = width
    return label


class FieldRow(Horizontal):
    """Label, input, and the refusal beside it (shown only when there is one)."""

    def __init__(self, field, value: str, locked: bool, label_width: int = LABEL_WIDTH,
                 prefix: str = "") -> None:
        # `prefix` keeps a sub-record form's ids apart from the card's own (#f-phone).
        super().__init__(classes="field-row", id=f"row-{prefix}{field.key}")
        self.field = field
        self.value = value
        self.locked = locked
        self.label_width = label_width
        self.prefix = prefix

    def compose(self) -> ComposeResult:
        field = self.field
        yield field_label(label_text(field), self.label_width, field.required)
        if not field.editable:
            yield Static(Text(self.value), classes="auto-value")
        elif field.multiline:
            area = NoteArea(self.value, id=f"f-{self.prefix}{field.key}", soft_wrap=True, show_line_numbers=False,
                            read_only=self.locked)
            yield area
        else:
            choices = [shown(field.key, c) for c in field.choices]
            suggester = SuggestFromList(choices, case_sensitive=False) if choices else None
            yield Field(self.value, id=f"f-{self.prefix}{field.key}", max_length=field.max_length or 0,
                        suggester=suggester, disabled=self.locked)
        yield Static("", classes="field-error", id=f"e-{self.prefix}{field.key}", markup=False)


def dimension_rows(dims, held: dict, label_width: int, read_only: bool):
    """The card's rows of the dimensions besides the main one (`held`: dimension code ->
    (class code, name)): typed ones editable (F2 picks from the tree), derived ones
    (交易历史, 购买规模, 盈利情况) shown as the rules set them."""
    for dim in dims:
        with Horizontal(classes="field-row", id=f"row-dim-{dim.code}"):
            yield field_label(name_of(dim), label_width)
            code, class_name = held.get(dim.code, ("", ""))
            if dim.derived:
                yield Static(Text(f"{code} {class_name}".strip() or "—"), classes="auto-value")
            else:
                yield Field(code, id=f"f-dim-{dim.code}", max_length=12, disabled=read_only)
                yield Static(Text(class_name), classes="dim-name", id=f"n-dim-{dim.code}")
            yield Static("", classes="field-error", id=f"e-dim-{dim.code}", markup=False)
