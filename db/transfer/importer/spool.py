"""The rows an import plan will write, held out of memory: a plan of a 1,000,000-row file
keeps its counts, its rejected rows and a few rows for the preview, not every row.

A RowSpool takes the planner's rows as it makes them and, past SPILL rows, pickles them a
chunk at a time to a file of its own in the temporary directory; the commit reads them back
a chunk at a time, in the order they came. A plain file rather than a database: the plan is
made in one worker thread and committed in another (the TUI), and a file read back through
a handle of its own crosses threads as it is, and a pickled chunk costs less than rows
inserted one by one into a table. The file is removed by `close` (after the commit, or when
the preview is left), and at the latest when the spool is collected or the program ends.
"""
from __future__ import annotations

import datetime as dt
import itertools
import marshal
import os
import pickle
import tempfile
import weakref
from typing import Callable, Iterator


# Rows held in memory before they go to the file, and rows kept for the preview (as many as it lists).
SPILL = 2000
HEAD = 1000


class PlannedRow:
    """A row to add or update. `values` holds the converted values of the file's columns;
    `changes` (updates only) maps each changed field to (old, new); `version` (customer
    updates) is the row's version the plan read, which the commit checks as the card's save does.

    A new customer is planned as its `cells`, a tuple in the order of the plan's
    `add_fields`, and `values` is made from them on first use: rows held as dicts cost
    time and memory to build, and the commit only picks from the tuple."""

    __slots__ = ("line", "code", "changes", "cells", "fields", "_values", "version")

    def __init__(self, line: int, code: str, values: dict | None = None, changes: dict | None = None,
                 *, cells: tuple = (), fields: list[str] | None = None, version: int = 0):
        self.line, self.code, self.version = line, code, version
        self.changes = {} if changes is None else changes
        self.cells, self.fields, self._values = cells, fields, values

    @property
    def values(self) -> dict:
        if self._values is None:
            self._values = dict(zip(self.fields, self.cells))
        return self._values

    def __repr__(self) -> str:
        return f"PlannedRow(line={self.line}, code={self.code!r}, values={self.values!r})"


# The cells marshal writes as they are (a date goes as its day number).
_PLAIN = {str, int, float, bool, type(None)}
_DATED = {dt.date, type(None)}


def _columnar(records: list[tuple]) -> bytes | None:
    """A chunk of new customers (cells only, the bulk of a large import) as its columns,
    marshalled: three times quicker to write and read back than the rows pickled, whose
    dates cost most. None when its columns hold something else (it is pickled)."""
    if len({len(r[4]) for r in records}) != 1:
        return None
    columns = list(zip(*(r[4] for r in records)))
    dated = []
    for at, column in enumerate(columns):
        kinds = set(map(type, column))
        if kinds <= _PLAIN:
            continue
        if not kinds <= _DATED:
            return None
        columns[at] = [None if d is None else d.toordinal() for d in column]
        dated.append(at)
    # Version 2: no references between objects, quicker both ways for rows of short strings.
    return marshal.dumps(([r[0] for r in records], [r[1] for r in records], dated, columns), 2)


def _rows_of(data: bytes) -> list[tuple]:
    """The records `_columnar` wrote."""
    lines, codes, dated, columns = marshal.loads(data)
    day = dt.date.fromordinal
    for at in dated:
        columns[at] = [None if d is None else day(d) for d in columns[at]]
    return list(zip(lines, codes, itertools.repeat(None), itertools.repeat(None), zip(*columns),
                    itertools.repeat(0)))


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class RowSpool:
    """A list of PlannedRow for the planner and the commit: append and extend, len, and
    iteration (read back from the file); an index or a slice reads up to it."""

    def __init__(self) -> None:
        self._buffer: list[tuple] = []  # records not yet in the file
        self._cells_only = True  # every record in the buffer came by extend_cells
        self._count = 0
        self._path: str | None = None
        self._closed = None
        self._gone = False  # closed after spilling: the rows in the file are gone
        self._fields: list[str] | None = None  # the add rows' `fields`, one list for all
        self.head: list[PlannedRow] = []  # the first HEAD rows, for the preview

    @staticmethod
    def _record(row: PlannedRow) -> tuple:
        return row.line, row.code, row._values, row.changes, row.cells, row.version

    def _row(self, record: tuple) -> PlannedRow:
        line, code, values, changes, cells, version = record
        return PlannedRow(line, code, values, changes, cells=cells, fields=self._fields, version=version)

    def extend_cells(self, lines: list[int], codes: list[str], rows: list[tuple], fields: list[str]) -> None:
        """New rows given as their cells in `fields` order (a customer import's adds): no
        PlannedRow made for them but the preview's."""
        self._fields = fields
        if len(self.head) < HEAD:
            self.head.extend(PlannedRow(line, code, cells=cells, fields=fields) for line, code, cells
                             in itertools.islice(zip(lines, codes, rows), HEAD - len(self.head)))
        self._buffer.extend(zip(lines, codes, itertools.repeat(None), itertools.repeat(None), rows,
                                itertools.repeat(0)))
        self._count += len(rows)
        if len(self._buffer) >= SPILL:
            self._spill()

    def append(self, row: PlannedRow) -> None:
        self.extend((row,))

    def extend(self, rows) -> None:
        record = self._record
        for row in rows:
            if row.fields is not None:
                self._fields = row.fields
            if len(self.head) < HEAD:
                self.head.append(row)
            self._buffer.append(record(row))
            self._cells_only = False
            self._count += 1
            if len(self._buffer) >= SPILL:
                self._spill()

    def _spill(self) -> None:
        if self._path is None:
            handle, self._path = tempfile.mkstemp(prefix="kehu-import-", suffix=".spool")
            os.close(handle)
            self._closed = weakref.finalize(self, _remove, self._path)
        with open(self._path, "ab") as f:
            pickle.dump(self._cells_only and _columnar(self._buffer) or self._buffer, f, pickle.HIGHEST_PROTOCOL)
        self._buffer, self._cells_only = [], True

    def chunks(self) -> Iterator[list[PlannedRow]]:
        """The rows back, a chunk at a time, in the order they came."""
        row = self._row
        for records in self.records():
            yield [row(r) for r in records]

    def records(self) -> Iterator[list[tuple]]:
        """The rows back as they are kept, a chunk at a time: (line, code, values, changes,
        cells, version) tuples (the commit of many adds picks from them)."""
        if self._gone:
            raise RuntimeError("the plan's rows were removed (the plan was committed or left)")
        if self._path is not None:
            with open(self._path, "rb") as f:
                while True:
                    try:
                        records = pickle.load(f)
                    except EOFError:
                        break
                    yield _rows_of(records) if type(records) is bytes else records
        if self._buffer:
            yield self._buffer

    def __iter__(self) -> Iterator[PlannedRow]:
        for chunk in self.chunks():
            yield from chunk

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.stop is not None and 0 <= index.stop <= len(self.head) and (index.start or 0) >= 0:
                return self.head[index]
            return list(self)[index]
        if 0 <= index < len(self.head):
            return self.head[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return next(itertools.islice(iter(self), index, None))

    def kept(self, keep: Callable[[PlannedRow], bool]) -> "RowSpool":
        """A spool of the rows `keep` keeps, this one closed."""
        spool = RowSpool()
        for chunk in self.chunks():
            spool.extend(r for r in chunk if keep(r))
        self.close()
        return spool

    def close(self) -> None:
        """The file removed. The count and the preview's rows stay (a whole-archive preview
        shows the parts it rolled back); the rows past the memory's share are gone."""
        if self._closed is not None:
            self._closed()
            self._gone = True

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, RowSpool)) else NotImplemented

    def __repr__(self) -> str:
        return f"RowSpool({self._count} rows)"
