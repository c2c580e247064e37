"""Reads nobody is waiting for (the tree's customer counts, the list's jump anchors), on one
thread of lower CPU priority.

Such a read scans an index for a few hundred milliseconds at 1,000,000 customers. Run at
the UI's priority right after a frame, two of them took both CPUs of a small machine from
the terminal drawing that frame: the archive's first screen reached tmux about 100 ms later
than without them. At a lower priority they wait for the CPU the UI and the terminal leave.
This module imports no textual.
"""
from __future__ import annotations

import asyncio
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from db import models

T = TypeVar("T")
NICE = 10
_executor: ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    # Linux schedules threads as tasks, so the thread's id sets its own priority. Elsewhere
    # PRIO_PROCESS would name the whole process: leave the priority alone there.
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        except OSError:
            pass  # not allowed here: the same priority as the UI, as before


def _run(fn: Callable[..., T], *args) -> T:
    try:
        return fn(*args)
    finally:
        models.database.close()  # this thread's connection only: the store may change


async def run(fn: Callable[..., T], *args) -> T:
    """`fn(*args)` on the background thread, awaited without blocking the UI."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kehu-background",
                                       initializer=_lower_priority)
    return await asyncio.get_running_loop().run_in_executor(_executor, _run, fn, *args)
