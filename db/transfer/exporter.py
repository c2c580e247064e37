"""输出: the current list or the whole archive to `.xlsx` or `.csv`, streamed.

Rows are read by keyset pages (never the whole table) and written as they come: a CSV in
UTF-8 with a BOM so Excel opens Chinese correctly, its lines made by SQLite (see _csv_line)
or, on PostgreSQL, by the csv module; a workbook through openpyxl's write-only mode, with a
header row, column widths, and dates as real date cells. The file is written beside its
target and renamed into place at the end, so a failed export never leaves half a file under
the name asked for.

The whole archive (`export_archive`) is what an import into an empty archive restores: the
customers with a column per typed dimension, the classes of every typed dimension (with each
dimension's name and scheme) and the sales. A workbook holds them as three sheets; a CSV
target becomes three files, `name.csv`, `name-classes.csv` and `name-sales.csv`.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import queue
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from db.archive import classes as class_rules
from db.values import fields as fields_meta
from db.values.columns import CLASS_COLUMNS, CLASS_NAME, COLUMNS, SALE_COLUMNS, SHEETS, Column
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Membership, Sale, database
from db.values.money import format_percent
from db.core.session import current

PAGE = 5000
MAX_WIDTH = 50
ProgressFn = Callable[[int, int], None]


@dataclass
class ExportResult:
    paths: list[Path]
    customers: int = 0
    classes: int = 0
    sales: int = 0
    seconds: float = 0.0


def formats() -> tuple[str, ...]:
    return (".xlsx", ".csv")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in formats():
        raise RuleError("export.format", path=str(path))
    return suffix[1:]


# ---------------------------------------------------------------- values


def _yuan(fen):
    """Money for a cell: a number in yuan (a workbook sums it), exact to the fen."""
    return None if fen is None else fen / 100


def _money_text(fen):
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan}.{cents:02d}"


def _date_value(value):
    """SQLite returns dates as text, PostgreSQL as dates: a date (or datetime) either way."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text[:19])


def _yes_no(lang: str) -> tuple[str, str]:
    return ("是", "否") if lang == "zh" else ("yes", "no")


def _converters(kinds: list[str], fmt: str, lang: str) -> list[tuple[int, Callable]]:
    """(column index, converter) for the columns whose stored value is not what the file
    shows; text columns pass through untouched (the common case, and the fast one)."""
    yes, no = _yes_no(lang)
    by_kind = {
        "money": _yuan if fmt == "xlsx" else _money_text,
        "percent": (lambda v: format_percent(v or 0)) if fmt == "csv" else (lambda v: (v or 0) / 100),
        "flag": lambda v: yes if v else no,
        # The csv module writes None as "" and a date as YYYY-MM-DD (SQLite returns text
        # already): only a workbook needs them converted, into date cells.
        "date": _date_value if fmt == "xlsx" else None,
        "datetime": _date_value if fmt == "xlsx" else None,
        "text": None,
        "int": None,
    }
    return [(i, by_kind[k]) for i, k in enumerate(kinds) if by_kind.get(k)]


def _convert_rows(rows: Iterable[tuple], converters) -> Iterator[list]:
    if not converters:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i, conv in converters:
            row[i] = conv(row[i])
        yield row


def _kind(column: Column) -> str:
    meta = fields_meta.BY_KEY.get(column.field)
    if meta is None:
        return column.kind
    if meta.kind == "auto":
        return "datetime" if column.field.endswith("_at") else "text"
    return meta.kind


# ---------------------------------------------------------------- CSV lines made by SQLite

# Fetching a row as 36 Python values costs more than the whole export may take (14 s for a
# million rows, most of it building the objects), and csv.writer as much again. So on SQLite
# a CSV row is made into one line by the database (printf over its cells, the same texts
# _converters gives) and handed over as bytes, never decoded. Cells are joined by _SEP and a
# page's lines by _END, bytes no UTF-8 text holds: the few cells that need quoting are found
# by a byte search over the page, and the separators become commas and line ends after.
_SEP = b"\xff"
_END = b"\xfe"
# What csv.writer (QUOTE_MINIMAL, lines ending "\r\n") quotes a field for.
_QUOTED_FOR = b',"\r\n'
# SQLite refuses a function call with more than 127 arguments (a printf over a customer row
# plus many dimensions); the cells are formatted in groups of this many.
_PRINTF_CELLS = 100


def _sqlite_text(expr: str, kind: str, lang: str) -> tuple[str, list]:
    """SQLite's text for a cell of `kind` as _converters writes it to a CSV, with its
    parameters. printf writes NULL as "" and a number as its digits, as csv.writer does."""
    if kind == "money":
        return (f"CASE WHEN {expr} IS NULL THEN '' ELSE printf('%s%d.%02d', "
                f"CASE WHEN {expr} < 0 THEN '-' ELSE '' END, abs({expr}) / 100, abs({expr}) % 100) END"), []
    if kind == "percent":
        # format_percent's divmod floors, so the hundredths are never negative; no printf
        # (it would double the export's cost of this column): 1250 -> "12.5", 1205 -> "12.05".
        value = f"ifnull({expr}, 0)"
        part = f"(({value} % 100 + 100) % 100)"
        whole = f"(({value} - {part}) / 100)"
        return (f"CASE WHEN {part} = 0 THEN {whole} WHEN {part} % 10 = 0 THEN {whole} || '.' || ({part} / 10) "
                f"ELSE {whole} || '.' || substr({part} + 100, 2) END"), []
    if kind == "flag":
        return f"CASE WHEN {expr} THEN ? ELSE ? END", list(_yes_no(lang))
    return expr, []


def _csv_line(cells: list[tuple[str, str]], lang: str) -> tuple[str, list]:
    """One SELECT expression for the CSV line of `cells` ((SQL, kind) each), with its
    parameters: the cells' texts joined by _SEP, as a blob (bytes, nothing decoded)."""
    groups, params = [], []
    for start in range(0, len(cells), _PRINTF_CELLS):
        group = cells[start:start + _PRINTF_CELLS]
        # The format is a parameter, a blob: SQLite copies its 0xFF bytes as they are.
        params.append(_SEP.join([b"%s"] * len(group)))
        texts = []
        for expr, kind in group:
            text, values = _sqlite_text(expr, kind, lang)
            texts.append(text)
            params += values
        groups.append(f"printf(?, {', '.join(texts)})")
    line = " || x'ff' || ".join(groups)
    return f"CAST({line} AS BLOB)", params


def _offsets(data: bytes, byte: int) -> Iterator[int]:
    at = data.find(byte)
    while at >= 0:
        yield at
        at = data.find(byte, at + 1)


def _csv_bytes(page: bytes, width: int) -> bytes:
    """A page of lines made by _csv_line (`width` cells each, joined by _END, as
    _keyset_pages and _list_pages read them) as the bytes csv.writer writes for them.

    The page is searched as one: the characters that make a cell quoted are found by byte (a
    comma in a quarter of the rows, in remarks), and only their cells are touched."""
    between = b","
    if width == 1:
        # csv.writer quotes a row's only field when it is empty (else the row would be a
        # blank line, which a reader skips); a one-cell line has no separator to mark it.
        page = _END.join([line or _SEP for line in page.split(_END)])
        between = b'""'
    page += _END
    out, done = [], 0
    for at in sorted(at for byte in _QUOTED_FOR for at in _offsets(page, byte)):
        if at < done:  # another such character in a cell already quoted
            continue
        start = max(page.rfind(_SEP, 0, at), page.rfind(_END, 0, at)) + 1
        line_end = page.find(_END, at)
        end = page.find(_SEP, at, line_end)
        end = line_end if end < 0 else end
        out += (page[done:start], b'"', page[start:end].replace(b'"', b'""'), b'"')
        done = end
    out.append(page[done:])
    return b"".join(out).replace(_SEP, between).replace(_END, b"\r\n")


def _sql_lines(fmt: str) -> bool:
    """Whether SQLite makes the CSV lines; PostgreSQL's rows go through the csv module."""
    return fmt == "csv" and current().dialect == "sqlite"


def display_width(text: str) -> int:
    """Columns `text` takes on a screen or in a spreadsheet: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


# ---------------------------------------------------------------- customer rows


def customer_columns(names: list[str] | None = None) -> list[Column]:
    """The customer columns for `names` (field keys, or the list's class_name; None: every
    field), refusing unknown ones."""
    known = {c.field: c for c in COLUMNS["customers"]} | {CLASS_NAME.field: CLASS_NAME}
    if not names:
        return list(COLUMNS["customers"])
    missing = [n for n in names if n not in known]
    if missing:
        raise RuleError("export.unknown_column", column=", ".join(missing))
    return [known[n] for n in names]


def _typed_dimensions() -> list[Dimension]:
    return list(Dimension.select().where(Dimension.code != MAIN_DIMENSION, Dimension.derived == False)  # noqa: E712
                .order_by(Dimension.position, Dimension.id))


def _customer_select(key: str, columns: list[Column], dims: list[Dimension],
                     line_lang: str | None, class_dim: Dimension | None = None,
                     by_page: bool = False) -> tuple[str, list]:
    """SELECT of the customer's `key` column (as k), then its columns plus one class column
    per dimension (a LEFT JOIN on the (customer, dimension) unique index each): as values, or
    with `line_lang` as one CSV line in that language (_csv_line), as line.

    `class_dim` is the dimension whose class the class_code and class_name columns hold, as
    the list shows it (a list's export passes it; the whole archive's has no class_name).
    `by_page` limits the rows to the ids of a table page_ids (key, value), which the caller
    defines, each with its place as j.key (a list's page, _list_pages)."""
    table = Customer._meta.table_name
    p = database.param
    joins, params = [], []
    class_col = "c.class_code"
    fields = {col.field for col in columns}
    if class_dim is not None and class_dim.code != MAIN_DIMENSION and fields & {"class_code", "class_name"}:
        class_col = "mc.class_code"
        joins.append(f"LEFT JOIN {Membership._meta.table_name} mc ON mc.customer_id = c.id "
                     f"AND mc.dimension_id = {p}")
        params.append(class_dim.id)
    if CLASS_NAME.field in fields:
        joins.append(f"LEFT JOIN {CustomerClass._meta.table_name} k ON k.dimension_id = {p} "
                     f"AND k.code = {class_col}")
        params.append(class_dim.id)
    special = {"class_code": class_col, CLASS_NAME.field: "k.name"}
    cells = [(special.get(col.field) or f"c.{getattr(Customer, col.field).column_name}", _kind(col))
             for col in columns]
    for n, dim in enumerate(dims):
        cells.append((f"m{n}.class_code", "text"))
        joins.append(f"LEFT JOIN {Membership._meta.table_name} m{n} ON m{n}.customer_id = c.id "
                     f"AND m{n}.dimension_id = {p}")
        params.append(dim.id)
    source = f"page_ids j JOIN {table} c ON c.id = j.value" if by_page else f"{table} c"
    if line_lang:
        line, line_params = _csv_line(cells, line_lang)
        parts, params = [f"{line} AS line"], line_params + params
    else:
        parts = [expr for expr, _ in cells]
    return f"SELECT c.{key} AS k, {', '.join(parts)} FROM {source} {' '.join(joins)}", params


def _keyset_pages(select: str, params: list, key: str, lines: bool) -> Iterator[tuple[int, object]]:
    """The rows of `select` (its first column, k, is `key`) in `key` order, a keyset page at a
    time (WHERE key > the last one), as (rows, payload): the rows' other columns, or with
    `lines` the page's lines (_csv_line) joined by _END, made by SQLite in one step.

    Handing over a page as one value saves building 5,000 bytes objects, and above all it
    lets _read_ahead work: SQLite releases the GIL for the whole page rather than between
    two rows. The aggregate reads its subquery in ORDER BY order: SQLite never flattens a
    subquery with a LIMIT into an aggregate query."""
    p = database.param
    last = None
    while True:
        where = f" WHERE {key} > {p}" if last is not None else ""
        sql = f"{select}{where} ORDER BY {key} LIMIT {PAGE}"
        args = params + ([last] if last is not None else [])
        if lines:
            page, last, count = database.execute_sql(
                f"SELECT CAST(group_concat(line, x'fe') AS BLOB), max(k), count(*) FROM ({sql})",
                args).fetchone()
            if not count:
                return
            yield count, page
        else:
            rows = database.execute_sql(sql, args).fetchall()
            if not rows:
                return
            last, count = rows[-1][0], len(rows)
            yield count, [row[1:] for row in rows]
        if count < PAGE:
            return


def _archive_customer_pages(columns: list[Column], dims: list[Dimension], line_lang: str | None,
                            class_dim: Dimension | None = None) -> Iterator[tuple[int, object]]:
    """Every customer in code order (_keyset_pages)."""
    select, params = _customer_select("code", columns, dims, line_lang, class_dim)
    return _keyset_pages(select, params, "c.code", line_lang is not None)


def _list_pages(query, columns: list[Column], dims: list[Dimension], line_lang: str | None,
                class_dim: Dimension | None) -> Iterator[tuple[int, object]]:
    """The customers of a list (db.lists.paging.ListQuery), in its order, through its keyset pages,
    as _keyset_pages gives them: each page's columns are read by id in one query (on SQLite
    the lines in the page's order through json_each, else the rows put in order here)."""
    from db.lists import paging

    p = database.param
    select, params = _customer_select("id", columns, dims, line_lang, class_dim, by_page=bool(line_lang))
    if line_lang:  # the page's ids bound first, as a JSON array: json_each numbers them (key)
        lines_sql = (f"WITH page_ids AS (SELECT key, value FROM json_each({p})) SELECT "
                     f"CAST(group_concat(line, x'fe') AS BLOB), count(*) FROM ({select} ORDER BY j.key)")
    key = None
    while True:
        page = paging.ids_after(query, key, PAGE)
        if not page:
            return
        ids = [row[-1] for row in page]
        if line_lang:
            lines, count = database.execute_sql(lines_sql, [json.dumps(ids), *params]).fetchone()
            if count:
                yield count, lines
        else:
            marks = ", ".join([p] * len(ids))
            found = {r[0]: r[1:] for r in database.execute_sql(
                f"{select} WHERE c.id IN ({marks})", params + ids).fetchall()}
            rows = [found[i] for i in ids if i in found]
            yield len(rows), rows
        key = page[-1][:-1]
        if len(page) < PAGE:
            return


# ---------------------------------------------------------------- writers


class _Writer:
    """One output file (CSV) or one sheet of a workbook, written row by row."""

    def __init__(self, fmt: str, target: Path, book=None, title: str = ""):
        self.fmt = fmt
        self.target = target
        self.by_sql = _sql_lines(fmt)
        self.width = 0
        if fmt == "csv":
            self.tmp = target.with_name(f".{target.name}.tmp")
            # The BOM written by hand: Python's utf-8-sig codec encodes in Python, utf-8 in C.
            self.file = open(self.tmp, "w", encoding="utf-8", newline="")
            self.file.write("\ufeff")
            self.csv = csv.writer(self.file)
        else:
            self.sheet = book.create_sheet(title)

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
        self.sheet.append(names)

    def lines(self, page: bytes) -> None:
        """A page of rows made into lines by SQLite (_csv_line), joined by _END."""
        # The header went through the text layer: flushed first, so it comes first.
        self.file.flush()
        self.file.buffer.write(_csv_bytes(page, self.width))

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


def _width(column: Column) -> int:
    kind = _kind(column)
    if kind in ("date",):
        return 10
    if kind in ("datetime",):
        return 19
    if kind in ("money", "percent", "int", "flag"):
        return 12
    meta = fields_meta.BY_KEY.get(column.field)
    # Text columns get room for a typical value, not their maximum length (98 for a name).
    return min(MAX_WIDTH - 2, (meta.max_length or 20) if meta else 20, 30)


class _Output:
    """The files of one export: a workbook (sheets) or CSV files, all renamed into place
    only when every one is complete."""

    def __init__(self, path: Path):
        self.path = path
        self.fmt = _format_of(path)
        self.writers: list[_Writer] = []
        self.book = None
        if self.fmt == "xlsx":
            from openpyxl import Workbook

            self.book = Workbook(write_only=True)

    def sheet(self, kind: str, lang: str, csv_suffix: str = "") -> _Writer:
        target = self.path.with_name(f"{self.path.stem}{csv_suffix}{self.path.suffix}")
        title = SHEETS[kind][0] if lang == "zh" else SHEETS[kind][1]
        writer = _Writer(self.fmt, target, self.book, title)
        self.writers.append(writer)
        return writer

    def paths(self) -> list[Path]:
        return [self.path] if self.fmt == "xlsx" else [w.target for w in self.writers]

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        try:
            if exc is not None:
                for w in self.writers:
                    w.abandon()
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
        except OSError as err:
            raise RuleError("export.cannot_write", path=str(self.path), reason=err.strerror or str(err)) from None
        return False


def _open_output(path) -> _Output:
    path = Path(path).expanduser()
    _format_of(path)
    if not path.parent.is_dir():
        raise RuleError("export.cannot_write", path=str(path), reason="no such directory")
    try:
        return _Output(path)
    except OSError as err:
        raise RuleError("export.cannot_write", path=str(path), reason=err.strerror or str(err)) from None


def _write_customers(writer: _Writer, pages: Iterator[tuple[int, object]], columns: list[Column],
                     dims: list[Dimension], lang: str, total: int, progress: ProgressFn | None) -> int:
    headers = [c.header(lang) for c in columns] + [d.name_zh if lang == "zh" else d.name_en for d in dims]
    kinds = [_kind(c) for c in columns] + ["text"] * len(dims)
    writer.header(headers, [_width(c) for c in columns] + [12] * len(dims))
    return _write_pages(writer, pages, _converters(kinds, writer.fmt, lang), 0, total, progress)


def _write_pages(writer: _Writer, pages: Iterator[tuple[int, object]], converters, done: int,
                 total: int, progress: ProgressFn | None) -> int:
    """Write `pages` (_keyset_pages' kind); `done` rows were written before them. Lines made
    by SQLite are read ahead; rows are not, since building them takes the GIL row by row
    (an xlsx export was 3% slower so, its openpyxl being the cost)."""
    count = 0
    for rows, page in _read_ahead(pages) if writer.by_sql else pages:
        if writer.by_sql:
            writer.lines(page)
        else:
            writer.rows(_convert_rows(page, converters))
        count += rows
        if progress:
            progress(done + count, total)
    return count


class _Failed(NamedTuple):
    error: BaseException


def _read_ahead(pages: Iterator, depth: int = 2) -> Iterator:
    """`pages`, read on a thread of their own up to `depth` pages ahead of their writing.

    A page's lines are made by SQLite in one step with the GIL released (_keyset_pages), so
    the next page is made on the second core while this one is quoted and written: a
    million customers to CSV, 10.6 s -> 7.5 s on 2 cores. The thread reads through a
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


# ---------------------------------------------------------------- public


def export_list(path, query=None, columns: list[str] | None = None, *, lang: str = "zh",
                progress: ProgressFn | None = None) -> ExportResult:
    """Export the customers of a list (a db.lists.paging.ListQuery: class, filter, sort; None:
    every customer in code order) with `columns` (field keys; None: all) to `path`.

    `progress(done, total)` is called after each page. Returns the rows written."""
    import time

    start = time.perf_counter()
    chosen = customer_columns(columns)
    class_dim = class_rules.dimension(query.dimension if query is not None else MAIN_DIMENSION)
    if class_dim.code != MAIN_DIMENSION:
        # The list's class column holds the class in its own dimension: headed by that
        # dimension's name, as the whole archive's export heads it (an import reads it so).
        chosen = [Column("class_code", class_dim.name_zh, class_dim.name_en) if c.field == "class_code" else c
                  for c in chosen]
    with _open_output(path) as out:
        writer = out.sheet("customers", lang)
        line_lang = lang if writer.by_sql else None
        if query is None:
            total = Customer.select().count()
            pages = _archive_customer_pages(chosen, [], line_lang, class_dim)
        else:
            from db.lists import paging

            total = paging.count(query)
            pages = _list_pages(query, chosen, [], line_lang, class_dim)
        written = _write_customers(writer, pages, chosen, [], lang, total, progress)
    return ExportResult(out.paths(), customers=written, seconds=time.perf_counter() - start)


def export_archive(path, *, lang: str = "zh", progress: ProgressFn | None = None) -> ExportResult:
    """Export the whole archive: customers (every column, a column per typed dimension),
    classes of every typed dimension, and sales. `progress(done, total)` counts all rows."""
    import time

    start = time.perf_counter()
    dims = _typed_dimensions()
    columns = list(COLUMNS["customers"])
    customers = Customer.select().count()
    sales_total = Sale.select().count()
    total = customers + sales_total
    with _open_output(path) as out:
        writer = out.sheet("customers", lang)
        pages = _archive_customer_pages(columns, dims, lang if writer.by_sql else None)
        written = _write_customers(writer, pages, columns, dims, lang, total, progress)
        classes = _write_classes(out.sheet("classes", lang, "-classes"), lang)
        sales = _write_sales(out.sheet("sales", lang, "-sales"), lang, written, total, progress)
    return ExportResult(out.paths(), customers=written, classes=classes, sales=sales,
                        seconds=time.perf_counter() - start)


def _write_classes(writer: _Writer, lang: str) -> int:
    """Every class of the main and typed dimensions, parents before children (code order);
    derived dimensions are computed by rules, not restored from a file."""
    writer.header([c.header(lang) for c in CLASS_COLUMNS], [12, 16, 16, 10, 12, 30, 30])
    count = 0
    dims = list(Dimension.select().where(Dimension.derived == False)  # noqa: E712
                .order_by(Dimension.position, Dimension.id))
    for dim in dims:
        rows = (CustomerClass.select(CustomerClass.code, CustomerClass.name, CustomerClass.remark)
                .where(CustomerClass.dimension == dim.id).order_by(CustomerClass.code).tuples())
        batch = [(dim.code, dim.name_zh, dim.name_en, dim.scheme, code, name, remark)
                 for code, name, remark in rows]
        writer.rows(batch)
        count += len(batch)
    return count


def _write_sales(writer: _Writer, lang: str, done: int, total: int, progress: ProgressFn | None) -> int:
    writer.header([c.header(lang) for c in SALE_COLUMNS], [12, 10, 16, 14, 14])
    cells = [("c.code", "text"), ("s.date", "date"), ("s.doc_no", "text"), ("s.amount", "money"),
             ("s.cost", "money")]
    converters = _converters([kind for _, kind in cells], writer.fmt, lang)
    if writer.by_sql:
        line, params = _csv_line(cells, lang)
        parts = f"{line} AS line"
    else:
        parts, params = ", ".join(e for e, _ in cells), []
    sale, customer = Sale._meta.table_name, Customer._meta.table_name
    select = f"SELECT s.id AS k, {parts} FROM {sale} s JOIN {customer} c ON c.id = s.customer_id"
    return _write_pages(writer, _keyset_pages(select, params, "s.id", writer.by_sql), converters,
                        done, total, progress)
