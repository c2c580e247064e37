"""Textual's own floor for PgDn on a list like the archive's (run by bench.terminal).

A virtual list of 1,000,000 lines drawn from constants by the line API (a ScrollView, as
tui.widgets.customer_list is), beside a tree and between a title, a status line and a key
line, as on kehu's archive screen. PgDn moves a page and repaints: what Textual alone takes,
so the archive's PgDn time can be read against it on whatever machine the bench runs.
No database, no kehu module.
"""
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static, Tree

READY = "list floor ready"
ROWS = 1_000_000
ROW = "C{:07d}   遵义聚丰     遵义聚丰饮料有限公司           030040002    贵州   一般客户   2021-03-05"


class Rows(ScrollView, can_focus=True):
    BINDINGS = [Binding("pagedown", "page", show=False)]

    def on_mount(self) -> None:
        self.virtual_size = Size(120, ROWS)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        return Strip([Segment(ROW.format(index))]).crop_extend(0, self.size.width, None)

    def action_page(self) -> None:
        self.scroll_to(y=self.scroll_y + self.size.height, animate=False)


class ListFloor(App):
    CSS = """
    #title { height: 1; background: $primary; padding: 0 1; }
    Tree { width: 30%; border-right: solid $primary-lighten-1; }
    Rows { width: 1fr; }
    #status { height: 1; background: $panel; padding: 0 1; }
    #keys { height: 1; dock: bottom; }
    """

    def compose(self) -> ComposeResult:
        yield Static("客户档案 · list floor", id="title")
        with Horizontal():
            tree = Tree("客户分类")
            tree.root.expand()
            for name in ("01 个人消费者", "02 中间商客户", "03 制造商客户", "04 政府和社会团体客户"):
                tree.root.add(name, allow_expand=True)
            yield tree
            yield Rows()
        yield Static(f"{ROWS} records · {READY}", id="status")
        yield Static(" f5 增加  f7 修改  del 删除  f3 过滤  / 定位  f4 栏目  ^o 排序", id="keys")

    def on_mount(self) -> None:
        self.query_one(Rows).focus()


if __name__ == "__main__":
    ListFloor().run()
