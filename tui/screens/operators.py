"""操作员 Operators (Alt+O, or 操作员 in the palette): the operator table, each login's
name, department, role and data permission. F5 adds, Enter / F7 changes, Del removes;
the store refuses anyone but an admin (db.archive.operators), and the refusal shows here."""
from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import DataTable, Label, Static

from db import RuleError
from db.archive import operators
from db.core.models import MAIN_DIMENSION
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, t
from tui.screens.base import KehuModal, KehuScreen
from tui.screens.confirm import ConfirmScreen
from tui.shell.operators import scope_text
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter
from tui.who import who_line

FORM_FIELDS = ("login", "name", "department", "role", "classes", "departments", "own")
YES = ("1", "y", "yes", "是", "true")


def scope_from(classes: str, departments: str, own: str) -> operators.Scope:
    """A scope as typed in the form: classes "02 region:01", departments "华北销售部, 华东销售部"."""
    codes = []
    for item in re.split(r"[\s,，、]+", classes.strip()):
        if item:
            dim, _, code = item.rpartition(":")
            codes.append((dim or MAIN_DIMENSION, code))
    names = tuple(d.strip() for d in re.split(r"[,，、]+", departments) if d.strip())
    return operators.Scope(tuple(codes), names, own.strip().lower() in YES)


class OperatorForm(KehuModal[bool]):
    """Add (no operator given) or change one operator."""

    CSS_PATH = "operator_form.tcss"
    ACTIONS = (
        Command("operators.save", "f6,ctrl+s", "save", "cmd.save"),
        Command("operators.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, op: operators.OperatorInfo | None = None) -> None:
        super().__init__()
        self.op = op

    def compose(self) -> ComposeResult:
        op = self.op
        scope = op.scope if op else operators.Scope()
        values = {"login": op.login if op else "", "name": op.name if op else "",
                  "department": op.department if op else "", "role": op.role if op else "editor",
                  "classes": " ".join(c if d == MAIN_DIMENSION else f"{d}:{c}" for d, c in scope.classes),
                  "departments": ", ".join(scope.departments), "own": "1" if scope.own else "0"}
        with Vertical(id="operator-box") as box:
            box.border_title = t("ops.change" if op else "ops.add")
            box.border_subtitle = t("ops.form_keys", save=key_of("operators.save"),
                                    cancel=key_of("operators.cancel"))
            with Grid(id="operator-form"):
                for key in FORM_FIELDS:
                    yield Label(t(f"ops.form.{key}"))
                    yield Field(values[key], id=f"op-{key}", max_length=200,
                                disabled=key == "login" and op is not None)
            yield Static(t("ops.form_hint"), id="operator-hint")
            yield Static("", id="operator-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#op-name" if self.op else "#op-login").focus()

    def _value(self, key: str) -> str:
        return self.query_one(f"#op-{key}", Field).value

    def action_save(self) -> None:
        scope = scope_from(self._value("classes"), self._value("departments"), self._value("own"))
        role = self._value("role").strip()
        try:
            if self.op is None:
                operators.add(self._value("login"), self._value("name"), self._value("department"),
                              role, scope)
            else:
                operators.change(self.op.login, self.op.version, name=self._value("name"),
                                 department=self._value("department"), role=role, scope=scope)
        except RuleError as exc:
            self.query_one("#operator-message", Static).update(error_text(exc))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class OperatorsScreen(KehuScreen):
    SCREEN_NAME = "operators"
    CSS_PATH = "operators.tcss"
    ACTIONS = (
        Command("operators.add", "f5", "add", "cmd.add"),
        Command("operators.edit", "f7,enter", "edit", "cmd.edit"),
        Command("operators.remove", "delete", "remove", "cmd.delete"),
        Command("operators.refresh", "f9", "refresh", "cmd.refresh"),
        Command("operators.back", "escape", "app.go('archive')", "cmd.archive"),
    )
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield DataTable(id="operators", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(t(f"ops.{k}") for k in ("login", "name", "department", "role", "scope")))
        self.action_refresh()
        table.focus()

    def action_refresh(self) -> None:
        who = who_line()
        self.query_one("#title", Static).update(t("ops.title") + (f"  ·  {who}" if who else ""))
        table = self.query_one(DataTable)
        row = table.cursor_row or 0  # the cursor stays on its row across a change
        table.clear()
        self.rows = operators.operators()
        for op in self.rows:
            table.add_row(op.login, op.name, op.department, t(f"role.{op.role}"), scope_text(op.scope),
                          key=op.login)
        if self.rows:
            table.move_cursor(row=min(row, len(self.rows) - 1))
        self.query_one("#message", Static).update("" if self.rows else t("ops.none"))

    def _selected(self) -> operators.OperatorInfo | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def _done(self, changed: bool | None) -> None:
        if changed:
            self.action_refresh()

    def action_add(self) -> None:
        self.app.push_screen(OperatorForm(), self._done)

    def action_edit(self) -> None:
        op = self._selected()
        if op is not None:
            self.app.push_screen(OperatorForm(op), self._done)

    def on_data_table_row_selected(self) -> None:
        self.action_edit()

    def action_remove(self) -> None:
        op = self._selected()
        if op is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                operators.remove(op.login)
            except RuleError as exc:
                self.query_one("#message", Static).update(error_text(exc))
                return
            self.action_refresh()

        self.app.push_screen(ConfirmScreen(t("ops.confirm_remove", login=op.login)), answered)
