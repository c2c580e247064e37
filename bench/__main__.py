"""`make bench`: build a 1,000,000-customer archive once (cached in bench/cache/), run every
measurement, print the table, and write bench/results.json and BENCHMARKS.md.

A measurement is a function `(ctx) -> list[Result]` in MEASUREMENTS; add one by appending it.
A measurement that cannot run (tmux missing, the screen it waits for not built yet) returns a
"not measured: reason" row, and one that raises becomes such a row: the bench never stops
half-way.

    .venv/bin/python -m bench                     # build or reuse the cache, measure all
    .venv/bin/python -m bench --only locate       # some measurements (by function name)
    .venv/bin/python -m bench --db some.db        # measure an existing archive instead
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

from bench import evaluation, shell, store_speed, terminal, transfer
from bench.harness import Result, machine, not_measured, table, write_json, write_markdown

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
CUSTOMERS = 1_000_000
# The cached archive is rebuilt when any of these change (the generator, its data, the
# schema, the locate index).
BUILT_FROM = ("db/demo/archive.py", "db/demo/parts.py", "db/core/models.py", "db/schema.py", "db/core/dialect.py",
              "db/archive/search.py", "fixtures")

MEASUREMENTS = [
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
    transfer.transfer_rates,  # last: it opens archives of its own
]


@dataclass
class Context:
    db: Path
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
    building.rename(path)
    print(f"built in {time.perf_counter() - began:.0f} s", flush=True)
    return path


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="measure this existing archive (not the cache)")
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
    path = args.db.resolve() if args.db else cached_archive(args.customers)

    import db
    from db.core.models import Customer

    store = db.open_store(str(path), create=False)
    n = Customer.select().count()
    workdir = Path(tempfile.mkdtemp(prefix="kehu-bench-"))
    ctx = Context(db=path, customers=n, workdir=workdir, kehu=_kehu_command(), store=store)
    try:
        results = run(chosen, ctx)
    finally:
        if ctx.tmux is not None:
            ctx.tmux.close()
        store.close()
        shutil.rmtree(workdir, ignore_errors=True)
    context = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "customers": n,
        "database": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
        "database_mb": round(path.stat().st_size / 1e6),
        "machine": machine(),
    }
    print()
    print("\n".join(table(results)))
    write_json(ROOT / "bench" / "results.json", results, context)
    if not args.only:  # BENCHMARKS.md holds complete runs only
        write_markdown(ROOT / "BENCHMARKS.md", results, context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
