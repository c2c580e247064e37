"""The files of an export: a CSV file or a sheet of a workbook written page by page
(Writer), all of an export's files renamed into place together (Output), and the read-ahead
thread that makes SQLite's next page while this one is written."""
from __future__ import annotations

import csv
import os
import queue
import threading
import unicodedata
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from db.core.errors import RuleError
from db.core.models import database
from db.core.session import current
from db.transfer import xlsx_stream
from db.transfer.export_sql import PAGE, convert_rows, csv_bytes, kind_of
from db.values import fields as fields_meta
from db.values.columns import SHEETS, Column

MAX_WIDTH = 50
ProgressFn = Callable[[int, int], None]


def formats() -> tuple[str, ...]:
    return (".xlsx", ".csv")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in formats():
        raise RuleError("export.format", path=str(path))
    return suffix[1:]


def sql_lines() -> bool:
    """Whether SQLite makes the rows' lines, CSV or sheet XML (PostgreSQL's CSV comes from a
    COPY; otherwise rows are read into Python and written by the csv module or xlsx_stream)."""
    return current().dialect == "sqlite"


def display_width(text: str) -> int:
    """Columns `text` takes on a screen or in a spreadsheet: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


# ---------------------------------------------------------------- writers


class Writer:
    """One output file (CSV) or one sheet of a workbook (xlsx_stream), written row by row."""

    def __init__(self, fmt: str, target: Path, book: xlsx_stream.Book | None = None, title: str = ""):
        self.fmt = fmt
        self.target = target
        self.by_sql = sql_lines()
        self.by_copy = fmt == "csv" and current().dialect != "sqlite"  # Writer.copy
        self.width = 0
        if fmt == "csv":
            self.tmp = target.with_name(f".{target.name}.tmp")
            # The BOM written by hand: Python's utf-8-sig codec encodes in Python, utf-8 in C.
            self.file = open(self.tmp, "w", encoding="utf-8", newline="")
            self.file.write("\ufeff")
            self.csv = csv.writer(self.file)
        else:
            self.sheet = book.sheet(title)

    def header(self, names: list[str], widths: list[int]) -> None:
        self.width = len(names)
        if self.fmt == "csv":
            self.csv.writerow(names)
            return
        self.sheet.start([min(MAX_WIDTH, max(display_width(name), width) + 2)
                          for name, width in zip(names, widths)])
        self.sheet.rows([names])

    def lines(self, page: bytes) -> None:
        """A page of rows made by SQLite (sql_line), joined by _END: CSV lines or sheet rows."""
        if self.fmt == "xlsx":
            self.sheet.lines(page)
            return
        # The header went through the text layer: flushed first, so it comes first.
        self.file.flush()
        self.file.buffer.write(csv_bytes(page, self.width))

    def copy(self, sql: str, done: int, total: int, progress: ProgressFn | None) -> int:
        """The rows of a COPY .. TO STDOUT (FORMAT csv) (export_sql.copy_sql) written into the
        file as they come, counted; `done` rows were written before them."""
        self.file.flush()  # the header went through the text layer
        sink = _CopySink(self.file.buffer, done, total, progress)
        database.connection().cursor().copy_expert(sql, sink)
        sink.flush()
        return sink.rows

    def rows(self, rows: Iterable) -> None:
        if self.fmt == "csv":
            self.csv.writerows(rows)
        else:
            self.sheet.rows(rows)

    def close(self) -> None:
        if self.fmt == "csv":
            self.file.close()
            os.replace(self.tmp, self.target)

    def abandon(self) -> None:
        if self.fmt == "csv":
            self.file.close()
            self.tmp.unlink(missing_ok=True)


class _CopySink:
    """Where psycopg2 writes a COPY's output: one row a call (PQgetCopyData's unit), ending
    in "\n", made to end in "\r\n" as csv.writer's lines do (a line break inside a quoted
    cell stays as it is, as csv.writer leaves it); written a page at a time."""

    def __init__(self, out, done: int, total: int, progress: ProgressFn | None):
        self.out, self.done, self.total, self.progress = out, done, total, progress
        self.rows = 0
        self.pending: list[bytes] = []

    def write(self, row: bytes) -> None:
        self.pending.append(row[:-1])
        self.rows += 1
        if self.rows % PAGE == 0:
            self.flush()
            if self.progress:
                self.progress(self.done + self.rows, self.total)

    def flush(self) -> None:
        if self.pending:
            self.pending.append(b"")
            self.out.write(b"\r\n".join(self.pending))
            self.pending.clear()


def width_of(column: Column) -> int:
    kind = kind_of(column)
    if kind in ("date",):
        return 10
    if kind in ("datetime",):
        return 19
    if kind in ("money", "percent", "int", "flag"):
        return 12
    meta = fields_meta.BY_KEY.get(column.field)
    # Text columns get room for a typical value, not their maximum length (98 for a name).
    return min(MAX_WIDTH - 2, (meta.max_length or 20) if meta else 20, 30)


class Output:
    """The files of one export: a workbook (sheets) or CSV files, all renamed into place
    only when every one is complete.

    A workbook is streamed to `.<name>.tmp` beside the file while it is made, removed when
    the export fails; one a killed export left behind is overwritten by the next export to
    that file."""

    def __init__(self, path: Path):
        self.path = path
        self.fmt = _format_of(path)
        self.writers: list[Writer] = []
        self.discarded = False
        self.book = None
        self.tmp = path.with_name(f".{path.name}.tmp")
        if self.fmt == "xlsx":
            self.book = xlsx_stream.Book(self.tmp)

    def sheet(self, kind: str, lang: str, csv_suffix: str = "") -> Writer:
        target = self.path.with_name(f"{self.path.stem}{csv_suffix}{self.path.suffix}")
        title = SHEETS[kind][0] if lang == "zh" else SHEETS[kind][1]
        writer = Writer(self.fmt, target, self.book, title)
        self.writers.append(writer)
        return writer

    def paths(self) -> list[Path]:
        if self.discarded:
            return []
        return [self.path] if self.fmt == "xlsx" else [w.target for w in self.writers]

    def discard(self) -> None:
        """Write none of the files (nothing was exported): a file already under the name
        asked for stays as it was, rather than be replaced by a header alone."""
        self.discarded = True

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        try:
            if exc is not None or self.discarded:
                for w in self.writers:
                    w.abandon()
                if self.book is not None:
                    self.book.abandon()
                    self.tmp.unlink(missing_ok=True)
                if exc is None:
                    return False
                if isinstance(exc, OSError):  # a full disk, mid-way: said as any failed write
                    raise RuleError("export.cannot_write", path=str(self.path),
                                    reason=exc.strerror or str(exc)) from None
                return False
            for w in self.writers:
                w.close()
            if self.book is not None:
                try:
                    self.book.close()
                    os.replace(self.tmp, self.path)
                finally:
                    self.tmp.unlink(missing_ok=True)
        except OSError as err:
            raise RuleError("export.cannot_write", path=str(self.path), reason=err.strerror or str(err)) from None
        return False


def open_output(path) -> Output:
    path = Path(path).expanduser()
    _format_of(path)
    if not path.parent.is_dir():
        raise RuleError("export.cannot_write", path=str(path), reason="no such directory")
    try:
        return Output(path)
    except OSError as err:
        raise RuleError("export.cannot_write", path=str(path), reason=err.strerror or str(err)) from None

def write_pages(writer: Writer, pages: Iterator[tuple[int, object]], converters, done: int,
                 total: int, progress: ProgressFn | None) -> int:
    """Write `pages` (keyset_pages' kind); `done` rows were written before them. Lines made
    by SQLite are read ahead; rows are not, since building them takes the GIL row by row."""
    count = 0
    for rows, page in read_ahead(pages) if writer.by_sql else pages:
        if writer.by_sql:
            writer.lines(page)
        else:
            writer.rows(convert_rows(page, converters))
        count += rows
        if progress:
            progress(done + count, total)
    return count


class _Failed(NamedTuple):
    error: BaseException


def read_ahead(pages: Iterator, depth: int = 2) -> Iterator:
    """`pages`, read on a thread of their own up to `depth` pages ahead of their writing.

    A page's lines are made by SQLite in one step with the GIL released (keyset_pages), so
    the next page is made on the second core while this one is quoted and written. The
    thread reads through a
    connection of its own (peewee's connections are per thread), closed when it ends; its
    error is raised here, and the writer stopping early (a full disk) stops it."""
    out: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    end = object()

    def read():
        try:
            for page in pages:
                out.put(page)
                if stop.is_set():
                    return
            out.put(end)
        except BaseException as exc:  # noqa: BLE001 (handed to the writer, which raises it)
            out.put(_Failed(exc))
        finally:
            database.close()

    thread = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := out.get()) is not end:
            if type(item) is _Failed:
                raise item.error
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # a put waiting for room ends when the queue is drained
            try:
                out.get(timeout=0.05)
            except queue.Empty:
                pass
