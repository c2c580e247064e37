"""Reads nobody is waiting for (the tree's customer counts, the list's jump anchors), on one
thread of lower CPU priority.

Such a read scans an index for a few hundred milliseconds at 1,000,000 customers. Run at
the UI's priority right after a frame, two of them took both CPUs of a small machine from
the terminal drawing that frame: the archive's first screen reached tmux about 100 ms later
than without them. At a lower priority they wait for the CPU the UI and the terminal leave.
A read somebody does wait for (a jump that needs the anchors) is run `urgent`: at once, on
a thread of the UI's priority. The thread is a daemon: quitting does not wait for a scan.
This module imports no textual.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sys
import threading
from typing import Callable, TypeVar

from db.core import models
from db.core.session import reading

T = TypeVar("T")
NICE = 10  # added to the process's own niceness
_jobs: queue.SimpleQueue | None = None


def _lower_priority() -> None:
    # Linux schedules threads as tasks, so the thread's id sets its own priority. Elsewhere
    # PRIO_PROCESS would name the whole process: leave the priority alone there.
    if sys.platform.startswith("linux"):
        me = threading.get_native_id()
        try:
            os.setpriority(os.PRIO_PROCESS, me, min(os.getpriority(os.PRIO_PROCESS, me) + NICE, 19))
        except OSError:
            pass  # not allowed here: the same priority as the UI, as before


@contextlib.contextmanager
def thread_connection():
    """Around database work on any thread but the UI's, the one way every worker does it: a
    failed read reaches the worker as a StoreError it can word, and the thread's own
    connection is closed after (peewee opens one per thread; left open, they pile up, and
    the store may have changed by the next job)."""
    try:
        with reading():
            yield
    finally:
        models.database.close()  # this thread's connection only


def _run(fn: Callable[..., T], *args) -> T:
    with thread_connection():
        return fn(*args)


def _settle(future: asyncio.Future, result, error: BaseException | None) -> None:
    if not future.cancelled():
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


def _serve(jobs: queue.SimpleQueue) -> None:
    _lower_priority()
    while True:
        fn, args, future, loop = jobs.get()
        if future.cancelled():  # its list or tree has moved on before it started
            continue
        result, error = None, None
        try:
            result = _run(fn, *args)
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting worker
            error = exc
        loop.call_soon_threadsafe(_settle, future, result, error)


async def run(fn: Callable[..., T], *args, urgent: bool = False) -> T:
    """`fn(*args)` on the background thread (`urgent`: on a thread of the UI's priority),
    awaited without blocking the UI."""
    global _jobs
    if urgent:
        return await asyncio.to_thread(_run, fn, *args)
    if _jobs is None:
        _jobs = queue.SimpleQueue()
        threading.Thread(target=_serve, args=(_jobs,), name="kehu-background", daemon=True).start()
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    _jobs.put((fn, args, future, loop))
    return await future
