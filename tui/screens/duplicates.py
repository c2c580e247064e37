"""查重 triage: the archive's likely duplicates (db.archive.duplicate_report) as a keyboard
queue of pairs, best first. Under the queue the two cards side by side, the fields where they
differ marked. M merges the pair through 并户 (tui.screens.merge: the field-by-field choice
as ever, the first customer kept); N records "not a duplicate" (db.archive.duplicate_marks:
never proposed again), U takes the last N back; S skips to the next pair."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from db import RuleError
from db.archive import customers, duplicate_marks, duplicate_report
from db.values.fields import BY_KEY
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, t
from tui.screens.base import KehuScreen
from tui.screens.rules_nav import NAV
from tui.widgets.footer import KehuFooter
from tui.widgets.pair_list import Pair, PairList

# The card fields shown side by side, those a duplicate is judged by first.
SHOWN = ("name", "short_name", "tax_id", "phone", "mobile", "address", "contact", "region",
         "class_code", "salesperson", "stop_date")


def pairs_of(report: duplicate_report.Report) -> list[Pair]:
    """Each group as pairs of its first member with each other one, in the report's order."""
    return [Pair(g.score, tuple(g.reasons), g.members[0], other)
            for g in report.groups for other in g.members[1:]]


class DuplicatesScreen(KehuScreen):
    SCREEN_NAME = "duplicates"
    DEFAULT_CSS = """
    DuplicatesScreen {
        #title { height: 1; background: $primary; padding: 0 1; }
        #pairs { height: 1fr; min-height: 4; }
        #sides { height: auto; max-height: 13; padding: 0 1; border-top: solid $panel; }
        #status { height: 1; padding: 0 1; color: $warning; }
    }
    """
    ACTIONS = (
        Command("duplicates.merge", "m", "merge", "dup.cmd.merge"),
        Command("duplicates.not", "n", "not_duplicate", "dup.cmd.not"),
        Command("duplicates.undo", "u", "undo", "dup.cmd.undo"),
        Command("duplicates.skip", "s", "skip", "dup.cmd.skip"),
        Command("duplicates.back", "escape", "back", "rules_ui.cmd.back"),
        *NAV,
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self) -> None:
        super().__init__()
        self.undo: list[tuple[int, Pair]] = []  # the pairs marked, with where they stood
        self.sides_for: Pair | None = None  # the pair whose cards are shown

    def compose(self) -> ComposeResult:
        yield Static(t("dup.title"), id="title")
        yield PairList(id="pairs")
        yield Static("", id="sides")
        yield Static("", id="status", markup=False)
        yield KehuFooter()

    @property
    def queue(self) -> PairList:
        return self.query_one(PairList)

    def on_mount(self) -> None:
        self.queue.focus()
        self.say(t("dup.reading"))
        background.start(self, "duplicates", duplicate_report.report, self._shown)

    def _shown(self, report: duplicate_report.Report) -> None:
        pairs = pairs_of(report)
        self.queue.note = t("dup.queue_empty")
        self.queue.show(pairs)
        self.say(t("dup.queue_count", count=len(pairs), customers=report.customers,
                   merge=key_of("duplicates.merge"), no=key_of("duplicates.not"),
                   skip=key_of("duplicates.skip")))
        self._sides(self.queue.current_row)

    def say(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def on_pair_list_highlighted(self, event: PairList.Highlighted) -> None:
        self._sides(event.row)

    def _sides(self, pair: Pair | None) -> None:
        """The two cards of `pair` side by side, a differing field marked ≠."""
        sides = self.query_one("#sides", Static)
        self.sides_for = pair
        rows = [customers.get(pair.first.code), customers.get(pair.second.code)] if pair else []
        if not rows or None in rows:
            sides.update("")
            return
        forms = [customers.as_form(row) for row in rows]
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=2)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, no_wrap=True)
        table.add_column(ratio=1, no_wrap=True)
        table.add_row("", Text(t("customer.field.code"), style="bold"), Text(rows[0].code, style="bold"),
                      Text(rows[1].code, style="bold"))
        for key in SHOWN:
            first, second = forms[0][key], forms[1][key]
            differ = first != second
            table.add_row(Text("≠" if differ else "", style="bold yellow"), t(BY_KEY[key].label),
                          Text(first, style="bold" if differ else ""),
                          Text(second, style="bold" if differ else ""))
        sides.update(table)

    def action_skip(self) -> None:
        self.queue.move_by(1)

    def action_merge(self) -> None:
        pair = self.queue.current_row
        if pair is None:
            return
        from tui.screens.merge import MergeScreen

        gone = pair.second.code

        def merged(target: str | None) -> None:
            if target:
                self.queue.drop(lambda p: gone not in (p.first.code, p.second.code))
                self._sides(self.queue.current_row)
                self.say(t("dup.merged", source=gone, target=target))

        try:
            self.app.push_screen(MergeScreen(pair.first.code, [gone]), merged)
        except (RuleError, AttributeError):  # one of the two is gone since the report
            self.queue.drop(lambda p: p is not pair)
            self.say(t("dup.gone"))

    def action_not_duplicate(self) -> None:
        pair = self.queue.current_row
        if pair is None:
            return
        try:
            duplicate_marks.mark(pair.first.code, pair.second.code)
        except RuleError as exc:
            self.say(error_text(exc))
            return
        self.undo.append((self.queue.cursor, pair))
        self.queue.drop(lambda p: p is not pair)
        self._sides(self.queue.current_row)
        self.say(t("dup.marked", first=pair.first.code, second=pair.second.code,
                   undo=key_of("duplicates.undo")))

    def action_undo(self) -> None:
        if not self.undo:
            return
        index, pair = self.undo.pop()
        duplicate_marks.unmark(pair.first.code, pair.second.code)
        pairs = list(self.queue.pairs)
        pairs.insert(min(index, len(pairs)), pair)
        self.queue.show(pairs)
        self.queue.move_cursor(index)
        self.say(t("dup.unmarked", first=pair.first.code, second=pair.second.code))

    def action_back(self) -> None:
        self.app.action_go("archive")
