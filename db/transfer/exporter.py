"""输出: the current list or the whole archive to `.xlsx` or `.csv`, streamed.

Rows are read by keyset pages (never the whole table) and written as they come: a CSV in
UTF-8 with a BOM so Excel opens Chinese correctly, its lines made by SQLite (see csv_line)
or, on PostgreSQL, by a COPY (a list's rows, in the list's order, by the csv module); a workbook
streamed by db.transfer.xlsx_stream (its rows' XML made by SQLite too), with a header row,
column widths, codes as text, numbers as numbers and dates as real date cells. The file is written beside its
target and renamed into place at the end, so a failed export never leaves half a file under
the name asked for.

The whole archive (`export_archive`) is what an import into an empty archive restores: the
customers with a column per typed dimension, the classes of every typed dimension (with each
dimension's name and scheme), the sales and the card's sub-records (db.transfer.export_subrecords).
A workbook holds them as sheets; a CSV target becomes a file each, `name.csv`,
`name-classes.csv`, `name-sales.csv`, `name-contacts.csv` and the other sub-records'.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from db.archive import classes as class_rules, operators, scope
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION, Customer, CustomerClass, Dimension, Sale
from db.transfer import export_subrecords
from db.transfer.export_files import ProgressFn, Writer, formats, open_output, width_of, write_pages
from db.transfer.export_sql import (archive_customer_copy, archive_customer_pages, converters, copy_sql,
                                    keyset_pages, kind_of, list_pages, pg_text, sql_line,
                                    typed_dimensions)
from db.values.columns import (CLASS_COLUMNS, CLASS_NAME, COLUMNS, SALE_COLUMNS, Column,
                               u8_customer_columns)

__all__ = ["ExportResult", "customer_columns", "export_archive", "export_list", "formats"]


@dataclass
class ExportResult:
    paths: list[Path]
    customers: int = 0
    classes: int = 0
    sales: int = 0
    subrecords: int = 0
    seconds: float = 0.0


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


def _write_customers(writer: Writer, pages: Iterator[tuple[int, object]], columns: list[Column],
                     dims: list[Dimension], lang: str, total: int, progress: ProgressFn | None) -> int:
    headers = [c.header(lang) for c in columns] + [d.name_zh if lang == "zh" else d.name_en for d in dims]
    kinds = [kind_of(c) for c in columns] + ["text"] * len(dims)
    writer.header(headers, [width_of(c) for c in columns] + [12] * len(dims))
    if writer.by_copy:  # `pages` is the COPY's SQL (export_sql.archive_customer_copy)
        return writer.copy(pages, 0, total, progress)
    return write_pages(writer, pages, converters(kinds, writer.fmt, lang), 0, total, progress)


# ---------------------------------------------------------------- public


def export_list(path, query=None, columns: list[str] | None = None, *, lang: str = "zh",
                progress: ProgressFn | None = None, u8: bool = False) -> ExportResult:
    """Export the customers of a list (a db.lists.paging.ListQuery: class, filter, sort; None:
    every customer in code order) with `columns` (field keys; None: all) to `path`; `u8`:
    the columns of U8's own customer list under its titles instead (columns.U8_CUSTOMER_TITLES).

    `progress(done, total)` is called after each page. Returns the rows written; with none,
    no file is written (paths is empty)."""
    start = time.perf_counter()
    if u8:
        chosen, lang = u8_customer_columns(), "zh"
    else:
        chosen = customer_columns(columns)
    class_dim = class_rules.dimension(query.dimension if query is not None else MAIN_DIMENSION)
    if class_dim.code != MAIN_DIMENSION:
        # The list's class column holds the class in its own dimension: headed by that
        # dimension's name, as the whole archive's export heads it (an import reads it so).
        chosen = [Column("class_code", class_dim.name_zh, class_dim.name_en) if c.field == "class_code" else c
                  for c in chosen]
    with open_output(path) as out:
        writer = out.sheet("customers", lang)
        line_lang = lang if writer.by_sql else None
        if query is None and scope.condition() is not None:
            # An operator who sees part of the archive exports it through the list, whose
            # plan holds the scope (every customer in code order, stopped ones too).
            from db.lists.query import ListQuery

            query = ListQuery(sort="code", show_stopped=True)
        if query is None:
            total = Customer.select().count()
            pages = (archive_customer_copy(chosen, [], lang, class_dim) if writer.by_copy
                     else archive_customer_pages(chosen, [], line_lang, class_dim, writer.fmt))
        else:
            from db.lists import paging

            total = paging.count(query)
            writer.by_copy = False  # a list's order and pages are the list's: its rows are read
            pages = list_pages(query, chosen, [], line_lang, class_dim, writer.fmt)
        written = _write_customers(writer, pages, chosen, [], lang, total, progress)
        if not written:
            out.discard()
    return ExportResult(out.paths(), customers=written, seconds=time.perf_counter() - start)


def export_archive(path, *, lang: str = "zh", progress: ProgressFn | None = None) -> ExportResult:
    """Export the whole archive: customers (every column, a column per typed dimension),
    classes of every typed dimension, and sales. `progress(done, total)` counts all rows."""
    if scope.condition() is not None:
        raise RuleError("team.whole_archive", who=operators.me().login, admins=operators.admins())
    start = time.perf_counter()
    dims = typed_dimensions()
    columns = list(COLUMNS["customers"])
    customers = Customer.select().count()
    sales_total = Sale.select().count()
    total = customers + sales_total + export_subrecords.total()
    with open_output(path) as out:
        writer = out.sheet("customers", lang)
        pages = (archive_customer_copy(columns, dims, lang) if writer.by_copy
                 else archive_customer_pages(columns, dims, lang if writer.by_sql else None,
                                             fmt=writer.fmt))
        written = _write_customers(writer, pages, columns, dims, lang, total, progress)
        classes = _write_classes(out.sheet("classes", lang, "-classes"), lang)
        sales = _write_sales(out.sheet("sales", lang, "-sales"), lang, written, total, progress)
        done = written + sales
        for kind, suffix in export_subrecords.SUFFIX.items():
            done += export_subrecords.write(out.sheet(kind, lang, suffix), kind, lang, done, total,
                                            progress)
    return ExportResult(out.paths(), customers=written, classes=classes, sales=sales,
                        subrecords=done - written - sales, seconds=time.perf_counter() - start)


def _write_classes(writer: Writer, lang: str) -> int:
    """Every class of the main and typed dimensions, parents before children (code order);
    derived dimensions are computed by rules, not restored from a file."""
    writer.header([c.header(lang) for c in CLASS_COLUMNS], [12, 16, 16, 10, 12, 30, 30, 10])
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    count = 0
    dims = list(Dimension.select().where(Dimension.derived == False)  # noqa: E712
                .order_by(Dimension.position, Dimension.id))
    for dim in dims:
        rows = (CustomerClass.select(CustomerClass.code, CustomerClass.name, CustomerClass.remark,
                                     CustomerClass.personal)
                .where(CustomerClass.dimension == dim.id).order_by(CustomerClass.code).tuples())
        batch = [(dim.code, dim.name_zh, dim.name_en, dim.scheme, code, name, remark,
                  yes if personal else no) for code, name, remark, personal in rows]
        writer.rows(batch)
        count += len(batch)
    return count


def _write_sales(writer: Writer, lang: str, done: int, total: int, progress: ProgressFn | None) -> int:
    writer.header([c.header(lang) for c in SALE_COLUMNS], [12, 10, 16, 14, 14])
    cells = [("c.code", "text"), ("s.date", "date"), ("s.doc_no", "text"), ("s.amount", "money"),
             ("s.cost", "money")]
    convert = converters([kind for _, kind in cells], writer.fmt, lang)
    if writer.by_sql:
        line, params = sql_line(cells, lang, writer.fmt)
        parts = f"{line} AS line"
    else:
        parts, params = ", ".join(e for e, _ in cells), []
    sale, customer = Sale._meta.table_name, Customer._meta.table_name
    source = f"FROM {sale} s JOIN {customer} c ON c.id = s.customer_id"
    if writer.by_copy:
        texts = ", ".join(pg_text(expr, kind, lang) for expr, kind in cells)
        return writer.copy(copy_sql(f"SELECT {texts} {source} ORDER BY s.id", []), done, total, progress)
    select = f"SELECT s.id AS k, {parts} {source}"
    return write_pages(writer, keyset_pages(select, params, "s.id", writer.by_sql), convert,
                       done, total, progress)
