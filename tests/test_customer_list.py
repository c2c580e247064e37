"""The virtual customer list widget: keys, marks, goto, literal values, snapshots."""
from __future__ import annotations

import datetime as dt

import pytest
from textual.app import App, ComposeResult

import db
from db.archive import classes
from db.lists import paging, query
from db.core.models import Customer
from db.lists.query import ListQuery
from tui import i18n
from tui.i18n import t
from tui.widgets import customer_list
from tui.widgets.cells import fit, visible_text
from tui.widgets.customer_list import COLUMN_SPECS, CustomerList

N = 250
MARKUP = "[bold red]危险[/]"
ANSI = "\x1b[31m红色\x1b[0m"
EMOJI = "笑脸😀公司"


def _fill() -> None:
    for code, name in [("01", "个人消费者"), ("02", "中间商客户"), ("02001", "批发商")]:
        classes.add("main", code, name)
    rows = [dict(code=f"K{i:04d}", name=f"客户{i}号有限公司", short_name=f"客户{i}", class_code="01",
                 region="北京" if i % 2 else "上海", dev_date=dt.date(2020, 1, 1) + dt.timedelta(days=i),
                 stop_date=None)
            for i in range(1, N + 1)]
    rows[2].update(name=MARKUP, short_name=MARKUP)
    rows[3].update(name=ANSI, short_name="ansi")
    rows[4].update(name=EMOJI, short_name="😀")
    rows[5].update(stop_date=dt.date(2026, 1, 1))  # stopped before conftest's today
    rows.append(dict(code="W0001", name="批发一号", short_name="批发一", class_code="02001", region="广州",
                     dev_date=None, stop_date=None))
    Customer.insert_many(rows).execute()


@pytest.fixture
def small(store):
    _fill()
    return store


class ListApp(App):
    def __init__(self, query: ListQuery, columns=paging.DEFAULT_COLUMNS) -> None:
        super().__init__()
        self.query, self.columns = query, columns
        self.highlighted: list[str] = []
        self.selected: list[str] = []
        self.counts: list[int] = []

    def compose(self) -> ComposeResult:
        yield CustomerList(self.query, self.columns, id="list")

    def on_customer_list_highlighted(self, message: CustomerList.Highlighted) -> None:
        self.highlighted.append(message.key)

    def on_customer_list_selected(self, message: CustomerList.Selected) -> None:
        self.selected.append(message.key)

    def on_customer_list_count_changed(self, message: CustomerList.CountChanged) -> None:
        self.counts.append(message.count)


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def lines(app) -> list[str]:
    lst = app.query_one(CustomerList)
    return [lst.render_line(y).text for y in range(lst.scrollable_content_region.height)]


def test_every_paging_column_has_a_spec():
    assert set(COLUMN_SPECS) == set(query.COLUMNS)


def test_fit_counts_cells_not_characters():
    assert fit("客户", 6) == "客户  "
    assert fit("客户名称很长", 7) == "客户名…"
    assert fit("12", 4, "right") == "  12"
    assert visible_text("a\x1b[31mb\n") == "a␛[31mb␊"


async def test_keys_move_the_cursor_to_the_right_codes(small):
    app = ListApp(ListQuery(prefix="01"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lst = app.query_one(CustomerList)
        # K0006 is stopped and hidden
        assert lst.count == N - 1 and app.counts[-1] == N - 1
        assert lst.current_code == "K0001" and app.highlighted == ["K0001"]
        await pilot.press("down", "j", "j", "k")
        assert lst.current_code == "K0003"
        body = lst._body_height
        await pilot.press("home", "pagedown")
        await settle(app, pilot)
        want = [f"K{i:04d}" for i in range(1, N + 1) if i != 6]
        assert lst.current_code == want[body]
        await pilot.press("end")
        await settle(app, pilot)
        assert lst.current_code == "K0250" and app.highlighted[-1] == "K0250"
        assert lst.scroll_y == lst.count + 1 - lst.scrollable_content_region.height
        assert lines(app)[-1].lstrip().startswith("K0250")
        await pilot.press("pageup")
        await settle(app, pilot)
        assert lst.current_code == want[-1 - body]
        await pilot.press("home")
        assert lst.current_code == "K0001" and lst.scroll_y == 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == ["K0001"]


async def test_pages_beyond_the_cache_come_back(small, monkeypatch):
    monkeypatch.setattr(customer_list, "PAGE", 10)
    monkeypatch.setattr(customer_list, "CACHE_PAGES", 2)
    app = ListApp(ListQuery(prefix="01", show_stopped=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lst = app.query_one(CustomerList)
        for index in (240, 0, 130, 249, 55):
            lst.move_cursor(index)
            await settle(app, pilot)
            assert lst.current_code == f"K{index + 1:04d}"


async def test_slow_reads_go_to_a_worker_and_show_a_placeholder(small, monkeypatch):
    monkeypatch.setattr(customer_list, "SYNC_BUDGET", 0.0)  # every read counts as slow
    app = ListApp(ListQuery(prefix="01", show_stopped=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lst = app.query_one(CustomerList)
        lst.move_cursor(200)
        assert lst.current_code is None
        assert "…" in lines(app)[1]
        await settle(app, pilot)
        assert lst.current_code == "K0201" and app.highlighted[-1] == "K0201"
        assert "K0201" in "".join(lines(app))


async def test_marks_toggle_and_mark_all_is_symbolic(small):
    app = ListApp(ListQuery(prefix="01"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lst = app.query_one(CustomerList)
        await pilot.press("space", "space", "up", "space")  # K0001 on; K0002 on, then off
        assert lst.selection.added == {"K0001"}
        assert lines(app)[1].startswith("*   K0001") and lines(app)[2].startswith("    K0002")
        lst.mark_all()
        await pilot.press("home", "space")
        assert lst.selection.everything == lst.list_query and lst.selection.removed == {"K0001"}
        assert paging.selection_count(lst.selection) == N - 2
        assert lines(app)[2].startswith("*   K0002")
        lst.set_query(ListQuery(prefix="02"))
        await settle(app, pilot)
        assert lst.selection.is_empty() and lst.current_code == "W0001"


async def test_goto_code_and_reload(small):
    app = ListApp(ListQuery())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        lst = app.query_one(CustomerList)
        assert lst.goto_code("K0200")
        await settle(app, pilot)
        assert lst.current_code == "K0200" and lst.cursor == 198  # K0006 hidden
        assert not lst.goto_code("K0006") and not lst.goto_code("NOPE")
        Customer.delete().where(Customer.code == "K0001").execute()
        lst.reload()
        await settle(app, pilot)
        assert lst.current_code == "K0200" and lst.cursor == 197 and app.counts[-1] == N - 1


async def test_goto_before_the_count_waits_for_it(small):
    app = ListApp(ListQuery(show_stopped=True))
    async with app.run_test(size=(80, 24)) as pilot:
        lst = app.query_one(CustomerList)
        lst.goto_code("W0001")
        await settle(app, pilot)
        assert lst.current_code == "W0001" and lst.cursor == N


async def test_values_render_literally(small):
    app = ListApp(ListQuery(prefix="01", show_stopped=True), ("code", "short_name", "name"))
    async with app.run_test(size=(100, 12)) as pilot:
        await settle(app, pilot)
        text = "\n".join(lines(app))
        assert MARKUP in text
        assert "␛[31m红色␛[0m" in text and "\x1b" not in text
        assert "笑脸😀公司" in text
        stopped = app.query_one(CustomerList).render_line(6)
        assert "K0006" in stopped.text and any(seg.style and seg.style.dim for seg in stopped)


@pytest.mark.parametrize("lang, mark", [("zh", "停"), ("en", "⊘")])
async def test_a_stopped_row_has_a_mark_beside_its_grey(small, lang, mark):
    """Issue 16 item 36: stopped rows differed only by a dimmer grey, which a monochrome
    terminal does not show. A mark in the gutter says it, after the row's own mark."""
    i18n.set_lang(lang)
    app = ListApp(ListQuery(prefix="01", show_stopped=True), ("code", "short_name"))
    async with app.run_test(size=(60, 12)) as pilot:
        await settle(app, pilot)
        lst = app.query_one(CustomerList)
        stopped, running = lst.render_line(6).text, lst.render_line(5).text
        assert stopped.startswith(" " + mark) and "K0006" in stopped
        assert not running.startswith(" " + mark) and "K0005" in running
        header = lst.render_line(0).text
        from rich.cells import cell_len
        assert cell_len(header[:header.index(t("customer.field.code"))]) == cell_len(stopped[:stopped.index("K0006")])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_column_title_fits_its_column(lang):
    """Issue 16 item 38: the English header read `Managemen…`."""
    from rich.cells import cell_len

    from tui.widgets.customer_list import COLUMN_SPECS

    i18n.set_lang(lang)
    assert {s.key: s.title for s in COLUMN_SPECS.values() if cell_len(s.title) > s.width} == {}
    if lang == "en":
        assert COLUMN_SPECS["mgmt_type"].title == "Mgmt type"


async def test_header_titles_line_up_in_cells(small):
    i18n.set_lang("zh")  # double-width titles (conftest sets English back)
    app = ListApp(ListQuery(prefix="01"), ("code", "short_name", "region"))
    async with app.run_test(size=(60, 8)) as pilot:
        await settle(app, pilot)
        header, first = lines(app)[:2]
        from rich.cells import cell_len
        assert cell_len(header) == cell_len(first) == app.query_one(CustomerList).scrollable_content_region.width
        # each title starts in the same cell as its column's values
        assert cell_len(header[:header.index("客户简称")]) == cell_len(first[:first.index("客户1")])


def _snapshot_app() -> ListApp:
    return ListApp(ListQuery(prefix="01", show_stopped=True),
                   ("code", "short_name", "name", "class_code", "class_name", "region", "dev_date"))


async def _prepare(pilot) -> None:
    await settle(pilot.app, pilot)
    await pilot.press("down", "space", "down", "down", "space", "down", "down")
    await settle(pilot.app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(small, snap_compare, monkeypatch, size):
    monkeypatch.setattr(customer_list, "SYNC_BUDGET", 10.0)  # no placeholder in a snapshot
    assert snap_compare(_snapshot_app(), terminal_size=size, run_before=_prepare)
