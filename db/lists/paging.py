"""Paging every customer list from the store: count, pages by offset or by key, positions.

A list is a `ListQuery`: a dimension, a class prefix (the class and all its sub-classes), a
filter, whether stopped customers show, and a sort. Rows come back in that order, ties broken
by customer code, so the key of a row, `(sort value, code)`, is unique and keyset paging
(`after`, `before`) visits every row exactly once.

Costs at 1,000,000 customers (SQLite, see the indexes in db.core.models):
- Sequential paging is keyset: a seek on the index that serves the order, then `limit` rows.
- A jump far into the list cannot seek to a row number. `anchors(q)` walks the list once, in
  steps of `ANCHOR_STEP` rows along the covering index, and keeps the key before every step
  (0.1 to 0.3 s for the whole archive on an idle machine, in a worker): then `fetch` at any
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
import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import NamedTuple

from db.core import clock, models
from db.archive.classes import HIGH
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION

ANCHOR_STEP = 1000
# A list that scans its index for a class's rows pays for every skipped entry of other
# classes too, so its anchors are denser.
SCAN_ANCHOR_STEP = 100
PAGE = 100
# Below this many customers (of the class, stopped ones included) a class sorted by another
# column is read by the class index and sorted; above it the sort's index is scanned.
SMALL_CLASS = 2000

SORTS = ("class", "code", "short_name", "name", "dev_date", "region")
NULLABLE_SORTS = frozenset({"dev_date"})
STOPPED_CHOICES = ("", "only", "not")

# The columns a list may show (F4 栏目), as SQL over `c` (customer) and `k` (its class).
# "class_code" and "class_name" are the class in the list's dimension.
COLUMNS = {
    "code": "c.code",
    "short_name": "c.short_name",
    "name": "c.name",
    "mnemonic": "c.mnemonic",
    "class_code": None,  # the dimension's class column, filled in by the plan
    "class_name": "k.name",
    "region": "c.region",
    "industry": "c.industry",
    "mgmt_type": "c.mgmt_type",
    "dev_date": "c.dev_date",
    "stop_date": "c.stop_date",
    "salesperson": "c.salesperson",
    "department": "c.department",
    "contact": "c.contact",
    "phone": "c.phone",
    "mobile": "c.mobile",
    "email": "c.email",
    "address": "c.address",
    "tax_id": "c.tax_id",
    "credit_grade": "c.credit_grade",
    "credit_limit": "c.credit_limit",
    "credit_days": "c.credit_days",
}
DATE_COLUMNS = frozenset({"dev_date", "stop_date"})
DEFAULT_COLUMNS = ("code", "short_name", "name", "class_code", "region", "mgmt_type", "dev_date")


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Filter:
    """过滤: each condition empty means "any". Saved by name as `to_dict()`."""

    mgmt_type: str = ""
    region: str = ""
    industry: str = ""
    salesperson: str = ""
    dev_from: dt.date | None = None
    dev_to: dt.date | None = None
    stopped: str = ""  # "": as the list's show_stopped says; "only": stopped only; "not": active only

    def __post_init__(self) -> None:
        if self.stopped not in STOPPED_CHOICES:
            raise RuleError("list.filter_stopped", field="stopped", value=self.stopped)
        if self.dev_from and self.dev_to and self.dev_from > self.dev_to:
            raise RuleError("list.filter_dates", field="dev_to", start=self.dev_from.isoformat(),
                            end=self.dev_to.isoformat())

    def is_empty(self) -> bool:
        return self == Filter()

    def to_dict(self) -> dict:
        """The set conditions only, dates as YYYY-MM-DD: JSON as it stands."""
        out = {}
        for name, value in asdict(self).items():
            if value:
                out[name] = _iso(value) if isinstance(value, dt.date) else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Filter:
        known = {f.name for f in fields(cls)}
        values = {}
        for name, value in data.items():
            if name not in known:
                raise RuleError("list.filter_unknown", field=name, name=name)
            if name in ("dev_from", "dev_to") and value:
                try:
                    value = _as_date(value)
                except ValueError:
                    raise RuleError("list.filter_date", field=name, value=str(value)) from None
            elif not isinstance(value, str) and value is not None:
                raise RuleError("list.filter_value", field=name, value=str(value))
            values[name] = value or (None if name in ("dev_from", "dev_to") else "")
        return cls(**values)


@dataclass(frozen=True)
class ListQuery:
    """What a customer list shows and in which order."""

    dimension: str = MAIN_DIMENSION
    prefix: str = ""  # a class code: that class and all its sub-classes; "" = every customer
    show_stopped: bool = False
    filter: Filter = field(default_factory=Filter)
    sort: str = "class"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise RuleError("list.sort_unknown", sort=self.sort)


class Row(NamedTuple):
    """One list row: `key` is its sort key (pass it to `after` / `before`); `values` holds
    the asked columns (dates as datetime.date)."""

    id: int
    code: str
    key: tuple
    stopped: bool
    values: dict


class Anchors(NamedTuple):
    """Every ANCHOR_STEP-th position of one query: `keys[i]` is the key of the row just
    before position i * step (None for position 0). Stale after any write: rebuild."""

    query: ListQuery
    step: int
    total: int
    keys: tuple


class _Segment(NamedTuple):
    where: str  # "" or the segment's own condition
    cols: tuple[str, ...]  # the key columns ordered within the segment
    null: bool  # the NULL rows of a nullable sort (their key is (None, code))


class _Plan(NamedTuple):
    query: ListQuery
    source: str
    where: list[str]
    params: list
    key_cols: tuple[str, ...]
    segments: list[_Segment]  # in ascending order of the sort
    class_col: str
    dimension_id: int
    # The class range (lower, upper bound) when it is a seekable range: kept apart so that a
    # list sorted by class can drop the bound its key already implies (see _conditions).
    class_range: tuple[str, str] | None = None
    scans: bool = False  # the class is tested inside the sort's index (substr), not sought

    def display_segments(self, forward: bool) -> list[_Segment]:
        segs = self.segments if not self.query.descending else self.segments[::-1]
        return segs if forward else segs[::-1]

    def segment_of(self, key: tuple) -> _Segment:
        if len(self.segments) == 1:
            return self.segments[0]
        return self.segments[0] if key[0] is None else self.segments[1]


def _db():
    return models.database


def _param() -> str:
    return _db().param


def _dimension_id(code: str) -> int:
    found = _db().execute_sql(f"SELECT id FROM dimension WHERE code = {_param()}", (code,)).fetchone()
    if found is None:
        raise RuleError("dimension.unknown", dimension=code)
    return found[0]


def _stop_condition(q: ListQuery) -> tuple[str | None, list]:
    p = _param()
    mode = q.filter.stopped or ("" if q.show_stopped else "not")
    today = clock.today().isoformat()
    if mode == "not":
        return f"(c.stop_date IS NULL OR c.stop_date > {p})", [today]
    if mode == "only":
        return f"c.stop_date <= {p}", [today]
    return None, []


def _is_small_class(plan_source: str, dim_where: str, dim_params: list, class_col: str,
                    prefix: str) -> bool:
    p = _param()
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM {plan_source} WHERE {dim_where} "
           f"{class_col} >= {p} AND {class_col} < {p} LIMIT {p}) AS probe")
    return _db().execute_sql(sql, [*dim_params, prefix, prefix + HIGH, SMALL_CLASS]).fetchone()[0] < SMALL_CLASS


def _plan(q: ListQuery, ordered: bool = True) -> _Plan:
    """The FROM, WHERE and key columns of `q`. `ordered=False` (counts) always takes the
    class index; an ordered plan may force the sort's index (see the module note)."""
    p = _param()
    where: list[str] = []
    params: list = []
    class_range = None
    if q.dimension == MAIN_DIMENSION:
        dim_id = _dimension_id(MAIN_DIMENSION)
        source, class_col, code_col = "customer c", "c.class_code", "c.code"
        probe_source, probe_where, probe_params = "customer c", "", []
    else:
        dim_id = _dimension_id(q.dimension)
        source = "membership m JOIN customer c ON c.id = m.customer_id"
        class_col, code_col = "m.class_code", "m.customer_code"
        where.append(f"m.dimension_id = {p}")
        params.append(dim_id)
        probe_source, probe_where, probe_params = "membership m", f"m.dimension_id = {p} AND", [dim_id]
    if q.prefix:
        if (ordered and q.sort != "class"
                and not _is_small_class(probe_source, probe_where, probe_params, class_col, q.prefix)):
            # A function of the column is not a range SQLite (or PostgreSQL) can seek, so the
            # planner walks the sort's index and tests the class inside it.
            where.append(f"substr({class_col}, 1, {len(q.prefix)}) = {p}")
            params.append(q.prefix)
        else:
            class_range = (q.prefix, q.prefix + HIGH)
    stop, stop_params = _stop_condition(q)
    if stop:
        where.append(stop)
        params += stop_params
    f = q.filter
    for name in ("mgmt_type", "region", "industry", "salesperson"):
        value = getattr(f, name)
        if value:
            where.append(f"c.{name} = {p}")
            params.append(value)
    if f.dev_from:
        where.append(f"c.dev_date >= {p}")
        params.append(f.dev_from.isoformat())
    if f.dev_to:
        where.append(f"c.dev_date <= {p}")
        params.append(f.dev_to.isoformat())

    if q.sort == "class":
        key_cols = (class_col, code_col)
    elif q.sort == "code":
        key_cols = ("c.code",)
    else:
        key_cols = (f"c.{q.sort}", "c.code")
    if q.sort in NULLABLE_SORTS:
        segments = [_Segment(f"{key_cols[0]} IS NULL", key_cols[1:], True),
                    _Segment(f"{key_cols[0]} IS NOT NULL", key_cols, False)]
    else:
        segments = [_Segment("", key_cols, False)]
    scans = any(w.startswith("substr(") for w in where)
    return _Plan(q, source, where, params, key_cols, segments, class_col, dim_id, class_range, scans)


def _conditions(plan: _Plan, seg: _Segment | None, key: tuple | None,
                ascending: bool) -> tuple[str, list]:
    """The WHERE clause of one segment after `key` (in SQL order `ascending`)."""
    p = _param()
    where = list(plan.where)
    params = list(plan.params)
    if plan.class_range is not None:
        lo, hi = plan.class_range
        # Sorted by class, a key after the list's start bounds the class on its side; stating
        # that bound as well makes SQLite seek on the class range alone and then step over
        # every row before the key instead of seeking on the key.
        by_key = key is not None and plan.query.sort == "class"
        if not (by_key and ascending):
            where.append(f"{plan.class_col} >= {p}")
            params.append(lo)
        if not (by_key and not ascending):
            where.append(f"{plan.class_col} < {p}")
            params.append(hi)
    if seg is not None and seg.where:
        where.append(seg.where)
    if key is not None:
        part = key[len(key) - len(seg.cols):]
        op = ">" if ascending else "<"
        where.append(f"({', '.join(seg.cols)}) {op} ({', '.join([p] * len(part))})")
        params += list(part)
    return " AND ".join(where) or "1 = 1", params


def _select_list(columns) -> tuple[str, bool]:
    """SQL of the asked columns over the page `pg` and its customer `c`, and whether the
    class table `k` must be joined."""
    parts, join = [], False
    for name in columns:
        if name not in COLUMNS:
            raise RuleError("list.column_unknown", column=name)
        parts.append("pg.cls" if name == "class_code" else COLUMNS[name])
        join = join or name == "class_name"
    return ", ".join(parts), join


def _query(plan: _Plan, seg: _Segment, key: tuple | None, forward: bool, offset: int,
           limit: int, columns=None, ids: bool = False) -> list[tuple]:
    """Rows of one segment strictly after `key` in the walk's direction (None: from the
    segment's start), `offset` skipped, at most `limit`. Without `columns`, key columns only,
    then the id with `ids` (the index alone answers); with them: key, id, code, stopped, then
    the columns."""
    p = _param()
    ascending = forward != plan.query.descending
    where, params = _conditions(plan, seg, key, ascending)
    direction = "ASC" if ascending else "DESC"
    order = ", ".join(f"{col} {direction}" for col in seg.cols)
    keys = ", ".join(f"{col} AS k{i}" for i, col in enumerate(plan.key_cols))
    if columns is None:
        keys += ", c.id" if ids else ""
        sql = f"SELECT {keys} FROM {plan.source} WHERE {where} ORDER BY {order} LIMIT {p} OFFSET {p}"
        return _db().execute_sql(sql, [*params, limit, offset]).fetchall()
    # Deferred join: the page is chosen from the index alone (the class and stopped tests
    # included), and only its rows read the table.
    page = (f"SELECT {keys}, c.id AS id, {plan.class_col} AS cls FROM {plan.source} "
            f"WHERE {where} ORDER BY {order} LIMIT {p} OFFSET {p}")
    extra, join = _select_list(columns)
    n = len(plan.key_cols)
    outer_keys = ", ".join(f"pg.k{i}" for i in range(n))
    outer_order = ", ".join(f"pg.k{i} {direction}" for i in range(n - len(seg.cols), n))
    sql = (f"SELECT {outer_keys}, c.id, c.code, (c.stop_date IS NOT NULL AND c.stop_date <= {p})"
           f"{', ' + extra if extra else ''} FROM ({page}) AS pg JOIN customer c ON c.id = pg.id")
    head = [clock.today().isoformat()]
    if join:
        sql += f" LEFT JOIN customer_class k ON k.dimension_id = {p} AND k.code = pg.cls"
    sql += f" ORDER BY {outer_order}"
    return _db().execute_sql(sql, [*head, *params, limit, offset,
                                   *([plan.dimension_id] if join else [])]).fetchall()


def _count_in(plan: _Plan, seg: _Segment, key: tuple | None, forward: bool, cap: int | None) -> int:
    """How many rows of `seg` lie after `key` in the walk's direction, counting at most `cap`."""
    p = _param()
    where, params = _conditions(plan, seg, key, forward != plan.query.descending)
    inner = f"SELECT 1 FROM {plan.source} WHERE {where}"
    if cap is not None:
        inner += f" LIMIT {p}"
        params.append(cap)
    return _db().execute_sql(f"SELECT count(*) FROM ({inner}) AS n", params).fetchone()[0]


def _walk(plan: _Plan, key: tuple | None, skip: int, limit: int, forward: bool = True,
          columns=None, ids: bool = False) -> list[tuple]:
    """Up to `limit` rows strictly after `key` (None: from the start) in display order
    (`forward`) or against it, after skipping `skip`: crossing segment boundaries."""
    segs = plan.display_segments(forward)
    start = 0 if key is None else segs.index(plan.segment_of(key))
    out: list[tuple] = []
    for i, seg in enumerate(segs[start:]):
        seg_key = key if i == 0 else None
        got = _query(plan, seg, seg_key, forward, skip, limit - len(out), columns, ids)
        if not got and skip:
            skip -= _count_in(plan, seg, seg_key, forward, skip)
            continue
        skip = 0
        out += got
        if len(out) >= limit:
            break
    return out


def _rows(plan: _Plan, raw: list[tuple], columns) -> list[Row]:
    n = len(plan.key_cols)
    dates = [i for i, name in enumerate(columns) if name in DATE_COLUMNS]
    rows = []
    for r in raw:
        values = list(r[n + 3:])
        for i in dates:
            values[i] = _as_date(values[i])
        rows.append(Row(r[n], r[n + 1], r[:n], bool(r[n + 2]), dict(zip(columns, values))))
    return rows


# -- the public functions --------------------------------------------------------------------

def count(q: ListQuery) -> int:
    """How many customers the list shows (an index scan at worst: run it off the UI thread)."""
    if q.dimension == MAIN_DIMENSION and not q.prefix and q.filter.is_empty():
        # Every customer (the list the archive opens on): the table's count less the stopped
        # ones, from the index of those, instead of testing a million index entries.
        all_of_them = _db().execute_sql("SELECT count(*) FROM customer").fetchone()[0]
        if q.show_stopped:
            return all_of_them
        stopped = _db().execute_sql(f"SELECT count(*) FROM customer WHERE stop_date <= {_param()}",
                                    [clock.today().isoformat()]).fetchone()[0]
        return all_of_them - stopped
    plan = _plan(q, ordered=False)
    where, params = _conditions(plan, None, None, True)
    return _db().execute_sql(f"SELECT count(*) FROM {plan.source} WHERE {where}", params).fetchone()[0]


def fetch(q: ListQuery, offset: int, limit: int = PAGE, columns=DEFAULT_COLUMNS,
          anchors: Anchors | None = None) -> list[Row]:
    """Rows `offset` .. `offset + limit - 1`. With `anchors` of the same query the cost does
    not grow with the offset; without them it is an OFFSET along the index."""
    plan = _plan(q)
    key, skip = None, offset
    if anchors is not None and anchors.query == q:
        i = min(offset // anchors.step, len(anchors.keys) - 1)
        key, skip = anchors.keys[i], offset - i * anchors.step
    return _rows(plan, _walk(plan, key, skip, limit, True, columns), columns)


def after(q: ListQuery, key: tuple | None, limit: int = PAGE, columns=DEFAULT_COLUMNS) -> list[Row]:
    """The `limit` rows following the row whose sort key is `key` (None: the first rows)."""
    plan = _plan(q)
    return _rows(plan, _walk(plan, key, 0, limit, True, columns), columns)


def ids_after(q: ListQuery, key: tuple | None, limit: int = PAGE) -> list[tuple]:
    """The `limit` rows following `key` (None: the first rows) as their sort key's values
    then their id, read from the list's index alone: for a reader of whole pages of the list
    (the export), which reads their columns itself and needs no Row."""
    plan = _plan(q)
    return _walk(plan, key, 0, limit, True, None, ids=True)


def before(q: ListQuery, key: tuple | None, limit: int = PAGE, columns=DEFAULT_COLUMNS) -> list[Row]:
    """The `limit` rows preceding `key` (None: the last rows), in list order."""
    plan = _plan(q)
    return _rows(plan, _walk(plan, key, 0, limit, False, columns)[::-1], columns)


def anchors(q: ListQuery, step: int | None = None) -> Anchors:
    """Walk the list once along its index, keeping every `step`-th key (and the count)."""
    plan = _plan(q)
    step = step or (SCAN_ANCHOR_STEP if plan.scans else ANCHOR_STEP)
    keys: list = [None]
    while True:
        got = _walk(plan, keys[-1], step - 1, 1)
        if not got:
            break
        keys.append(tuple(got[0]))
    tail = keys[-1]
    rest = 0
    segs = plan.display_segments(True)
    start = 0 if tail is None else segs.index(plan.segment_of(tail))
    for i, seg in enumerate(segs[start:]):
        rest += _count_in(plan, seg, tail if i == 0 else None, True, step)
    return Anchors(q, step, (len(keys) - 1) * step + rest, tuple(keys))


def key_of(q: ListQuery, code: str) -> tuple | None:
    """The sort key of customer `code` in the list, None when the list does not show it."""
    plan = _plan(q, ordered=False)
    where, params = _conditions(plan, None, None, True)
    sql = f"SELECT {', '.join(plan.key_cols)} FROM {plan.source} WHERE {where} AND c.code = {_param()}"
    found = _db().execute_sql(sql, [*params, code]).fetchone()
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
    plan = _plan(q)
    if anchors is not None and anchors.query == q and len(anchors.keys) > 1:
        target = _order_key(q, key)
        marks = [_order_key(q, k) for k in anchors.keys[1:]]
        # i = how many anchors come strictly before the target in list order
        if q.descending:
            i = len(marks) - bisect.bisect_right(marks[::-1], target)
        else:
            i = bisect.bisect_left(marks, target)
        # anchors.keys[i] precedes position i * step; the target lies within the next step rows
        following = _walk(plan, anchors.keys[i], 0, anchors.step)
        for n, row in enumerate(following):
            if tuple(row) == key:
                return i * anchors.step + n
    # No anchors (or a collation that orders differently from Python): count what precedes.
    segs = plan.display_segments(False)
    start = segs.index(plan.segment_of(key))
    return sum(_count_in(plan, seg, key if i == 0 else None, False, None)
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
