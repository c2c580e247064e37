"""客户分类 Classification: the class tree on the left, the selected class's card on the
right; U8's toolbar as keys (F5 增加, F7 修改, Del 删除, F6/Ctrl+S 保存, Esc 放弃, F9 刷新)."""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Static

from db import RuleError
from db.archive import classes
from db.archive.classes import ClassNode
from tui.commands import Command, bindings, key_of, keys_of
from tui.i18n import error_text, name_of, t
from tui.screens.base import KehuScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.class_tree import ClassTree
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter


class ClassCard(Static):
    """The selected class, read-only: code, name, level and criterion, leaf, customers."""

    def show(self, node: ClassNode | None, dimension_name: str, total: int | None = None) -> None:
        text = Text()
        if node is None:
            text.append(dimension_name + "\n", style="bold")
            text.append(t("class.card_root_hint", add=key_of("class.add")))
            self.update(text)
            return
        rows = [
            (t("class.code"), node.code),
            (t("class.name"), node.name),
            (t("class.level"), t("class.level_value", level=node.level,
                                  criterion=node.criterion or t("class.no_criterion"))),
            (t("class.leaf"), t("yes") if node.is_leaf else t("no")),
            (t("class.customers"), str(node.customers) if node.customers >= 0 else "…"),
            (t("class.remark"), node.remark),
        ]
        if self.screen.dimension == "main":  # persons are customers of the main classes only
            rows.insert(4, (t("class.personal"), personal_text(node)))
        for label, value in rows:
            text.append(f"{label}  ", style="bold")
            text.append(f"{value}\n")
        self.update(text)


def personal_text(node: ClassNode) -> str:
    """是, 是 (随上级) when an ancestor is marked, or 否."""
    if node.personal:
        return t("yes")
    return t("class.personal_inherited") if classes.is_personal(node.code) else t("no")


class ClassForm(Vertical):
    """增加 / 修改 a class: code (only when adding), name, remark, and a line for refusals."""

    def __init__(self, mode: str, parent: str, node: ClassNode | None) -> None:
        super().__init__(id="class-form")
        self.mode = mode
        self.node = node
        self.parent_code = parent
        self.initial = (parent, "", "") if node is None else (node.code, node.name, node.remark)

    def compose(self) -> ComposeResult:
        code, name, remark = self.initial
        yield Label(t("class.add_title") if self.mode == "add" else t("class.edit_title"),
                    classes="form-title")
        yield Label(t("class.code") + " *", classes="field-label")
        yield Field(code, id="f-code", max_length=12, disabled=self.mode != "add")
        yield Label(t("class.name") + " *", classes="field-label")
        yield Field(name, id="f-name", max_length=60)
        yield Label(t("class.remark"), classes="field-label")
        yield Field(remark, id="f-remark", max_length=200)
        yield Static("", id="form-error", markup=False)
        keys = t("class.form_keys", save=keys_of("class.save"), cancel=key_of("class.cancel"))
        yield Static(keys, id="form-keys")

    def on_mount(self) -> None:
        first = self.query_one("#f-code" if self.mode == "add" else "#f-name", Field)
        first.focus()
        first.cursor_position = len(first.value)

    def values(self) -> tuple[str, str, str]:
        return tuple(self.query_one(f"#f-{k}", Field).value for k in ("code", "name", "remark"))

    @property
    def dirty(self) -> bool:
        return self.values() != self.initial

    def show_error(self, message: str, field: str | None) -> None:
        self.query_one("#form-error", Static).update(message)
        if field in ("code", "name", "remark") and not (field == "code" and self.mode != "add"):
            self.query_one(f"#f-{field}", Field).focus()


class ClassificationScreen(KehuScreen):
    SCREEN_NAME = "classification"
    CSS_PATH = "classification.tcss"
    ACTIONS = (
        Command("class.add", "f5", "add", "cmd.add"),
        Command("class.edit", "f7", "edit", "cmd.edit"),
        Command("class.delete", "delete", "delete", "cmd.delete"),
        Command("class.save", "f6,ctrl+s", "save", "cmd.save", priority=True),
        Command("class.cancel", "escape", "cancel", "cmd.cancel"),
        Command("class.refresh", "f9", "refresh", "cmd.refresh"),
        Command("class.personal", "f8", "toggle_personal", "class.toggle_personal"),
    )
    BINDINGS = bindings(ACTIONS)

    mode = reactive("view")  # view | add | edit

    def __init__(self, dimension: str = "main") -> None:
        super().__init__()
        self.dimension = dimension

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        with Horizontal(id="body"):
            yield ClassTree(self.dimension, id="tree")
            with Vertical(id="side"):
                yield ClassCard(id="card")
        yield Static("", id="message", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        self._show_title()
        self.query_one(ClassTree).focus()

    def _show_title(self) -> None:
        dim = classes.dimension(self.dimension)
        parts = [t("screen.classification"), f"{t('scheme.label')} {dim.scheme}"]
        if dim.code != "main":
            parts.insert(1, name_of(dim))
        self.query_one("#title", Static).update(Text(" · ".join(parts)))

    @property
    def tree(self) -> ClassTree:
        return self.query_one(ClassTree)

    # -- the card follows the cursor -------------------------------------------------------

    @on(ClassTree.NodeHighlighted)
    def _highlighted(self, event: ClassTree.NodeHighlighted) -> None:
        if self.mode == "view":
            self._show_card(event.node.data)

    def _show_card(self, node: ClassNode | None) -> None:
        if self.query("#class-form"):
            return
        dim = classes.dimension(self.dimension)
        name = name_of(dim)
        self.query_one(ClassCard).show(node, name)

    def say(self, message: str = "") -> None:
        self.query_one("#message", Static).update(message)

    # -- actions ----------------------------------------------------------------------------

    def writable(self) -> bool:
        """Editing keys say at once that a read-only archive cannot change."""
        if self.app.store.read_only:
            self.say(t("store.read_only"))
            return False
        return True

    def action_add(self) -> None:
        if self.mode != "view" or not self.writable():
            return
        node = self.tree.selected
        if node is not None and node.is_leaf and node.customers > 0:
            # Refuse before the form opens: U8 would only say so at save time.
            self.say(t("class.parent_has_customers", parent=node.code, count=node.customers))
            return
        self._open_form("add", node.code if node else "", None)

    def action_edit(self) -> None:
        node = self.tree.selected
        if self.mode != "view" or node is None or not self.writable():
            return
        self._open_form("edit", node.code, node)

    def _open_form(self, mode: str, parent: str, node: ClassNode | None) -> None:
        self.say()
        self.query_one(ClassCard).display = False
        self.query_one("#side").mount(ClassForm(mode, parent, node))
        self.mode = mode

    def _close_form(self) -> None:
        self.query("#class-form").remove()
        self.query_one(ClassCard).display = True
        self.mode = "view"
        self.tree.focus()

    def action_save(self) -> None:
        forms = self.query(ClassForm)
        if not forms:
            return
        form = forms.first()
        code, name, remark = form.values()
        try:
            if form.mode == "add":
                saved = classes.add(self.dimension, code, name, remark)
            else:
                saved = classes.update(self.dimension, form.node.code, name, remark, form.node.version)
        except RuleError as exc:
            form.show_error(error_text(exc), exc.field)
            return
        self._close_form()
        self.say(t("class.saved", code=saved.code))
        self.tree.reload(select=saved.code)

    def action_cancel(self) -> None:
        forms = self.query(ClassForm)
        if not forms:
            return
        if not forms.first().dirty:
            self._close_form()
            self.say()
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self._close_form()
                self.say(t("class.discarded"))

        self.app.push_screen(ConfirmScreen(t("class.confirm_discard")), answer)

    def action_delete(self) -> None:
        node = self.tree.selected
        if self.mode != "view" or node is None or not self.writable():
            return
        try:  # refused before the question, not after the user said yes
            classes.check_delete(self.dimension, node.code, node.is_leaf)
        except RuleError as exc:
            self.say(error_text(exc))
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                classes.delete(self.dimension, node.code, node.version)
            except RuleError as exc:
                self.say(error_text(exc))
                return
            self.say(t("class.deleted", code=node.code))
            parent = classes.scheme_of(classes.dimension(self.dimension)).parent_of(node.code)
            self.tree.reload(select=parent or "")

        self.app.push_screen(ConfirmScreen(t("class.confirm_delete", code=node.code, name=node.name)), answer)

    def action_toggle_personal(self) -> None:
        """个人消费者 on or off for the selected class of the main dimension."""
        node = self.tree.selected
        if self.mode != "view" or node is None or not self.writable():
            return
        if self.dimension != "main":
            self.say(t("class.personal_main_only"))
            return
        try:
            saved = classes.set_personal(node.code, not node.personal, node.version)
        except RuleError as exc:
            self.say(error_text(exc))
            return
        self.say(t("class.personal_on" if saved.personal else "class.personal_off", code=saved.code))
        self.tree.reload(select=saved.code)

    def action_refresh(self) -> None:
        if self.mode == "view":
            self.say()
            self._show_title()
            self.tree.reload()

    @on(ClassTree.Loaded)
    @on(ClassTree.Counted)
    def _loaded(self) -> None:
        if self.mode == "view":
            self._show_card(self.tree.selected)
