"""Measurements inside the store: list pages and locate, each beside its floor: the same
statements through the raw driver (bench.floor)."""
from __future__ import annotations

import random
import statistics

from bench.floor import Raw, recorded
from bench.harness import Result, not_measured, summarize, timed

LOCATE_RUNS = 50
PAGE_RUNS = 50
LOCATE_LIMIT = 50
# The fragments issue 3 names; each kind is timed over it and 49 more drawn from the data.
NAMED = {"1-char Chinese": "王", "2-char Chinese": "小明", "3-char Chinese": "王小明"}


def _largest_class(ctx) -> tuple[str, str]:
    """The top-level class of the main classification with the most customers (its list
    holds all its sub-classes)."""
    from db.core.models import MAIN_DIMENSION, CustomerClass, Dimension, database

    dim = Dimension.get(Dimension.code == MAIN_DIMENSION)
    tops = {c.code: c.name for c in CustomerClass.select().where(
        CustomerClass.dimension == dim.id, CustomerClass.level == 1)}
    width = len(next(iter(tops)))
    counts = dict(database.execute_sql(
        f"SELECT substr(class_code, 1, {width}), count(*) FROM customer GROUP BY 1").fetchall())
    code = max(tops, key=lambda c: counts.get(c, 0))
    return code, tops[code]


def page_fetch(ctx) -> list[Result]:
    from db.lists import paging

    code, name = _largest_class(ctx)
    q = paging.ListQuery(dimension="main", prefix=code)
    raw = Raw(ctx.db)
    try:
        seconds, (anchors, statements) = timed(lambda: recorded(lambda: paging.anchors(q)))
        total = anchors.total
        results = [Result(f"list anchors, class {code} {name}", "ms", seconds * 1000, None, 1,
                          target=300.0, floor=raw.time(statements) * 1000,
                          note=f"once per list, in a worker: {total:,} rows")]
        # Where a virtual list jumps (its anchors built once): the first page, the middle, End.
        pages = {
            "first": 0,
            "middle": total // 2,
            "last": max(total - paging.PAGE, 0),
        }
        for where, offset in pages.items():
            def fetch():
                return paging.fetch(q, offset, paging.PAGE, anchors=anchors)

            _, statements = recorded(fetch)
            runs = [timed(fetch)[0] for _ in range(PAGE_RUNS)]
            floor = [raw.time(statements) for _ in range(PAGE_RUNS)]
            results.append(summarize(f"page fetch, {where} page of {code}", runs, target=2.0,
                                     floor=statistics.median(floor) * 1000,
                                     note=f"{paging.PAGE} rows"))
    finally:
        raw.close()
    return results


COUNT_RUNS = 5


def _timed_with_floor(raw: Raw, name: str, call, note: str) -> Result:
    _, statements = recorded(call)
    runs = [timed(call)[0] for _ in range(COUNT_RUNS)]
    floor = [raw.time(statements) for _ in range(COUNT_RUNS)]
    return summarize(name, runs, floor=statistics.median(floor) * 1000, note=note)


def counts(ctx) -> list[Result]:
    """The counts the archive shows as it opens: the record count of the whole list, the
    tree's level-1 counts, and the counts under the largest class (one grouped scan each)."""
    from db.archive import classes
    from db.core.models import MAIN_DIMENSION
    from db.lists import paging

    code, name = _largest_class(ctx)
    raw = Raw(ctx.db)
    try:
        return [
            _timed_with_floor(raw, "opening count (every customer in use)",
                              lambda: paging.count(paging.ListQuery(dimension=MAIN_DIMENSION)),
                              "the status line's record count as the archive opens"),
            _timed_with_floor(raw, "tree counts, level 1", lambda: classes.child_counts(MAIN_DIMENSION, None),
                              "customers under each top-level class, one grouped scan"),
            _timed_with_floor(raw, f"tree counts, children of {code}",
                              lambda: classes.child_counts(MAIN_DIMENSION, code),
                              f"customers under each child of {code} {name}"),
        ]
    finally:
        raw.close()


def _queries(ctx) -> dict[str, list[str]]:
    """50 queries of each kind, from customers picked at random (seeded)."""
    from db.core.models import database

    rng = random.Random(7)
    top = database.execute_sql("SELECT max(id) FROM customer").fetchone()[0]
    ids = rng.sample(range(1, top + 1), min(top, 2000))
    marks = ", ".join([database.param] * len(ids))
    rows = database.execute_sql(
        f"SELECT code, name, short_name, mnemonic FROM customer WHERE id IN ({marks})", ids).fetchall()
    rng.shuffle(rows)

    def fragments(size: int) -> list[str]:
        found = []
        for _, name, short, _ in rows:
            text = rng.choice((name, short))
            spans = [text[i:i + size] for i in range(len(text) - size + 1)
                     if all("\u4e00" <= ch <= "\u9fff" for ch in text[i:i + size])]
            if spans:
                found.append(rng.choice(spans))
        return found

    def fill(first: list[str], more: list[str]) -> list[str]:
        return (first + [m for m in more if m not in first])[:LOCATE_RUNS]

    return {
        "code prefix": [code[:-2] for code, *_ in rows[:LOCATE_RUNS]],
        **{kind: fill([NAMED[kind]], fragments(size))
           for kind, size in (("1-char Chinese", 1), ("2-char Chinese", 2), ("3-char Chinese", 3))},
        "mnemonic": fill(["bjhl"], [m[:3] for *_, m in rows if len(m) >= 3]),
    }


def locate(ctx) -> list[Result]:
    from db.archive import search

    raw = Raw(ctx.db)
    results = []
    for kind, queries in _queries(ctx).items():
        statements = {q: recorded(lambda: search.locate(q, LOCATE_LIMIT))[1] for q in queries}
        for q in queries:  # warm the page cache once, as a session in use would be
            search.locate(q, LOCATE_LIMIT)
        store_runs, raw_runs, empty = [], [], 0
        for q in queries:
            seconds, hits = timed(lambda: search.locate(q, LOCATE_LIMIT))
            store_runs.append(seconds)
            empty += not hits
            raw_runs.append(raw.time(statements[q]))
        raw_result = summarize("", raw_runs)
        example = f"e.g. {queries[0]!r}" + (f", {queries[1]!r}" if len(queries) > 1 else "")
        results.append(summarize(
            f"locate, {kind}", store_runs, target=5.0, floor=raw_result.median,
            note=f"{len(queries)} queries, {example}; floor p95 {raw_result.p95:.3f} ms"
                 + (f"; {empty} found nothing" if empty else ""),
            extra={"floor_p95_ms": raw_result.p95, "queries": queries, "empty": empty}))
    raw.close()
    return results


def index_size(ctx) -> list[Result]:
    """Disk taken by the locate index: SQLite's FTS5 table and its shadow tables, or
    PostgreSQL's indexes on the customer table that locate reads besides the code's."""
    from db.core.dialect import FTS_TABLE
    from db.core.models import database

    if ctx.store.dialect != "sqlite":
        rows = database.execute_sql(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
            "JOIN pg_class ON pg_class.oid = indexrelid JOIN pg_am ON pg_am.oid = pg_class.relam "
            "WHERE indrelid = 'customer'::regclass AND amname = 'gin'").fetchall()
        parts = ", ".join(f"{name} {size / 1e6:.0f}" for name, size in rows)
        return [Result("locate index size", "MB", sum(size for _, size in rows) / 1e6, None, 1,
                       note=f"GIN indexes: {parts} MB")]
    try:
        rows = database.execute_sql(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE ? GROUP BY name",
            (FTS_TABLE + "%",)).fetchall()
    except Exception as exc:  # SQLite built without the dbstat table
        return [not_measured("locate index size", str(exc))]
    parts = ", ".join(f"{name[len(FTS_TABLE) + 1:]} {size / 1e6:.0f}" for name, size in rows if size > 1e6)
    return [Result("locate index size", "MB", sum(size for _, size in rows) / 1e6, None, 1,
                   note=f"{FTS_TABLE}: {parts} MB")]
