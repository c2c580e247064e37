"""The files of an export: a CSV file or a sheet of a workbook written page by page
(Writer), all of an export's files renamed into place together (Output), and the read-ahead
thread that makes SQLite's next page while this one is written."""
from __future__ import annotations

import contextlib
import csv
import os
import queue
import shutil
import threading
import unicodedata
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from db.core.errors import RuleError
from db.core.models import database
from db.core.session import current
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


def sql_lines(fmt: str) -> bool:
    """Whether SQLite makes the CSV lines (PostgreSQL's come from a COPY, or as rows through
    the csv module)."""
    return fmt == "csv" and current().dialect == "sqlite"


def display_width(text: str) -> int:
    """Columns `text` takes on a screen or in a spreadsheet: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


# ---------------------------------------------------------------- writers


class Writer:
    """One output file (CSV) or one sheet of a workbook, written row by row."""

    def __init__(self, fmt: str, target: Path, book=None, title: str = "", parts: Path | None = None):
        self.fmt = fmt
        self.target = target
        self.by_sql = sql_lines(fmt)
        self.by_copy = fmt == "csv" and current().dialect != "sqlite"  # Writer.copy
        self.width = 0
        if fmt == "csv":
            self.tmp = target.with_name(f".{target.name}.tmp")
            # The BOM written by hand: Python's utf-8-sig codec encodes in Python, utf-8 in C.
            self.file = open(self.tmp, "w", encoding="utf-8", newline="")
            self.file.write("\ufeff")
            self.csv = csv.writer(self.file)
        else:
            self.sheet = book.create_sheet(title)
            self.parts = parts

    def header(self, names: list[str], widths: list[int]) -> None:
        self.width = len(names)
        if self.fmt == "csv":
            self.csv.writerow(names)
            return
        from openpyxl.utils import get_column_letter

        # Column widths must be set before the first row of a write-only sheet.
        for i, (name, width) in enumerate(zip(names, widths), 1):
            self.sheet.column_dimensions[get_column_letter(i)].width = min(
                MAX_WIDTH, max(display_width(name), width) + 2)
        self.sheet.freeze_panes = "A2"
        _stream_beside(self.sheet, self.parts)  # its top holds the widths and the frozen row
        self.sheet.append(names)

    def lines(self, page: bytes) -> None:
        """A page of rows made into lines by SQLite (csv_line), joined by _END."""
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
            append, literal = self.sheet.append, self._literal
            for row in rows:
                # The quick test lets ordinary rows through untouched; line breaks (legal in
                # a cell) also take the slow path, which leaves them as they are.
                if any(type(v) is str and (v[:1] == "=" or not v.isprintable()) for v in row):
                    row = [literal(v) for v in row]
                append(row)

    def _literal(self, value):
        """A text as a text cell. One starting with "=" would be written as a formula, which
        a spreadsheet evaluates and which reads back empty; control characters a workbook
        cannot hold (ESC...) are written escaped (\x1b) instead of failing the export."""
        if type(value) is not str:
            return value
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: ascii(m.group())[1:-1], value)
        if value[:1] != "=":
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.data_type = "s"
        return cell

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


def _stream_beside(sheet, parts: Path) -> None:
    """Stream a write-only sheet to a file in `parts` rather than openpyxl's own temporary
    file in TMPDIR, which a killed export (SIGKILL, no handler runs) would leave there for
    good; in `parts` the next export to the same file removes it. Registered in openpyxl's
    list of temporary files, so its save and its exit handler remove it as they would theirs."""
    from openpyxl.worksheet import _writer

    out = str(parts / f"sheet{sheet.parent.worksheets.index(sheet) + 1}.xml")
    _writer.ALL_TEMP_FILES.append(out)
    sheet._writer = _writer.WorksheetWriter(sheet, out=out)
    sheet._writer.write_top()


class Output:
    """The files of one export: a workbook (sheets) or CSV files, all renamed into place
    only when every one is complete.

    A workbook's sheets are streamed to `.<name>.parts/` beside the file while it is made,
    removed when it is saved or abandoned, and at the start of the next export to that file
    when a killed export left it behind."""

    def __init__(self, path: Path):
        self.path = path
        self.fmt = _format_of(path)
        self.writers: list[Writer] = []
        self.discarded = False
        self.book = None
        self.parts = path.with_name(f".{path.name}.parts")
        if self.fmt == "xlsx":
            from openpyxl import Workbook

            shutil.rmtree(self.parts, ignore_errors=True)
            self.parts.mkdir()
            self.book = Workbook(write_only=True)

    def sheet(self, kind: str, lang: str, csv_suffix: str = "") -> Writer:
        target = self.path.with_name(f"{self.path.stem}{csv_suffix}{self.path.suffix}")
        title = SHEETS[kind][0] if lang == "zh" else SHEETS[kind][1]
        writer = Writer(self.fmt, target, self.book, title, self.parts)
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
                    _remove_sheets(self.book)
                    shutil.rmtree(self.parts, ignore_errors=True)
                if exc is None:
                    return False
                if isinstance(exc, OSError):  # a full disk, mid-way: said as any failed write
                    raise RuleError("export.cannot_write", path=str(self.path),
                                    reason=exc.strerror or str(exc)) from None
                return False
            for w in self.writers:
                w.close()
            if self.book is not None:
                tmp = self.path.with_name(f".{self.path.name}.tmp")
                try:
                    self.book.save(tmp)
                    os.replace(tmp, self.path)
                finally:
                    tmp.unlink(missing_ok=True)
                    shutil.rmtree(self.parts, ignore_errors=True)
        except OSError as err:
            raise RuleError("export.cannot_write", path=str(self.path), reason=err.strerror or str(err)) from None
        return False


def _remove_sheets(book) -> None:
    """Close a workbook's sheets and remove their temporary files (openpyxl's write-only
    sheets stream to one each, removed only when the book is saved or Python exits)."""
    for sheet in book.worksheets:
        if sheet._writer is None:  # nothing written to it, nothing to remove
            continue
        # A sheet interrupted mid-row (SIGTERM, Ctrl-C) has a dead writer generator, whose
        # close raises StopIteration or RuntimeError: closing only releases its file handle,
        # so whatever it raises, the file is removed next.
        with contextlib.suppress(Exception):
            if not sheet.closed:
                sheet.close()
        with contextlib.suppress(OSError):
            sheet._writer.cleanup()


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
    by SQLite are read ahead; rows are not, since building them takes the GIL row by row
    (an xlsx export was 3% slower so, its openpyxl being the cost)."""
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
