"""统计 Statistics: customers and 12-month sales per class of a dimension at a level, as
bars, and customers per management type below. Enter drills into a class, Backspace comes
back up; D cycles the dimensions, L the levels. Figures are computed in a thread worker (a
pass over every sale: seconds at 1,000,000 customers)."""
from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from db.archive import classes
from db.core import clock
from db.evaluation import stats
from db.archive.dimensions import all_dimensions
from db.values.money import format_money
from db.evaluation.stats import ClassStat, TypeStat
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import name_of, t
from tui.screens.base import KehuScreen
from tui.screens.rules_nav import NAV
from tui.widgets.bars import bar
from tui.widgets.cells import fit, pad
from tui.widgets.footer import KehuFooter

COUNT_STYLE = "cyan"
AMOUNT_STYLE = "green"


@dataclass(frozen=True)
class Layout:
    """Cells of each column of a line `width` wide."""

    name: int
    count_bar: int
    count: int
    amount_bar: int
    amount: int

    @classmethod
    def fit(cls, width: int, names: list[str], counts: list[str], amounts: list[str]) -> "Layout":
        name = min(max([cell_len(n) for n in names] + [8]), 30 if width >= 110 else 22)
        count = max([cell_len(c) for c in counts] + [cell_len(t("stats.customers"))])
        amount = max([cell_len(a) for a in amounts] + [cell_len(t("stats.amount_12"))])
        bars = max(width - name - count - amount - 5, 4)
        count_bar = bars * 2 // 5
        return cls(name, count_bar, count, bars - count_bar, amount)

    def header(self, first: str) -> Text:
        return Text(fit(first, self.name) + " "
                    + pad(t("stats.customers"), self.count_bar + 1 + self.count, "right") + "  "
                    + pad(t("stats.amount_12"), self.amount_bar + 1 + self.amount, "right"), style="bold")

    def line(self, name: str, customers: int, amount: int, most: int, richest: int) -> Text:
        text = Text(fit(name, self.name) + " ")
        text.append(bar(customers, most, self.count_bar), style=COUNT_STYLE)
        text.append(" " + pad(f"{customers:,}", self.count, "right") + "  ")
        text.append(bar(amount, richest, self.amount_bar), style=AMOUNT_STYLE)
        text.append(" " + pad(format_money(amount), self.amount, "right"))
        return text


def class_label(row: ClassStat) -> str:
    return f"{row.code} {row.name}" if row.code else t("stats.unclassified")


class StatisticsScreen(KehuScreen):
    SCREEN_NAME = "statistics"
    CSS_PATH = "statistics.tcss"
    ACTIONS = (
        Command("statistics.dimension", "d", "next_dimension", "rules_ui.cmd.dimension"),
        Command("statistics.level", "l", "next_level", "rules_ui.cmd.level"),
        Command("statistics.up", "backspace", "up", "rules_ui.cmd.up"),
        # In the status line's hint, not the footer: Esc must stay visible at 80 columns.
        Command("statistics.groups", "g", "toggle_groups", "stats.groups_toggle", show=False),
        Command("statistics.back", "escape", "back", "rules_ui.cmd.back"),
        *NAV,
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.as_of = clock.today()
        self.dimensions = all_dimensions()
        self.dim_index = 0
        self.level = 1
        self.parents: list[ClassStat] = []  # the classes drilled into, outermost first
        self.rows: list[ClassStat] = []
        self.types: list[TypeStat] | None = None  # the same for every dimension: read once
        self.groups = False  # sales rolled up to the head offices (总公司)
        self.asked = 0  # which request the shown figures answer

    @property
    def dim(self):
        return self.dimensions[self.dim_index]

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield Static("", id="header")
        yield OptionList(id="classes")
        yield Static("", id="types")
        yield Static("", id="status", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        self.query_one("#classes").focus()
        self.load()

    # -- reading -------------------------------------------------------------------------------

    def _shown_level(self) -> int:
        if self.parents:
            return (classes.scheme_of(self.dim).level_of(self.parents[-1].code) or 0) + 1
        return self.level

    def load(self, select: str = "") -> None:
        """Read the figures shown now in a worker; then draw them, the cursor on class
        `select` when given (the class just left when going up)."""
        self.asked += 1
        asked = self.asked
        dim_code, level, as_of = self.dim.code, self.level, self.as_of
        parent = self.parents[-1].code if self.parents else None
        types, groups = self.types, self.groups
        self._title()
        self.query_one("#status", Static).update(t("rules_ui.computing"))

        def work():
            rows = stats.by_class(dim_code, level, parent, as_of, groups)
            return rows, types if types is not None else stats.by_mgmt_type(as_of, groups)

        def done(result) -> None:
            if asked != self.asked:
                return
            self.rows, self.types = result
            self.query_one("#status", Static).update(
                t("rules_ui.stats_keys", up=key_of("statistics.up"), dimension=key_of("statistics.dimension"),
                  level=key_of("statistics.level")) + " · " + t("stats.groups_hint", toggle=key_of("statistics.groups")))
            self.draw(select)

        background.start(self, "statistics", work, done)

    def _title(self) -> None:
        title = t("rules_ui.stats_title", dimension=name_of(self.dim),
                  level=self._shown_level(), as_of=self.as_of.isoformat())
        if self.parents:
            title += " · " + " › ".join(class_label(p) for p in self.parents)
        if self.groups:
            title += " · " + t("stats.groups_on")
        self.query_one("#title", Static).update(Text(title))

    def action_toggle_groups(self) -> None:
        """Each group's sales at its head office, or each customer's own."""
        self.groups = not self.groups
        self.types = None  # read again, rolled up or not
        self.load()

    # -- drawing -------------------------------------------------------------------------------

    def draw(self, select: str = "") -> None:
        options = self.query_one("#classes", OptionList)
        width = max(options.scrollable_content_region.width - 2, 40)
        types = self.types or []
        names = [class_label(r) for r in self.rows] + [s.mgmt_type for s in types]
        counts = [f"{n:,}" for n in [r.customers for r in self.rows] + [s.customers for s in types]]
        amounts = [format_money(a) for a in [r.amount_12 for r in self.rows] + [s.amount_12 for s in types]]
        layout = Layout.fit(width, names, counts, amounts)
        self.query_one("#header", Static).update(layout.header(t("rules_ui.col.class")))
        most = max([r.customers for r in self.rows] + [0])
        richest = max([r.amount_12 for r in self.rows] + [0])
        keep = options.highlighted
        options.clear_options()
        options.add_options([
            Option(layout.line(class_label(r), r.customers, r.amount_12, most, richest), id=str(i))
            for i, r in enumerate(self.rows)])
        codes = [r.code for r in self.rows]
        if select in codes:
            options.highlighted = codes.index(select)
        elif self.rows:
            options.highlighted = keep if keep is not None and keep < len(self.rows) else 0
        lines = Text()
        lines.append_text(layout.header(t("stats.mgmt_type")))
        most = max([s.customers for s in types] + [0])
        richest = max([s.amount_12 for s in types] + [0])
        for s in types:
            lines.append("\n")
            lines.append_text(layout.line(s.mgmt_type, s.customers, s.amount_12, most, richest))
        self.query_one("#types", Static).update(lines)

    def on_resize(self) -> None:
        if self.rows:
            self.call_after_refresh(self.draw)

    # -- actions -------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#classes")
    def _drill(self, event: OptionList.OptionSelected) -> None:
        row = self.rows[int(event.option.id)]
        if not row.code:
            return
        if row.is_leaf:
            self.query_one("#status", Static).update(t("rules_ui.leaf", code=row.code))
            return
        self.parents.append(row)
        self._reset_cursor()
        self.load()

    def _reset_cursor(self) -> None:
        self.query_one("#classes", OptionList).highlighted = None

    def action_up(self) -> None:
        if self.parents:
            self._reset_cursor()
            self.load(select=self.parents.pop().code)

    def action_next_dimension(self) -> None:
        self.dim_index = (self.dim_index + 1) % len(self.dimensions)
        self.level = 1
        self.parents = []
        self._reset_cursor()
        self.load()

    def action_next_level(self) -> None:
        levels = classes.scheme_of(self.dim).levels
        self.level = self.level % levels + 1
        self.parents = []
        self._reset_cursor()
        self.load()

    def action_back(self) -> None:
        if self.parents:
            self.action_up()
        else:
            self.app.action_go("archive")
