"""The duplicates report over the whole archive (issue 19): its time and peak memory, in a
process of its own so the peak is the report's alone, and the names of its first groups."""
from __future__ import annotations

import json
import subprocess
import sys

from bench.harness import Result, not_measured

# Run in the child: open the archive, make the report, print what the row needs.
CHILD = """
import json, resource, sys, time
import db
from db.archive import duplicate_report
db.open_store(sys.argv[1], create=False)
began = time.perf_counter()
found = duplicate_report.report()
print(json.dumps({
    "seconds": time.perf_counter() - began,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    "groups": len(found.groups), "pairs": found.pairs_scored, "stages": found.stages,
    "top": [[m.name for m in g.members[:3]] for g in found.groups[:3]],
}, ensure_ascii=False))
"""


def duplicates_report(ctx) -> list[Result]:
    name = "duplicates report (whole archive)"
    done = subprocess.run([sys.executable, "-c", CHILD, str(ctx.db)], capture_output=True, text=True)
    if done.returncode != 0:
        return [not_measured(name, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed")]
    got = json.loads(done.stdout)
    top = "; ".join(" / ".join(names) for names in got["top"])
    return [Result(name, "s", got["seconds"], None, 1, target=60.0,
                   note=f"{ctx.customers:,} customers: {got['groups']:,} groups, {got['pairs']:,} pairs "
                        f"scored, peak {got['peak_mb']:,} MB, stages {got['stages']}; first groups: {top}",
                   extra=got)]
