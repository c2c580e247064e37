"""Importing customers, classes and sales from `.xlsx` / `.csv`: a plan first, then commit.

`plan(path, kind, dimension)` reads the file once (streamed through db.transfer.tabular), converts
and checks every row against the archive, and returns an ImportPlan: the rows to add, the
rows to update (matched by code, with each changed field's old and new value), the rows left
as they are, and the rows rejected, each rejection with its line, column and a catalog key.
Nothing is written. `commit(plan)` writes the plan in one transaction: it refuses a plan with
rejected rows unless told to import only the valid ones, and an error anywhere (a code taken
by someone else since the plan, say) rolls back every row.

The archive is read in chunks (one query per CHUNK rows, never one per row), a chunk's cells
are cleaned a column at a time (db.values.fields' rules, see `_CustomerPlanner._column`), and rows
are written with executemany and set-based SQL, so 100,000 customers cost a few seconds.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import operator
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import peewee

from db.archive import classes as class_rules
from db.core import clock, dialect
from db.archive import dimensions, search
from db.values import mnemonic
from db.values.coding import CodingScheme
from db.values.columns import COLUMNS, DIMENSION_PREFIX, SHEETS, Column, by_field
from db.values import fields as fields_meta
from db.values.dates import format_date, parse_date
from db.core.errors import RuleError
from db.core.models import (MAIN_DIMENSION, ChangeLog, Customer, CustomerClass, Dimension,
                       Membership, Sale, database)
from db.values.money import parse_money
from db.core.session import current, writing
from db.transfer.tabular import Table, excel_serial_date, open_table

KINDS = ("customers", "classes", "sales")
CHUNK = 1000
# Rows written per executemany / insert batch, and between two progress reports.
WRITE_CHUNK = 2000
# When the new customers are more than this share of the archive (after the import), the
# customer table's indexes are built again after the inserts rather than kept up row by row.
BULK_SHARE = 0.2

# What an imported customer's "add" history row holds: the fields that name it and place it
# in the tree (the card's add records every value it was given). Writing all 30 values of
# 100,000 rows to the history took 3 s, most of an import's time; nothing is lost by it,
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


class PlannedRow:
    """A row to add or update. `values` holds the converted values of the file's columns;
    `changes` (updates only) maps each changed field to (old, new).

    A new customer is planned as its `cells`, a tuple in the order of the plan's
    `add_fields`, and `values` is made from them on first use: 100,000 rows held as dicts
    took 0.3 s to build and about 100 MB, and the commit only picks from the tuple."""

    __slots__ = ("line", "code", "changes", "cells", "fields", "_values")

    def __init__(self, line: int, code: str, values: dict | None = None, changes: dict | None = None,
                 *, cells: tuple = (), fields: list[str] | None = None):
        self.line, self.code = line, code
        self.changes = {} if changes is None else changes
        self.cells, self.fields, self._values = cells, fields, values

    @property
    def values(self) -> dict:
        if self._values is None:
            self._values = dict(zip(self.fields, self.cells))
        return self._values

    def __repr__(self) -> str:
        return f"PlannedRow(line={self.line}, code={self.code!r}, values={self.values!r})"


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
    adds: list[PlannedRow] = field(default_factory=list)
    updates: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    new_dimensions: list[dict] = field(default_factory=list)  # classes: dimensions to create
    add_fields: list[str] = field(default_factory=list)  # customers: the fields of an add's cells
    batch: str = ""

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


@dataclass
class ImportResult:
    added: int
    updated: int
    skipped: int  # rejected rows left out (only_valid)
    batch: str


# ---------------------------------------------------------------- converting cells


def _text(value) -> str:
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
    "text": lambda v, f: _text(v),
    "date": lambda v, f: parse_date(_cell(v, "date"), field=f, label=f"import.field.{f}"),
    "money": lambda v, f: parse_money(_text(v), field=f, label=f"import.field.{f}", negative=True),
}


def _convert(columns: dict[str, Column], fields: list[str], cells: tuple, line: int,
             headers: dict[str, str], problems: list[Problem]) -> dict:
    values = {}
    for fld, cell in zip(fields, cells):
        column = columns.get(fld)
        kind = column.kind if column else "text"
        try:
            values[fld] = CONVERT[kind](cell, fld)
        except RuleError as exc:
            problems.append(Problem(line, headers[fld], fld, exc.key, exc.values))
    return values


# ---------------------------------------------------------------- planning


@contextlib.contextmanager
def _many_objects():
    """Python's cycle collector paused: a plan or a commit makes hundreds of thousands of
    tuples, none of them in a cycle, and the collector would walk them again and again as
    they pile up (6% of a 100,000-row plan's instructions). Restored as it was after.

    What was made meanwhile is still the collector's youngest generation then, and its first
    collection would walk all of it (about 10% of a 100,000-row plan's time) to find it
    alive: it moves to the oldest generation at once instead (gc.freeze then gc.unfreeze),
    where only a full collection looks at it, as at anything long-lived."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def plan(path: str | Path, kind: str = "customers", dimension: str = MAIN_DIMENSION) -> ImportPlan:
    """What importing `path` would do; reads the archive, writes nothing."""
    if kind not in KINDS:
        raise RuleError("import.bad_kind", kind=kind)
    with _many_objects():
        if kind == "customers":
            return _CustomerPlanner(path).run()
        if kind == "classes":
            return _plan_classes(path, dimension)
        return _plan_sales(path)


def _new_plan(table: Table, kind: str, dimension: str, columns: list[Column]) -> ImportPlan:
    headers = {f: table.headers[i] for f, i in zip(table.fields, table.positions)}
    return ImportPlan(table.path, kind, dimension, table.format, table.encoding, table.sheet,
                      list(table.fields), headers, list(table.extra), list(table.missing),
                      batch=f"import-{clock.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}")


def _chunks(rows: Iterable, size: int = CHUNK):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _class_map(dim: Dimension) -> dict[str, bool]:
    """{class code: is leaf} of a dimension: class trees are small, one query holds them."""
    return {code: leaf for code, leaf in CustomerClass.select(CustomerClass.code, CustomerClass.is_leaf)
            .where(CustomerClass.dimension == dim.id).tuples()}


def _class_problem(scheme: CodingScheme, known: dict[str, bool], code: str, fld: str,
                   label: str) -> RuleError | None:
    """Why `code` cannot hold customers in a dimension, checked against the class map."""
    if scheme.level_of(code) is None:
        return RuleError("import.class_not_in_scheme", field=fld, label=label, code=code,
                         scheme=str(scheme))
    if code not in known:
        return RuleError("customer.class_unknown", field=fld, label=label, code=code)
    if not known[code]:
        return RuleError("customer.class_not_leaf", field=fld, label=label, code=code)
    return None


def _cell(value, kind: str):
    """A cell as db.values.fields reads it: Excel's serial numbers as dates, 1001.0 as "1001"."""
    if kind == "date":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return excel_serial_date(value) or _text(value)
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        # A serial number that reached a CSV as text (a date cell in Excel's General format).
        if text.isdigit() and len(text) == 5:
            return excel_serial_date(int(text))
        return text
    return _text(value)


REQUIRED = tuple(f.key for f in fields_meta.EDITABLE if f.required)
# The field kinds whose cleaned values are remembered across chunks (few distinct values),
# and how many each column keeps before it starts afresh (a column of all-different amounts).
MEMO_KINDS = ("date", "money", "percent", "int", "choice", "flag")
MEMO_MAX = 50_000
MNEMONIC_MAX = fields_meta.BY_KEY["mnemonic"].max_length


def mnemonic_of(short_name: str) -> str:
    """The mnemonic kehu generates (db.archive.customers does the same on the card)."""
    return mnemonic.initials(short_name)[:MNEMONIC_MAX]


class _CustomerPlanner:
    """Customers: each cell cleaned by its field's own rule (db.values.fields), the rules that need
    the archive (code unique, class a leaf) checked for a whole chunk at once."""

    def __init__(self, path):
        self.main = class_rules.dimension(MAIN_DIMENSION)
        self.scheme = class_rules.scheme_of(self.main)
        self.classes = _class_map(self.main)
        self.dims = {d.code: d for d in Dimension.select().where(
            Dimension.code != MAIN_DIMENSION, Dimension.derived == False)}  # noqa: E712
        extra = {}
        for d in self.dims.values():
            for name in (d.name_zh, d.name_en, d.code):
                extra[name] = DIMENSION_PREFIX + d.code
        self.table = open_table(path, COLUMNS["customers"], sheet_names=SHEETS["customers"],
                                extra_columns=extra)
        if "code" not in self.table.fields:
            raise RuleError("import.missing_columns", columns="code")
        self.plan = _new_plan(self.table, "customers", MAIN_DIMENSION, COLUMNS["customers"])
        # Columns kehu writes but never reads back (建档人, 变更日期...) are reported as ignored.
        importable = {c.field for c in COLUMNS["customers"] if c.importable}
        dropped = [f for f in self.table.fields
                   if f not in importable and not f.startswith(DIMENSION_PREFIX)]
        for f in dropped:
            self.plan.extra.append(self.plan.headers.pop(f))
        self.fields = [f for f in self.table.fields if f not in dropped]
        self.plan.fields = list(self.fields)
        self.keep = [i for i, f in enumerate(self.table.fields) if f not in dropped]
        self.kinds = [fields_meta.BY_KEY[f].kind if f in fields_meta.BY_KEY else "text"
                      for f in self.fields]
        self.dim_fields = {f: f[len(DIMENSION_PREFIX):] for f in self.fields if f.startswith(DIMENSION_PREFIX)}
        self.field_meta = [None if f in self.dim_fields else fields_meta.BY_KEY[f] for f in self.fields]
        self.dim_classes = {code: (class_rules.scheme_of(self.dims[code]), _class_map(self.dims[code]))
                            for code in self.dim_fields.values()}
        self.seen: dict[str, int] = {}
        self.memo: list[dict] = [{} for _ in self.fields]
        self.class_problems: dict[tuple, RuleError | None] = {}
        self.missing_required = [f for f in REQUIRED if f not in self.plan.headers]
        self.code_at = self.fields.index("code")
        # An add's cells: the file's fields, then the mnemonic when the file has no column for it.
        self.plan.add_fields = self.fields + ([] if "mnemonic" in self.fields else ["mnemonic"])
        self.mnemonic_at = self.plan.add_fields.index("mnemonic")
        self.short_at = self.fields.index("short_name") if "short_name" in self.fields else None
        # Into an empty archive every row is an add: no chunk needs to look for its codes.
        self.archive_empty = not Customer.select().exists()

    def run(self) -> ImportPlan:
        for chunk in _chunks(self.table.rows()):
            self._chunk(chunk)
        return self.plan

    def _existing(self, codes: list[str]) -> tuple[dict, dict]:
        if self.archive_empty:
            return {}, {}
        wanted = {"id", "code", "short_name", "mnemonic", "dev_date",
                  *(f for f in self.fields if not f.startswith(DIMENSION_PREFIX))}
        found = {r["code"]: r for r in Customer.select(*(getattr(Customer, f) for f in wanted))
                 .where(Customer.code.in_(codes)).dicts()}
        members = {}
        if self.dim_fields and found:
            query = (Membership.select(Membership.customer_code, Dimension.code.alias("dim"),
                                       Membership.class_code)
                     .join(Dimension).where(Membership.customer_code.in_(list(found))).dicts())
            for m in query:
                members[(m["customer_code"], m["dim"])] = m["class_code"]
        return found, members

    def _column(self, at: int, cells: tuple) -> tuple[list, dict[int, RuleError]]:
        """One column of a chunk cleaned: its values (the RuleError in place of a refused
        cell) and {row index: RuleError} of the refused cells.

        A text column goes through Field.clean_many; otherwise (and when that declines)
        each distinct cell is cleaned once, which is exact because a field's rule depends on
        the value alone: a column of dates, amounts or choices repeats its few values
        across the file, so `self.memo` keeps them from chunk to chunk."""
        kind = self.kinds[at]
        field = self.field_meta[at]
        if field is None:  # a dimension column: checked against its tree in _row_rules
            return [c.strip() if type(c) is str else _text(c) for c in cells], {}
        # (clean_many declines cells that are not all text: tried on the cells first, it
        # spares a CSV's text columns a second pass to find out whether they are.)
        if kind != "date" and (values := field.clean_many(cells)) is not None:
            return values, {}
        try:
            "".join(cells)
            keys = cells
        except TypeError:  # spreadsheet cells: made what the rules read, as text or a date
            keys = [c if type(c) is str else _cell(c, kind) for c in cells]
            if kind != "date" and (values := field.clean_many(keys)) is not None:
                return values, {}
        memo = self.memo[at] if kind in MEMO_KINDS else {}
        if len(memo) > MEMO_MAX:
            memo.clear()
        distinct = set(keys)
        for key in distinct.difference(memo):
            try:
                # Text goes straight to the field's rule (which trims it); a date column's
                # text may be an Excel serial number.
                memo[key] = field.clean(_cell(key, kind) if kind == "date" else key)
            except RuleError as exc:
                memo[key] = exc
        values = [memo[k] for k in keys]
        refused = {k for k in distinct if isinstance(memo[k], RuleError)}
        if not refused:
            return values, {}
        return values, {i: memo[k] for i, k in enumerate(keys) if k in refused}

    def _chunk(self, chunk):
        plan, fields, headers = self.plan, self.fields, self.plan.headers
        lines = [line for line, _ in chunk]
        columns = list(zip(*(cells for _, cells in chunk)))
        cleaned = []
        refused: dict[int, list[tuple[str, RuleError]]] = {}  # row index -> (field, why)
        for at, position in enumerate(self.keep):
            values, bad = self._column(at, columns[position])
            cleaned.append(values)
            for i, exc in bad.items():
                refused.setdefault(i, []).append((fields[at], exc))
        raw_codes = columns[self.keep[self.code_at]]
        # A refused code is looked up as written, so the row still reads as an add or update.
        codes = [c if type(c) is str else _text(raw_codes[i]) for i, c in enumerate(cleaned[self.code_at])]
        existing, members = self._existing([c for c in codes if c])
        olds = [existing.get(c) for c in codes] if existing else [None] * len(codes)
        self._row_rules(lines, cleaned, olds, refused)
        if not refused and not existing:
            # The common chunk of a first import: every row a new customer, all of them
            # valid; their rows are made by C-level maps instead of the loop below.
            self._add(lines, codes, zip(*cleaned))
            return
        for i, (line, row, old) in enumerate(zip(lines, zip(*cleaned), olds)):
            if i in refused:
                plan.rejected.extend(Problem(line, headers.get(fld, ""), fld, exc.key, dict(exc.values))
                                     for fld, exc in refused[i])
                continue
            if old is None:
                self._add([line], [codes[i]], [row])
                continue
            values = dict(zip(fields, row))
            code = codes[i]
            changes = {}
            for fld, new in values.items():
                if fld.startswith(DIMENSION_PREFIX):
                    before = members.get((code, self.dim_fields[fld]), "")
                else:
                    before = old[fld]
                if before != new and not (before is None and new == ""):
                    changes[fld] = (before, new)
            # A generated mnemonic follows a changed short name, as on the card.
            if ("short_name" in changes and "mnemonic" not in values
                    and old["mnemonic"] == mnemonic_of(old["short_name"])):
                values["mnemonic"] = mnemonic_of(values["short_name"])
                if values["mnemonic"] != old["mnemonic"]:
                    changes["mnemonic"] = (old["mnemonic"], values["mnemonic"])
            if changes:
                plan.updates.append(PlannedRow(line, code, values, changes))
            else:
                plan.unchanged += 1

    def _add(self, lines: list[int], codes: list[str], rows: Iterable[tuple]) -> None:
        """New customers into the plan, their cells in `add_fields` order, an empty or
        absent mnemonic generated as the card does on save (a row refused for a missing
        short name never comes here)."""
        m, short, fields = self.mnemonic_at, self.short_at, self.plan.add_fields
        if m == len(self.fields):  # no mnemonic column
            rows = [row + (mnemonic_of(row[short]),) for row in rows]
        else:
            rows = [row if row[m] else row[:m] + (mnemonic_of(row[short]),) + row[m + 1:]
                    for row in rows]
        self.plan.adds.extend([PlannedRow(line, code, cells=row, fields=fields)
                               for line, code, row in zip(lines, codes, rows)])

    def _class_problem(self, dim: str | None, code: str) -> RuleError | None:
        """_class_problem of a class code in the main dimension (dim None) or another,
        remembered: a file names a handful of classes over and over."""
        key = (dim, code)
        if key not in self.class_problems:
            if dim is None:
                self.class_problems[key] = _class_problem(
                    self.scheme, self.classes, code, "class_code", fields_meta.BY_KEY["class_code"].label)
            else:
                scheme, known = self.dim_classes[dim]
                self.class_problems[key] = _class_problem(
                    scheme, known, code, DIMENSION_PREFIX + dim, self.dims[dim].name_zh)
        return self.class_problems[key]

    def _row_rules(self, lines: list[int], cleaned: list[list], olds: list[dict | None],
                   refused: dict[int, list]) -> None:
        """The rules of a row beyond its cells, for a whole chunk, a rule at a time (each
        row's problems stay in the order: cells, required columns, a code met before in the
        file, classes that hold customers, the stop date after the development date). A
        refused cell (a RuleError in `cleaned`) is not checked again."""
        def refuse(i: int, fld: str, exc: RuleError):
            refused.setdefault(i, []).append((fld, exc))

        for fld in self.missing_required:
            exc = fields_meta.BY_KEY[fld].refuse("customer.required")
            for i, old in enumerate(olds):
                if old is None:
                    refuse(i, fld, exc)
        fields = self.fields
        codes = [(c, line) for c, line in zip(cleaned[self.code_at], lines) if type(c) is str and c]
        unique = {c for c, _ in codes}
        if len(unique) == len(codes) and self.seen.keys().isdisjoint(unique):
            self.seen.update(codes)  # the common case: no code met before
        else:
            for i, (code, line) in enumerate(zip(cleaned[self.code_at], lines)):
                if type(code) is str and code:
                    first = self.seen.setdefault(code, line)
                    if first != line:
                        refuse(i, "code", RuleError("import.duplicate_code", field="code", code=code,
                                                    first_line=first))
        checked = [("class_code", None)] if "class_code" in fields else []
        for fld, dim in (*checked, *self.dim_fields.items()):
            column = cleaned[fields.index(fld)]
            bad = {c for c in set(column) if type(c) is str and c and self._class_problem(dim, c)}
            if bad:
                for i, klass in enumerate(column):
                    if klass in bad:
                        refuse(i, fld, self._class_problem(dim, klass))
        if "stop_date" in fields:
            stops = cleaned[fields.index("stop_date")]
            devs = cleaned[fields.index("dev_date")] if "dev_date" in fields else None
            for i, stop in enumerate(stops):
                if isinstance(stop, dt.date):
                    # The file's development date, else (no column, or a refused cell) the archive's.
                    if devs is not None and not isinstance(devs[i], RuleError):
                        dev = devs[i]
                    else:
                        dev = (olds[i] or {}).get("dev_date")
                    if dev and stop < dev:
                        refuse(i, "stop_date", fields_meta.BY_KEY["stop_date"].refuse(
                            "customer.stop_before_dev", stop=format_date(stop), dev=format_date(dev)))


def _plan_classes(path, dimension: str) -> ImportPlan:
    """Classes sorted parents first (by code length), each checked against its dimension's
    scheme, against the archive and against the classes before it in the file."""
    table = open_table(path, COLUMNS["classes"], sheet_names=SHEETS["classes"])
    result = _new_plan(table, "classes", dimension, COLUMNS["classes"])
    columns, headers = by_field("classes"), result.headers
    if "code" not in table.fields:
        raise RuleError("import.missing_columns", columns="code")
    rows = []
    for line, cells in table.rows():
        problems: list[Problem] = []
        values = _convert(columns, table.fields, cells, line, headers, problems)
        values.setdefault("dimension", "")
        values["dimension"] = values["dimension"] or dimension
        if problems:
            result.rejected.extend(problems)
        else:
            rows.append((line, values))
    rows.sort(key=lambda r: (r[1]["dimension"], len(r[1]["code"]), r[1]["code"]))
    dims: dict[str, tuple] = {}  # code -> (scheme, {code: name}, holds customers?, derived)
    seen: dict[tuple, int] = {}
    new_children: set[tuple] = set()
    for line, values in rows:
        dim_code, code = values["dimension"], values["code"]

        def reject(fld, key, **vals):
            result.rejected.append(Problem(line, headers.get(fld, ""), fld, key, vals))

        if dim_code not in dims:
            dims[dim_code] = _dimension_context(dim_code, values, result)
        context = dims[dim_code]
        if context is None:
            reject("dimension", "dimension.unknown", dimension=dim_code)
            continue
        scheme, known, dim = context
        if dim is not None and dim.derived:
            reject("dimension", "dimension.derived", dimension=dim.name_zh)
            continue
        first = seen.setdefault((dim_code, code), line)
        if first != line:
            reject("code", "import.duplicate_code", code=code, first_line=first)
            continue
        try:
            level = scheme.level_of(code)
            parent = scheme.parent_of(code) if level else None
            if level is None:
                raise RuleError("import.class_not_in_scheme", field="code", code=code, scheme=str(scheme))
            scheme.check_code(code, parent)
            if parent is not None and parent not in known:
                raise RuleError("class.parent_missing", field="code", code=code, parent=parent)
            if (parent is not None and dim is not None and (dim_code, parent) not in new_children
                    and known[parent][2]):
                raise RuleError("class.parent_has_customers", field="code", parent=parent,
                                count=class_rules.customers_under(dim, parent))
            name = (values.get("name") or "").strip()
            if not name:
                raise RuleError("class.name_required", field="name")
            if len(name) > class_rules.MAX_NAME:
                raise RuleError("class.name_too_long", field="name", length=len(name), max=class_rules.MAX_NAME)
        except RuleError as exc:
            reject(exc.field or "code", exc.key, **exc.values)
            continue
        remark = values.get("remark", "")
        if code in known:
            old_name, old_remark, _ = known[code]
            changes = {k: (o, n) for k, o, n in (("name", old_name, name), ("remark", old_remark, remark))
                       if o != n and (k in values or k == "name")}
            if changes:
                result.updates.append(PlannedRow(line, code, values, changes))
            else:
                result.unchanged += 1
        else:
            known[code] = (name, remark, False)
            if parent is not None:
                new_children.add((dim_code, parent))
            result.adds.append(PlannedRow(line, code, values))
    return result


def _dimension_context(dim_code: str, values: dict, result: ImportPlan):
    """(scheme, {code: (name, remark, holds customers)}, Dimension or None) of a dimension;
    a dimension missing from the archive is planned for creation when the row names its
    scheme; None when it cannot be."""
    dim = Dimension.get_or_none(Dimension.code == dim_code)
    if dim is None:
        text = values.get("scheme") or ""
        if not text:
            return None
        try:
            scheme = CodingScheme.parse(text)
        except RuleError:
            return None
        name = values.get("dimension_name") or dim_code
        result.new_dimensions.append({"code": dim_code, "name_zh": name,
                                      "name_en": values.get("dimension_name_en") or name,
                                      "scheme": str(scheme)})
        return scheme, {}, None
    table, column, where = class_rules._members(dim)
    holding = {c for (c,) in table.select(column).where(where).distinct().tuples()}
    known = {r.code: (r.name, r.remark, r.code in holding)
             for r in CustomerClass.select().where(CustomerClass.dimension == dim.id)}
    return class_rules.scheme_of(dim), known, dim


def _plan_sales(path) -> ImportPlan:
    """Sales matched to their customer by code; a document already in the archive (same
    customer, same number) is updated when its date or amounts differ."""
    table = open_table(path, COLUMNS["sales"], sheet_names=SHEETS["sales"])
    result = _new_plan(table, "sales", MAIN_DIMENSION, COLUMNS["sales"])
    if result.missing:
        raise RuleError("import.missing_columns", columns=", ".join(result.missing))
    columns, headers = by_field("sales"), result.headers
    seen: dict[tuple, int] = {}
    for chunk in _chunks(table.rows()):
        converted = []
        for line, cells in chunk:
            problems: list[Problem] = []
            values = _convert(columns, table.fields, cells, line, headers, problems)
            converted.append((line, values, problems))
        codes = list({v.get("customer") for _, v, _ in converted if v.get("customer")})
        ids = dict(Customer.select(Customer.code, Customer.id).where(Customer.code.in_(codes)).tuples())
        docs = {(r["customer"], r["doc_no"]): r for r in Sale.select(
            Sale.customer, Sale.doc_no, Sale.date, Sale.amount, Sale.cost)
            .where(Sale.customer.in_(list(ids.values()))).dicts()} if ids else {}
        for line, values, problems in converted:
            code, doc = values.get("customer", ""), values.get("doc_no", "")
            for fld in ("customer", "doc_no"):
                if fld in values and not values[fld]:
                    problems.append(Problem(line, headers[fld], fld, "import.required", {"field_name": fld}))
            if values.get("date") is None and "date" in values and not any(p.field == "date" for p in problems):
                problems.append(Problem(line, headers["date"], "date", "import.required", {"field_name": "date"}))
            if code and code not in ids:
                problems.append(Problem(line, headers["customer"], "customer", "import.customer_unknown", {"code": code}))
            if code and doc:
                first = seen.setdefault((code, doc), line)
                if first != line:
                    problems.append(Problem(line, headers["doc_no"], "doc_no", "import.duplicate_doc",
                                            {"doc_no": doc, "first_line": first}))
            if problems:
                result.rejected.extend(problems)
                continue
            values.setdefault("cost", 0)
            old = docs.get((ids[code], doc))
            if old is None:
                result.adds.append(PlannedRow(line, code, values))
                continue
            changes = {f: (old[f], values[f]) for f in ("date", "amount", "cost") if old[f] != values[f]}
            if changes:
                result.updates.append(PlannedRow(line, code, values, changes))
            else:
                result.unchanged += 1
    return result


# ---------------------------------------------------------------- committing


def commit(plan: ImportPlan, only_valid: bool = False, progress: ProgressFn | None = None) -> ImportResult:
    """Write `plan` in one transaction, all or nothing.

    Refuses ("import.has_rejected") a plan with rejected rows unless `only_valid`, and a
    customer plan missing required columns for rows it would add. `progress(done, total)`
    is called after each batch of rows. A row that no longer fits the archive (its code was
    taken since the plan) raises "import.changed_since_plan" and nothing is written.
    """
    if plan.rejected and not only_valid:
        raise RuleError("import.has_rejected", count=len(plan.rejected_lines))
    total = plan.writes
    report = progress or (lambda done, total: None)
    try:
        with _many_objects(), writing():
            if plan.kind == "customers":
                _commit_customers(plan, report, total)
            elif plan.kind == "classes":
                _commit_classes(plan, report, total)
            else:
                _commit_sales(plan, report, total)
    except peewee.IntegrityError as exc:
        raise RuleError("import.changed_since_plan", reason=str(exc).splitlines()[0]) from None
    return ImportResult(len(plan.adds), len(plan.updates), len(plan.rejected_lines), plan.batch)


def _executemany(sql: str, rows: list) -> None:
    if rows:
        # peewee's wrapper turns the driver's errors into peewee's (IntegrityError...).
        with peewee.__exception_wrapper__:
            database.cursor().executemany(sql.replace("?", database.param), rows)


def _log_added(plan: ImportPlan, before: int, at: dt.datetime, who: str) -> None:
    """The history rows of the customers just added, one per customer in the order they
    were inserted, written from their rows (set-based): ADD_LOGGED's values, quoted by SQL
    as db.archive.history writes them (they are required, so never empty, and single-line, so the
    same JSON either way). On SQLite the added rows are those above `before` (the write
    lock kept everyone else out); elsewhere a chunk of codes per statement, since another
    session's rows may take ids in between."""
    quoted = " || ', ' || ".join(f"'\"{f}\": [null, ' || {dialect.json_text(f, current().dialect)} || ']'"
                                 for f in ADD_LOGGED)
    stamp = ChangeLog.at.db_value(at)
    select = (f"INSERT INTO {ChangeLog._meta.table_name} (at, who, action, entity, entity_code, changes, batch) "
              f"SELECT ?, ?, 'add', 'customer', code, '{{' || {quoted} || '}}', ? "
              f"FROM {Customer._meta.table_name} WHERE ")
    if current().dialect == "sqlite":
        database.execute_sql(select + "id > ? ORDER BY id", [stamp, who, plan.batch, before])
        return
    for chunk in _chunks([r.code for r in plan.adds], CHUNK):
        marks = ", ".join("?" * len(chunk))
        sql = select + f"code IN ({marks}) ORDER BY id"
        database.execute_sql(sql.replace("?", database.param), [stamp, who, plan.batch, *chunk])


def _log_rows(plan: ImportPlan, entity: str, rows: list[PlannedRow], action: str, code_of=None):
    at, who = clock.now(), clock.user()
    table = ChangeLog._meta.table_name
    sql = f"INSERT INTO {table} (at, who, action, entity, entity_code, changes, batch) VALUES (?, ?, ?, ?, ?, ?, ?)"
    out = []
    dumps = json.JSONEncoder(ensure_ascii=False, default=_plain).encode
    for row in rows:
        if action == "change":
            changes = row.changes
        else:  # as db.archive.customers records an add: the values that say something
            changes = {k: (None, v) for k, v in row.values.items() if v not in ("", None, 0, False)}
        out.append((at, who, action, entity, code_of(row) if code_of else row.code,
                    dumps(changes), plan.batch))
    _executemany(sql, out)


def _plain(value):
    """JSON for what json cannot write itself: dates (db.archive.history writes them the same way)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _db(model, name, value):
    return model._meta.fields[name].db_value(value)


def _commit_customers(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    at, who = clock.now(), clock.user()
    table = Customer._meta.table_name
    sqlite = current().dialect == "sqlite"
    before = Customer.select(peewee.fn.MAX(Customer.id)).scalar() or 0
    archive = Customer.select().count()
    with _bulk_load(table, len(plan.adds) > BULK_SHARE * (archive + len(plan.adds))):
        _insert_adds(plan, at, who, before, sqlite, report, total)
    done = len(plan.adds)
    renamed = []
    groups: dict[tuple, list] = {}
    for row in plan.updates:
        plain = tuple(sorted(k for k in row.changes if not k.startswith(DIMENSION_PREFIX)))
        groups.setdefault(plain, []).append(row)
        if "name" in row.changes or "short_name" in row.changes:
            renamed.append(row.code)
    search.unindex_codes(renamed)  # by the names they have until the updates below
    for fields, rows in groups.items():
        sets = "".join(f"{getattr(Customer, f).column_name} = ?, " for f in fields)
        sql = (f"UPDATE {table} SET {sets}version = version + 1, modified_by = ?, modified_at = ? "
               "WHERE code = ?")
        for chunk in _chunks(rows, WRITE_CHUNK):
            _executemany(sql, [tuple(_db(Customer, f, r.values[f]) for f in fields)
                               + (who, _db(Customer, "modified_at", at), r.code) for r in chunk])
            done += len(chunk)
            report(done, total)
    _write_memberships(plan)
    search.index_codes(renamed)
    _log_added(plan, before, at, who)
    _log_rows(plan, "customer", plan.updates, "change")


def _insert_adds(plan: ImportPlan, at: dt.datetime, who: str, before: int, sqlite: bool,
                 report: ProgressFn, total: int) -> None:
    """Insert the plan's new customers with executemany, a chunk at a time. Every add has
    the same fields (`plan.add_fields`: the file's columns and the mnemonic the plan filled
    in), so a row's tuple is one C-level pick from its cells plus the defaults of the fields
    the file lacks. On SQLite the ids are given (the next ones after `before`, inside the write
    lock) so the substring index is written from the same values, without reading the
    rows back."""
    if not plan.adds:  # (an update-only file may lack the columns every add has)
        return
    names = [f.name for f in Customer._meta.sorted_fields if f.name != "id"]
    given = [n for n in names if n in plan.add_fields]
    rest = [n for n in names if n not in given]
    by_name = Customer._meta.fields
    defaults = {n: by_name[n].default() if callable(by_name[n].default) else by_name[n].default
                for n in rest}
    # SQLite's driver would turn the datetime into this very text on every row.
    defaults.update(created_by=who, created_at=at.isoformat(" ") if sqlite else at, version=1)
    tail = tuple(defaults[n] for n in rest)
    columns = ", ".join(by_name[n].column_name for n in (["id"] if sqlite else []) + given + rest)
    marks = ", ".join("?" * (len(given) + len(rest) + sqlite))
    insert = f"INSERT INTO {Customer._meta.table_name} ({columns}) VALUES ({marks})"
    position = plan.add_fields.index
    pick = operator.itemgetter(*map(position, given))  # at least code and mnemonic: a tuple
    names_of = operator.itemgetter(position("name"), position("short_name"))
    done = 0
    for chunk in _chunks(plan.adds, WRITE_CHUNK):
        if sqlite:
            ids = range(before + 1 + done, before + 1 + done + len(chunk))
            _executemany(insert, [(i, *pick(r.cells), *tail) for i, r in zip(ids, chunk)])
            search.index_many([(i, *names_of(r.cells)) for i, r in zip(ids, chunk)])
        else:
            _executemany(insert, [pick(r.cells) + tail for r in chunk])
        done += len(chunk)
        report(done, total)


def _write_memberships(plan: ImportPlan) -> None:
    """Each dimension column: replace the customer's class in that dimension (none when the
    cell is empty), set-based through the customer's code."""
    dim_fields = [f for f in plan.fields if f.startswith(DIMENSION_PREFIX)]
    if not dim_fields:
        return
    dim_ids = dict(Dimension.select(Dimension.code, Dimension.id).tuples())
    table, customers = Membership._meta.table_name, Customer._meta.table_name
    delete = f"DELETE FROM {table} WHERE dimension_id = ? AND customer_code = ?"
    insert = (f"INSERT INTO {table} (customer_id, dimension_id, class_code, customer_code) "
              f"SELECT id, ?, ?, code FROM {customers} WHERE code = ?")
    for fld in dim_fields:
        dim_id = dim_ids[fld[len(DIMENSION_PREFIX):]]
        changed = [r for r in plan.updates if fld in r.changes]
        _executemany(delete, [(dim_id, r.code) for r in changed])
        _executemany(insert, [(dim_id, r.values[fld], r.code)
                              for r in (*plan.adds, *changed) if r.values.get(fld)])


@contextlib.contextmanager
def _bulk_load(table: str, large: bool):
    """SQLite, a load that is a large part of the table (an import into a new archive):
    the table's indexes are dropped for the inserts and built again after them, which sorts
    each index once instead of inserting into eight B-trees row by row (3.0 s -> 1.8 s for
    100,000 customers). Inside the caller's transaction: an error rolls the drop back with
    the rows, and a code taken since the plan fails the unique index's rebuild."""
    if not large or current().dialect != "sqlite":
        yield
        return
    indexes = database.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,)).fetchall()
    for name, _ in indexes:
        database.execute_sql(f'DROP INDEX "{name}"')
    yield
    # Two sorter threads build each index about 10% sooner.
    threads = database.execute_sql("PRAGMA threads").fetchone()[0]
    database.execute_sql("PRAGMA threads = 2")
    try:
        for _, sql in indexes:
            database.execute_sql(sql)
    finally:
        database.execute_sql(f"PRAGMA threads = {int(threads)}")


def _commit_classes(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    at, who = clock.now(), clock.user()
    for spec in plan.new_dimensions:
        dimensions.create(spec["code"], spec["name_zh"], spec["name_en"], spec["scheme"])
    dim_ids = dict(Dimension.select(Dimension.code, Dimension.id).tuples())
    schemes = {d.code: class_rules.scheme_of(d) for d in Dimension.select()}
    done = 0
    for row in plan.adds:  # parents come first: the plan is sorted by code length
        dim = row.values["dimension"]
        CustomerClass.create(dimension=dim_ids[dim], code=row.code, name=row.values["name"].strip(),
                             level=schemes[dim].level_of(row.code), is_leaf=True,
                             remark=row.values.get("remark", ""), created_by=who, created_at=at)
        parent = schemes[dim].parent_of(row.code)
        if parent is not None:
            CustomerClass.update(is_leaf=False).where(
                CustomerClass.dimension == dim_ids[dim], CustomerClass.code == parent,
                CustomerClass.is_leaf == True).execute()  # noqa: E712
        done += 1
        if done % WRITE_CHUNK == 0:
            report(done, total)
    for row in plan.updates:
        dim = row.values["dimension"]
        CustomerClass.update(
            name=row.values["name"].strip(), remark=row.values.get("remark", ""),
            version=CustomerClass.version + 1, modified_by=who, modified_at=at).where(
            CustomerClass.dimension == dim_ids[dim], CustomerClass.code == row.code).execute()
        done += 1
    report(done, total)

    def code_of(row):
        dim = row.values["dimension"]
        return row.code if dim == MAIN_DIMENSION else f"{dim}:{row.code}"

    _log_rows(plan, "class", plan.adds, "add", code_of)
    _log_rows(plan, "class", plan.updates, "change", code_of)


def _commit_sales(plan: ImportPlan, report: ProgressFn, total: int) -> None:
    table, customers = Sale._meta.table_name, Customer._meta.table_name
    insert = (f"INSERT INTO {table} (customer_id, date, doc_no, amount, cost) "
              f"SELECT id, ?, ?, ?, ? FROM {customers} WHERE code = ?")
    update = (f"UPDATE {table} SET date = ?, amount = ?, cost = ? WHERE doc_no = ? AND "
              f"customer_id = (SELECT id FROM {customers} WHERE code = ?)")
    done = 0
    for chunk in _chunks(plan.adds, WRITE_CHUNK):
        _executemany(insert, [(_db(Sale, "date", r.values["date"]), r.values["doc_no"], r.values["amount"],
                               r.values["cost"], r.code) for r in chunk])
        done += len(chunk)
        report(done, total)
    _executemany(update, [(_db(Sale, "date", r.values["date"]), r.values["amount"], r.values["cost"],
                           r.values["doc_no"], r.code) for r in plan.updates])
    report(total, total)

    def code_of(row):
        return f"{row.code}:{row.values['doc_no']}"

    _log_rows(plan, "sale", plan.adds, "add", code_of)
    _log_rows(plan, "sale", plan.updates, "change", code_of)
