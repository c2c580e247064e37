"""评估结果 Review before apply: the counts per change at the top (Enter on one shows only
it), the proposed changes below with the figures that decided, paged from the store. Space
marks a customer; F6 applies the marked ones, F8 all, each after a question, in one
transaction. Nothing changes before that."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from db.evaluation import rules
from db.evaluation.rules import Change, Evaluation
from db.lists.paging import selection_count
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, t
from tui.screens.base import KehuScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.rules_nav import NAV
from tui.widgets.cells import fit
from tui.widgets.footer import KehuFooter
from tui.widgets.proposal_list import PAGE, ProposalList, change_text, reason_text, target_name

MARK_PAGE = 1000  # proposals read per query when marking every row of a change


class ReviewScreen(KehuScreen):
    SCREEN_NAME = "review"
    CSS_PATH = "review.tcss"
    ACTIONS = (
        Command("review.mark", "space", "mark", "rules_ui.cmd.mark"),
        Command("review.mark_all", "ctrl+a", "mark_all", "rules_ui.cmd.mark_all"),
        Command("review.apply_marked", "f6", "apply(True)", "rules_ui.cmd.apply_marked"),
        Command("review.apply_all", "f8", "apply(False)", "rules_ui.cmd.apply_all"),
        Command("review.back", "escape", "back", "rules_ui.cmd.back"),
        *NAV,
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, run_id: int, evaluation: Evaluation | None = None) -> None:
        """The review of run `run_id`; `evaluation` is its summary when the caller has it
        (counting a run's proposals per change takes seconds at 1,000,000 customers)."""
        super().__init__()
        self.run_id = run_id
        self.evaluation = evaluation
        self.change: Change | None = None  # the change shown, None for all
        self.busy = False
        self.note = ""  # the last apply's result, kept on the status line until the next step
        self.asked = 0  # which list request the shown rows answer

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield OptionList(id="changes")
        yield ProposalList(id="proposals")
        yield Static("", id="detail", markup=False)
        yield Static("", id="status", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        self.listing.focus()
        if self.evaluation is not None:
            self._show_summary(self.evaluation)
            self._list()
            return
        self.busy = True
        self._status(t("rules_ui.reading"))

        def done(result: Evaluation) -> None:
            self.busy = False
            self._show_summary(result)
            self._list()

        background.start(self, "review-summary", lambda: rules.summary(self.run_id), done, self._failed)

    @property
    def listing(self) -> ProposalList:
        return self.query_one(ProposalList)

    # -- the summary -------------------------------------------------------------------------

    def _show_summary(self, result: Evaluation) -> None:
        self.evaluation = result
        title = t("rules_ui.review_title", as_of=result.as_of.isoformat(),
                  customers=f"{result.customers:,}", proposals=f"{result.proposals:,}")
        pending = sum(c.pending for c in result.changes)
        if pending != result.proposals:  # some applied: what is left, not only what was proposed
            title += " · " + t("rules_ui.pending", count=f"{pending:,}")
        self.query_one("#title", Static).update(Text(title))
        options = self.query_one("#changes", OptionList)
        keep = options.highlighted
        options.clear_options()
        options.add_options([Option(self._change_line(None), id="all")] + [
            Option(self._change_line(c), id=str(i)) for i, c in enumerate(result.changes)])
        options.highlighted = keep if keep is not None and keep < options.option_count else 0

    def _change_line(self, change: Change | None) -> Text:
        names = self._names
        if change is None:
            label = t("rules_ui.all_changes")
            count, pending = self.evaluation.proposals, sum(c.pending for c in self.evaluation.changes)
        else:
            width = max(cell_len(target_name(x)) for x in rules.TARGETS)
            label = (fit(target_name(change.target), width) + " "
                     + (names.get((change.target, change.from_code), change.from_code) or t("rules.none"))
                     + " → " + names.get((change.target, change.to_code), change.to_code))
            count, pending = change.count, change.pending
        text = Text(fit(label, 44) + f"{count:>10,}")
        if pending != count:
            text.append("  " + t("rules_ui.pending", count=f"{pending:,}"), style="dim")
        return text

    @property
    def _names(self) -> dict:
        if not hasattr(self, "_class_names"):
            self._class_names = rules.class_names()
        return self._class_names

    @on(OptionList.OptionSelected, "#changes")
    def _pick(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        self.change = None if option_id == "all" else self.evaluation.changes[int(option_id)]
        self.note = ""
        self._list()
        self.listing.focus()

    # -- the list ----------------------------------------------------------------------------

    def _fetch_for(self, change: Change | None):
        run_id = self.run_id
        if change is None:
            return lambda after, limit, before=None: rules.proposals(run_id, after=after, limit=limit,
                                                                     before=before)
        return lambda after, limit, before=None: rules.proposals(
            run_id, after=after, limit=limit, before=before, target=change.target,
            from_code=change.from_code, to_code=change.to_code)

    def _list(self) -> None:
        """Show the chosen change from its first page, read in a worker."""
        self.asked += 1
        asked = self.asked
        fetch = self._fetch_for(self.change)

        def done(rows) -> None:
            if asked == self.asked:
                self.listing.show(fetch, rows, self._total())
                self._status()

        self._status(t("rules_ui.reading"))
        background.start(self, "review-page", lambda: fetch(("", ""), PAGE + 1), done)

    def _total(self) -> int:
        if self.evaluation is None:
            return 0
        return self.change.count if self.change is not None else self.evaluation.proposals

    def _status(self, note: str = "") -> None:
        listing = self.listing
        # A note (marking…, an apply's result) comes first: at 80 columns the end is cut.
        parts = [note or self.note] if note or self.note else []
        if listing.rows:
            first = listing.first_index + 1
            parts.append(t("rules_ui.page", first=f"{first:,}",
                           last=f"{first + len(listing.rows) - 1:,}", total=f"{self._total():,}"))
        else:
            parts.append(t("rules_ui.page_empty"))
        if self.change is not None:
            parts.append(t("rules_ui.filtered", change=self._change_label(self.change)))
        parts.append(t("rules_ui.marked", count=f"{selection_count(listing.selection):,}"))
        self.query_one("#status", Static).update("  ·  ".join(parts))

    def _change_label(self, change: Change) -> str:
        names = self._names
        return (f"{target_name(change.target)} "
                f"{names.get((change.target, change.from_code), change.from_code) or t('rules.none')}"
                f" → {names.get((change.target, change.to_code), change.to_code)}")

    @on(ProposalList.Highlighted)
    def _highlighted(self, event: ProposalList.Highlighted) -> None:
        row = event.row
        detail = "" if row is None else (
            f"{row.customer_code} {row.customer_name} · {target_name(row.target)}: "
            f"{change_text(row)} · {reason_text(row)}")
        self.query_one("#detail", Static).update(detail)
        self._status()

    # -- marking and applying ------------------------------------------------------------------

    def action_mark(self) -> None:
        self.note = ""
        self.listing.action_toggle_mark()
        self._status()

    def action_mark_all(self) -> None:
        """Mark every customer of the change shown (all changes when none is chosen); with
        marks already set, clear them."""
        listing = self.listing
        if not listing.selection.is_empty():
            listing.clear_marks()
            self._status()
            return
        if self.busy:
            return
        fetch = self._fetch_for(self.change)

        def codes() -> set[str]:
            found: set[str] = set()
            after = ("", "")
            while True:
                rows = fetch(after, MARK_PAGE)
                found.update(r.customer_code for r in rows if not r.status)
                if len(rows) < MARK_PAGE:
                    return found
                after = (rows[-1].customer_code, rows[-1].target)

        def marked(found: set[str]) -> None:
            self.busy = False
            listing.add_marks(found)
            self._status()

        self.busy = True
        self._status(t("rules_ui.marking"))
        background.start(self, "review-mark", codes, marked, self._failed)

    def action_apply(self, marked_only: bool) -> None:
        if self.busy or self.evaluation is None:
            return
        if marked_only:
            codes = sorted(self.listing.selection.added)
            if not codes:
                self._status(t("rules_ui.mark_first", mark=key_of("review.mark"),
                                   apply_all=key_of("review.apply_all")))
                return
            question = t("rules_ui.confirm_marked", count=f"{len(codes):,}")
        else:
            codes = None
            pending = sum(c.pending for c in self.evaluation.changes)
            question = t("rules_ui.confirm_all", count=f"{pending:,}")

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            self.busy = True
            self._status(t("rules_ui.applying"))
            def work():
                return rules.apply(self.run_id, codes), rules.summary(self.run_id)

            background.start(self, "review-apply", work, self._applied, self._failed)

        self.app.push_screen(ConfirmScreen(question), answer)

    def _applied(self, result: tuple[rules.Applied, Evaluation]) -> None:
        done, summary = result
        self.busy = False
        self.listing.clear_marks()
        message = t("rules.cli.applied", applied=f"{done.applied:,}", customers=f"{done.customers:,}",
                    stale=f"{done.stale:,}")
        self.note = message
        self._show_summary(summary)
        self.listing.reload()
        self._status()

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.show_error(exc)
        self._status(error_text(exc))

    def action_back(self) -> None:
        if not self.busy:
            self.app.action_go("archive")
