"""`kehu copy SOURCE TARGET`: the whole archive, every table of db.core.models.ALL_MODELS, from
one database to another (SQLite or PostgreSQL either way), into an empty target only.

The rows are copied as they are stored: ids, versions, who and when, the history. Only the
columns of the models' fields are named, so a column a database computes for itself (a
generated search column) is left to it. The rows are streamed a chunk at a time, so memory
stays flat whatever the archive's size:
- read from SQLite by fetchmany, from PostgreSQL by a cursor of the server (DECLARE, FETCH);
- written to PostgreSQL by COPY FROM STDIN (psycopg2's copy_expert reading the text format
  from `_CopyText`), to SQLite by executemany.
All or nothing: on PostgreSQL everything (the tables too) is one transaction; an SQLite
target is written as a new file beside it and renamed into place when complete.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import peewee

from db import schema
from db.archive import search, server
from db.archive.dimensions import DERIVED
from db.core import bulk, models, session
from db.core.errors import StoreError
from db.core.models import MAIN_DIMENSION, SCHEMA_VERSION, CustomerClass, Dimension, SchemaInfo
from db.core.session import Store, masked, translate_errors
from db.opening import check_url, open_store, sqlite_path, written_beside

# Rows read and written at a time: large enough that the per-call costs vanish, small
# enough that a chunk of the widest table (customer, ~40 columns) is a few MB.
CHUNK = 5_000

# progress(table, rows copied so far, rows of the table)
Progress = Callable[[str, int, int], None]

# The models in foreign-key order (a table after those it refers to).
MODELS = peewee.sort_models(models.ALL_MODELS)


@dataclass
class Copied:
    """What a copy did: each table's rows and seconds, the seconds of the steps after the
    rows (indexes, the locate index, ANALYZE), and the whole time."""

    per_table: dict[str, tuple[int, float]] = field(default_factory=dict)
    steps: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    missing_roles: list[str] = field(default_factory=list)  # operators the target has no role for (server.resync)

    @property
    def tables(self) -> int:
        return len(self.per_table)

    @property
    def rows(self) -> int:
        return sum(rows for rows, _ in self.per_table.values())


def copy_archive(source: str, target: str, progress: Progress | None = None) -> Copied:
    """Copy the archive at `source` (a path or a URL, as --db takes) into the empty archive
    at `target`; refusals are StoreError, and leave the target as it was."""
    started = time.perf_counter()
    if _same(source, target):
        raise StoreError("copy.same", path=masked(source))
    check_target(target)
    src = open_store(source, create=False, read_only=True)
    try:
        # No quick_check of a SQLite source first: the copy reads every page of every table,
        # and a damaged one stops it (store.damaged, nothing written); the source's indexes,
        # which it does not read, are made anew in the target.
        session.detach(src)  # read by its own connection while the models write the target
        # One read transaction: every table is read as of the same moment.
        with translate_errors(source), src.database.atomic():
            if src.dialect == "postgres":
                src.database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            path = sqlite_path(target)
            copied = (_into_sqlite(src, path, progress) if path is not None
                      else _into_postgres(src, target, progress))
    finally:
        src.close()
    copied.seconds = time.perf_counter() - started
    return copied


def _same(source: str, target: str) -> bool:
    """Whether both name the same database: one file (however written), or one database of
    one server."""
    a, b = sqlite_path(source), sqlite_path(target)
    if a is not None or b is not None:
        if a is None or b is None:
            return False
        try:
            return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
        except OSError:
            return False
    return _server(source) == _server(target)


def _server(url: str) -> tuple:
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        port = None
    return ((parts.hostname or "localhost").lower(), port, unquote(parts.path.strip("/")))


def check_target(target: str) -> None:
    """Refuse a target that is not empty (StoreError copy.not_empty); changes nothing.

    Empty: no kehu tables yet, or only the rows a fresh open creates (db.schema.prepare)."""
    path = sqlite_path(target)
    if path is None:
        check_url(target)
        store = open_store(target, prepare=False)
        try:
            with translate_errors(target):
                empty = holds_only_fresh_rows()
        finally:
            store.close()
    elif path.is_dir():
        raise StoreError("store.is_dir", path=str(path))
    elif not path.exists() or path.stat().st_size == 0:
        if not path.parent.is_dir():
            raise StoreError("store.cannot_open", path=str(path), reason="no such directory")
        return
    else:
        try:
            store = open_store(str(path), create=False, read_only=True)
        except StoreError as exc:
            if exc.key in ("store.not_kehu", "store.read_only_old"):  # tables of its own
                raise StoreError("copy.not_empty", path=str(path)) from None
            raise
        try:
            with translate_errors(target):
                empty = holds_only_fresh_rows()
        finally:
            store.close()
    if not empty:
        raise StoreError("copy.not_empty", path=masked(target))


def holds_only_fresh_rows() -> bool:
    """Whether the current store holds no kehu table, or only what a fresh open writes: the
    schema version, the main and derived dimensions and the derived ones' classes, unchanged."""
    db = models.database
    present = [m for m in MODELS if db.table_exists(m._meta.table_name)]
    if not present:
        return True
    if schema.stored_version(session.current()) != SCHEMA_VERSION:
        return False
    seeded = (SchemaInfo, Dimension, CustomerClass)
    if any(m.select().exists() for m in present if m not in seeded):
        return False
    if SchemaInfo in present and SchemaInfo.select().where(SchemaInfo.key != "schema_version").exists():
        return False
    if Dimension in present and Dimension.select().where(
            Dimension.code.not_in([MAIN_DIMENSION, *DERIVED]) | (Dimension.version != 1)).exists():
        return False
    if CustomerClass in present and CustomerClass.select().join(Dimension).where(
            (Dimension.derived == False) | (CustomerClass.version != 1)).exists():  # noqa: E712
        return False
    return True


def _columns(model) -> list[peewee.Field]:
    return list(model._meta.sorted_fields)


def _quoted(model) -> str:
    return ", ".join(f'"{f.column_name}"' for f in _columns(model))


def _select(model, source_dialect: str) -> str:
    """The SELECT reading a table's rows as SQLite stores them (what the SQLite writer takes
    as is, and what the COPY text format needs): on PostgreSQL, booleans as 0/1 and dates
    and times as the text peewee writes into SQLite (str() of a date or datetime)."""
    if source_dialect == "sqlite":
        return f'SELECT {_quoted(model)} FROM "{model._meta.table_name}"'
    exprs = []
    for f in _columns(model):
        col = f'"{f.column_name}"'
        if isinstance(f, peewee.BooleanField):
            exprs.append(f"{col}::int")
        elif isinstance(f, peewee.DateTimeField):
            exprs.append(f"CASE WHEN date_trunc('second', {col}) = {col} "
                         f"THEN to_char({col}, 'YYYY-MM-DD HH24:MI:SS') "
                         f"ELSE to_char({col}, 'YYYY-MM-DD HH24:MI:SS.US') END")
        elif isinstance(f, peewee.DateField):
            exprs.append(f"to_char({col}, 'YYYY-MM-DD')")
        else:
            exprs.append(col)
    return f'SELECT {", ".join(exprs)} FROM "{model._meta.table_name}"'


def _chunks(src: Store, model) -> Iterator[list[tuple]]:
    """The rows of one table of the source, CHUNK at a time. On PostgreSQL through a cursor
    of the server (DECLARE ... FETCH: what psycopg2's named cursor does, which it refuses on
    the autocommit connection peewee keeps, inside the transaction peewee began itself)."""
    sql = _select(model, src.dialect)
    name = f"kehu_copy_{model._meta.table_name}"
    with translate_errors(src.url):
        if src.dialect == "sqlite":
            cursor = src.database.connection().execute(sql)
        else:
            cursor = src.database.cursor()
            cursor.execute(f"DECLARE {name} NO SCROLL CURSOR FOR {sql}")
    try:
        while True:
            # A damaged page or a lost connection of the source is said of the source, also
            # when it surfaces inside the target's transaction.
            with translate_errors(src.url):
                if src.dialect == "sqlite":
                    rows = cursor.fetchmany(CHUNK)
                else:
                    cursor.execute(f"FETCH FORWARD {CHUNK} FROM {name}")
                    rows = cursor.fetchall()
            if not rows:
                return
            yield rows
    finally:
        if src.dialect != "sqlite" and not src.database.is_closed():
            with translate_errors(src.url):
                cursor.execute(f"CLOSE {name}")
        cursor.close()


# COPY's text format: a backslash, tab, newline or carriage return inside a value is
# written as its escape; NULL is \N.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(rows: list[tuple]) -> str:
    """Rows in COPY's text format, one line each."""
    return "".join(
        "\t".join(["\\N" if v is None else v.translate(_ESCAPES) if v.__class__ is str else str(v)
                   for v in row]) + "\n"
        for row in rows)


class _CopyText:
    """A file for psycopg2's copy_expert: each read() hands over the next chunk of rows in
    COPY's text format (copy_expert sends whatever read returns, so a chunk need not be cut
    to the size it asks for), "" at the end.

    copy_expert reports an exception raised by read() as the server's QueryCanceled; the
    exception itself is kept in `failure`, so the caller raises what really happened (a
    damaged source, Ctrl-C)."""

    def __init__(self, chunks: Iterator[list[tuple]]) -> None:
        self._chunks = chunks
        self.failure: BaseException | None = None

    def read(self, size: int = -1) -> str:
        try:
            rows = next(self._chunks, None)
        except BaseException as exc:
            self.failure = exc
            raise
        return "" if rows is None else copy_text(rows)


def _timed(copied: Copied, model, run) -> None:
    """Run `run(done)`, which copies one table counting its rows in done[0]; note both."""
    started, done = time.perf_counter(), [0]
    run(done)
    copied.per_table[model._meta.table_name] = (done[0], time.perf_counter() - started)


def _into_postgres(src: Store, target: str, progress: Progress | None) -> Copied:
    """Everything in one transaction: the tables (when there are none yet), the rows, the
    indexes, the sequences. Indexes and foreign keys are dropped before the rows go in and
    made again after (building an index once is far faster than keeping it in step, and a
    foreign key is then checked by one join instead of a look-up per row); DDL is
    transactional on PostgreSQL, so a failure leaves the target as it was."""
    store = open_store(target, prepare=False)
    try:
        return _load_postgres(src, store, progress)
    finally:
        store.close()


def _load_postgres(src: Store, store: Store, progress: Progress | None) -> Copied:
    copied = Copied()
    with store.writing():
        if not holds_only_fresh_rows():
            raise StoreError("copy.not_empty", path=masked(store.url))
        schema.prepare(store)  # the tables, on a database that has none yet
        db = store.database
        tables = [m._meta.table_name for m in MODELS]
        names = ", ".join(f'"{t}"' for t in tables)
        db.execute_sql(f"TRUNCATE {names}")  # the rows of the fresh open, replaced by the source's
        db.execute_sql("SET LOCAL maintenance_work_mem = '1GB'")
        cursor = db.cursor()
        with _indexes_rebuilt() as rebuilt:
            for model in MODELS:
                sql = f'COPY "{model._meta.table_name}" ({_quoted(model)}) FROM STDIN'

                def load(done, model=model, sql=sql) -> None:
                    # copy_expert pulls the chunks itself, through _CopyText's read()
                    stream = _CopyText(_streamed(src, model, progress, done))
                    try:
                        cursor.copy_expert(sql, stream, size=1 << 20)
                    except Exception:
                        if stream.failure is not None:
                            raise stream.failure from None
                        raise

                _timed(copied, model, load)
            started = time.perf_counter()
            rebuilt.close()
            copied.steps["indexes"] = time.perf_counter() - started
        for model in MODELS:
            pk = model._meta.primary_key
            if isinstance(pk, peewee.AutoField):
                table, column = model._meta.table_name, pk.column_name
                db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                    f'GREATEST(COALESCE(max("{column}"), 0), 1), max("{column}") IS NOT NULL) '
                    f'FROM "{table}"')
        # The operators' database roles, their grants and the row-level security policies:
        # a team's archive copied to a new server is guarded there as it was at home.
        copied.missing_roles = server.resync()
        started = time.perf_counter()
        db.execute_sql(f"ANALYZE {names}")
        copied.steps["analyze"] = time.perf_counter() - started
    # After the commit (VACUUM cannot run in a transaction): the visibility map of every
    # table, without which counts and list anchors read the heap instead of the index alone
    # (the opening count of 1,000,000 took 644 ms instead of 91) until autovacuum comes by.
    # The copy has landed by now; a VACUUM that fails is left to autovacuum, not reported
    # as a failed copy.
    started = time.perf_counter()
    try:
        store.database.execute_sql(f"VACUUM {names}")
    except peewee.DatabaseError:
        pass
    copied.steps["vacuum"] = time.perf_counter() - started
    return copied


def _streamed(src: Store, model, progress: Progress | None, done: list[int]) -> Iterator[list[tuple]]:
    """The chunks of one table, counted in `done[0]`; `progress` is told after each (the
    table's rows are counted for it first, only when there is one to tell)."""
    table = model._meta.table_name
    total = 0
    if progress is not None:
        with translate_errors(src.url):
            total = src.database.execute_sql(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        progress(table, 0, total)
    for rows in _chunks(src, model):
        yield rows
        done[0] += len(rows)
        if progress is not None:
            progress(table, done[0], max(total, done[0]))


@contextlib.contextmanager
def _indexes_rebuilt():
    """Every table's indexes (and on PostgreSQL its foreign keys) dropped for the load and
    made again once after it (db.core.bulk.indexes_rebuilt), which `close()` on the stack
    yielded does, so the caller can time it. Entered referencing tables first, so a foreign
    key goes before the index it rests on; left in the reverse order, so that index is back
    before the key is checked again."""
    with contextlib.ExitStack() as stack:
        for model in reversed(MODELS):
            stack.enter_context(bulk.indexes_rebuilt(model._meta.table_name, large=True))
        yield stack


def _into_sqlite(src: Store, path: Path, progress: Progress | None) -> Copied:
    """A new file beside `path`, renamed into place when complete. Nothing is lost if the
    load fails half-way (the file is removed), so it skips the journal and the syncs, and
    its indexes (the locate index too) are made once after the rows are in."""
    copied = Copied()
    with written_beside(path) as part:
        store = open_store(str(part))
        try:
            conn = store.database.connection()
            conn.execute("PRAGMA journal_mode = MEMORY")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA foreign_keys = OFF")  # the source's rows are consistent already
            with store.writing():
                for model in reversed(MODELS):  # the rows of the fresh open, replaced
                    conn.execute(f'DELETE FROM "{model._meta.table_name}"')
                with _indexes_rebuilt() as rebuilt:
                    for model in MODELS:
                        marks = ", ".join("?" * len(_columns(model)))
                        insert = f'INSERT INTO "{model._meta.table_name}" ({_quoted(model)}) VALUES ({marks})'

                        def load(done, model=model, insert=insert) -> None:
                            for rows in _streamed(src, model, progress, done):
                                conn.executemany(insert, rows)

                        _timed(copied, model, load)
                    started = time.perf_counter()
                    rebuilt.close()
                    copied.steps["indexes"] = time.perf_counter() - started
                started = time.perf_counter()
                search.rebuild()
                copied.steps["locate index"] = time.perf_counter() - started
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        finally:
            store.close()
    return copied
