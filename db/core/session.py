"""The session: the one opened archive of this process (Store), its write transaction, and the
driver errors it turns into StoreError."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import peewee

from db.core import models
from db.core.errors import StoreError

_current: Store | None = None


@dataclass
class Store:
    """An opened archive. Only one is current per process: the models are bound to it."""

    url: str
    database: peewee.Database
    read_only: bool = False
    dialect: str = "sqlite"
    path: Path | None = None
    # Called at the start of every write transaction with what it writes ("customer",
    # "archive", "approve", "operators"): db.archive.operators refuses a role that may not
    # (db.opening sets it; the core cannot import the archive layer).
    guard: Callable[[str], None] | None = None

    def close(self) -> None:
        global _current
        if not self.database.is_closed():
            self.database.close()
        if _current is self:
            _current = None

    @contextlib.contextmanager
    def writing(self, what: str = "customer"):
        """A write transaction of `what` (see `guard`). SQLite takes the write lock at BEGIN (IMMEDIATE), so two
        processes queue on the busy timeout instead of failing half-way through a save; a
        lock still held after it, or a file that turned read-only, is a StoreError and the
        transaction is rolled back."""
        if self.read_only:
            raise StoreError("store.read_only")
        atomic = self.database.atomic("IMMEDIATE") if self.dialect == "sqlite" else self.database.atomic()
        with translate_errors(self.url):
            with atomic:
                if self.guard is not None:
                    self.guard(what)
                yield


def current() -> Store:
    if _current is None:
        raise StoreError("store.not_open")
    return _current


def writing(what: str = "customer"):
    """A write transaction of `what` on the current store (see Store.writing)."""
    return current().writing(what)


def reading():
    """Around a read outside a write (a worker's scan): the driver's errors become the same
    StoreError a write would raise (locked, not a database, connection lost...)."""
    return translate_errors(current().url)


@contextlib.contextmanager
def translate_errors(target: str):
    """Driver errors on the database at `target` become StoreError (locked, not a database,
    damaged, read-only, cannot open...)."""
    try:
        yield
    except (StoreError, peewee.IntegrityError, sqlite3.IntegrityError):
        raise  # a refusal already, or a constraint the caller turns into one
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        raise store_error(exc, target) from None


def store_error(exc: BaseException, target: str) -> StoreError | None:
    """The StoreError a driver's error on the database at `target` means; None for what is
    no driver error (or a constraint, which its caller words)."""
    if isinstance(exc, StoreError):
        return exc
    if (not isinstance(exc, (peewee.DatabaseError, sqlite3.DatabaseError))
            or isinstance(exc, (peewee.IntegrityError, sqlite3.IntegrityError))):
        return None
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreError("store.locked", path=masked(target))
    if "malformed" in text:
        return StoreError("store.damaged", path=masked(target))
    if "not a database" in text or "file is encrypted" in text:
        return StoreError("store.not_db", path=target)
    if "readonly" in text or "read-only" in text:
        return StoreError("store.read_only")
    if "unable to open" in text or "could not connect" in text or "connection" in text:
        return StoreError("store.cannot_open", path=masked(target), reason=first_line(exc, target))
    return StoreError("store.error", path=masked(target), reason=first_line(exc, target))


def masked(target: str) -> str:
    """`target` with the password of a URL (user:password@host) shown as ***."""
    parts = urlsplit(target) if "://" in target else None
    if parts is None or parts.password is None:
        return target
    return target.replace(f":{parts.password}@", ":***@", 1)


def first_line(exc: BaseException, target: str) -> str:
    """The driver's message, its first line, never with the URL's password in it (a
    PostgreSQL error can quote the connection string)."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    parts = urlsplit(target) if "://" in target else None
    password = parts.password if parts is not None else None
    return lines[0].replace(password, "***") if password else lines[0]


def detach(store: Store) -> None:
    """Let `store` stay open without being the current one: the next `activate` binds the
    models elsewhere and leaves it open (db.transfer.copy reads one archive by its own
    connection while the models write another). Its owner closes it."""
    global _current
    if _current is store:
        _current = None


def activate(store: Store) -> None:
    """Make `store` the current one: the models are bound to its database (the previous
    store, if any, is closed first)."""
    global _current
    if _current is not None and _current is not store:
        _current.close()
    models.database.initialize(store.database)
    _current = store

