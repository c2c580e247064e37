"""The 查重 triage queue: one line per pair of likely duplicates (score, both codes and
names, the reasons), on the shared list base (tui.widgets.virtual_list). The report has
already been made, so the pairs are held here; the list draws only the visible lines."""
from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from db.archive.duplicate_report import Member
from tui.i18n import t
from tui.widgets.cells import fit, visible_text
from tui.widgets.duplicate_panel import reasons_text
from tui.widgets.virtual_list import VirtualList


@dataclass(frozen=True)
class Pair:
    score: int
    reasons: tuple[str, ...]
    first: Member
    second: Member

    @property
    def key(self) -> str:
        return f"{self.first.code}|{self.second.code}"


class PairList(VirtualList):
    DEFAULT_CSS = """
    PairList {
        height: 1fr;
        background: $surface;
        color: $foreground;
        & > .pair-list--header { text-style: bold; background: $panel; }
        & > .pair-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .pair-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .pair-list--marked { color: $accent; }
    }
    """
    COMPONENT_PREFIX = "pair-list"
    COMPONENT_CLASSES = {"pair-list--header", "pair-list--cursor", "pair-list--marked"}

    class Highlighted(VirtualList.ListMessage):
        """The cursor is on `row` (a Pair; None when the queue is empty)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pairs: list[Pair] = []
        self.note = ""  # what the empty list says

    def show(self, pairs: list[Pair]) -> None:
        self.pairs = pairs
        self.virtual_size = self.virtual_size.with_height(len(pairs) + 1)
        self.move_cursor(min(self.cursor, max(len(pairs) - 1, 0)))
        self.refresh()

    def drop(self, keep) -> None:
        """Leave out the pairs for which `keep(pair)` is false (merged away, marked)."""
        self.show([p for p in self.pairs if keep(p)])

    @property
    def count(self) -> int:
        return len(self.pairs)

    def row_at(self, index: int, load: bool = True) -> Pair | None:
        return self.pairs[index] if 0 <= index < len(self.pairs) else None

    def row_key(self, row: Pair) -> str:
        return row.key

    def _widths(self) -> tuple[int, int, int]:
        width = self.scrollable_content_region.width
        name = max((width - 6 - 2 * 10 - 6) * 2 // 5, 8)
        return 10, name, max(width - 6 - 2 * (10 + name) - 5, 4)

    def render_header(self, style: Style) -> Strip:
        code, name, why = self._widths()
        cells = [fit(t("dup.score"), 6), fit(t("customer.field.code"), code), fit(t("customer.field.name"), name),
                 fit(t("customer.field.code"), code), fit(t("customer.field.name"), name),
                 fit(t("dup.reasons"), why)]
        return Strip([Segment(" ".join(cells), style)])

    def render_row(self, index: int, row: Pair | None, base: Style) -> tuple[Strip, Style]:
        style = self.row_style(index, base, False)
        if row is None:
            return Strip([Segment("", style)]), style
        code, name, why = self._widths()
        cells = [fit(str(row.score), 6), fit(visible_text(row.first.code), code),
                 fit(visible_text(row.first.name), name), fit(visible_text(row.second.code), code),
                 fit(visible_text(row.second.name), name), fit(reasons_text(row.reasons), why)]
        return Strip([Segment(" ".join(cells), style)]), style

    def empty_text(self) -> str:
        return self.note
