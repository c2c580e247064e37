"""An empty list says why it is empty and what to press, in the language in force."""
import pytest

from tests.ui import make_app, press, settle


def first_line(app) -> str:
    return app.screen.listing.render_line(1).text


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


@pytest.mark.parametrize("lang, said", [("zh", "没有符合过滤条件的客户 · F3 修改过滤"),
                                        ("en", "No customer matches the filter · F3 change the filter")])
async def test_a_filter_without_rows_says_so(demo_store, lang, said):
    app = make_app(demo_store, start="archive", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "f3")
        app.screen.query_one("#f-region").value = "没有这个地区"
        await press(pilot, "f6")
        assert app.screen.listing.count == 0
        assert said in first_line(app)


@pytest.mark.parametrize("lang, said, short, all_classes", [
    ("zh", "尚未评估 · Ctrl+R 评估", "尚未评估", "全部分类"),
    ("en", "Not evaluated yet · Ctrl+R evaluate", "not evaluated yet", "all classes")])
async def test_a_derived_dimension_before_evaluation_says_so(demo_store, lang, said, short, all_classes):
    app = make_app(demo_store, start="archive", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.switch_dimension("history")
        await settle(pilot)
        assert app.screen.listing.count == 0
        assert said in first_line(app)
        assert short in status(app) and all_classes not in status(app)


async def test_a_list_with_rows_says_nothing_more(demo_store):
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.listing.count > 0
        assert app.screen.listing.empty_text() == ""


async def test_a_review_without_proposals_says_so(demo_store):
    from db.evaluation import rules

    rules.apply(rules.evaluate().run_id)  # every proposal applied: the next run has none
    app = make_app(demo_store, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+r")
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen.SCREEN_NAME == "review"
        assert app.screen.evaluation.proposals == 0
        assert "这次评估没有建议变更" in first_line(app)


async def test_a_class_of_stopped_customers_and_an_empty_class_say_so(seeded):
    from db.archive import customers

    row = customers.get("C001")
    customers.stop(row.code, row.version)
    app = make_app(seeded, start="archive")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.tree.select_code("01")
        await settle(pilot)
        assert "这里的客户都已停用 · Ctrl+G 显示停用" in first_line(app)
        app.screen.tree.select_code("03")  # no customer at all
        await settle(pilot)
        assert "此分类下没有客户 · F5 增加" in first_line(app)
