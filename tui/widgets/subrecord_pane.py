"""One sub-record tab of the card (联系人, 地址, 银行, 开票信息): the customer's records of that
kind in a small list, and the form that adds or changes one. The card's keys: F5 add, F7 or
Enter edit, Del delete, F6 save (the card hands its save key on while the form is open), F8
makes the row under the cursor the default, Esc closes the form. Each write is one store
call (db.archive.subrecords); the card is told the customer's new version (`Changed`)."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from db import ConflictError, RuleError
from db.archive import subrecords
from db.values.subfields import ADDRESS_KINDS, FIELDS, GROUP_BY
from tui import background
from tui.commands import Command, bindings
from tui.i18n import error_text, t
from tui.screens.base import translate_bindings
from tui.screens.confirm import ConfirmScreen
from tui.widgets.card_fields import FieldRow
from tui.widgets.fields import Field

# The columns of each kind's list (the form shows every field).
COLUMNS = {
    "contacts": ("name", "title", "mobile", "phone"),
    "addresses": ("kind", "address", "contact", "phone"),
    "banks": ("bank", "account", "cnaps"),
    "invoices": ("title", "tax_id"),
}
DEFAULT_MARK = "*"


def shown(key: str, value: str) -> str:
    """A value as the pane shows it: an address kind in the language in force."""
    return t(f"sub.address_kind.{value}") if key == "kind" and value in ADDRESS_KINDS else value


def stored(key: str, text: str) -> str:
    """What a typed address kind stands for (收货 / ship-to...); other values as typed."""
    if key != "kind":
        return text
    typed = text.strip().casefold()
    return next((k for k in ADDRESS_KINDS if typed in (k, t(f"sub.address_kind.{k}").casefold())), text)


class SubRecordPane(Vertical):
    # Listed in the card's F1 help and palette (card_commands).
    ACTIONS = (
        Command("sub.add", "f5", "add", "cmd.add", palette=False),
        Command("sub.edit", "f7", "edit", "cmd.edit", palette=False),
        Command("sub.delete", "delete", "delete", "cmd.delete", palette=False),
        Command("sub.default", "f8", "make_default", "sub.make_default", palette=False),
        Command("sub.close", "escape", "close", "sub.close", show=False, palette=False),
    )
    BINDINGS = bindings(ACTIONS)

    @classmethod
    def card_commands(cls) -> tuple[Command, ...]:
        """The keys for the card's help; in its palette they act on the tab shown (增加, 修改,
        删除, 设为默认: CardScreen.action_sub)."""
        return tuple(c._replace(action=f"sub({c.action!r})", palette=c.id != "sub.close") for c in cls.ACTIONS)

    class Changed(Message):
        """A record was written: `customer` is the customer row as now stored."""

        def __init__(self, customer) -> None:
            super().__init__()
            self.customer = customer

    def __init__(self, code: str, kind: str, read_only: bool, label_width: int) -> None:
        super().__init__(classes="subrecord-pane", id=f"sub-{kind}")
        translate_bindings(self)
        self.code = code
        self.kind = kind
        self.read_only = read_only
        self.label_width = label_width
        self.rows: list = []
        self.editing: int | None = None  # the record in the form: its id, 0 for a new one
        self.version = 0

    def compose(self) -> ComposeResult:
        table = DataTable(id=f"list-{self.kind}", cursor_type="row", zebra_stripes=False)
        table.add_column(t("sub.default"), key="default")
        for key in COLUMNS[self.kind]:
            table.add_column(t(f"sub.{self.kind}.{key}"), key=key)
        yield table
        yield Static("", classes="subrecord-empty", id=f"none-{self.kind}")
        with VerticalScroll(classes="subrecord-form", id=f"form-{self.kind}"):
            for field in FIELDS[self.kind]:
                yield FieldRow(field, "", self.read_only, self.label_width, prefix=f"{self.kind}-")

    def on_mount(self) -> None:
        self.query_one(f"#form-{self.kind}").display = False
        self.load()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def load(self, select: int | None = None) -> None:
        """The records as stored now, the cursor on record `select` (else where it was)."""
        table = self.table
        at = table.cursor_row
        self.rows = subrecords.records(self.code, self.kind)
        table.clear()
        for row in self.rows:
            form = subrecords.as_form(self.kind, row)
            table.add_row(DEFAULT_MARK if row.is_default else "",
                          *(Text(shown(k, form[k])) for k in COLUMNS[self.kind]), key=str(row.id))
        table.styles.height = min(len(self.rows), 5) + 1
        ids = [r.id for r in self.rows]
        if select in ids:
            table.move_cursor(row=ids.index(select))
        elif self.rows:
            table.move_cursor(row=min(at, len(self.rows) - 1))
        empty = self.query_one(f"#none-{self.kind}", Static)
        empty.update(t("sub.none", kind=t(f"sub.kind.{self.kind}"), add="F5") if not self.rows else "")
        empty.display = not self.rows

    def focus_first(self) -> None:
        self.table.focus()

    # -- the form ---------------------------------------------------------------------------

    def _input(self, key: str) -> Field:
        return self.query_one(f"#f-{self.kind}-{key}", Field)

    def values(self) -> dict[str, str]:
        return {f.key: stored(f.key, self._input(f.key).value) for f in FIELDS[self.kind]}

    def _open(self, record_id: int, values: dict[str, str], version: int) -> None:
        self.editing, self.version = record_id, version
        for key, value in values.items():
            self._input(key).value = shown(key, value)
        self._clear_errors()
        self.query_one(f"#form-{self.kind}").display = True
        self._input(FIELDS[self.kind][0].key).focus()
        self.screen.refresh_bindings()

    def _clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.update("")
            error.display = False

    def _show_errors(self, errors: list[RuleError]) -> None:
        self._clear_errors()
        for exc in errors:
            found = self.query(f"#e-{self.kind}-{exc.field}")
            if found:
                found.first().update(error_text(exc))
                found.first().display = True
        self.screen.say(error_text(errors[0]))
        if self.query(f"#f-{self.kind}-{errors[0].field}"):
            self._input(errors[0].field).focus()

    def _current(self):
        if not self.rows or self.table.cursor_row < 0:
            return None
        return self.rows[min(self.table.cursor_row, len(self.rows) - 1)]

    def _refused(self) -> bool:
        if self.read_only:
            self.screen.say(t("store.read_only"))
        return self.read_only

    # -- actions ----------------------------------------------------------------------------

    def action_add(self) -> None:
        if not self._refused():
            self._open(0, subrecords.blank(self.kind), 0)

    def action_edit(self) -> None:
        record = self._current()
        if record is not None and not self._refused():
            self._open(record.id, subrecords.as_form(self.kind, record), record.version)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # Esc closes an open form; with none open it is the card's (放弃). Del in a field
        # deletes a character; on the list it deletes the record.
        if action == "close":
            return self.editing is not None
        if action in ("delete", "make_default"):
            return self.editing is None or self.table.has_focus
        return True

    def action_close(self) -> None:
        self.editing = None
        self.query_one(f"#form-{self.kind}").display = False
        self._clear_errors()
        self.table.focus()
        self.screen.refresh_bindings()

    async def save(self) -> None:
        """The form's record added or changed (the card's F6 while the form is open)."""
        values = self.values()
        errors = subrecords.validate_all(self.kind, values)
        if errors:
            self._show_errors(errors)
            return
        if self.editing:
            call = (subrecords.change, self.code, self.kind, self.editing, values, self.version)
        else:
            call = (subrecords.add, self.code, self.kind, values)
        saved = await self._write(*call)
        if saved is not None:
            self.action_close()
            self.load(select=saved.record.id)
            self.screen.say(t("sub.saved", kind=t(f"sub.kind.{self.kind}")))

    async def _write(self, fn, *args):
        """One store call on a thread; a refusal is said (a conflict reloads the list)."""
        try:
            saved = await background.run(fn, *args, urgent=True)
        except ConflictError as exc:
            self.screen.say(error_text(exc))
            self.load()
            return None
        except RuleError as exc:
            self._show_errors([exc]) if exc.field else self.screen.say(error_text(exc))
            return None
        self.post_message(self.Changed(saved.customer))
        return saved

    def action_delete(self) -> None:
        record = self._current()
        if record is None or self._refused():
            return

        async def answer(yes: bool | None) -> None:
            if yes and await self._write(subrecords.delete, self.code, self.kind, record.id,
                                         record.version) is not None:
                self.load()
                self.screen.say(t("sub.deleted_one", kind=t(f"sub.kind.{self.kind}")))

        name = subrecords.title(self.kind, record)
        self.app.push_screen(ConfirmScreen(t("sub.confirm_delete", kind=t(f"sub.kind.{self.kind}"),
                                             name=name)), answer)

    async def action_make_default(self) -> None:
        record = self._current()
        if record is None or self._refused():
            return
        saved = await self._write(subrecords.make_default, self.code, self.kind, record.id,
                                  record.version)
        if saved is not None:
            self.load(select=record.id)
            group = GROUP_BY[self.kind]
            which = shown(group, getattr(record, group)) + " " if group else ""
            self.screen.say(t("sub.now_default", name=subrecords.title(self.kind, record),
                              which=which))
