"""The rejects file: every rejected row of a plan, beside the file it came from, to fix and import again.

`customers.csv` gives `customers.rejects.csv` (a workbook's sheet too: `book.rejects.csv`),
UTF-8 with a BOM so Excel opens it as it is: the file's header and each rejected row's own
cells as they were read, then four columns that say why (行号/Line, and one problem a line
of each of 列/Column, 值/Value, 原因/Reason). Imported again, those four are reported as
columns ignored, and a rejects file's own four are not carried into the next one.

The rows are read again from the file (the plan keeps the rejected problems, not the cells),
in one pass, only when there is something to write.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Callable

from db.transfer.importer.common import ImportPlan, Problem, cell_text

REASON_COLUMNS = ("行号/Line", "列/Column", "值/Value", "原因/Reason")
SUFFIX = ".rejects.csv"


def rejects_path(source: Path) -> Path:
    """Beside `source`, never `source` itself (a rejects file imported again gives x.rejects.rejects.csv)."""
    return source.with_name(source.stem + SUFFIX)


def _reason_of(problem: Problem) -> str:
    """Without a catalog (db/ has none): the key and its values."""
    values = ", ".join(f"{k}={v}" for k, v in problem.values.items())
    return f"{problem.key} ({values})" if values else problem.key


def write_rejects(plan: ImportPlan, reason: Callable[[Problem], str] | None = None) -> Path | None:
    """Write `plan`'s rejected rows beside its file (see the module); its path, also kept as
    `plan.rejects_path`. None when nothing was rejected, or the file cannot be read again or
    the folder is not writable (the preview still lists the rejected rows). `reason` words a
    problem (the UI's catalog); by default its key and values."""
    table = plan.table
    if not plan.rejected or table is None:
        return None
    reason = reason or _reason_of
    by_line: dict[int, list[Problem]] = {}
    for problem in plan.rejected:
        by_line.setdefault(problem.line, []).append(problem)
    headers = list(table.headers)
    # A rejects file imported again: its reasons are replaced, not kept beside the new ones.
    kept = [i for i, h in enumerate(headers) if h not in REASON_COLUMNS]
    position = {h: i for i, h in enumerate(headers) if h}
    target = rejects_path(plan.path)
    partial = target.with_name(target.name + ".part")
    try:
        with open(partial, "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow([headers[i] for i in kept] + list(REASON_COLUMNS))
            left = len(by_line)
            for line, cells in table._open_rows():
                problems = by_line.get(line) if line > table.header_line else None
                if not problems:
                    continue
                cells = [cell_text(c) for c in cells] + [""] * (len(headers) - len(cells))
                values = [cells[position[p.column]] if p.column in position else "" for p in problems]
                out.writerow([cells[i] for i in kept] + [
                    str(line),
                    "\n".join(p.column for p in problems),
                    "\n".join(values),
                    "\n".join(reason(p) for p in problems)])
                left -= 1
                if not left:
                    break
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        return None
    plan.rejects_path = target
    return target
