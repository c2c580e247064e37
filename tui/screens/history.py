"""操作日志 History: recent changes across the archive, newest first, filtered by person,
date range and customer; paged from the store (older entries on request)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Label, Static

from db import RuleError
from db.archive import history
from db.values.dates import parse_date
from tui.commands import Command, bindings
from tui.i18n import error_text, t
from tui.screens.base import KehuScreen
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter
from tui.widgets.history_view import history_text

PAGE = 30


class HistoryScreen(KehuScreen):
    SCREEN_NAME = "history"
    CSS_PATH = "history.tcss"
    ACTIONS = (
        Command("history.older", "ctrl+pagedown,f4", "older", "history_ui.older"),
        Command("history.refresh", "f9", "search", "cmd.refresh"),
        Command("history.back", "escape", "app.go('archive')", "cmd.archive"),
    )
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield Static(t("history.title"), id="title")
        with Grid(id="history-filter"):
            yield Label(t("history.filter_who"))
            yield Field("", id="h-who", max_length=40, suggester=SuggestFromList(history.people()))
            yield Label(t("history.filter_since"))
            yield Field("", id="h-since", max_length=20)
            yield Label(t("history.filter_until"))
            yield Field("", id="h-until", max_length=20)
            yield Label(t("history.code"))
            yield Field("", id="h-code", max_length=20)
        with VerticalScroll(id="history-list"):
            yield Static("", id="history-entries")
        yield Static("", id="message", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        self.entries = []
        self.action_search()
        self.query_one("#h-who").focus()

    def on_input_submitted(self) -> None:
        """Enter in any filter box runs the query."""
        self.action_search()

    def _filters(self) -> dict:
        value = {k: self.query_one(f"#h-{k}", Field).value.strip() for k in ("who", "since", "until", "code")}
        return {"who": value["who"] or None,
                "since": parse_date(value["since"], field="since", label="history.filter_since"),
                "until": parse_date(value["until"], field="until", label="history.filter_until"),
                "code": value["code"] or None}

    def action_search(self) -> None:
        try:
            self.filters = self._filters()
        except RuleError as exc:
            self.query_one("#message", Static).update(error_text(exc))
            return
        self.query_one("#message", Static).update("")
        self.entries = history.recent(limit=PAGE, **self.filters)
        self._show()

    def action_older(self) -> None:
        if not self.entries:
            return
        more = history.recent(limit=PAGE, before_id=self.entries[-1].id, **self.filters)
        self.entries += more
        self._show()

    def _show(self) -> None:
        body = self.query_one("#history-entries", Static)
        if self.entries:
            body.update(history_text(self.entries, with_code=True))
        else:
            body.update(t("history.none"))
