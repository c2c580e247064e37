"""The import's plan, row and problem types, and the cell conversions every kind shares."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from db.core import clock
from db.core.errors import RuleError
from db.values.columns import Column
from db.values.dates import parse_date
from db.values.money import parse_money
from db.transfer.tabular import Table, excel_serial_date
from db.transfer.importer.spool import PlannedRow, RowSpool  # noqa: F401  (PlannedRow: its home was here)

KINDS = ("customers", "classes", "sales")
CHUNK = 1000
# Rows written per executemany / insert batch, and between two progress reports.
WRITE_CHUNK = 2000
# When the new customers are more than this share of the archive (after the import), the
# customer table's indexes are built again after the inserts rather than kept up row by row.
BULK_SHARE = 0.2

# What an imported customer's "add" history row holds: the fields that name it and place it
# in the tree (the card's add records every value it was given). Writing all 30 values of
# every row to the history was most of an import's time; nothing is lost by leaving them,
# since the file is the record of what came in and every later change is logged with its
# old value.
ADD_LOGGED = ("name", "short_name", "class_code")

ProgressFn = Callable[[int, int], None]


@dataclass(slots=True)
class Problem:
    """Why one row is rejected: the file line, the column's header as written in the file
    ("" when it concerns the whole row), the field, and a catalog key with its values."""

    line: int
    column: str
    field: str | None
    key: str
    values: dict = field(default_factory=dict)


@dataclass
class ImportPlan:
    path: Path
    kind: str
    dimension: str
    format: str
    encoding: str
    sheet: str
    fields: list[str]
    headers: dict[str, str]  # field -> header as written in the file
    extra: list[str]  # headers ignored
    missing: list[str]  # required fields the file has no column for
    # The rows to write, spooled out of memory as they are planned (importer.spool).
    adds: RowSpool = field(default_factory=RowSpool)
    updates: RowSpool = field(default_factory=RowSpool)
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    new_dimensions: list[dict] = field(default_factory=list)  # classes: dimensions to create
    add_fields: list[str] = field(default_factory=list)  # customers: the fields of an add's cells
    batch: str = ""
    blank_clears: bool = False  # an update's empty cell clears the stored value (else keeps it)
    # (line, header) of the workbook cells whose formula has no saved value, read as empty:
    # the table's own list, filled as the planner reads the rows.
    unsaved: list[tuple[int, str]] = field(default_factory=list)
    # customers: rows that are likely duplicates (importer.duplicates.Mark), the first
    # few of them, and how many in all; warnings, the rows import all the same.
    duplicates: list = field(default_factory=list)
    duplicate_count: int = 0
    # The file's table, read again for the rejects file (importer.rejects), and where that went.
    table: Table | None = field(default=None, repr=False, compare=False)
    rejects_path: Path | None = None

    @property
    def rejected_lines(self) -> list[int]:
        return sorted({p.line for p in self.rejected})

    @property
    def rows(self) -> int:
        """Data rows read (blank rows not counted)."""
        return len(self.adds) + len(self.updates) + self.unchanged + len(self.rejected_lines)

    @property
    def writes(self) -> int:
        return len(self.adds) + len(self.updates)

    def close(self) -> None:
        """The spooled rows' files removed (after the commit, or when the preview is left)."""
        self.adds.close()
        self.updates.close()


@dataclass
class ImportResult:
    added: int
    updated: int
    skipped: int  # rejected rows left out (only_valid)
    batch: str
    held: int = 0  # requests filed for an approver (approval on, an editor's import): new and changed customers


# ---------------------------------------------------------------- converting cells


def cell_text(value) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores a typed 1001 as 1001.0
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# Classes and sales: the few kinds their columns have (customers go through db.values.fields).
CONVERT = {
    "text": lambda v, f: cell_text(v),
    "date": lambda v, f: parse_date(as_cell(v, "date"), field=f, label=f"import.field.{f}"),
    "money": lambda v, f: parse_money(cell_text(v), field=f, label=f"import.field.{f}", negative=True),
}


def convert(columns: dict[str, Column], fields: list[str], cells: tuple, line: int,
            headers: dict[str, str], problems: list[Problem], memo: dict | None = None) -> dict:
    """A row's cells converted by their columns' kinds; a refused cell becomes a Problem.
    With `memo`, a date cell met before is not parsed again (a file of sales names a few
    hundred dates a million times); the memo holds the value or the refusal."""
    values = {}
    for fld, cell in zip(fields, cells):
        column = columns.get(fld)
        kind = column.kind if column else "text"
        try:
            if memo is None or kind != "date":
                values[fld] = CONVERT[kind](cell, fld)
                continue
            key = (fld, type(cell), cell)
            if key not in memo:
                try:
                    memo[key] = CONVERT[kind](cell, fld)
                except RuleError as exc:
                    memo[key] = exc
            found = memo[key]
            if isinstance(found, RuleError):
                raise found
            values[fld] = found
        except RuleError as exc:
            problems.append(Problem(line, headers[fld], fld, exc.key, exc.values))
    return values


def new_plan(table: Table, kind: str, dimension: str, columns: list[Column]) -> ImportPlan:
    headers = {f: table.headers[i] for f, i in zip(table.fields, table.positions)}
    return ImportPlan(table.path, kind, dimension, table.format, table.encoding, table.sheet,
                      list(table.fields), headers, list(table.extra), list(table.missing),
                      unsaved=table.unsaved, table=table, batch=f"import-{clock.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}")


def chunks(rows: Iterable, size: int | None = None):
    """Lists of `size` rows (CHUNK, read at the call, by default)."""
    size = size or CHUNK
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk

def as_cell(value, kind: str):
    """A cell as db.values.fields reads it: Excel's serial numbers as dates, 1001.0 as "1001"."""
    if kind == "date":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return excel_serial_date(value) or cell_text(value)
        if isinstance(value, dt.date):
            return value
        text = cell_text(value)
        # A serial number that reached a CSV as text (a date cell in Excel's General format).
        if text.isdigit() and len(text) == 5:
            return excel_serial_date(int(text))
        return text
    return cell_text(value)

