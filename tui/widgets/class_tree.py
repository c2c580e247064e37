"""The class tree (分类树): lazily loaded, `code name (customers)` per node.

Used by the classification screen and the archive screen. Children are read when a node is
first expanded: their names at once, their customer counts on the background thread
(tui.background), as counting scans an index, which at 1,000,000 customers takes longer
than a frame.
"""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from db import StoreError
from db.archive import classes
from db.archive.classes import ClassNode
from tui import background
from tui.i18n import error_text, name_of


def node_label(node: ClassNode) -> Text:
    label = Text()
    label.append(node.code, style="bold")
    label.append(" ")
    label.append(node.name)  # appended as plain text: a name is never markup
    if node.customers >= 0:
        label.append(f" ({node.customers})", style="dim")
    return label


class ClassTree(Tree[ClassNode | None]):
    """Root = the whole dimension (data None); every other node's data is its ClassNode."""

    DEFAULT_CSS = """
    ClassTree { width: 1fr; overflow-x: hidden; }
    """
    # Right opens a class, Left closes it (or goes up to its parent), Enter toggles.
    BINDINGS = [
        Binding("right", "open_node", show=False),
        Binding("left", "close_node", show=False),
    ]

    class Loaded(Message):
        """Newly fetched classes are on screen (and `target` selected when it was asked for)."""

        def __init__(self, target: str) -> None:
            super().__init__()
            self.target = target

    class Counted(Message):
        """Customer counts arrived for the shown nodes."""

    def __init__(self, dimension: str = "main", **kwargs) -> None:
        super().__init__("", data=None, **kwargs)
        self.dimension = dimension
        self.auto_expand = True
        self.guide_depth = 2
        self._loaded: set[str | None] = set()
        self._shown = dimension  # the dimension the nodes on screen belong to
        self.settled = False

    def on_mount(self) -> None:
        self.reload()

    def render_label(self, node: TreeNode, base_style, style) -> Text:
        """The label cut to the room its line leaves, ending in "…" when cut (by cells: a
        Chinese character takes two), not cut bare at the pane's edge."""
        label = super().render_label(node, base_style, style)
        depth, up = 0, node.parent
        while up is not None:
            depth, up = depth + 1, up.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        if 0 < room < label.cell_len:
            label.truncate(room, overflow="ellipsis")
        return label

    # -- loading -----------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Forget everything and load the root again, keeping (or moving to) a selection and
        keeping open the classes that were open."""
        target = select if select is not None else self.selected_code
        # Open classes stay open, unless the tree now shows another dimension.
        expanded = self._expanded_codes() if self._shown == self.dimension else []
        self._shown = self.dimension
        # Until the reloaded nodes settle, the cursor passes over other nodes: listeners
        # (the archive list) should not follow it there.
        self.settled = False
        self._loaded.clear()
        self.clear()
        self._set_root_label()
        self._load(expanded, target)

    def _expanded_codes(self) -> list[str]:
        """The codes of the open classes, parents before their children."""
        codes, nodes = [], list(self.root.children)
        while nodes:
            node = nodes.pop(0)
            if node.is_expanded and node.data is not None:
                codes.append(node.data.code)
                nodes.extend(node.children)
        return codes

    def _set_root_label(self, total: int | None = None) -> None:
        dim = classes.dimension(self.dimension)
        label = Text(name_of(dim), style="bold")
        if total is not None:
            label.append(f" ({total})", style="dim")
        self.root.set_label(label)

    def _load(self, parents: list[str | None], target: str) -> None:
        """Show the children of `parents`, of the root and of every ancestor of `target`
        that is not loaded yet (and select `target`). Names are read here, in the UI
        thread: a few indexed reads, quicker than handing them to a thread and back. The
        counts follow from a worker."""
        dim = classes.dimension(self.dimension)
        scheme = classes.scheme_of(dim)
        level = scheme.level_of(target) if target else None
        wanted = [None, *parents] + [target[: scheme.length(lv)] for lv in range(1, level or 1)]
        parents = [p for p in dict.fromkeys(wanted) if p not in self._loaded]
        self._apply({p: classes.children(self.dimension, p, counts=False) for p in parents}, target)

    @work(group="class-tree-counts", exit_on_error=False)
    async def _count(self, bare: dict[str | None, list[ClassNode]]) -> None:
        try:
            counts, total = await background.run(self._read_counts, bare)
        except StoreError as exc:
            self.notify(error_text(exc), severity="error")
            return
        self._recount(bare, counts, total)

    def _read_counts(self, bare: dict[str | None, list[ClassNode]]) -> tuple[dict[str, int], int | None]:
        counts: dict[str, int] = {}
        for p in bare:
            counts.update(classes.child_counts(self.dimension, p))
        total = classes.customers_under(classes.dimension(self.dimension), "") if None in bare else None
        return counts, total

    def _apply(self, fetched: dict[str | None, list[ClassNode]], target: str) -> None:
        for parent in sorted(fetched, key=lambda p: len(p or "")):
            node = self.root if parent is None else self.find(parent)
            if node is None or parent in self._loaded:
                continue
            node.remove_children()
            for child in fetched[parent]:
                node.add(node_label(child), data=child, allow_expand=not child.is_leaf)
            self._loaded.add(parent)
            node.expand()
        # Line numbers exist only after the tree has laid out its new nodes. The counts
        # wait for that frame too: their scan of the customers would compete with it for
        # the CPU.
        self.call_after_refresh(self._settle, target)
        self.call_after_refresh(self._count, fetched)

    def _recount(self, fetched: dict[str | None, list[ClassNode]], counts: dict[str, int],
                 total: int | None) -> None:
        """Put the customer counts on nodes that are already shown."""
        if total is not None:
            self._set_root_label(total)
        for nodes in fetched.values():
            for bare in nodes:
                node = self.find(bare.code)
                if node is not None:
                    # The node's own data, not the read's: a reload since may have renamed it.
                    node.data = node.data._replace(customers=counts.get(bare.code, 0))
                    node.set_label(node_label(node.data))
        self.post_message(self.Counted())

    def _settle(self, target: str) -> None:
        self.settled = True
        found = self.find(target) if target else None
        if found is not None:
            self.move_cursor(found)
            self.scroll_to_node(found, animate=False)
        elif self.cursor_node is None:
            self.move_cursor(self.root)
        self.post_message(self.Loaded(target))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded) -> None:
        data = event.node.data
        if data is not None and data.code not in self._loaded:
            self._load([data.code], "")

    def action_open_node(self) -> None:
        node = self.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()

    def action_close_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node is not self.root:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)

    # -- finding -----------------------------------------------------------------------

    def find(self, code: str) -> TreeNode | None:
        """The loaded node of class `code`, walking down by prefix."""
        node = self.root
        while True:
            for child in node.children:
                if child.data and code.startswith(child.data.code):
                    if child.data.code == code:
                        return child
                    node = child
                    break
            else:
                return None

    def select_code(self, code: str) -> None:
        """Move the cursor to class `code`, loading its ancestors first when needed."""
        if self.find(code) is not None:
            self._settle(code)
        else:
            self._load([], code)

    @property
    def selected(self) -> ClassNode | None:
        node = self.cursor_node
        return node.data if node is not None else None

    @property
    def selected_code(self) -> str:
        """The code under the cursor, "" for the root (the whole dimension)."""
        data = self.selected
        return data.code if data is not None else ""
