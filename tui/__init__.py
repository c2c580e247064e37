"""kehu's front ends: the Textual app (tui.app) and the shell commands (tui.cli, tui.shell)."""
