"""Opening an archive: resolving the target (a path or a URL), SQLite's pragmas, then the
schema (created, checked or upgraded by db.schema) before the store becomes current."""
from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

import peewee

from db import schema
from db.archive import operators
from db.core import session
from db.core.errors import StoreError
from db.core.session import Store, first_line, masked, translate_errors

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


# The servers an archive can live on (playhouse.db_url's schemes for PostgreSQL).
SERVER_SCHEMES = ("postgres", "postgresql", "postgresext", "postgresqlext")


def check_url(target: str) -> None:
    """Refuse a server URL that cannot name a PostgreSQL archive before any driver sees it:
    another scheme, no host nor database, a port that is not one. Said with the password
    masked (db.core.session.masked), as every error about the URL is."""
    parts = urlsplit(target)
    if parts.scheme.lower() not in SERVER_SCHEMES:
        raise StoreError("store.bad_url", url=masked(target), reason=f"{parts.scheme}://")
    try:
        parts.port  # noqa: B018 (urlsplit checks the port when asked for it)
    except ValueError:
        raise StoreError("store.bad_url", url=masked(target), reason=parts.netloc.rpartition(":")[2]) from None
    if not parts.hostname and not parts.path.strip("/"):
        raise StoreError("store.bad_url", url=masked(target), reason="host")


def sqlite_uri(path: Path, **query: str) -> str:
    """The URI SQLite opens `path` by, quoted: a "#", "?" or "%" in a file name is part of
    the name, not the start of the URI's query or fragment."""
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return f"file:{quote(str(path.absolute()))}" + (f"?{args}" if args else "")


def _read_only_query(path: Path) -> dict[str, str]:
    """The URI query of a read-only open. A WAL archive is read through its -shm file, which
    SQLite must create when no other process has it open; in a directory this user cannot
    write it cannot, and every read fails as a write to a read-only database. Nobody can
    then be writing the archive beside us either (no -shm, no writer): it is read as
    immutable, without the shared memory."""
    if not os.access(path.parent, os.W_OK) and not Path(f"{path}-shm").exists():
        return {"mode": "ro", "immutable": "1"}
    return {"mode": "ro"}


def sqlite_path(target: str) -> Path | None:
    """The file behind an SQLite target (plain path or sqlite:/// URL), None for a server."""
    if not _is_url(target):
        return Path(target).expanduser()
    if target.startswith("sqlite:///"):
        return Path(target[len("sqlite:///"):])
    return None


def open_store(target: str | None = None, *, create: bool = True, read_only: bool = False,
               notice: Callable[..., None] | None = None, prepare: bool = True) -> Store:
    """Open (and when allowed, create) the archive at `target`, a path or a URL.

    `create=False` refuses a missing SQLite file with `store.missing`, so the shell can ask
    before making one. A file the user cannot write opens read-only. `notice(key, **values)`
    is told (a catalog key) before work that can take long, such as upgrading an older
    archive, so the user knows why they wait. `prepare=False` only connects: the caller
    prepares the schema inside its own transaction (db.transfer.copy into a server, where a
    failed copy must leave no tables behind).
    """
    target = target or default_url()
    path = sqlite_path(target)
    if path is not None:
        try:
            read_only = _check_file(path, create, read_only)
        except OSError as exc:  # a name too long, a component that is a file...
            raise StoreError("store.cannot_open", path=str(path), reason=exc.strerror or str(exc)) from None
        database = peewee.SqliteDatabase(
            sqlite_uri(path, **_read_only_query(path)) if read_only else sqlite_uri(path),
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            pragmas={"foreign_keys": 1, "busy_timeout": BUSY_TIMEOUT_MS}
            | ({"query_only": 1} if read_only else {"journal_mode": "wal", "synchronous": "normal"}),
            check_same_thread=False,
        )
        dialect = "sqlite"
    else:
        check_url(target)
        with translate_errors(target):
            # Imported only for a server URL: it loads the PostgreSQL driver, which an
            # SQLite start-up (the app's first screen, `kehu find`) need not pay for.
            from playhouse.db_url import connect

            from db.core import drivers

            drivers.postgres()

            try:
                database = connect(target)
            except (peewee.ImproperlyConfigured, ValueError, RuntimeError) as exc:  # an option it refuses
                raise StoreError("store.cannot_open", path=masked(target), reason=first_line(exc, target)) from None
        dialect = "postgres" if isinstance(database, peewee.PostgresqlDatabase) else "sqlite"
    store = Store(url=target, database=database, read_only=read_only, dialect=dialect, path=path)
    # Current before the schema is prepared, so the rules it calls (the locate index's
    # rebuild) reach the store as every other caller does; a failed open leaves none.
    session.activate(store)
    try:
        with translate_errors(target):
            try:
                database.connect(reuse_if_open=True)
            except peewee.ImproperlyConfigured as exc:  # the server's driver is not installed
                raise StoreError("store.cannot_open", path=masked(target), reason=first_line(exc, target)) from None
            if prepare:
                schema.prepare(store, notice)
                operators.admit(store)
    except BaseException:
        store.close()
        raise
    return store


def _check_file(path: Path, create: bool, read_only: bool) -> bool:
    """Refuse what cannot be opened as an archive at `path`; whether it opens read-only.

    An empty file is no archive yet, as a missing one: a look-up refuses it rather than
    write a schema into it, and only an open that may create one makes it an archive."""
    if path.is_dir():
        raise StoreError("store.is_dir", path=str(path))
    empty = path.exists() and path.stat().st_size == 0
    if not path.exists() or empty:
        if not create or read_only:
            raise StoreError("store.missing", path=str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        return read_only
    return read_only or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)


def check_intact(store: Store) -> None:
    """Refuse to write into a damaged SQLite archive (a zeroed page, a torn copy): a write
    that does not read the damaged page would succeed, and leave the damage under new
    data. quick_check reads every page once (a second or two at a million customers),
    which only a command about to write many rows (an import) pays."""
    if store.dialect != "sqlite":
        return
    with translate_errors(store.url):
        found = store.database.execute_sql("PRAGMA quick_check(1)").fetchone()
    if not found or found[0] != "ok":
        raise StoreError("store.damaged", path=store.url)


# The files SQLite keeps beside a database: removed with it, or a stale log would be replayed.
SIDE_FILES = ("-wal", "-shm", "-journal")


def remove_sqlite(path: Path) -> None:
    """Remove an SQLite file and the files beside it."""
    for name in [path] + [Path(f"{path}{side}") for side in SIDE_FILES]:
        name.unlink(missing_ok=True)


@contextlib.contextmanager
def written_beside(path: Path):
    """Write a new SQLite archive for `path` under `.NAME.part` beside it (the block is given
    that name, and closes what it opened there), renamed into place when the block ends.

    The writers (kehu demo, kehu copy) skip the journal and the syncs for speed, so a write
    killed half-way leaves a broken file: under a name of its own, removed on any failure
    and by the next write, never under the name asked for (nor over the archive it replaces)."""
    part = path.with_name(f".{path.name}.part")
    remove_sqlite(part)
    try:
        yield part
        # The old archive's logs go with it, or SQLite would replay them into the new one.
        for side in SIDE_FILES:
            Path(f"{path}{side}").unlink(missing_ok=True)
        os.replace(part, path)
    except BaseException:
        remove_sqlite(part)
        raise
