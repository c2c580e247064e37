"""Opening a database: URL resolution, SQLite pragmas, schema creation and version checks."""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import peewee

from db import models
from db.errors import StoreError

# Seconds a writer waits for another process's transaction before giving up (SQLite).
BUSY_TIMEOUT_MS = 10_000

_current: Store | None = None


def default_url() -> str:
    """KEHU_DB, else an SQLite file in the user data directory (created on first use)."""
    env = os.environ.get("KEHU_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return str(Path(user_data_dir("kehu")) / "kehu.db")


def _is_url(target: str) -> bool:
    return "://" in target


def sqlite_path(target: str) -> Path | None:
    """The file behind an SQLite target (plain path or sqlite:/// URL), None for a server."""
    if not _is_url(target):
        return Path(target).expanduser()
    if target.startswith("sqlite:///"):
        return Path(target[len("sqlite:///"):])
    return None


@dataclass
class Store:
    """An opened archive. Only one is current per process: the models are bound to it."""

    url: str
    database: peewee.Database
    read_only: bool = False
    dialect: str = "sqlite"
    path: Path | None = None

    def close(self) -> None:
        global _current
        if not self.database.is_closed():
            self.database.close()
        if _current is self:
            _current = None

    @contextlib.contextmanager
    def writing(self):
        """A write transaction. SQLite takes the write lock at BEGIN (IMMEDIATE), so two
        processes queue on the busy timeout instead of failing half-way through a save; a
        lock still held after it, or a file that turned read-only, is a StoreError and the
        transaction is rolled back."""
        if self.read_only:
            raise StoreError("store.read_only")
        atomic = self.database.atomic("IMMEDIATE") if self.dialect == "sqlite" else self.database.atomic()
        with _translate_errors(self.url):
            with atomic:
                yield


def current() -> Store:
    if _current is None:
        raise StoreError("store.not_open")
    return _current


def writing():
    """A write transaction on the current store (see Store.writing)."""
    return current().writing()


def reading():
    """Around a read outside a write (a worker's scan): the driver's errors become the same
    StoreError a write would raise (locked, not a database, connection lost...)."""
    return _translate_errors(current().url)


@contextlib.contextmanager
def _translate_errors(target: str):
    try:
        yield
    except (StoreError, peewee.IntegrityError, sqlite3.IntegrityError):
        raise  # a refusal already, or a constraint the caller turns into one
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise StoreError("store.locked", path=target) from None
        if "not a database" in text or "malformed" in text or "file is encrypted" in text:
            raise StoreError("store.not_db", path=target) from None
        if "readonly" in text or "read-only" in text:
            raise StoreError("store.read_only") from None
        if "unable to open" in text or "could not connect" in text or "connection" in text:
            raise StoreError("store.cannot_open", path=target, reason=str(exc).splitlines()[0]) from None
        raise StoreError("store.error", path=target, reason=str(exc).splitlines()[0]) from None


def open_store(target: str | None = None, *, create: bool = True, read_only: bool = False,
               notice: Callable[..., None] | None = None) -> Store:
    """Open (and when allowed, create) the archive at `target`, a path or a URL.

    `create=False` refuses a missing SQLite file with `store.missing`, so the shell can ask
    before making one. A file the user cannot write opens read-only. `notice(key, **values)`
    is told (a catalog key) before work that can take long, such as upgrading an older
    archive, so the user knows why they wait.
    """
    global _current
    target = target or default_url()
    path = sqlite_path(target)
    if path is not None:
        if path.is_dir():
            raise StoreError("store.is_dir", path=str(path))
        if not path.exists():
            if not create or read_only:
                raise StoreError("store.missing", path=str(path))
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError("store.cannot_open", path=str(path), reason=exc.strerror) from None
        elif not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            read_only = True
        database = peewee.SqliteDatabase(
            f"file:{path}?mode=ro" if read_only else str(path),
            uri=read_only,
            timeout=BUSY_TIMEOUT_MS / 1000,
            pragmas={"foreign_keys": 1, "busy_timeout": BUSY_TIMEOUT_MS}
            | ({"query_only": 1} if read_only else {"journal_mode": "wal", "synchronous": "normal"}),
            check_same_thread=False,
        )
        dialect = "sqlite"
    else:
        with _translate_errors(target):
            # Imported only for a server URL: it loads the PostgreSQL driver, which an
            # SQLite start-up (the app's first screen, `kehu find`) need not pay for.
            from playhouse.db_url import connect

            from db import drivers

            drivers.postgres()

            database = connect(target)
        dialect = "postgres" if isinstance(database, peewee.PostgresqlDatabase) else "sqlite"
    if _current is not None:
        _current.close()
    models.database.initialize(database)
    store = Store(url=target, database=database, read_only=read_only, dialect=dialect, path=path)
    with _translate_errors(target):
        database.connect(reuse_if_open=True)
        from db import schema

        schema.prepare(store, notice)
    _current = store
    return store
