"""The background thread for reads nobody waits on (tui.background)."""
from __future__ import annotations

import asyncio
import threading

import pytest

from tui import background


async def test_runs_on_one_daemon_thread_and_returns_the_result(store):
    names = await asyncio.gather(*(background.run(lambda: threading.current_thread().name) for _ in range(3)))
    assert set(names) == {"kehu-background"}
    thread = next(t for t in threading.enumerate() if t.name == "kehu-background")
    assert thread.daemon  # quitting does not wait for a scan


async def test_urgent_reads_do_not_queue_behind_the_background(store):
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(5)
        return "slow"

    waiting = asyncio.ensure_future(background.run(slow))
    await asyncio.to_thread(started.wait, 5)
    assert await background.run(lambda: "now", urgent=True) == "now"
    release.set()
    assert await waiting == "slow"


async def test_a_job_cancelled_before_it_starts_never_runs(store):
    started, release = threading.Event(), threading.Event()
    ran = []

    def hold():
        started.set()
        release.wait(5)

    first = asyncio.ensure_future(background.run(hold))
    await asyncio.to_thread(started.wait, 5)
    second = asyncio.ensure_future(background.run(ran.append, "ran"))
    await asyncio.sleep(0)
    second.cancel()
    release.set()
    await first
    await background.run(lambda: None)  # the queue has moved past the cancelled job
    assert ran == []


async def test_an_error_reaches_the_awaiting_worker(store):
    def broken():
        raise ValueError("no")

    with pytest.raises(ValueError):
        await background.run(broken)


async def test_a_jump_waiting_for_the_anchors_reads_them_urgently(seeded, monkeypatch):
    from tests.conftest import add_customer
    from tests.ui import make_app, settle
    from tui.widgets.customer_list import CustomerList

    for i in range(150):  # more than a page: the list counts and reads anchors in a worker
        add_customer(f"M{i:04d}", "02001")
    calls = []
    real = background.run

    async def spy(fn, *args, urgent=False):
        calls.append((getattr(fn, "__name__", ""), urgent))
        return await real(fn, *args, urgent=urgent)

    monkeypatch.setattr(background, "run", spy)
    app = make_app(seeded, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert ("anchors", False) in calls  # nobody waits at the start
        calls.clear()
        app.screen.query_one(CustomerList).reload(keep="M0120")  # as after a save
        await settle(pilot)
        assert ("anchors", True) in calls
        assert app.screen.query_one(CustomerList).current_code == "M0120"


async def test_a_failed_read_arrives_as_a_store_error(store):
    import sqlite3

    from db import StoreError

    def locked():
        raise sqlite3.OperationalError("database is locked")

    for urgent in (False, True):
        with pytest.raises(StoreError) as refused:
            await background.run(locked, urgent=urgent)
        assert refused.value.key == "store.locked"


async def test_the_list_says_when_its_anchors_cannot_be_read(seeded, monkeypatch):
    import sqlite3

    from db.lists import paging
    from tests.conftest import add_customer
    from tests.ui import make_app, settle

    for i in range(150):
        add_customer(f"M{i:04d}", "02001")

    def locked(query):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(paging, "anchors", locked)
    app = make_app(seeded, start="archive", lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert any("locked" in message for message in shown), shown
