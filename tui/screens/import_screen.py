"""导入 Import from the archive (Ctrl+L): a path prompt with completion, the preview of what the
file would do (db.transfer.importer.plan, read in a worker thread), commit with a progress bar, and a
summary. Nothing is written before the preview is accepted; the commit is all or nothing."""
from __future__ import annotations

import time
from pathlib import Path

from rich.cells import cell_len
from rich.cells import set_cell_size as pad  # cut or pad to a width in terminal cells
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from db.core import clock
from db.archive import dimensions
from db.values import fields as fields_meta
from db.transfer import importer
from db.values.dates import format_date
from db.transfer.importer import ImportPlan, ImportResult
from db.values.money import format_money, format_percent
from tui import background
from tui.commands import Command, bindings, key_of, keys_of
from tui.change_values import import_field_name
from tui.i18n import error_text, name_of, t
from tui.screens.base import KehuModal
from tui.shell.transfer import duplicate_text
from tui.widgets.cells import visible_text
from tui.widgets.fields import Field
from tui.widgets.path_field import PathField, candidates

# Rows of each list on the preview; the rest are counted ("and N more"), never built.
SHOWN = 1000
# Completions listed under the path field.
LISTED = 12


def failure_text(exc: Exception) -> str:
    """One line for whatever stopped a read or a write: a store refusal in its own words,
    anything else named with its reason (never a traceback)."""
    if hasattr(exc, "key"):
        return error_text(exc)
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return t("transfer_ui.failed", reason=reason)


def listing_line(value: str) -> Text:
    """The completions of `value`, shown under the field: names only, a dozen at most."""
    found = candidates(value) if value else candidates("")
    if not found:
        return Text(t("transfer_ui.no_matches"), style="dim")
    names = [f.rstrip("/").rpartition("/")[2] + ("/" if f.endswith("/") else "") for f in found]
    line = Text("  ".join(visible_text(n) for n in names[:LISTED]), style="dim")
    if len(names) > LISTED:
        line.append("  " + t("transfer_ui.more_files", count=len(names) - LISTED), style="dim italic")
    return line


class ImportPromptScreen(KehuModal[object]):
    """Which file, and what it holds; Enter reads it (in a thread) and returns the plan (an
    ArchivePlan for a whole-archive export)."""

    CSS_PATH = "transfer.tcss"
    # None first: the kind told by the file's titles (importer.kinds), unless one is chosen.
    KINDS = (None, *importer.KINDS)
    ACTIONS = (
        Command("import.read", "enter,f6", "read", "transfer_ui.import", priority=True),
        Command("import.complete", "tab", "complete", "transfer_ui.complete", show=False, priority=True),
        Command("import.blank_clears", "f7", "blank_clears", "transfer_ui.blank_toggle", priority=True),
        Command("import.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, path: str = "") -> None:
        super().__init__()
        self.initial = path
        self.busy = False
        # An update's empty cell keeps the stored value unless the user chooses to clear it.
        self.blank_clears = False
        self.dims = [d for d in dimensions.all_dimensions() if not d.derived]

    def compose(self) -> ComposeResult:
        with Vertical(id="import-box", classes="transfer-box") as box:
            box.border_title = t("transfer_ui.import_title")
            box.border_subtitle = t("transfer_ui.import_keys", read=key_of("import.read"),
                                    complete=key_of("import.complete"), cancel=key_of("import.cancel"))
            with Grid(classes="transfer-grid"):
                yield Label(t("transfer_ui.file"))
                yield PathField(self.initial, id="import-path", placeholder=t("transfer_ui.file_hint"))
                yield Label("")
                yield Static(listing_line(self.initial), id="import-files")
                yield Label(t("transfer_ui.kind"))
                yield OptionList(*(t(f"transfer_ui.kind.{k or 'auto'}") for k in self.KINDS), id="import-kind")
                yield Label(t("transfer_ui.dimension"))
                # A file told by its titles may be a class file: its dimension is asked too.
                yield OptionList(*(name_of(d) for d in self.dims), id="import-dimension")
                yield Label(t("transfer_ui.blanks"))
                yield Static(self._blanks_text(), id="import-blanks", markup=False)
            yield Static("", id="import-message", markup=False)

    def on_mount(self) -> None:
        self.query_one("#import-kind", OptionList).highlighted = 0
        self.query_one("#import-dimension", OptionList).highlighted = 0
        self.query_one("#import-path").focus()

    @on(Field.Changed, "#import-path")
    def _typed(self, event: Field.Changed) -> None:
        self.query_one("#import-files", Static).update(listing_line(event.value))

    @on(OptionList.OptionHighlighted, "#import-kind")
    def _kind_moved(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one("#import-dimension").disabled = self.kind not in (None, "classes")

    @property
    def kind(self) -> str | None:
        index = self.query_one("#import-kind", OptionList).highlighted
        return self.KINDS[index or 0]

    @property
    def dimension(self) -> str:
        index = self.query_one("#import-dimension", OptionList).highlighted
        return self.dims[index or 0].code if self.dims else "main"

    def _say(self, text: str) -> None:
        self.query_one("#import-message", Static).update(text)

    def _blanks_text(self) -> str:
        return t("transfer_ui.blank_clears" if self.blank_clears else "transfer_ui.blank_keeps",
                 toggle=key_of("import.blank_clears"))

    def action_blank_clears(self) -> None:
        if not self.busy:
            self.blank_clears = not self.blank_clears
            self.query_one("#import-blanks", Static).update(self._blanks_text())

    def action_complete(self) -> None:
        field = self.query_one("#import-path", PathField)
        if not (field.has_focus and field.accept()):
            self.focus_next()

    def action_read(self) -> None:
        if self.busy:
            return
        text = self.query_one("#import-path", PathField).value.strip()
        if not text:
            self._say(t("transfer_ui.no_file"))
            self.query_one("#import-path").focus()
            return
        path = Path(text).expanduser()
        self.busy = True
        self._say(t("transfer_ui.reading", name=path.name))
        self._plan(path, self.kind, self.dimension, self.blank_clears)

    def _plan(self, path: Path, kind: str | None, dimension: str, blank_clears: bool) -> None:
        from db.transfer import restore

        def read():
            # A whole-archive export gives every part's plan (restore_screen previews it).
            found = restore.restore(path, kinds=(kind,) if kind else (), blank_clears=blank_clears)
            if found is not None:
                return found
            plan = importer.plan(path, kind, dimension, blank_clears=blank_clears)
            importer.write_rejects(plan, error_text)  # every rejected row, beside the file
            return plan

        # Every refusal and read error becomes one line.
        background.start(self, "import-plan", read, self.dismiss, self._failed)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self._say(failure_text(exc))

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


# ---------------------------------------------------------------- the preview


def shown_value(fld: str, value) -> str:
    """A stored value as the card shows it: money in yuan, rates in percent, dates ISO."""
    if value is None or value == "":
        return ""
    meta = fields_meta.BY_KEY.get(fld)
    kind = meta.kind if meta else ""
    if kind == "money" and isinstance(value, int):
        return format_money(value)
    if kind == "percent" and isinstance(value, int):
        return format_percent(value)
    if kind == "flag":
        return t("yes") if value else t("no")
    if hasattr(value, "isoformat"):
        return format_date(value) if kind == "date" else value.isoformat()
    return visible_text(str(value))


def column_name(plan: ImportPlan, fld: str) -> str:
    """A field named in the language in force (a customer's as the card names it), not as
    the file's header calls it: an English screen showed 客户名称, a Chinese one class_code."""
    return import_field_name(plan.kind, fld)


def line_label(line: int) -> str:
    """第 N 行 padded to its column, and never into the next: 第 1000 行 is 10 cells."""
    label = t("transfer_ui.line", line=line)
    return pad(label, max(10, cell_len(label) + 1))


def rejected_option(plan: ImportPlan, problem) -> Option:
    line = Text()
    line.append(line_label(problem.line), style="bold")
    column = column_name(plan, problem.field) if problem.field else visible_text(problem.column)
    line.append(pad(column, 12), style="dim")
    line.append(visible_text(error_text(problem)))
    return Option(line)


def duplicate_option(mark) -> Option:
    """A row that may be a duplicate (查重): its line and name, then the customer or the
    line it may repeat, with the reason."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(line_label(mark.line), style="bold")
    text.append(pad(visible_text(mark.name), 24))
    text.append(" " + visible_text(duplicate_text(mark)), style="yellow")
    return Option(text)


def unsaved_option(cell: tuple[int, str]) -> Option:
    line, column = cell
    text = Text()
    text.append(line_label(line), style="bold")
    text.append(pad(visible_text(column), 12), style="dim")
    text.append(t("transfer_ui.unsaved_cell"))
    return Option(text)


def update_option(plan: ImportPlan, row) -> Option:
    line = Text()
    line.append(line_label(row.line), style="bold")
    line.append(pad(visible_text(row.code), 12))
    for n, (fld, (old, new)) in enumerate(row.changes.items()):
        if n:
            line.append("; ")
        line.append(column_name(plan, fld) + ": ", style="dim")
        line.append(shown_value(fld, old))
        line.append(" → ", style="dim")
        line.append(shown_value(fld, new), style="bold")
    return Option(line)


def add_option(row) -> Option:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(line_label(row.line), style="bold")
    line.append(pad(visible_text(row.code), 12))
    name = row.values.get("short_name") or row.values.get("name") or row.values.get("doc_no") or ""
    line.append(visible_text(str(name)))
    return Option(line)


def section(options: list, head: str, rows: list, make, total: int | None = None) -> None:
    """A heading, the first SHOWN `rows` made options, and how many more (of `total`, when
    the rows are only the first of them)."""
    if not rows:
        return
    total = len(rows) if total is None else total
    options.append(Option(Text(head, style="bold underline"), disabled=True))
    options.extend(make(r) for r in rows[:SHOWN])
    shown = min(len(rows), SHOWN)
    if total > shown:
        options.append(Option(Text(t("transfer_ui.more_rows", count=total - shown), style="italic"),
                              disabled=True))


class ImportPreviewScreen(KehuModal[tuple[ImportResult, float] | None]):
    """What the file would do; Enter commits it all, F8 only its valid rows, Esc nothing."""

    CSS_PATH = "transfer.tcss"
    ACTIONS = (
        Command("import.commit", "enter,f6", "commit", "transfer_ui.import", priority=True),
        Command("import.only_valid", "f8", "commit(True)", "transfer_ui.only_valid", priority=True),
        Command("import.cancel", "escape", "cancel", "cmd.cancel"),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__()
        self.plan = plan
        self.busy = False

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="preview-box", classes="transfer-box") as box:
            box.border_title = t("transfer_ui.preview_title", kind=t(f"transfer_ui.kind.{plan.kind}"),
                                 name=visible_text(plan.path.name))
            box.border_subtitle = t("transfer_ui.preview_keys_rejected" if plan.rejected
                                    else "transfer_ui.preview_keys", commit=keys_of("import.commit"),
                                    only_valid=key_of("import.only_valid"), cancel=key_of("import.cancel"))
            yield Static(self._counts(), id="preview-counts")
            options: list[Option] = []
            section(options, t("transfer_ui.unsaved_head", count=len(plan.unsaved)), plan.unsaved,
                    unsaved_option)
            section(options, t("transfer_ui.rejected_head", count=len(plan.rejected_lines)),
                    plan.rejected, lambda problem: rejected_option(plan, problem))
            section(options, t("transfer_ui.duplicates_head", count=plan.duplicate_count), plan.duplicates,
                    duplicate_option, plan.duplicate_count)
            section(options, t("transfer_ui.updates_head", count=len(plan.updates)), plan.updates,
                    lambda row: update_option(plan, row))
            section(options, t("transfer_ui.adds_head", count=len(plan.adds)), plan.adds, add_option)
            yield OptionList(*options, id="preview-rows")
            yield Static(self._hint(), id="preview-message", markup=False)
            yield ProgressBar(id="preview-progress", show_eta=False)

    def _counts(self) -> Text:
        plan = self.plan
        sheet = f" [{plan.sheet}]" if plan.sheet else ""
        # utf-8-sig reads files with and without the BOM alike: name the encoding, not the codec.
        encoding = f" {plan.encoding.removesuffix('-sig').upper()}" if plan.encoding else ""
        text = Text(t("transfer_ui.read", format=plan.format.upper(), encoding=encoding,
                      sheet=visible_text(sheet), rows=plan.rows), style="dim")
        text.append("\n")
        text.append(t("transfer_ui.counts", adds=len(plan.adds), updates=len(plan.updates),
                      unchanged=plan.unchanged, rejected=len(plan.rejected_lines)), style="bold")
        if plan.extra:
            text.append("\n" + t("transfer_ui.extra", columns=visible_text(", ".join(plan.extra))))
        if plan.rejects_path is not None:
            text.append("\n" + t("transfer_ui.rejects_file", path=visible_text(str(plan.rejects_path))))
        if plan.missing:
            text.append("\n" + t("transfer_ui.missing", columns=", ".join(column_name(plan, f) for f in plan.missing)), style="yellow")
        if plan.unsaved:
            text.append("\n" + t("transfer_ui.unsaved_note", count=len(plan.unsaved)), style="yellow")
        if plan.kind != "sales":
            text.append("\n" + t("transfer_ui.plan_clears" if plan.blank_clears else "transfer_ui.plan_keeps"))
        return text

    def _hint(self) -> str:
        plan = self.plan
        if plan.rejected:
            return self._rejected()
        if not plan.writes:
            return t("transfer.nothing")
        return t("transfer_ui.all_good", commit=key_of("import.commit"))

    def _rejected(self) -> str:
        return t("transfer_ui.has_rejected", count=len(self.plan.rejected_lines), good=self.plan.writes,
                 commit=key_of("import.commit"), only_valid=key_of("import.only_valid"))

    def on_mount(self) -> None:
        self.query_one("#preview-rows").focus()

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#preview-message", Static)
        message.set_class(error, "error")
        message.update(text)

    def action_commit(self, only_valid: bool = False) -> None:
        plan = self.plan
        if self.busy:
            return
        if plan.rejected and not only_valid:
            self._say(self._rejected(), True)
            return
        if not plan.writes:
            self._say(t("transfer.nothing"), True)
            return
        self.busy = True
        self._say(t("transfer_ui.committing"))
        bar = self.query_one("#preview-progress", ProgressBar)
        bar.update(total=plan.writes, progress=0)
        bar.display = True
        self._commit(only_valid)

    def _commit(self, only_valid: bool) -> None:
        bar = self.query_one("#preview-progress", ProgressBar)
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        # A failure rolled the transaction back: nothing was written.
        background.start(self, "import-commit",
                         lambda: importer.commit(self.plan, only_valid=only_valid, progress=progress),
                         lambda result: self.dismiss((result, time.perf_counter() - started)),
                         self._failed)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.query_one("#preview-progress").display = False
        self._say(failure_text(exc), True)

    def action_cancel(self) -> None:
        if not self.busy:
            self.plan.close()  # the spooled rows, never to be written
            self.dismiss(None)


def took(seconds: float) -> str:
    """Whole seconds; under one second says so (and stays the same from run to run)."""
    return t("transfer_ui.seconds", seconds="< 1" if seconds < 1 else f"{seconds:.0f}")


class ImportSummaryScreen(KehuModal[None]):
    CSS_PATH = "transfer.tcss"
    ACTIONS = (Command("import.close", "enter,escape", "close", "cmd.close", priority=True),)
    BINDINGS = bindings(ACTIONS)

    def __init__(self, result: ImportResult, seconds: float) -> None:
        super().__init__()
        self.result = result
        self.seconds = seconds

    def compose(self) -> ComposeResult:
        r = self.result
        with Vertical(id="summary-box", classes="transfer-box") as box:
            box.border_title = t("transfer_ui.summary_title")
            box.border_subtitle = t("transfer_ui.summary_keys", close=key_of("import.close"))
            with Grid(classes="transfer-grid"):
                for label, value in (
                    ("transfer_ui.added", str(r.added)),
                    ("transfer_ui.updated", str(r.updated)),
                    ("transfer_ui.skipped", str(r.skipped)),
                    *((("transfer_ui.held", str(r.held)),) if r.held else ()),
                    ("transfer_ui.batch", r.batch),
                    ("transfer_ui.finished", clock.now().strftime("%Y-%m-%d %H:%M:%S")),
                    ("transfer_ui.took", took(self.seconds)),
                ):
                    yield Label(t(label))
                    yield Static(value, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
