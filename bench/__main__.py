"""`make bench`: build a 1,000,000-customer archive once (cached in bench/cache/), copy it to
PostgreSQL once (`--pg`), run every measurement on each database in turn, print the table
side by side, and write bench/results.json and BENCHMARKS.md.

A measurement is a function `(ctx) -> list[Result]` in MEASUREMENTS; add one by appending it.
A measurement that cannot run (tmux missing, the screen it waits for not built yet) returns a
"not measured: reason" row, and one that raises becomes such a row: the bench never stops
half-way.

    .venv/bin/python -m bench                     # build or reuse the cache, measure all
    .venv/bin/python -m bench --only locate       # some measurements (by function name)
    .venv/bin/python -m bench --db some.db        # measure an existing archive instead
    .venv/bin/python -m bench --pg postgresql://kehu@127.0.0.1:54331/bench
                                                  # and the same archive on PostgreSQL
    .venv/bin/python -m bench --db postgresql://… # PostgreSQL alone

`make bench` runs it with `--pg` on a PostgreSQL cluster of its own (bench/postgres.sh).
"""
from __future__ import annotations

import argparse
import compileall
import datetime as dt
import hashlib
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from bench import crowd, evaluation, postgres, quality, shell, store_speed, terminal, transfer
from bench.floor import is_url
from bench.harness import Result, machine, not_measured, table, write_json, write_markdown

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
CUSTOMERS = 1_000_000
# The cached archive is rebuilt when any of these change (the generator, its data, the
# schema, the locate index).
BUILT_FROM = ("db/demo/archive.py", "db/demo/parts.py", "db/core/models.py", "db/schema.py", "db/core/dialect.py",
              "db/archive/search.py", "fixtures")

MEASUREMENTS = [
    store_speed.counts,
    store_speed.page_fetch,
    store_speed.locate,
    store_speed.index_size,
    shell.kehu_find,
    terminal.first_screen,
    terminal.page_down,
    terminal.end_home,
    terminal.locate_on_screen,
    terminal.peak_memory,
    evaluation.evaluation,
    quality.duplicates_report,
    crowd.crowd,
    transfer.transfer_rates,  # last: it opens archives of its own
]


@dataclass
class Context:
    db: str  # an SQLite path or a postgresql:// URL
    customers: int
    workdir: Path
    kehu: list[str]
    store: object = None
    has_tmux: bool = field(default_factory=lambda: shutil.which("tmux") is not None)
    tmux: terminal.Tmux | None = None
    session: str | None = None


def _fingerprint(n: int) -> str:
    digest = hashlib.sha256(str(n).encode())
    for name in BUILT_FROM:
        path = ROOT / name
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(file.relative_to(ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:10]


def cached_archive(n: int) -> Path:
    """The benchmark archive of n customers, built by db.demo.generate on first use."""
    path = CACHE / f"kehu-{n}-{_fingerprint(n)}.db"
    if path.exists():
        return path
    from db import demo

    CACHE.mkdir(parents=True, exist_ok=True)
    for stale in CACHE.glob(f"kehu-{n}-*"):
        stale.unlink()
    building = path.with_suffix(".building")
    print(f"building {n:,} customers in {path.relative_to(ROOT)} (once) ...", flush=True)
    began = time.perf_counter()
    store = demo.generate(str(building), n)
    if store is not None:
        store.close()
    _mark_built_from(building, _fingerprint(n))
    building.rename(path)
    print(f"built in {time.perf_counter() - began:.0f} s", flush=True)
    return path


def _mark_built_from(path: Path, fingerprint: str) -> None:
    """Write the fingerprint into the archive, so its copy on PostgreSQL can tell whether it
    is still the same archive (bench.postgres.ensure_archive)."""
    import sqlite3

    connection = sqlite3.connect(path)
    with connection:
        connection.execute("INSERT OR REPLACE INTO schema_info (key, value) VALUES (?, ?)",
                           (postgres.BUILT_FROM_KEY, fingerprint))
    connection.close()


def _built_from(path: Path) -> str:
    import sqlite3

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT value FROM schema_info WHERE key = ?",
                                 (postgres.BUILT_FROM_KEY,)).fetchone()
        return row[0] if row else ""
    finally:
        connection.close()


def _kehu_command() -> list[str]:
    script = Path(sys.executable).with_name("kehu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def run(measurements, ctx: Context) -> list[Result]:
    results: list[Result] = []
    for measure in measurements:
        print(f"· {measure.__name__} ...", flush=True)
        try:
            got = measure(ctx)
        except Exception as exc:  # one broken measurement must not hide the others
            traceback.print_exc()
            got = [not_measured(measure.__name__, f"{type(exc).__name__}: {exc}")]
        for r in got:
            print(f"    {r.name}: {r.median if r.measured else r.note}", flush=True)
        results.extend(got)
    return results


def _measure(label: str, target: str, chosen, kehu: list[str]) -> tuple[list[Result], dict]:
    """Every chosen measurement on the archive at `target`; its results and what it was."""
    import db
    from db.core.models import Customer

    print(f"== {label}: {target}", flush=True)
    store = db.open_store(target, create=False)
    n = Customer.select().count()
    workdir = Path(tempfile.mkdtemp(prefix="kehu-bench-"))
    ctx = Context(db=target, customers=n, workdir=workdir, kehu=kehu, store=store)
    try:
        results = run(chosen, ctx)
    finally:
        if ctx.tmux is not None:
            ctx.tmux.close()
        ctx.store.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if is_url(target):
        where = {"database": target, "database_mb": postgres.size_mb(target),
                 "server": postgres.server_version(target)}
    else:
        path = Path(target)
        where = {"database": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                 "database_mb": round(path.stat().st_size / 1e6)}
    return results, where | {"customers": n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="measure this existing archive (not the cache): a path or a "
                                     "postgresql:// URL")
    parser.add_argument("--pg", metavar="URL", help="also measure on this PostgreSQL database, "
                        "the same archive copied there when it does not hold it")
    parser.add_argument("--customers", type=int, default=CUSTOMERS,
                        help="size of the cached archive (default 1,000,000)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these measurements: " + ", ".join(m.__name__ for m in MEASUREMENTS))
    args = parser.parse_args(argv)
    # pip compiles an installed package's bytecode; an editable install leaves it to the
    # first import, which cannot save it when PYTHONDONTWRITEBYTECODE is set, and then every
    # start pays for the compiler. Compile here so the timings are kehu's, as installed.
    for package in ("db", "tui", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)
    chosen = [m for m in MEASUREMENTS if not args.only or m.__name__ in args.only]
    kehu = _kehu_command()
    targets: dict[str, str] = {}
    pg = args.pg or (args.db if args.db and is_url(args.db) else None)
    if not (args.db and is_url(args.db)):
        sqlite = Path(args.db).resolve() if args.db else cached_archive(args.customers)
        targets["SQLite"] = str(sqlite)
    if pg:
        source = Path(targets["SQLite"]) if "SQLite" in targets else cached_archive(args.customers)
        postgres.ensure_archive(pg, source, _built_from(source), kehu)
        targets["PostgreSQL"] = pg
    runs, databases = {}, {}
    for label, target in targets.items():
        runs[label], databases[label] = _measure(label, target, chosen, kehu)
    context = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "customers": next(iter(databases.values()))["customers"],
        "databases": databases,
        "machine": machine(),
    }
    print()
    print("\n".join(table(runs)))
    write_json(ROOT / "bench" / "results.json", runs, context)
    if not args.only:  # BENCHMARKS.md holds complete runs only
        write_markdown(ROOT / "BENCHMARKS.md", runs, context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
