"""批改 Batch modify (F8): one field, one value, on every marked customer (or everything the
list shows), in one transaction; then the result list per row (changed, or skipped and why).
"""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from db import RuleError
from db.lists import batch
from tui import background
from tui.commands import Command, bindings, key_of
from tui.i18n import CATALOG, error_text, t
from tui.screens.base import KehuModal
from tui.screens.confirm import ConfirmScreen
from tui.widgets.fields import Field


def field_label(key: str) -> str:
    return t(f"customer.field.{key}")


class BatchScreen(KehuModal[int | None]):
    """Choose the field and the value; returns the run id once applied (None: cancelled)."""

    CSS_PATH = "batch.tcss"
    ACTIONS = (
        Command("batch.apply", "f6,ctrl+s", "apply", "cmd.save", priority=True),
        Command("batch.pick", "f2", "pick", "card.pick"),
        Command("batch.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, target, since: int, count: int) -> None:
        super().__init__()
        self.target = target
        self.since = since
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-box") as box:
            box.border_title = t("batch.title")
            box.border_subtitle = t("batch_ui.keys", pick=key_of("batch.pick"), apply=key_of("batch.apply"),
                                     cancel=key_of("batch.cancel"))
            yield Static(t("batch_ui.marked", count=self.count), id="batch-count")
            yield Label(t("batch.choose_field"))
            yield OptionList(*[Option(field_label(f), id=f) for f in batch.FIELDS], id="batch-fields")
            yield Label(t("batch.choose_value"))
            yield Field("", id="batch-value", max_length=60)
            yield ProgressBar(id="batch-progress", show_eta=False)
            yield Static("", id="batch-message", markup=False)

    def on_mount(self) -> None:
        fields = self.query_one("#batch-fields", OptionList)
        fields.highlighted = 0
        fields.focus()
        self.query_one(ProgressBar).display = False

    @property
    def field(self) -> str:
        index = self.query_one("#batch-fields", OptionList).highlighted or 0
        return batch.FIELDS[index]

    @on(OptionList.OptionSelected, "#batch-fields")
    def _field_chosen(self) -> None:
        self.query_one("#batch-value").focus()

    def say(self, message: str) -> None:
        self.query_one("#batch-message", Static).update(message)

    def action_pick(self) -> None:
        value = self.query_one("#batch-value", Field)
        if self.field == "class_code":
            from tui.screens.class_picker import ClassPicker

            self.app.push_screen(ClassPicker(value.value), lambda code: code and setattr(value, "value", code))
        elif self.field == "mgmt_type":
            from db.values.fields import MGMT_TYPES
            from tui.screens.choice_picker import ChoicePicker

            self.app.push_screen(ChoicePicker(field_label("mgmt_type"), MGMT_TYPES),
                                 lambda v: v and setattr(value, "value", v))
        elif self.field == "head_office":
            from tui.screens.customer_picker import CustomerPicker

            self.app.push_screen(CustomerPicker("head.pick_title"), lambda code: code and setattr(value, "value", code))

    def action_apply(self) -> None:
        field, raw = self.field, self.query_one("#batch-value", Field).value
        try:
            preview = batch.preview(field, raw, self.target)
        except RuleError as exc:
            self.say(error_text(exc))
            self.query_one("#batch-value").focus()
            return
        question = t("batch.confirm", count=preview.total, field=field_label(field),
                     value=preview.text or "—")

        def answer(yes: bool | None) -> None:
            if yes:
                self.query_one(ProgressBar).display = True
                self._run(field, raw)

        self.app.push_screen(ConfirmScreen(question), answer)

    def _run(self, field: str, raw: str) -> None:
        bar = self.query_one(ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        background.start(self, "batch",
                         lambda: batch.apply(field, raw, self.target, since=self.since, progress=progress),
                         lambda result: self.dismiss(result.run), self._failed)

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, RuleError):
            self.say(error_text(exc))
        else:
            self.show_error(exc)

    def action_cancel(self) -> None:
        self.dismiss(None)


class BatchResultScreen(KehuModal[None]):
    """The result list of one batch run: counts, then each row, paged from the store."""

    CSS_PATH = "batch.tcss"
    ACTIONS = (
        Command("batch_result.more", "ctrl+pagedown,f4", "more", "batch_ui.more"),
        Command("batch_result.skipped", "f3", "only_skipped", "batch_ui.only_skipped"),
        Command("batch_result.close", "escape,enter", "close", "cmd.close"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, run: int) -> None:
        super().__init__()
        self.run = run
        self.outcome: str | None = None
        self.last_id: int | None = None

    def compose(self) -> ComposeResult:
        result = batch.result(self.run)
        skipped = sum(result.skipped.values())
        with Vertical(id="batch-box") as box:
            box.border_title = t("batch_ui.result_title")
            box.border_subtitle = t("batch_ui.result_keys", more=key_of("batch_result.more", 1),
                                     skipped=key_of("batch_result.skipped"), close=key_of("batch_result.close"))
            summary = Text(t("batch.summary", total=result.total, changed=result.changed, skipped=skipped))
            for reason, n in sorted(result.skipped.items()):
                summary.append(f"\n  {reason_text(reason)}: {n}")
            yield Static(summary, id="batch-summary")
            yield OptionList(id="batch-rows")

    def on_mount(self) -> None:
        self._page()
        self.query_one("#batch-rows").focus()

    def _page(self) -> None:
        rows = batch.rows(self.run, self.outcome, self.last_id)
        listing = self.query_one("#batch-rows", OptionList)
        for row in rows:
            line = Text(no_wrap=True)
            line.append(f"{row.code:<14}", style="bold")
            line.append(t(f"batch.outcome.{row.outcome}"),
                        style="green" if row.outcome == "changed" else "yellow")
            if row.reason:
                line.append("  " + reason_text(row.reason))
            line.append(f"  {t('batch.old')}: {row.old if row.old not in (None, '') else '—'}", style="dim")
            listing.add_option(Option(line))
        if rows:
            self.last_id = rows[-1].id

    def action_more(self) -> None:
        self._page()

    def action_only_skipped(self) -> None:
        self.outcome = None if self.outcome == "skipped" else "skipped"
        self.last_id = None
        self.query_one("#batch-rows", OptionList).clear_options()
        self._page()

    def action_close(self) -> None:
        self.dismiss(None)


def reason_text(reason: str) -> str:
    key = f"batch.reason.{reason}"
    return t(key) if key in CATALOG else reason
