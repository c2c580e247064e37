"""Peak memory of a customer import (issue 21: flat with the file's size): 100,000 and
1,000,000 customers from CSV into an empty archive, preview and commit, each in a child
process of its own whose high-water resident size is the row (VmHWM of /proc/self/status,
which starts afresh at exec, where getrusage's ru_maxrss keeps the parent's high water). The
files are the bench's 100,000-row export, repeated with each repeat's codes suffixed.

Then the same for 100,000 and 1,000,000 sales into the 100,000 customers just imported.

    python -m bench.import_memory TARGET CUSTOMERS.csv CLASSES.csv   (the child: one JSON line)
    python -m bench.import_memory TARGET SALES.csv                   (sales into TARGET's customers)
"""
from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Result

SIZES = (100_000, 1_000_000)
TARGET_MB = 400  # the 1,000,000-row import's bound
RATIO = 1.5  # the 1,000,000-row peak over the 100,000-row one


def repeated(source: Path, target: Path, rows: int) -> Path:
    """`rows` customers: the source's rows over and over, codes suffixed after the first round."""
    with open(target, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        written, round_ = 0, 0
        while written < rows:  # the source read again each round: never held in memory
            with open(source, encoding="utf-8-sig", newline="") as f:
                reader = csv.reader(f)
                header = next(reader)
                at = header.index("客户编码")
                if not round_:
                    writer.writerow(header)
                for row in reader:
                    if round_:
                        row[at] = f"{row[at]}{round_}"
                    writer.writerow(row)
                    written += 1
                    if written == rows:
                        break
            round_ += 1
    return target


def sales(source: Path, target: Path, rows: int) -> Path:
    """`rows` documents of the source's customers, a new number each."""
    with open(source, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        at = next(reader).index("客户编码")
        codes = [row[at] for row in reader]
    with open(target, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["客户编码", "单据日期", "单据号", "金额", "成本"])
        for n in range(rows):
            writer.writerow([codes[n % len(codes)], f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}", f"B{n:08d}",
                             f"{n % 9000 + 100}.50", "80"])
    return target


def _child(*args: str) -> dict | str:
    found = subprocess.run([sys.executable, "-m", "bench.import_memory", *args], capture_output=True,
                           text=True, check=False, cwd=Path(__file__).resolve().parent.parent)
    if found.returncode:
        return f"failed: {found.stderr.strip().splitlines()[-1:]}"
    return json.loads(found.stdout.strip().splitlines()[-1])


def memory_rates(scratch, source: Path, classes: Path, workdir: Path) -> list[Result]:
    """A row per size, then the ratio, for customers then sales. `scratch(name)` gives an
    empty archive's place."""
    results = []
    places = {rows: scratch(f"memory{rows}") for rows in SIZES}
    for kind in ("customers", "sales"):
        peaks = {}
        for rows in SIZES:
            if kind == "customers":
                path = repeated(source, workdir / f"memory-{rows}.csv", rows)
                done = _child(places[rows], str(path), str(classes))
            else:  # into the archive of the 100,000 customers
                path = sales(source, workdir / f"memory-sales-{rows}.csv", rows)
                done = _child(places[SIZES[0]], str(path))
            path.unlink()
            if isinstance(done, str):
                results.append(Result(f"import {kind} peak memory {rows:,}", "MB", note=done))
                continue
            peaks[rows] = done["peak_mb"]
            results.append(_row(kind, rows, done))
        if len(peaks) == len(SIZES):
            results.append(Result(f"import {kind} memory ratio 1M / 100k", "x", peaks[SIZES[-1]] / peaks[SIZES[0]],
                                  None, 1, target=RATIO,
                                  note=f"the peak of the 1,000,000-row {kind} import over the 100,000-row one's"))
    return results


def _row(kind: str, rows: int, done: dict) -> Result:
    return Result(f"import {kind} peak memory {rows:,}", "MB", done["peak_mb"], None, 1,
                  target=TARGET_MB if rows == SIZES[-1] else None,
                  note=f"{done['added']:,} added in {done['seconds']:.0f} s (plan {done['plan_seconds']:.0f} s); "
                       f"the process at rest {done['base_mb']:.0f} MB; RSS high-water (VmHWM) of a child process",
                  extra=done)


def high_water_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise OSError("no VmHWM")


def main(target: str, rows: str, classes: str | None = None) -> None:
    """Import `rows` into `target`: customers into a new archive (its classes first), or sales."""
    import db
    from db.transfer import importer

    db.open_store(target)
    if classes:
        importer.commit(importer.plan(classes, kind="classes"))
    base = high_water_mb()
    began = time.perf_counter()
    plan = importer.plan(rows, kind="customers" if classes else "sales")
    planned = time.perf_counter()
    result = importer.commit(plan, only_valid=True)
    ended = time.perf_counter()
    peak = high_water_mb()
    print(json.dumps({"peak_mb": round(peak), "base_mb": round(base), "added": result.added,
                      "seconds": ended - began, "plan_seconds": planned - began}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
