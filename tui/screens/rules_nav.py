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
    Command("analysis.duplicates", "alt+d", "app.go('duplicates')", "dup.cmd.triage", show=False),
)
