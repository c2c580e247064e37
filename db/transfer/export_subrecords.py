"""The card's sub-records in a whole-archive export: a sheet (or a CSV file) per kind
(Contacts, Addresses, Banks, Invoice), each row keyed by its customer's code, with a column
saying whether it is the default.

Read by keyset pages of customers (WHERE code > the last one), a page's records in the order
a restore gives them back: the customer's code, defaults first (an address's by its kind),
then the others oldest first. A restore into a new archive makes the defaults of the card's
copies first and adds the others in file order (db.transfer.importer.subrecords), so a
second export of the restored archive writes the same rows in the same order.
"""
from __future__ import annotations

from typing import Iterator

from db.archive.subrecords import MODELS
from db.core.models import Customer, database
from db.transfer.export_files import ProgressFn, Writer, write_pages
from db.transfer.export_sql import PAGE, converters
from db.values.columns import SUB_COLUMNS
from db.values.subfields import GROUP_BY, KINDS

# The kind and CSV suffix of each sub-record part (name-contacts.csv), in export order.
SUFFIX = {kind: f"-{kind}" for kind in KINDS}
WIDTHS = {"text": 16, "date": 10, "flag": 8}


def _kinds(kind: str) -> list[str]:
    return [{"birthday": "date", "is_default": "flag"}.get(c.field, "text") for c in SUB_COLUMNS[kind]]


def total() -> int:
    return sum(m.select().count() for m in MODELS.values())


def _pages(kind: str) -> Iterator[tuple[int, list]]:
    """(rows, [row]) of `kind`'s records, a page of customers (PAGE codes) at a time."""
    model = MODELS[kind]
    sub, customer = model._meta.table_name, Customer._meta.table_name
    fields = ", ".join(f"s.{c.field}" for c in SUB_COLUMNS[kind][1:])
    group = f"s.{GROUP_BY[kind]}, " if GROUP_BY[kind] else ""
    p = database.param
    last = None
    while True:
        after = f"WHERE code > {p} " if last is not None else ""
        codes = f"SELECT code FROM {customer} {after}ORDER BY code LIMIT {PAGE}"
        args = [last] if last is not None else []
        page = database.execute_sql(codes, args).fetchall()
        if not page:
            return
        first_code, last = page[0][0], page[-1][0]
        rows = database.execute_sql(
            f"SELECT c.code, {fields} FROM {sub} s JOIN {customer} c ON c.id = s.customer_id"
            f" WHERE c.code >= {p} AND c.code <= {p}"
            f" ORDER BY c.code, s.is_default DESC, {group}s.id", [first_code, last]).fetchall()
        if rows:
            yield len(rows), rows
        if len(page) < PAGE:
            return


def write(writer: Writer, kind: str, lang: str, done: int, total_rows: int,
          progress: ProgressFn | None) -> int:
    """Write `kind`'s sheet (its rows made in Python, by the csv module or xlsx_stream, on either
    database: a customer has a handful of records, so pages are small)."""
    columns = SUB_COLUMNS[kind]
    kinds = _kinds(kind)
    writer.by_sql = writer.by_copy = False
    writer.header([c.header(lang) for c in columns], [WIDTHS[k] for k in kinds])
    return write_pages(writer, _pages(kind), converters(kinds, writer.fmt, lang), done,
                       total_rows, progress)
