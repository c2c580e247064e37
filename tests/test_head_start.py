"""The archive's opening list read ahead (tui.head_start), and `kehu --demo` cleaning up."""
from __future__ import annotations

import dataclasses
import os

from db.lists import paging
from db.lists.query import ListQuery
from tests.conftest import add_customer
from tests.ui import make_app, settle
from tui import cli
from tui.head_start import HeadStart, opening_columns, opening_query
from tui.widgets.customer_list import CustomerList


def _many(n: int) -> None:
    for i in range(n):
        add_customer(f"M{i:04d}", "02001")


def test_reads_the_first_page_and_the_count_of_its_own_query(seeded):
    _many(150)  # more than a page: the count is its own read
    query, columns = opening_query(), opening_columns()
    head = HeadStart(query, columns)
    assert head.total(query, wait=True) == paging.count(query) == 153
    first = head.first_page(query, columns)
    assert [r.code for r in first] == [r.code for r in paging.fetch(query, 0, paging.PAGE, columns)]
    other = dataclasses.replace(query, prefix="02")
    assert head.total(other, wait=True) is None
    assert head.first_page(other, columns) is None
    assert head.first_page(query, ("code",)) is None


def test_a_short_list_is_counted_by_its_page(seeded):
    query = opening_query()
    head = HeadStart(query, opening_columns())
    assert head.total(query, wait=True) == 3


def test_a_failed_read_leaves_the_list_to_read_itself(seeded):
    query = ListQuery(dimension="no-such-dimension")
    head = HeadStart(query, opening_columns())
    assert head.total(query, wait=True) is None
    assert head.first_page(query, opening_columns()) is None


async def test_the_archive_opens_on_the_rows_and_count_read_ahead(seeded):
    _many(150)
    query, columns = opening_query(), opening_columns()
    head = HeadStart(query, columns)
    head.total(query, wait=True)
    app = make_app(seeded, start="archive")
    app.head_start = head
    async with app.run_test(size=(120, 40)) as pilot:
        listing = app.screen.query_one(CustomerList)
        # Known at mount, before any worker of the list has run.
        assert app.screen.count == 153 and listing.count == 153
        assert app.head_start is None  # the first archive only: later ones count afresh
        await settle(pilot)
        assert listing.current_code == "C001"
        assert "153" in str(app.screen.query_one("#status").render())


def test_demo_removes_its_directory_when_the_app_closes(monkeypatch):
    seen = {}

    def run(app):
        seen["path"] = app.store.path
        assert app.head_start is not None

    monkeypatch.setattr("tui.app.KehuApp.run", run)
    assert cli.main(["--demo"]) == 0
    assert seen["path"].name == "demo.db"
    assert not os.path.exists(seen["path"].parent)
