"""Import and export rates (issue 5): the whole archive to CSV, 100,000 customers from CSV
into an empty archive (preview and commit), and those 100,000 to xlsx; then the same
100,000 rows previewed from the xlsx and from the CSV into another empty archive, one
after the other (issue 21: within 1.3x); and the peak memory of importing 100,000 and
1,000,000 customers (bench.import_memory).

The import is also read against its floor on the machine at hand, measured in the same run:
the same file parsed by the csv module and its rows written by the raw driver into an empty
kehu archive, with what any import into kehu must write besides the rows (the table's
indexes, the substring index of the names, a history row per customer) and nothing it must
check: executemany in raw sqlite3, COPY in raw psycopg2. A rate the floor itself cannot
reach is a limit of the machine, not of the code."""
from __future__ import annotations

import csv
import io
import itertools
import sqlite3
import time

from bench import import_memory, postgres
from bench.floor import is_url
from bench.harness import Result

IMPORT_ROWS = 100_000


def _rate(name: str, rows: int, seconds: float, target_rate: float | None, note: str,
          floor: float | None = None) -> Result:
    """A row in seconds with the rate in the note; the target is the time the target rate
    allows, so the harness's "median under target" verdict applies."""
    target = rows / target_rate if target_rate else None
    return Result(name, "s", seconds, None, 1, target=target, floor=floor,
                  note=f"{rows:,} rows, {rows / seconds:,.0f} rows/s; {note}",
                  extra={"rows": rows, "rows_per_second": round(rows / seconds)})


def _scratch(ctx, name: str) -> str:
    """An empty place for an archive of the bench's own, on the benchmark's database kind."""
    if is_url(ctx.db):
        return postgres.scratch(str(ctx.db), name)
    return str(ctx.workdir / f"{name}.db")


def transfer_rates(ctx) -> list[Result]:
    import db
    from db.transfer import exporter, importer
    from db.values.columns import CLASS_COLUMNS
    from db.core.models import Customer, CustomerClass, Dimension

    results = []
    every = ctx.workdir / "export.csv"
    done = exporter.export_list(every, None)
    results.append(_rate("export csv", done.customers, done.seconds, 100_000,
                         "every customer, every column, code order"))

    head = ctx.workdir / "import.csv"
    with open(every, encoding="utf-8-sig", newline="") as src, \
            open(head, "w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(itertools.islice(csv.reader(src), IMPORT_ROWS + 1))
    every.unlink()
    classes = ctx.workdir / "classes.csv"
    main = Dimension.get(Dimension.code == "main")
    with open(classes, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.zh for c in CLASS_COLUMNS])
        for code, name in (CustomerClass.select(CustomerClass.code, CustomerClass.name)
                           .where(CustomerClass.dimension == main.id).tuples()):
            writer.writerow(["main", main.name_zh, main.name_en, main.scheme, code, name, ""])
    scratch = [_scratch(ctx, "import"), _scratch(ctx, "floor"), _scratch(ctx, "preview")]
    try:
        db.open_store(scratch[0])
        importer.commit(importer.plan(classes, kind="classes"))
        began = time.perf_counter()
        plan = importer.plan(head)
        planned = time.perf_counter()
        importer.commit(plan, only_valid=True)
        ended = time.perf_counter()
        rows = Customer.select().count()
        floor = (_import_floor_pg if is_url(ctx.db) else _import_floor)(head, scratch[1])
        results.append(_rate("import csv", rows, ended - began, 20_000,
                             f"into an empty archive: preview {planned - began:.1f} s, commit "
                             f"{ended - planned:.1f} s, {len(plan.rejected_lines)} rejected",
                             floor=floor))
        results.append(Result("import ratio kehu / floor", "x", (ended - began) / floor, None, 1,
                              note="the time kehu's import takes over its floor's: csv module + "
                                   "the raw driver writing rows, indexes, substring index, "
                                   "history; no checks"))
        # From the archive just imported (the floor closed it): the 100,000 customers.
        db.open_store(scratch[0])
        book = ctx.workdir / "export.xlsx"
        done = exporter.export_list(book, None)
        results.append(_rate("export xlsx", done.customers, done.seconds, 30_000,
                             f"streamed workbook, every column, {book.stat().st_size / 1e6:.0f} MB "
                             f"(csv: {results[0].extra['rows_per_second']:,} rows/s)"))
        results += _preview_rates(scratch[2], classes, head, book)

        def place(name: str) -> str:
            scratch.append(_scratch(ctx, name))
            return scratch[-1]

        results += import_memory.memory_rates(place, head, classes, ctx.workdir)
    finally:
        ctx.store = db.open_store(str(ctx.db), create=False)
        if is_url(ctx.db):
            for url in scratch:
                postgres.drop(url)
    return results


def _preview_rates(target: str, classes, csv_file, xlsx_file) -> list[Result]:
    """The preview of the same rows from the xlsx and from the CSV, into an empty archive
    holding the classes; each the best of two, taken in turn so that the machine's load
    weighs on both alike."""
    import db
    from db.transfer import importer

    db.open_store(target)
    importer.commit(importer.plan(classes, kind="classes"))
    best = {}
    for _ in range(2):
        for fmt, path in (("xlsx", xlsx_file), ("csv", csv_file)):
            began = time.perf_counter()
            plan = importer.plan(path)
            seconds = time.perf_counter() - began
            best[fmt] = min(best.get(fmt, seconds), seconds)
    rows = plan.rows
    return [_rate("import xlsx preview", rows, best["xlsx"], None,
                  f"the exported workbook read back (kehu's reader); csv preview {best['csv']:.1f} s"),
            Result("import ratio xlsx / csv preview", "x", best["xlsx"] / best["csv"], None, 1,
                   target=1.3, note="the same 100,000 rows' preview from .xlsx over from .csv")]


def _customer_rows(source, table: list[str]):
    """The file's header as table columns (the file is kehu's own export, headed in
    Chinese) with the table's columns the file lacks added at the end, and its rows padded
    with empty text for them."""
    from db.values import collation
    from db.values.columns import COLUMNS
    from db.core.models import Customer

    f = open(source, encoding="utf-8-sig", newline="")
    rows = csv.reader(f)
    by_header = {c.zh: getattr(Customer, c.field).column_name for c in COLUMNS["customers"]}
    columns = [by_header[h] for h in next(rows)]
    # The names' sort keys, which kehu's import makes on every row, made here too.
    keys = list(collation.KEY_COLUMNS.values())  # name_key, short_key
    name_at, short_at = columns.index("name"), columns.index("short_name")
    pad = tuple("" for c in table if c not in columns and c not in keys)
    columns += keys + [c for c in table if c not in columns and c not in keys]
    key = collation.key
    return f, columns, ((*r, key(r[name_at]), key(r[short_at]), *pad) for r in rows)


def _pg_text(field):
    """A cell of kehu's export as COPY's text format wants it for `field`'s column: yuan and
    per cent as hundredths, yes/no as a boolean, an empty date as NULL, text escaped."""
    from decimal import Decimal

    from peewee import BigIntegerField, BooleanField, DateField, DateTimeField, IntegerField

    if field.name in ("credit_limit", "discount_rate"):
        return lambda v: str(int(Decimal(v or "0").scaleb(2)))
    if isinstance(field, (IntegerField, BigIntegerField)):
        return lambda v: v or "0"
    if isinstance(field, BooleanField):
        return lambda v: "t" if v.strip().lower() in ("yes", "是", "true", "1", "y") else "f"
    if isinstance(field, (DateField, DateTimeField)):
        return lambda v: v or "\\N"
    return lambda v: v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _import_floor_pg(source, target: str) -> float:
    """The floor on PostgreSQL: kehu's schema, then raw psycopg2 in one transaction: the
    customer table's secondary indexes dropped, the rows by COPY, the indexes built again
    (the substring index with them), a history row per customer by INSERT ... SELECT."""
    import psycopg2

    import db
    from db.core.models import Customer

    db.open_store(target).close()
    connection = psycopg2.connect(target)
    try:
        cursor = connection.cursor()
        table = [f.column_name for f in Customer._meta.sorted_fields if f.column_name != "id"]
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'customer' "
                       "AND indexname NOT LIKE '%pkey'")
        indexes = cursor.fetchall()
        began = time.perf_counter()
        f, columns, rows = _customer_rows(source, table)
        with f:
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            convert = [_pg_text(getattr(Customer, Customer._meta.columns[c].name)) for c in columns]
            text = io.StringIO()
            text.writelines("\t".join(to(v) for to, v in zip(convert, row)) + "\n" for row in rows)
            text.seek(0)
            cursor.copy_expert(f"COPY customer ({', '.join(columns)}) FROM STDIN", text)
        for _, sql in indexes:
            cursor.execute(sql)
        cursor.execute(
            "INSERT INTO change_log (at, who, action, entity, entity_code, changes, batch) "
            "SELECT now(), 'bench', 'add', 'customer', code, json_build_object('name', "
            "json_build_array(NULL, name), 'short_name', json_build_array(NULL, short_name), "
            "'class_code', json_build_array(NULL, class_code))::text, 'floor' FROM customer")
        connection.commit()
        return time.perf_counter() - began
    finally:
        connection.close()


def _import_floor(source, target) -> float:
    """Seconds the floor (see the module's docstring) takes to import `source` into a new
    archive at `target`: kehu's schema, then only raw sqlite3 in one transaction, as kehu's
    own bulk load does it (indexes dropped and built again after, two sorter threads)."""
    import db
    from db.core.dialect import FTS_TABLE, pieces, short_pieces

    db.open_store(str(target)).close()
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = wal")
        connection.execute("PRAGMA synchronous = normal")
        table = [r[1] for r in connection.execute("PRAGMA table_info(customer)") if r[1] != "id"]
        indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'customer' AND sql IS NOT NULL").fetchall()
        began = time.perf_counter()
        f, columns, rows = _customer_rows(source, table)
        with f:
            connection.execute("BEGIN")
            for name, _ in indexes:
                connection.execute(f'DROP INDEX "{name}"')
            connection.executemany(f"INSERT INTO customer ({', '.join(columns)}) VALUES "
                                   f"({', '.join('?' * len(columns))})", rows)
            connection.execute("PRAGMA threads = 2")
            for _, sql in indexes:
                connection.execute(sql)
        names = connection.execute("SELECT id, name, short_name FROM customer").fetchall()
        connection.executemany(f"INSERT INTO {FTS_TABLE}(rowid, name, short_name) VALUES (?, ?, ?)",
                               [(i, pieces(n), short_pieces(n, s)) for i, n, s in names])
        connection.execute(
            "INSERT INTO change_log (at, who, action, entity, entity_code, changes, batch) "
            "SELECT datetime('now'), 'bench', 'add', 'customer', code, json_object('name', "
            "json_array(NULL, name), 'short_name', json_array(NULL, short_name), 'class_code', "
            "json_array(NULL, class_code)), 'floor' FROM customer")
        connection.execute("COMMIT")
        return time.perf_counter() - began
    finally:
        connection.close()
