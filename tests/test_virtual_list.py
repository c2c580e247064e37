"""The virtual-list base both lists stand on: keys with ids, one message base, the page
worker's connection, and the one padding helper by cell width."""
from __future__ import annotations

import contextlib

import pytest

from db import StoreError
from db.lists import paging
from db.lists.paging import ListQuery
from tests.test_customer_list import ListApp, _fill, settle
from tui import background
from tui.widgets.performance import table_row
from tui.widgets import customer_list
from tui.widgets.cells import fit, pad
from tui.widgets.customer_list import CustomerList
from tui.widgets.proposal_list import ProposalList
from tui.widgets.virtual_list import VirtualList

LIST_IDS = {"list.cursor_up", "list.cursor_down", "list.page_up", "list.page_down", "list.first",
            "list.last"}


@pytest.fixture
def small(store):
    _fill()
    return store


def test_pad_and_fit_count_cells():
    assert pad("客户", 6) == "客户  " and pad("客户", 6, "right") == "  客户"
    assert pad("1,234,567", 4, "right") == "1,234,567"  # a number is never cut
    assert fit("客户名称很长", 7) == "客户名…" and fit("客户名称很长", 7, "right") == "客户名…"
    # the card's sales table: a label left, numbers right, always a space between
    assert table_row(("本年", "1.00", "12345678"), (6, 6, 8)) == "本年    1.00 12345678"


def test_both_lists_move_with_the_same_remappable_keys():
    for widget in (CustomerList, ProposalList):
        ids = {binding.id for _, binding in widget._merged_bindings}
        assert LIST_IDS <= ids, widget
    assert issubclass(CustomerList, VirtualList) and issubclass(ProposalList, VirtualList)


def test_every_message_is_a_list_message():
    for message in (CustomerList.Highlighted, CustomerList.Selected, CustomerList.CountChanged,
                    CustomerList.MarksChanged, ProposalList.Highlighted, ProposalList.MarksChanged):
        assert issubclass(message, VirtualList.ListMessage)
        assert "__init__" not in vars(message)  # only a docstring
    assert CustomerList.Highlighted.handler_name == "on_customer_list_highlighted"


async def test_a_keymap_remaps_the_list_keys(small):
    app = ListApp(ListQuery(prefix="01"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.set_keymap({"list.cursor_down": "n", "list.last": "ctrl+e"})
        lst = app.query_one(CustomerList)
        await pilot.press("n", "n")
        assert lst.cursor == 2 and app.highlighted[-1] == lst.current_code
        await pilot.press("down")  # no longer bound
        assert lst.cursor == 2
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert lst.cursor == lst.count - 1


async def test_the_page_worker_reads_through_thread_connection(small, monkeypatch):
    monkeypatch.setattr(customer_list, "SYNC_BUDGET", 0.0)  # every read after page 0 is a worker's
    app = ListApp(ListQuery(prefix="01", show_stopped=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        entered = []
        real = background.thread_connection

        @contextlib.contextmanager
        def spy():
            entered.append(True)
            with real():
                yield

        monkeypatch.setattr(background, "thread_connection", spy)
        lst = app.query_one(CustomerList)
        lst.move_cursor(200)
        await settle(app, pilot)
        assert entered and lst.current_code == "K0201"

        def broken(*args):
            raise StoreError("store.locked")

        monkeypatch.setattr(paging, "fetch", broken)
        lst.set_columns(lst.columns)  # the pages read are dropped
        lst.move_cursor(120)
        await settle(app, pilot)
        assert lst.current_code is None  # still loading, and said so once
        assert len(app._notifications) == 1


async def test_end_right_after_a_new_query_needs_only_the_count(small, monkeypatch):
    """On a large list the anchors' walk comes long after the count (queued behind the tree's
    counts): End right after a filter or sort goes to the last row as soon as the count is in,
    reading the last page back from the list's end, with no OFFSET scan."""
    import threading

    release = threading.Event()
    real_anchors, real_fetch = paging.anchors, paging.fetch

    def late_anchors(q, *args):
        release.wait(10)
        return real_anchors(q, *args)

    def fetch(q, offset, *args, **kwargs):
        assert offset == 0, "an OFFSET scan"
        return real_fetch(q, offset, *args, **kwargs)

    monkeypatch.setattr(paging, "anchors", late_anchors)
    monkeypatch.setattr(paging, "fetch", fetch)
    app = ListApp(ListQuery(prefix="01"))
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.query_one(CustomerList)
        lst.set_query(ListQuery(prefix="01", sort="name", descending=True))
        await pilot.press("end")
        for _ in range(40):
            await pilot.pause(0.05)
            if lst.current_code is not None and lst.cursor == lst.count - 1:
                break
        assert not lst._counted  # the anchors are still walking
        assert lst.cursor == lst.count - 1 == 248
        assert lst.current_code == paging.before(lst.list_query, None, 1)[0].code
        release.set()
        await settle(app, pilot)
        assert lst.cursor == 248 and lst._counted
