"""客户档案卡片 The customer card: U8's tabs 基本 联系 信用 其它, every field validated as it
is saved, refusals shown beside the field. Returns the code it saved (or None)."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane, TextArea

from db import ConflictError, RuleError
from db.archive import approval, customers, dimensions, history
from db.values.fields import BY_KEY, FIELDS, TABS, on_tab, tab_label
from db.values.subfields import KINDS, MIRRORED
from db.core.models import MAIN_DIMENSION
from tui import background, clipboard, config
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, name_of, t
from tui.screens.as_of import AsOfScreen
from tui.screens.base import KehuScreen
from tui.screens.held_keys import HeldKeys
from tui.screens.card_pickers import picker_for
from tui.screens.confirm import ConfirmScreen
from tui.screens.filter import MGMT_KEYS, stored_value
from tui.shell.requests import changes_text
from tui.widgets.card_fields import LABEL_WIDTH, FieldRow, dimension_rows, label_text, shown
from tui.widgets.duplicate_panel import DuplicatePanel
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter
from tui.widgets import region_boxes
from tui.widgets.head_office import HeadOfficeRow, branch_rows
from tui.widgets.history_view import HistoryList
from tui.widgets.region_boxes import REGION_BOXES
from tui.widgets.subrecord_pane import SubRecordPane
from tui.widgets.performance import performance_text
from tui.widgets.personal_card import hidden, identity_rows, is_personal


# settings.json: whether 保存 (F6) stays on the card instead of going back to the list.
STAY_SETTING = "stay_on_card"


class CardScreen(HeldKeys, KehuScreen[str | None]):
    SCREEN_NAME = "card"
    CSS_PATH = "card.tcss"
    ACTIONS = (
        Command("card.save", "f6,ctrl+s", "save", "cmd.save", priority=True),
        Command("card.save_new", "ctrl+n", "save(True)", "card.save_new", priority=True),
        Command("card.copy", "ctrl+d", "copy", "card.copy", priority=True),
        Command("card.stay", "f4", "toggle_stay", "card.stay", show=False),
        Command("card.cancel", "escape", "cancel", "cmd.cancel"),
        Command("card.pick", "f2", "pick", "card.pick"),
        Command("card.stop", "ctrl+t", "toggle_stop", "card.stop_enable", priority=True),
        Command("card.delete", "ctrl+delete,ctrl+r", "delete", "cmd.delete", priority=True),
        Command("card.copy_invoice", "f9", "clip('invoice')", "clip.invoice", show=False),
        Command("card.copy_contact", "f3", "clip('contact')", "clip.contact", show=False),
        Command("card.as_of", "ctrl+o", "as_of", "card.as_of", show=False),
        Command("card.group", "ctrl+g", "toggle_group", "card.group_toggle", show=False, priority=True),
        Command("card.tab1", "alt+1", "tab(0)", "card.tab_basic", show=False),
        Command("card.tab2", "alt+2", "tab(1)", "card.tab_contact", show=False),
        Command("card.tab3", "alt+3", "tab(2)", "card.tab_credit", show=False),
        Command("card.tab4", "alt+4", "tab(3)", "card.tab_other", show=False),
        Command("card.tab5", "alt+5", "tab(4)", "card.tab_dimensions", show=False),
        Command("card.tab6", "alt+6", "tab(5)", "card.tab_sales", show=False),
        Command("card.tab7", "alt+7", "tab(6)", "history.tab", show=False),
        # Ctrl+PgDn/PgUp arrive through tmux and SSH. Alt+digit comes as Esc+digit or, from
        # a Mac, as the Option character (™ for 2): the fields turn both into these keys.
        Command("card.next_tab", "ctrl+pagedown", "next_tab(1)", "card.next_tab"),
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
        self.group_sales = False  # 业绩 of the customer alone, or of its group (总公司)
        self.waiting: list = []  # _read_waiting

    def all_commands(self):
        return super().all_commands() + SubRecordPane.card_commands()  # the sub-record tabs' keys

    async def action_sub(self, action: str) -> None:
        """A sub-record tab's action from the palette, on the list of the tab shown."""
        panes = self.query(f"#{self.query_one(TabbedContent).active} SubRecordPane")
        if not panes:
            self.say(t("sub.palette_hint"))
            return
        await panes.first().run_action(action)

    @property
    def read_only(self) -> bool:
        return self.app.store.read_only

    def _read_waiting(self) -> None:
        """The customer's requests pending approval (new, or changes its card does not show
        yet): read when the card opens and after a save, not each time the title is drawn."""
        self.waiting = (approval.requests("pending", code=self.row.code)
                        if self.row is not None and approval.enabled() else [])

    def compose(self) -> ComposeResult:
        self.dims = [d for d in dimensions.all_dimensions() if d.code != MAIN_DIMENSION]
        # As wide as the longest label in the language in force, plus the gap after it:
        # "Legal representative" wrapped over three lines in a column made for Chinese.
        labels = [label_text(f) for f in FIELDS] + [name_of(d) for d in self.dims]
        self.label_width = max(LABEL_WIDTH, max(map(cell_len, labels)) + 1)
        yield Static("", id="title")
        personal = is_personal(self.initial)  # 个人消费者: no 法人, the 身份证's birthday and gender
        with TabbedContent(id="tabs"):
            for tab in TABS:
                with TabPane(t(tab_label(tab)), id=f"tab-{tab}"):
                    with VerticalScroll():
                        for field in on_tab(tab):
                            if (field.editable or self.row is not None) and not hidden(field.key, personal):
                                # A saved code never changes (U8): its box is shown disabled.
                                locked = self.read_only or (field.key == "code" and self.row is not None)
                                row = HeadOfficeRow if field.key == "head_office" else FieldRow
                                yield row(field, shown(field.key, self.initial.get(field.key, "")),
                                          locked, self.label_width)
                                yield from identity_rows(field.key, self.initial, personal, self.label_width)
                                if field.key == "head_office":
                                    yield from branch_rows(self.code, self.label_width)
            with TabPane(t("card.tab_dimensions"), id="tab-dimensions"):
                with VerticalScroll():
                    yield from self._dimension_rows()
            if self.row is not None:
                with TabPane(t("card.tab_sales"), id="tab-sales"):
                    with VerticalScroll():
                        yield Static(performance_text(self.row.code, self.group_sales), id="performance")
                with TabPane(t("history.tab"), id="tab-history"):
                    yield HistoryList(history.for_entity("customer", self.row.code), id="history")
                for kind in KINDS:  # after the tabs U8 has, so Alt+1..7 stay where they were
                    with TabPane(t(f"sub.kind.{kind}"), id=f"tab-{kind}"):
                        yield SubRecordPane(self.row.code, kind, self.read_only, self.label_width)
        yield DuplicatePanel()
        yield Static("", id="message", markup=False)
        yield KehuFooter()

    def _dimension_rows(self) -> ComposeResult:
        """One row per dimension besides the main one: typed ones editable (F2 picks from
        the tree), derived ones (交易历史, 购买规模, 盈利情况) shown as the rules set them."""
        held = dimensions.memberships(self.row.code) if self.row else {}
        self.initial_dims = {d.code: held.get(d.code, ("", ""))[0] for d in self.dims}
        yield from dimension_rows(self.dims, held, self.label_width, self.read_only)

    def dimension_values(self) -> dict[str, str]:
        return {d.code: self.query_one(f"#f-dim-{d.code}", Field).value.strip()
                for d in self.dims if not d.derived}

    def on_mount(self) -> None:
        self._read_waiting()
        self._show_title()
        if self.waiting:  # 审核: what this card's saves still wait for, as the approver will see it
            self.say(t("card.waiting", requests="; ".join(f"#{r.id} {changes_text(r)}" for r in self.waiting)))
        if self.row is None:
            self._focus_code()
        else:
            self.query_one("#f-name").focus()
        # The app's worker, not the card's: an F6 among the keys closes the card mid-way.
        self.app.run_worker(self._hand_on_held(), group="held-keys")

    def _show_title(self) -> None:
        title = Text(t("screen.card") + " · ")
        if self.row is None:
            title.append(t("card.new"))
        else:
            title.append(f"{self.row.code} {self.row.short_name}")
            if customers.is_stopped(self.row):
                title.append("  " + t("card.stopped_on", date=str(self.row.stop_date)), style="bold")
            if self.waiting:
                title.append("  " + t("card.waiting_count", count=len(self.waiting)), style="bold")
        if self.read_only:
            title.append("  " + t("archive.read_only"), style="bold")
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
        typed = out.get("mgmt_type")
        if typed is not None:  # shown in the language in force, stored in Chinese
            out["mgmt_type"] = stored_value(typed.strip(), MGMT_KEYS) or typed
        return out

    @property
    def dirty(self) -> bool:
        return (any(self.initial.get(k, "") != v for k, v in self.values().items())
                or any(self.initial_dims.get(k, "") != v for k, v in self.dimension_values().items()))

    def fill(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            found = self.query(f"#f-{key}")
            if found:
                w = found.first()
                if isinstance(w, TextArea):
                    w.text = value
                else:
                    w.value = shown(key, value)
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

    async def action_save(self, and_new: bool = False) -> None:
        for node in self.focused.ancestors_with_self if self.focused else ():
            if isinstance(node, SubRecordPane) and node.editing is not None:
                await node.save()  # F6 in a sub-record's form saves that record
                return
        values = self.values()
        existing = self.row
        errors = customers.validate_all(values, existing=existing)
        if errors:
            self.show_errors(errors)
            return
        panel = self.query_one(DuplicatePanel)  # 查重: candidates first, saved past on a second save
        if not await panel.gate(values, existing and self.initial, existing.code if existing else ""):
            return
        changed = {dim: code for dim, code in self.dimension_values().items()
                   if code != self.initial_dims.get(dim, "")}
        # On a thread: a save may wait for another session's lock (up to the store's busy
        # timeout), and the card says so meanwhile. The app acts on no key until the save is
        # over (this action is awaited), so a key typed meanwhile waits for its outcome
        # instead of landing in whatever field had the focus.
        self.say(t("card.saving"))
        try:
            saved = await background.run(customers.save_card, existing.code if existing else None,
                                         values, changed, existing.version if existing else None,
                                         panel.reason, urgent=True)
        except ConflictError as exc:
            self.say(error_text(exc))
            self.app.push_screen(ConfirmScreen(error_text(exc) + "\n" + t("card.ask_reload")),
                                 self._reload_answer)
            return
        except RuleError as exc:
            if exc.key.startswith("dimension_member.") or (  # a refused class, or a scope it leaves
                    exc.key.startswith("team.") and exc.field in {d.code for d in self.dims}):
                exc.field = f"dim-{exc.field}"
            self.show_errors([exc])
            return
        self.say()
        self.saved_any = saved.code
        if and_new:
            self._restart(customers.blank(saved.class_code))
            self.say(t("card.saved_new", code=saved.code))
        elif config.load_settings().get(STAY_SETTING):
            await self._become(saved.code)
            self.say(t("card.saved_stay", code=saved.code, back=key_of("card.cancel")))
        else:
            self.dismiss(saved.code)

    async def _become(self, code: str) -> None:
        """The card of customer `code` as saved (a new one now has its code locked, its sales
        and its history): the next save is checked against the version just written."""
        self.row = customers.get(code)
        self.code = code
        self.initial = customers.as_form(self.row)
        self._read_waiting()
        await self.recompose()
        self._show_title()
        self.query_one("#f-name").focus()

    def action_toggle_stay(self) -> None:
        """U8's choice: after 保存 stay on the card, or go back to the list (the default)."""
        stay = not config.load_settings().get(STAY_SETTING)
        problem = config.save_setting(STAY_SETTING, stay)
        self.say(problem or t("card.stay_on" if stay else "card.stay_off", toggle=key_of("card.stay")))

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
        for key in ("created_by", "created_at", "modified_by", "modified_at", "branches"):
            self.query(f"#row-{key}").remove()
        # A card with no code has no sales and no history: not the ones of the card it came from.
        tabs = self.query_one(TabbedContent)
        for pane in ("tab-sales", "tab-history"):
            if self.query(f"#{pane}"):
                tabs.remove_pane(pane)
        self.query_one("#f-code", Field).disabled = False
        self.fill(values)
        self.query_one(DuplicatePanel).hide()
        self.waiting = []
        self._show_title()
        self.query_one(TabbedContent).active = "tab-basic"
        self._focus_code()

    def _focus_code(self) -> None:
        """A new card starts at its code, the proposed one selected: typing replaces it."""
        code = self.query_one("#f-code", Field)
        code.focus()
        code.select_all()

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

    @property
    def panes(self) -> list[str]:
        return [pane.id.removeprefix("tab-") for pane in self.query(TabPane)]

    def action_tab(self, index: int) -> None:
        panes = self.panes
        if index >= len(panes):
            return
        self.query_one(TabbedContent).active = f"tab-{panes[index]}"
        pane = self.query_one(f"#tab-{panes[index]}")
        inputs = [w for w in pane.query("Field, TextArea") if not w.disabled]
        if pane.query(SubRecordPane):
            pane.query_one(SubRecordPane).focus_first()
        elif pane.query(HistoryList):
            pane.query_one(HistoryList).focus()
        elif inputs:
            inputs[0].focus()

    def action_next_tab(self, step: int) -> None:
        panes = self.panes
        active = self.query_one(TabbedContent).active.removeprefix("tab-")
        self.action_tab((panes.index(active) + step) % len(panes))

    def action_pick(self) -> None:
        focused = self.focused
        if focused is not None and focused.id in REGION_BOXES:  # 所属地区 and its code: the national table
            from tui.screens.region_picker import RegionPicker

            self.app.push_screen(RegionPicker(focused.value), lambda code: region_boxes.picked(self, code))
            return
        picker = picker_for(focused)
        if picker is None:
            self.say(t("card.pick_hint", pick=key_of("card.pick")))
            return

        def chosen(value: str | None) -> None:
            if value:
                focused.value = value

        self.app.push_screen(picker, chosen)

    def action_as_of(self) -> None:
        """The card as the history entry under the cursor left it (the 历史 tab's)."""
        found = self.query(HistoryList)
        entry = found.first().chosen if found else None
        if entry is None:
            self.say(t("card.as_of_where", tab=t("history.tab")))
            return
        self.app.push_screen(AsOfScreen(self.row.code, entry))

    @on(HistoryList.OptionSelected, "#history")
    def _entry_chosen(self) -> None:
        self.action_as_of()

    @on(Field.Changed, "#f-region")
    def _region_typed(self, event: Field.Changed) -> None:
        region_boxes.typed(self, event.value)

    def action_toggle_stop(self) -> None:
        if self.row is None:
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
        if self.read_only:
            self.say(t("store.read_only"))
            return
        if row is None:
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

    def on_field_cut(self, event: Field.Cut) -> None:
        field = BY_KEY.get((event.field.id or "").removeprefix("f-"))
        if field is not None:
            self.say(t("card.paste_cut", field=t(field.label), max=field.max_length,
                       length=event.length, kept=event.kept))

    @on(Field.Changed, "#f-head_office")
    def _head_typed(self, event: Field.Changed) -> None:
        self.query_one(HeadOfficeRow).show_name(event.value)

    def action_toggle_group(self) -> None:
        """业绩: the customer's own sales, or its group's (itself, its branches, theirs)."""
        if self.row is None:
            return
        self.group_sales = not self.group_sales
        self.query_one("#performance", Static).update(performance_text(self.row.code, self.group_sales))
        self.query_one(TabbedContent).active = "tab-sales"

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        self.refresh_bindings()

    def action_clip(self, what: str) -> None:
        """OSC 52: the default invoice details (four lines) or contact (tui.clipboard)."""
        code = self.row.code if self.row else None
        text = code and getattr(clipboard, f"{what}_text")(code)
        self.say(clipboard.copy(self.app, text, what))

    def on_sub_record_pane_changed(self, event: SubRecordPane.Changed) -> None:
        """A sub-record was written: the next save is checked against the customer's new
        version, and the copied fields show the new defaults (unless typed over meanwhile)."""
        self.row, fresh, typed = event.customer, customers.as_form(event.customer), self.values()
        self.fill({k: fresh[k] for k in MIRRORED if typed.get(k) == self.initial.get(k)})
        self.initial.update({k: fresh[k] for k in MIRRORED})

