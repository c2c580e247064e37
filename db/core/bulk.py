"""Rows in bulk, the one place where the two databases take them differently.

PostgreSQL gets rows by COPY: one stream of CSV per table through psycopg2's copy_expert,
one round trip for any number of rows (its executemany is a round trip per row: 26 minutes
for a million customers). SQLite gets them by executemany, in-process, where a row costs
no round trip. Either way the rows are an iterable consumed as it is written, so a caller
can hand a generator and nothing holds all of them.

The set-based statements that use the rows (INSERT ... SELECT, UPDATE ... FROM) are the
same on both and stay with their callers: `temp_table` loads the rows they join against,
`stream` reads a large result back a few thousand rows at a time, and `indexes_rebuilt`
builds a table's indexes (and on PostgreSQL checks its foreign keys) once after a load that
is most of the table.
"""
from __future__ import annotations

import contextlib
import csv
import io
import itertools
from typing import Iterable, Iterator, Sequence

import peewee

from db.core import models
from db.core.session import current

# Rows turned into CSV text per read of the COPY stream.
COPY_ROWS = 2000
# Rows a server-side cursor hands over per round trip (`stream`).
STREAM_ROWS = 5000


def _postgres() -> bool:
    return current().dialect != "sqlite"


def insert(table: str, columns: Sequence[str], rows: Iterable[tuple],
           texts: Sequence[str] = ()) -> None:
    """Write `rows` (tuples in the order of `columns`) into `table`, in the caller's
    transaction. `texts`: the columns holding text, where an empty value is the empty
    string (on PostgreSQL every other column reads an empty value as NULL, which is what
    None becomes). A driver error becomes peewee's (IntegrityError for a taken key).

    Making the rows must not use the database: on PostgreSQL its connection is busy with
    the COPY while they are read (a caller that reads as it goes inserts a chunk at a time)."""
    with peewee.__exception_wrapper__:
        if not _postgres():
            marks = ", ".join("?" * len(columns))
            models.database.cursor().executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        options = "FORMAT csv"
        if texts:
            options += f", FORCE_NOT_NULL ({', '.join(texts)})"
        names = ", ".join(columns)
        cursor = models.database.cursor()
        if _row_security(table):
            # COPY FROM refuses a table whose row-level security applies to this role (an
            # operator's scope, db.archive.server): copied into a temporary twin, then
            # inserted from there, each row checked by the table's policy.
            cursor.execute(f"CREATE TEMP TABLE kehu_copy (LIKE {table} INCLUDING DEFAULTS)")
            cursor.copy_expert(f"COPY kehu_copy ({names}) FROM STDIN WITH ({options})", _CsvStream(rows))
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM kehu_copy")
            cursor.execute("DROP TABLE kehu_copy")
            return
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH ({options})", _CsvStream(rows))


def _row_security(table: str) -> bool:
    """Whether row-level security applies to this role on `table` (NULL, so no, for a
    table to_regclass does not find)."""
    found = models.database.execute_sql(
        "SELECT row_security_active(to_regclass(%s))", (table,)).fetchone()
    return bool(found and found[0])


def text_columns(model, names: Iterable[str]) -> list[str]:
    """The column names of those of `model`'s fields `names` that hold text."""
    fields = model._meta.fields
    return [fields[n].column_name for n in names
            if isinstance(fields[n], (peewee.CharField, peewee.TextField))]


class _CsvStream:
    """`rows` as CSV text, read by copy_expert a piece at a time. The csv module writes
    a row in C; None and "" both come out empty and unquoted, and the COPY's FORCE_NOT_NULL
    tells them apart by the column. Every value is written as str() writes it, which is
    PostgreSQL's input form for the types kehu stores (dates and datetimes in ISO form,
    True / False, integers)."""

    def __init__(self, rows: Iterable[tuple]):
        self.rows = iter(rows)
        self.buffer = io.StringIO()
        # \r\n ends a line, so the writer quotes a value holding either character (with
        # "\n" alone it leaves a lone \r bare, which PostgreSQL's CSV refuses).
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def read(self, size: int = -1) -> str:
        buffer = self.buffer
        buffer.seek(0)
        buffer.truncate()
        self.writer.writerows(itertools.islice(self.rows, COPY_ROWS))
        return buffer.getvalue()


@contextlib.contextmanager
def temp_table(name: str, select: str, columns: Sequence[str], rows: Iterable[tuple],
               texts: Sequence[str] = (), params: Sequence = ()):
    """A temporary table `name` shaped by `select` (a SELECT whose columns give the table's
    names and types; it is run with no rows), holding `rows` in the order of `columns`, for
    the set statements of the block. Dropped after the block; on PostgreSQL also at the
    commit (ON COMMIT DROP), so an error cannot leave it behind, and analyzed once loaded,
    since autovacuum never looks at a temporary table and the planner would guess."""
    db = models.database
    on_commit = " ON COMMIT DROP" if _postgres() else ""
    sql = f"CREATE TEMP TABLE {name}{on_commit} AS {select} LIMIT 0"
    db.execute_sql(sql.replace("?", db.param), params)
    insert(name, columns, rows, texts)
    analyze(name)
    yield name
    # Not after an error: the caller's rollback takes the table with it (DDL is
    # transactional on both), and an aborted PostgreSQL transaction would refuse the DROP.
    db.execute_sql(f"DROP TABLE {name}")


@contextlib.contextmanager
def indexes_rebuilt(table: str, large: bool):
    """For a load that is a large part of `table` (`large`): the table's indexes are
    dropped for the block and built again after it, which sorts each index once instead of
    inserting into every B-tree (and, on PostgreSQL, the trigram indexes) row by row. The
    primary key stays. On PostgreSQL the table's foreign keys go the same way and are
    checked again by one join when they are added back, instead of a trigger per row and
    key (85% of writing 300,000 memberships). Inside the caller's transaction: an error
    rolls the drop back with the rows, and a unique key taken since the plan fails its
    index's rebuild (IntegrityError). On PostgreSQL the drop locks the table until the
    commit, which a bulk load into a new archive can afford."""
    db = models.database
    if not large:
        yield
        return
    if _postgres():
        indexes = db.execute_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = %s AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass)", (table, table)).fetchall()
        keys = db.execute_sql("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                              "WHERE conrelid = %s::regclass AND contype = 'f'", (table,)).fetchall()
        for name, _ in keys:
            db.execute_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    else:
        indexes = db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,)).fetchall()
    for name, _ in indexes:
        db.execute_sql(f'DROP INDEX "{name}"')
    yield
    with peewee.__exception_wrapper__:
        if _postgres():
            for _, sql in indexes:
                db.execute_sql(sql)
            for name, definition in keys:
                db.execute_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            return
        # Two sorter threads build each index about 10% sooner.
        threads = db.execute_sql("PRAGMA threads").fetchone()[0]
        db.execute_sql("PRAGMA threads = 2")
        try:
            for _, sql in indexes:
                db.execute_sql(sql)
        finally:
            db.execute_sql(f"PRAGMA threads = {int(threads)}")


def analyze(table: str) -> None:
    """Fresh statistics of a table just loaded, so PostgreSQL's planner joins it by what it
    holds (autovacuum never looks at a temporary table); SQLite plans by its indexes."""
    if _postgres():
        models.database.execute_sql(f"ANALYZE {table}")


def stream(sql: str, params: Sequence = ()) -> Iterator[tuple]:
    """The rows of a query (written with ? placeholders), inside the caller's transaction,
    fetched a few thousand at a time: on PostgreSQL through a cursor declared on the
    server, since psycopg2's ordinary cursor takes the whole result into memory at once
    (peewee runs psycopg2 in autocommit with its own BEGIN, where psycopg2 refuses its named
    cursors); SQLite's cursor steps through the result by itself."""
    db = models.database
    if not _postgres():
        yield from db.execute_sql(sql, params)
        return
    db.execute_sql(f"DECLARE kehu_stream NO SCROLL CURSOR FOR {sql.replace('?', '%s')}", params)
    while rows := db.execute_sql(f"FETCH {STREAM_ROWS} FROM kehu_stream").fetchall():
        yield from rows
    db.execute_sql("CLOSE kehu_stream")
