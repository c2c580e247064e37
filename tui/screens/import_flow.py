"""导入 Import, the whole flow from the archive screen: the prompt, the preview (of one table,
or of every part of a whole-archive export), the commit and its summary."""
from __future__ import annotations

from db.transfer.importer import ImportPlan, ImportResult
from tui.screens.import_screen import ImportPreviewScreen, ImportPromptScreen, ImportSummaryScreen
from tui.screens.restore_screen import RestorePreviewScreen


def start_import(archive) -> None:
    """Prompt, preview, commit, summary; the archive's tree and list reread at the end."""
    app = archive.app

    def planned(plan) -> None:
        if isinstance(plan, ImportPlan):
            app.push_screen(ImportPreviewScreen(plan), committed)
        elif plan is not None:  # a whole-archive export's ArchivePlan
            app.push_screen(RestorePreviewScreen(plan), committed)

    def committed(outcome: tuple[ImportResult, float] | None) -> None:
        if outcome is not None:
            app.push_screen(ImportSummaryScreen(*outcome), closed)

    def closed(_: None) -> None:
        archive.tree.reload()
        archive.listing.reload()

    app.push_screen(ImportPromptScreen(), planned)
