"""`kehu copy SOURCE TARGET`: the whole archive into an empty database (db.transfer.copy), a
progress bar on standard error when it is a terminal, one summary line on standard output."""
from __future__ import annotations

import shutil
import sys
import time

from tui.i18n import t
from tui.shell import plain


def register(subparsers) -> None:
    copy = subparsers.add_parser("copy", help=t("copy.help"))
    copy.add_argument("source", help=t("copy.help_source"))
    copy.add_argument("target", help=t("copy.help_target"))
    copy.set_defaults(run=run_copy, own_store=True)


def run_copy(args, _store) -> int:
    from db.transfer import copy

    bar = Bar(sys.stderr) if sys.stderr.isatty() else None
    try:
        copied = copy.copy_archive(args.source, args.target, progress=bar)
    finally:
        if bar is not None:
            bar.clear()
    print(t("copy.done", tables=copied.tables, rows=plain.number(copied.rows),
            seconds=f"{copied.seconds:.1f}"))
    if copied.missing_roles:
        from tui.shell.operators import roles_missing

        roles_missing(copied.missing_roles, args.target)
    return 0


class Bar:
    """One line on a terminal, rewritten in place: the table, a bar, rows copied / total.
    Redrawn at most ten times a second (a chunk is a few milliseconds)."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.drawn = 0.0

    def __call__(self, table: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done not in (0, total) and now - self.drawn < 0.1:
            return
        self.drawn = now
        columns = shutil.get_terminal_size().columns
        counts = f" {plain.number(done)} / {plain.number(total)}"
        label = f"{table:<14} "
        room = max(columns - len(label) - len(counts) - 3, 0)
        filled = room * done // total if total else room
        line = f"{label}[{'#' * filled}{'.' * (room - filled)}]{counts}"
        self.stream.write("\r" + line[:columns - 1])
        self.stream.flush()

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
