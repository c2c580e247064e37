"""`kehu demo --db PATH|URL [--customers N]`: write the demo archive (or a generated large one)
to a file or an empty PostgreSQL database without opening the app. An existing file is never
overwritten unless --force says so.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tui.i18n import t
from tui.shell import plain


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
    from db.core.session import masked
    from db.opening import sqlite_path

    target = getattr(args, "db", None)
    if not target:
        return _err(t("demo.need_db"))
    path = sqlite_path(target)
    if args.customers is not None and not 1 <= args.customers <= MAX_CUSTOMERS:
        return _err(t("demo.bad_count", count=plain.number(args.customers), max=plain.number(MAX_CUSTOMERS)))
    if not 0 <= args.sales <= MAX_SALES:
        return _err(t("demo.bad_sales", count=plain.number(args.sales), max=plain.number(MAX_SALES)))
    started = time.perf_counter()
    if path is None:
        customers, sales = _build_on_server(target, args)
        path = masked(target)
    else:
        try:
            if path.is_dir():
                return _err(t("store.is_dir", path=str(path)))
            if path.exists() and not args.force:
                return _err(t("demo.exists", path=str(path)))
            if not path.parent.is_dir():
                return _err(t("store.cannot_open", path=str(path), reason="no such directory"))
        except OSError as exc:  # a name too long
            return _err(t("store.cannot_open", path=str(path), reason=exc.strerror or str(exc)))
        customers, sales = _build(path, args)
    print(t("demo.written", path=str(path), customers=plain.number(customers), sales=plain.number(sales),
            seconds=f"{time.perf_counter() - started:.1f}"))
    return 0


def _build(path: Path, args) -> tuple[int, int]:
    """Build the demo beside `path` and rename it into place once complete (its counts)."""
    from db.opening import written_beside

    with written_beside(path) as part:
        return _write(part, args)


def _write(path: Path, args) -> tuple[int, int]:
    """Build the demo (or a generated archive) in the new SQLite file `path`; its counts."""
    from db import demo
    from db.core.models import Customer, Sale

    if args.customers is None:
        store = demo.build(path)
    else:
        store = demo.generate(path, args.customers, sales_per_customer=args.sales)
    try:
        return Customer.select().count(), Sale.select().count()
    finally:
        store.close()


def _build_on_server(target: str, args) -> tuple[int, int]:
    """The same demo on a PostgreSQL database: built in a temporary SQLite file, then copied
    into the target in one transaction (db.transfer.copy), the file removed. The target must
    be empty, as for any copy: said before the build, which takes minutes at a million."""
    import tempfile

    from db.transfer import copy

    copy.check_target(target)
    with tempfile.TemporaryDirectory(prefix="kehu-demo-") as workdir:
        built = Path(workdir) / "demo.db"
        counts = _write(built, args)
        copy.copy_archive(str(built), target)
    return counts
