"""Import and export rates (issue 5): the whole archive to CSV, 100,000 customers from CSV
into an empty archive (preview and commit), and those 100,000 to xlsx.

The import is also read against its floor on the machine at hand, measured in the same run:
the same file parsed by the csv module and its rows written by raw sqlite3 into an empty
kehu archive, with what any import into kehu must write besides the rows (the table's
indexes, the substring index of the names, a history row per customer) and nothing it must
check. A rate the floor itself cannot reach is a limit of the machine, not of the code."""
from __future__ import annotations

import csv
import itertools
import sqlite3
import time

from bench.harness import Result

IMPORT_ROWS = 100_000


def _rate(name: str, rows: int, seconds: float, target_rate: float | None, note: str) -> Result:
    """A row in seconds with the rate in the note; the target is the time the target rate
    allows, so the harness's "median under target" verdict applies."""
    target = rows / target_rate if target_rate else None
    return Result(name, "s", seconds, None, 1, target=target,
                  note=f"{rows:,} rows, {rows / seconds:,.0f} rows/s; {note}",
                  extra={"rows": rows, "rows_per_second": round(rows / seconds)})


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
    try:
        db.open_store(str(ctx.workdir / "import.db"))
        importer.commit(importer.plan(classes, kind="classes"))
        began = time.perf_counter()
        plan = importer.plan(head)
        planned = time.perf_counter()
        importer.commit(plan, only_valid=True)
        ended = time.perf_counter()
        rows = Customer.select().count()
        floor = _import_floor(head, ctx.workdir / "floor.db")
        results.append(_rate("import csv", rows, ended - began, 20_000,
                             f"into an empty archive: preview {planned - began:.1f} s, commit "
                             f"{ended - planned:.1f} s, {len(plan.rejected_lines)} rejected"))
        results.append(_rate("import csv floor (same run)", IMPORT_ROWS, floor, None,
                             "csv module + raw sqlite3: rows, indexes, substring index, history; "
                             "no checks"))
        results.append(Result("import ratio kehu / floor", "x", (ended - began) / floor, None, 1,
                              note="the time kehu's import takes over its floor's"))
        done = exporter.export_list(ctx.workdir / "export.xlsx", None)
        results.append(_rate("export xlsx", done.customers, done.seconds, None,
                             "write-only workbook, every column"))
    finally:
        ctx.store = db.open_store(str(ctx.db), create=False)
    return results


def _import_floor(source, target) -> float:
    """Seconds the floor (see the module's docstring) takes to import `source` into a new
    archive at `target`: kehu's schema, then only raw sqlite3 in one transaction, as kehu's
    own bulk load does it (indexes dropped and built again after, two sorter threads)."""
    import db
    from db.values.columns import COLUMNS
    from db.core.dialect import FTS_TABLE, pieces, short_pieces
    from db.core.models import Customer

    db.open_store(str(target)).close()
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = wal")
        connection.execute("PRAGMA synchronous = normal")
        table = [r[1] for r in connection.execute("PRAGMA table_info(customer)") if r[1] != "id"]
        indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                     "AND tbl_name = 'customer' AND sql IS NOT NULL").fetchall()
        began = time.perf_counter()
        with open(source, encoding="utf-8-sig", newline="") as f:
            rows = csv.reader(f)
            # Each cell into its field's column (the file is kehu's own export, headed in
            # Chinese); the table's columns the file lacks are given as empty text.
            by_header = {c.zh: getattr(Customer, c.field).column_name for c in COLUMNS["customers"]}
            columns = [by_header[h] for h in next(rows)]
            pad = tuple("" for c in table if c not in columns)
            columns += [c for c in table if c not in columns]
            connection.execute("BEGIN")
            for name, _ in indexes:
                connection.execute(f'DROP INDEX "{name}"')
            connection.executemany(f"INSERT INTO customer ({', '.join(columns)}) VALUES "
                                   f"({', '.join('?' * len(columns))})", ((*r, *pad) for r in rows))
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
