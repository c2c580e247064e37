"""客户档案 Customer archive, the screen the app opens on: the class tree on the left, the
customers of the selected class and all its sub-classes on the right, paged from the store."""
from __future__ import annotations

import dataclasses
import itertools

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

# db.archive.customers (the card's field rules, python-stdnum, the pinyin tables) is imported where
# first used: the first screen does not need it, and it was two thirds of its imports.
from db import RuleError
from db.archive import classes, history
from db.lists import paging
from db.core.models import MAIN_DIMENSION
from db.lists.query import Filter, ListQuery
from tui import config
from tui.commands import Command, bindings, key_of
from tui.head_start import opening_columns, opening_query
from tui.i18n import error_text, name_of, t
from tui.screens.base import KehuScreen
from tui.screens.rules_nav import NAV
from tui.widgets.class_tree import ClassTree
from tui.widgets.customer_list import CustomerList
from tui.widgets.footer import KehuFooter
from tui.widgets.locate_box import LocateBox
from tui.who import who_line


MAX_MERGE = 20
# settings.json: the tree pane's width in cells, set by Alt+Right / Alt+Left (else the
# stylesheet's 30%); changed TREE_STEP cells a press, never under TREE_MIN, nor so wide
# that the list keeps fewer than LIST_MIN cells.
TREE_WIDTH = "tree_width"
TREE_STEP, TREE_MIN, LIST_MIN = 4, 16, 30


class ArchiveScreen(KehuScreen):
    SCREEN_NAME = "archive"
    CSS_PATH = "archive.tcss"
    ACTIONS = (
        Command("archive.add", "f5", "add", "cmd.add"),
        Command("archive.edit", "f7", "edit", "cmd.edit"),
        Command("archive.delete", "delete", "delete", "cmd.delete"),
        Command("archive.filter", "f3", "filter", "archive.filter"),
        Command("archive.locate", "slash,ctrl+f,ctrl+f3", "locate", "archive.locate"),
        Command("archive.columns", "f4", "columns", "archive.columns"),
        Command("archive.sort", "ctrl+o", "sort", "archive.sort"),
        Command("archive.stopped", "ctrl+g", "toggle_stopped", "archive.show_stopped"),
        Command("archive.stop", "ctrl+t", "toggle_stop", "card.stop_enable"),
        Command("archive.refresh", "f9", "refresh", "cmd.refresh"),
        Command("archive.dimension", "f2", "dimension", "archive.dimension"),
        Command("archive.batch", "f8", "batch", "archive.batch"),
        Command("archive.mark", "space", "mark", "archive.mark", show=False),
        Command("archive.mark_all", "ctrl+a", "mark_all", "archive.mark_all"),
        Command("archive.open", "enter", "open", "archive.open", show=False),
        Command("archive.next_pane", "tab", "app.focus_next", "archive.next_pane", show=False),
        Command("archive.merge", "alt+m", "merge", "archive.merge"),
        Command("archive.import", "ctrl+l", "import_file", "transfer_ui.import"),
        Command("archive.export", "ctrl+e", "export_file", "transfer_ui.export"),
        Command("archive.copy", "ctrl+c", "clip", "clip.list", show=False),
        Command("archive.tree_wider", "alt+right", "tree_width(1)", "archive.tree_wider", show=False),
        Command("archive.tree_narrower", "alt+left", "tree_width(-1)", "archive.tree_narrower", show=False),
        *NAV,  # evaluate, health check, statistics, rules
        Command("archive.operators", "alt+o", "app.go('operators')", "ops.cmd", show=False),
        Command("archive.requests", "alt+r", "app.go('requests')", "requests.cmd", show=False),
    )
    BINDINGS = bindings(ACTIONS)
    # The actions that change the archive: on a read-only archive they leave the footer (their
    # keys still say why they do nothing).
    WRITES = frozenset({"add", "edit", "delete", "toggle_stop", "batch", "merge", "import_file"})

    def __init__(self, dimension: str = "main") -> None:
        super().__init__()
        self.dimension = dimension
        self.query_state = opening_query() if dimension == MAIN_DIMENSION else ListQuery(dimension=dimension)
        self.columns = list(opening_columns())
        self.count = 0
        self.marked_since: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        with Horizontal(id="body"):
            yield ClassTree(self.dimension, id="tree")
            yield CustomerList(id="list")
        yield Static("", id="status")
        yield KehuFooter()
        # Part of the screen from the start, hidden: the keys a fast typist sends right after
        # "/" land in it, however soon after the first frame.
        yield LocateBox(id="locate")

    def on_mount(self) -> None:
        self.title_line()
        width = config.load_settings().get(TREE_WIDTH)
        if isinstance(width, int):
            self._set_tree_width(width)
        listing = self.query_one(CustomerList)
        listing.set_columns(self.columns)
        # The count taken while the app started serves the first archive only: any later
        # one may follow writes made since.
        head, self.app.head_start = self.app.head_start, None
        listing.set_query(self.query_state, head=head)
        if listing.count:  # known already: in the first frame, not one after it
            self.count = listing.count
            self.status_line()
        listing.focus()

    @property
    def tree(self) -> ClassTree:
        return self.query_one(ClassTree)

    @property
    def listing(self) -> CustomerList:
        return self.query_one(CustomerList)

    def title_line(self) -> None:
        store = self.app.store
        # The file name, or the server and database: short, and the same wherever it lives.
        where = store.path.name if store.path else store.url.split("@")[-1]
        title = Text(f"{t('screen.archive')} · {where}")
        if self.dimension != MAIN_DIMENSION:
            dim = classes.dimension(self.dimension)
            title.append(" · " + t("archive.by_dimension",
                                   name=name_of(dim)))
        if store.read_only:
            title.append("  " + t("archive.read_only"), style="bold")
        who = who_line()
        if who:
            title.append("  ·  " + who)
        self.query_one("#title", Static).update(title)

    def shown_class(self):
        """The class node the list shows, None for the whole dimension. The tree's cursor only
        when it is the list's class: after F2 the tree may still hold the old dimension's."""
        node, q = self.tree.selected, self.query_state
        if node is None or not q.prefix or node.code != q.prefix or self.tree.dimension != q.dimension:
            return None
        return node

    def status_line(self) -> None:
        q = self.query_state
        node = self.shown_class()
        parts = [t("archive.count", count=self.count)]
        if node is not None:
            parts.append(f"{node.code} {node.name}")
        elif self.listing.empty_reason == "list.empty.not_evaluated":
            parts.append(t("list.empty.not_evaluated_short"))  # not "all classes" of nothing
        else:
            parts.append(q.prefix or t("archive.all_classes"))
        if not q.filter.is_empty():
            parts.append(t("archive.filtered"))
        if q.show_stopped:
            parts.append(t("archive.with_stopped"))
        if not self.listing.selection.is_empty():
            parts.append(t("archive.marks", count=self.marked_count()))
        parts.append(t("archive.sorted_by", column=t(f"column.{q.sort}"))
                     + (" ↓" if q.descending else ""))
        # A line of fixed size: repainted without laying the screen out again.
        self.query_one("#status", Static).update(Text("  ·  ".join(parts)), layout=False)

    def apply(self, **changes) -> None:
        self.query_state = dataclasses.replace(self.query_state, **changes)
        self.listing.set_query(self.query_state)

    # -- list and tree events ----------------------------------------------------------

    @on(ClassTree.NodeHighlighted)
    def _class_chosen(self, event: ClassTree.NodeHighlighted) -> None:
        if not self.tree.settled:
            return
        code = event.node.data.code if event.node.data else ""
        if code != self.query_state.prefix:
            self.apply(prefix=code)
        self.status_line()  # the class named there follows the tree even when the list did not change

    @on(CustomerList.CountChanged)
    def _counted(self, event: CustomerList.CountChanged) -> None:
        self.count = event.count
        self.status_line()

    @on(CustomerList.MarksChanged)
    def _marked(self) -> None:
        # Marks made from a whole list carry no versions: a customer changed after this
        # moment is skipped by the batch modify (db.lists.batch), so take it at the first mark.
        if self.listing.selection.is_empty():
            self.marked_since = None
        elif self.marked_since is None:
            self.marked_since = history.watermark()
        self.status_line()

    @on(CustomerList.Selected)
    def _open(self, event: CustomerList.Selected) -> None:
        self.open_card(event.key)

    # -- actions -------------------------------------------------------------------------

    def open_card(self, code: str | None, **kwargs) -> None:
        from tui.screens.card import CardScreen

        try:
            card = CardScreen(code, **kwargs)
        except RuleError as exc:
            self.notify(error_text(exc), severity="error")
            self.listing.reload()
            return
        self.app.push_screen(card, self._card_closed)

    def _card_closed(self, saved: str | None) -> None:
        self.tree.reload()
        if saved:
            self.jump_to(saved, reread=True)
        else:
            self.listing.reload()

    def jump_to(self, code: str, *, reread: bool = False) -> None:
        """Select the customer's class in the tree and the customer in the list; `reread`
        after a write, so the list shows it as it is now."""
        from db.archive import customers

        row = customers.get(code)
        if row is None:
            return
        class_code = row.class_code if self.dimension == "main" else self.query_state.prefix
        # Everything that would hide the customer changes in one query: one recount, not three.
        changes = {}
        if customers.is_stopped(row) and not self.query_state.show_stopped:
            changes["show_stopped"] = True
        if not self.query_state.filter.is_empty():
            changes["filter"] = Filter()
        if class_code != self.query_state.prefix:
            changes["prefix"] = class_code
            self.tree.select_code(class_code)
        if changes:
            self.apply(**changes)
            self.listing.goto_code(code)
        elif reread:
            self.listing.reload(keep=code)
        else:
            self.listing.goto_code(code)
        self.listing.focus()

    def action_add(self) -> None:
        if self._read_only():
            return
        # Only a leaf of the main classification the user sees selected: another dimension's
        # class is not a 客户分类.
        node = self.shown_class() if self.dimension == MAIN_DIMENSION else None
        self.open_card(None, class_code=node.code if node and node.is_leaf else "")

    def action_edit(self) -> None:
        code = self.listing.current_code
        if code:
            self.open_card(code)

    def action_delete(self) -> None:
        code = self.listing.current_code
        if not code or self._read_only():
            return
        from db.archive import customers

        row = customers.get(code)
        if row is None:
            self.listing.reload()
            return
        try:  # refused before the question, not after the user said yes
            customers.check_delete(row)
        except RuleError as exc:
            self.notify(error_text(exc), severity="error")
            return

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                customers.delete(row.code, row.version)
            except RuleError as exc:
                self.notify(error_text(exc), severity="error")
                return
            self.notify(t("archive.deleted", code=row.code))
            self.tree.reload()
            self.listing.reload()

        from tui.screens.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(t("card.confirm_delete", code=row.code, name=row.name)), answer)

    def action_toggle_stop(self) -> None:
        code = self.listing.current_code
        if not code:
            return
        from db.archive import customers

        row = customers.get(code)
        try:
            if row.stop_date:
                customers.enable(row.code, row.version)
                self.notify(t("card.enabled", code=code))
            else:
                customers.stop(row.code, row.version)
                self.notify(t("card.stopped", code=code))
        except RuleError as exc:
            self.notify(error_text(exc), severity="error")
            return
        self.listing.reload()

    def action_tree_width(self, step: int) -> None:
        """Widen (1) or narrow (-1) the tree pane, remembered for the next start."""
        width = self._set_tree_width(self.tree.outer_size.width + step * TREE_STEP)
        problem = config.save_setting(TREE_WIDTH, width)
        if problem:
            self.notify(problem, severity="warning")

    def _set_tree_width(self, width: int) -> int:
        """The tree pane `width` cells wide (kept within bounds for the screen); returns it."""
        width = max(TREE_MIN, min(width, self.app.size.width - LIST_MIN))
        styles = self.tree.styles
        styles.width, styles.max_width, styles.min_width = width, None, None
        return width

    def action_toggle_stopped(self) -> None:
        self.apply(show_stopped=not self.query_state.show_stopped)

    def action_refresh(self) -> None:
        self.tree.reload()
        self.listing.reload()

    def action_import_file(self) -> None:
        from tui.screens.import_flow import start_import

        if not self._read_only():
            start_import(self)

    def action_export_file(self) -> None:
        from tui.screens.export_screen import ExportScreen

        self.app.push_screen(ExportScreen(self))

    def action_locate(self) -> None:
        self.query_one(KehuFooter).held = True
        self.query_one(LocateBox).open(include_stopped=self.query_state.show_stopped)

    def on_locate_box_chosen(self, event: LocateBox.Chosen) -> None:
        self.query_one(KehuFooter).held = False
        self.jump_to(event.hit.code)

    def on_locate_box_closed(self) -> None:
        self.query_one(KehuFooter).held = False
        self.listing.focus()

    def action_filter(self) -> None:
        from tui.screens.filter import FilterScreen

        def chosen(filters) -> None:
            if filters is not None:
                self.apply(filter=filters)

        self.app.push_screen(FilterScreen(self.query_state.filter), chosen)

    def action_columns(self) -> None:
        from tui.screens.columns import ColumnsScreen

        def chosen(columns: list[str] | None) -> None:
            if columns:
                self.columns = columns
                self.listing.set_columns(columns)
                problem = config.save_setting("columns", columns)
                if problem:
                    self.notify(problem, severity="warning")

        self.app.push_screen(ColumnsScreen(self.columns), chosen)

    def action_sort(self) -> None:
        from tui.screens.sort import SortScreen

        def chosen(choice: tuple[str, bool] | None) -> None:
            if choice is not None:
                self.apply(sort=choice[0], descending=choice[1])

        self.app.push_screen(SortScreen(self.query_state.sort, self.query_state.descending), chosen)

    def marked_count(self) -> int:
        """How many rows are marked, from the list's own count: "all of this list" minus
        the unmarked is a subtraction, not a COUNT over a million rows on every Space."""
        selection = self.listing.selection
        if selection.everything is None:
            return len(selection.added)
        if selection.everything == self.query_state:
            return self.count - len(selection.removed)
        return paging.selection_count(selection)

    def action_mark(self) -> None:
        self.listing.action_toggle_mark()

    def action_clip(self) -> None:
        """OSC 52: the marked rows, or the code under the cursor (tui.clipboard)."""
        from tui import clipboard  # with the card's fields: not paid for at the start

        text, severity = clipboard.copy_list(self.app, self.listing)
        self.notify(text, severity=severity)

    def action_open(self) -> None:
        self.listing.action_select()

    def action_mark_all(self) -> None:
        self.listing.mark_all()

    def action_batch(self) -> None:
        """批改 the marked customers, or the one under the cursor when none is marked."""
        if self._read_only():
            return
        from tui.screens.batch import BatchResultScreen, BatchScreen

        selection = self.listing.selection
        if selection.is_empty():
            code = self.listing.current_code
            if not code:
                return
            from db.archive import customers

            row = customers.get(code)
            target, since, count = [(row.code, row.version)], history.watermark(), 1
        else:
            target, since, count = selection, self.marked_since, self.marked_count()

        def done(run: int | None) -> None:
            if run is None:
                return
            self.listing.clear_marks()
            self.tree.reload()
            self.listing.reload()
            self.app.push_screen(BatchResultScreen(run))

        self.app.push_screen(BatchScreen(target, since, count), done)

    def action_merge(self) -> None:
        """并户: the marked customers into the one under the cursor."""
        if self._read_only():
            return
        from tui.screens.merge import MergeScreen

        target = self.listing.current_code
        selection = self.listing.selection
        # A merge names a handful of customers: never walk a whole marked list for it.
        marked = (c for codes in paging.selected_codes(selection, 50) for c in codes if c != target)
        sources = list(itertools.islice(marked, MAX_MERGE)) if not selection.is_empty() else []
        if not target or not sources:
            self.notify(t("archive.merge_needs", mark=key_of("archive.mark")), severity="warning")
            return
        try:
            screen = MergeScreen(target, sources)
        except RuleError as exc:
            self.notify(error_text(exc), severity="error")
            return

        def done(kept: str | None) -> None:
            if kept:
                self.listing.clear_marks()
                self.tree.reload()
                self.jump_to(kept, reread=True)

        self.app.push_screen(screen, done)

    def action_dimension(self) -> None:
        """Switch the tree and the list to another classification dimension."""
        from db.archive import dimensions
        from tui.screens.choice_picker import ChoicePicker

        dims = dimensions.all_dimensions()
        names = tuple(name_of(d) for d in dims)

        def chosen(name: str | None) -> None:
            if name is None:
                return
            self.switch_dimension(dims[names.index(name)].code)

        self.app.push_screen(ChoicePicker(t("archive.dimension"), names), chosen)

    def switch_dimension(self, code: str) -> None:
        if code == self.dimension:
            return
        self.dimension = code
        self.tree.dimension = code
        self.tree.reload(select="")
        self.apply(dimension=code, prefix="")
        self.title_line()
        self.status_line()

    def footer_hidden(self) -> frozenset[str]:
        return self.WRITES if self.app.store.read_only else frozenset()

    def _read_only(self) -> bool:
        if self.app.store.read_only:
            self.notify(t("store.read_only"), severity="warning")
            return True
        return False
