"""`kehu demo --db PATH [--customers N]`: write the demo archive (or a generated large one) to
a file without opening the app. An existing file is never overwritten unless --force says so.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tui.i18n import t

# The files SQLite keeps beside a database: removed with it, or a stale log would be replayed.
SIDE_FILES = ("-wal", "-shm", "-journal")


def register(subparsers) -> None:
    demo = subparsers.add_parser("demo", help=t("demo.help"))
    # SUPPRESS: `kehu --db PATH demo` also works; an absent sub-option must not erase it.
    demo.add_argument("--db", default=argparse.SUPPRESS, help=t("demo.help_db"))
    demo.add_argument("--customers", type=int, metavar="N", help=t("demo.help_customers"))
    demo.add_argument("--sales", type=int, default=5, metavar="N", help=t("demo.help_sales"))
    demo.add_argument("--force", action="store_true", help=t("demo.help_force"))
    demo.set_defaults(run=run_demo, own_store=True)


def _err(message: str) -> int:
    print(f"kehu: {message}", file=sys.stderr)
    return 2


def run_demo(args, _store) -> int:
    from db.opening import sqlite_path

    target = getattr(args, "db", None)
    if not target:
        return _err(t("demo.need_db"))
    path = sqlite_path(target)
    if path is None:
        return _err(t("demo.sqlite_only"))
    if args.customers is not None and args.customers < 1:
        return _err(t("demo.bad_count", count=args.customers))
    if args.sales < 0:
        return _err(t("demo.bad_sales", count=args.sales))
    if path.is_dir():
        return _err(t("store.is_dir", path=str(path)))
    if path.exists() and not args.force:
        return _err(t("demo.exists", path=str(path)))
    for name in [path] + [Path(f"{path}{side}") for side in SIDE_FILES]:
        name.unlink(missing_ok=True)

    from db import demo
    from db.core.models import Customer, Sale

    started = time.perf_counter()
    if args.customers is None:
        store = demo.build(path)
    else:
        store = demo.generate(path, args.customers, sales_per_customer=args.sales)
    try:
        print(t("demo.written", path=str(path), customers=Customer.select().count(),
                sales=Sale.select().count(), seconds=f"{time.perf_counter() - started:.1f}"))
    finally:
        store.close()
    return 0
