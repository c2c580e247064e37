"""Measurements inside the store: list pages and locate, with the same SQL in raw sqlite3."""
from __future__ import annotations

import random
import sqlite3

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
    seconds, anchors = timed(lambda: paging.anchors(q))
    total = anchors.total
    results = [Result(f"list anchors, class {code} {name}", "ms", seconds * 1000, None, 1,
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

        fetch()
        runs = [timed(fetch)[0] for _ in range(PAGE_RUNS)]
        results.append(summarize(f"page fetch, {where} page of {code}", runs, target=2.0,
                                 note=f"{paging.PAGE} rows"))
    return results


def _queries(ctx) -> dict[str, list[str]]:
    """50 queries of each kind, from customers picked at random (seeded)."""
    from db.core.models import database

    rng = random.Random(7)
    top = database.execute_sql("SELECT max(id) FROM customer").fetchone()[0]
    ids = rng.sample(range(1, top + 1), min(top, 2000))
    marks = ", ".join("?" * len(ids))
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


def _raw_locate(conn: sqlite3.Connection, statements, limit: int) -> int:
    """What db.archive.search.locate does, on the raw driver: each statement until the list is full."""
    seen: set[int] = set()
    for _, sql, params in statements:
        seen.update(row[0] for row in conn.execute(sql, params))
        if len(seen) >= limit:
            break
    return len(seen)


def locate(ctx) -> list[Result]:
    from db.archive import search

    if ctx.store.dialect != "sqlite":
        return [not_measured("locate", "the benchmark database is SQLite only")]
    raw = sqlite3.connect(f"file:{ctx.db}?mode=ro", uri=True)
    results = []
    for kind, queries in _queries(ctx).items():
        statements = {q: search.statements(q, LOCATE_LIMIT) for q in queries}
        for q in queries:  # warm the page cache once, as a session in use would be
            search.locate(q, LOCATE_LIMIT)
        store_runs, raw_runs, empty = [], [], 0
        for q in queries:
            seconds, hits = timed(lambda: search.locate(q, LOCATE_LIMIT))
            store_runs.append(seconds)
            empty += not hits
            raw_runs.append(timed(lambda: _raw_locate(raw, statements[q], LOCATE_LIMIT))[0])
        raw_result = summarize("", raw_runs)
        example = f"e.g. {queries[0]!r}" + (f", {queries[1]!r}" if len(queries) > 1 else "")
        results.append(summarize(
            f"locate, {kind}", store_runs, target=5.0,
            note=f"{len(queries)} queries, {example}; raw sqlite3 median {raw_result.median:.3f} "
                 f"p95 {raw_result.p95:.3f} ms" + (f"; {empty} found nothing" if empty else ""),
            extra={"raw_sqlite3_median_ms": raw_result.median, "raw_sqlite3_p95_ms": raw_result.p95,
                   "queries": queries, "empty": empty}))
    raw.close()
    return results


def index_size(ctx) -> list[Result]:
    """Disk taken by the locate index (the FTS5 table and its shadow tables)."""
    from db.core.dialect import FTS_TABLE
    from db.core.models import database

    try:
        rows = database.execute_sql(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE ? GROUP BY name",
            (FTS_TABLE + "%",)).fetchall()
    except Exception as exc:  # SQLite built without the dbstat table
        return [not_measured("locate index size", str(exc))]
    parts = ", ".join(f"{name[len(FTS_TABLE) + 1:]} {size / 1e6:.0f}" for name, size in rows if size > 1e6)
    return [Result("locate index size", "MB", sum(size for _, size in rows) / 1e6, None, 1,
                   note=f"{FTS_TABLE}: {parts} MB")]
