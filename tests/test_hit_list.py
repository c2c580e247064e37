"""The locate box's results list: the highlight moves and stays in view, a click picks, and
a new answer repaints the list without laying the screen out again."""
from rich.text import Text
from textual.app import App

from tests.ui import settle
from tui.widgets.hit_list import HitList


class Lines(App):
    CSS = "HitList { height: 5; }"

    def __init__(self) -> None:
        super().__init__()
        self.picked: list[int] = []

    def compose(self):
        yield HitList(id="hits")

    def on_hit_list_picked(self, message: HitList.Picked) -> None:
        self.picked.append(message.index)


def shown(hits: HitList) -> list[str]:
    return [hits.render_line(y).text.strip() for y in range(hits.content_size.height)]


async def test_the_highlight_moves_and_stays_in_view():
    app = Lines()
    async with app.run_test(size=(40, 10)) as pilot:
        hits = app.query_one(HitList)
        hits.show([Text(f"C{n:03d}") for n in range(12)])
        await settle(pilot)
        assert hits.highlighted == 0 and shown(hits) == ["C000", "C001", "C002", "C003", "C004"]
        hits.move(6)
        assert hits.highlighted == 6 and shown(hits)[-1] == "C006"
        hits.move(100)
        assert hits.highlighted == 11 and shown(hits) == ["C007", "C008", "C009", "C010", "C011"]
        hits.move(-9)
        assert hits.highlighted == 2 and shown(hits)[0] == "C002"
        hits.show([Text("C900")])
        assert hits.highlighted == 0 and shown(hits) == ["C900", "", "", "", ""]
        hits.show([])
        hits.move(1)
        assert hits.highlighted is None


async def test_a_click_picks_the_line_under_it():
    app = Lines()
    async with app.run_test(size=(40, 10)) as pilot:
        hits = app.query_one(HitList)
        hits.show([Text(f"C{n:03d}") for n in range(12)])
        hits.move(7)  # the window now starts at C003
        await settle(pilot)
        await pilot.click("#hits", offset=(2, 1))
        await pilot.click("#hits", offset=(2, 4))
        assert app.picked == [4, 7]


async def test_a_new_answer_does_not_lay_the_screen_out():
    app = Lines()
    async with app.run_test(size=(40, 10)) as pilot:
        hits = app.query_one(HitList)
        await settle(pilot)
        laid_out = []
        app.screen._refresh_layout = lambda *a, **k: laid_out.append(1)
        hits.show([Text(f"C{n:03d}") for n in range(30)])
        await settle(pilot)
        hits.show([Text("C1")])
        await settle(pilot)
        assert laid_out == []
