"""The commands that open the rules, evaluation, health check and statistics screens (the
archive lists them, and so does each of those screens, with the same ids so a keymap entry
moves them everywhere), and what those screens share."""
from __future__ import annotations

from tui.commands import Command

NAV = (
    Command("analysis.evaluate", "ctrl+r", "app.go('evaluate')", "rules_ui.cmd.evaluate"),
    Command("analysis.health", "ctrl+k", "app.go('health')", "rules_ui.cmd.health"),
    Command("analysis.statistics", "ctrl+y", "app.go('statistics')", "rules_ui.cmd.statistics"),
    Command("analysis.rules", "ctrl+u", "app.go('rules')", "rules_ui.cmd.rules"),
)


def dimension_name(dim) -> str:
    from tui.i18n import lang

    return dim.name_zh if lang() == "zh" else dim.name_en


def run_in_thread(screen, group: str, work, done, failed=None) -> None:
    """Run `work()` in a thread worker, then `done(result)` in the UI thread; a store refusal
    goes to `failed` (default: the screen's message). The thread's own database connection
    is closed after it (each thread opens one; left open, they pile up). A result that
    arrives after the screen has gone is dropped."""
    from db import ConflictError, RuleError, StoreError
    from db.core import models

    def deliver(callback, value) -> None:
        if screen.is_attached:
            callback(value)

    def run() -> None:
        try:
            result = work()
        except (RuleError, StoreError, ConflictError) as exc:
            screen.app.call_from_thread(deliver, failed or screen.show_error, exc)
            return
        finally:
            models.database.close()
        screen.app.call_from_thread(deliver, done, result)

    screen.run_worker(run, thread=True, group=group, exit_on_error=False)
