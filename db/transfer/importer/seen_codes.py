"""The codes a customer file has met so far, each with its first line (a code met again is refused,
naming that line), in bounded memory: a dict for the first MEMORY codes, then a table of a
scratch SQLite file for the rest, looked up a chunk at a time (one query per chunk).

A file of 100,000 rows never leaves the dict; one of 1,000,000 keeps a fifth of its codes
there and the rest on disk, so the plan's memory stays about the same whatever the file's size.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
import weakref

MEMORY = 200_000


def _remove(connection: sqlite3.Connection, path: str) -> None:
    connection.close()
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class SeenCodes:
    """code -> the line it was first met on; used from one thread (the planner's)."""

    def __init__(self) -> None:
        self.memory: dict[str, int] = {}
        self._db: sqlite3.Connection | None = None
        self._closed = None

    def earlier(self, codes: set[str]) -> dict[str, int]:
        """{code: first line} of those of `codes` met before."""
        memory = self.memory
        found = {c: memory[c] for c in codes if c in memory} if memory else {}
        rest = [c for c in codes if c not in found] if self._db is not None else []
        for start in range(0, len(rest), 900):
            part = rest[start:start + 900]
            found.update(self._db.execute(
                f"SELECT code, line FROM seen WHERE code IN ({', '.join('?' * len(part))})", part))
        return found

    def add(self, pairs: list[tuple[str, int]]) -> None:
        """(code, line) of codes not met before."""
        if self._db is None:
            if len(self.memory) + len(pairs) <= MEMORY:
                self.memory.update(pairs)
                return
            self._open()
        self._db.executemany("INSERT INTO seen (code, line) VALUES (?, ?)", pairs)

    def _open(self) -> None:
        handle, path = tempfile.mkstemp(prefix="kehu-import-", suffix=".codes")
        os.close(handle)
        # A scratch file: no journal, no syncing, one transaction never committed.
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("CREATE TABLE seen (code TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")
        self._db.execute("BEGIN")
        self._closed = weakref.finalize(self, _remove, self._db, path)

    def close(self) -> None:
        if self._closed is not None:
            self._closed()
        self._db, self.memory = None, {}
