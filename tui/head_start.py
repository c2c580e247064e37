"""The archive's opening list, read while textual imports.

Importing textual is about 200 ms of Python. Counting a million customers is about 65 ms of
SQLite, which lets go of the GIL while it runs, and the first page is a few more (more when
the file's pages have left the operating system's cache). Started before that import, on
another CPU, both are ready when the archive screen mounts: the first frame shows the rows
and the record count instead of waiting for reads the UI thread would make after it. This
module must not import textual: it runs before it.
"""
from __future__ import annotations

import threading

from db.core import models
from db.lists import paging
from db.core.models import MAIN_DIMENSION
from db.lists.paging import DEFAULT_COLUMNS, PAGE, ListQuery, Row
from tui import config


def opening_query() -> ListQuery:
    """The list the archive screen opens on: every customer of the main classification."""
    return ListQuery(dimension=MAIN_DIMENSION)


def opening_columns() -> tuple[str, ...]:
    """The archive's columns: the user's choice (F4), else the default ones."""
    return tuple(config.load_settings().get("columns") or DEFAULT_COLUMNS)


class HeadStart:
    def __init__(self, query: ListQuery, columns: tuple[str, ...]) -> None:
        self.query = query
        self.columns = columns
        self._total: int | None = None
        self._first: list[Row] | None = None
        self._thread = threading.Thread(target=self._read, name="kehu-head-start", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._first = paging.fetch(self.query, 0, PAGE, self.columns)
            self._total = len(self._first) if len(self._first) < PAGE else paging.count(self.query)
        except Exception:  # noqa: BLE001 - the list reads again itself and reports the problem
            self._first = self._total = None
        finally:
            models.database.close()  # this thread's connection only

    def _done(self, query: ListQuery, wait: bool) -> bool:
        if query != self.query:
            return False
        if wait:
            self._thread.join()
        return not self._thread.is_alive()

    def first_page(self, query: ListQuery, columns: tuple[str, ...]) -> list[Row] | None:
        """The first page of `query` in `columns` when it is the one read here and has been
        read (the count may still be running)."""
        return self._first if (query, columns) == (self.query, self.columns) else None

    def total(self, query: ListQuery, *, wait: bool) -> int | None:
        """The count of `query` when it is the one counted here (and done, unless `wait`)."""
        return self._total if self._done(query, wait) else None
