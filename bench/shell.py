"""The shell look-up `kehu find`, timed as a person runs it: a new process each time."""
from __future__ import annotations

import subprocess

from bench.harness import Result, not_measured, summarize, timed

RUNS = 5
QUERIES = ("王", "小明", "bjhl")


def kehu_find(ctx) -> list[Result]:
    results = []
    for query in QUERIES:
        command = [*ctx.kehu, "--db", str(ctx.db), "find", query]
        runs = []
        for _ in range(RUNS + 1):  # the first run warms the page cache and is not counted
            seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True,
                                                         timeout=60))
            if done.returncode not in (0, 1):
                reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
                return [not_measured(f"kehu find {query}", reason)]
            runs.append(seconds)
        results.append(summarize(f"kehu find {query}", runs[1:], unit="ms", target=500.0,
                                 note=f"wall time of the process, {RUNS} runs"))
    return results
