"""Copying to the user's own clipboard (OSC 52, tui.clipboard): the escape sequence the app
writes to the terminal carries the card's invoice details as four lines, its default contact,
the code under the list's cursor, or the marked rows as tab-separated text."""
import base64
import re

import pytest

from db.archive import customers, subrecords
from tests.ui import make_app, press, settle
from tui import clipboard
from tui.screens.card import CardScreen

OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


def written(app):
    """Every OSC 52 text the app writes from now on, decoded."""
    texts = []
    write = app._driver.write

    def spy(data):
        texts.extend(base64.b64decode(m).decode("utf-8") for m in OSC52.findall(data))
        write(data)

    app._driver.write = spy
    return texts


@pytest.fixture
def app(seeded):
    customers.update("C002", {"contact": "王经理", "mobile": "13800138000"}, 1)
    subrecords.add("C002", "invoices", {"title": "北京华联批发有限公司", "tax_id": "91350100M000100Y43",
                                        "address_phone": "北京市朝阳区 010-1",
                                        "bank_account": "工行朝阳支行 0200"})
    return make_app(seeded, start="archive")


async def test_the_card_copies_the_invoice_details_as_four_lines(app):
    async with app.run_test(size=(80, 24)) as pilot:
        texts = written(pilot.app)
        pilot.app.push_screen(CardScreen("C002"))
        await settle(pilot)
        await press(pilot, "f9")
        assert texts == ["名称 (抬头): 北京华联批发有限公司\n纳税人识别号: 91350100M000100Y43\n"
                         "地址、电话: 北京市朝阳区 010-1\n开户行及账号: 工行朝阳支行 0200"]
        assert "4 行" in str(pilot.app.screen.query_one("#message").render())
        await press(pilot, "f3")
        assert texts[-1] == "王经理 13800138000"


async def test_without_invoice_details_nothing_is_written(app):
    async with app.run_test(size=(80, 24)) as pilot:
        texts = written(pilot.app)
        pilot.app.push_screen(CardScreen("C003"))
        await settle(pilot)
        await press(pilot, "f9")
        assert texts == []
        assert "没有默认开票信息" in str(pilot.app.screen.query_one("#message").render())


async def test_the_list_copies_the_code_or_the_marked_rows(app):
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        texts = written(pilot.app)
        listing = pilot.app.screen.listing
        listing.focus()
        await settle(pilot)
        await press(pilot, "ctrl+c")
        assert texts == [listing.current_code]
        await press(pilot, "space", "space")
        await press(pilot, "ctrl+c")
        header, *rows = texts[-1].split("\n")
        assert header.split("\t")[:3] == ["客户编码", "客户简称", "客户名称"]
        assert [r.split("\t")[0] for r in rows] == sorted(listing.selection.added)
        assert len(rows) == 2 and all(len(r.split("\t")) == len(header.split("\t")) for r in rows)


async def test_too_many_marked_rows_are_refused_in_one_line(app, monkeypatch):
    monkeypatch.setattr(clipboard, "MAX_ROWS", 1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        texts = written(pilot.app)
        pilot.app.screen.listing.focus()
        await press(pilot, "ctrl+a")
        await press(pilot, "ctrl+c")
        assert texts == []
        assert "Ctrl+E" in clipboard.copy_list(pilot.app, pilot.app.screen.listing)[0]
