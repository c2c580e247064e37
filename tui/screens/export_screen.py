"""输出 Export from the archive (Ctrl+E): the current list as shown (class, filter, columns,
sort) or the whole archive with every dimension, to .xlsx or .csv, written in a worker thread
with a progress bar. An existing file is only replaced when the user says so."""
from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Label, OptionList, ProgressBar, Static

from db.core import clock
from db.transfer import exporter
from tui import background, i18n
from tui.commands import Command, bindings, key_of
from tui.i18n import t
from tui.screens.base import KehuModal
from tui.screens.confirm import ConfirmScreen
from tui.screens.import_screen import failure_text, listing_line
from tui.widgets.cells import visible_text
from tui.widgets.path_field import PathField

SCOPES = ("list", "all")


def targets(path: Path, scope: str) -> list[Path]:
    """The files an export writes: one workbook, or for a whole archive to CSV one file per
    table (customers, -classes, -sales), as db.transfer.exporter names them."""
    if scope == "all" and path.suffix.lower() == ".csv":
        return [path] + [path.with_name(f"{path.stem}{s}{path.suffix}") for s in ("-classes", "-sales")]
    return [path]


def check_target(path: Path) -> str | None:
    """Why `path` cannot be written, said before any work starts."""
    if path.suffix.lower() not in exporter.formats():
        return t("transfer_ui.export_format")
    folder = path.parent
    if not folder.is_dir():
        return t("transfer_ui.no_dir", path=visible_text(str(folder)))
    if not os.access(folder, os.W_OK):
        return t("transfer_ui.no_permission", path=visible_text(str(folder)))
    return None


class ExportScreen(KehuModal[None]):
    CSS_PATH = "transfer.tcss"
    ACTIONS = (
        Command("export.go", "enter,f6", "go", "transfer_ui.export", priority=True),
        Command("export.complete", "tab", "complete", "transfer_ui.complete", show=False, priority=True),
        Command("export.close", "escape", "close", "cmd.close"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, archive) -> None:
        super().__init__()
        self.query_state = archive.query_state
        self.columns = list(archive.columns)  # every column the list shows, the class name too
        node = archive.tree.selected
        self.where = f"{node.code} {node.name}" if node else t("transfer_ui.all_classes")
        self.count = archive.count
        self.busy = False
        self.done = False

    def compose(self) -> ComposeResult:
        name = t("transfer_ui.default_name", date=clock.today().strftime("%Y%m%d"))
        filtered = "" if self.query_state.filter.is_empty() else t("transfer_ui.scope_filtered")
        with Vertical(id="export-box", classes="transfer-box") as box:
            box.border_title = t("transfer_ui.export_title")
            box.border_subtitle = t("transfer_ui.export_keys", go=key_of("export.go"),
                                    complete=key_of("export.complete"), close=key_of("export.close"))
            with Grid(classes="transfer-grid"):
                yield Label(t("transfer_ui.file"))
                yield PathField(name, id="export-path", suffixes=exporter.formats())
                yield Label("")
                yield Static(listing_line(""), id="export-files")
                yield Label(t("transfer_ui.scope"))
                yield OptionList(
                    t("transfer_ui.scope_list", where=visible_text(self.where), count=self.count,
                      filtered=filtered),
                    t("transfer_ui.scope_all"), id="export-scope")
            yield Static("", id="export-message", markup=False)
            yield ProgressBar(id="export-progress", show_eta=False)

    def on_mount(self) -> None:
        self.query_one("#export-scope", OptionList).highlighted = 0
        self.query_one("#export-path").focus()

    @on(PathField.Changed, "#export-path")
    def _typed(self, event: PathField.Changed) -> None:
        head = event.value.rpartition("/")[0]
        self.query_one("#export-files", Static).update(listing_line(head + "/" if head else ""))

    @property
    def scope(self) -> str:
        return SCOPES[self.query_one("#export-scope", OptionList).highlighted or 0]

    def _say(self, text: str | Text, error: bool = False) -> None:
        message = self.query_one("#export-message", Static)
        message.set_class(error, "error")
        message.update(text)

    def action_complete(self) -> None:
        field = self.query_one("#export-path", PathField)
        if not (field.has_focus and field.accept()):
            self.focus_next()

    def action_go(self) -> None:
        if self.done:
            self.dismiss(None)
            return
        if self.busy:
            return
        text = self.query_one("#export-path", PathField).value.strip()
        path = Path(text).expanduser()
        problem = check_target(path) if text else t("transfer_ui.export_format")
        if problem:
            self._say(problem, True)
            return
        scope = self.scope
        existing = [p for p in targets(path, scope) if p.exists()]
        if not existing:
            self._start(path, scope)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._start(path, scope)

        names = ", ".join(visible_text(str(p)) for p in existing)
        self.app.push_screen(ConfirmScreen(t("transfer_ui.overwrite", path=names)), answer)

    def _start(self, path: Path, scope: str) -> None:
        self.busy = True
        self._say(t("transfer_ui.exporting"))
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        lang = i18n.lang()

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        def work() -> exporter.ExportResult:
            if scope == "all":
                return exporter.export_archive(path, lang=lang, progress=progress)
            return exporter.export_list(path, self.query_state, self.columns or None,
                                        lang=lang, progress=progress)

        # A refusal or a write error: one line, nothing left behind.
        background.start(self, "export", work, lambda result: self._finished(scope, result), self._failed)

    def _finished(self, scope: str, result: exporter.ExportResult) -> None:
        self.busy = False
        self.done = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=max(1, bar.total or 1), progress=bar.total or 1)
        paths = ", ".join(visible_text(str(p)) for p in result.paths)
        if not result.paths:  # an empty list: no file written, none replaced
            text = t("transfer.no_rows")
        elif scope == "all":
            text = t("transfer_ui.exported_all", customers=result.customers, classes=result.classes,
                     sales=result.sales, paths=paths)
        else:
            text = t("transfer_ui.exported", rows=result.customers, paths=paths)
        self._say(text)
        self.query_one("#export-box").border_subtitle = t("transfer_ui.export_done_keys", go=key_of("export.go"),
                                                                     close=key_of("export.close"))

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.query_one("#export-progress").display = False
        self._say(failure_text(exc), True)

    def action_close(self) -> None:
        if not self.busy:
            self.dismiss(None)
