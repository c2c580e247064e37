"""Textual's own floor for a screen like the archive's (run by bench.terminal).

The same layout as kehu's first screen, drawn from constants: a title line, a tree of the
four top classes beside 37 rows of seven columns of Chinese text, a status line and a key
line. No database, no kehu module: what Textual alone takes to put such a screen up, so the
first-screen ratio can be read against it as well as against a one-line app.
"""
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static, Tree

READY = "floor app ready"
CLASSES = ("01 个人消费者", "02 中间商客户", "03 制造商客户", "04 政府和社会团体客户")
ROW = "C{:07d}   遵义聚丰     遵义聚丰饮料有限公司           030040002    贵州   一般客户   2021-03-05"


class ScreenFloor(App):
    CSS = """
    #title { height: 1; background: $primary; padding: 0 1; }
    Tree { width: 30%; border-right: solid $primary-lighten-1; }
    #rows { width: 1fr; text-wrap: nowrap; text-overflow: clip; }
    #status { height: 1; background: $panel; padding: 0 1; }
    #keys { height: 1; dock: bottom; }
    """

    def compose(self) -> ComposeResult:
        yield Static("客户档案 · floor", id="title")
        with Horizontal():
            tree = Tree("客户分类")
            tree.root.expand()
            for name in CLASSES:
                tree.root.add(name, allow_expand=True)
            yield tree
            yield Static("\n".join(ROW.format(n) for n in range(37)), id="rows")
        yield Static(f"970175 records · {READY}", id="status")
        yield Static(" f5 增加  f7 修改  del 删除  f3 过滤  / 定位  f4 栏目  ^o 排序", id="keys")


if __name__ == "__main__":
    ScreenFloor().run()
