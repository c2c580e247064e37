"""`kehu demo --db PATH [--customers N]`: write the demo archive (or a generated large one) to
a file without opening the app. An existing file is never overwritten unless --force says so.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tui.i18n import t
from tui.shell import plain

# The files SQLite keeps beside a database: removed with it, or a stale log would be replayed.
SIDE_FILES = ("-wal", "-shm", "-journal")


def register(subparsers) -> None:
    demo = subparsers.add_parser("demo", help=t("demo.help"))
    # SUPPRESS: `kehu --db PATH demo` also works; an absent sub-option must not erase it.
    demo.add_argument("--db", default=argparse.SUPPRESS, help=t("demo.help_db"))
    demo.add_argument("--customers", type=plain.count, metavar="N", help=t("demo.help_customers"))
    demo.add_argument("--sales", type=plain.count, default=5, metavar="N", help=t("demo.help_sales"))
    demo.add_argument("--force", action="store_true", help=t("demo.help_force"))
    demo.set_defaults(run=run_demo, own_store=True)


def _err(message: str) -> int:
    print(f"kehu: {plain.message(message)}", file=sys.stderr)
    return 2


# The most customers `--customers` makes: ten times the million the app is tuned for.
MAX_CUSTOMERS = 10_000_000
MAX_SALES = 1000


def run_demo(args, _store) -> int:
    from db.opening import sqlite_path

    target = getattr(args, "db", None)
    if not target:
        return _err(t("demo.need_db"))
    path = sqlite_path(target)
    if path is None:
        return _err(t("demo.sqlite_only"))
    if args.customers is not None and not 1 <= args.customers <= MAX_CUSTOMERS:
        return _err(t("demo.bad_count", count=plain.number(args.customers), max=plain.number(MAX_CUSTOMERS)))
    if not 0 <= args.sales <= MAX_SALES:
        return _err(t("demo.bad_sales", count=plain.number(args.sales), max=plain.number(MAX_SALES)))
    try:
        if path.is_dir():
            return _err(t("store.is_dir", path=str(path)))
        if path.exists() and not args.force:
            return _err(t("demo.exists", path=str(path)))
        if not path.parent.is_dir():
            return _err(t("store.cannot_open", path=str(path), reason="no such directory"))
    except OSError as exc:  # a name too long
        return _err(t("store.cannot_open", path=str(path), reason=exc.strerror or str(exc)))

    started = time.perf_counter()
    customers, sales = _build(path, args)
    print(t("demo.written", path=str(path), customers=plain.number(customers), sales=plain.number(sales),
            seconds=f"{time.perf_counter() - started:.1f}"))
    return 0


def _build(path: Path, args) -> tuple[int, int]:
    """Build the demo beside `path` and rename it into place once complete (its counts).

    The generator skips the journal and the syncs for speed, so a build killed half-way
    leaves a broken file: under a name of its own, replaced by the next build, never under
    the name asked for (nor over the archive --force replaces)."""
    from db import demo
    from db.core.models import Customer, Sale

    part = path.with_name(f".{path.name}.part")
    _remove(part)
    try:
        if args.customers is None:
            store = demo.build(part)
        else:
            store = demo.generate(part, args.customers, sales_per_customer=args.sales)
        try:
            counts = Customer.select().count(), Sale.select().count()
        finally:
            store.close()
        # The old archive's logs go with it, or SQLite would replay them into the new one.
        for side in SIDE_FILES:
            Path(f"{path}{side}").unlink(missing_ok=True)
        os.replace(part, path)
    except BaseException:
        _remove(part)
        raise
    return counts


def _remove(path: Path) -> None:
    for name in [path] + [Path(f"{path}{side}") for side in SIDE_FILES]:
        name.unlink(missing_ok=True)
