"""审核 Approval queue (Alt+R, or 审核 in the palette): the pending new customers and change
requests of the approver's scope, oldest first. Enter shows a request (old → new, who asked
and when); there Y approves and N rejects with a reason. The store decides who may
(db.archive.approval): an editor sees the queue and is refused one line on Y."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from db import RuleError
from db.archive import approval
from tui.commands import Command, bindings, key_of
from tui.i18n import error_text, t
from tui.screens.base import KehuModal, KehuScreen
from tui.shell.requests import changes_text
from tui.widgets.fields import Field
from tui.widgets.footer import KehuFooter
from tui.who import who_line


class ReasonPrompt(KehuModal[str | None]):
    """The reason of a rejection: Enter rejects with it, Esc goes back."""

    CSS_PATH = "request.tcss"
    ACTIONS = (
        # priority: the field would take Enter as its own submit
        Command("requests.reason_ok", "enter", "ok", "history.action.reject", priority=True),
        Command("requests.reason_cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box") as box:
            box.border_title = t("requests.reason_title")
            box.border_subtitle = t("requests.reason_keys", ok=key_of("requests.reason_ok"),
                                    cancel=key_of("requests.reason_cancel"))
            yield Field("", id="reason", max_length=200)

    def on_mount(self) -> None:
        self.query_one("#reason", Field).focus()

    def action_ok(self) -> None:
        self.dismiss(self.query_one("#reason", Field).value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RequestScreen(KehuModal[bool]):
    """One request: what it asks, who asked and when; Y approves, N rejects with a reason."""

    CSS_PATH = "request.tcss"
    ACTIONS = (
        Command("requests.approve", "y", "approve", "history.action.approve"),
        Command("requests.reject", "n", "reject", "history.action.reject"),
        Command("requests.back", "escape", "back", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, req: approval.Request) -> None:
        super().__init__()
        self.req = req

    def compose(self) -> ComposeResult:
        req = self.req
        lines = [t("requests.asked", who=req.requested_by, at=str(req.requested_at)[:16]), ""]
        lines += changes_text(req).split("; ")
        with Vertical(id="request-box") as box:
            box.border_title = f"{req.id} · {t('request.kind.' + req.kind)} · {req.code} {req.name}"
            box.border_subtitle = t("requests.detail_keys", yes=key_of("requests.approve"),
                                    no=key_of("requests.reject"), back=key_of("requests.back"))
            yield Static("\n".join(lines), id="request-body", markup=False)
            yield Static("", id="request-message", markup=False)

    def _refused(self, exc: RuleError) -> None:
        self.query_one("#request-message", Static).update(error_text(exc))

    def action_approve(self) -> None:
        try:
            approval.approve(self.req.id)
        except RuleError as exc:
            self._refused(exc)
            return
        self.dismiss(True)

    def action_reject(self) -> None:
        def answered(reason: str | None) -> None:
            if reason is None:
                return
            try:
                approval.reject(self.req.id, reason)
            except RuleError as exc:
                self._refused(exc)
                return
            self.dismiss(True)

        self.app.push_screen(ReasonPrompt(), answered)

    def action_back(self) -> None:
        self.dismiss(False)


class RequestsScreen(KehuScreen):
    SCREEN_NAME = "requests"
    CSS_PATH = "requests.tcss"
    ACTIONS = (
        Command("requests.open", "enter", "open", "archive.open"),
        Command("requests.refresh", "f9", "refresh", "cmd.refresh"),
        Command("requests.leave", "escape", "app.go('archive')", "cmd.archive"),
    )
    BINDINGS = bindings(ACTIONS)

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        yield DataTable(id="requests", cursor_type="row", zebra_stripes=True)
        yield Static("", id="message", markup=False)
        yield KehuFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(t(f"requests.{k}") for k in ("id", "kind", "customer", "by", "at", "changes")))
        self.action_refresh()
        table.focus()

    def action_refresh(self) -> None:
        who = who_line()
        self.query_one("#title", Static).update(t("requests.title") + (f"  ·  {who}" if who else ""))
        table = self.query_one(DataTable)
        table.clear()
        self.rows = approval.requests("pending")
        for req in self.rows:
            # the long content last: at 80 columns who asked and when stay in sight
            table.add_row(str(req.id), t(f"request.kind.{req.kind}"), req.code, req.requested_by,
                          str(req.requested_at)[:16], changes_text(req), key=str(req.id))
        self.query_one("#message", Static).update("" if self.rows else t("requests.none"))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None:
            return
        req = self.rows[min(table.cursor_row, len(self.rows) - 1)]
        self.app.push_screen(RequestScreen(req), lambda done: self.action_refresh() if done else None)

    def on_data_table_row_selected(self) -> None:
        self.action_open()
