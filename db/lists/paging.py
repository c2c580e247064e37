"""Paging every customer list from the store: count, pages by offset or by key, positions.

A list is a `ListQuery`: a dimension, a class prefix (the class and all its sub-classes), a
filter, whether stopped customers show, and a sort. Rows come back in that order, ties broken
by customer code, so the key of a row, `(sort value, code)`, is unique and keyset paging
(`after`, `before`) visits every row exactly once.

Costs at 1,000,000 customers (SQLite, see the indexes in db.core.models):
- Sequential paging is keyset: a seek on the index that serves the order, then `limit` rows.
- A jump far into the list cannot seek to a row number. `anchors(q)` walks the list once, in
  steps of `ANCHOR_STEP` rows along the covering index, and keeps the key before every step
  (a scan of the index: run it in a worker; BENCHMARKS.md has its cost): then `fetch` at any
  offset, and `position_of`, seek to the nearest anchor and skip under ANCHOR_STEP entries.
  The walk also yields the exact count.
- Each sort index ends with (class_code, stop_date) so the class and stopped conditions are
  decided inside the index; only the rows of the page read the table.
- Sorting a class by another column: a large class scans the sort's index and keeps the
  class's rows; a small one (under SMALL_CLASS customers) reads its rows by the class index
  and sorts them, which is cheaper than scanning an index where it is rare.

NULL development dates sort as the earliest: first ascending, last descending, the order of
SQLite's own index, so the index serves both. A row-value comparison with NULL is never
true and an OR between "NULL" and "after the key" makes SQLite scan instead of seek, so a
nullable sort column splits the list into two segments, the NULL rows (ordered by code) and
the dated rows, and a page that crosses the boundary is two seeks.
"""
from __future__ import annotations

import bisect
from typing import NamedTuple

from db.archive import scope
from db.core import clock
from db.core.models import MAIN_DIMENSION
from db.core.dialect import anchors_in_one_pass
from db.core.session import current
from db.lists.plan import anchor_keys, conditions, count_in, database, param, plan_of, rows, walk
from db.lists.query import (ANCHOR_STEP, DEFAULT_COLUMNS, NULLABLE_SORTS, PAGE, SCAN_ANCHOR_STEP,
                            Anchors, ListQuery, Row)

def count(q: ListQuery) -> int:
    """How many customers the list shows (an index scan at worst: run it off the UI thread)."""
    if (q.dimension == MAIN_DIMENSION and not q.prefix and q.filter.is_empty()
            and scope.condition() is None):
        # Every customer (the list the archive opens on): the table's count less the stopped
        # ones, from the index of those, instead of testing a million index entries.
        all_of_them = database().execute_sql("SELECT count(*) FROM customer").fetchone()[0]
        if q.show_stopped:
            return all_of_them
        stopped = database().execute_sql(f"SELECT count(*) FROM customer WHERE stop_date <= {param()}",
                                    [clock.today().isoformat()]).fetchone()[0]
        return all_of_them - stopped
    plan = plan_of(q, ordered=False)
    where, params = conditions(plan, None, None, True)
    return database().execute_sql(f"SELECT count(*) FROM {plan.source} WHERE {where}", params).fetchone()[0]


def fetch(q: ListQuery, offset: int, limit: int = PAGE, columns=DEFAULT_COLUMNS,
          anchors: Anchors | None = None) -> list[Row]:
    """Rows `offset` .. `offset + limit - 1`. With `anchors` of the same query the cost does
    not grow with the offset; without them it is an OFFSET along the index."""
    plan = plan_of(q)
    key, skip = None, offset
    if anchors is not None and anchors.query == q:
        i = min(offset // anchors.step, len(anchors.keys) - 1)
        key, skip = anchors.keys[i], offset - i * anchors.step
    return rows(plan, walk(plan, key, skip, limit, True, columns), columns)


def after(q: ListQuery, key: tuple | None, limit: int = PAGE, columns=DEFAULT_COLUMNS) -> list[Row]:
    """The `limit` rows following the row whose sort key is `key` (None: the first rows)."""
    plan = plan_of(q)
    return rows(plan, walk(plan, key, 0, limit, True, columns), columns)


def ids_after(q: ListQuery, key: tuple | None, limit: int = PAGE) -> list[tuple]:
    """The `limit` rows following `key` (None: the first rows) as their sort key's values
    then their id, read from the list's index alone: for a reader of whole pages of the list
    (the export), which reads their columns itself and needs no Row."""
    plan = plan_of(q)
    return walk(plan, key, 0, limit, True, None, ids=True)


def before(q: ListQuery, key: tuple | None, limit: int = PAGE, columns=DEFAULT_COLUMNS) -> list[Row]:
    """The `limit` rows preceding `key` (None: the last rows), in list order."""
    plan = plan_of(q)
    return rows(plan, walk(plan, key, 0, limit, False, columns)[::-1], columns)


def anchors(q: ListQuery, step: int | None = None) -> Anchors:
    """Walk the list once along its index, keeping every `step`-th key (and the count)."""
    plan = plan_of(q)
    step = step or (SCAN_ANCHOR_STEP if plan.scans else ANCHOR_STEP)
    if anchors_in_one_pass(current().dialect):
        found, total = anchor_keys(plan, step)
        return Anchors(q, step, total, (None, *found))
    keys: list = [None]
    while True:
        got = walk(plan, keys[-1], step - 1, 1)
        if not got:
            break
        keys.append(tuple(got[0]))
    tail = keys[-1]
    rest = 0
    segs = plan.display_segments(True)
    start = 0 if tail is None else segs.index(plan.segment_of(tail))
    for i, seg in enumerate(segs[start:]):
        rest += count_in(plan, seg, tail if i == 0 else None, True, step)
    return Anchors(q, step, (len(keys) - 1) * step + rest, tuple(keys))


def key_of(q: ListQuery, code: str) -> tuple | None:
    """The sort key of customer `code` in the list, None when the list does not show it."""
    plan = plan_of(q, ordered=False)
    where, params = conditions(plan, None, None, True)
    sql = f"SELECT {', '.join(plan.key_cols)} FROM {plan.source} WHERE {where} AND c.code = {param()}"
    found = database().execute_sql(sql, [*params, code]).fetchone()
    return tuple(found) if found else None


def _order_key(q: ListQuery, key: tuple):
    """`key` made comparable in Python in the list's ascending order (NULL first)."""
    if q.sort in NULLABLE_SORTS:
        return (key[0] is not None, "" if key[0] is None else str(key[0]), *key[1:])
    return key


def position_of(q: ListQuery, code: str, anchors: Anchors | None = None) -> int | None:
    """How many rows come before customer `code` in the list (None: not in it)."""
    key = key_of(q, code)
    if key is None:
        return None
    plan = plan_of(q)
    if anchors is not None and anchors.query == q and len(anchors.keys) > 1:
        target = _order_key(q, key)
        marks = [_order_key(q, k) for k in anchors.keys[1:]]
        # i = how many anchors come strictly before the target in list order
        if q.descending:
            i = len(marks) - bisect.bisect_right(marks[::-1], target)
        else:
            i = bisect.bisect_left(marks, target)
        # anchors.keys[i] precedes position i * step; the target lies within the next step rows
        following = walk(plan, anchors.keys[i], 0, anchors.step)
        for n, row in enumerate(following):
            if tuple(row) == key:
                return i * anchors.step + n
    # No anchors (or a collation that orders differently from Python): count what precedes.
    segs = plan.display_segments(False)
    start = segs.index(plan.segment_of(key))
    return sum(count_in(plan, seg, key if i == 0 else None, False, None)
               for i, seg in enumerate(segs[start:]))


# -- marks ----------------------------------------------------------------------------------

class Selection(NamedTuple):
    """Marked customers, kept symbolically: either every row of `everything` except the
    codes in `removed`, or just the codes in `added`. Never a list of a million codes; a
    batch operation walks it with `selected_codes`. Codes are toggled on rows of the list
    the marks belong to (a new query starts a new Selection)."""

    everything: ListQuery | None = None
    added: frozenset = frozenset()
    removed: frozenset = frozenset()

    def is_marked(self, code: str) -> bool:
        if self.everything is not None:
            return code not in self.removed
        return code in self.added

    def toggled(self, code: str) -> Selection:
        if self.everything is not None:
            return self._replace(removed=self.removed ^ {code})
        return self._replace(added=self.added ^ {code})

    def with_marked(self, codes) -> Selection:
        """These codes marked too."""
        codes = frozenset(codes)
        if self.everything is not None:
            return self._replace(removed=self.removed - codes)
        return self._replace(added=self.added | codes)

    def with_all(self, q: ListQuery) -> Selection:
        return Selection(everything=q)

    def is_empty(self) -> bool:
        return self.everything is None and not self.added


def selection_count(sel: Selection) -> int:
    if sel.everything is None:
        return len(sel.added)
    return count(sel.everything) - len(sel.removed)


def selected_codes(sel: Selection, batch: int = 1000):
    """The marked codes in list order, in batches of at most `batch` (keyset over the query):
    a batch operation never holds them all."""
    if sel.everything is None:
        rest = sorted(sel.added)
        for i in range(0, len(rest), batch):
            yield rest[i:i + batch]
        return
    key = None
    while True:
        rows = after(sel.everything, key, batch, columns=())
        if not rows:
            return
        key = rows[-1].key
        codes = [r.code for r in rows if r.code not in sel.removed]
        if codes:
            yield codes
