"""Opening an archive: resolving the target (a path or a URL), SQLite's pragmas, then the
schema (created, checked or upgraded by db.schema) before the store becomes current."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import peewee

from db import schema
from db.core import session
from db.core.errors import StoreError
from db.core.session import Store, translate_errors

# Seconds a writer waits for another process's transaction before giving up (SQLite).
BUSY_TIMEOUT_MS = 10_000


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


def open_store(target: str | None = None, *, create: bool = True, read_only: bool = False,
               notice: Callable[..., None] | None = None) -> Store:
    """Open (and when allowed, create) the archive at `target`, a path or a URL.

    `create=False` refuses a missing SQLite file with `store.missing`, so the shell can ask
    before making one. A file the user cannot write opens read-only. `notice(key, **values)`
    is told (a catalog key) before work that can take long, such as upgrading an older
    archive, so the user knows why they wait.
    """
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
        with translate_errors(target):
            # Imported only for a server URL: it loads the PostgreSQL driver, which an
            # SQLite start-up (the app's first screen, `kehu find`) need not pay for.
            from playhouse.db_url import connect

            from db.core import drivers

            drivers.postgres()

            database = connect(target)
        dialect = "postgres" if isinstance(database, peewee.PostgresqlDatabase) else "sqlite"
    store = Store(url=target, database=database, read_only=read_only, dialect=dialect, path=path)
    # Current before the schema is prepared, so the rules it calls (the locate index's
    # rebuild) reach the store as every other caller does; a failed open leaves none.
    session.activate(store)
    try:
        with translate_errors(target):
            database.connect(reuse_if_open=True)
            schema.prepare(store, notice)
    except BaseException:
        store.close()
        raise
    return store
