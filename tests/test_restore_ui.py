"""Issue 21 item 1 on screen: Ctrl+L on a whole-archive export shows one preview of every sheet
(or CSV file), Enter imports them all, F8 only the valid rows when some are rejected."""
from __future__ import annotations

import shutil

import pytest

from db.core.models import Address, BankAccount, Contact, Customer, CustomerClass, InvoiceInfo, Sale
from tests.ui import make_app, press, settle, type_text
from tui import cli
from tui.screens.import_screen import ImportPromptScreen, ImportSummaryScreen
from tui.screens.restore_screen import RestorePreviewScreen


@pytest.fixture
def exported(demo_template, tmp_path, monkeypatch):
    source = tmp_path / "demo.db"
    shutil.copyfile(demo_template, source)
    folder = tmp_path / "out"
    folder.mkdir()
    assert cli.main(["export", str(folder / "all.xlsx"), "--all", "--db", str(source)]) == 0
    assert cli.main(["export", str(folder / "all.csv"), "--all", "--db", str(source)]) == 0
    monkeypatch.chdir(folder)
    return folder


async def _preview(pilot, name: str) -> RestorePreviewScreen:
    await press(pilot, "ctrl+l")
    assert isinstance(pilot.app.screen, ImportPromptScreen)
    await type_text(pilot, name)
    await settle(pilot)
    await press(pilot, "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RestorePreviewScreen), _text(pilot.app.screen, "#import-message")
    return pilot.app.screen


def rows_of(screen) -> str:
    rows = screen.query_one("#preview-rows")
    return "\n".join(str(rows.get_option_at_index(i).prompt) for i in range(rows.option_count))


def _text(screen, selector) -> str:
    return str(screen.query_one(selector).render())


async def test_one_preview_of_every_sheet_then_one_import(exported, store):
    classes_before = CustomerClass.select().count()
    app = make_app(store, start="archive", lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await _preview(pilot, "all.xlsx")
        counts = _text(screen, "#preview-counts")
        for words in ("Classes · Classes · 113 rows: Add 113", "Customers · Customers · 3000 rows: Add 3000",
                      "Sales records · Sales · 35836 rows: Add 35836"):
            assert words in counts, counts
        assert Customer.select().count() == 0  # the preview wrote nothing
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, ImportSummaryScreen)
        # and the card's lists beyond the defaults the customers bring (their sheets add them)
        lists = sum(m.select().count() for m in (Contact, Address, BankAccount, InvoiceInfo))
        assert 113 + 3000 + Sale.select().count() < app.screen.result.added <= 113 + 3000 + Sale.select().count() + lists
    assert Customer.select().count() == 3000 and CustomerClass.select().count() == classes_before + 113


async def test_rejected_rows_stop_enter_and_f8_imports_the_rest(exported, store):
    sales = exported / "all-sales.csv"
    sales.write_text(sales.read_text(encoding="utf-8-sig") + "NOBODY,2024-01-01,X1,10.00,5.00\n",
                     encoding="utf-8")
    (exported / "all.xlsx").unlink()  # the folder holds the CSV export only
    app = make_app(store, start="archive", lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await _preview(pilot, str(exported))
        counts = _text(screen, "#preview-counts")
        assert "Sales records · all-sales.csv ·" in counts and "Rejected 1" in counts
        listed = rows_of(screen)
        assert "Sales records · Rejected rows (1)" in listed and "NOBODY" in listed
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen is screen and Customer.select().count() == 0
        await press(pilot, "f8")
        await settle(pilot)
        assert isinstance(app.screen, ImportSummaryScreen) and app.screen.result.skipped == 1
    assert Customer.select().count() == 3000
