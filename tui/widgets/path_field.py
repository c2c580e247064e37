"""A file path field that completes from the file system: directories and spreadsheet files
(.csv, .xlsx), relative to the current directory. Tab or Right takes the suggestion."""
from __future__ import annotations

import os
from pathlib import Path

from textual.suggester import Suggester

from tui.widgets.fields import Field

SPREADSHEETS = (".csv", ".xlsx")
# Entries looked at in one directory: completing must not freeze the screen on a huge one.
SCAN_LIMIT = 5000


def candidates(value: str, suffixes: tuple[str, ...] = SPREADSHEETS, limit: int = 200) -> list[str]:
    """The completions of `value`, each the whole new value: sub-directories (ending in "/")
    first, then files with one of `suffixes`; hidden entries only when asked for with a dot."""
    head, _, prefix = value.rpartition("/")
    folder = head + "/" if head or value.startswith("/") else ""
    where = Path(os.path.expanduser(folder or "."))
    dirs, files = [], []
    try:
        with os.scandir(where) as entries:
            for n, entry in enumerate(entries):
                if n >= SCAN_LIMIT:
                    break
                name = entry.name
                if not name.startswith(prefix) or (name.startswith(".") and not prefix.startswith(".")):
                    continue
                try:
                    if entry.is_dir():
                        dirs.append(name + "/")
                    elif name.lower().endswith(suffixes):
                        files.append(name)
                except OSError:
                    continue
    except OSError:
        return []
    return [folder + name for name in sorted(dirs) + sorted(files)][:limit]


class PathSuggester(Suggester):
    def __init__(self, suffixes: tuple[str, ...] = SPREADSHEETS) -> None:
        # The file system changes under us: no cache; file names are case-sensitive.
        super().__init__(use_cache=False, case_sensitive=True)
        self.suffixes = suffixes

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        found = candidates(value, self.suffixes, limit=1)
        return found[0] if found and found[0] != value else None


class PathField(Field):
    """A Field completing paths; `accept()` takes the shown suggestion (bound to Tab by the
    screens, as Input itself only takes it with Right)."""

    def __init__(self, value: str = "", *, suffixes: tuple[str, ...] = SPREADSHEETS, **kwargs) -> None:
        super().__init__(value, suggester=PathSuggester(suffixes), max_length=4096, **kwargs)

    def accept(self) -> bool:
        suggestion = self._suggestion
        if suggestion and suggestion != self.value and suggestion.startswith(self.value):
            self.value = suggestion
            self.cursor_position = len(suggestion)
            return True
        return False
