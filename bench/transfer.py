"""Import and export rates (issue 5): the whole archive to CSV, 100,000 customers from CSV
into an empty archive (preview and commit), and those 100,000 to xlsx."""
from __future__ import annotations

import csv
import itertools
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
    from db import exporter, importer
    from db.columns import CLASS_COLUMNS
    from db.models import Customer, CustomerClass, Dimension

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
        results.append(_rate("import csv", rows, ended - began, 20_000,
                             f"into an empty archive: preview {planned - began:.1f} s, commit "
                             f"{ended - planned:.1f} s, {len(plan.rejected_lines)} rejected"))
        done = exporter.export_list(ctx.workdir / "export.xlsx", None)
        results.append(_rate("export xlsx", done.customers, done.seconds, None,
                             "write-only workbook, every column"))
    finally:
        ctx.store = db.open_store(str(ctx.db), create=False)
    return results
