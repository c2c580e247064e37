"""The preview of a whole-archive export (db.transfer.restore): one screen for every sheet (or
CSV file), each part's counts and then its rejected, updated and added rows; Enter imports
them all in one transaction, F8 only their valid rows, Esc nothing. The import plans the
parts again, in order, inside its transaction: what the archive holds by then is what counts,
and a part with rejected rows the preview did not have stops it with nothing written."""
from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from db.core.errors import RuleError
from db.transfer import restore
from db.transfer.restore import ArchivePlan
from tui import background
from tui.commands import key_of, keys_of
from tui.i18n import t
from tui.screens.import_screen import (ImportPreviewScreen, add_option, rejected_option, section,
                                       unsaved_option, update_option)
from tui.widgets.cells import visible_text


class RestorePreviewScreen(ImportPreviewScreen):
    """ImportPreviewScreen over every part of an ArchivePlan (its keys and summary)."""

    def __init__(self, archive: ArchivePlan) -> None:
        super().__init__(archive.plans[0])
        self.archive = archive

    def compose(self) -> ComposeResult:
        archive = self.archive
        with Vertical(id="preview-box", classes="transfer-box") as box:
            box.border_title = t("restore_ui.title", name=visible_text(archive.path.name))
            box.border_subtitle = t("transfer_ui.preview_keys_rejected" if archive.rejected
                                    else "transfer_ui.preview_keys", commit=keys_of("import.commit"),
                                    only_valid=key_of("import.only_valid"), cancel=key_of("import.cancel"))
            yield Static(self._counts(), id="preview-counts")
            options: list[Option] = []
            for plan in archive.plans:
                kind = t(f"transfer_ui.kind.{plan.kind}")

                def head(key: str, count: int) -> str:
                    return f"{kind} · {t(key, count=count)}"

                section(options, head("transfer_ui.unsaved_head", len(plan.unsaved)), plan.unsaved,
                        unsaved_option)
                section(options, head("transfer_ui.rejected_head", len(plan.rejected_lines)),
                        plan.rejected, lambda problem, plan=plan: rejected_option(plan, problem))
                section(options, head("transfer_ui.updates_head", len(plan.updates)), plan.updates,
                        lambda row, plan=plan: update_option(plan, row))
                section(options, head("transfer_ui.adds_head", len(plan.adds)), plan.adds, add_option)
            yield OptionList(*options, id="preview-rows")
            yield Static(self._hint(), id="preview-message", markup=False)
            yield ProgressBar(id="preview-progress", show_eta=False)

    def _counts(self) -> Text:
        text = Text()
        for n, plan in enumerate(self.archive.plans):
            if n:
                text.append("\n")
            # One line a part, on 80 columns: the sheet (or file) names where it was read.
            text.append(t("restore_ui.part", kind=t(f"transfer_ui.kind.{plan.kind}"),
                          sheet=visible_text(plan.sheet or plan.path.name), rows=plan.rows), style="dim")
            text.append(t("transfer_ui.counts", adds=len(plan.adds), updates=len(plan.updates),
                          unchanged=plan.unchanged, rejected=len(plan.rejected_lines)))
        return text

    def _hint(self) -> str:
        if self.archive.rejected:
            return self._rejected()
        if not self.archive.writes:
            return t("transfer.nothing")
        return t("transfer_ui.all_good", commit=key_of("import.commit"))

    def _rejected(self) -> str:
        return t("transfer_ui.has_rejected", count=self.archive.rejected, good=self.archive.writes,
                 commit=key_of("import.commit"), only_valid=key_of("import.only_valid"))

    def action_commit(self, only_valid: bool = False) -> None:
        archive = self.archive
        if self.busy:
            return
        if archive.rejected and not only_valid:
            self._say(self._rejected(), True)
            return
        if not archive.writes:
            self._say(t("transfer.nothing"), True)
            return
        self.busy = True
        self._say(t("transfer_ui.committing"))
        self._commit(only_valid)

    def _commit(self, only_valid: bool) -> None:
        archive, started = self.archive, time.perf_counter()
        kinds = tuple(p.kind for p in archive.plans)

        def write():
            done = restore.restore(archive.path, kinds=kinds, blank_clears=archive.plans[0].blank_clears,
                                   commit=True, only_valid=only_valid)
            if done is None or not done.committed:  # rejected rows the preview had not
                raise RuleError("import.has_rejected", count=done.rejected if done else 0)
            return restore.total(done)

        background.start(self, "import-commit", write,
                         lambda result: self.dismiss((result, time.perf_counter() - started)),
                         self._failed)
