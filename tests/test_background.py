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


# -- the screens' jobs: tui.background.start -------------------------------------------------


@pytest.fixture
def held(monkeypatch):
    """Which threads hold a connection of the store open: peewee opens one per thread. The
    UI's own thread and the locate box's lane keep theirs by design."""
    from db.core import models

    db = models.database.obj
    holders: dict[int, str] = {}
    real_connect, real_close = db._connect, db._close

    def connect(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        holders[threading.get_ident()] = threading.current_thread().name
        return conn

    def close(conn):
        holders.pop(threading.get_ident(), None)
        return real_close(conn)

    monkeypatch.setattr(db, "_connect", connect)
    monkeypatch.setattr(db, "_close", close)
    ui = threading.main_thread().ident
    return lambda: sorted(name for ident, name in holders.items() if ident != ui and name != "kehu-locate")


async def test_export_batch_and_evaluation_leave_no_connection_open(demo_store, held, tmp_path, monkeypatch):
    from tests.test_rules_ui import evaluate
    from tests.test_team_ui import batch_whole_class
    from tests.test_transfer_ui import export_as
    from tests.ui import make_app, press, settle
    from tui.screens.batch import BatchResultScreen

    monkeypatch.chdir(tmp_path)
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await export_as(pilot, "list.csv")
        assert (tmp_path / "list.csv").exists()
        await press(pilot, "enter")
        assert held() == []
        await batch_whole_class(pilot)
        assert isinstance(app.screen, BatchResultScreen)
        await press(pilot, "escape")
        assert held() == []
        await evaluate(pilot)
        await press(pilot, "escape")
        await settle(pilot)
        assert held() == []


async def test_an_error_is_shown_and_a_result_after_the_screen_has_gone_is_dropped(seeded):
    from db import StoreError
    from tests.ui import make_app, settle
    from tui.screens.confirm import ConfirmScreen

    app = make_app(seeded, start="archive")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown, release = [], threading.Event()
        app.screen.show_error = shown.append  # the default for `failed`

        def refused():
            raise StoreError("store.read_only")

        background.start(app.screen, "test-refused", refused, shown.append)
        await settle(pilot)
        assert [type(x) for x in shown] == [StoreError]

        def slow():
            release.wait(5)
            return "late"

        await app.push_screen(ConfirmScreen("?"))
        background.start(app.screen, "test-late", slow, shown.append)
        app.screen.dismiss(None)
        await settle(pilot)
        release.set()
        await asyncio.sleep(0.2)
        await settle(pilot)
        assert len(shown) == 1


async def test_an_import_leaves_no_connection_open(seeded, held, tmp_path, monkeypatch):
    from tests.test_transfer_ui import GOOD, open_file, write
    from tests.ui import make_app, press, settle
    from tui.screens.import_screen import ImportSummaryScreen

    monkeypatch.chdir(tmp_path)
    write(tmp_path, "good.csv", GOOD)
    app = make_app(seeded, start="archive")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_file(pilot, "good.csv")
        await press(pilot, "enter")
        assert isinstance(app.screen, ImportSummaryScreen)
        await press(pilot, "escape")
        assert held() == []
