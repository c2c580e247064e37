"""A second (third...) kehu process for tests/test_concurrency.py.

    python tests/concurrency_worker.py serve URL
        answers JSON lines on stdin, one JSON line each on stdout:
        {"op": "read", "code": C}                       -> {"version": v, "region": r}
        {"op": "save", "code": C, "version": v, "value": x}
                                                        -> {"ok": true} or {"ok": false, "key", "who", "when"}
        {"op": "hammer", "code": C, "n": N}             -> N read-and-save rounds as fast as it can:
                                                           {"saved", "errors", "max_wait", "seconds"}
    python tests/concurrency_worker.py kill-batch URL   a batch modify of every customer that
                                                        SIGKILLs itself half-way through
    python tests/concurrency_worker.py kill-import URL FILE
                                                        an import that SIGKILLs itself after its
                                                        first chunk of rows

The user name recorded as 变更人 comes from LOGNAME, which the test sets per process.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import db  # noqa: E402
from db.lists import batch
from db.archive import customers, history
from db.transfer import importer  # noqa: E402
from db.core.errors import ConflictError  # noqa: E402
from db.lists.paging import ListQuery  # noqa: E402


def _reply(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def serve(url: str) -> None:
    db.open_store(url)
    for line in sys.stdin:
        msg = json.loads(line)
        op = msg["op"]
        if op == "quit":
            return
        if op == "read":
            row = customers.get(msg["code"])
            _reply({"version": row.version, "region": row.region})
        elif op == "save":
            try:
                customers.update(msg["code"], {"region": msg["value"]}, msg["version"])
                _reply({"ok": True})
            except ConflictError as exc:
                _reply({"ok": False, "key": exc.key, **{k: str(v) for k, v in exc.values.items()}})
        elif op == "hammer":
            _reply(hammer(msg["code"], msg["n"]))


def hammer(code: str, n: int) -> dict:
    """Read and save one customer `n` times; count every error (a 'database is locked' would
    be one) and the longest single save (the time spent waiting for the other writer)."""
    saved, errors, worst = 0, [], 0.0
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        try:
            row = customers.get(code)
            customers.update(code, {"region": f"{os.environ.get('LOGNAME')}-{i}"}, row.version)
            saved += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported, never hidden
            errors.append(f"{type(exc).__name__}: {exc}")
        worst = max(worst, time.perf_counter() - t0)
    return {"saved": saved, "errors": errors, "max_wait": worst,
            "seconds": time.perf_counter() - start}


def _die_at(fraction: float):
    def progress(done: int, total: int) -> None:
        if total and done >= total * fraction:
            os.kill(os.getpid(), signal.SIGKILL)
    return progress


def kill_batch(url: str) -> None:
    db.open_store(url)
    batch.apply("region", "批改后", ListQuery(show_stopped=True), since=history.watermark(),
                progress=_die_at(0.5))
    raise SystemExit("the batch finished: it should have been killed")


def kill_import(url: str, path: str) -> None:
    db.open_store(url)
    plan = importer.plan(path)
    importer.commit(plan, progress=_die_at(0.0001))
    raise SystemExit("the import finished: it should have been killed")


if __name__ == "__main__":
    mode, url, *rest = sys.argv[1:]
    {"serve": serve, "kill-batch": kill_batch, "kill-import": kill_import}[mode](url, *rest)
