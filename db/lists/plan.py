"""How a list's pages are read: the FROM, WHERE and key columns of a ListQuery (its plan),
and the keyset walk over its segments that db.lists.paging's public functions share."""
from __future__ import annotations

from typing import NamedTuple

from db.archive import scope
from db.archive.classes import HIGH
from db.core import clock, models
from db.core.errors import RuleError
from db.core.models import MAIN_DIMENSION
from db.values.regions import prefix as region_prefix
from db.lists.query import (COLUMNS, DATE_COLUMNS, NULLABLE_SORTS, SMALL_CLASS, SMALL_FILTER, SORT_COLUMNS,
                            ListQuery, Row, as_date)


class Segment(NamedTuple):
    where: str  # "" or the segment's own condition
    cols: tuple[str, ...]  # the key columns ordered within the segment
    null: bool  # the NULL rows of a nullable sort (their key is (None, code))


class Plan(NamedTuple):
    query: ListQuery
    source: str
    where: list[str]
    params: list
    key_cols: tuple[str, ...]
    segments: list[Segment]  # in ascending order of the sort
    class_col: str
    dimension_id: int
    # The class range (lower, upper bound) when it is a seekable range: kept apart so that a
    # list sorted by class can drop the bound its key already implies (see conditions).
    class_range: tuple[str, str] | None = None
    scans: bool = False  # the class is tested inside the sort's index (substr), not sought
    # A filter that few customers pass (完整度 below N %): its rows are read by the filter's
    # index and sorted, instead of walking the sort's index past every row that fails it.
    sorted_here: bool = False

    def display_segments(self, forward: bool) -> list[Segment]:
        segs = self.segments if not self.query.descending else self.segments[::-1]
        return segs if forward else segs[::-1]

    def segment_of(self, key: tuple) -> Segment:
        if len(self.segments) == 1:
            return self.segments[0]
        return self.segments[0] if key[0] is None else self.segments[1]


def database():
    return models.database


def param() -> str:
    return database().param


def dimension_id_of(code: str) -> int:
    found = database().execute_sql(f"SELECT id FROM dimension WHERE code = {param()}", (code,)).fetchone()
    if found is None:
        raise RuleError("dimension.unknown", dimension=code)
    return found[0]


def stop_condition(q: ListQuery) -> tuple[str | None, list]:
    p = param()
    mode = q.filter.stopped or ("" if q.show_stopped else "not")
    today = clock.today().isoformat()
    if mode == "not":
        return f"(c.stop_date IS NULL OR c.stop_date > {p})", [today]
    if mode == "only":
        return f"c.stop_date <= {p}", [today]
    return None, []


def is_small_class(plan_source: str, dim_where: str, dim_params: list, class_col: str,
                    prefix: str) -> bool:
    p = param()
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM {plan_source} WHERE {dim_where} "
           f"{class_col} >= {p} AND {class_col} < {p} LIMIT {p}) AS probe")
    return database().execute_sql(sql, [*dim_params, prefix, prefix + HIGH, SMALL_CLASS]).fetchone()[0] < SMALL_CLASS


def few_below(threshold: int) -> bool:
    """Whether fewer than SMALL_FILTER customers score below `threshold` (a range of the
    completeness index, read at most that far)."""
    p = param()
    sql = f"SELECT count(*) FROM (SELECT 1 FROM customer WHERE completeness < {p} LIMIT {p}) AS probe"
    return database().execute_sql(sql, [threshold, SMALL_FILTER]).fetchone()[0] < SMALL_FILTER


def plan_of(q: ListQuery, ordered: bool = True) -> Plan:
    """The FROM, WHERE and key columns of `q`. `ordered=False` (counts) always takes the
    class index; an ordered plan may force the sort's index (see the module note)."""
    p = param()
    where: list[str] = []
    params: list = []
    class_range = None
    if q.dimension == MAIN_DIMENSION:
        dim_id = dimension_id_of(MAIN_DIMENSION)
        source, class_col, code_col = "customer c", "c.class_code", "c.code"
        probe_source, probe_where, probe_params = "customer c", "", []
    else:
        dim_id = dimension_id_of(q.dimension)
        source = "membership m JOIN customer c ON c.id = m.customer_id"
        class_col, code_col = "m.class_code", "m.customer_code"
        where.append(f"m.dimension_id = {p}")
        params.append(dim_id)
        probe_source, probe_where, probe_params = "membership m", f"m.dimension_id = {p} AND", [dim_id]
    f = q.filter
    few = f.completeness_below is not None and few_below(f.completeness_below)
    sorted_here = few and ordered and q.sort != "completeness"
    if q.prefix:
        # Few customers below the threshold: the class is tested (substr) inside the
        # completeness index, not sought, as a seekable class range would draw the planner
        # to the class index instead (a count too).
        if few or (ordered and q.sort != "class"
                and not is_small_class(probe_source, probe_where, probe_params, class_col, q.prefix)):
            # A function of the column is not a range SQLite (or PostgreSQL) can seek, so the
            # planner walks the sort's index and tests the class inside it.
            where.append(f"substr({class_col}, 1, {len(q.prefix)}) = {p}")
            params.append(q.prefix)
        else:
            class_range = (q.prefix, q.prefix + HIGH)
    inside = scope.condition("c")  # the operator's data permission (None: everything)
    if inside is not None:
        where.append(inside[0])
        params += inside[1]
    stop, stop_params = stop_condition(q)
    if stop:
        where.append(stop)
        params += stop_params
    for name in ("mgmt_type", "region", "industry", "salesperson"):
        value = getattr(f, name)
        if value:
            where.append(f"c.{name} = {p}")
            params.append(value)
    if f.region_code:
        # A range, not LIKE: SQLite seeks an index only for a case-sensitive LIKE.
        head = region_prefix(f.region_code)
        where.append(f"c.region_code >= {p} AND c.region_code < {p}")
        params += [head, head[:-1] + chr(ord(head[-1]) + 1)]
    if f.dev_from:
        where.append(f"c.dev_date >= {p}")
        params.append(f.dev_from.isoformat())
    if f.dev_to:
        where.append(f"c.dev_date <= {p}")
        params.append(f.dev_to.isoformat())
    if f.completeness_below is not None:
        where.append(f"c.completeness < {p}")
        params.append(f.completeness_below)

    if q.sort == "class":
        key_cols = (class_col, code_col)
    elif q.sort == "code":
        key_cols = ("c.code",)
    else:
        key_cols = (f"c.{SORT_COLUMNS.get(q.sort, q.sort)}", "c.code")
    if q.sort in NULLABLE_SORTS:
        segments = [Segment(f"{key_cols[0]} IS NULL", key_cols[1:], True),
                    Segment(f"{key_cols[0]} IS NOT NULL", key_cols, False)]
    else:
        segments = [Segment("", key_cols, False)]
    scans = any(w.startswith("substr(") for w in where)
    return Plan(q, source, where, params, key_cols, segments, class_col, dim_id, class_range, scans,
                sorted_here)


def conditions(plan: Plan, seg: Segment | None, key: tuple | None,
                ascending: bool) -> tuple[str, list]:
    """The WHERE clause of one segment after `key` (in SQL order `ascending`)."""
    p = param()
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


def select_list(columns) -> tuple[str, bool]:
    """SQL of the asked columns over the page `pg` and its customer `c`, and whether the
    class table `k` must be joined."""
    parts, join = [], False
    for name in columns:
        if name not in COLUMNS:
            raise RuleError("list.column_unknown", column=name)
        parts.append("pg.cls" if name == "class_code" else COLUMNS[name])
        join = join or name == "class_name"
    return ", ".join(parts), join


def query(plan: Plan, seg: Segment, key: tuple | None, forward: bool, offset: int,
           limit: int, columns=None, ids: bool = False) -> list[tuple]:
    """Rows of one segment strictly after `key` in the walk's direction (None: from the
    segment's start), `offset` skipped, at most `limit`. Without `columns`, key columns only,
    then the id with `ids` (the index alone answers); with them: key, id, code, stopped, then
    the columns."""
    p = param()
    ascending = forward != plan.query.descending
    where, params = conditions(plan, seg, key, ascending)
    direction = "ASC" if ascending else "DESC"
    # `|| ''` orders by the same text but by no index, so the planner reads the filter's.
    order = ", ".join(f"{col} || '' {direction}" if plan.sorted_here else f"{col} {direction}"
                      for col in seg.cols)
    keys = ", ".join(f"{col} AS k{i}" for i, col in enumerate(plan.key_cols))
    if columns is None:
        keys += ", c.id" if ids else ""
        sql = f"SELECT {keys} FROM {plan.source} WHERE {where} ORDER BY {order} LIMIT {p} OFFSET {p}"
        return database().execute_sql(sql, [*params, limit, offset]).fetchall()
    # Deferred join: the page is chosen from the index alone (the class and stopped tests
    # included), and only its rows read the table.
    page = (f"SELECT {keys}, c.id AS id, {plan.class_col} AS cls FROM {plan.source} "
            f"WHERE {where} ORDER BY {order} LIMIT {p} OFFSET {p}")
    extra, join = select_list(columns)
    n = len(plan.key_cols)
    outer_keys = ", ".join(f"pg.k{i}" for i in range(n))
    outer_order = ", ".join(f"pg.k{i} {direction}" for i in range(n - len(seg.cols), n))
    sql = (f"SELECT {outer_keys}, c.id, c.code, (c.stop_date IS NOT NULL AND c.stop_date <= {p})"
           f"{', ' + extra if extra else ''} FROM ({page}) AS pg JOIN customer c ON c.id = pg.id")
    head = [clock.today().isoformat()]
    if join:
        sql += f" LEFT JOIN customer_class k ON k.dimension_id = {p} AND k.code = pg.cls"
    sql += f" ORDER BY {outer_order}"
    return database().execute_sql(sql, [*head, *params, limit, offset,
                                   *([plan.dimension_id] if join else [])]).fetchall()


def count_in(plan: Plan, seg: Segment, key: tuple | None, forward: bool, cap: int | None) -> int:
    """How many rows of `seg` lie after `key` in the walk's direction, counting at most `cap`."""
    p = param()
    where, params = conditions(plan, seg, key, forward != plan.query.descending)
    inner = f"SELECT 1 FROM {plan.source} WHERE {where}"
    if cap is not None:
        inner += f" LIMIT {p}"
        params.append(cap)
    return database().execute_sql(f"SELECT count(*) FROM ({inner}) AS n", params).fetchone()[0]


def anchor_keys(plan: Plan, step: int) -> tuple[list[tuple], int]:
    """Every `step`-th key of the list in display order (the key of the row just before
    position step, 2 * step, ...) and the list's count, each segment numbered in one scan
    of its index by a window (see db.core.dialect.anchors_in_one_pass)."""
    ascending = not plan.query.descending
    direction = "ASC" if ascending else "DESC"
    keys: list[tuple] = []
    before = 0  # rows of the segments already numbered
    n = len(plan.key_cols)
    for seg in plan.display_segments(True):
        where, params = conditions(plan, seg, None, ascending)
        order = ", ".join(f"{col} {direction}" for col in seg.cols)
        cols = ", ".join(f"{col} AS k{i}" for i, col in enumerate(plan.key_cols))
        # Integer division, not %: the same SQL on both drivers (psycopg2 reads % as a parameter).
        at = f"w.n + {int(before)}"
        sql = (f"SELECT * FROM (SELECT {cols}, row_number() OVER (ORDER BY {order}) AS n "
               f"FROM {plan.source} WHERE {where}) AS w WHERE ({at}) / {int(step)} * {int(step)} = {at} "
               f"ORDER BY w.n")
        found = database().execute_sql(sql, params).fetchall()
        keys += [tuple(row[:n]) for row in found]
        # Fewer than `step` rows follow the segment's last anchor (or it has none at all).
        last = tuple(found[-1][:n]) if found else None
        before += (found[-1][n] if found else 0) + count_in(plan, seg, last, True, step)
    return keys, before


def walk(plan: Plan, key: tuple | None, skip: int, limit: int, forward: bool = True,
          columns=None, ids: bool = False) -> list[tuple]:
    """Up to `limit` rows strictly after `key` (None: from the start) in display order
    (`forward`) or against it, after skipping `skip`: crossing segment boundaries."""
    segs = plan.display_segments(forward)
    start = 0 if key is None else segs.index(plan.segment_of(key))
    out: list[tuple] = []
    for i, seg in enumerate(segs[start:]):
        seg_key = key if i == 0 else None
        got = query(plan, seg, seg_key, forward, skip, limit - len(out), columns, ids)
        if not got and skip:
            skip -= count_in(plan, seg, seg_key, forward, skip)
            continue
        skip = 0
        out += got
        if len(out) >= limit:
            break
    return out


def rows(plan: Plan, raw: list[tuple], columns) -> list[Row]:
    n = len(plan.key_cols)
    dates = [i for i, name in enumerate(columns) if name in DATE_COLUMNS]
    rows = []
    for r in raw:
        values = list(r[n + 3:])
        for i in dates:
            values[i] = as_date(values[i])
        rows.append(Row(r[n], r[n + 1], r[:n], bool(r[n + 2]), dict(zip(columns, values))))
    return rows
