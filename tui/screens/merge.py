"""并户 Merge customers: the target (the row under the cursor) keeps its code; for every
field where the marked sources differ, ←/→ picks whose value to keep; F6 merges after a
confirmation: sales, classes and history move to the target, the sources disappear."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from db import RuleError
from db.archive import customers, merge
from tui.commands import Command, bindings, key_of, pair_of
from tui.i18n import error_text, t
from tui.screens.base import KehuModal
from tui.screens.confirm import ConfirmScreen


class MergeScreen(KehuModal[str | None]):
    CSS_PATH = "batch.tcss"
    ACTIONS = (
        Command("merge.left", "left", "choose(-1)", "merge.pick", show=False, priority=True),
        Command("merge.right", "right", "choose(1)", "merge.pick", show=False, priority=True),
        Command("merge.apply", "f6,ctrl+s", "apply", "archive.merge", priority=True),
        Command("merge.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, target: str, sources: list[str]) -> None:
        super().__init__()
        self.target = target
        self.sources = sources
        self.codes = [target, *sources]
        self.versions = {c: customers.get(c).version for c in self.codes}
        self.differences = merge.differences(target, sources)
        self.picked = {d.field: 0 for d in self.differences}  # index into codes

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-box") as box:
            box.border_title = t("merge.title")
            box.border_subtitle = t("merge_ui.keys", pick=pair_of("merge.left", "merge.right"),
                                    apply=key_of("merge.apply"), cancel=key_of("merge.cancel"))
            head = Text()
            head.append(f"{t('merge.target')}: ", style="bold")
            head.append(f"{self.target} {customers.get(self.target).short_name}\n")
            head.append(f"{t('merge.sources')}: ", style="bold")
            head.append(", ".join(f"{c} {customers.get(c).short_name}" for c in self.sources))
            yield Static(head, id="batch-summary")
            yield OptionList(*[Option(self._line(i)) for i in range(len(self.differences))],
                             id="batch-rows")
            yield Static("" if self.differences else t("merge.no_differences"), id="batch-message",
                         markup=False)

    def on_mount(self) -> None:
        rows = self.query_one(OptionList)
        if self.differences:
            rows.highlighted = 0
        rows.focus()

    def _line(self, index: int) -> Text:
        diff = self.differences[index]
        values = [diff.target, *diff.sources]
        line = Text(no_wrap=True)
        line.append(f"{t('customer.field.' + diff.field)}: ", style="bold")
        for i, (code, value) in enumerate(zip(self.codes, values)):
            chosen = i == self.picked[diff.field]
            line.append(f"[{value or '—'}]" if chosen else f" {value or '—'} ",
                        style="reverse" if chosen else "dim")
            line.append(" ")
        return line

    def action_choose(self, step: int) -> None:
        rows = self.query_one(OptionList)
        index = rows.highlighted
        if index is None:
            return
        field = self.differences[index].field
        self.picked[field] = (self.picked[field] + step) % len(self.codes)
        rows.replace_option_prompt_at_index(index, self._line(index))

    def action_apply(self) -> None:
        choices = {f: self.codes[i] for f, i in self.picked.items() if i}
        question = t("merge.confirm", sources=", ".join(self.sources), target=self.target)

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                merge.merge(self.target, self.sources, choices, self.versions)
            except RuleError as exc:
                self.query_one("#batch-message", Static).update(error_text(exc))
                return
            self.notify(t("merge.done", count=len(self.sources), target=self.target))
            self.dismiss(self.target)

        self.app.push_screen(ConfirmScreen(question), answer)

    def action_cancel(self) -> None:
        self.dismiss(None)
