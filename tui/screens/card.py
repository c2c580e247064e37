"""客户档案卡片 The customer card: U8's tabs 基本 联系 信用 其它, every field validated as it
is saved, refusals shown beside the field. Returns the code it saved (or None)."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Label, Static, TabbedContent, TabPane, TextArea

from db import ConflictError, RuleError, customers
from db.fields import FIELDS, TABS, on_tab, tab_label
from tui.commands import Command, bindings
from tui.i18n import error_text, t
from tui.screens.base import KehuScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.fields import Field


class FieldRow(Horizontal):
    """Label, input, and the refusal beside it (shown only when there is one)."""

    def __init__(self, field, value: str, locked: bool) -> None:
        super().__init__(classes="field-row", id=f"row-{field.key}")
        self.field = field
        self.value = value
        self.locked = locked

    def compose(self) -> ComposeResult:
        field = self.field
        mark = " *" if field.required else ""
        yield Label(t(field.label) + mark, classes="field-label" + (" required" if field.required else ""))
        if not field.editable:
            yield Static(Text(self.value), classes="auto-value")
        elif field.multiline:
            area = TextArea(self.value, id=f"f-{field.key}", soft_wrap=True, show_line_numbers=False,
                            read_only=self.locked)
            yield area
        else:
            suggester = SuggestFromList(field.choices, case_sensitive=False) if field.choices else None
            yield Field(self.value, id=f"f-{field.key}", max_length=field.max_length or 0,
                        suggester=suggester, disabled=self.locked)
        yield Static("", classes="field-error", id=f"e-{field.key}", markup=False)


class CardScreen(KehuScreen[str | None]):
    SCREEN_NAME = "card"
    CSS_PATH = "card.tcss"
    ACTIONS = (
        Command("card.save", "f6,ctrl+s", "save", "cmd.save", priority=True),
        Command("card.save_new", "ctrl+n", "save(True)", "card.save_new", priority=True),
        Command("card.copy", "ctrl+d", "copy", "card.copy", priority=True),
        Command("card.cancel", "escape", "cancel", "cmd.cancel"),
        Command("card.pick", "f2", "pick", "card.pick"),
        Command("card.stop", "ctrl+t", "toggle_stop", "card.stop_enable", priority=True),
        Command("card.delete", "ctrl+delete,ctrl+r", "delete", "cmd.delete", priority=True),
        Command("card.tab1", "alt+1", "tab(0)", "card.tab_basic", show=False),
        Command("card.tab2", "alt+2", "tab(1)", "card.tab_contact", show=False),
        Command("card.tab3", "alt+3", "tab(2)", "card.tab_credit", show=False),
        Command("card.tab4", "alt+4", "tab(3)", "card.tab_other", show=False),
        Command("card.next_tab", "ctrl+pagedown", "next_tab(1)", "card.next_tab", show=False),
        Command("card.prev_tab", "ctrl+pageup", "next_tab(-1)", "card.prev_tab", show=False),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, code: str | None = None, *, values: dict | None = None, class_code: str = "") -> None:
        super().__init__()
        self.code = code
        self.row = customers.get(code) if code else None
        if code and self.row is None:
            raise ConflictError("conflict.deleted", code=code)
        self.initial = customers.as_form(self.row) if self.row else (values or customers.blank(class_code))
        self.saved_any: str | None = None

    @property
    def read_only(self) -> bool:
        return self.app.store.read_only

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        with TabbedContent(id="tabs"):
            for tab in TABS:
                with TabPane(t(tab_label(tab)), id=f"tab-{tab}"):
                    with VerticalScroll():
                        for field in on_tab(tab):
                            if field.editable or self.row is not None:
                                # A saved code never changes (U8): its box is shown disabled.
                                locked = self.read_only or (field.key == "code" and self.row is not None)
                                yield FieldRow(field, self.initial.get(field.key, ""), locked)
        yield Static("", id="message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_title()
        first = "f-code" if self.row is None else "f-name"
        self.query_one(f"#{first}").focus()

    def _show_title(self) -> None:
        title = Text(t("screen.card") + " · ")
        if self.row is None:
            title.append(t("card.new"))
        else:
            title.append(f"{self.row.code} {self.row.short_name}")
            if customers.is_stopped(self.row):
                title.append("  " + t("card.stopped_on", date=str(self.row.stop_date)), style="bold")
        self.query_one("#title", Static).update(title)

    # -- values ----------------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        out = {}
        for field in FIELDS:
            if not field.editable:
                continue
            widget = self.query(f"#f-{field.key}")
            if not widget:
                continue
            w = widget.first()
            out[field.key] = w.text if isinstance(w, TextArea) else w.value
        return out

    @property
    def dirty(self) -> bool:
        return any(self.initial.get(k, "") != v for k, v in self.values().items())

    def fill(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            found = self.query(f"#f-{key}")
            if found:
                w = found.first()
                if isinstance(w, TextArea):
                    w.text = value
                else:
                    w.value = value
        self.clear_errors()

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.update("")
            error.display = False

    def show_errors(self, errors: list[RuleError]) -> None:
        self.clear_errors()
        for exc in errors:
            target = self.query(f"#e-{exc.field}")
            if target:
                target.first().update(error_text(exc))
                target.first().display = True
        first = errors[0]
        self.say(error_text(first))
        if self.query(f"#f-{first.field}"):
            self.focus_field(first.field)

    def focus_field(self, key: str) -> None:
        widget = self.query_one(f"#f-{key}")
        pane = widget.ancestors_with_self
        for node in pane:
            if isinstance(node, TabPane):
                self.query_one(TabbedContent).active = node.id
                break
        widget.focus()

    def say(self, message: str = "") -> None:
        self.query_one("#message", Static).update(message)

    # -- actions ---------------------------------------------------------------------------

    def action_save(self, and_new: bool = False) -> None:
        if self.read_only:
            self.say(t("store.read_only"))
            return
        values = self.values()
        existing = self.row
        errors = customers.validate_all(values, existing=existing)
        if errors:
            self.show_errors(errors)
            return
        try:
            if existing is None:
                saved = customers.create(values)
            else:
                saved = customers.update(existing.code, values, existing.version)
        except ConflictError as exc:
            self.say(error_text(exc))
            self.app.push_screen(ConfirmScreen(error_text(exc) + "\n" + t("card.ask_reload")),
                                 self._reload_answer)
            return
        except RuleError as exc:
            self.show_errors([exc])
            return
        self.saved_any = saved.code
        if and_new:
            self._restart(customers.blank(saved.class_code))
            self.say(t("card.saved_new", code=saved.code))
        else:
            self.dismiss(saved.code)

    def _reload_answer(self, reload: bool | None) -> None:
        """After a conflict: reload the row as it is now; what was typed stays in the
        message line so it can be copied back."""
        if not reload or self.row is None:
            return
        typed = self.values()
        self.row = customers.get(self.row.code)
        if self.row is None:
            self.say(t("conflict.deleted", code=self.code))
            return
        self.initial = customers.as_form(self.row)
        self.fill(self.initial)
        changed = {k: v for k, v in typed.items() if v != self.initial.get(k, "")}
        self.say(t("card.reloaded", typed="; ".join(f"{t('customer.field.' + k)}={v}" for k, v in changed.items())))
        self._show_title()

    def _restart(self, values: dict) -> None:
        """Become a new card with `values` (after 保存并新增 or 复制)."""
        self.row = None
        self.code = None
        self.initial = values
        for key in ("created_by", "created_at", "modified_by", "modified_at"):
            self.query(f"#row-{key}").remove()
        self.query_one("#f-code", Field).disabled = False
        self.fill(values)
        self._show_title()
        self.query_one(TabbedContent).active = "tab-basic"
        self.query_one("#f-code").focus()

    def action_copy(self) -> None:
        values = {k: v for k, v in self.values().items()}
        values.update(code="", stop_date="")
        self._restart(values)
        self.say(t("card.copied"))

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(self.saved_any)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(self.saved_any)

        self.app.push_screen(ConfirmScreen(t("class.confirm_discard")), answer)

    def action_tab(self, index: int) -> None:
        self.query_one(TabbedContent).active = f"tab-{TABS[index]}"
        pane = self.query_one(f"#tab-{TABS[index]}")
        inputs = [w for w in pane.query("Field, TextArea") if not w.disabled]
        if inputs:
            inputs[0].focus()

    def action_next_tab(self, step: int) -> None:
        active = self.query_one(TabbedContent).active.removeprefix("tab-")
        self.action_tab((TABS.index(active) + step) % len(TABS))

    def action_pick(self) -> None:
        focused = self.focused
        if focused is None or focused.id not in ("f-class_code", "f-mgmt_type"):
            self.say(t("card.pick_hint"))
            return
        if focused.id == "f-class_code":
            from tui.screens.class_picker import ClassPicker

            def chosen(code: str | None) -> None:
                if code:
                    focused.value = code

            self.app.push_screen(ClassPicker(focused.value), chosen)
        else:
            from tui.screens.choice_picker import ChoicePicker
            from db.fields import BY_KEY

            def picked(value: str | None) -> None:
                if value:
                    focused.value = value

            self.app.push_screen(ChoicePicker(t("customer.field.mgmt_type"), BY_KEY["mgmt_type"].choices), picked)

    def action_toggle_stop(self) -> None:
        if self.row is None or self.read_only:
            return
        try:
            if customers.is_stopped(self.row) or self.row.stop_date:
                self.row = customers.enable(self.row.code, self.row.version)
                self.say(t("card.enabled", code=self.row.code))
            else:
                self.row = customers.stop(self.row.code, self.row.version)
                self.say(t("card.stopped", code=self.row.code))
        except RuleError as exc:
            self.say(error_text(exc))
            return
        self.saved_any = self.row.code
        self.initial = customers.as_form(self.row)
        self.fill({"stop_date": self.initial["stop_date"]})
        self._show_title()

    def action_delete(self) -> None:
        row = self.row
        if row is None or self.read_only:
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                customers.delete(row.code, row.version)
            except RuleError as exc:
                self.say(error_text(exc))
                return
            self.dismiss(None)

        self.app.push_screen(ConfirmScreen(t("card.confirm_delete", code=row.code, name=row.name)), answer)

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        self.refresh_bindings()
