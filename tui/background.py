"""Database work off the UI's event loop, the one way every worker does it: `start` for a
screen's job (an export, a batch, an evaluation), `run` for the reads nobody is waiting for
(the tree's customer counts, the list's jump anchors), `Lane` for a stream of small reads
that must stay warm (the locate box's search), each thread's reads through `reading()`
(a driver's error becomes a StoreError), each job's thread closing its connection after
(`thread_connection`) except a Lane's.

`run`'s reads go to one thread of lower CPU priority.

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


def start(screen, group: str, work: Callable[[], T], done: Callable[[T], None],
          failed: Callable[[Exception], None] | None = None) -> None:
    """`work()` on a worker thread of `screen`, then `done(result)` on the UI thread; an error
    (a store refusal, a file that cannot be written) goes to `failed` (default: the screen's
    `show_error`). The thread's connection is closed after. A result that arrives after the
    screen has gone is dropped."""

    def deliver(callback, value) -> None:
        if screen.is_attached:
            callback(value)

    def job() -> None:
        try:
            with thread_connection():
                result = work()
        except Exception as exc:  # noqa: BLE001 - worded by the screen, never a traceback
            screen.app.call_from_thread(deliver, failed or screen.show_error, exc)
            return
        screen.app.call_from_thread(deliver, done, result)

    screen.run_worker(job, thread=True, group=group, exit_on_error=False)


class Lane:
    """One thread of its own that keeps its connection, for many small reads in a row (a
    search per keystroke): a fresh thread per read would open a cold connection each time
    and pay tens of milliseconds reading the index back in. Made on the first `submit`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue | None = None

    def submit(self, fn: Callable[[], None], failed: Callable[[Exception], None]) -> None:
        """`fn()` on the lane's thread; an error goes to `failed`, called on that thread."""
        if self._jobs is None:
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=self._serve, args=(self._jobs,), name=self.name, daemon=True).start()
        self._jobs.put((fn, failed))

    @staticmethod
    def _serve(jobs: queue.SimpleQueue) -> None:
        while True:
            fn, failed = jobs.get()
            try:
                with reading():
                    fn()
            except Exception as exc:  # noqa: BLE001 - worded by the caller
                models.database.close()  # the next read starts on a fresh connection
                with contextlib.suppress(Exception):  # its app has gone: the lane serves on
                    failed(exc)


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
