"""The shell look-up `kehu find`, timed as a person runs it: a new process each time, beside
its floor: a new Python process that connects with the raw driver and runs the statements
`kehu find` runs (bench.floor records them), printing nothing."""
from __future__ import annotations

import json
import subprocess
import sys

from bench.floor import is_url, recorded
from bench.harness import Result, not_measured, summarize, timed

RUNS = 5
QUERIES = ("王", "小明", "bjhl")

# The floor process: connect, run each statement, fetch its rows.
_FLOOR = """
import json, sys
target, statements = sys.argv[1], json.loads(sys.argv[2])
if "://" in target:
    import psycopg2
    cursor = psycopg2.connect(target).cursor()
    for sql, params in statements:
        cursor.execute(sql, params)
        cursor.fetchall()
else:
    import sqlite3
    connection = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    for sql, params in statements:
        connection.execute(sql, params).fetchall()
"""


def _wall(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    return timed(lambda: subprocess.run(command, capture_output=True, text=True, timeout=60))


def kehu_find(ctx) -> list[Result]:
    from db.archive import search

    results = []
    for query in QUERIES:
        command = [*ctx.kehu, "--db", str(ctx.db), "find", query]
        _, statements = recorded(lambda: search.find(query))
        floor_command = [sys.executable, "-c", _FLOOR, str(ctx.db), json.dumps(statements)]
        runs, floors = [], []
        for _ in range(RUNS + 1):  # the first run warms the page cache and is not counted
            seconds, done = _wall(command)
            if done.returncode not in (0, 1):
                reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
                return [not_measured(f"kehu find {query}", reason)]
            runs.append(seconds)
            seconds, done = _wall(floor_command)
            if done.returncode != 0:
                return [not_measured(f"kehu find {query}", f"the floor process failed: {done.stderr[-200:]}")]
            floors.append(seconds)
        floor = summarize("", floors[1:])
        results.append(summarize(f"kehu find {query}", runs[1:], unit="ms", target=500.0,
                                 floor=floor.median,
                                 note=f"wall time of the process, {RUNS} runs; floor: python + "
                                      f"{'psycopg2' if is_url(ctx.db) else 'sqlite3'}, connect, "
                                      "the same statements"))
    return results
