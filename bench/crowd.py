"""Many people at once (issue 17): CROWD processes, each looping locate -> open -> save on
customers of the benchmark archive for SECONDS (bench/crowd_worker.py), then the archive
is checked for lost updates.

The customers are a hot set of HOT drawn at random from the archive, so that two people
saving the same card at once happens often (over the whole million it would almost never,
and the refusal would go untested). A lost update is any of: a customer whose version did
not rise by exactly the saves that landed on it, whose remark is not the one of the last
save that landed, or whose history does not hold one row per landed save. Every refusal
must name who saved first.

The saves change the remark of HOT customers of the benchmark archive: nothing another
measurement reads.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Result, summarize

CROWD = 10
SECONDS = 60.0
HOT = 50
ROOT = Path(__file__).resolve().parent.parent


def _hot_set() -> list[list[str]]:
    from db.core.models import Customer, database

    top = database.execute_sql("SELECT max(id) FROM customer").fetchone()[0]
    ids = random.Random(17).sample(range(1, top + 1), HOT * 2)
    rows = (Customer.select(Customer.code, Customer.short_name, Customer.version)
            .where(Customer.id.in_(ids), Customer.stop_date.is_null()).limit(HOT).tuples())
    return [[code, short] for code, short, _ in rows]


def crowd(ctx) -> list[Result]:
    from db.core.models import ChangeLog, Customer

    hot = _hot_set()
    codes = [code for code, _ in hot]
    before = dict(Customer.select(Customer.code, Customer.version).where(Customer.code.in_(codes)).tuples())
    started = ChangeLog.select().order_by(ChangeLog.id.desc()).first()
    last_log = started.id if started else 0
    hot_file = ctx.workdir / "hot.json"
    hot_file.write_text(json.dumps(hot, ensure_ascii=False), encoding="utf-8")
    procs = []
    for n in range(CROWD):
        env = dict(os.environ, LOGNAME=f"crowd{n}", USER=f"crowd{n}")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "bench.crowd_worker", str(ctx.db), str(n), str(SECONDS), str(hot_file)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT))
    began = time.perf_counter()
    outs = []
    for proc in procs:  # all run at once; each prints one line at its end
        out, err = proc.communicate(timeout=SECONDS + 120)
        outs.append(json.loads(out) if proc.returncode == 0 and out.strip()
                    else {"errors": [f"worker exit {proc.returncode}: {err.strip()[-200:]}"]})
    wall = time.perf_counter() - began
    locates = [s for o in outs for s in o.get("locates", [])]
    saves = [s for o in outs for s in o.get("saves", [])]
    landed = [s for o in outs for s in o.get("saved", [])]
    refused = sum(o.get("refused", 0) for o in outs)
    unnamed = sum(o.get("unnamed", 0) for o in outs)
    errors = [e for o in outs for e in o.get("errors", [])]
    missed = sum(o.get("missed", 0) for o in outs)
    lost = _lost_updates(before, landed, last_log)
    note = (f"{CROWD} processes x {SECONDS:.0f} s on {HOT} hot customers: {len(saves):,} saves, "
            f"{len(landed):,} landed, {refused:,} refused ({unnamed} without the winner's name), "
            f"{len(errors)} errors, {lost} lost updates, {missed} locates missing their customer; "
            f"wall {wall:.0f} s" + (f"; first error: {errors[0]}" if errors else ""))
    ok = not errors and not lost and not unnamed and not missed
    return [
        summarize("crowd: locate", locates, p95_target=50.0, note=note),
        summarize("crowd: save (landed or refused)", saves,
                  note="from the save's start to its answer, waiting on the other writers included"),
        Result("crowd: lost updates + errors + unnamed refusals", "n", float(lost + len(errors) + unnamed),
               None, 1, target=0.0, note="must be 0" if ok else note),
    ]


def _lost_updates(before: dict[str, int], landed: list, last_log: int) -> int:
    """Customers of the hot set whose final state is not what the landed saves make it."""
    from db.core.models import ChangeLog, Customer

    by_code: dict[str, list] = {}
    for code, version, value in landed:
        by_code.setdefault(code, []).append((version, value))
    rows = {code: (version, remark) for code, version, remark in
            Customer.select(Customer.code, Customer.version, Customer.remark)
            .where(Customer.code.in_(list(before))).tuples()}
    logged: dict[str, int] = {}
    for (code,) in (ChangeLog.select(ChangeLog.entity_code)
                    .where(ChangeLog.id > last_log, ChangeLog.entity == "customer",
                           ChangeLog.who.startswith("crowd")).tuples()):
        logged[code] = logged.get(code, 0) + 1
    lost = 0
    for code, start in before.items():
        mine = sorted(by_code.get(code, []))
        version, remark = rows[code]
        versions = [v for v, _ in mine]
        if (version != start + len(mine) or versions != list(range(start + 1, version + 1))
                or (mine and remark != mine[-1][1]) or logged.get(code, 0) != len(mine)):
            lost += 1
    return lost

